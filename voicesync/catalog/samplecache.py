"""What this machine last read from each sample: a speed cache, never committed.

Reading thousands of samples (SHA-256, duration, silence) on every plan is slow, so their facts
are kept keyed by path, size, mtime and inode. Those keys are true on one machine only, so they
live beside the catalog in ``.voicesync/<catalog>.samples.json``, a folder that ignores itself
in git (it holds a ``.gitignore`` of ``*``), and never in the state file, which is committed and
must read the same on every machine. A missing, old or damaged cache is simply empty.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from voicesync.errors import StateError, UnsafePathError
from voicesync.localfiles import LocalFolder, atomic_write_text, local_folder_of
from voicesync.model import AudioFormat, SampleInfo
from voicesync.quality import Quality

CACHE_FORMAT = 3  # 2: one row (a list, in the order of ROW) per sample; 3: with its quality
ROW = (
    "path",
    "size",
    "mtime_ns",
    "inode",
    "sha256",
    "format",
    "duration_s",
    "silent",
    "checked_ns",
    "quality",
)
_FORMATS = {f.value: f for f in AudioFormat}


def _row(info: SampleInfo) -> list[Any]:
    return [
        info.path,
        info.size,
        info.mtime_ns,
        info.inode,
        info.sha256,
        info.format.value,
        info.duration_s,
        info.silent,
        info.checked_ns,
        info.quality.row() if info.quality is not None else None,
    ]


def _info(row: Any) -> SampleInfo:
    if type(row) is not list:
        raise TypeError("a damaged row")
    path, size, mtime_ns, inode, sha256, fmt, duration_s, silent, checked_ns, quality = row
    if not (isinstance(path, str) and isinstance(sha256, str)):
        raise TypeError("a damaged row")
    measured = Quality.from_row(quality) if isinstance(quality, list) else None
    return SampleInfo(
        path, _FORMATS[fmt], size, sha256, duration_s, mtime_ns, inode, checked_ns, silent, measured
    )


def cache_path(config: Path) -> Path:
    return LocalFolder.beside(config).sample_cache(config)


def load_cache(path: Path) -> dict[str, SampleInfo]:
    """Sample facts by resolved path; anything unreadable is an empty cache."""
    if path.is_symlink():
        return {}  # never read through a link
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != CACHE_FORMAT:
            return {}
        entries = [_info(row) for row in data["samples"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
    return {info.path: info for info in entries}


def save_cache(path: Path, known: Mapping[str, SampleInfo], seen: Iterable[SampleInfo]) -> None:
    """Remember ``seen`` (keeping other entries); best effort: a read-only checkout, a full
    disk or a missing folder only cost speed, never a failed run."""
    fresh = {info.path: info for info in seen if info.checked_ns}
    if all(known.get(p) == info for p, info in fresh.items()):
        return  # nothing new: do not touch the disk
    merged = {**known, **fresh}
    payload = {
        "format_version": CACHE_FORMAT,
        "columns": list(ROW),
        "samples": [_row(merged[p]) for p in sorted(merged)],
    }
    # StateError: no folder can be made there; UnsafePathError: .voicesync is a link (refused,
    # and the run goes on without a cache: it is only ever a speed-up).
    with contextlib.suppress(OSError, StateError, UnsafePathError):
        local_folder_of(path).ensure()
        atomic_write_text(path, json.dumps(payload, sort_keys=True) + "\n")

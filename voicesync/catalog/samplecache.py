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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from voicesync.model import AudioFormat, SampleInfo
from voicesync.state.local import LOCAL_DIR, ensure_local_dir
from voicesync.state.store import atomic_write_text

CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    format: str
    duration_s: float | None
    silent: bool
    checked_ns: int

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # asdict: 10x slower

    @classmethod
    def of(cls, info: SampleInfo) -> _Entry:
        return cls(
            info.path,
            info.size,
            info.mtime_ns,
            info.inode,
            info.sha256,
            info.format.value,
            info.duration_s,
            info.silent,
            info.checked_ns,
        )

    def info(self) -> SampleInfo:
        return SampleInfo(
            self.path,
            AudioFormat(self.format),
            self.size,
            self.sha256,
            self.duration_s,
            self.mtime_ns,
            self.inode,
            self.checked_ns,
            self.silent,
        )


def local_dir(config: Path) -> Path:
    """``.voicesync/`` beside the catalog: machine-local files only."""
    return config.resolve().parent / LOCAL_DIR


def cache_path(config: Path) -> Path:
    return local_dir(config) / f"{config.stem}.samples.json"


def load_cache(path: Path) -> dict[str, SampleInfo]:
    """Sample facts by resolved path; anything unreadable is an empty cache."""
    if path.is_symlink():
        return {}  # never read through a link
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != CACHE_FORMAT:
            return {}
        entries = [_Entry(**raw).info() for raw in data["samples"]]
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
        "samples": [_Entry.of(merged[p]).to_json() for p in sorted(merged)],
    }
    with contextlib.suppress(OSError):
        ensure_local_dir(path.parent)
        atomic_write_text(path, json.dumps(payload, sort_keys=True) + "\n")

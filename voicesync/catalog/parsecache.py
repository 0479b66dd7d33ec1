"""The parsed catalog, remembered in ``.voicesync/`` so a run that finds voices.yaml unchanged
skips composing its YAML again (a third of a second for 5,000 voices).

What is remembered is only what parsing gives (the data and where each part was written);
validation runs every time. An entry applies only to the very file it was made from: the same
text (SHA-256), the same inode, mtime and size, and the same voicesync. Those file facts do not
survive a checkout, so an entry committed by someone else (``.voicesync/`` ignores itself, but
``git add -f`` exists) never matches: what voicesync acts on is always what the YAML says.
Best effort: an entry that cannot be read or written only costs the parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from voicesync import __version__
from voicesync.catalog.document import Document, StoredPositions
from voicesync.errors import StateError
from voicesync.localfiles import LocalFolder, atomic_write_text, local_folder_of, refuse_link

CACHE_FORMAT = 2  # 2: positions by repr(path)


def parsed(text: str, source: Path, cache: Path | None) -> Document:
    """``parse(text)``, from ``cache`` when it holds this very file's parse (PyYAML is then
    not even imported)."""
    key = _key(text, source) if cache is not None else None
    doc = _read(cache, key) if cache is not None and key else None
    if doc is None:
        from voicesync.catalog.yamlsource import parse

        doc = parse(text)  # a YamlProblem is raised, never remembered
        if cache is not None and key:
            _write(cache, key, doc)
    return doc


def _key(text: str, source: Path) -> str | None:
    try:
        st = source.stat()
    except OSError:
        return None
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{__version__}:{digest}:{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def _read(cache: Path, key: str) -> Document | None:
    try:
        refuse_link(cache, "the parsed catalog cache")
        raw: Any = json.loads(cache.read_text(encoding="utf-8"))
        if raw.get("format_version") != CACHE_FORMAT or raw.get("key") != key:
            return None
        values, keys = raw["values"], raw["keys"]
        if not isinstance(values, dict) or not isinstance(keys, dict):
            return None
        return Document(raw["data"], StoredPositions(values), StoredPositions(keys))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write(cache: Path, key: str, doc: Document) -> None:
    payload = {
        "format_version": CACHE_FORMAT,
        "key": key,
        "data": doc.data,
        "values": StoredPositions.encode(doc.values),
        "keys": StoredPositions.encode(doc.keys),
    }
    with contextlib.suppress(OSError, ValueError, TypeError, StateError):
        text = json.dumps(payload, separators=(",", ":"))
        local_folder_of(cache).ensure()
        atomic_write_text(cache, text)


def parse_cache_path(config: Path) -> Path:
    return LocalFolder.beside(config).parse_cache(config)

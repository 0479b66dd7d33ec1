"""The machine-local folder beside a catalog (``.voicesync/``): caches, locks, the emulator's
voices. It ignores itself in git, so nothing machine-local is ever committed."""

from __future__ import annotations

from pathlib import Path

LOCAL_DIR = ".voicesync"


def local_dir(base: Path) -> Path:
    return base / LOCAL_DIR


def ensure_local_dir(folder: Path) -> Path:
    """Create the folder with a ``.gitignore`` of ``*``, so it never lands in a commit."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# voicesync's machine-local files: never commit them\n*\n")
    return folder

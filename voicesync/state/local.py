"""The machine-local folder beside a catalog (``.voicesync/``): caches, locks, the emulator's
voices. It ignores itself in git, so nothing machine-local is ever committed."""

from __future__ import annotations

from pathlib import Path

from voicesync.errors import StateError, UnsafePathError

LOCAL_DIR = ".voicesync"


def local_dir(base: Path) -> Path:
    return base / LOCAL_DIR


def refuse_link(path: Path, what: str) -> None:
    """voicesync never follows a link for a file it keeps beside the catalog: a link committed
    in a pull request could make it print or overwrite any file the runner can reach."""
    if path.is_symlink():
        raise UnsafePathError(
            f"{path} ({what}) is a symbolic link; voicesync reads and writes only regular "
            "files there, never through a link",
            hint=f"remove the link (git rm {path.name}, or rm), then run again",
        )


def ensure_local_dir(folder: Path) -> Path:
    """Create the folder with a ``.gitignore`` of ``*``, so it never lands in a commit."""
    refuse_link(folder, "voicesync's machine-local folder")
    ignore = folder / ".gitignore"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        refuse_link(ignore, "the machine-local folder's .gitignore")
        if not ignore.exists():
            ignore.write_text("# voicesync's machine-local files: never commit them\n*\n")
    except OSError as exc:
        raise StateError(
            f"cannot create voicesync's machine-local folder {folder}: {exc.strerror or exc}",
            hint="make the folder beside the catalog (or the state file) writable, then run again",
        ) from None
    return folder

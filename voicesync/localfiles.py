"""The one owner of the files voicesync keeps on this machine.

- ``.voicesync/`` beside a catalog (:class:`LocalFolder`): caches, run locks, the built-in
  emulator's voices and state. It ignores itself in git, so nothing machine-local is committed.
  Every path in it is named here.
- Writing: :func:`atomic_write_bytes` (temp file, fsync, rename, folder fsync) is the only way
  voicesync replaces a file, and :func:`sync_folder` the only folder fsync.
- Reading and writing never go through a symbolic link (:func:`refuse_link`): a link committed
  in a pull request could make voicesync print or overwrite any file the runner can reach.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from voicesync.errors import StateError, UnsafePathError

LOCAL_DIR = ".voicesync"


@dataclass(frozen=True, slots=True)
class LocalFolder:
    """``.voicesync/`` in ``base`` (the catalog's folder, or a state file's)."""

    base: Path

    @classmethod
    def beside(cls, config: Path) -> LocalFolder:
        return cls(config.resolve().parent)

    @property
    def path(self) -> Path:
        return self.base / LOCAL_DIR

    def sample_cache(self, config: Path) -> Path:
        """Facts about the catalog's samples (size, hash, duration), by path."""
        return self.path / f"{config.stem}.samples.json"

    def parse_cache(self, config: Path) -> Path:
        """The catalog as last parsed, with its positions."""
        return self.path / f"{config.stem}.parsed.json"

    def emulator_voices(self) -> Path:
        """The built-in emulator's account (``--emulator``)."""
        return self.path / "emulator.json"

    def state_file(self, name: str) -> Path:
        """A state file of the built-in emulator's account."""
        return self.path / name

    def lock(self, state_name: str) -> tuple[Path, Path]:
        """The run lock of a state file, and the file naming its holder."""
        return self.path / f"{state_name}.lock", self.path / f"{state_name}.holder"

    def ensure(self) -> Path:
        """Create the folder with a ``.gitignore`` of ``*``, so it never lands in a commit."""
        folder = self.path
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
                hint="make the folder beside the catalog (or the state file) writable, "
                "then run again",
            ) from None
        return folder


def local_folder_of(path: Path) -> LocalFolder:
    """The machine-local folder for a file: its own folder when it is already in one."""
    folder = path.parent
    return LocalFolder(folder.parent if folder.name == LOCAL_DIR else folder)


def refuse_link(path: Path, what: str) -> None:
    """voicesync never follows a link for a file it keeps beside the catalog."""
    if path.is_symlink():
        raise UnsafePathError(
            f"{path} ({what}) is a symbolic link; voicesync reads and writes only regular "
            "files there, never through a link",
            hint=f"remove the link (git rm {path.name}, or rm), then run again",
        )


def atomic_write_text(path: Path, text: str) -> None:
    """See :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: a crash leaves the old
    file or the new one, never half of one. The file keeps its mode (a new one gets the
    umask's, like any file the user writes), not the temp file's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (best effort: not every platform or
    filesystem allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_umask() -> int:
    """The process umask, read once at import (setting it back is not thread-safe later)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.lstat().st_mode) if not path.is_symlink() else 0o666 & ~_UMASK
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def file_slug(name: str, limit: int | None = None) -> str:
    """A voice name as a safe file name: what is not a letter, digit, '_', '.' or '-' becomes
    '-', at most ``limit`` characters ('voice' when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:limit] or "voice"

"""The run lock of a state file: one voicesync run at a time changes it."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from voicesync.errors import LockError
from voicesync.localfiles import local_folder_of, refuse_link

LOCK_TIMEOUT_S = 10.0


@contextlib.contextmanager
def state_lock(
    path: Path,
    *,
    timeout_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[str | None]:
    """Hold a lock on the state file for a whole run. Yields a warning when a dead run left its
    mark.

    The lock is an OS file lock, released by the kernel if the holder dies, so a crashed run
    never blocks the next; the holder file beside it names who holds it, for the error message.
    Both are machine-local: they live in ``.voicesync/`` beside the state file, which keeps
    itself out of git. ``on_wait`` hears at once that another run holds the lock, before the
    wait (``timeout_s``, default LOCK_TIMEOUT_S) begins.
    """
    from filelock import FileLock, Timeout

    local = local_folder_of(path)
    local.ensure()
    lock_path, holder = local.lock(path.name)
    for kept in (holder, lock_path):
        refuse_link(kept, "voicesync's run lock")
    lock = FileLock(str(lock_path))
    wait_s = LOCK_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None:
                on_wait(
                    f"another voicesync run holds the state lock of {path} "
                    f"({_holder_text(holder)}); waiting up to {wait_s:.0f} s for it"
                )
            lock.acquire(timeout=wait_s)
    except Timeout:
        raise LockError(
            f"another voicesync run holds the state lock of {path} ({_holder_text(holder)})",
            hint="wait for it to finish; in CI, use a concurrency group so applies never overlap",
        ) from None
    except OSError as exc:
        raise LockError(
            f"cannot take the state lock {lock_path}: {exc.strerror or exc}",
            hint="it must be a file voicesync can create: remove what stands there (rm -r) "
            "and check the disk has space",
        ) from None
    warning = None
    if holder.is_file():
        warning = f"a previous run ({_holder_text(holder)}) ended without releasing {path}"
    try:
        _write_holder(holder)
        yield warning
    finally:
        with contextlib.suppress(OSError):
            holder.unlink()
        lock.release()


_HOLDER = re.compile(r"pid \d+ on [\w.-]{1,253} since [\dT:Z-]{1,20}")


def _holder_text(holder: Path) -> str:
    """Who holds the lock, as the holder file says, if it says it the way voicesync writes it:
    nothing else of that file is ever shown."""
    try:
        fd = os.open(holder, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            text = handle.read(300).decode("ascii", "replace").strip()
    except OSError:
        return "another process"
    return text if _HOLDER.fullmatch(text) else "another process"


def _write_holder(holder: Path) -> None:
    """Say who holds the lock, for another run's message. Only words for a message: a holder
    that cannot be written (a full disk, a folder in its place) does not stop the run."""
    try:
        with contextlib.suppress(FileNotFoundError):
            holder.unlink()  # a stale one; never written through
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(holder, flags, 0o644), "w") as handle:
            handle.write(
                f"pid {os.getpid()} on {socket.gethostname()} since "
                f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
            )
    except OSError:
        return

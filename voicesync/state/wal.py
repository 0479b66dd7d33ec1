"""The state file's write-ahead log (``voices.lock.json.wal``; its header's tag, ``journal``,
is kept from the format's first version): one JSON line per changed
record, appended and fsync'd, so a run records each operation in constant time instead of
rewriting a state file that grows with the catalog.

Each line is a whole record (``{"set": KEY, "record": {...}}``), a removal (``{"drop": KEY}``)
or a voice the account may not change (``{"foreign": ID}``), after a header naming the endpoint.
Replaying is idempotent: a line applied twice leaves what it left once, so a crash between
compacting (the state file rewritten whole, atomically) and removing the log loses nothing.
A line cut short by a crash is the last one, and it was never synced, so the operation it
recorded never went ahead: it is dropped.

This module knows lines and files, not records: :mod:`.store` turns lines into a State.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from voicesync.errors import StateError
from voicesync.localfiles import refuse_link, sync_folder

LOG_FORMAT = 1
LOG_SUFFIX = ".wal"
# The name voicesync 0.2 gave the log: one left by a run of it is still read, and appended to
# until it is folded, so an upgrade in the middle of an interrupted run loses nothing.
LEGACY_LOG_SUFFIX = ".journal"
_CHUNK = 1 << 16


def log_path(state_path: Path) -> Path:
    legacy = state_path.with_name(state_path.name + LEGACY_LOG_SUFFIX)
    current = state_path.with_name(state_path.name + LOG_SUFFIX)
    if legacy.exists() or legacy.is_symlink():
        if current.exists() or current.is_symlink():
            raise StateError(
                f"{state_path} has two write-ahead logs ({current.name} and {legacy.name}); "
                "voicesync writes one",
                hint="restore the state file and its log from git",
            )
        return legacy
    return current


def read_log(state_path: Path) -> tuple[str, list[dict[str, Any]]] | None:
    """(endpoint, entries) of the log beside ``state_path``; None when there is none."""
    path = log_path(state_path)
    try:
        refuse_link(path, "the state file's write-ahead log")
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateError(
            f"cannot read the state file's write-ahead log {path}: {exc.strerror}"
        ) from None
    lines = raw.split(b"\n")
    if lines[-1]:
        lines = lines[:-1]  # cut short by a crash: never synced, so nothing went ahead on it
    entries = [_entry(path, number, line) for number, line in enumerate(lines, 1) if line]
    if not entries:
        return None
    header = entries[0]
    if header.get("journal") != LOG_FORMAT or not isinstance(header.get("endpoint"), str):
        raise StateError(
            f"the state file's write-ahead log {path} does not start with a voicesync log header",
            hint="restore it from git, or remove it if it is not voicesync's",
        )
    return header["endpoint"], entries[1:]


def _entry(path: Path, number: int, line: bytes) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise StateError(
            f"the state file's write-ahead log {path} is damaged at line {number}",
            hint="restore it and the state file from git; without them voicesync matches "
            "voices by name",
        )
    return data


def remove_log(state_path: Path) -> None:
    for suffix in (LOG_SUFFIX, LEGACY_LOG_SUFFIX):
        with contextlib.suppress(FileNotFoundError):
            state_path.with_name(state_path.name + suffix).unlink()


class LogWriter:
    """Appends lines to the log: ``write`` in order, then ``sync`` before acting on them."""

    def __init__(self, state_path: Path, endpoint: str) -> None:
        self.path = log_path(state_path)
        self._endpoint = endpoint
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = 0
        self._synced_upto = 0

    def write(self, entries: Iterable[dict[str, Any]]) -> int:
        """Write the lines (in the order of calls); returns the ticket to ``sync`` on."""
        data = b"".join(_line(e) for e in entries)
        with self._lock:
            if data:
                _write_all(self._open(), data)
                self._written += 1
            return self._written

    def sync(self, ticket: int) -> None:
        """Return once every line written up to ``ticket`` is on disk. One fsync at a time;
        it covers every line written before it began, so a thread that waited for it often
        finds its own lines synced already."""
        with self._sync_lock:
            if self._synced_upto < ticket:
                target = self._written
                self._fsync()
                self._synced_upto = max(self._synced_upto, target)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            try:
                refuse_link(self.path, "the state file's write-ahead log")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
            except OSError as exc:
                raise _write_error(self.path, exc) from None
            try:
                _cut_torn_line(fd)
                if os.fstat(fd).st_size == 0:
                    _write_all(fd, _line({"journal": LOG_FORMAT, "endpoint": self._endpoint}))
                    os.fsync(fd)
                    sync_folder(self.path.parent)  # the new name survives a power cut too
            except OSError as exc:
                os.close(fd)  # a full disk: not left open for the rest of the process
                raise _write_error(self.path, exc) from None
            self._fd = fd
        return self._fd

    def _fsync(self) -> None:
        with self._lock:
            fd = self._fd
        if fd is None:
            return
        try:
            os.fsync(fd)
        except OSError as exc:
            raise _write_error(self.path, exc) from None


def _cut_torn_line(fd: int) -> None:
    """Repair before append: a last line cut short (a crash, a full disk) was never synced and
    is dropped on read, but a line appended to it would glue onto it and damage the log for
    good. Cut the log back to its last whole line."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = size
    while start > 0:
        start = max(0, start - _CHUNK)
        end = os.pread(fd, size - start, start).rfind(b"\n")
        if end != -1:
            os.ftruncate(fd, start + end + 1)
            break
    else:
        os.ftruncate(fd, 0)  # not even the header was whole
    os.fsync(fd)


def _line(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_error(path: Path, exc: OSError) -> StateError:
    return StateError(
        f"cannot write the state file's write-ahead log {path}: {exc.strerror or exc}",
        hint="make its folder writable and check the disk has space, then run again; "
        "what was done so far is recorded up to this point",
    )

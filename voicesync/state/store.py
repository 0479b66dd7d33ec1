"""voices.lock.json: what voicesync manages, written atomically after every completed operation.

Per declared name: the remote ``voice_id``, the sample's SHA-256 and size (so a changed sample is
seen), the last applied name/visibility/language (so drift is told apart from an edit),
``protected`` (kept even when the voice leaves the YAML), a journal of the clone in flight (so a
lost response never becomes a duplicate) and old voices still to delete. It names the endpoint it
belongs to and holds no secret: it is meant to be committed.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import json
import os
import re
import socket
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from voicesync.errors import LockError, StateError
from voicesync.model import Visibility
from voicesync.state.local import LOCAL_DIR, ensure_local_dir, refuse_link

STATE_FORMAT = 1
STATE_SUFFIX = ".lock.json"
LOCK_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class PendingClone:
    """A clone journalled before its POST; ``voice_id`` is filled the moment the POST returns."""

    name: str  # the name sent with the POST, to find the voice if the answer was lost
    sample_sha256: str
    sample_size: int
    started_at: float  # seconds since the epoch, right before the request left
    voice_id: str | None = None
    sent_at: float | None = None  # when the upload's last byte went out (the latest, on resends)

    @property
    def window_start(self) -> float:
        """Where the grace window for finding this clone starts: the server can only have made
        the voice once it had the whole upload."""
        return self.sent_at if self.sent_at is not None else self.started_at


@dataclass(frozen=True, slots=True)
class VoiceRecord:
    voice_id: str | None
    sample_sha256: str
    sample_size: int
    name: str
    visibility: Visibility
    language: str
    protected: bool = False
    pending: PendingClone | None = None
    to_delete: tuple[str, ...] = ()
    key: str = ""  # the declared name (or key:) when it differs from the remote name

    @property
    def output_key(self) -> str:
        return self.key or self.name

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "voice_id": self.voice_id,
            "sample_sha256": self.sample_sha256,
            "sample_size": self.sample_size,
            "name": self.name,
            "visibility": self.visibility.value,
            "language": self.language,
            "protected": self.protected,
        }
        if self.pending is not None:
            out["pending"] = {
                "name": self.pending.name,
                "sample_sha256": self.pending.sample_sha256,
                "sample_size": self.pending.sample_size,
                "started_at": self.pending.started_at,
                "voice_id": self.pending.voice_id,
            }
            if self.pending.sent_at is not None:
                out["pending"]["sent_at"] = self.pending.sent_at
        if self.to_delete:
            out["to_delete"] = list(self.to_delete)
        if self.key:
            out["key"] = self.key
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VoiceRecord:
        pending = data.get("pending")
        return cls(
            voice_id=data.get("voice_id"),
            sample_sha256=str(data.get("sample_sha256", "")),
            sample_size=int(data.get("sample_size", 0)),
            name=str(data["name"]),
            visibility=Visibility(data.get("visibility", "PRIVATE")),
            language=str(data.get("language", "en")),
            protected=bool(data.get("protected", False)),
            pending=_pending(pending) if isinstance(pending, dict) else None,
            to_delete=tuple(data.get("to_delete", ())),
            key=str(data.get("key", "")),
        )


def _pending(data: Mapping[str, Any]) -> PendingClone:
    """A journal entry; fields a newer voicesync added are left aside, not called damage."""
    known = {f.name for f in fields(PendingClone)}
    return PendingClone(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class State:
    """All records, keyed by declared name. Immutable: changes return a new State."""

    endpoint: str
    records: Mapping[str, VoiceRecord] = field(default_factory=dict)
    # Voices the account was refused to change (403/404 on update or delete): catalog voices,
    # other accounts' public voices. Remembered so plans stop proposing to prune or adopt them.
    foreign: frozenset[str] = frozenset()

    def recorded_ids(self) -> frozenset[str]:
        ids: set[str] = set()
        for record in self.records.values():
            ids.update(i for i in (record.voice_id,) if i)
            if record.pending and record.pending.voice_id:
                ids.add(record.pending.voice_id)
            ids.update(record.to_delete)
        return frozenset(ids)

    def known_ids(self) -> frozenset[str]:
        """Every voice the state speaks for: recorded ones, and foreign ones it must not touch."""
        return self.recorded_ids() | self.foreign

    def with_record(self, name: str, record: VoiceRecord, *, old_name: str | None = None) -> State:
        records = {k: v for k, v in self.records.items() if k != old_name}
        records[name] = record
        return replace(self, records=records)

    def without(self, name: str) -> State:
        return replace(self, records={k: v for k, v in self.records.items() if k != name})

    def with_foreign(self, voice_id: str) -> State:
        return replace(self, foreign=self.foreign | {voice_id})

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format_version": STATE_FORMAT,
            "endpoint": self.endpoint,
            "voices": {name: self.records[name].to_json() for name in sorted(self.records)},
        }
        if self.foreign:
            out["foreign"] = sorted(self.foreign)
        return out


def load_state(path: Path, endpoint: str | None) -> State:
    """Read the state file; a missing file is an empty state. Refuses another endpoint's file
    (``endpoint=None`` reads any, for commands that never call the API), and a file that does
    not have the state's shape (schemas/state.schema.json), naming the field."""
    try:
        refuse_link(path, "the state file")
        raw = path.read_bytes()
    except FileNotFoundError:
        return State(endpoint=endpoint or "")
    except OSError as exc:
        raise StateError(f"cannot read the state file {path}: {exc.strerror}") from None
    data = _parse_state(path, raw)
    version = data.get("format_version")
    if version != STATE_FORMAT:
        raise StateError(
            f"the state file {path} has format_version {version!r}; "
            f"this voicesync reads {STATE_FORMAT}",
            hint="upgrade voicesync",
        )
    _check_state_shape(path, data)
    try:
        recorded_endpoint = data["endpoint"]
        records = {name: VoiceRecord.from_json(r) for name, r in data.get("voices", {}).items()}
        foreign = frozenset(str(i) for i in data.get("foreign", ()))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(
            f"the state file {path} is damaged ({exc.__class__.__name__}: {exc})",
            hint="restore it from git; without it voicesync matches voices by name",
        ) from None
    if endpoint is not None and recorded_endpoint != endpoint:
        raise StateError(
            f"the state file {path} belongs to {recorded_endpoint}, not {endpoint}",
            hint="use --state to choose the state file of this endpoint "
            "(emulator voices never mix with real ones)",
        )
    return State(endpoint=recorded_endpoint, records=records, foreign=foreign)


def _parse_state(path: Path, raw: bytes) -> dict[str, Any]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:64]:
        raise StateError(
            f"the state file {path} is UTF-16 text (PowerShell's > writes that), not UTF-8",
            hint="restore it from git (git checkout -- FILE), or convert it: "
            "Get-Content FILE | Set-Content -Encoding utf8 FILE",
        )
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise StateError(
            f"the state file {path} is not valid JSON ({exc})",
            hint="restore it from git (git checkout -- FILE); without it voicesync matches "
            "voices by name",
        ) from None
    if not isinstance(data, dict):
        raise StateError(f"the state file {path} is not a JSON object", hint="restore it from git")
    return data


def _check_state_shape(path: Path, data: dict[str, Any]) -> None:
    error = next(iter(_state_validator().iter_errors(data)), None)
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    raise StateError(
        f"the state file {path} is damaged at {where}: {error.message}",
        hint="restore it from git (git checkout -- FILE), or fix that field by hand "
        "(schemas/state.schema.json says what each field holds)",
    )


@functools.cache
def _state_validator() -> Any:
    import jsonschema  # only when a state file is read: --version stays light

    text = resources.files("voicesync").joinpath("schemas/state.schema.json").read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def save_state(path: Path, state: State) -> None:
    """Write the state file atomically, in a stable form (sorted keys, two-space indent), so a
    run that changes nothing leaves it byte-identical. A write that fails (a read-only folder,
    a full disk) is a StateError: the journal is written before each clone is sent, so a clone
    whose journal entry cannot be written is never sent."""
    try:
        atomic_write_text(path, json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise StateError(
            f"cannot write the state file {path}: {exc.strerror or exc}",
            hint="make its folder writable and check the disk has space, then run again; "
            "what was done so far is recorded up to this point",
        ) from None


def atomic_write_text(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, rename, fsync the folder: a crash leaves the old
    file or the new one, never half of one. The file keeps its mode (a new one gets the
    umask's, like any file the user writes), not the temp file's 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


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


@contextlib.contextmanager
def state_lock(path: Path, *, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[str | None]:
    """Hold a lock on the state file for a whole run. Yields a warning when a dead run left its
    mark.

    The lock is an OS file lock, released by the kernel if the holder dies, so a crashed run
    never blocks the next; the holder file beside it names who holds it, for the error message.
    Both are machine-local: they live in ``.voicesync/`` beside the state file, which keeps
    itself out of git.
    """
    from filelock import FileLock, Timeout

    folder = ensure_local_dir(
        path.parent if path.parent.name == LOCAL_DIR else path.parent / LOCAL_DIR
    )
    holder, lock_path = folder / f"{path.name}.holder", folder / f"{path.name}.lock"
    for kept in (holder, lock_path):
        refuse_link(kept, "voicesync's run lock")
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=timeout_s)
    except Timeout:
        raise LockError(
            f"another voicesync run holds the state lock of {path} ({_holder_text(holder)})",
            hint="wait for it to finish; in CI, use a concurrency group so applies never overlap",
        ) from None
    warning = None
    if holder.exists():
        warning = f"a previous run ({_holder_text(holder)}) ended without releasing {path}"
    try:
        _write_holder(holder)
        yield warning
    finally:
        with contextlib.suppress(FileNotFoundError):
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
    with contextlib.suppress(FileNotFoundError):
        holder.unlink()  # a stale one; never written through
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(holder, flags, 0o644), "w") as handle:
        handle.write(
            f"pid {os.getpid()} on {socket.gethostname()} since "
            f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n"
        )


def default_state_path(
    config: Path, *, local_emulator: bool = False, environment: str | None = None
) -> Path:
    """``<stem>.lock.json`` beside the catalog, so two catalogs in one folder never share one
    (``voices.yaml`` → ``voices.lock.json``, ``prod.yaml`` → ``prod.lock.json``); with an
    environment ``<stem>.<env>.lock.json``."""
    base = config.resolve().parent
    name = config.stem + (f".{environment}" if environment else "") + STATE_SUFFIX
    return (base / LOCAL_DIR / name) if local_emulator else base / name

"""voices.lock.json: what voicesync manages. A run logs each operation to the write-ahead log
beside it (:mod:`.wal`) and rewrites it whole, atomically, once at the end.

Per declared name: the remote ``voice_id``, the sample's SHA-256 and size (so a changed sample is
seen), the last applied name/visibility/language (so drift is told apart from an edit),
``protected`` (kept even when the voice leaves the YAML), a journal of the clone in flight (so a
lost response never becomes a duplicate) and old voices still to delete. It names the endpoint it
belongs to and holds no secret: it is meant to be committed.
"""

from __future__ import annotations

import codecs
import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from voicesync.errors import StateError
from voicesync.localfiles import atomic_write_text, refuse_link
from voicesync.model import VOICE_ID, Visibility
from voicesync.state.wal import read_log, remove_log
from voicesync.validation import first_error

STATE_FORMAT = 1
STATE_SUFFIX = ".lock.json"


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
        """A record as the state file (or its write-ahead log) holds it; ValueError, KeyError or
        TypeError when it does not have a record's shape."""
        pending = data.get("pending")
        ids = [data.get("voice_id"), *(data.get("to_delete") or ())]
        if isinstance(pending, dict):
            ids.append(pending.get("voice_id"))
        for voice_id in ids:
            if voice_id is not None and not VOICE_ID.fullmatch(str(voice_id)):
                raise ValueError(f"{str(voice_id)[:40]!r} is not a voice id")
        if not isinstance(data.get("to_delete", ()), (list, tuple)):
            raise TypeError("to_delete is not a list")
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
    """A clone journal entry; fields a newer voicesync added are left aside, not called damage. A
    time that is no time (NaN, infinity) would keep its window open for ever: damage."""
    known = {f.name for f in fields(PendingClone)}
    for when in ("started_at", "sent_at"):
        value = data.get(when)
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)):
            raise ValueError(f"pending {when} {value!r} is not a time")
    return PendingClone(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True, slots=True)
class State:
    """All records, keyed by declared name. Immutable: changes return a new State."""

    endpoint: str
    records: Mapping[str, VoiceRecord] = field(default_factory=dict)
    # Voices the account was refused to change (403/404 on update or delete): catalog voices,
    # other accounts' public voices. Remembered so plans stop proposing to prune or adopt them.
    foreign: frozenset[str] = frozenset()
    # The keys changed since the state writer last looked (None: unknown, so every key is compared):
    # what lets a run log an operation in time that does not grow with the catalog.
    touched: frozenset[str] | None = field(default=None, compare=False, repr=False)

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
        records = dict(self.records)
        if old_name is not None:
            records.pop(old_name, None)
        records[name] = record
        return replace(self, records=records, touched=self._touching(name, old_name))

    def without(self, name: str) -> State:
        records = dict(self.records)
        records.pop(name, None)
        return replace(self, records=records, touched=self._touching(name))

    def _touching(self, *names: str | None) -> frozenset[str] | None:
        if self.touched is None:
            return None
        return self.touched | {n for n in names if n is not None}

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
    state = _read_state_file(path, endpoint)
    logged = read_log(path)
    if logged is None:
        return state
    logged_endpoint, entries = logged
    if state.endpoint and logged_endpoint != state.endpoint:
        raise StateError(
            f"the write-ahead log of {path} belongs to {logged_endpoint}, not {state.endpoint}",
            hint="restore both from git; the log is written only beside its own state file",
        )
    state = _replayed(replace(state, endpoint=logged_endpoint), entries, path)
    _check_state_shape(path, state.to_json())
    _check_endpoint(path, state.endpoint, endpoint)
    return state


def _replayed(state: State, entries: list[dict[str, Any]], path: Path) -> State:
    """The state with the write-ahead log's lines applied in order (see :mod:`.wal`); a line that is
    not a record's shape is a StateError naming it, never a crash."""
    records, foreign = dict(state.records), set(state.foreign)
    for number, entry in enumerate(entries, start=2):
        try:
            _replay_line(entry, records, foreign)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(
                f"the write-ahead log of {path} is damaged at line {number} "
                f"({exc.__class__.__name__}: {exc})",
                hint="restore the state file and its write-ahead log from git (or the CI cache) "
                "together",
            ) from None
    return State(state.endpoint, records, frozenset(foreign))


def _replay_line(entry: dict[str, Any], records: dict[str, VoiceRecord], foreign: set[str]) -> None:
    if isinstance(entry.get("record"), dict) and "set" in entry:
        records[str(entry["set"])] = VoiceRecord.from_json(entry["record"])
    elif "drop" in entry:
        records.pop(str(entry["drop"]), None)
    elif "foreign" in entry:
        if not VOICE_ID.fullmatch(str(entry["foreign"])):
            raise ValueError(f"{str(entry['foreign'])[:40]!r} is not a voice id")
        foreign.add(str(entry["foreign"]))


def log_entries(old: State, new: State) -> list[dict[str, Any]]:
    """The log lines that take ``old`` to ``new``: whole records, changed ones only. When
    ``new`` says which keys were touched since ``old``, only those are compared."""
    keys = new.touched if new.touched is not None else old.records.keys() | new.records.keys()
    entries: list[dict[str, Any]] = []
    for key in sorted(keys):
        before, after = old.records.get(key), new.records.get(key)
        if after is None and before is not None:
            entries.append({"drop": key})
        elif after is not None and after is not before and after != before:
            entries.append({"set": key, "record": after.to_json()})
    entries += [{"foreign": voice_id} for voice_id in sorted(new.foreign - old.foreign)]
    return entries


def _read_state_file(path: Path, endpoint: str | None) -> State:
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
        for voice_id in foreign:
            if not VOICE_ID.fullmatch(voice_id):
                raise ValueError(f"{voice_id[:40]!r} is not a voice id")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StateError(
            f"the state file {path} is damaged ({exc.__class__.__name__}: {exc})",
            hint="restore it from git; without it voicesync matches voices by name",
        ) from None
    _check_endpoint(path, recorded_endpoint, endpoint)
    return State(endpoint=recorded_endpoint, records=records, foreign=foreign)


def _check_endpoint(path: Path, recorded: str, wanted: str | None) -> None:
    if wanted is not None and recorded != wanted:
        raise StateError(
            f"the state file {path} belongs to {recorded}, not {wanted}",
            hint="use --state to choose the state file of this endpoint "
            "(emulator voices never mix with real ones)",
        )


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
    error = first_error("state", _state_schema, data)
    if error is None:
        return
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    raise StateError(
        f"the state file {path} is damaged at {where}: {error.message}",
        hint="restore it from git (git checkout -- FILE), or fix that field by hand "
        "(schemas/state.schema.json says what each field holds)",
    )


@functools.cache
def _state_schema() -> dict[str, Any]:
    text = resources.files("voicesync").joinpath("schemas/state.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def save_state(path: Path, state: State) -> None:
    """Write the state file atomically, in a stable form (sorted keys, two-space indent), so a
    run that changes nothing leaves it byte-identical. A write that fails (a read-only folder,
    a full disk) is a StateError: the clone journal is written before each clone is sent, so a
    clone whose journal entry cannot be written is never sent."""
    try:
        atomic_write_text(path, json.dumps(state.to_json(), indent=2, sort_keys=True) + "\n")
        remove_log(path)  # folded into the file just written
    except OSError as exc:
        raise StateError(
            f"cannot write the state file {path}: {exc.strerror or exc}",
            hint="make its folder writable and check the disk has space, then run again; "
            "what was done so far is recorded up to this point",
        ) from None

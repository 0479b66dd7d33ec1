"""The state file during a run: every update is a read-modify-write under one lock, saved at once.

The executor's threads never hold a State of their own; they hand a function to
:meth:`Journal.update`, so two operations on the same record cannot overwrite each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from voicesync.model import DesiredVoice
from voicesync.state.store import PendingClone, State, VoiceRecord, save_state


class Journal:
    def __init__(self, state: State, path: Path | None) -> None:
        self._state = state
        self._path = path
        self._lock = threading.Lock()

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def update(self, change: Callable[[State], State]) -> State:
        with self._lock:
            new = change(self._state)
            if new != self._state:
                self._state = new
                if self._path is not None:
                    save_state(self._path, new)
            return new

    # -- the operations the executor records --------------------------------------------------
    def start_clone(self, key: str | None, voice: DesiredVoice, started_at: float) -> None:
        """Journal a clone before its POST, so a lost answer is found again by listing."""
        assert voice.sample is not None
        pending = PendingClone(voice.name, voice.sample.sha256, voice.sample.size, started_at)

        def journal(state: State) -> State:
            record = state.records.get(key) if key else None
            if record is None:
                record = VoiceRecord(
                    None,
                    voice.sample.sha256 if voice.sample else "",
                    0,
                    voice.name,
                    voice.visibility,
                    voice.language,
                    voice.protected,
                    key=_key_of(voice),
                )
            return state.with_record(voice.name, replace(record, pending=pending), old_name=key)

        self.update(journal)

    def clone_sent(self, name: str, sent_at: float) -> None:
        """The upload's last byte went out: the grace window for a lost answer starts now."""

        def sent(state: State) -> State:
            record = state.records.get(name)
            if record is None or record.pending is None:
                return state
            pending = replace(record.pending, sent_at=sent_at)
            return state.with_record(name, replace(record, pending=pending))

        self.update(sent)

    def clone_accepted(self, name: str, voice_id: str) -> None:
        def accept(state: State) -> State:
            record = state.records[name]
            assert record.pending is not None
            return state.with_record(
                name, replace(record, pending=replace(record.pending, voice_id=voice_id))
            )

        self.update(accept)

    def clone_abandoned(self, name: str) -> None:
        """The POST was refused outright: nothing was created, forget the journal entry."""

        def abandon(state: State) -> State:
            record = state.records.get(name)
            if record is None:
                return state
            if record.voice_id is None and not record.to_delete:
                return state.without(name)
            return state.with_record(name, replace(record, pending=None))

        self.update(abandon)

    def promote(self, name: str, voice: DesiredVoice, new_id: str) -> str | None:
        """Make the finished clone the voice of ``name``; returns the old voice to delete."""
        old: list[str | None] = [None]

        def swap(state: State) -> State:
            record = state.records[name]
            old[0] = record.voice_id if record.voice_id != new_id else None
            retired = record.to_delete + ((old[0],) if old[0] else ())
            return state.with_record(name, _record_of(voice, new_id, record, retired))

        self.update(swap)
        return old[0]

    def adopt_pending(self, key: str | None, voice: DesiredVoice, voice_id: str) -> None:
        """A journalled clone whose answer was lost was found by listing: record its id (under
        the declared name, so a rename planned with it is kept)."""

        def found(state: State) -> State:
            record = state.records[key or voice.name]
            assert record.pending is not None
            pending = replace(record.pending, voice_id=voice_id)
            return state.with_record(voice.name, replace(record, pending=pending), old_name=key)

        self.update(found)

    def retire_found(self, key: str, voice_id: str) -> None:
        """A journalled clone was found, but it is not to be kept (made from a sample no longer
        declared, FAILED, or of a voice no longer declared): the journal entry is settled and
        the voice stays on record to delete until a DELETE succeeds."""

        def retire(state: State) -> State:
            record = state.records.get(key)
            if record is None or voice_id in record.to_delete:
                return state
            return state.with_record(
                key, replace(record, pending=None, to_delete=(*record.to_delete, voice_id))
            )

        self.update(retire)

    def drop_pending(self, key: str) -> None:
        """A journalled clone's outcome is settled and nothing is left of it to record."""

        def drop(state: State) -> State:
            record = state.records.get(key)
            if record is None:
                return state
            new = replace(record, pending=None)
            return state.without(key) if _empty(new) else state.with_record(key, new)

        self.update(drop)

    def mark_foreign(self, voice_id: str) -> None:
        """The account may not change this voice (403/404): remember it, never retry it."""
        self.update(lambda state: state.with_foreign(voice_id))

    def retire_pending(self, name: str) -> str | None:
        """A replacement clone failed: keep the old voice, mark the new one for deletion."""
        retired: list[str | None] = [None]

        def retire(state: State) -> State:
            record = state.records[name]
            pending_id = record.pending.voice_id if record.pending else None
            retired[0] = pending_id
            extra = (pending_id,) if pending_id else ()
            return state.with_record(
                name, replace(record, pending=None, to_delete=record.to_delete + extra)
            )

        self.update(retire)
        return retired[0]

    def record_voice(self, key: str | None, voice: DesiredVoice, voice_id: str) -> None:
        """Remember a matched voice (adopted or updated) under its declared name."""

        def remember(state: State) -> State:
            record = state.records.get(key) if key else None
            retired = record.to_delete if record else ()
            base = record or VoiceRecord(
                voice_id, "", 0, voice.name, voice.visibility, voice.language
            )
            return state.with_record(
                voice.name, _record_of(voice, voice_id, base, retired), old_name=key
            )

        self.update(remember)

    def forget(self, key: str | None, voice_id: str) -> None:
        """A voice is gone: drop it from whichever part of the record held it."""

        def drop(state: State) -> State:
            for name, record in state.records.items():
                if key is not None and name != key:
                    continue
                new = _without_id(record, voice_id)
                if new is not record:
                    return state.without(name) if _empty(new) else state.with_record(name, new)
            return state

        self.update(drop)


def _record_of(
    voice: DesiredVoice, voice_id: str, record: VoiceRecord, retired: tuple[str, ...]
) -> VoiceRecord:
    sample = voice.sample
    return replace(
        record,
        voice_id=voice_id,
        name=voice.name,
        visibility=voice.visibility,
        language=voice.language,
        protected=voice.protected,
        pending=None,
        sample_sha256=sample.sha256 if sample else record.sample_sha256,
        sample_size=sample.size if sample else record.sample_size,
        to_delete=tuple(i for i in retired if i != voice_id),
        key=_key_of(voice),
    )


def _key_of(voice: DesiredVoice) -> str:
    """Kept in the record only when it differs from the remote name (no noise otherwise)."""
    return voice.key if voice.key and voice.key != voice.name else ""


def _without_id(record: VoiceRecord, voice_id: str) -> VoiceRecord:
    if record.voice_id == voice_id:
        return replace(record, voice_id=None)
    if record.pending is not None and record.pending.voice_id == voice_id:
        return replace(record, pending=None)
    if voice_id in record.to_delete:
        return replace(record, to_delete=tuple(i for i in record.to_delete if i != voice_id))
    return record


def _empty(record: VoiceRecord) -> bool:
    return record.voice_id is None and record.pending is None and not record.to_delete

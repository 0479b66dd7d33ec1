"""PURE: how the state changes, one function per event of a run: State in, State out.

The journal applies them under its lock and saves after each; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import replace

from voicesync.model import DesiredState, DesiredVoice
from voicesync.state.store import PendingClone, State, VoiceRecord


def start_clone(state: State, key: str | None, voice: DesiredVoice, started_at: float) -> State:
    """A clone about to be sent: journalled first, so a lost answer is found again by listing."""
    sample = voice.sample
    if sample is None:
        raise ValueError(f"'{voice.name}' was loaded without inspecting its sample")
    pending = PendingClone(voice.name, sample.sha256, sample.size, started_at)
    record = state.records.get(key) if key else None
    if record is None:
        record = VoiceRecord(
            None,
            sample.sha256,
            0,
            voice.name,
            voice.visibility,
            voice.language,
            voice.protected,
            key=_key_of(voice),
        )
    return state.with_record(voice.name, replace(record, pending=pending), old_name=key)


def clone_sent(state: State, name: str, sent_at: float) -> State:
    """The upload's last byte went out: the grace window for a lost answer starts now."""
    record = state.records.get(name)
    if record is None or record.pending is None:
        return state
    return state.with_record(
        name, replace(record, pending=replace(record.pending, sent_at=sent_at))
    )


def clone_accepted(state: State, name: str, voice_id: str) -> State:
    record = state.records[name]
    if record.pending is None:
        return state
    pending = replace(record.pending, voice_id=voice_id)
    return state.with_record(name, replace(record, pending=pending))


def clone_abandoned(state: State, name: str) -> State:
    """The POST was refused outright: nothing was created, forget the journal entry."""
    record = state.records.get(name)
    if record is None:
        return state
    if record.voice_id is None and not record.to_delete:
        return state.without(name)
    return state.with_record(name, replace(record, pending=None))


def take_over(state: State, key: str | None, voice: DesiredVoice, voice_id: str) -> State:
    """A voice matched by name (adopted) and about to be replaced: the record holds it before
    the new clone is sent, so the replace retires it (not a recorded voice since gone, nor
    nothing, which would leave two voices of one name)."""
    record = state.records.get(key) if key else None
    if record is None:
        record = VoiceRecord(voice_id, "", 0, voice.name, voice.visibility, voice.language,
                             voice.protected, key=_key_of(voice))  # fmt: skip
        return state.with_record(voice.name, record)
    return state.with_record(key or voice.name, replace(record, voice_id=voice_id))


def promote(state: State, name: str, voice: DesiredVoice, new_id: str) -> tuple[State, str | None]:
    """Make the finished clone the voice of ``name``; also returns the old voice to delete."""
    record = state.records[name]
    old = record.voice_id if record.voice_id != new_id else None
    retired = record.to_delete + ((old,) if old else ())
    return state.with_record(name, _record_of(voice, new_id, record, retired)), old


def adopt_pending(state: State, key: str | None, voice: DesiredVoice, voice_id: str) -> State:
    """A journalled clone whose answer was lost was found by listing: record its id (under
    the declared name, so a rename planned with it is kept)."""
    record = state.records[key or voice.name]
    if record.pending is None:
        return state
    pending = replace(record.pending, voice_id=voice_id)
    return state.with_record(voice.name, replace(record, pending=pending), old_name=key)


def retire_found(state: State, key: str, voice_id: str) -> State:
    """A journalled clone was found, but it is not to be kept (made from a sample no longer
    declared, FAILED, or of a voice no longer declared): the journal entry is settled and
    the voice stays on record to delete until a DELETE succeeds."""
    record = state.records.get(key)
    if record is None or voice_id in record.to_delete:
        return state
    return state.with_record(
        key, replace(record, pending=None, to_delete=(*record.to_delete, voice_id))
    )


def drop_pending(state: State, key: str) -> State:
    """A journalled clone's outcome is settled and nothing is left of it to record."""
    record = state.records.get(key)
    if record is None:
        return state
    new = replace(record, pending=None)
    return state.without(key) if _empty(new) else state.with_record(key, new)


def retire_pending(state: State, name: str) -> tuple[State, str | None]:
    """A replacement clone failed: keep the old voice, mark the new one for deletion."""
    record = state.records[name]
    pending_id = record.pending.voice_id if record.pending else None
    extra = (pending_id,) if pending_id else ()
    new = replace(record, pending=None, to_delete=record.to_delete + extra)
    return state.with_record(name, new), pending_id


def record_voice(state: State, key: str | None, voice: DesiredVoice, voice_id: str) -> State:
    """Remember a matched voice (adopted or updated) under its declared name."""
    record = state.records.get(key) if key else None
    retired = record.to_delete if record else ()
    base = record or VoiceRecord(voice_id, "", 0, voice.name, voice.visibility, voice.language)
    return state.with_record(voice.name, _record_of(voice, voice_id, base, retired), old_name=key)


def forget(state: State, key: str | None, voice_id: str) -> State:
    """A voice is gone: drop it from whichever part of the record held it."""
    for name, record in state.records.items():
        if key is not None and name != key:
            continue
        new = _without_id(record, voice_id)
        if new is not record:
            return state.without(name) if _empty(new) else state.with_record(name, new)
    return state


def refresh_records(state: State, desired: DesiredState, touched: set[str]) -> State:
    """Carry unchanged declared voices' protection into their records, and give an imported
    voice (recorded without a sample) the first sample supplied as its baseline. ``touched``:
    the names and records the plan changes, left to the journal."""
    for voice in desired.voices:
        record = state.records.get(voice.name)
        if record is None or voice.name in touched:
            continue
        fresh = replace(record, protected=voice.protected)
        if not record.sample_sha256 and voice.sample is not None:
            fresh = replace(fresh, sample_sha256=voice.sample.sha256, sample_size=voice.sample.size)
        if fresh != record:
            state = state.with_record(voice.name, fresh)
    return state


def without_deleted(state: State, gone: frozenset[str]) -> State:
    """Forget old voices left to delete that the API says are gone (404): nothing is left to
    do for them, and later plans need not ask again."""
    for name, record in state.records.items():
        kept = tuple(i for i in record.to_delete if i not in gone)
        if kept != record.to_delete:
            state = state.with_record(name, replace(record, to_delete=kept))
    return state


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

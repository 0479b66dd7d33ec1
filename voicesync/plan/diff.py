"""PURE: one declared voice against what exists, and the change that settles it."""

from __future__ import annotations

import shlex
from collections.abc import Container
from typing import TypedDict

from voicesync.model import DesiredState, DesiredVoice, RemoteVoice, VoiceStatus, nfc
from voicesync.plan.changes import (
    Adopt,
    Change,
    Clone,
    Conflict,
    Delete,
    FieldChange,
    Match,
    Reason,
    Replace,
    Update,
    Wait,
)
from voicesync.state.store import VoiceRecord


class _Matched(TypedDict):
    """What every change about one declared voice matched to a remote one says."""

    name: str
    match: Match
    record: str | None
    desired: DesiredVoice
    status: VoiceStatus
    remote_name: str | None
    protected: bool
    fields: tuple[FieldChange, ...]


_UPDATE_REASONS = (
    Reason.RENAMED,
    Reason.VISIBILITY_CHANGED,
    Reason.DRIFT_RENAMED,
    Reason.DRIFT_VISIBILITY,
)


def diff_voice(
    voice: DesiredVoice,
    current: RemoteVoice,
    key: str | None,
    record: VoiceRecord | None,
    match: Match,
    *,
    forced: bool,
) -> list[Change]:
    """What to do with the remote voice ``current`` matched to ``voice``: nothing, or one change."""
    fields = field_changes(current, record, voice)
    common = _Matched(
        name=voice.name,
        match=match,
        record=key,
        desired=voice,
        status=current.status,
        remote_name=current.name,
        fields=fields,
        protected=voice.protected or bool(record and record.protected),
    )
    voice_id = current.voice_id
    replacement = _replacement(voice, current, record, forced)
    if replacement is not None:
        reason, extra = replacement
        common["fields"] = extra + fields
        return [Replace(voice_id=voice_id, reason=reason, **common)]
    if fields:
        reason = _update_reason(fields, record, voice)
        return [Update(voice_id=voice_id, reason=reason, **common)]
    if record is None or key != voice.name or record.voice_id != voice_id:
        # Not yet this record's voice (a record left without an id, say by an expired clone
        # journal entry, proves nothing): adopt it, with the PATCH that proves it is ours.
        return [Adopt(voice_id=voice_id, reason=Reason.UNRECORDED, **common)]
    if current.status.in_progress:
        return [Wait(voice_id=voice_id, reason=Reason.PROCESSING, **common)]
    return []


def _replacement(
    voice: DesiredVoice, current: RemoteVoice, record: VoiceRecord | None, forced: bool
) -> tuple[Reason, tuple[FieldChange, ...]] | None:
    if forced:
        return Reason.FORCED, ()
    if current.status is VoiceStatus.FAILED:
        return Reason.REMOTE_FAILED, ()
    if record is None:
        return None
    sample = voice.sample
    if sample is not None and record.sample_sha256 and sample.sha256 != record.sample_sha256:
        return Reason.SAMPLE_CHANGED, (
            FieldChange("sample", record.sample_sha256, sample.sha256, forces_replacement=True),
        )
    if record.language != voice.language:
        return Reason.LANGUAGE_CHANGED, (
            FieldChange("language", record.language, voice.language, forces_replacement=True),
        )
    return None


def clone_change(
    voice: DesiredVoice, key: str | None, reason: Reason, match: Match, record: VoiceRecord | None
) -> Clone:
    return Clone(
        name=voice.name,
        reason=reason,
        match=match,
        record=key,
        desired=voice,
        protected=voice.protected or bool(record and record.protected),
    )


def delete_superseded(key: str | None, voice: RemoteVoice) -> Delete:
    """A voice this catalog made that a newer one replaced (or a clone that must go)."""
    return Delete(
        name=key or voice.name or voice.voice_id,
        reason=Reason.SUPERSEDED,
        match=Match.STATE,
        voice_id=voice.voice_id,
        record=key,
        status=voice.status,
        remote_name=voice.name,
    )


def finish_journalled(
    voice: DesiredVoice,
    key: str | None,
    record: VoiceRecord,
    new: RemoteVoice,
    listed: Container[str],
) -> Change:
    """A journalled clone that exists: wait for it or record it. When it replaces an old
    voice that still exists, it is a replace, so the plan shows that the old one goes."""
    in_progress = new.status.in_progress
    old = record.voice_id if record.voice_id != new.voice_id else None
    fields = (FieldChange("voice_id", old, new.voice_id),) if old else ()
    common = _Matched(
        name=voice.name,
        match=Match.JOURNAL,
        record=key,
        desired=voice,
        status=new.status,
        remote_name=new.name,
        fields=fields,
        protected=voice.protected or record.protected,
    )
    pending_id = new.voice_id
    if old is not None and old in listed:
        return Replace(
            voice_id=old, pending_id=pending_id, reason=Reason.INTERRUPTED_CLONE, **common
        )
    if in_progress:
        return Wait(
            voice_id=record.voice_id, pending_id=pending_id, reason=Reason.PROCESSING, **common
        )
    return Adopt(
        voice_id=record.voice_id, pending_id=pending_id, reason=Reason.INTERRUPTED_CLONE, **common
    )


def conflict_change(
    voice: DesiredVoice,
    candidates: list[RemoteVoice],
    match: Match,
    desired: DesiredState,
    foreign: Container[str],
) -> Conflict:
    """A declared name taken by voices this catalog does not manage, with the way out."""
    ids = ", ".join(v.voice_id for v in candidates)
    by = "its name" if match is Match.NAME else "one of its previous_names"
    if all(v.voice_id in foreign for v in candidates):
        note = (
            f"'{voice.name}' is taken by a voice this account cannot change ({ids}: a "
            "catalog voice or another account's); give the voice another name in "
            f"{desired.display}"
        )
    else:
        env = desired.environment
        command = " ".join(
            [
                "voicesync apply",
                shlex.quote(desired.display),
                *(["--env", shlex.quote(env.name)] if env else []),
                "--adopt",
                shlex.quote(voice.name),
            ]
        )
        note = (
            f"'{voice.name}' ({by}) is taken by a remote voice this catalog does not "
            f"manage ({ids}); to take it over run: {command}; or give the voice another name"
        )
    first = candidates[0]
    return Conflict(
        name=voice.name,
        reason=Reason.NAME_TAKEN,
        match=match,
        voice_id=first.voice_id,
        desired=voice,
        status=first.status,
        remote_name=first.name,
        note=note,
    )


def field_changes(
    current: RemoteVoice, record: VoiceRecord | None, voice: DesiredVoice
) -> tuple[FieldChange, ...]:
    """Name and visibility as the server has them vs as declared."""
    remote_visibility = current.visibility or (record.visibility if record else None)
    if current.name == voice.name and remote_visibility is voice.visibility:
        return ()  # most voices of a plan: nothing to compare in NFC
    pairs = (
        ("name", current.name, voice.name),  # compared in NFC below
        (
            "visibility",
            remote_visibility.value if remote_visibility else None,
            voice.visibility.value,
        ),
    )
    return tuple(
        FieldChange(name, before, after)
        for name, before, after in pairs
        if _same_form(before) != _same_form(after)
    )


def _same_form(value: str | None) -> str | None:
    return nfc(value) if value is not None else None


def _update_reason(
    fields: tuple[FieldChange, ...], record: VoiceRecord | None, voice: DesiredVoice
) -> Reason:
    names = {f.field for f in fields}
    found = []
    if "name" in names:
        drift = record is not None and record.name == voice.name
        found.append(Reason.DRIFT_RENAMED if drift else Reason.RENAMED)
    if "visibility" in names:
        drift = record is not None and record.visibility is voice.visibility
        found.append(Reason.DRIFT_VISIBILITY if drift else Reason.VISIBILITY_CHANGED)
    return min(found, key=_UPDATE_REASONS.index)

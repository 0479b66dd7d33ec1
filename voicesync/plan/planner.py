"""PURE: build_plan(desired, remote, state, options) -> Plan. No I/O, no clock.

Identity rests on evidence, never on a name alone. A declared voice is the remote voice whose
voice_id the state file records for it (or for one of its previous_names). The caller has
already confirmed with GET that a recorded voice missing from the list is really gone (404), so
``remote`` holds every recorded voice that exists. A remote voice that only shares a declared
name is a conflict, taken over only when the user says so (``PlanOptions.adopt``). Our own
journalled clones are matched by name automatically; one whose outcome is still unknown becomes
a change that apply settles by looking for it over a grace window, never by a blind resend.
Voices known to be foreign (403/404 on change) and names matching ``ignore:`` are never pruned.
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict

from voicesync.errors import PlanError
from voicesync.model import DesiredState, DesiredVoice, RemoteVoice, VoiceStatus
from voicesync.plan.model import (
    Adopt,
    Change,
    Clone,
    Conflict,
    Delete,
    FieldChange,
    Match,
    Plan,
    Reason,
    Replace,
    SafetyLimits,
    Update,
    Wait,
    assess_safety,
    digest,
)
from voicesync.state.store import PendingClone, State, VoiceRecord


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
    Reason.RENAMED, Reason.VISIBILITY_CHANGED, Reason.DRIFT_RENAMED, Reason.DRIFT_VISIBILITY,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlanOptions:
    targets: frozenset[str] = frozenset()
    replace: frozenset[str] = frozenset()
    prune: bool | None = None  # None: as voices.yaml says
    force: bool = False
    limits: SafetyLimits = field(default_factory=SafetyLimits)
    adopt: frozenset[str] = frozenset()  # declared names whose unrecorded namesake to take over


def build_plan(
    desired: DesiredState,
    remote: Iterable[RemoteVoice],
    state: State,
    options: PlanOptions = PlanOptions(),
) -> Plan:
    remote = tuple(remote)
    _check_names(desired, state, options)
    ctx = _Context(desired, remote, state, options)
    changes = ctx.plan_declared() + ctx.plan_undeclared()
    unmanaged = tuple(
        sorted(ctx.unmanaged(), key=lambda v: ((v.name or "").casefold(), v.voice_id))
    )
    prune = desired.prune if options.prune is None else options.prune
    if prune:
        changes += tuple(
            Delete(name=v.name or v.voice_id, reason=Reason.PRUNE_UNMANAGED,
                   voice_id=v.voice_id, status=v.status, remote_name=v.name, skippable=True)
            for v in unmanaged
            if not desired.ignores(v.name)
        )  # fmt: skip
        unmanaged = tuple(v for v in unmanaged if desired.ignores(v.name))
    if options.targets:
        changes = tuple(
            c for c in changes if c.name in options.targets or c.record in options.targets
        )
    changes = tuple(sorted(changes, key=lambda c: c.sort_key))
    managed = sum(1 for r in state.records.values() if r.voice_id and r.voice_id in ctx.by_id)
    inputs = _inputs(desired, remote, state)
    options_json = _options_json(options, prune)
    return Plan(
        endpoint=state.endpoint, config=desired.display, changes=changes, unmanaged=unmanaged,
        refusals=assess_safety(changes, managed, force=options.force, limits=options.limits),
        managed_count=managed, inputs=inputs,
        fingerprint=digest([inputs, options_json]), options=dict(options_json),
        environment=desired.environment.name if desired.environment else None,
    )  # fmt: skip


def _check_names(desired: DesiredState, state: State, options: PlanOptions) -> None:
    declared = {v.name for v in desired.voices}
    unknown_replace = sorted(options.replace - declared)
    if unknown_replace:
        raise PlanError(f"--replace names voices not declared in {desired.display}: "
                        f"{', '.join(unknown_replace)}")  # fmt: skip
    unknown_adopt = sorted(options.adopt - declared)
    if unknown_adopt:
        raise PlanError(
            f"--adopt names voices not declared in {desired.display}: " + ", ".join(unknown_adopt),
            hint="declare the voice (with its sample) first, then adopt it",
        )
    unknown_targets = sorted(options.targets - declared - set(state.records))
    if unknown_targets:
        raise PlanError(
            f"--target names no declared or managed voice: {', '.join(unknown_targets)}"
        )


class _Context:
    def __init__(
        self, desired: DesiredState, remote: tuple[RemoteVoice, ...], state: State,
        options: PlanOptions,
    ) -> None:  # fmt: skip
        self.desired, self.state, self.options = desired, state, options
        self.by_id = {v.voice_id: v for v in remote}
        self.by_name: dict[str, list[RemoteVoice]] = defaultdict(list)
        for voice in remote:
            if voice.name is not None:
                self.by_name[voice.name].append(voice)
        self.recorded = state.recorded_ids()
        self.claimed: set[str] = set()  # remote ids matched to a declared voice
        self.used_records: set[str] = set()
        self.ambiguities: list[str] = []

    # -- declared voices ------------------------------------------------------------------
    def plan_declared(self) -> tuple[Change, ...]:
        changes: list[Change] = []
        for voice in self.desired.voices:
            key, record = self._record_for(voice)
            if key is not None:
                self.used_records.add(key)
            changes += self._plan_voice(voice, key, record)
        self._raise_ambiguities()
        return tuple(changes)

    def _record_for(self, voice: DesiredVoice) -> tuple[str | None, VoiceRecord | None]:
        for key in (voice.name, *voice.previous_names):
            if key in self.state.records:
                return key, self.state.records[key]
        return None, None

    def _plan_voice(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord | None
    ) -> list[Change]:
        if record is not None and record.pending is not None:
            return self._plan_pending(voice, key, record)
        changes = self._superseded(key, record)
        if record is not None and record.voice_id:
            current = self.by_id.get(record.voice_id)
            if current is None:
                return [
                    *changes,
                    self._clone(voice, key, Reason.DRIFT_DELETED, Match.STATE, record),
                ]
            self.claimed.add(current.voice_id)
            return changes + self._diff(voice, current, key, record, Match.STATE)
        return changes + self._plan_unrecorded(voice, key, record)

    def _plan_unrecorded(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord | None
    ) -> list[Change]:
        for names, match in (
            ((voice.name,), Match.NAME),
            (voice.previous_names, Match.PREVIOUS_NAME),
        ):
            candidates = self._unrecorded_named(names)
            if not candidates:
                continue
            self.claimed.update(v.voice_id for v in candidates)
            adoptable = [v for v in candidates if v.voice_id not in self.state.foreign]
            if voice.name not in self.options.adopt or not adoptable:
                return [self._conflict(voice, candidates, match)]
            if len(adoptable) > 1:
                self._ambiguous(voice.name, adoptable)
                return []
            return self._diff(voice, adoptable[0], key, record, match)
        return [self._clone(voice, key, Reason.NEW, Match.NONE, record)]

    def _unrecorded_named(
        self, names: Iterable[str], *, own_only: bool = False
    ) -> list[RemoteVoice]:
        """Remote voices of these names that no record holds and nothing claimed yet;
        ``own_only`` leaves out voices known to be foreign."""
        return [
            v
            for name in names
            for v in self.by_name.get(name, [])
            if v.voice_id not in self.recorded
            and v.voice_id not in self.claimed
            and not (own_only and v.voice_id in self.state.foreign)
        ]

    def _conflict(self, voice: DesiredVoice, candidates: list[RemoteVoice], match: Match) -> Change:
        ids = ", ".join(v.voice_id for v in candidates)
        by = "its name" if match is Match.NAME else "one of its previous_names"
        if all(v.voice_id in self.state.foreign for v in candidates):
            note = (
                f"'{voice.name}' is taken by a voice this account cannot change ({ids}: a "
                "catalog voice or another account's); give the voice another name in "
                f"{self.desired.display}"
            )
        else:
            env = self.desired.environment
            command = " ".join([
                "voicesync apply", shlex.quote(self.desired.display),
                *(["--env", shlex.quote(env.name)] if env else []),
                "--adopt", shlex.quote(voice.name),
            ])  # fmt: skip
            note = (
                f"'{voice.name}' ({by}) is taken by a remote voice this catalog does not "
                f"manage ({ids}); to take it over run: {command}; or give the voice another name"
            )
        first = candidates[0]
        return Conflict(
            name=voice.name, reason=Reason.NAME_TAKEN, match=match, voice_id=first.voice_id,
            desired=voice, status=first.status, remote_name=first.name, note=note,
        )  # fmt: skip

    def _raise_ambiguities(self) -> None:
        if self.ambiguities:
            raise PlanError(
                "cannot tell which remote voice is meant:\n  " + "\n  ".join(self.ambiguities),
                hint="delete the duplicates you do not want (voicesync list shows them), or "
                "rename one; the state file then records the choice",
            )

    def _ambiguous(self, name: str, candidates: list[RemoteVoice]) -> None:
        listed = ", ".join(f"{v.voice_id} ({v.status_text or v.status.value})" for v in candidates)
        self.ambiguities.append(f"'{name}' matches {len(candidates)} remote voices: {listed}")

    # -- journalled clones ----------------------------------------------------------------
    def _plan_pending(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord
    ) -> list[Change]:
        pending = record.pending
        assert pending is not None
        pending_id = pending.voice_id
        settled = replace(record, pending=None)
        if pending_id is None:
            candidates = self._unrecorded_named((pending.name,), own_only=True)
            if len(candidates) > 1:
                self._ambiguous(voice.name, candidates)
                return []
            if not candidates:  # not listed (yet): apply looks over the grace window first
                return self._retry_interrupted(voice, key, settled, pending.window_start)
            pending_id = candidates[0].voice_id
        new = self.by_id.get(pending_id)
        if new is None:  # the caller confirmed with GET that it is gone
            return self._retry_interrupted(voice, key, settled, None)
        self.claimed.add(new.voice_id)
        if voice.sample is not None and pending.sample_sha256 != voice.sample.sha256:
            return [self._delete_superseded(key, new), *self._plan_voice(voice, key, settled)]
        if new.status is VoiceStatus.FAILED:
            return [self._delete_superseded(key, new), *self._plan_voice(voice, key, settled)]
        return [*self._superseded(key, record), self._finish(voice, key, record, new)]

    def _retry_interrupted(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord, started_at: float | None
    ) -> list[Change]:
        changes = self._plan_voice(voice, key, record)
        return [
            replace(c, reason=Reason.INTERRUPTED_CLONE, match=Match.JOURNAL,
                    journal_started_at=started_at)
            if isinstance(c, (Clone, Replace)) and c.reason is not Reason.FORCED
            else c
            for c in changes
        ]  # fmt: skip

    def _finish(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord, new: RemoteVoice
    ) -> Change:
        """A journalled clone that exists: wait for it or record it. When it replaces an old
        voice that still exists, it is a replace, so the plan shows that the old one goes."""
        in_progress = new.status.in_progress
        old = record.voice_id if record.voice_id != new.voice_id else None
        fields = (FieldChange("voice_id", old, new.voice_id),) if old else ()
        common = _Matched(
            name=voice.name, match=Match.JOURNAL, record=key, desired=voice, status=new.status,
            remote_name=new.name, fields=fields, protected=voice.protected or record.protected,
        )  # fmt: skip
        pending_id = new.voice_id
        if old is not None and old in self.by_id:
            return Replace(voice_id=old, pending_id=pending_id, reason=Reason.INTERRUPTED_CLONE,
                           **common)  # fmt: skip
        if in_progress:
            return Wait(voice_id=record.voice_id, pending_id=pending_id, reason=Reason.PROCESSING,
                        **common)  # fmt: skip
        return Adopt(voice_id=record.voice_id, pending_id=pending_id,
                     reason=Reason.INTERRUPTED_CLONE, **common)  # fmt: skip

    def _superseded(self, key: str | None, record: VoiceRecord | None) -> list[Change]:
        if record is None:
            return []
        return [
            self._delete_superseded(key, self.by_id[old])
            for old in record.to_delete
            if old in self.by_id
        ]

    def _delete_superseded(self, key: str | None, voice: RemoteVoice) -> Change:
        return Delete(
            name=key or voice.name or voice.voice_id, reason=Reason.SUPERSEDED, match=Match.STATE,
            voice_id=voice.voice_id, record=key, status=voice.status, remote_name=voice.name,
        )  # fmt: skip

    # -- comparing one matched voice ------------------------------------------------------
    def _diff(
        self, voice: DesiredVoice, current: RemoteVoice, key: str | None,
        record: VoiceRecord | None, match: Match,
    ) -> list[Change]:  # fmt: skip
        fields = _field_changes(current, record, voice)
        common = _Matched(
            name=voice.name, match=match, record=key, desired=voice, status=current.status,
            remote_name=current.name, fields=fields,
            protected=voice.protected or bool(record and record.protected),
        )  # fmt: skip
        voice_id = current.voice_id
        replacement = self._replacement(voice, current, record)
        if replacement is not None:
            reason, extra = replacement
            common["fields"] = extra + fields
            return [Replace(voice_id=voice_id, reason=reason, **common)]
        if fields:
            reason = _update_reason(fields, record, voice)
            return [Update(voice_id=voice_id, reason=reason, **common)]
        if record is None or key != voice.name:
            return [Adopt(voice_id=voice_id, reason=Reason.UNRECORDED, **common)]
        if current.status.in_progress:
            return [Wait(voice_id=voice_id, reason=Reason.PROCESSING, **common)]
        return []

    def _replacement(
        self, voice: DesiredVoice, current: RemoteVoice, record: VoiceRecord | None
    ) -> tuple[Reason, tuple[FieldChange, ...]] | None:
        if voice.name in self.options.replace:
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

    def _clone(
        self, voice: DesiredVoice, key: str | None, reason: Reason, match: Match,
        record: VoiceRecord | None,
    ) -> Change:  # fmt: skip
        return Clone(
            name=voice.name, reason=reason, match=match, record=key, desired=voice,
            protected=voice.protected or bool(record and record.protected),
        )  # fmt: skip

    # -- what the YAML no longer declares ---------------------------------------------------
    def plan_undeclared(self) -> tuple[Change, ...]:
        changes: list[Change] = []
        for key, record in sorted(self.state.records.items()):
            if key in self.used_records:
                continue
            pending = record.pending
            if pending is not None and pending.voice_id is None:
                changes += self._undeclared_journal(key, record, pending)
            ids = [record.voice_id, pending.voice_id if pending else None]
            for voice_id in [*ids, *record.to_delete]:
                if voice_id and voice_id in self.by_id and voice_id not in self.claimed:
                    changes.append(self._delete_undeclared(key, record, self.by_id[voice_id]))
        self._raise_ambiguities()
        return tuple(changes)

    def _undeclared_journal(
        self, key: str, record: VoiceRecord, pending: PendingClone
    ) -> list[Change]:
        """A clone killed before its answer, of a voice no longer declared: delete what it
        made, or, if nothing is listed yet, let apply look for it over the grace window."""
        candidates = self._unrecorded_named((pending.name,), own_only=True)
        if len(candidates) > 1:
            self._ambiguous(pending.name, candidates)
            return []
        if candidates:
            self.claimed.add(candidates[0].voice_id)
            return [self._delete_undeclared(key, record, candidates[0], Match.JOURNAL)]
        return [Delete(
            name=key, reason=Reason.NOT_DECLARED, match=Match.JOURNAL, record=key,
            protected=record.protected, journal_started_at=pending.window_start,
        )]  # fmt: skip

    def _delete_undeclared(
        self, key: str, record: VoiceRecord, current: RemoteVoice, match: Match = Match.STATE
    ) -> Change:
        return Delete(
            name=key, reason=Reason.NOT_DECLARED, match=match, voice_id=current.voice_id,
            record=key, status=current.status, remote_name=current.name,
            protected=record.protected,
        )  # fmt: skip

    def unmanaged(self) -> list[RemoteVoice]:
        # once, not per voice (5,000 voices: 1.4 s); foreign voices are not ours to list
        known = self.recorded | self.claimed | self.state.foreign
        return [v for v in self.by_id.values() if v.voice_id not in known]


def _field_changes(
    current: RemoteVoice, record: VoiceRecord | None, voice: DesiredVoice
) -> tuple[FieldChange, ...]:
    """Name and visibility as the server has them vs as declared, through deepdiff."""
    remote_visibility = current.visibility or (record.visibility if record else None)
    before = {
        "name": current.name,
        "visibility": remote_visibility.value if remote_visibility else None,
    }
    after = {"name": voice.name, "visibility": voice.visibility.value}
    if before == after:
        return ()  # most voices: skip deepdiff's per-call cost (5,000 voices: ~0.5 s saved)
    from deepdiff import DeepDiff  # imported only when something differs (~0.2 s to import)

    diff = DeepDiff(before, after, threshold_to_diff_deeper=0)
    changed = sorted(
        {
            path.split("'")[1]
            for kind in ("values_changed", "type_changes")
            for path in diff.get(kind, {})
        }
    )
    return tuple(FieldChange(name, _text(before[name]), _text(after[name])) for name in changed)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


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


def _inputs(desired: DesiredState, remote: tuple[RemoteVoice, ...], state: State) -> dict[str, str]:
    """One digest per voice (declared, recorded or remote), to say what made a saved plan stale."""
    out: dict[str, str] = {}
    for voice in desired.voices:
        sample = voice.sample
        out[f"declared:{voice.name}"] = digest([
            voice.visibility.value, voice.language, list(voice.previous_names), voice.protected,
            sample.sha256 if sample else voice.sample_ref,
        ])  # fmt: skip
    for key, record in state.records.items():
        out[f"recorded:{key}"] = digest(record.to_json())
    if state.foreign:
        out["foreign:"] = digest(sorted(state.foreign))
    for seen in remote:
        out[f"remote:{seen.voice_id}"] = digest([
            seen.name, seen.visibility.value if seen.visibility else None,
            seen.status is VoiceStatus.FAILED,
        ])  # fmt: skip
    return out


def _options_json(options: PlanOptions, prune: bool) -> Mapping[str, Any]:
    return {
        "targets": sorted(options.targets), "replace": sorted(options.replace), "prune": prune,
        "force": options.force, "adopt": sorted(options.adopt),
        "limits": [options.limits.max_count, options.limits.max_fraction],
    }  # fmt: skip

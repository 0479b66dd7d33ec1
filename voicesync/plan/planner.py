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

from collections.abc import Iterable, Mapping
from dataclasses import replace

from voicesync.errors import PlanError
from voicesync.model import DesiredState, DesiredVoice, RemoteVoice, VoiceStatus
from voicesync.plan.changes import (
    Action,
    Change,
    Clone,
    Delete,
    Match,
    Plan,
    PlanOptions,
    Reason,
    Refusal,
    Replace,
    assess_safety,
    digest,
)
from voicesync.plan.diff import (
    clone_change,
    conflict_change,
    delete_superseded,
    diff_voice,
    finish_journalled,
)
from voicesync.plan.index import RemoteIndex
from voicesync.plan.inputs import options_json_of, plan_inputs
from voicesync.plan.territory import Territory
from voicesync.state.store import PendingClone, State, VoiceRecord


def build_plan(
    desired: DesiredState,
    remote: Iterable[RemoteVoice],
    state: State,
    options: PlanOptions | None = None,
    *,
    digests: bool = True,
    elsewhere: Mapping[str, str] | None = None,
    state_file: str = "",
) -> Plan:
    """The plan. ``digests=False`` leaves out ``inputs`` and ``fingerprint`` (one digest per
    voice: a tenth of a 5,000-voice plan), for a plan that is only shown, never saved.
    ``elsewhere``: voice_id -> the state file of another environment of this catalog that
    records it (see :mod:`.territory`). ``state_file``: its name, which a saved plan is bound
    to."""
    remote = tuple(remote)
    options = options or PlanOptions()
    territory = Territory(desired.environment, desired.environment_formats, elsewhere or {})
    _check_names(desired, state, options)
    index = RemoteIndex(remote, state)
    declared = _Declared(desired, index, state, options)
    changes = declared.plan() + _plan_undeclared(index, state, declared.used_records, options)
    unmanaged = tuple(
        sorted(index.unmanaged(), key=lambda v: ((v.name or "").casefold(), v.voice_id))
    )
    prune = desired.prune if options.prune is None else options.prune
    if prune:
        changes += tuple(
            Delete(
                name=v.name or v.voice_id,
                reason=Reason.PRUNE_UNMANAGED,
                voice_id=v.voice_id,
                status=v.status,
                remote_name=v.name,
                skippable=True,
            )
            for v in unmanaged
            if not desired.ignores(v.name) and territory.prunable(v)
        )
        unmanaged = tuple(
            v for v in unmanaged if desired.ignores(v.name) or not territory.prunable(v)
        )
    if options.targets:
        changes = tuple(
            c for c in changes if c.name in options.targets or c.record in options.targets
        )
    changes = tuple(sorted(changes, key=lambda c: c.sort_key))
    managed = sum(1 for r in state.records.values() if r.voice_id and r.voice_id in index.by_id)
    inputs = plan_inputs(desired, remote, state, elsewhere or {}, state_file) if digests else {}
    options_json = options_json_of(options, prune)
    return Plan(
        endpoint=state.endpoint,
        config=desired.display,
        changes=changes,
        unmanaged=unmanaged,
        refusals=_trespasses(changes, index, territory, desired)
        + assess_safety(changes, managed, force=options.force, limits=options.limits),
        managed_count=managed,
        inputs=inputs,
        fingerprint=digest([inputs, options_json]) if digests else "",
        options=dict(options_json),
        environment=desired.environment.name if desired.environment else None,
    )


# What each action that writes to an existing voice does to it.
WRITES = {
    Action.UPDATE: "updated",
    Action.REPLACE: "replaced",
    Action.DELETE: "deleted",
    Action.ADOPT: "adopted",
}


def _trespasses(
    changes: tuple[Change, ...], index: RemoteIndex, territory: Territory, desired: DesiredState
) -> tuple[Refusal, ...]:
    """A write to a voice another environment of the catalog owns, or that ignore: names (and
    the catalog does not declare): refused, whatever the state file, prune or --force say (the
    state file may be a stale or edited copy)."""
    refusals = []
    declared = {v.name for v in desired.voices}
    for change in changes:
        if change.action not in WRITES or change.voice_id not in index.by_id:
            continue
        current = index.by_id[change.voice_id]
        if desired.ignores(current.name) and current.name not in declared:
            refusals.append(
                Refusal(
                    "ignored",
                    f"'{change.name}' ({change.voice_id}) would be {WRITES[change.action]}, but "
                    f"the voice is named '{current.name}', which ignore: keeps away from every "
                    "write; if the state file is wrong, restore it from git",
                    overridable=False,
                )
            )
            continue
        why = territory.claimant(current)
        if why is not None:
            refusals.append(
                Refusal(
                    "another_environment",
                    f"'{change.name}' ({change.voice_id}) would be {WRITES[change.action]}, but "
                    f"{why}: no environment writes another's voices, not even with --force; "
                    "if this environment's state file is wrong, restore it from git (or run "
                    "voicesync forget for that voice)",
                    overridable=False,
                )
            )
    return tuple(refusals)


def _check_names(desired: DesiredState, state: State, options: PlanOptions) -> None:
    declared = {v.name for v in desired.voices}
    unknown_replace = sorted(options.replace - declared)
    if unknown_replace:
        raise PlanError(
            f"--replace names voices not declared in {desired.display}: "
            f"{', '.join(unknown_replace)}"
        )
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


class _Declared:
    """The changes each declared voice needs, matched by evidence (see the module's docstring)."""

    def __init__(
        self, desired: DesiredState, index: RemoteIndex, state: State, options: PlanOptions
    ) -> None:
        self.desired, self.index, self.state, self.options = desired, index, state, options
        self.used_records: set[str] = set()

    def plan(self) -> tuple[Change, ...]:
        changes: list[Change] = []
        for voice in self.desired.voices:
            key, record = self._record_for(voice)
            if key is not None:
                self.used_records.add(key)
            changes += self._plan_voice(voice, key, record)
        self.index.raise_ambiguities()
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
            return self._plan_pending(voice, key, record, record.pending)
        changes = self._superseded(key, record)
        if record is not None and record.voice_id:
            current = self.index.by_id.get(record.voice_id)
            if current is None and self.index.unrecorded_named((voice.name,)):
                # Gone (404), and a namesake stands: a conflict, never a second voice.
                return changes + self._plan_unrecorded(voice, key, record)
            if current is None:
                return [
                    *changes,
                    clone_change(voice, key, Reason.DRIFT_DELETED, Match.STATE, record),
                ]
            self.index.claimed.add(current.voice_id)
            return changes + self._diff(voice, current, key, record, Match.STATE)
        return changes + self._plan_unrecorded(voice, key, record)

    def _diff(
        self,
        voice: DesiredVoice,
        current: RemoteVoice,
        key: str | None,
        record: VoiceRecord | None,
        match: Match,
    ) -> list[Change]:
        forced = voice.name in self.options.replace
        return diff_voice(voice, current, key, record, match, forced=forced)

    def _plan_unrecorded(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord | None
    ) -> list[Change]:
        index = self.index
        for names, match in (
            ((voice.name,), Match.NAME),
            (voice.previous_names, Match.PREVIOUS_NAME),
        ):
            candidates = index.unrecorded_named(names)
            if not candidates:
                continue
            index.claimed.update(v.voice_id for v in candidates)
            adoptable = [v for v in candidates if v.voice_id not in index.foreign]
            if voice.name not in self.options.adopt or not adoptable:
                return [conflict_change(voice, candidates, match, self.desired, index.foreign)]
            if len(adoptable) > 1:
                index.ambiguous(voice.name, adoptable)
                return []
            return self._diff(voice, adoptable[0], key, record, match)
        return [clone_change(voice, key, Reason.NEW, Match.NONE, record)]

    # -- journalled clones ----------------------------------------------------------------
    def _plan_pending(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord, pending: PendingClone
    ) -> list[Change]:
        index = self.index
        pending_id = pending.voice_id
        settled = replace(record, pending=None)
        if pending_id is None and self.options.expired(pending.window_start):
            # Settled: past its window a name proves nothing, so a namesake already listed is
            # a conflict; with none listed, apply looks once more over a window from now
            # (a list may lag) before it clones again.
            if index.unrecorded_named((pending.name,)):
                return self._plan_voice(voice, key, settled)
            return self._retry_interrupted(voice, key, settled, self.options.now)
        if pending_id is None:
            candidates = index.unrecorded_named((pending.name,), own_only=True)
            if len(candidates) > 1:
                index.ambiguous(voice.name, candidates)
                return []
            if not candidates:  # not listed (yet): apply looks over the grace window first
                return self._retry_interrupted(voice, key, settled, pending.window_start)
            pending_id = candidates[0].voice_id
        new = index.by_id.get(pending_id)
        if new is None:  # the caller confirmed with GET that it is gone
            return self._retry_interrupted(voice, key, settled, None)
        index.claimed.add(new.voice_id)
        other_sample = voice.sample is not None and pending.sample_sha256 != voice.sample.sha256
        if other_sample or new.status is VoiceStatus.FAILED:
            return [delete_superseded(key, new), *self._plan_voice(voice, key, settled)]
        finish = finish_journalled(voice, key, record, new, index.by_id)
        return [*self._superseded(key, record), finish]

    def _retry_interrupted(
        self, voice: DesiredVoice, key: str | None, record: VoiceRecord, started_at: float | None
    ) -> list[Change]:
        changes = self._plan_voice(voice, key, record)
        return [
            replace(
                c,
                reason=Reason.INTERRUPTED_CLONE,
                match=Match.JOURNAL,
                journal_started_at=started_at,
            )
            if isinstance(c, (Clone, Replace)) and c.reason is not Reason.FORCED
            else c
            for c in changes
        ]

    def _superseded(self, key: str | None, record: VoiceRecord | None) -> list[Change]:
        if record is None:
            return []
        by_id = self.index.by_id
        return [delete_superseded(key, by_id[old]) for old in record.to_delete if old in by_id]


# -- what the YAML no longer declares ---------------------------------------------------------
def _plan_undeclared(
    index: RemoteIndex, state: State, used: set[str], options: PlanOptions
) -> tuple[Change, ...]:
    changes: list[Change] = []
    for key, record in sorted(state.records.items()):
        if key in used:
            continue
        pending = record.pending
        journalled = pending is not None and pending.voice_id is None
        if pending is not None and journalled and not options.expired(pending.window_start):
            changes += _undeclared_journal(index, key, record, pending)
        ids = [record.voice_id, pending.voice_id if pending else None]
        for voice_id in [*ids, *record.to_delete]:
            if voice_id and voice_id in index.by_id and voice_id not in index.claimed:
                changes.append(_delete_undeclared(key, record, index.by_id[voice_id]))
    index.raise_ambiguities()
    return tuple(changes)


def _undeclared_journal(
    index: RemoteIndex, key: str, record: VoiceRecord, pending: PendingClone
) -> list[Change]:
    """A clone killed before its answer, of a voice no longer declared: delete what it
    made, or, if nothing is listed yet, let apply look for it over the grace window."""
    candidates = index.unrecorded_named((pending.name,), own_only=True)
    if len(candidates) > 1:
        index.ambiguous(pending.name, candidates)
        return []
    if candidates:
        index.claimed.add(candidates[0].voice_id)
        return [_delete_undeclared(key, record, candidates[0], Match.JOURNAL)]
    return [
        Delete(
            name=key,
            reason=Reason.NOT_DECLARED,
            match=Match.JOURNAL,
            record=key,
            protected=record.protected,
            journal_started_at=pending.window_start,
        )
    ]


def _delete_undeclared(
    key: str, record: VoiceRecord, current: RemoteVoice, match: Match = Match.STATE
) -> Change:
    return Delete(
        name=key,
        reason=Reason.NOT_DECLARED,
        match=match,
        voice_id=current.voice_id,
        record=key,
        status=current.status,
        remote_name=current.name,
        protected=record.protected,
    )

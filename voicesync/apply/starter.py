"""Phase one of apply: start every change. Updates, adoptions and deletes finish here; clones
and voices still processing come back as :class:`Pending` for the waiter.

Adopting a voice by name first proves the account may change it (a no-op PATCH); a 403/404 on
any change of a voice voicesync does not manage marks it foreign in the state file.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from voicesync.apply.cloner import Cloner
from voicesync.apply.context import Context, Pending, Waitable, words
from voicesync.apply.events import ChangeResult, Outcome
from voicesync.errors import (
    ApiError,
    ForbiddenError,
    NotFoundError,
    TryLaterError,
    VoicesyncError,
)
from voicesync.plan.changes import (
    Adopt,
    Change,
    Clone,
    Conflict,
    Delete,
    Match,
    Replace,
    Update,
)


@dataclass
class Starter:
    run: Context
    cloner: Cloner = field(init=False)

    def __post_init__(self) -> None:
        self.cloner = Cloner(self.run)

    def start(self, change: Change) -> ChangeResult | Pending:
        """Called on a queue worker, one change at a time; raises TryLaterError when the API
        refused a call (the queue starts the change again later: every step before the
        refused call is recorded, and checked before it is done again)."""
        try:
            return self._start(change)
        except TryLaterError:
            raise
        except VoicesyncError as exc:
            return ChangeResult(change, Outcome.FAILED, words(exc), change.voice_id)

    def _start(self, change: Change) -> ChangeResult | Pending:
        if isinstance(change, Conflict):
            return ChangeResult(change, Outcome.FAILED, change.note)
        if isinstance(change, Delete):
            return self._delete(change)
        if isinstance(change, Update):
            return self._update(change)
        if change.pending_id:  # a journalled clone that exists: wait for it, then finish
            self._record_found(change, change.pending_id)
            return self._watch(change)
        if isinstance(change, (Clone, Replace)):
            return self.cloner.clone(change)
        if isinstance(change, Adopt) and change.voice_id is not None:
            return self._adopt(change, change.voice_id)
        return self._watch(change)

    def _update(self, change: Update) -> ChangeResult:
        fields = {f.field for f in change.fields}
        voice = change.desired
        try:
            with self.run.limiter.slot():
                self.run.api.update(
                    change.voice_id,
                    name=voice.name if "name" in fields else None,
                    visibility=voice.visibility if "visibility" in fields else None,
                )
        except (ForbiddenError, NotFoundError) as exc:
            return self._refused(change, change.voice_id, exc)
        self.run.writer.record_voice(change.record, voice, change.voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=change.voice_id)

    def _adopt(self, change: Adopt, voice_id: str) -> ChangeResult:
        if change.match in (Match.NAME, Match.PREVIOUS_NAME):
            try:  # proof that the account may change it: a PATCH that changes nothing
                with self.run.limiter.slot():
                    self.run.api.update(voice_id, name=change.remote_name)
            except (ForbiddenError, NotFoundError) as exc:
                return self._refused(change, voice_id, exc)
        self.run.writer.record_voice(change.record, change.desired, voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=voice_id)

    def _refused(self, change: Update | Adopt, voice_id: str, exc: ApiError) -> ChangeResult:
        """403/404 on changing a voice: a voice matched only by name is not the account's."""
        if change.match is Match.STATE:
            return ChangeResult(change, Outcome.FAILED, words(exc), voice_id)
        self.run.writer.mark_foreign(voice_id)
        return ChangeResult(
            change,
            Outcome.FAILED,
            f"'{change.name}' is taken by a voice this account cannot change "
            f"({voice_id}: HTTP {exc.status}); it is remembered as foreign and never "
            "adopted; give the declared voice another name",
            voice_id,
        )

    def _record_found(self, change: Waitable, pending_id: str) -> None:
        """A journalled clone the plan found by name: record its id before anything else."""
        writer = self.run.writer
        record = writer.state.records.get(change.record or change.name)
        if record is not None and record.pending is not None and record.pending.voice_id is None:
            writer.adopt_pending(change.record, change.desired, pending_id)

    def _watch(self, change: Waitable) -> ChangeResult | Pending:
        voice_id = change.pending_id or change.voice_id
        if voice_id is None:
            return ChangeResult(change, Outcome.FAILED, "the plan names no voice to wait for")
        return Pending(change, change.desired.name, voice_id, self.run.clock())

    def _delete(self, change: Delete) -> ChangeResult:
        if change.voice_id is None:
            return self._delete_journalled(change)
        writer = self.run.writer
        if change.record and change.voice_id not in writer.state.recorded_ids():
            # Found by name for a journal entry and never recorded: put it on record first, so
            # a delete that fails is tried again by the next plan instead of leaving a twin.
            writer.retire_found(change.record, change.voice_id)
        try:
            self.run.delete_id(change.record, change.voice_id)
        except ForbiddenError as exc:
            if change.skippable:
                writer.mark_foreign(change.voice_id)
            return ChangeResult(change, Outcome.SKIPPED, f"not yours: {words(exc)}")
        except NotFoundError as exc:
            if change.skippable:
                writer.mark_foreign(change.voice_id)
                return ChangeResult(change, Outcome.SKIPPED, f"not yours: {words(exc)}")
        if change.match is Match.JOURNAL and change.record:
            writer.drop_pending(change.record)  # the interrupted clone is settled
        return ChangeResult(change, Outcome.DONE, voice_id=change.voice_id)

    def _delete_journalled(self, change: Delete) -> ChangeResult:
        """An undeclared voice's clone whose outcome is unknown: find what it made, delete it."""
        key, started_at = change.record, change.journal_started_at
        if key is None or started_at is None:
            return ChangeResult(change, Outcome.DONE, "nothing is recorded to delete")
        found = self.cloner.finder.look_for(change.name, started_at)
        if found is None:
            self.run.writer.drop_pending(key)
            return ChangeResult(change, Outcome.DONE, "its interrupted clone made no voice")
        with contextlib.suppress(NotFoundError):  # gone already: what we wanted
            self.run.delete_id(key, found)
        self.run.writer.drop_pending(key)
        return ChangeResult(change, Outcome.DONE, voice_id=found)

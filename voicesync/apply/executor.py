"""apply_plan(plan, api, journal) performs a Plan. It emits events and never prints.

- Deletes run first, so a swap on an account at its voice-slot limit frees the slot before it
  clones; a replace still clones before it deletes its old voice.
- Every clone is journalled in the state file before its POST and its voice_id recorded the
  moment the POST returns. A clone whose outcome is unknown (no answer, a timeout, a 5xx, a
  malformed 200) is never resent on a guess: apply lists the account until the journal's start
  plus the grace window; exactly one new voice of that name is adopted, none means it is sent
  again, several stop the run and are named.
- Adopting a voice by name first proves the account may change it (a no-op PATCH); a 403/404
  on any change of a voice voicesync does not manage marks it foreign in the state file.
- Calls share one adaptive limit (halved on 429, raised slowly).
- Waiting polls with one LIST per tick when several voices are pending, at an interval that
  grows with the time already waited; a voice missing from the list is read with GET, since
  only a 404 says it is gone.
- Replace is create-before-destroy: the old voice is deleted only once the new one is AVAILABLE;
  if the new one FAILS it is deleted and the old one stays.

``on_event`` is called from the thread doing the work (a pool thread while changes start, the
calling thread while waiting), so it must be thread-safe.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from voicesync.api.client import VoiceAIClient
from voicesync.api.retry import RetryNotice
from voicesync.api.upload import SampleChangedError
from voicesync.apply.events import (
    ApplyResult,
    ChangeFinished,
    ChangeResult,
    ChangeStarted,
    Event,
    Notice,
    Outcome,
    Waiting,
    WaitingVoice,
)
from voicesync.apply.limiter import AdaptiveLimiter
from voicesync.errors import (
    ApiError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    ServerError,
    VoicesyncError,
)
from voicesync.model import DesiredVoice, RemoteVoice, VoiceStatus
from voicesync.plan.model import Action, Change, Match, Plan
from voicesync.state.journal import Journal

MAX_CLONE_ATTEMPTS = 3
SENT_JOURNAL_AFTER_S = 1.0  # an upload that left later than this after started_at is journalled
THROTTLED_POLL_S = 1.0


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    parallelism: int = 4
    wait: bool = True
    wait_timeout_s: float = 600.0
    poll_min_s: float = 0.2
    poll_max_s: float = 5.0
    # How long after a clone started its voice may take to show in the list; a clone whose
    # outcome is unknown is looked for this long before it is sent again.
    grace_s: float = 30.0
    list_threshold: int = 2  # poll with one LIST walk when more voices than this are pending


@dataclass
class _Pending:
    change: Change
    name: str
    voice_id: str
    started: float
    status: str = "PENDING"


@dataclass
class _Runner:
    api: VoiceAIClient
    journal: Journal
    options: ApplyOptions
    emit: Callable[[Event], None]
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    wall: Callable[[], float]
    limiter: AdaptiveLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = AdaptiveLimiter(self.options.parallelism)
        self.api.retry_listeners.append(self._on_retry)

    def _on_retry(self, notice: RetryNotice) -> None:
        if notice.status == 429:
            self.limiter.throttled()
            self.emit(
                Notice(
                    f"rate limited on {notice.method} {notice.path}; "
                    f"parallelism now {self.limiter.limit}"
                )
            )

    def run(self, plan: Plan) -> ApplyResult:
        results: list[ChangeResult] = []
        pending: list[_Pending] = []
        deletes = [c for c in plan.changes if c.action is Action.DELETE]
        others = [c for c in plan.changes if c.action is not Action.DELETE]
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.parallelism))
        try:
            for batch in (deletes, others):  # deletes free voice slots before clones need them
                for started in pool.map(self._start, batch):
                    if isinstance(started, _Pending):
                        pending.append(started)
                    else:
                        results.append(self._finished(started))
        except BaseException:
            # Ctrl-C: start nothing new, but let calls in flight finish and journal their result.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if self.options.wait:
            results += self._wait_all(pending)
        else:
            results += [
                self._finished(
                    ChangeResult(p.change, Outcome.ACCEPTED, f"cloning as {p.voice_id}", p.voice_id)
                )
                for p in pending
            ]
        return ApplyResult(tuple(results), self.limiter.lowest)

    def _finished(self, result: ChangeResult) -> ChangeResult:
        self.emit(ChangeFinished(result))
        return result

    # -- phase 1: start every change ------------------------------------------------------
    def _start(self, change: Change) -> ChangeResult | _Pending:
        self.emit(ChangeStarted(change))
        try:
            if change.action is Action.CONFLICT:
                return ChangeResult(change, Outcome.FAILED, change.note)
            if change.pending_id:  # a journalled clone that exists: wait for it, then finish
                self._record_found(change)
                return self._watch(change)
            if change.action in (Action.CLONE, Action.REPLACE):
                return self._clone(change)
            if change.action is Action.UPDATE:
                return self._update(change)
            if change.action is Action.DELETE:
                return self._delete(change)
            if change.action is Action.ADOPT:
                return self._adopt(change)
            return self._watch(change)
        except VoicesyncError as exc:
            return ChangeResult(change, Outcome.FAILED, _words(exc), change.voice_id)

    def _clone(self, change: Change) -> ChangeResult | _Pending:
        voice = _desired(change)
        key = change.record
        record = self.journal.state.records.get(key) if key else None
        if change.action is Action.CLONE and record is not None and record.voice_id:
            # A clone of a recorded voice: the plan found its old voice gone (GET said 404),
            # so nothing is deleted once the new one is ready.
            self.journal.forget(key, record.voice_id)
        if change.journal_started_at is not None:
            found = self._resolve_journal(change, voice, change.journal_started_at)
            if found is not None:
                self.journal.adopt_pending(key, voice, found)
                return _Pending(change, voice.name, found, self.clock())
        for attempt in range(MAX_CLONE_ATTEMPTS):
            try:
                # The first attempt journals under the record's key; the record then lives
                # under the declared name.
                voice_id: str | None = self._post_clone(key if attempt == 0 else voice.name, voice)
            except SampleChangedError as exc:
                # The upload was cut; a lenient server may still have made a voice of it. The
                # journal keeps the validated hash, so the next plan retires such a voice.
                return ChangeResult(change, Outcome.FAILED, _words(exc))
            except (OutcomeUnknownError, ServerError, BadResponseError) as exc:
                voice_id = self._unanswered(voice.name, self._window_start(voice.name), exc)
            except VoicesyncError as exc:
                self.journal.clone_abandoned(voice.name)
                return ChangeResult(change, Outcome.FAILED, _words(exc))
            if voice_id is not None:
                self.journal.clone_accepted(voice.name, voice_id)
                return _Pending(change, voice.name, voice_id, self.clock())
        return ChangeResult(
            change,
            Outcome.FAILED,
            "the clone kept failing without an answer; "
            "it is journalled, so the next apply checks the account first",
        )

    def _resolve_journal(
        self, change: Change, voice: DesiredVoice, started_at: float
    ) -> str | None:
        """An earlier clone's outcome is unknown: its voice_id if it shows up within the grace
        window and was made from the declared sample, else None (clone now)."""
        key = change.record or voice.name
        record = self.journal.state.records.get(key)
        pending = record.pending if record else None
        # The voice carries the name the POST sent, which a rename since may have changed.
        found = self._look_for(pending.name if pending else voice.name, started_at)
        if found is None:
            return None
        sample = voice.sample
        if pending is None or sample is None or pending.sample_sha256 == sample.sha256:
            self.emit(Notice(f"{voice.name}: found the earlier clone's voice as {found}"))
            return found
        self.journal.retire_found(key, found)
        self.emit(Notice(f"{voice.name}: the earlier clone {found} was made from another "
                         "sample; the next plan deletes it"))  # fmt: skip
        return None

    def _unanswered(self, name: str, started_at: float, exc: ApiError) -> str | None:
        """A clone POST got no usable answer: find its voice, or say it may be sent again.

        Returns the voice_id if exactly one new voice of that name shows up within the grace
        window; None when none did and the server had answered or closed (so sending again is
        safe). Raises when it cannot be known (listing kept failing, or the request timed out
        and may still be running on the server): the journal entry stays for the next run.
        """
        try:
            found = self._look_for(name, started_at)
        except OutcomeUnknownError:
            raise
        except ApiError:
            raise exc from None
        if found:
            self.emit(Notice(f"{name}: the clone's answer was lost; found it as {found}"))
            return found
        if isinstance(exc, OutcomeUnknownError) and exc.timed_out:
            raise exc
        self.emit(Notice(f"{name}: the clone got no answer and no voice appeared; sending again"))
        return None

    def _look_for(self, name: str, started_at: float) -> str | None:
        """List until one unrecorded voice named ``name`` shows, or the grace window (from
        ``started_at``) is over. Raises when several show, or when the last listing failed."""
        deadline = started_at + self.options.grace_s
        interval, announced = self.options.poll_min_s, False
        while True:
            error: ApiError | None = None
            try:
                found = self._candidates(name)
            except ApiError as exc:
                error, found = exc, []
            if len(found) > 1:
                raise OutcomeUnknownError(
                    f"{len(found)} unrecorded voices named '{name}' exist ({', '.join(found)})",
                    method="POST",
                    path="/api/v1/tts/clone-voice",
                    hint="delete the extra ones (voicesync list), then run apply again",
                )
            if found:
                return found[0]
            left = deadline - self.wall()
            if left <= 0:
                if error is not None:
                    raise error
                return None
            if not announced:
                self.emit(
                    Notice(
                        f"{name}: the clone's outcome is unknown; looking for it in the account "
                        f"for up to {left:.0f} s before cloning again"
                    )
                )
                announced = True
            self.sleep(min(interval, left))
            interval = min(interval * 2, self.options.poll_max_s)

    def _candidates(self, name: str) -> list[str]:
        with self.limiter.slot():
            remote = self.api.list_voices()
        known = self.journal.state.known_ids()
        return [v.voice_id for v in remote if v.name == name and v.voice_id not in known]

    def _post_clone(self, key: str | None, voice: DesiredVoice) -> str:
        """Journal the clone, then send it. Both happen inside the limiter slot, so time spent
        waiting for a slot never counts against the grace window of a lost answer."""
        sample = voice.sample
        assert sample is not None
        with self.limiter.slot():
            started_at = self.wall()
            self.journal.start_clone(key, voice, started_at)

            def sent() -> None:
                # Journalled only when the upload left notably later than started_at (a slow
                # upload, a resend after 429): otherwise started_at is close enough, and the
                # state file is not rewritten once more per clone.
                now = self.wall()
                if now - started_at > SENT_JOURNAL_AFTER_S:
                    self.journal.clone_sent(voice.name, now)

            accepted = self.api.clone(
                sample.path,
                name=voice.name,
                visibility=voice.visibility,
                language=voice.language,
                audio_format=sample.format.value,
                expected_sha256=sample.sha256,
                on_sent=sent,
            )
        return accepted.voice_id

    def _window_start(self, name: str) -> float:
        record = self.journal.state.records.get(name)
        pending = record.pending if record else None
        return pending.window_start if pending else self.wall()

    def _update(self, change: Change) -> ChangeResult:
        voice = _desired(change)
        assert change.voice_id is not None
        fields = {f.field for f in change.fields}
        try:
            with self.limiter.slot():
                self.api.update(
                    change.voice_id,
                    name=voice.name if "name" in fields else None,
                    visibility=voice.visibility if "visibility" in fields else None,
                )
        except (ForbiddenError, NotFoundError) as exc:
            return self._refused(change, exc)
        self.journal.record_voice(change.record, voice, change.voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=change.voice_id)

    def _adopt(self, change: Change) -> ChangeResult:
        voice = _desired(change)
        assert change.voice_id is not None
        if change.match in (Match.NAME, Match.PREVIOUS_NAME):
            try:  # proof that the account may change it: a PATCH that changes nothing
                with self.limiter.slot():
                    self.api.update(change.voice_id, name=change.remote_name)
            except (ForbiddenError, NotFoundError) as exc:
                return self._refused(change, exc)
        self.journal.record_voice(change.record, voice, change.voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=change.voice_id)

    def _refused(self, change: Change, exc: ApiError) -> ChangeResult:
        """403/404 on changing a voice: a voice matched only by name is not the account's."""
        if change.match is Match.STATE:
            return ChangeResult(change, Outcome.FAILED, _words(exc), change.voice_id)
        assert change.voice_id is not None
        self.journal.mark_foreign(change.voice_id)
        return ChangeResult(
            change,
            Outcome.FAILED,
            f"'{change.name}' is taken by a voice this account cannot change "
            f"({change.voice_id}: HTTP {exc.status}); it is remembered as foreign and never "
            "adopted; give the declared voice another name",
            change.voice_id,
        )

    def _record_found(self, change: Change) -> None:
        """A journalled clone the plan found by name: record its id before anything else."""
        key = change.record or change.name
        record = self.journal.state.records.get(key)
        if record is not None and record.pending is not None and record.pending.voice_id is None:
            assert change.pending_id is not None
            self.journal.adopt_pending(change.record, _desired(change), change.pending_id)

    def _watch(self, change: Change) -> _Pending:
        voice = _desired(change)
        voice_id = change.pending_id or change.voice_id
        assert voice_id is not None
        return _Pending(change, voice.name, voice_id, self.clock())

    def _delete(self, change: Change) -> ChangeResult:
        if change.voice_id is None:
            return self._delete_journalled(change)
        if change.record and change.voice_id not in self.journal.state.recorded_ids():
            # Found by name for a journal entry and never recorded: put it on record first, so
            # a delete that fails is tried again by the next plan instead of leaving a twin.
            self.journal.retire_found(change.record, change.voice_id)
        try:
            self._delete_id(change.record, change.voice_id)
        except ForbiddenError as exc:
            if change.skippable:
                self.journal.mark_foreign(change.voice_id)
            return ChangeResult(change, Outcome.SKIPPED, f"not yours: {_words(exc)}")
        except NotFoundError as exc:
            if change.skippable:
                self.journal.mark_foreign(change.voice_id)
                return ChangeResult(change, Outcome.SKIPPED, f"not yours: {_words(exc)}")
        if change.match is Match.JOURNAL and change.record:
            self.journal.drop_pending(change.record)  # the interrupted clone is settled
        return ChangeResult(change, Outcome.DONE, voice_id=change.voice_id)

    def _delete_journalled(self, change: Change) -> ChangeResult:
        """An undeclared voice's clone whose outcome is unknown: find what it made, delete it."""
        assert change.record is not None and change.journal_started_at is not None
        found = self._look_for(change.name, change.journal_started_at)
        if found is None:
            self.journal.drop_pending(change.record)
            return ChangeResult(change, Outcome.DONE, "its interrupted clone made no voice")
        with contextlib.suppress(NotFoundError):  # gone already: what we wanted
            self._delete_id(change.record, found)
        self.journal.drop_pending(change.record)
        return ChangeResult(change, Outcome.DONE, voice_id=found)

    def _delete_id(self, key: str | None, voice_id: str) -> None:
        """Delete and forget; a 404 means it is gone already, which is what we wanted."""
        try:
            with self.limiter.slot():
                self.api.delete(voice_id)
        except NotFoundError:
            self.journal.forget(key, voice_id)
            raise
        self.journal.forget(key, voice_id)

    def _promote(self, name: str, voice: DesiredVoice, new_id: str) -> None:
        old = self.journal.promote(name, voice, new_id)
        if old:
            with contextlib.suppress(NotFoundError):
                self._delete_id(name, old)

    # -- phase 2: wait ---------------------------------------------------------------------
    def _wait_all(self, pending: list[_Pending]) -> list[ChangeResult]:
        results: list[ChangeResult] = []
        start = self.clock()
        while pending:
            seen = self._poll(pending)
            still = []
            for item in pending:
                voice = seen.get(item.voice_id, item)
                outcome = self._settle(item, voice)
                if outcome is None:
                    still.append(item)
                else:
                    results.append(self._finished(outcome))
            pending = still
            self._emit_waiting(pending)
            elapsed = self.clock() - start
            if pending and elapsed >= self.options.wait_timeout_s:
                results += [self._finished(self._timed_out(p)) for p in pending]
                break
            if pending:
                self.sleep(self._poll_interval(elapsed))
        return results

    def _poll_interval(self, elapsed: float) -> float:
        """Short at first, growing with the time already waited (a voice that took 4 s is
        checked every 0.2 s, one that took 2 min every 5 s); once the API has said 429, never
        more than once a second."""
        floor = self.options.poll_min_s
        if self.limiter.lowest < self.limiter.maximum:
            floor = max(floor, THROTTLED_POLL_S)
        return min(self.options.poll_max_s, max(floor, elapsed / 20))

    def _poll(self, pending: list[_Pending]) -> dict[str, RemoteVoice | _Pending | None]:
        """Current state of every pending voice; a transient failure keeps the last state."""
        try:
            if len(pending) > self.options.list_threshold:
                with self.limiter.slot():
                    listed = {v.voice_id: v for v in self.api.list_voices()}
                # A list may lag or leave out voices still processing: only GET says "gone".
                return {p.voice_id: listed.get(p.voice_id) or self._get(p.voice_id)
                        for p in pending}  # fmt: skip
            return {p.voice_id: self._get(p.voice_id) for p in pending}
        except (ApiError, OSError) as exc:
            self.emit(Notice(f"polling failed, trying again: {_words(exc)}"))
            return {}

    def _get(self, voice_id: str) -> RemoteVoice | None:
        try:
            with self.limiter.slot():
                return self.api.get_voice(voice_id)
        except NotFoundError:
            return None

    def _settle(self, item: _Pending, voice: RemoteVoice | _Pending | None) -> ChangeResult | None:
        if isinstance(voice, _Pending):
            return None  # no news this tick
        if voice is None:
            return ChangeResult(
                item.change,
                Outcome.FAILED,
                f"voice {item.voice_id} vanished while it was being processed",
            )
        item.status = voice.status_text or voice.status.value
        if voice.status is VoiceStatus.AVAILABLE:
            return self._available(item)
        if voice.status is VoiceStatus.FAILED:
            return self._failed(item)
        return None

    def _available(self, item: _Pending) -> ChangeResult:
        change = item.change
        if change.action is not Action.WAIT or change.pending_id:
            self._promote(item.name, _desired(change), item.voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=item.voice_id)

    def _failed(self, item: _Pending) -> ChangeResult:
        change = item.change
        voice = _desired(change)
        record = self.journal.state.records.get(item.name)
        sample = f"sample {voice.sample_ref}"
        if record is not None and record.voice_id and record.voice_id != item.voice_id:
            discarded = self.journal.retire_pending(item.name)
            if discarded:
                try:
                    self._delete_id(item.name, discarded)
                except (NotFoundError, ApiError) as exc:
                    self.emit(Notice(f"{item.name}: could not delete the failed clone: {exc}"))
            return ChangeResult(
                change,
                Outcome.FAILED,
                f"the new clone ended FAILED ({sample}); the old voice "
                f"{record.voice_id} stays in place",
            )
        self.journal.promote(item.name, voice, item.voice_id)
        return ChangeResult(
            change,
            Outcome.FAILED,
            f"voice {item.voice_id} ended FAILED ({sample}); check that it is clear "
            "speech of one speaker; the next apply clones it again",
            item.voice_id,
        )

    def _timed_out(self, item: _Pending) -> ChangeResult:
        return ChangeResult(
            item.change,
            Outcome.FAILED,
            f"still {item.status} after {self.options.wait_timeout_s:g} s; it is recorded, so "
            "apply again to keep waiting (or raise --wait-timeout)",
            item.voice_id,
        )

    def _emit_waiting(self, pending: list[_Pending]) -> None:
        now = self.clock()
        self.emit(
            Waiting(
                tuple(WaitingVoice(p.name, p.voice_id, p.status, now - p.started) for p in pending)
            )
        )


def _desired(change: Change) -> DesiredVoice:
    assert change.desired is not None, change
    return change.desired


def _words(exc: BaseException) -> str:
    hint = getattr(exc, "hint", None)
    return f"{exc} — {hint}" if hint else str(exc)


def apply_plan(
    plan: Plan,
    api: VoiceAIClient,
    journal: Journal,
    *,
    options: ApplyOptions | None = None,
    on_event: Callable[[Event], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> ApplyResult:
    """Perform ``plan``; the journal saves the state after every completed operation."""
    runner = _Runner(
        api, journal, options or ApplyOptions(), on_event or (lambda _e: None), clock, sleep, wall
    )
    return runner.run(plan)

"""Phase two of apply: wait until every started voice is AVAILABLE or FAILED.

Polls with one LIST per tick when several voices are pending, at an interval that grows with
the time already waited; a voice missing from the list is read with GET, since only a 404 says
it is gone. Replace is create-before-destroy: the old voice is deleted only once the new one is
AVAILABLE; if the new one FAILS it is deleted and the old one stays. Runs on the calling thread.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from voicesync.apply.context import Context, Pending, words
from voicesync.apply.events import ChangeFinished, ChangeResult, Notice, Outcome, Waiting
from voicesync.apply.events import WaitingVoice as Row
from voicesync.apply.polltimer import PollTimer
from voicesync.errors import ApiError, NotFoundError, TryLaterError
from voicesync.model import RemoteVoice, VoiceStatus
from voicesync.plan.changes import Wait


@dataclass
class Waiter:
    run: Context
    timer: PollTimer = field(init=False)
    refused_for_s: float = 0.0  # the last poll was refused (429): wait at least this long

    def __post_init__(self) -> None:
        self.timer = PollTimer(self.run)

    def wait_all(self, pending: list[Pending], since: float | None = None) -> list[ChangeResult]:
        """Wait until every voice settles, or until ``wait_timeout_s`` after ``since`` (the
        start of the apply: the timeout bounds the apply as a whole)."""
        results: list[ChangeResult] = []
        start = self.run.clock() if since is None else since
        while pending:
            polled_at = self.run.clock()
            seen = self._poll(pending)
            still = []
            for item in pending:
                outcome = self._settle(item, seen.get(item.voice_id, item))
                if outcome is None:
                    still.append(item)
                else:
                    self.timer.took(polled_at - item.started)
                    results.append(self.finished(outcome))
            pending = still
            self._emit_waiting(pending)
            elapsed = self.run.clock() - start
            if pending and elapsed >= self.run.options.wait_timeout_s:
                results += [
                    self.finished(_timed_out(p, self.run.options.wait_timeout_s)) for p in pending
                ]
                break
            if pending:
                wait = self.timer.next_poll(pending, elapsed, polled_at)
                self.run.sleep(max(self.refused_for_s, wait))
        return results

    def finished(self, result: ChangeResult) -> ChangeResult:
        self.run.emit(ChangeFinished(result))
        return result

    def _poll(self, pending: list[Pending]) -> dict[str, RemoteVoice | Pending | None]:
        """Current state of every pending voice; a transient failure keeps the last state."""
        self.refused_for_s = 0.0
        try:
            if len(pending) > self._list_worth():
                with self.run.limiter.slot():
                    listed = {v.voice_id: v for v in self.run.api.list_voices(concurrency=1)}
                # A list may lag or leave out voices still processing: only GET says "gone".
                seen: dict[str, RemoteVoice | Pending | None] = {
                    p.voice_id: listed[p.voice_id] for p in pending if p.voice_id in listed
                }
                seen.update(self._get_all([p.voice_id for p in pending if p.voice_id not in seen]))
                return seen
            return dict(self._get_all([p.voice_id for p in pending]))
        except TryLaterError as refusal:  # asked to wait: the next poll comes no sooner
            self.run.limiter.refused(refusal.retry_after_s)
            self.refused_for_s = refusal.retry_after_s
            return {}
        except (ApiError, OSError) as exc:
            self.run.emit(Notice(f"polling failed, trying again: {words(exc)}"))
            return {}

    def _list_worth(self) -> int:
        """How many pending voices a list walk must beat: one GET each costs a request, and
        so does each page of the list (a 5,000-voice account is 50 pages: 20 pending voices
        are cheaper read one by one)."""
        return max(self.run.options.list_threshold, self.run.api.list_requests)

    def _get_all(self, ids: list[str]) -> dict[str, RemoteVoice | None]:
        """GET each voice, as many at once as the shared limit allows."""
        if len(ids) <= 1:
            return {i: self._get(i) for i in ids}
        with ThreadPoolExecutor(max_workers=min(self.run.options.parallelism, len(ids))) as pool:
            return dict(zip(ids, pool.map(self._get, ids), strict=True))

    def _get(self, voice_id: str) -> RemoteVoice | None:
        try:
            with self.run.limiter.slot():
                return self.run.api.get_voice(voice_id)
        except NotFoundError:
            return None

    def _settle(self, item: Pending, voice: RemoteVoice | Pending | None) -> ChangeResult | None:
        if isinstance(voice, Pending):
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
        if voice.status is VoiceStatus.UNKNOWN:
            return _unknown(item)
        return None

    def _available(self, item: Pending) -> ChangeResult:
        change = item.change
        if not isinstance(change, Wait) or change.pending_id:
            self.run.promote(item.name, change.desired, item.voice_id)
        return ChangeResult(change, Outcome.DONE, voice_id=item.voice_id)

    def _failed(self, item: Pending) -> ChangeResult:
        change, writer = item.change, self.run.writer
        record = writer.state.records.get(item.name)
        sample = f"sample {change.desired.sample_ref}"
        if record is not None and record.voice_id and record.voice_id != item.voice_id:
            discarded = writer.retire_pending(item.name)
            if discarded:
                try:
                    self.run.patiently(lambda: self.run.delete_id(item.name, discarded))
                except ApiError as exc:
                    self.run.emit(Notice(f"{item.name}: could not delete the failed clone: {exc}"))
            return ChangeResult(
                change,
                Outcome.FAILED,
                f"the new clone ended FAILED ({sample}); the old voice "
                f"{record.voice_id} stays in place",
            )
        writer.promote(item.name, change.desired, item.voice_id)
        return ChangeResult(
            change,
            Outcome.FAILED,
            f"voice {item.voice_id} ended FAILED ({sample}); check that it is clear "
            "speech of one speaker; the next apply clones it again",
            item.voice_id,
        )

    def _emit_waiting(self, pending: list[Pending]) -> None:
        now = self.run.clock()
        self.run.emit(
            Waiting(tuple(Row(p.name, p.voice_id, p.status, now - p.started) for p in pending))
        )


def _unknown(item: Pending) -> ChangeResult:
    """A status voicesync does not know counts neither as available nor as failed: waiting
    on it could last the whole --wait-timeout, so it is reported at once. Nothing is
    deleted or cloned again: the journal keeps the voice, and the next run looks again."""
    return ChangeResult(
        item.change,
        Outcome.FAILED,
        f"voice {item.voice_id} has a status voicesync does not know: {item.status!r} "
        "(it knows PENDING, PROCESSING, AVAILABLE and FAILED); it is recorded and nothing "
        "was deleted; run apply again once the service reports a known status, and please "
        "report the new status",
        item.voice_id,
    )


def _timed_out(item: Pending, timeout_s: float) -> ChangeResult:
    return ChangeResult(
        item.change,
        Outcome.FAILED,
        f"still {item.status} after {timeout_s:g} s; it is recorded, "
        "so apply again to keep waiting (or raise --wait-timeout)",
        item.voice_id,
    )

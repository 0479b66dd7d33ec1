"""Starting a clone: journal it, send it, and never send it twice on a guess.

Every clone is journalled in the state file before its POST and its voice_id recorded the moment
the POST returns. A clone whose outcome is unknown is looked for (see :mod:`.finder`) before it
is sent again, at most :data:`MAX_CLONE_ATTEMPTS` times in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from voicesync.api.upload import SampleChangedError, SampleUnreadableError
from voicesync.apply.context import Context, Pending, words
from voicesync.apply.events import ChangeResult, Outcome
from voicesync.apply.finder import CloneFinder
from voicesync.errors import (
    BadResponseError,
    OutcomeUnknownError,
    ServerError,
    TryLaterError,
    VoicesyncError,
)
from voicesync.model import DesiredVoice
from voicesync.plan.changes import Clone, Replace

MAX_CLONE_ATTEMPTS = 3
SENT_JOURNAL_AFTER_S = 1.0  # an upload that left later than this after started_at is journalled


@dataclass
class Cloner:
    run: Context
    finder: CloneFinder = field(init=False)

    def __post_init__(self) -> None:
        self.finder = CloneFinder(self.run)

    def clone(self, change: Clone | Replace) -> ChangeResult | Pending:
        voice, key, writer = change.desired, self._key_now(change), self.run.writer
        record = writer.state.records.get(key) if key else None
        if isinstance(change, Clone) and key and record is not None and record.voice_id:
            # A clone of a recorded voice: the plan found its old voice gone (GET said 404),
            # so nothing is deleted once the new one is ready.
            writer.forget(key, record.voice_id)
        if isinstance(change, Replace) and (record is None or record.voice_id != change.voice_id):
            # Matched by name, not by this record: held first, so it is the one retired.
            writer.take_over(key, voice, change.voice_id)
            key = key or voice.name
        if change.journal_started_at is not None:
            found = self.finder.resolve_journal(key or voice.name, voice, change.journal_started_at)
            if found is not None:
                writer.adopt_pending(key, voice, found)
                return Pending(change, voice.name, found, self.run.clock())
        for attempt in range(MAX_CLONE_ATTEMPTS):
            try:
                # The first attempt journals under the record's key; the record then lives
                # under the declared name.
                voice_id: str | None = self._post(key if attempt == 0 else voice.name, voice)
            except TryLaterError:
                writer.clone_abandoned(voice.name)  # refused: the server made nothing
                raise  # the queue sends it again once the wait is over
            except SampleUnreadableError as exc:
                writer.clone_abandoned(voice.name)  # nothing left this machine
                return ChangeResult(change, Outcome.FAILED, words(exc))
            except SampleChangedError as exc:
                # The upload was cut; a lenient server may still have made a voice of it. The
                # journal keeps the validated hash, so the next plan retires such a voice.
                return ChangeResult(change, Outcome.FAILED, words(exc))
            except (OutcomeUnknownError, ServerError, BadResponseError) as exc:
                voice_id = self.finder.unanswered(voice.name, self._window_start(voice.name), exc)
            except VoicesyncError as exc:
                writer.clone_abandoned(voice.name)
                return ChangeResult(change, Outcome.FAILED, words(exc))
            if voice_id is not None:
                writer.clone_accepted(voice.name, voice_id)
                return Pending(change, voice.name, voice_id, self.run.clock())
        return ChangeResult(
            change,
            Outcome.FAILED,
            "the clone kept failing without an answer; "
            "it is journalled, so the next apply checks the account first",
        )

    def _key_now(self, change: Clone | Replace) -> str | None:
        """The key the change's record is under now. An earlier attempt of this change that
        the API refused (429; the queue starts it again) may have moved it to the declared
        name: a rename's record moves when its clone is journalled, and a voice taken over by
        name is recorded under it. Looked up under the plan's key, such a record would be
        taken for missing, and a fresh one would overwrite the old voice's id."""
        records, name = self.run.writer.state.records, change.desired.name
        if (change.record is not None and change.record in records) or name not in records:
            return change.record
        moved = change.voice_id is not None and records[name].voice_id == change.voice_id
        return name if moved else change.record

    def _post(self, key: str | None, voice: DesiredVoice) -> str:
        """Journal the clone, then send it. Both happen inside the limiter slot, so time spent
        waiting for a slot never counts against the grace window of a lost answer."""
        sample = voice.sample
        if sample is None:  # loaded without its samples: a caller's bug, not the user's
            raise ValueError(f"'{voice.name}' was loaded without inspecting its sample")
        run = self.run
        with run.limiter.slot():
            started_at = run.wall()
            run.writer.start_clone(key, voice, started_at)

            def sent() -> None:
                # Journalled only when the upload left notably later than started_at (a slow
                # upload, a resend after 429): otherwise started_at is close enough, and the
                # state file is not rewritten once more per clone.
                now = run.wall()
                if now - started_at > SENT_JOURNAL_AFTER_S:
                    run.writer.clone_sent(voice.name, now)

            accepted = run.api.clone(
                Path(sample.path),
                name=voice.name,
                visibility=voice.visibility,
                language=voice.language,
                audio_format=sample.format.value,
                expected_sha256=sample.sha256,
                on_sent=sent,
            )
        return accepted.voice_id

    def _window_start(self, name: str) -> float:
        record = self.run.writer.state.records.get(name)
        pending = record.pending if record else None
        return pending.window_start if pending else self.run.wall()

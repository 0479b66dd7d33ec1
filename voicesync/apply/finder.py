"""Finding the voice of a clone whose outcome is unknown, by listing over the grace window.

A clone POST that got no usable answer (lost, timed out, a 5xx, a malformed 200) may still have
made a voice. Only the list can tell: exactly one new voice of that name within the grace
window is that clone; none means it may be sent again; several stop the run and are named.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicesync.apply.context import Context
from voicesync.apply.events import Notice
from voicesync.errors import ApiError, OutcomeUnknownError
from voicesync.model import DesiredVoice, nfc


@dataclass
class CloneFinder:
    run: Context

    def resolve_journal(self, key: str, voice: DesiredVoice, started_at: float) -> str | None:
        """An earlier clone's outcome is unknown: its voice_id if it shows up within the grace
        window and was made from the declared sample, else None (clone now)."""
        writer = self.run.writer
        record = writer.state.records.get(key)
        pending = record.pending if record else None
        # The voice carries the name the POST sent, which a rename since may have changed.
        found = self.look_for(pending.name if pending else voice.name, started_at)
        if found is None:
            return None
        sample = voice.sample
        if pending is None or sample is None or pending.sample_sha256 == sample.sha256:
            self.run.emit(Notice(f"{voice.name}: found the earlier clone's voice as {found}"))
            return found
        writer.retire_found(key, found)
        self.run.emit(
            Notice(
                f"{voice.name}: the earlier clone {found} was made from another "
                "sample; the next plan deletes it"
            )
        )
        return None

    def unanswered(self, name: str, started_at: float, exc: ApiError) -> str | None:
        """A clone POST got no usable answer: find its voice, or say it may be sent again.

        Returns the voice_id if exactly one new voice of that name shows up within the grace
        window; None when none did and the server had answered or closed (so sending again is
        safe). Raises when it cannot be known (listing kept failing, or the request timed out
        and may still be running on the server): the journal entry stays for the next run.
        """
        try:
            found = self.look_for(name, started_at)
        except OutcomeUnknownError:
            raise
        except ApiError:
            raise exc from None
        if found:
            self.run.emit(Notice(f"{name}: the clone's answer was lost; found it as {found}"))
            return found
        if isinstance(exc, OutcomeUnknownError) and exc.timed_out:
            raise exc
        self.run.emit(
            Notice(f"{name}: the clone got no answer and no voice appeared; sending again")
        )
        return None

    def look_for(self, name: str, started_at: float) -> str | None:
        """List until one unrecorded voice named ``name`` shows, or the grace window (from
        ``started_at``) is over. Raises when several show, or when the last listing failed."""
        options = self.run.options
        deadline = started_at + options.grace_s
        interval, announced = options.poll_min_s, False
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
            left = deadline - self.run.wall()
            if left <= 0:
                if error is not None:
                    raise error
                return None
            if not announced:
                self.run.emit(
                    Notice(
                        f"{name}: the clone's outcome is unknown; looking for it in the account "
                        f"for up to {left:.0f} s before cloning again"
                    )
                )
                announced = True
            self.run.sleep(min(interval, left))
            interval = min(interval * 2, options.poll_max_s)

    def _candidates(self, name: str) -> list[str]:
        with self.run.limiter.slot():
            remote = self.run.api.list_voices(concurrency=1)  # one slot, one request at a time
        known = self.run.writer.state.known_ids()
        wanted = nfc(name)
        return [
            v.voice_id
            for v in remote
            if v.name is not None and nfc(v.name) == wanted and v.voice_id not in known
        ]

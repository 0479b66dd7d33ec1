"""When apply looks again at the voices it waits for.

Polls are timed from when each one was sent, so the round trip of one poll never adds to the
wait before the next; a poll that took longer than poll_min_s is followed by a pause of
poll_min_s at least, so the server is never polled back to back. The usual interval is short
at first and grows with the time already waited (a voice that took 4 s is checked every 0.2 s,
one that took 2 min every 5 s); once the API has said 429, never more than once a second.

Voices of one run take about as long as each other, so once one is done a voice started at t is
due at t plus the quickest any took (from its start to the sending of the poll that found it
done), and the next poll is aimed there when that comes sooner (never more often than
poll_min_s). A voice that was not done at its due time is most likely done a moment later: it
is looked at again every poll_min_s for a few polls (JUST_MISSED_POLLS), then left to the usual
interval (it is slower than most).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicesync.apply.context import Context, Pending

THROTTLED_POLL_S = 1.0
ETA_MARGIN_S = 0.05  # a poll aimed at a voice's expected end comes this much after it
JUST_MISSED_POLLS = 4  # quick looks at a voice just past its due time


@dataclass
class PollTimer:
    run: Context
    fastest_s: float | None = None  # the quickest a voice of this run went from started to done

    def took(self, seconds: float) -> None:
        """A voice settled ``seconds`` after it was started."""
        if self.fastest_s is None or seconds < self.fastest_s:
            self.fastest_s = seconds

    def next_poll(self, pending: list[Pending], elapsed: float, polled_at: float) -> float:
        """Seconds from now until the next poll, ``elapsed`` into the wait, the last poll
        having been sent at ``polled_at``."""
        now, floor = self.run.clock(), self.floor()
        target = polled_at + self.interval(elapsed)
        if self.fastest_s is not None:
            due = [p.started + self.fastest_s + ETA_MARGIN_S for p in pending]
            if any(now - JUST_MISSED_POLLS * floor < d <= now for d in due):
                target = polled_at
            target = min([target, *(d for d in due if d > now)])
        # A poll slower than the floor (a long list walk, a lagging server) is followed by a
        # pause of the floor at least: the server is never polled back to back.
        earliest = polled_at + floor if now - polled_at <= floor else now + floor
        return max(0.0, max(target, earliest) - now)

    def interval(self, elapsed: float) -> float:
        return min(self.run.options.poll_max_s, max(self.floor(), elapsed / 20))

    def floor(self) -> float:
        limiter = self.run.limiter
        if limiter.lowest < limiter.maximum:
            return max(self.run.options.poll_min_s, THROTTLED_POLL_S)
        return self.run.options.poll_min_s

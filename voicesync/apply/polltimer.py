"""When apply looks again at the voices it waits for.

The usual interval is short at first and grows with the time already waited (a voice that took
4 s is checked every 0.2 s, one that took 2 min every 5 s); once the API has said 429, never
more than once a second. Voices of one run take about as long as each other, so once one is
done a voice started at t is due at t plus the quickest any took, and the next poll is aimed
there when that comes sooner (never more often than poll_min_s; a voice already past its due
time is left to the usual interval).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicesync.apply.context import Context, Pending

THROTTLED_POLL_S = 1.0
ETA_MARGIN_S = 0.05  # a poll aimed at a voice's expected end comes this much after it


@dataclass
class PollTimer:
    run: Context
    fastest_s: float | None = None  # the quickest a voice of this run went from started to done

    def took(self, seconds: float) -> None:
        """A voice settled ``seconds`` after it was started."""
        if self.fastest_s is None or seconds < self.fastest_s:
            self.fastest_s = seconds

    def next_poll(self, pending: list[Pending], elapsed: float) -> float:
        """Seconds until the next look, ``elapsed`` into the wait."""
        interval = self.interval(elapsed)
        if self.fastest_s is None:
            return interval
        now = self.run.clock()
        due = [p.started + self.fastest_s + ETA_MARGIN_S - now for p in pending]
        ahead = [d for d in due if d > 0]
        if not ahead:
            return interval
        return min(interval, max(self.floor(), min(ahead)))

    def interval(self, elapsed: float) -> float:
        return min(self.run.options.poll_max_s, max(self.floor(), elapsed / 20))

    def floor(self) -> float:
        limiter = self.run.limiter
        if limiter.lowest < limiter.maximum:
            return max(self.run.options.poll_min_s, THROTTLED_POLL_S)
        return self.run.options.poll_min_s

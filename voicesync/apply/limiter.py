"""One concurrency limit shared by every call of a run, lowered when the API pushes back (429)
and raised again once it has been quiet (additive increase, multiplicative decrease, as TCP).

- Calls hold a slot only while they run. A refused call holds none: its change goes back to
  the queue with a not-before time (:mod:`.queue`), and whoever refused it says so here.
- A 429 while other calls still succeed refuses that request, not the client: only its change
  waits, and the limit stays (a server that refuses one request in five, whatever the pace, is
  not helped by fewer calls at once). When most of the last calls were refused (6 of 8), the
  server refuses everyone (the budget for this key is spent): then each refusal halves the
  limit, and Retry-After is a pause shared by every slot: no call starts before it ends (later
  refusals extend it; pauses never stack).
- After each quiet period (no 429 for ``quiet_s``, and a call that succeeded) the limit climbs
  back by one, up to ``--parallelism``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

QUIET_S = 2.0  # no 429 for this long: one more call may run at once
RECENT = 8  # the calls whose outcomes say whether the server refuses one call or everyone
SPENT_AFTER = 3  # refusals among them, and three in four at least: the budget is spent


class AdaptiveLimiter:
    def __init__(
        self,
        maximum: int,
        *,
        quiet_s: float = QUIET_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.lowest = self.maximum  # the lowest the limit went: the server has refused everyone
        self._quiet_s = quiet_s
        self._clock = clock
        self._active = 0
        self._calm_since = clock()
        self._recent: deque[bool] = deque(maxlen=RECENT)  # True: refused (429)
        self._paused_until = 0.0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of ``limit`` slots while a call runs."""
        self._acquire()
        succeeded = False
        try:
            yield
            succeeded = True
        finally:
            self._release(succeeded=succeeded)

    def refused(self, wait_s: float) -> None:
        """The server answered 429 and asked for ``wait_s``: the quiet period starts again;
        when the server refuses everyone, the limit halves and no slot is given out before
        the wait is over."""
        with self._cond:
            self._calm_since = self._clock()
            self._recent.append(True)
            if self._budget_spent():
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self._paused_until = max(self._paused_until, self._clock() + wait_s)

    def _budget_spent(self) -> bool:
        refused = sum(self._recent)
        return refused >= SPENT_AFTER and 4 * refused >= 3 * len(self._recent)

    def _acquire(self) -> None:
        with self._cond:
            while True:
                pause = self._paused_until - self._clock()
                if pause > 0:
                    self._cond.wait(pause)
                elif self._active >= self.limit:
                    self._cond.wait()
                else:
                    break
            self._active += 1

    def _release(self, *, succeeded: bool) -> None:
        with self._cond:
            self._active -= 1
            freed = 1
            if succeeded:  # a failed call is no evidence that the server has room
                self._recent.append(False)
                freed += self._climb()
            self._cond.notify(freed)

    def _climb(self) -> int:
        """Raise the limit by one after a quiet period; how many slots that adds."""
        now = self._clock()
        if self.limit < self.maximum and now - self._calm_since >= self._quiet_s:
            self.limit += 1
            self._calm_since = now
            return 1
        return 0

"""One concurrency limit shared by every call of a run, lowered when the API pushes back (429)
and raised again once it has been quiet (additive increase, multiplicative decrease, as TCP).

- A call that must wait before it is tried again (429 Retry-After, or a backoff after a 5xx)
  gives its slot back while it waits, and takes one again to retry: the other calls go on
  (the callers run more threads than the limit, so a freed slot finds a call to run).
- A 429 while other calls still succeed refuses that request, not the client: only it waits,
  and the limit stays (a server that refuses one request in five, whatever the pace, is not
  helped by fewer calls at once). When most of the last calls were refused (6 of 8), the
  server refuses everyone (the budget for this key is spent): then each refusal halves the
  limit, and Retry-After is a pause shared by every worker: no call starts before it ends
  (later refusals extend it; pauses never stack).
- After each quiet period (no 429 for ``quiet_s``, and a call that succeeded) the limit climbs
  back by one, up to ``--parallelism``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from voicesync.api.guard import waits_handed_to

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
        self.lowest = self.maximum
        self._quiet_s = quiet_s
        self._clock = clock
        self._active = 0
        self._calm_since = clock()
        self._recent: deque[bool] = deque(maxlen=RECENT)  # True: refused (429)
        self._paused_until = 0.0
        self._cond = threading.Condition()

    @property
    def paused_for(self) -> float:
        """Seconds left of the shared pause (0: none)."""
        with self._cond:
            return max(0.0, self._paused_until - self._clock())

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._acquire()
        succeeded = False
        try:
            with waits_handed_to(self._wait_out):
                yield
            succeeded = True
        finally:
            self._release(succeeded=succeeded)

    def throttled(self) -> None:
        """The server answered 429: the quiet period starts again; when the server refuses
        everyone, the limit halves."""
        with self._cond:
            self._refused()

    def _refused(self) -> bool:
        """Count a 429 (the lock held); True when the key's budget is spent."""
        self._calm_since = self._clock()
        self._recent.append(True)
        spent = self._budget_spent()
        if spent:
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
        return spent

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
            # One waiter per slot freed: waking all of them (the callers run four threads per
            # slot) would have each call's end wake a dozen threads to find no room.
            self._cond.notify(freed)

    def _climb(self) -> int:
        """Raise the limit by one after a quiet period; how many slots that adds."""
        now = self._clock()
        if self.limit < self.maximum and now - self._calm_since >= self._quiet_s:
            self.limit += 1
            self._calm_since = now
            return 1
        return 0

    def _wait_out(self, seconds: float, refused: bool) -> None:
        """A call in a slot must wait ``seconds`` before its next attempt: free the slot,
        wait (the shared pause too, if there is one), take a slot again."""
        with self._cond:
            if refused and self._refused():
                self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._active -= 1
            self._cond.notify()
        try:
            time.sleep(seconds)
            self._acquire()
        except BaseException:  # Ctrl-C while waiting: hold the slot again, slot() gives it back
            with self._cond:
                self._active += 1
            raise

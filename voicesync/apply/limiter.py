"""One concurrency limit shared by every call of a run, halved when the API pushes back (429)
and raised again slowly (additive increase, multiplicative decrease, as TCP does)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

RAISE_AFTER_SUCCESSES = 8


class AdaptiveLimiter:
    def __init__(self, maximum: int) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.lowest = self.maximum
        self._active = 0
        self._successes = 0
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._cond:
            while self._active >= self.limit:
                self._cond.wait()
            self._active += 1
        succeeded = False
        try:
            yield
            succeeded = True
        finally:
            with self._cond:
                self._active -= 1
                if succeeded:  # a failed call is no evidence that the server has room
                    self._successes += 1
                if self._successes >= RAISE_AFTER_SUCCESSES and self.limit < self.maximum:
                    self.limit += 1
                    self._successes = 0
                self._cond.notify_all()

    def throttled(self) -> None:
        """The server answered 429: halve the limit."""
        with self._cond:
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self._successes = 0

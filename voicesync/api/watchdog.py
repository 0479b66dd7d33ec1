"""One thread that runs actions when their time comes: what every API call's deadline needs,
without a thread per call.

``threading.Timer`` starts a thread for each deadline and wakes it again to cancel it, in a
run that makes thousands of calls: the 1,000-voice benchmark needs this (CONTRIBUTING, "Speed
code, and what it buys"). Here one daemon thread sleeps until the earliest alarm; setting an
alarm is a heap push, cancelling one is a flag (cancelled alarms are dropped as they come up,
or all at once when they are the most).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_COMPACT_FROM = 1024  # cancelled alarms kept before the heap is rebuilt without them


@dataclass(order=True)
class Alarm:
    at: float  # time.monotonic() when it rings
    order: int  # alarms set for the same instant ring in the order they were set
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Watchdog:
    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._alarms: list[Alarm] = []
        self._cancelled = 0
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def after(self, seconds: float, action: Callable[[], None]) -> Alarm:
        """Run ``action`` (on the watchdog's thread) in ``seconds``, unless cancelled first."""
        alarm = Alarm(time.monotonic() + seconds, next(self._order), action)
        with self._wake:
            heapq.heappush(self._alarms, alarm)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="voicesync-deadlines", daemon=True
                )
                self._thread.start()
            elif self._alarms[0] is alarm:
                self._wake.notify()  # earlier than what the thread sleeps for
        return alarm

    def cancel(self, alarm: Alarm) -> None:
        with self._wake:
            if alarm.cancelled:
                return
            alarm.cancelled = True
            self._cancelled += 1
            if self._cancelled >= _COMPACT_FROM and self._cancelled * 2 >= len(self._alarms):
                self._alarms = [a for a in self._alarms if not a.cancelled]
                heapq.heapify(self._alarms)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            with self._wake:
                due = self._next_due()
            try:
                due.action()
            except Exception:  # noqa: S112 - one failed action must not stop the alarms after it
                continue

    def _next_due(self) -> Alarm:
        """Wait (holding the condition) until an alarm not cancelled is due; take it."""
        while True:
            while self._alarms and self._alarms[0].cancelled:
                heapq.heappop(self._alarms)
                self._cancelled -= 1
            if not self._alarms:
                self._wake.wait()
                continue
            delay = self._alarms[0].at - time.monotonic()
            if delay <= 0:
                return heapq.heappop(self._alarms)
            self._wake.wait(delay)


WATCHDOG = Watchdog()  # the process's one; its thread starts with the first alarm

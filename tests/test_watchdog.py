"""The one thread that keeps every call's deadline: alarms ring in order, cancelled ones never."""

from __future__ import annotations

import threading
import time

from voicesync.api.watchdog import Watchdog


def test_alarms_ring_in_time_order_and_cancelled_ones_never() -> None:
    watchdog = Watchdog()
    rang: list[str] = []
    done = threading.Event()
    watchdog.after(0.15, lambda: (rang.append("late"), done.set()))
    watchdog.after(0.05, lambda: rang.append("early"))
    cancelled = watchdog.after(0.10, lambda: rang.append("cancelled"))
    watchdog.after(0.0, lambda: rang.append("now"))
    watchdog.cancel(cancelled)
    watchdog.cancel(cancelled)  # twice is once
    assert done.wait(5)
    assert rang == ["now", "early", "late"]


def test_an_alarm_set_earlier_than_the_one_awaited_wakes_the_thread() -> None:
    watchdog = Watchdog()
    rang = threading.Event()
    watchdog.after(60, lambda: None)  # the thread now sleeps for a minute
    started = time.monotonic()
    watchdog.after(0.05, rang.set)
    assert rang.wait(5) and time.monotonic() - started < 2


def test_many_cancelled_alarms_do_not_pile_up() -> None:
    watchdog = Watchdog()
    for _ in range(5000):
        watchdog.cancel(watchdog.after(300, lambda: None))
    assert len(watchdog._alarms) < 1100  # rebuilt once half of them are cancelled
    rang = threading.Event()
    watchdog.after(0.01, rang.set)
    assert rang.wait(5)


def test_an_action_that_fails_does_not_stop_the_alarms_after_it() -> None:
    watchdog = Watchdog()
    rang = threading.Event()

    def broken() -> None:
        raise OSError("the socket was already gone")

    watchdog.after(0.0, broken)
    watchdog.after(0.05, rang.set)
    assert rang.wait(5)

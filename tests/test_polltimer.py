"""When apply looks again at the voices it waits for: the usual growing interval, or sooner
when a voice is due (voices of one run take about as long as each other)."""

from __future__ import annotations

from types import SimpleNamespace

from pytest import approx

from voicesync.apply.context import ApplyOptions, Pending
from voicesync.apply.limiter import AdaptiveLimiter
from voicesync.apply.polltimer import PollTimer


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def waiter(clock: Clock, limiter: AdaptiveLimiter | None = None) -> PollTimer:
    run = SimpleNamespace(
        clock=clock,
        options=ApplyOptions(poll_min_s=0.2, poll_max_s=5.0),
        limiter=limiter or AdaptiveLimiter(4),
    )
    return PollTimer(run)  # type: ignore[arg-type]


def pending(started: float) -> Pending:
    return Pending(change=None, name="V", voice_id=f"v{started}", started=started)  # type: ignore[arg-type]


def test_before_any_voice_is_done_the_interval_grows_with_the_wait() -> None:
    clock = Clock(60.0)
    assert waiter(clock).next_poll([pending(10.0)], elapsed=60.0, polled_at=60.0) == 3.0


def test_polls_are_timed_from_when_the_last_one_was_sent() -> None:
    clock = Clock(61.0)  # the last poll, sent at 60.0, took 1 s to come back
    assert waiter(clock).next_poll([pending(10.0)], elapsed=61.0, polled_at=60.0) == approx(2.05)
    clock.now = 65.0  # it took longer than the interval: the next one after a short pause
    assert waiter(clock).next_poll([pending(10.0)], elapsed=65.0, polled_at=60.0) == approx(0.2)


def test_a_voice_due_sooner_than_the_interval_is_looked_at_when_due() -> None:
    clock = Clock(12.0)
    w = waiter(clock)
    w.took(3.6)
    w.took(3.5)  # the quickest so far
    assert w.next_poll([pending(10.0)], elapsed=60.0, polled_at=12.0) == approx(1.55)
    clock.now = 9.3  # due in 0.05 s: never sooner than poll_min_s after the last poll
    assert w.next_poll([pending(5.8)], elapsed=60.0, polled_at=9.2) == approx(0.1)


def test_a_voice_just_past_its_due_time_is_looked_at_again_soon() -> None:
    clock = Clock(13.7)  # due at 13.55: most likely done any moment now
    w = waiter(clock)
    w.took(3.5)
    assert w.next_poll([pending(10.0)], elapsed=60.0, polled_at=13.6) == approx(0.1)
    clock.now = 13.55 + 4 * 0.2 + 0.01  # a few quick looks later: slower than most
    assert w.next_poll([pending(10.0)], elapsed=60.0, polled_at=clock.now) == approx(3.0)


def test_a_voice_long_past_its_due_time_is_left_to_the_usual_interval() -> None:
    clock = Clock(20.0)
    w = waiter(clock)
    w.took(3.5)
    assert w.next_poll([pending(10.0)], elapsed=60.0, polled_at=20.0) == 3.0
    two = [pending(10.0), pending(18.0)]
    assert w.next_poll(two, elapsed=60.0, polled_at=20.0) == approx(18.0 + 3.55 - 20.0)


def test_after_a_429_aimed_polls_keep_to_once_a_second() -> None:
    clock = Clock(12.0)
    limiter = AdaptiveLimiter(4)
    for _ in range(4):
        limiter.refused(0.0)
    w = waiter(clock, limiter)
    w.took(3.5)
    assert w.next_poll([pending(8.6)], elapsed=60.0, polled_at=12.0) == 1.0

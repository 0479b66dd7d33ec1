"""The shared concurrency limit: what a 429 does to the other calls of a run.

A refusal of one request (others still succeed) costs only that request its wait; refusals in
a row mean the key's budget is spent, and then every worker pauses and the limit halves. A
call waiting to be retried never holds a slot. Unit tests drive the limiter with threads and
short waits; the others apply real catalogs over HTTP against the emulator's rate limits.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from tests.conftest import Catalog
from tests.test_apply import MakeEmulator, apply, live, result_of
from voicesync.api.guard import wait_before_retry
from voicesync.apply.limiter import AdaptiveLimiter
from voicesync.emulator import FaultConfig


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_climbs_back_after_a_quiet_period_and_only_on_success() -> None:
    clock = Clock()
    limiter = AdaptiveLimiter(4, quiet_s=2.0, clock=clock)
    for _ in range(4):
        limiter.throttled()  # refused again and again, nothing else: the budget is spent
    assert limiter.limit == 1
    clock.now = 1.0
    with limiter.slot():
        pass
    assert limiter.limit == 1  # not quiet long enough
    clock.now = 2.5
    try:
        with limiter.slot():
            raise ConnectionError("refused")
    except ConnectionError:
        pass
    assert limiter.limit == 1  # a failure is no sign of room
    with limiter.slot():
        pass
    assert limiter.limit == 2
    clock.now = 3.0
    with limiter.slot():
        pass
    assert limiter.limit == 2  # one step per quiet period
    for clock.now in (4.6, 6.7, 8.8):
        with limiter.slot():
            pass
    assert (limiter.limit, limiter.lowest) == (4, 1)


def test_refusals_among_successes_leave_the_limit_alone() -> None:
    limiter = AdaptiveLimiter(4)
    for _ in range(10):
        limiter.throttled()
        with limiter.slot():
            pass
    assert limiter.limit == 4  # one refused in two: the server refuses requests, not the key


def test_a_call_waiting_to_be_retried_gives_its_slot_back() -> None:
    limiter = AdaptiveLimiter(1)
    order: list[str] = []
    waiting = threading.Event()

    def refused_then_retried() -> None:
        with limiter.slot():
            order.append("A sent")
            waiting.set()
            wait_before_retry(0.3, refused=True)  # what urllib3's retry calls
            order.append("A retried")

    first = threading.Thread(target=refused_then_retried)
    first.start()
    assert waiting.wait(5)
    with limiter.slot():  # the only slot: free only if A gave it back
        order.append("B sent")
    first.join(5)
    assert order == ["A sent", "B sent", "A retried"]


def test_refusals_in_a_row_pause_every_worker_until_retry_after() -> None:
    limiter = AdaptiveLimiter(4)
    for _ in range(3):
        limiter.throttled()
    paused = threading.Event()

    def refused() -> None:
        with limiter.slot():
            paused.set()
            wait_before_retry(0.4, refused=True)

    worker = threading.Thread(target=refused)
    worker.start()
    assert paused.wait(5)
    time.sleep(0.05)
    assert limiter.paused_for > 0.2
    started = time.monotonic()
    with limiter.slot():  # another worker's new call waits out the shared pause
        waited = time.monotonic() - started
    worker.join(5)
    assert waited >= 0.2


# -- over HTTP ------------------------------------------------------------------------------------
def voices(catalog: Catalog, count: int) -> None:
    catalog.write(
        [
            {"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
            for i in range(count)
        ]
    )


def test_refusing_one_request_in_three_keeps_parallelism_and_converges(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(faults=FaultConfig(rate_limit_every=3, retry_after_s=0))
    voices(catalog, 8)
    result = result_of(apply(catalog, emulator))
    assert result.ok and result.lowest_parallelism == 4
    assert [name for name, _ in live(emulator)] == sorted(f"V{i}" for i in range(8))


def test_a_spent_budget_lowers_parallelism_and_converges_without_duplicates(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(
        faults=FaultConfig(rate_limit_per_s=4.0, rate_limit_burst=2, retry_after_s=1)
    )
    voices(catalog, 8)
    result = result_of(apply(catalog, emulator))
    assert result.ok and result.lowest_parallelism < 4
    names = Counter(name for name, _ in live(emulator))
    assert names == Counter(f"V{i}" for i in range(8))


def test_parallelism_one_clones_in_the_plans_order(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    from dataclasses import replace

    from tests.test_apply import FAST_APPLY

    emulator = make_emulator()
    voices(catalog, 6)
    result = result_of(apply(catalog, emulator, apply_options=replace(FAST_APPLY, parallelism=1)))
    assert result.ok
    made = sorted(emulator.store.all_voices(), key=lambda v: v.created_at)
    assert [v.name for v in made] == [f"V{i}" for i in range(6)]


def test_calls_waiting_out_refusals_never_leave_the_slots_empty(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """A refused call sleeps out its Retry-After in its thread. With two threads per slot, a
    server refusing one call in five had every thread asleep after 20 calls, and nothing was
    sent for a second; with four per slot every voice is tried before the first wait ends."""
    from dataclasses import replace

    from tests.test_apply import FAST_APPLY

    emulator = make_emulator(faults=FaultConfig(rate_limit_every=5, retry_after_s=1))
    voices(catalog, 24)
    result = result_of(apply(catalog, emulator, apply_options=replace(FAST_APPLY, parallelism=2)))
    assert result.ok
    sent = sorted(e["at"] for e in emulator.requests() if e["operation"] == "clone")
    assert sum(1 for at in sent if at - sent[0] < 0.9) >= 24  # every voice tried at once
    assert Counter(name for name, _ in live(emulator)) == Counter(f"V{i}" for i in range(24))

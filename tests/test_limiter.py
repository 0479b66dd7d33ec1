"""The shared concurrency limit: what a 429 does to the other calls of a run.

A refusal of one request (others still succeed) costs only that request its wait; refusals in
a row mean the key's budget is spent, and then every slot pauses and the limit halves. A
refused change goes back to the queue and never holds a slot or a worker while it waits. Unit
tests drive the limiter with threads and short waits; the others apply real catalogs over HTTP
against the emulator's rate limits.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from itertools import pairwise

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult
from tests.test_apply import MakeEmulator, apply, live, result_of
from voicesync.apply.events import Event, Notice
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
        limiter.refused(0.0)  # refused again and again, nothing else: the budget is spent
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
        limiter.refused(0.0)
        with limiter.slot():
            pass
    assert limiter.limit == 4  # one refused in two: the server refuses requests, not the key


def test_refusals_in_a_row_pause_every_slot_until_retry_after() -> None:
    limiter = AdaptiveLimiter(4)
    for _ in range(2):
        limiter.refused(0.0)
    limiter.refused(0.4)  # the third in a row: the key's budget is spent
    assert limiter.limit == 2
    started = time.monotonic()
    with limiter.slot():  # any new call waits out the shared pause
        waited = time.monotonic() - started
    assert waited >= 0.3


def test_a_refused_call_leaves_its_slot_free() -> None:
    limiter = AdaptiveLimiter(1)
    with contextlib.suppress(RuntimeError), limiter.slot():
        raise RuntimeError("refused")
    done = threading.Event()

    def other() -> None:
        with limiter.slot():
            done.set()

    thread = threading.Thread(target=other)
    thread.start()
    assert done.wait(2), "the only slot was still held"
    thread.join(2)


# -- over HTTP ------------------------------------------------------------------------------------
def said(notices: list[str]) -> Callable[[Event], None]:
    """Collect what apply says about rate limits, as a user reads it."""

    def on_event(event: Event) -> None:
        if isinstance(event, Notice) and "rate limited" in event.message:
            notices.append(event.message)

    return on_event


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
    notices: list[str] = []
    result = result_of(apply(catalog, emulator, on_event=said(notices)))
    assert result.ok and notices and all("parallelism now 4" in n for n in notices)
    assert [name for name, _ in live(emulator)] == sorted(f"V{i}" for i in range(8))


def test_a_spent_budget_lowers_parallelism_and_converges_without_duplicates(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(
        faults=FaultConfig(rate_limit_per_s=4.0, rate_limit_burst=2, retry_after_s=1)
    )
    voices(catalog, 8)
    notices: list[str] = []
    result = result_of(apply(catalog, emulator, on_event=said(notices)))
    assert result.ok and any(re.search(r"parallelism now [123]\b", n) for n in notices)
    names = Counter(name for name, _ in live(emulator))
    assert names == Counter(f"V{i}" for i in range(8))


@pytest.mark.parametrize("refused", [(), ("rate_limit",)])
def test_parallelism_one_clones_in_the_plans_order(
    catalog: Catalog, make_emulator: MakeEmulator, refused: tuple[str, ...]
) -> None:
    """--parallelism 1: one change at a time, in the plan's order, even when the first clone
    is refused once (it keeps its place; the worker waits for it)."""
    from dataclasses import replace

    from tests.test_apply import FAST_APPLY

    emulator = make_emulator(
        faults=FaultConfig(sequence=refused, operations=("clone",), retry_after_s=0)
    )
    voices(catalog, 6)
    result = result_of(apply(catalog, emulator, apply_options=replace(FAST_APPLY, parallelism=1)))
    assert result.ok
    made = sorted(emulator.store.all_voices(), key=lambda v: v.created_at)
    assert [v.name for v in made] == [f"V{i}" for i in range(6)]


def test_calls_waiting_out_refusals_never_leave_the_slots_empty(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """A refused change goes back to the queue; its worker takes the next one. When refused
    calls slept out their Retry-After in worker threads, a server refusing one call in five
    had every thread asleep after 20 calls and nothing was sent for a second."""
    from dataclasses import replace

    from tests.test_apply import FAST_APPLY

    emulator = make_emulator(faults=FaultConfig(rate_limit_every=5, retry_after_s=1))
    voices(catalog, 24)
    result = result_of(apply(catalog, emulator, apply_options=replace(FAST_APPLY, parallelism=2)))
    assert result.ok
    sent = sorted(e["at"] for e in emulator.requests() if e["operation"] == "clone")
    assert sum(1 for at in sent if at - sent[0] < 0.9) >= 24  # every voice tried at once
    assert Counter(name for name, _ in live(emulator)) == Counter(f"V{i}" for i in range(24))


def test_under_a_429_storm_workers_equal_parallelism_and_the_slots_stay_busy(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """Every other call refused for 1 s: no worker sleeps out the wait (there are exactly
    --parallelism of them), and while refused changes wait, the others keep all slots busy."""
    from dataclasses import replace

    from tests.test_apply import FAST_APPLY

    parallelism = 3
    emulator = make_emulator(
        faults=FaultConfig(
            rate_limit_every=2, retry_after_s=1, operations=("clone",), latency_s=0.05
        )
    )
    voices(catalog, 12)
    workers: set[str] = set()
    at_once: list[int] = []

    def watch(event: Event) -> None:
        names = {t.name for t in threading.enumerate() if t.name.startswith("voicesync-apply")}
        workers.update(names)
        at_once.append(len(names))

    options = replace(FAST_APPLY, parallelism=parallelism)
    result = result_of(apply(catalog, emulator, apply_options=options, on_event=watch))
    assert result.ok
    assert len(workers) == parallelism and max(at_once) == parallelism
    clones = [e for e in emulator.requests() if e["operation"] == "clone"]
    refused = [e for e in clones if e["status"] == 429]
    assert refused, "the storm did not happen"
    # While the first refused change waited out its second, the slots kept working.
    first = refused[0]["at"]
    meanwhile = [e for e in clones if first < e["at"] < first + 0.9]
    assert len(meanwhile) >= parallelism
    assert max(e["in_flight"] for e in clones) == parallelism
    assert Counter(name for name, _ in live(emulator)) == Counter(f"V{i}" for i in range(12))


def test_a_change_refused_past_its_wait_budget_fails_saying_so_and_clones_nothing(
    cli: Callable[..., CliResult], catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """Every clone refused for 1 s, and 2 s allowed in all: the change fails (exit 1) once its
    waits would pass the budget, naming the option, and nothing was made."""
    emulator = make_emulator(
        faults=FaultConfig(rate_limit_every=1, retry_after_s=1, operations=("clone",))
    )
    voices(catalog, 1)
    started = time.monotonic()
    result = cli(
        "apply", str(catalog.path), "--yes", "--max-rate-limit-wait", "2",
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert result.code == 1, result.output
    assert "kept answering 429" in result.output and "--max-rate-limit-wait" in result.output
    assert time.monotonic() - started < 15
    assert live(emulator) == []
    refused = [e for e in emulator.requests() if e["operation"] == "clone"]
    assert len(refused) == 3  # at once, after 1 s, after 2 s; a third wait would pass 2 s


@pytest.mark.parametrize("retry_after", [0, None])
def test_a_refusal_that_asks_for_no_wait_still_backs_off_and_gives_up(
    cli: Callable[..., CliResult],
    catalog: Catalog,
    make_emulator: MakeEmulator,
    retry_after: int | None,
) -> None:
    """Retry-After: 0, or none at all, on every clone: each try waits longer than the last
    (0.5 s, 1 s, 2 s …) and the budget ends it; the server is never hammered in a loop."""
    emulator = make_emulator(
        faults=FaultConfig(rate_limit_every=1, retry_after_s=retry_after, operations=("clone",))
    )
    voices(catalog, 1)
    result = cli(
        "apply", str(catalog.path), "--yes", "--max-rate-limit-wait", "2",
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert result.code == 1 and "kept answering 429" in result.output, result.output
    sent = sorted(e["at"] for e in emulator.requests() if e["operation"] == "clone")
    assert len(sent) == 3  # at once, after 0.5 s, after 1 s more; 2 s more would pass 2 s
    assert [round(b - a, 1) for a, b in pairwise(sent)] >= [0.5, 1.0]

"""apply_plan(plan, api, journal) performs a Plan. It emits events and never prints.

- Deletes run first, so a swap on an account at its voice-slot limit frees the slot before it
  clones; a replace still clones before it deletes its old voice.
- Changes start on a pool of ``parallelism`` threads (:mod:`.starter`, :mod:`.cloner`), then
  the calling thread waits for the voices they started (:mod:`.waiter`).
- Every clone is journalled before its POST; one whose outcome is unknown is never resent on a
  guess (:mod:`.finder`).
- Calls share one adaptive limit (halved on 429, raised slowly after calls that succeed).

``on_event`` is called from the thread doing the work (a pool thread while changes start, the
calling thread while waiting), so it must be thread-safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from voicesync.api.client import VoiceAIClient
from voicesync.api.retry import RetryNotice
from voicesync.apply.context import ApplyOptions, Context, Pending, workers
from voicesync.apply.events import ApplyResult, ChangeResult, Event, Notice, Outcome
from voicesync.apply.starter import Starter
from voicesync.apply.verifier import verify_speech
from voicesync.apply.waiter import Waiter
from voicesync.plan.model import Action, Plan
from voicesync.state.journal import Journal

__all__ = ["ApplyOptions", "apply_plan"]


def apply_plan(
    plan: Plan,
    api: VoiceAIClient,
    journal: Journal,
    *,
    options: ApplyOptions | None = None,
    on_event: Callable[[Event], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> ApplyResult:
    """Perform ``plan``; the journal saves the state after every completed operation."""
    run = Context(
        api, journal, options or ApplyOptions(), on_event or (lambda _e: None), clock, sleep, wall
    )
    started = clock()
    with _listening(run):
        pending, results = _start_all(run, plan)
        waiter = Waiter(run)
        if run.options.wait:
            results += waiter.wait_all(pending, since=started)
            if run.options.verify:
                results = verify_speech(run, results)
        else:
            results += [
                waiter.finished(
                    ChangeResult(p.change, Outcome.ACCEPTED, f"cloning as {p.voice_id}", p.voice_id)
                )
                for p in pending
            ]
    return ApplyResult(tuple(results), run.limiter.lowest)


def _start_all(run: Context, plan: Plan) -> tuple[list[Pending], list[ChangeResult]]:
    starter, waiter = Starter(run), Waiter(run)
    results: list[ChangeResult] = []
    pending: list[Pending] = []
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    others = [c for c in plan.changes if c.action is not Action.DELETE]
    pool = ThreadPoolExecutor(max_workers=workers(run.options.parallelism))
    try:
        for batch in (deletes, others):  # deletes free voice slots before clones need them
            for started in pool.map(starter.start, batch):
                if isinstance(started, Pending):
                    pending.append(started)
                else:
                    results.append(waiter.finished(started))
    except BaseException:
        # Ctrl-C: start nothing new, but let calls in flight finish and journal their result.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return pending, results


@contextmanager
def _listening(run: Context) -> Iterator[None]:
    """Hear the client's retries for this run only: say when the API pushed back."""

    def on_retry(notice: RetryNotice) -> None:
        if notice.status == 429:  # counted by the limiter when the call waited it out
            run.emit(
                Notice(
                    f"rate limited on {notice.method} {notice.path}; "
                    f"parallelism now {run.limiter.limit}"
                )
            )

    run.api.retry_listeners.append(on_retry)
    try:
        yield
    finally:
        run.api.retry_listeners.remove(on_retry)

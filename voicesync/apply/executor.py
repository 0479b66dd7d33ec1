"""apply_plan(plan, api, writer) performs a Plan. It emits events and never prints.

- Deletes run first, so a swap on an account at its voice-slot limit frees the slot before it
  clones; a replace still clones before it deletes its old voice.
- Changes start on ``parallelism`` workers from one queue (:mod:`.queue`, :mod:`.starter`,
  :mod:`.cloner`); a change the API refuses goes back to the queue with a not-before time.
  Then the calling thread waits for the voices they started (:mod:`.waiter`).
- Every clone is journalled before its POST; one whose outcome is unknown is never resent on a
  guess (:mod:`.finder`).
- Calls share one adaptive limit (halved when the server refuses everyone, raised slowly after
  calls that succeed).

``on_event`` is called from the thread doing the work (a pool thread while changes start, the
calling thread while waiting), so it must be thread-safe.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from voicesync.api.client import VoiceAIClient
from voicesync.apply.context import ApplyOptions, Context, Pending
from voicesync.apply.events import ApplyResult, ChangeResult, Event, Outcome
from voicesync.apply.queue import ChangeQueue
from voicesync.apply.starter import Starter
from voicesync.apply.verifier import verify_speech
from voicesync.apply.waiter import Waiter
from voicesync.plan.changes import Action, Change, Plan
from voicesync.state.writer import StateWriter

__all__ = ["ApplyOptions", "apply_plan"]


def apply_plan(
    plan: Plan,
    api: VoiceAIClient,
    writer: StateWriter,
    *,
    options: ApplyOptions | None = None,
    on_event: Callable[[Event], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    wall: Callable[[], float] = time.time,
) -> ApplyResult:
    """Perform ``plan``; the state writer records the state after every completed operation. The
    client's refusals (429) come back to the queue instead of being slept out in a thread."""
    run = Context(
        api.handing_back_refusals(),
        writer,
        options or ApplyOptions(),
        on_event or (lambda _e: None),
        clock,
        sleep,
        wall,
    )
    started = clock()
    waiter = Waiter(run)
    pending, results = _start_all(run, plan, waiter)
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
    return ApplyResult(tuple(results))


def _start_all(
    run: Context, plan: Plan, waiter: Waiter
) -> tuple[list[Pending], list[ChangeResult]]:
    starter = Starter(run)

    def start(change: Change) -> ChangeResult | Pending:
        started = starter.start(change)
        # Said as soon as it is over, from the worker (on_event is thread-safe).
        return waiter.finished(started) if isinstance(started, ChangeResult) else started

    queue = ChangeQueue(run, start)
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    others = [c for c in plan.changes if c.action is not Action.DELETE]
    # Deletes first: they free voice slots before clones need them.
    started = queue.run(deletes) + queue.run(others)
    pending = [s for s in started if isinstance(s, Pending)]
    return pending, [s for s in started if isinstance(s, ChangeResult)]

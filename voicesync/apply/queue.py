"""Changes started by ``parallelism`` workers from one queue, earliest not-before time first.

A change the API refuses (429, :class:`TryLaterError`) goes back to the queue with the time it
may be tried again, and its worker takes the next change at once: no worker sleeps out a
Retry-After, so however many changes are refused, the others keep every slot busy. Each change
may wait out refusals for ``rate_limit_wait_s`` in all (``--max-rate-limit-wait``) and is tried
at most ``MAX_REFUSALS`` times; past that it fails, saying so. With one worker the plan's
order is kept: a refused change is tried again before any change after it.

Starting a change again after a refusal is safe: the refused call did nothing, and each step
before it is recorded in the state file and checked before it is done again (see
:mod:`.starter` and :mod:`.cloner`). A clone whose earlier try's outcome is unknown is looked
for again each time: the account is the only evidence, and a list may lag.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from voicesync.apply.context import (
    Context,
    Pending,
    refusal_wait,
    refused_enough,
    waited_too_long,
    words,
)
from voicesync.apply.events import ChangeResult, ChangeStarted, Notice, Outcome
from voicesync.errors import TryLaterError
from voicesync.plan.changes import Change

Started = ChangeResult | Pending


@dataclass(order=True)
class _Entry:
    order: tuple[float, int]
    not_before: float = field(compare=False)
    index: int = field(compare=False)
    change: Change = field(compare=False)
    waited_s: float = field(default=0.0, compare=False)
    refusals: int = field(default=0, compare=False)


class ChangeQueue:
    def __init__(self, run: Context, start: Callable[[Change], Started]) -> None:
        self._run = run
        self._start = start
        self._workers = run.options.parallelism
        self._cond = threading.Condition()
        self._heap: list[_Entry] = []
        self._seq = itertools.count()
        self._running = 0
        self._stop = False
        self._failure: BaseException | None = None

    def run(self, changes: Sequence[Change]) -> list[Started]:
        """Start every change; their results in the order given."""
        results: list[Started | None] = [None] * len(changes)
        for index, change in enumerate(changes):
            self._push(_Entry((0.0, 0), self._run.clock(), index, change))
        threads = [
            threading.Thread(target=self._work, args=(results,), name=f"voicesync-apply-{n}")
            for n in range(min(self._workers, len(changes)))
        ]
        for thread in threads:
            thread.start()
        try:
            self._wait_until(lambda: self._stop or (not self._heap and self._running == 0))
        except BaseException:  # Ctrl-C (or SIGTERM) reaches this thread
            # Start nothing new; calls in flight finish and record their result. (Not by
            # Thread.join: a join cut short by Ctrl-C can leave a running thread marked done.)
            self._halt()
            self._wait_until(lambda: self._running == 0)
            raise
        finally:
            for thread in threads:
                thread.join()
        if self._failure is not None:
            raise self._failure
        return [r for r in results if r is not None]

    def _push(self, entry: _Entry) -> None:
        # One worker keeps the plan's order (a refused change keeps its place, and the worker
        # waits for it); several take whatever may run first.
        if self._workers == 1:
            entry.order = (0.0, entry.index)
        else:
            entry.order = (entry.not_before, next(self._seq))
        with self._cond:
            heapq.heappush(self._heap, entry)
            self._cond.notify()

    def _next(self) -> _Entry | None:
        """The next change whose time has come (waiting for it, not for a slot); None when
        every change has finished."""
        with self._cond:
            while not self._stop:
                if not self._heap:
                    if self._running == 0:
                        return None
                    self._cond.wait()
                    continue
                delay = self._heap[0].not_before - self._run.clock()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                self._running += 1
                return heapq.heappop(self._heap)
            return None

    def _work(self, results: list[Started | None]) -> None:
        while (entry := self._next()) is not None:
            try:
                results[entry.index] = self._attempt(entry)
            except BaseException as exc:  # a bug, or Ctrl-C: stop every worker
                with self._cond:
                    self._failure = self._failure or exc
                self._halt()
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()

    def _attempt(self, entry: _Entry) -> Started | None:
        if entry.refusals == 0:
            self._run.emit(ChangeStarted(entry.change))
        try:
            return self._start(entry.change)
        except TryLaterError as refusal:
            return self._later(entry, refusal)

    def _later(self, entry: _Entry, refusal: TryLaterError) -> ChangeResult | None:
        """Back to the queue until the wait asked for is over; or failed, past the budget."""
        run, wait = self._run, refusal_wait(refusal, entry.refusals)
        if refused_enough(run.api.policy, entry.refusals, entry.waited_s, wait):
            gave_up = waited_too_long(refusal, entry.refusals, entry.waited_s)
            return ChangeResult(entry.change, Outcome.FAILED, words(gave_up))
        run.limiter.refused(wait)
        run.emit(
            Notice(
                f"rate limited on {refusal.method} {refusal.path}: {entry.change.name} is "
                f"tried again in {wait:.0f} s; parallelism now {run.limiter.limit}"
            )
        )
        entry.not_before = run.clock() + wait
        entry.waited_s += wait
        entry.refusals += 1
        self._push(entry)
        return None

    def _wait_until(self, done: Callable[[], bool]) -> None:
        with self._cond:
            while not done():
                self._cond.wait(0.5)  # in slices: Ctrl-C reaches this thread

    def _halt(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

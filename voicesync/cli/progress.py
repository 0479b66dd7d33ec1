"""Live progress of an apply on stderr: redrawn lines on a terminal, periodic lines in CI."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import click

from voicesync.apply.events import (
    ChangeFinished,
    ChangeStarted,
    Event,
    Notice,
    Outcome,
    Waiting,
)
from voicesync.cli.console import Console
from voicesync.cli.console import printable as p
from voicesync.plan.changes import Action

PERIODIC_S = 10.0
_VERBS = {
    Action.CLONE: "cloning",
    Action.REPLACE: "replacing",
    Action.UPDATE: "updating",
    Action.DELETE: "deleting",
    Action.ADOPT: "adopting",
    Action.WAIT: "waiting for",
}
_MARKS = {Outcome.DONE: "✓", Outcome.ACCEPTED: "…", Outcome.SKIPPED: "-", Outcome.FAILED: "✗"}


class Progress:
    def __init__(
        self, console: Console, *, tty: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.console = console
        self.tty = tty
        self.clock = clock
        self._lock = threading.Lock()
        self._drawn = 0
        self._last_line = ""
        self._last_print = 0.0

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, Waiting):
                self._waiting(event)
            elif isinstance(event, ChangeStarted):
                self._line(f"  {_VERBS[event.change.action]} {p(event.change.name)}")
            elif isinstance(event, ChangeFinished):
                self._finished(event)
            elif isinstance(event, Notice) and (not event.verbose or self.console.verbose):
                self._line(f"  note: {p(event.message)}")

    def _finished(self, event: ChangeFinished) -> None:
        result = event.result
        change = result.change
        kind = {Outcome.FAILED: "error", Outcome.SKIPPED: "warning"}.get(result.outcome, "add")
        mark = self.console.style(_MARKS[result.outcome], kind)
        target = f" ({p(result.voice_id)})" if result.voice_id else ""
        detail = f": {p(result.message)}" if result.message else ""
        self._line(f"  {mark} {change.action.value} {p(change.name)}{target}{detail}")

    def _waiting(self, event: Waiting) -> None:
        lines = [f"  … {p(v.name)}  {p(v.status)}  {v.elapsed_s:.0f}s" for v in event.voices]
        if self.tty:
            self._clear()
            for line in lines:
                click.echo(line, err=True, color=self.console.color)
            self._drawn = len(lines)
            return
        summary = ", ".join(f"{p(v.name)} {p(v.status)}" for v in event.voices)
        now = self.clock()
        if summary and (summary != self._last_line or now - self._last_print >= PERIODIC_S):
            longest = max(v.elapsed_s for v in event.voices)
            self._line(f"  waiting for {len(event.voices)} voice(s) ({longest:.0f}s): {summary}")
            self._last_line, self._last_print = summary, now

    def _line(self, text: str) -> None:
        if self.console.quiet:
            return
        self._clear()
        click.echo(text, err=True, color=self.console.color)

    def _clear(self) -> None:
        if self.tty and self._drawn:
            # Cursor control, not colour: kept whenever we know stderr is a terminal.
            click.echo("\x1b[F\x1b[2K" * self._drawn, err=True, nl=False, color=True)
        self._drawn = 0

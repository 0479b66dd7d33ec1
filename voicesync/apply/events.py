"""PURE: what an apply reports — per-change results and the events emitted while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from voicesync.plan.changes import Action, Change


class Outcome(str, Enum):
    DONE = "done"
    ACCEPTED = "accepted"  # cloning started, not waited for (--no-wait)
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ChangeResult:
    change: Change
    outcome: Outcome
    message: str = ""
    voice_id: str | None = None
    verified: bool | None = None  # apply --verify: it spoke (True), it could not (False)


@dataclass(frozen=True, slots=True)
class ChangeStarted:
    change: Change


@dataclass(frozen=True, slots=True)
class ChangeFinished:
    result: ChangeResult


@dataclass(frozen=True, slots=True)
class WaitingVoice:
    name: str
    voice_id: str
    status: str
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class Waiting:
    voices: tuple[WaitingVoice, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    message: str
    verbose: bool = False  # shown with -v only


Event = ChangeStarted | ChangeFinished | Waiting | Notice


@dataclass(frozen=True, slots=True)
class ApplyResult:
    results: tuple[ChangeResult, ...]

    @property
    def ok(self) -> bool:
        return not any(r.outcome is Outcome.FAILED for r in self.results)

    def count(self, outcome: Outcome, action: Action | None = None) -> int:
        return sum(
            1 for r in self.results if r.outcome is outcome and action in (None, r.change.action)
        )

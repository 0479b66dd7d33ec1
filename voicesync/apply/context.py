"""What every part of a run shares: the API, the journal, the options, the limiter, the clocks."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from voicesync.api.client import VoiceAIClient
from voicesync.apply.events import Event
from voicesync.apply.limiter import AdaptiveLimiter
from voicesync.errors import NotFoundError
from voicesync.model import DesiredVoice
from voicesync.plan.model import Adopt, Clone, Replace, Wait
from voicesync.state.journal import Journal

# The changes that leave a voice to wait for.
Waitable = Clone | Replace | Adopt | Wait


@dataclass(frozen=True, slots=True)
class ApplyOptions:
    parallelism: int = 4
    wait: bool = True
    wait_timeout_s: float = 600.0
    poll_min_s: float = 0.2
    poll_max_s: float = 5.0
    # How long after a clone started its voice may take to show in the list; a clone whose
    # outcome is unknown is looked for this long before it is sent again.
    grace_s: float = 30.0
    list_threshold: int = 2  # poll with one LIST walk when more voices than this are pending
    verify: bool = False  # after the waits, each new voice speaks once (apply --verify)


def workers(parallelism: int) -> int:
    """Threads for ``parallelism`` calls at once: four times as many, so that while calls wait
    out a 429 (their slots given back, their threads asleep) others can use the slots. With
    twice as many, a server refusing one call in five put every thread to sleep at once and
    the slots stood empty for most of a second (apply of 50 voices: 7.1 s, 6.5 s with four
    times); idle threads cost nothing, as the limiter wakes one per free slot. One thread for
    --parallelism 1, which keeps its promise of one change at a time, in the plan's order."""
    return 1 if parallelism <= 1 else parallelism * 4


@dataclass
class Pending:
    """A voice started (or found) that apply waits for."""

    change: Waitable
    name: str
    voice_id: str
    started: float
    status: str = "PENDING"


@dataclass
class Context:
    api: VoiceAIClient
    journal: Journal
    options: ApplyOptions
    emit: Callable[[Event], None]
    clock: Callable[[], float]  # monotonic: durations
    sleep: Callable[[float], None]
    wall: Callable[[], float]  # epoch seconds: what the journal records
    limiter: AdaptiveLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = AdaptiveLimiter(self.options.parallelism)

    def delete_id(self, key: str | None, voice_id: str) -> None:
        """Delete and forget; a 404 means it is gone already, which is what we wanted."""
        try:
            with self.limiter.slot():
                self.api.delete(voice_id)
        except NotFoundError:
            self.journal.forget(key, voice_id)
            raise
        self.journal.forget(key, voice_id)

    def promote(self, name: str, voice: DesiredVoice, new_id: str) -> None:
        """Record the new voice; delete the one it replaces."""
        old = self.journal.promote(name, voice, new_id)
        if old:
            with contextlib.suppress(NotFoundError):
                self.delete_id(name, old)


def words(exc: BaseException) -> str:
    hint = getattr(exc, "hint", None)
    return f"{exc} — {hint}" if hint else str(exc)

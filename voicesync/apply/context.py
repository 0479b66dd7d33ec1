"""What every part of a run shares: the API, the state writer, the options, the limiter, the
clocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from voicesync.api.client import VoiceAIClient
from voicesync.api.retry import RetryPolicy
from voicesync.apply.events import Event, Notice
from voicesync.apply.limiter import AdaptiveLimiter
from voicesync.errors import ApiError, NotFoundError, RateLimitedError, TryLaterError
from voicesync.model import DesiredVoice
from voicesync.plan.changes import Adopt, Clone, Replace, Wait
from voicesync.state.writer import StateWriter

# The changes that leave a voice to wait for.
Waitable = Clone | Replace | Adopt | Wait
REFUSED_MIN_S, REFUSED_MAX_S = 0.5, 30.0  # the backoff when a refusal asks for no wait
MAX_REFUSALS = 20  # tries of one change the API refuses, whatever the budget left
T = TypeVar("T")


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
    writer: StateWriter
    options: ApplyOptions
    emit: Callable[[Event], None]
    clock: Callable[[], float]  # monotonic: durations
    sleep: Callable[[float], None]
    wall: Callable[[], float]  # epoch seconds: what the clone journal records
    limiter: AdaptiveLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = AdaptiveLimiter(self.options.parallelism)

    def delete_id(self, key: str | None, voice_id: str) -> None:
        """Delete and forget; a 404 means it is gone already, which is what we wanted."""
        try:
            with self.limiter.slot():
                self.api.delete(voice_id)
        except NotFoundError:
            self.writer.forget(key, voice_id)
            raise
        self.writer.forget(key, voice_id)

    def promote(self, name: str, voice: DesiredVoice, new_id: str) -> None:
        """Record the new voice; delete the one it replaces (on the calling thread)."""
        old = self.writer.promote(name, voice, new_id)
        if not old:
            return
        try:
            self.patiently(lambda: self.delete_id(name, old))
        except NotFoundError:
            pass  # gone already: what we wanted
        except ApiError as exc:  # the new voice is in place; the old one stays recorded
            self.emit(
                Notice(
                    f"{name}: could not delete the voice it replaces ({old}): {words(exc)}; "
                    "it stays recorded and the next apply deletes it"
                )
            )

    def patiently(self, call: Callable[[], T]) -> T:
        """``call()``, waiting out refusals (429) here: for the calling thread, which is no
        queue worker. Bounded by the same budget a change has."""
        waited, refusals = 0.0, 0
        while True:
            try:
                return call()
            except TryLaterError as refusal:
                wait = refusal_wait(refusal, refusals)
                if refused_enough(self.api.policy, refusals, waited, wait):
                    raise waited_too_long(refusal, refusals, waited) from None
                refusals += 1
                self.limiter.refused(wait)
                self.sleep(wait)
                waited += wait


def refusal_wait(refusal: TryLaterError, refusals: int) -> float:
    """How long to wait before trying a refused call again: what the server asked; when it
    asked for nothing (Retry-After 0, a date already past, no header), a backoff that doubles
    with each refusal (0.5 s, 1 s, 2 s … 30 s), which would otherwise resend at once, for ever."""
    if refusal.retry_after_s > 0:
        return refusal.retry_after_s
    return min(REFUSED_MIN_S * 2.0**refusals, REFUSED_MAX_S)


def refused_enough(policy: RetryPolicy, refusals: int, waited_s: float, wait_s: float) -> bool:
    """Whether a change refused ``refusals`` times (after ``waited_s``) has had its chances:
    its waits stay within --max-rate-limit-wait, and it is tried at most MAX_REFUSALS times
    (under load a change is refused again and again while others go through; the cap ends a
    change whose every try lands on a refusal, as against a server refusing every Nth call)."""
    return refusals + 1 >= MAX_REFUSALS or waited_s + wait_s > policy.rate_limit_wait_s


def waited_too_long(refusal: TryLaterError, refusals: int, waited_s: float) -> RateLimitedError:
    return RateLimitedError(
        f"the API kept answering 429 (rate limited): refused {refusals + 1} times in "
        f"{waited_s:.0f} s, and asked for {refusal.retry_after_s:.0f} s more",
        method=refusal.method,
        path=refusal.path,
        status=429,
        hint="run again later (everything done so far is recorded), or allow a longer wait "
        "with --max-rate-limit-wait SECONDS",
    )


def words(exc: BaseException) -> str:
    hint = getattr(exc, "hint", None)
    return f"{exc} — {hint}" if hint else str(exc)

"""When a call may be tried again, as urllib3 ``Retry`` settings on the session's adapter.

Idempotent calls (GET, PATCH, PUT, DELETE) are retried with jittered backoff on 429/5xx and
dropped connections, honouring ``Retry-After`` (capped). A clone POST is resent only after a 429
(the server refused it) or a failed connect (nothing was sent): never after any other error,
whatever urllib3 would do (it retries a TLS error for every method, and a TLS error can come
after the server committed the clone).
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import Retry

from voicesync.api.guard import (
    DeadlinePassed,
    HandedBack,
    WaitBudgetSpent,
    WaitNotice,
    current,
)

if TYPE_CHECKING:
    from typing_extensions import Self

RETRY_AFTER_MAX_S = 120
RATE_LIMIT_WAIT_S = 300.0  # the most one call waits out 429s, unless told otherwise
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. Tests shrink the backoff; users keep the defaults."""

    attempts: int = 6
    # Refused connections rarely heal within seconds: one more try, then a clear error.
    connect_attempts: int = 1
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    jitter_s: float = 0.5
    retry_after_max_s: int = RETRY_AFTER_MAX_S
    # Each attempt must be over within this (a server trickling its answer is cut off) ...
    deadline_s: float = 120.0
    upload_deadline_s: float = 900.0  # ... an upload of 7.5 MB on a slow link included
    # The most one call waits out rate limits (429 Retry-After) in all before it gives up.
    rate_limit_wait_s: float = RATE_LIMIT_WAIT_S
    # A 429 raises TryLaterError at once, with the wait asked for, instead of sleeping: for a
    # caller that queues the work again (apply) and keeps its threads busy meanwhile.
    hand_back_refusals: bool = False


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Emitted when the server pushed back (429) or failed (5xx) and a call was retried."""

    method: str
    path: str
    status: int | None


class CloneSafeRetry(Retry):
    """urllib3 Retry that may resend a POST only when the server refused it with 429."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            return status_code == 429
        return super().is_retry(method, status_code, has_retry_after)

    def parse_retry_after(self, retry_after: str) -> float:
        try:
            return super().parse_retry_after(retry_after)
        except InvalidHeader:
            return self.get_backoff_time() or 1.0  # a garbled header must not crash a run

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        guard = current()
        if guard is not None and guard.expired:
            raise DeadlinePassed  # never try a trickling server again within this call
        posted = (method or "").upper() == "POST"
        if error is not None and posted and not self._is_connection_error(error):
            raise error  # it may have been sent: only the list can tell (see cloner)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        """Wait before the next attempt: said first, bounded in total, off the deadline."""
        wait = self.get_retry_after(response) if response is not None else None
        if wait is None:
            wait = self.get_backoff_time()
        guard = current()
        if guard is None:  # pragma: no cover - every call of the client is guarded
            time.sleep(wait)
            return
        status = response.status if response is not None else None
        last = self.history[-1] if self.history else None
        asked = _asked(response) if status == 429 else None
        if asked is not None and guard.waited_s + asked > guard.wait_budget_s:
            raise WaitBudgetSpent(guard.waited_s, asked, status)  # at once: no partial wait
        if status == 429 and guard.waited_s + wait > guard.wait_budget_s:
            raise WaitBudgetSpent(guard.waited_s, wait, status)
        if status == 429 and guard.hand_back_refusals:
            raise HandedBack(wait)
        if guard.on_wait is not None and wait >= 1.0:
            path = urlsplit(last.url).path if last is not None and last.url else ""
            method = last.method if last is not None and last.method else ""
            guard.on_wait(WaitNotice(method, path, status, wait, guard.waited_s,
                                     guard.wait_budget_s))  # fmt: skip
        guard.stop_attempt()
        time.sleep(wait)
        if status == 429:  # the budget is for rate limits; a 5xx backoff is bounded by attempts
            guard.waited_s += wait  # what the server asked; queueing for a slot is not counted
        guard.start_attempt()


def _asked(response: BaseHTTPResponse | None) -> float | None:
    """The wait a Retry-After asks for, before the per-wait cap: a wait past the whole budget
    is refused at once instead of being waited out in capped pieces."""
    header = response.headers.get("Retry-After") if response is not None else None
    if header is None:
        return None
    if header.strip().isdigit():
        return float(header.strip())
    when = email.utils.parsedate_tz(header)
    return max(0.0, email.utils.mktime_tz(when) - time.time()) if when is not None else None


def retry_for(policy: RetryPolicy) -> Retry:
    return CloneSafeRetry(
        total=policy.attempts,
        connect=policy.connect_attempts,
        backoff_factor=policy.backoff_s,
        backoff_max=policy.backoff_max_s,
        backoff_jitter=policy.jitter_s,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=IDEMPOTENT_METHODS,
        raise_on_status=False,
        respect_retry_after_header=True,
        retry_after_max=policy.retry_after_max_s,
    )


def never_sent(exc: BaseException) -> bool:
    """True when the failure happened before any byte of the request left this machine."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, (NewConnectionError, ConnectTimeoutError, NameResolutionError)):
            return True
        if isinstance(seen, requests.exceptions.ConnectTimeout):
            return True
        reason = getattr(seen, "reason", None)
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = reason if isinstance(reason, BaseException) else nested
    return False


def why_not_connected(exc: BaseException) -> str | None:
    """In plain words, why a connection could not be made; None when it is none of these."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, NameResolutionError):
            return "the host name does not resolve (a typo, or no DNS)"
        if isinstance(seen, (ConnectTimeoutError, requests.exceptions.ConnectTimeout)):
            return "no answer to the connection attempt (a firewall, or the wrong port)"
        if isinstance(seen, ConnectionRefusedError) or "Connection refused" in str(seen):
            return "connection refused (nothing listens at that address and port)"
        reason = getattr(seen, "reason", None)
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = reason if isinstance(reason, BaseException) else (seen.__cause__ or nested)
    return None

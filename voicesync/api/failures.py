"""The error a failed call becomes: what happened in plain words, and what to do about it."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from voicesync.api.guard import HandedBack, WaitBudgetSpent
from voicesync.api.responses import reason, redact, server_message
from voicesync.api.retry import never_sent, why_not_connected
from voicesync.errors import (
    ApiError,
    AuthError,
    ConnectionFailedError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PaymentRequiredError,
    RateLimitedError,
    RejectedError,
    ServerError,
    TryLaterError,
)
from voicesync.model import MAX_SAMPLE_TEXT

API_PREFIX = "/api/v1/tts"

_ERRORS: dict[int, tuple[type[ApiError], str | None]] = {
    400: (RejectedError, None),
    401: (AuthError, "check VOICEAI_API_KEY: the key is missing, mistyped or revoked"),
    402: (PaymentRequiredError, "add credits or free a voice slot in your voice.ai account"),
    403: (ForbiddenError, "this account may not change that voice"),
    404: (NotFoundError, None),
    413: (RejectedError, f"samples must be at most {MAX_SAMPLE_TEXT}"),
    422: (RejectedError, None),
    429: (RateLimitedError, "the API is rate limiting; wait a minute or lower --parallelism"),
}


def gave_up_waiting(spent: WaitBudgetSpent, budget_s: float, method: str, path: str) -> ApiError:
    return RateLimitedError(
        f"the API kept answering 429 (rate limited): after waiting {spent.waited_s:.0f} s it "
        f"asked for {spent.wait_s:.0f} s more, past the {budget_s:.0f} "
        "s one call may wait",
        method=method,
        path=path,
        status=spent.status,
        hint="run again later (everything done so far is recorded), or allow a longer wait "
        "with --max-rate-limit-wait SECONDS",
    )


def handed_back(refusal: HandedBack, method: str, path: str) -> TryLaterError:
    error = TryLaterError(
        f"rate limited: the API asked to wait {refusal.wait_s:.0f} s",
        method=method,
        path=path,
        status=429,
        hint="the caller tries again later",
    )
    error.retry_after_s = refusal.wait_s
    return error


def past_deadline(deadline_s: float, method: str, path: str) -> ApiError:
    words = (
        f"the server did not finish answering within {deadline_s:.0f} s (a whole-request "
        "deadline: it may be trickling its answer)"
    )
    if method == "POST":
        unknown = OutcomeUnknownError(
            words,
            method=method,
            path=path,
            hint="run the command again: voicesync checks the account before cloning again",
        )
        unknown.timed_out = True  # it may still be running on the server
        return unknown
    return ConnectionFailedError(
        words, method=method, path=path, hint="the service or a proxy is stalling; try later"
    )


def transport_error(
    exc: requests.RequestException, base_url: str, key: str, method: str, path: str
) -> ApiError:
    text = redact(str(exc), key)
    if never_sent(exc):
        return ConnectionFailedError(
            f"cannot connect to {base_url}: {why_not_connected(exc) or reason(text)}",
            method=method,
            path=path,
            hint="check the URL (--base-url, or VOICEAI_BASE_URL) and the network; "
            f"'curl -sS {base_url}{API_PREFIX}/voices' shows what answers there",
        )
    if method == "POST":
        unknown = OutcomeUnknownError(
            f"the connection failed after the request was sent: {reason(text)}",
            method=method,
            path=path,
            hint="run the command again: voicesync checks the account before cloning again",
        )
        unknown.timed_out = isinstance(exc, requests.exceptions.Timeout)
        return unknown
    return ConnectionFailedError(
        f"the connection kept failing: {reason(text)}",
        method=method,
        path=path,
        hint="the service may be overloaded or unreachable; try again later",
    )


def http_error(
    response: requests.Response, base_url: str, key: str, method: str, path: str
) -> ApiError:
    status = response.status_code
    message = redact(server_message(response), key)
    kind, default_hint = _ERRORS.get(status, (None, None))
    if kind is None:
        kind, default_hint = (
            (ServerError, "the service failed; try again later")
            if status >= 500
            else (ApiError, None)
        )
    hint = _path_hint(base_url) if status in (404, 405) else None
    return kind(message, method=method, path=path, status=status, hint=hint or default_hint)


def _path_hint(base_url: str) -> str | None:
    """A base URL that already holds the API's path makes every call a 404."""
    parts = urlsplit(base_url)
    if parts.path in ("", "/"):
        return None
    return (
        f"the base URL {base_url} has a path ({parts.path}) and voicesync adds "
        f"{API_PREFIX} itself; try --base-url {parts.scheme}://{parts.netloc}"
    )

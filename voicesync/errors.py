"""The one error tree of voicesync.

Every expected failure is a :class:`VoicesyncError`: it carries the message (what failed and
where), a hint (how to fix it) and the process exit code. The CLI catches this one type at one
boundary; anything else is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class ExitStatus(IntEnum):
    """What a voicesync process exits with (contract.md)."""

    OK = 0
    ERROR = 1
    CHANGES = 2  # plan --detailed-exitcode: there are changes
    BUG = 3  # an unexpected error: a bug (pre-commit's convention), not bad input
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, as shells report it


class VoicesyncError(Exception):
    """An expected failure with a message for the user, a hint and an exit code."""

    exit_code: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(VoicesyncError):
    """The command line asks for something impossible."""


class SettingsError(VoicesyncError):
    """Connection settings are missing or unsafe (API key, base URL)."""


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about the configuration, anchored at FILE:LINE:COL (1-based)."""

    file: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message}"


class ConfigError(VoicesyncError):
    """voices.yaml (or a sample it names) is invalid; every problem is listed."""

    def __init__(self, problems: tuple[Problem, ...], *, hint: str | None = None) -> None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        noun = "problem" if len(errors) == 1 else "problems"
        where = problems[0].file if problems else "the configuration"
        super().__init__(f"{len(errors)} {noun} in {where}", hint=hint)
        self.problems = problems


class StateError(VoicesyncError):
    """The state file cannot be read, belongs elsewhere, or cannot be written."""


class UnsafePathError(VoicesyncError):
    """A file voicesync keeps beside the catalog is a symbolic link: it is never followed."""


class LockError(VoicesyncError):
    """Another voicesync run holds the state lock."""


class PlanError(VoicesyncError):
    """The plan cannot be made (ambiguous identity) or must not be applied (unsafe, stale)."""


class ApiError(VoicesyncError):
    """The voice.ai API answered with an error, or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = f"{method} {path}" + (f" -> HTTP {status}" if status is not None else "")
        super().__init__(f"{message} ({where})", hint=hint)
        self.method = method
        self.path = path
        self.status = status


class AuthError(ApiError):
    """401: the API key is missing, wrong or revoked."""


class PaymentRequiredError(ApiError):
    """402: not enough credits, or no free voice slot."""


class ForbiddenError(ApiError):
    """403: the voice exists but this account may not change it."""


class NotFoundError(ApiError):
    """404: unknown voice, deleted voice, or someone else's private voice."""


class RejectedError(ApiError):
    """400/413/422: the server refused the request as invalid; the server's words are kept."""


class RateLimitedError(ApiError):
    """429 persisted after every retry."""


class TryLaterError(RateLimitedError):
    """429 answered to a client that hands refusals back (``RetryPolicy.hand_back_refusals``):
    nothing was done; the caller may try again after ``retry_after_s``."""

    retry_after_s: float = 0.0


class ServerError(ApiError):
    """5xx persisted after every retry."""


class BadResponseError(ApiError):
    """The server answered something that is not the documented JSON (HTML page, truncated)."""


class ConnectionFailedError(ApiError):
    """The server could not be reached; the request was not sent."""


class OutcomeUnknownError(ApiError):
    """The request was sent but no answer came back: it may or may not have taken effect.

    Raised for a clone whose response was lost. It is never retried blindly: the executor
    reconciles by listing the account. ``timed_out`` says the server may still be working on
    it (no answer in time), as opposed to a connection it closed.
    """

    timed_out: bool = False

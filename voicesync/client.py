"""The voice.ai voice-management API over one ``requests.Session``.

:class:`ReadOnlyClient` can only list and read: ``plan`` gets one, so planning cannot change the
account even by mistake. :class:`VoiceAIClient` adds clone, update and delete.

Retries live in urllib3's ``Retry`` on the session's adapter: idempotent calls (GET, PATCH, PUT,
DELETE) are retried with jittered backoff on 429/5xx and dropped connections, honouring
``Retry-After`` (capped). A clone POST is resent only after a 429 (the server refused it) or a
failed connect (nothing was sent). A clone POST whose answer was lost raises
:class:`OutcomeUnknownError` and is never resent here: only listing can tell whether it happened.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    NameResolutionError,
    NewConnectionError,
)
from urllib3.util import Retry

from voicesync import __version__
from voicesync.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConnectionFailedError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PaymentRequiredError,
    RateLimitedError,
    RejectedError,
    ServerError,
)
from voicesync.model import RemoteVoice, Visibility, VoiceStatus
from voicesync.settings import Connection
from voicesync.upload import MultipartFile

API_PREFIX = "/api/v1/tts"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
UPLOAD_READ_TIMEOUT_S = 300.0
RETRY_AFTER_MAX_S = 120
PAGE_SIZE = 100
MAX_PAGES = 10_000
MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # a list of 100,000 voices is about 15 MB
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PATCH", "PUT", "DELETE", "OPTIONS"})
_C = TypeVar("_C", bound="ReadOnlyClient")
AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg"}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try. Tests shrink the backoff; users keep the defaults."""

    attempts: int = 6
    # Refused connections rarely heal within seconds; fail fast rather than back off for 30 s.
    connect_attempts: int = 3
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    jitter_s: float = 0.5
    retry_after_max_s: int = RETRY_AFTER_MAX_S


@dataclass(frozen=True, slots=True)
class CloneAccepted:
    voice_id: str
    status: VoiceStatus


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """Emitted when the server pushed back (429) or failed (5xx) and a call was retried."""

    method: str
    path: str
    status: int | None


class _CloneSafeRetry(Retry):
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


def _retry(policy: RetryPolicy) -> Retry:
    return _CloneSafeRetry(
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


class _BearerAuth(requests.auth.AuthBase):
    """An auth object (not a session header) so a ~/.netrc can never replace the key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._key}"
        return request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


class ReadOnlyClient:
    """List and read voices. Has no method that changes anything."""

    def __init__(
        self,
        connection: Connection,
        *,
        retry: RetryPolicy | None = None,
        pool_size: int = 10,
        on_retry: Callable[[RetryNotice], None] | None = None,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.base_url = connection.base_url
        self._debug = debug
        self._key = connection.api_key
        self.retry_listeners: list[Callable[[RetryNotice], None]] = [on_retry] if on_retry else []
        self._session = requests.Session()
        self._session.auth = _BearerAuth(connection.api_key)
        self._session.headers["User-Agent"] = f"voicesync/{__version__}"
        self._session.headers["Accept"] = "application/json"
        adapter = HTTPAdapter(max_retries=_retry(retry or RetryPolicy()), pool_maxsize=pool_size)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------
    def list_voices(self) -> tuple[RemoteVoice, ...]:
        """Every voice the account can see, following any pagination to its end."""
        seen: dict[str, RemoteVoice] = {}
        for item in self._walk_list():
            voice = self._voice(item, "GET", f"{API_PREFIX}/voices")
            seen.setdefault(voice.voice_id, voice)
        return tuple(seen.values())

    def get_voice(self, voice_id: str) -> RemoteVoice:
        path = _voice_path(voice_id)
        return self._voice(self._call("GET", path), "GET", path)

    # -- plumbing shared with the writing client ---------------------------------------------
    def _walk_list(self) -> Iterator[Any]:
        """Every item of every page. The first request carries no query parameter (nothing
        first-party sends one); later pages follow what the answer says, see :class:`_Pager`."""
        path = f"{API_PREFIX}/voices"
        pager = _Pager(self.base_url)
        step: tuple[str | None, dict[str, int] | None] | None = (None, None)
        for _ in range(MAX_PAGES):
            assert step is not None
            url, params = step
            data = self._call("GET", path, params=params, url=url)
            items = _list_items(data, path)
            yield from items
            step = pager.after(data, items, path)
            if step is None:
                return
        raise BadResponseError(
            f"the voice list did not end after {MAX_PAGES} pages", method="GET", path=path
        )

    def _voice(self, data: Any, method: str, path: str) -> RemoteVoice:
        if not isinstance(data, Mapping):
            raise BadResponseError("expected a voice object", method=method, path=path)
        try:
            return RemoteVoice.from_api(data)
        except ValueError as exc:
            raise BadResponseError(f"malformed voice: {exc}", method=method, path=path) from exc

    def _call(
        self,
        method: str,
        path: str,
        *,
        url: str | None = None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        **kwargs: Any,
    ) -> Any:
        try:
            response = self._session.request(
                method, url or self.base_url + path, timeout=timeout, stream=True, **kwargs
            )
            _read_capped(response, method, path)
        except requests.RequestException as exc:
            raise self._transport_error(exc, method, path) from None
        self._count(response, method, path)
        if self._debug is not None:
            self._debug(_exchange_text(response, self._key))
        if response.status_code >= 400:
            raise self._http_error(response, method, path)
        if not response.content.strip():
            return None  # a 204, or an empty 200: the caller decides whether it needed a body
        return _parse_json(response, method, path)

    def _count(self, response: requests.Response, method: str, path: str) -> None:
        retries = getattr(response.raw, "retries", None)
        history = getattr(retries, "history", ()) or ()
        for event in history:
            for listener in self.retry_listeners:
                listener(RetryNotice(method, path, event.status))

    def _transport_error(self, exc: requests.RequestException, method: str, path: str) -> ApiError:
        text = _redact(str(exc), self._key)
        if _never_sent(exc):
            return ConnectionFailedError(
                f"cannot connect to {self.base_url}: {_reason(text)}",
                method=method,
                path=path,
                hint="check the network and VOICEAI_BASE_URL / --base-url",
            )
        if method == "POST":
            unknown = OutcomeUnknownError(
                f"the connection failed after the request was sent: {_reason(text)}",
                method=method,
                path=path,
                hint="run the command again: voicesync checks the account before cloning again",
            )
            unknown.timed_out = isinstance(exc, requests.exceptions.Timeout)
            return unknown
        return ConnectionFailedError(
            f"the connection kept failing: {_reason(text)}",
            method=method,
            path=path,
            hint="the service may be overloaded or unreachable; try again later",
        )

    def _http_error(self, response: requests.Response, method: str, path: str) -> ApiError:
        status = response.status_code
        message = _redact(_server_message(response), self._key)
        kind, default_hint = _ERRORS.get(status, (None, None))
        if kind is None:
            kind, default_hint = (
                (ServerError, "the service failed; try again later")
                if status >= 500
                else (ApiError, None)
            )
        return kind(message, method=method, path=path, status=status, hint=default_hint)


class VoiceAIClient(ReadOnlyClient):
    """The full API: reading plus clone, update and delete."""

    def clone(
        self,
        sample: Path,
        *,
        name: str | None,
        visibility: Visibility | None = None,
        language: str | None = None,
        audio_format: str | None = None,
        expected_sha256: str | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> CloneAccepted:
        """Upload ``sample`` (streamed from disk) and start cloning. Sends only fields set.
        ``on_sent`` is called when the upload's last byte goes out (again on a resend)."""
        fields = {"name": name, "language": language}
        fields["voice_visibility"] = visibility.value if visibility else None
        kind = audio_format or sample.suffix.lstrip(".").lower()
        content_type = AUDIO_TYPES.get(kind) or mimetypes.guess_type(sample.name)[0]
        path = f"{API_PREFIX}/clone-voice"
        with MultipartFile(
            {k: v for k, v in fields.items() if v is not None},
            sample,
            filename=sample.name,
            content_type=content_type or "application/octet-stream",
            expected_sha256=expected_sha256,
            on_sent=on_sent,
        ) as body:
            data = self._call(
                "POST",
                path,
                data=body,
                headers={"Content-Type": body.content_type},
                timeout=(CONNECT_TIMEOUT_S, UPLOAD_READ_TIMEOUT_S),
            )
        voice = self._voice(data, "POST", path)
        return CloneAccepted(voice_id=voice.voice_id, status=voice.status)

    def update(
        self, voice_id: str, *, name: str | None = None, visibility: Visibility | None = None
    ) -> RemoteVoice:
        """PATCH name and/or visibility; returns the voice as the server now has it."""
        body: dict[str, str] = {}
        if name is not None:
            body["name"] = name
        if visibility is not None:
            body["voice_visibility"] = visibility.value
        path = _voice_path(voice_id)
        data = self._call("PATCH", path, json=body)
        if not isinstance(data, Mapping) or "voice_id" not in data:
            return self.get_voice(voice_id)  # an empty or partial answer: read the voice back
        return self._voice(data, "PATCH", path)

    def delete(self, voice_id: str) -> None:
        """Delete a voice. Either documented answer shape is accepted."""
        self._call("DELETE", _voice_path(voice_id))


_ERRORS: dict[int, tuple[type[ApiError], str | None]] = {
    400: (RejectedError, None),
    401: (AuthError, "check VOICEAI_API_KEY: the key is missing, mistyped or revoked"),
    402: (PaymentRequiredError, "add credits or free a voice slot in your voice.ai account"),
    403: (ForbiddenError, "this account may not change that voice"),
    404: (NotFoundError, None),
    413: (RejectedError, "samples must be at most 7.5 MB"),
    422: (RejectedError, None),
    429: (RateLimitedError, "the API is rate limiting; wait a minute or lower --parallelism"),
}


def _voice_path(voice_id: str) -> str:
    """The path of one voice; the id is percent-encoded, so an odd id (a hand-edited state
    file) can never reach another path."""
    return f"{API_PREFIX}/voice/{quote(voice_id, safe='')}"


def _read_capped(response: requests.Response, method: str, path: str) -> None:
    """Read the body, refusing one larger than MAX_RESPONSE_BYTES (a hostile or broken server)."""
    chunks, total = [], 0
    for chunk in response.iter_content(chunk_size=256 * 1024):
        total += len(chunk)
        if total > MAX_RESPONSE_BYTES:
            response.close()
            raise BadResponseError(
                f"the answer is larger than {MAX_RESPONSE_BYTES:,} bytes; not reading it",
                method=method,
                path=path,
                status=response.status_code,
            )
        chunks.append(chunk)
    # Fully read, the connection went back to the pool; .json() and .content use this copy.
    response._content = b"".join(chunks)


def _parse_json(response: requests.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except (ValueError, requests.exceptions.ChunkedEncodingError) as exc:
        what = "an HTML page" if _looks_html(response) else "something that is not JSON"
        raise BadResponseError(
            f"the server answered {what} (HTTP {response.status_code}): {_snippet(response)}",
            method=method,
            path=path,
            status=response.status_code,
            hint="is the base URL right? a proxy or captive portal may be in the way",
        ) from exc


def _server_message(response: requests.Response) -> str:
    if _looks_html(response):
        return f"the server (or a proxy) answered with an HTML error page: {_snippet(response)}"
    try:
        data = response.json()
    except ValueError:
        return _snippet(response) or response.reason or "no details"
    if isinstance(data, Mapping):
        detail = data.get("detail")
        if isinstance(detail, list):
            return "; ".join(_validation_item(d) for d in detail) or "validation error"
        # As voice.ai's own client does: the specific detail ("Voice not found") before the
        # generic error ("Not Found").
        if isinstance(detail, str) and detail:
            return detail
        for key in ("error", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
    return json.dumps(data)[:200]


def _validation_item(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query")]
    msg = str(item.get("msg", "invalid"))
    return f"{'.'.join(loc)}: {msg}" if loc else msg


def _list_items(data: Any, path: str) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in ("voices", "data", "items", "results"):
            if isinstance(data.get(key), list):
                return list(data[key])
    raise BadResponseError(
        "the voice list is neither a JSON array nor an object holding one",
        method="GET",
        path=path,
    )


class _Pager:
    """Where the next page of the voice list is, from what the pages so far said.

    A bare array is the whole list. An object is followed by its ``next`` link (same origin
    only: the key is never sent elsewhere), else by ``total`` with ``offset``; when neither
    settles it, pages are asked for by offset until one is empty, shorter than the largest page
    seen, or brings no voice not already seen (a server that ignores the offset).
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.received = 0
        self.largest = 0
        self.ids: set[str] = set()

    def after(
        self, data: Any, items: list[Any], path: str
    ) -> tuple[str | None, dict[str, int] | None] | None:
        """(url, None) or (None, params) for the next page; None when the list is complete."""
        if not isinstance(data, Mapping) or not items:
            return None
        fresh = self._count_fresh(items)
        start = _whole(data.get("offset"), self.received)
        self.received += len(items)
        nxt = data.get("next")
        if isinstance(nxt, str) and nxt:
            return self._same_origin(nxt, path), None
        limit = _whole(data.get("limit"), 0)
        total = _whole(data.get("total"), -1)
        if total >= 0:
            end = start + len(items)
            # Ask for full pages: the first request carried no limit, so it got the default.
            more = {"limit": max(limit, PAGE_SIZE), "offset": end}
            return (None, more) if end < total else None
        if "next" in data or fresh == 0 or len(items) < max(self.largest, limit):
            return None
        self.largest = max(self.largest, len(items))
        return None, {"limit": limit or PAGE_SIZE, "offset": self.received}

    def _count_fresh(self, items: list[Any]) -> int:
        ids = {str(i.get("voice_id")) for i in items if isinstance(i, Mapping)}
        fresh = len(ids - self.ids)
        self.ids |= ids
        return fresh

    def _same_origin(self, link: str, path: str) -> str:
        url = urljoin(self.base_url + "/", link)
        here, there = urlsplit(self.base_url), urlsplit(url)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise BadResponseError(
                f"the voice list's next link points to another origin "
                f"({there.scheme}://{there.netloc}); voicesync does not send the API key there",
                method="GET",
                path=path,
                hint="is the base URL right? a proxy may be rewriting the API's answers",
            )
        return url


def _whole(value: object, default: int) -> int:
    """``value`` when it is a whole number (not a bool), else ``default``."""
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok and isinstance(value, int) else default


def _never_sent(exc: BaseException) -> bool:
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


def _reason(text: str) -> str:
    for marker in ("Caused by ", "Max retries exceeded"):
        if marker in text:
            text = text.split(marker, 1)[-1]
    return text.strip(" ()'\"")[:200]


def _looks_html(response: requests.Response) -> bool:
    ctype = response.headers.get("Content-Type", "")
    return "html" in ctype or response.content[:200].lstrip().lower().startswith(b"<")


def _snippet(response: requests.Response) -> str:
    text = response.content[:300].decode("utf-8", "replace")
    return " ".join(text.split())[:160]


def _exchange_text(response: requests.Response, key: str) -> str:
    """One request and its answer for -vv output; the Authorization header is redacted."""
    request = response.request
    headers = {
        name: "Bearer <redacted>" if name.lower() == "authorization" else value
        for name, value in request.headers.items()
        if name.lower() != "content-type" or "multipart" not in value
    }
    elapsed_ms = response.elapsed.total_seconds() * 1000
    line = (
        f"http: {request.method} {request.url} -> {response.status_code} "
        f"({elapsed_ms:.0f} ms, {len(response.content)} bytes) request headers {headers}"
    )
    return _redact(line, key)


def _redact(text: str, key: str) -> str:
    return text.replace(key, "<redacted>") if key else text

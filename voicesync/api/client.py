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

import mimetypes
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from voicesync.api import pager as paging
from voicesync.api.pager import Pager, list_items
from voicesync.api.responses import (
    exchange_text,
    parse_json,
    read_capped,
    reason,
    redact,
    server_message,
)
from voicesync.api.retry import (
    RetryNotice,
    RetryPolicy,
    never_sent,
    retry_for,
    why_not_connected,
)
from voicesync.api.settings import Connection
from voicesync.api.upload import MultipartFile
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
from voicesync.model import MAX_SAMPLE_TEXT, RemoteVoice, Visibility, VoiceStatus

API_PREFIX = "/api/v1/tts"
CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
UPLOAD_READ_TIMEOUT_S = 300.0
_C = TypeVar("_C", bound="ReadOnlyClient")
AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg"}


@dataclass(frozen=True, slots=True)
class CloneAccepted:
    voice_id: str
    status: VoiceStatus


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
        self._session.headers["User-Agent"] = f"voicesync/{version('voicesync')}"
        self._session.headers["Accept"] = "application/json"
        adapter = HTTPAdapter(max_retries=retry_for(retry or RetryPolicy()), pool_maxsize=pool_size)
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
        first-party sends one); later pages follow what the answer says (see ``Pager``)."""
        path = f"{API_PREFIX}/voices"
        pager = Pager(self.base_url)
        step: tuple[str | None, dict[str, int] | None] | None = (None, None)
        for _ in range(paging.MAX_PAGES):
            assert step is not None
            url, params = step
            data = self._call("GET", path, params=params, url=url)
            items = list_items(data, path)
            yield from items
            step = pager.after(data, items, path)
            if step is None:
                return
        raise BadResponseError(
            f"the voice list did not end after {paging.MAX_PAGES} pages", method="GET", path=path
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
            read_capped(response, method, path)
        except requests.RequestException as exc:
            raise self._transport_error(exc, method, path) from None
        self._count(response, method, path)
        if self._debug is not None:
            self._debug(exchange_text(response, self._key))
        if response.status_code >= 400:
            # The path as it was really sent: a base URL with a path of its own shows here.
            raise self._http_error(response, method, urlsplit(response.url).path or path)
        if not response.content.strip():
            return None  # a 204, or an empty 200: the caller decides whether it needed a body
        return parse_json(response, method, path)

    def _count(self, response: requests.Response, method: str, path: str) -> None:
        retries = getattr(response.raw, "retries", None)
        history = getattr(retries, "history", ()) or ()
        for event in history:
            for listener in self.retry_listeners:
                listener(RetryNotice(method, path, event.status))

    def _transport_error(self, exc: requests.RequestException, method: str, path: str) -> ApiError:
        text = redact(str(exc), self._key)
        if never_sent(exc):
            return ConnectionFailedError(
                f"cannot connect to {self.base_url}: {why_not_connected(exc) or reason(text)}",
                method=method,
                path=path,
                hint="check the URL (--base-url, or VOICEAI_BASE_URL) and the network; "
                f"'curl -sS {self.base_url}{API_PREFIX}/voices' shows what answers there",
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

    def _http_error(self, response: requests.Response, method: str, path: str) -> ApiError:
        status = response.status_code
        message = redact(server_message(response), self._key)
        kind, default_hint = _ERRORS.get(status, (None, None))
        if kind is None:
            kind, default_hint = (
                (ServerError, "the service failed; try again later")
                if status >= 500
                else (ApiError, None)
            )
        hint = _path_hint(self.base_url) if status in (404, 405) else None
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
    413: (RejectedError, f"samples must be at most {MAX_SAMPLE_TEXT}"),
    422: (RejectedError, None),
    429: (RateLimitedError, "the API is rate limiting; wait a minute or lower --parallelism"),
}


def _voice_path(voice_id: str) -> str:
    """The path of one voice; the id is percent-encoded, so an odd id (a hand-edited state
    file) can never reach another path."""
    return f"{API_PREFIX}/voice/{quote(voice_id, safe='')}"

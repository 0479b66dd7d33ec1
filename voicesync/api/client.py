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

import copy
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from voicesync import __version__
from voicesync.api.failures import (
    API_PREFIX,
    gave_up_waiting,
    handed_back,
    http_error,
    past_deadline,
    transport_error,
)
from voicesync.api.guard import (
    CallGuard,
    DeadlinePassed,
    GuardedAdapter,
    HandedBack,
    WaitBudgetSpent,
    WaitNotice,
    guarded,
)
from voicesync.api.pager import LIST_CONCURRENCY, LIST_PATH, ListWalk
from voicesync.api.responses import (
    exchange_text,
    parse_json,
    read_capped,
    redact,
)
from voicesync.api.retry import (
    RetryNotice,
    RetryPolicy,
    retry_for,
)
from voicesync.api.settings import Connection
from voicesync.api.upload import MultipartFile
from voicesync.api.warmup import Warmer
from voicesync.audio import HEAD_BYTES, sniff
from voicesync.errors import (
    BadResponseError,
)
from voicesync.model import AudioFormat, RemoteVoice, Visibility, VoiceStatus

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
UPLOAD_READ_TIMEOUT_S = 300.0
_C = TypeVar("_C", bound="ReadOnlyClient")
AUDIO_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "m4a": "audio/mp4"}


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
        pool_size: int = 12,
        on_retry: Callable[[RetryNotice], None] | None = None,
        on_wait: Callable[[WaitNotice], None] | None = None,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.base_url = connection.base_url
        self.endpoint = connection.endpoint  # what state files record (see Connection)
        self.list_requests = 0  # what the last walk of the list cost (the waiter weighs it)
        self._debug = debug
        self._key = connection.api_key
        self._on_retry = on_retry
        # Told before each wait for a retry, so a long Retry-After is never silent.
        self._on_wait = on_wait
        self._policy = retry or RetryPolicy()
        self._session = requests.Session()
        self._session.auth = _BearerAuth(connection.api_key)
        self._session.headers["User-Agent"] = f"voicesync/{__version__}"
        self._session.headers["Accept"] = "application/json"
        self._warmer = Warmer(self._session, self.base_url, pool_size, CONNECT_TIMEOUT_S)
        adapter = GuardedAdapter(max_retries=retry_for(self._policy), pool_maxsize=pool_size)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    @property
    def policy(self) -> RetryPolicy:
        return self._policy

    def handing_back_refusals(self: _C) -> _C:
        """This client (its connections, key and listeners) with one difference: a 429 raises
        :class:`TryLaterError` at once instead of being waited out, so the caller can queue
        the work again and keep its threads busy (apply does). Closing either closes both."""
        other = copy.copy(self)
        other._policy = replace(self._policy, hand_back_refusals=True)
        return other

    def close(self) -> None:
        self._session.close()

    def warm(self, connections: int = LIST_CONCURRENCY) -> None:
        """Open up to ``connections`` more connections in the background, once per client:
        set-up only, no request, no key (see :mod:`voicesync.api.warmup`). Never fails."""
        self._warmer.warm(connections)

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------
    def list_voices(self, *, concurrency: int = LIST_CONCURRENCY) -> tuple[RemoteVoice, ...]:
        """Every voice the account can see, following any pagination to its end; up to
        ``concurrency`` pages at once once the list says how long it is."""
        seen: dict[str, RemoteVoice] = {}
        walk = ListWalk(self.base_url, lambda **kw: self._call("GET", LIST_PATH, **kw))
        for item in walk.items(concurrency):
            voice = self._voice(item, "GET", LIST_PATH)
            seen.setdefault(voice.voice_id, voice)
        self.list_requests = walk.requests
        return tuple(seen.values())

    def get_voice(self, voice_id: str) -> RemoteVoice:
        path = _voice_path(voice_id)
        return self._voice(self._call("GET", path), "GET", path)

    # -- plumbing shared with the writing client ---------------------------------------------
    def _voice(self, data: Any, method: str, path: str) -> RemoteVoice:
        if not isinstance(data, Mapping):
            raise BadResponseError("expected a voice object", method=method, path=path)
        try:
            voice = RemoteVoice.from_api(data)
        except ValueError as exc:
            raise BadResponseError(f"malformed voice: {exc}", method=method, path=path) from exc
        if self._key and (self._key in (voice.name or "") or self._key in voice.status_text):
            # A server that echoes the key into a name would have it printed, posted in a pull
            # request comment and saved in plan files: it never gets past this point.
            voice = replace(
                voice,
                name=redact(voice.name or "", self._key),
                status_text=redact(voice.status_text, self._key),
            )
        return voice

    def _call(
        self,
        method: str,
        path: str,
        *,
        url: str | None = None,
        upload: bool = False,
        binary: bool = False,
        **kwargs: Any,
    ) -> Any:
        timeout = (CONNECT_TIMEOUT_S, UPLOAD_READ_TIMEOUT_S if upload else READ_TIMEOUT_S)
        policy = self._policy
        guard = CallGuard(
            policy.upload_deadline_s if upload else policy.deadline_s,
            policy.rate_limit_wait_s,
            self._tell_wait,
            policy.hand_back_refusals,
        )
        try:
            with guarded(guard):
                response = self._session.request(
                    method, url or self.base_url + path, timeout=timeout, stream=True, **kwargs
                )
                read_capped(response, method, path)
        except HandedBack as refusal:
            raise handed_back(refusal, method, path) from None
        except WaitBudgetSpent as spent:
            raise gave_up_waiting(spent, policy.rate_limit_wait_s, method, path) from None
        except (DeadlinePassed, requests.RequestException) as exc:
            if guard.expired:
                raise past_deadline(guard.deadline_s, method, path) from None
            if isinstance(exc, DeadlinePassed):  # pragma: no cover - only raised once expired
                raise
            raise transport_error(exc, self.base_url, self._key, method, path) from None
        self._count(response, method, path)
        if self._debug is not None:
            self._debug(exchange_text(response, self._key))
        if response.status_code >= 400:
            # The path as it was really sent: a base URL with a path of its own shows here.
            raise http_error(
                response, self.base_url, self._key, method, urlsplit(response.url).path or path
            )
        if binary:
            return response
        if not response.content.strip():
            return None  # a 204, or an empty 200: the caller decides whether it needed a body
        return parse_json(response, method, path)

    def _count(self, response: requests.Response, method: str, path: str) -> None:
        retries = getattr(response.raw, "retries", None)
        history = getattr(retries, "history", ()) or ()
        if self._on_retry is not None:
            for event in history:
                self._on_retry(RetryNotice(method, path, event.status))

    def _tell_wait(self, notice: WaitNotice) -> None:
        if self._on_wait is not None:
            self._on_wait(notice)


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
                upload=True,
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

    def speak(
        self, voice_id: str, text: str, *, audio_format: str = "mp3", language: str | None = None
    ) -> bytes:
        """What the voice says ``text`` as, in ``audio_format`` (generate-speech)."""
        body: dict[str, str] = {"text": text, "voice_id": voice_id, "audio_format": audio_format}
        if language:
            body["language"] = language
        path = f"{API_PREFIX}/speech"
        response: requests.Response = self._call("POST", path, json=body, binary=True)
        audio = response.content
        problem = speech_problem(response.headers.get("Content-Type", ""), audio, audio_format)
        if problem is not None:
            raise BadResponseError(f"the speech answer {problem}", method="POST", path=path)
        return audio


# The container each generate-speech audio_format family answers in (pcm_* has no header).
_SPEECH_FORMATS = {"mp3": AudioFormat.MP3, "wav": AudioFormat.WAV, "opus": AudioFormat.OGG}


def speech_problem(content_type: str, audio: bytes, audio_format: str) -> str | None:
    """Why an answer to generate-speech is not the audio asked for (a 200 with a JSON error
    or an HTML page is not speech), or None."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if not audio:
        return "holds no audio"
    if kind and not (kind.startswith("audio/") or kind == "application/octet-stream"):
        return f"is {kind}, not audio"
    family = audio_format.split("_", maxsplit=1)[0]
    expected = _SPEECH_FORMATS.get(family)
    if expected is not None and sniff(audio[:HEAD_BYTES]) is not expected:
        return f"does not start as {family.upper()} audio does"
    return None


def _voice_path(voice_id: str) -> str:
    """The path of one voice; the id is percent-encoded, so an odd id (a hand-edited state
    file) can never reach another path."""
    return f"{API_PREFIX}/voice/{quote(voice_id, safe='')}"

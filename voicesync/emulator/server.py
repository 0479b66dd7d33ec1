"""An HTTP server that behaves like the voice.ai voice-management API (voiceai-api.md).

Default behaviour is the first-party one (bare-array list, ``voice_visibility``, clone answers
PENDING, ``{"detail": ...}`` errors); :class:`Dialect` switches on each documented variant so
clients can be tested against all of them. Admin endpoints under ``/_emulator/`` (no auth, no
faults) let tests and the soak inspect what the service really holds and every request it got.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from voicesync.emulator import audio
from voicesync.emulator.faults import Fault, FaultConfig, FaultInjector
from voicesync.emulator.store import (
    CATALOG_OWNER,
    OTHER_OWNER,
    ServiceError,
    StoredVoice,
    Timing,
    VoiceStore,
)

MAX_SAMPLE_BYTES = 7_500_000
MAX_BODY_BYTES = 32 * 1024 * 1024  # larger bodies are refused without being read
MAX_SPEECH_CHARS = 5000
MAX_PAGE_SIZE = 100
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "pl", "ru", "nl", "sv", "ca")
VISIBILITIES = ("PUBLIC", "PRIVATE")
API = "/api/v1/tts"
JsonBody = dict[str, Any] | list[Any]


@dataclass(frozen=True, slots=True)
class Dialect:
    """Which of the documented variants the service speaks."""

    list_shape: str = "array"  # array | object | paged | paged-next | capped
    page_size: int = 10  # when the client asks for no limit
    max_page_size: int = MAX_PAGE_SIZE  # the most one page holds, whatever the client asks
    visibility_field: str = "voice_visibility"  # or "visibility" (third-party manifest)
    clone_status: str = "PENDING"  # or "PROCESSING" (third-party manifest)
    delete_shape: str = "first_party"  # {"status": "deleted", ...} or third_party {"success": ...}
    # fastapi: {"detail": msg}; official: ErrorResponse {"error", "detail", "code": str}
    error_shape: str = "fastapi"
    accept_put: bool = False  # the n8n node updates with PUT; the docs and the SDK use PATCH
    extra_fields: bool = False  # language, created_at, updated_at on voice objects
    include_catalog: bool = True  # list shows the default/public catalog voices too (SDK)
    # Hazards a real service may show; each is a way voicesync could misread the account.
    list_public: bool = False  # list shows other accounts' PUBLIC voices (readable, 403 on change)
    list_lag_s: float = 0.0  # a new voice shows in the list only this long after its creation
    list_omits_processing: bool = False  # the list leaves out PENDING/PROCESSING voices

    @classmethod
    def third_party(cls) -> Dialect:
        return cls(
            list_shape="paged", visibility_field="visibility", clone_status="PROCESSING",
            delete_shape="third_party", error_shape="official", extra_fields=True,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    api_key: str | None = None  # None: any non-empty key is an account of its own
    timing: Timing = field(default_factory=Timing)
    dialect: Dialect = field(default_factory=Dialect)
    faults: FaultConfig = field(default_factory=FaultConfig)
    catalog_voices: int = 0
    public_voices: int = 0  # PUBLIC voices of another account (listed with Dialect.list_public)
    max_voices: int = 0
    seed: int = 0
    state_path: Path | None = None
    access_log: bool = False


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    stream: bool = False


def _json(status: int, payload: JsonBody) -> Response:
    return Response(status, json.dumps(payload).encode())


def account_of(key: str) -> str:
    """Accounts are keyed by a hash so the emulator's own state never holds a key."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Emulator:
    """The emulated service; start() serves it from a daemon thread on loopback."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.dialect = self.config.dialect
        self.store = VoiceStore(
            timing=self.config.timing, max_voices=self.config.max_voices,
            seed=self.config.seed, state_path=self.config.state_path, clock=clock,
        )  # fmt: skip
        self.faults = FaultInjector(self.config.faults)
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._seed_catalog(self.config.catalog_voices)
        self._seed_public(self.config.public_voices)
        self.httpd = _Server((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Emulator:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- request log ----------------------------------------------------------------------
    def record(self, entry: dict[str, Any]) -> None:
        with self._log_lock:
            entry["seq"] = len(self._log) + 1
            self._log.append(entry)

    def requests(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return [dict(e) for e in self._log]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def set_faults(self, faults: FaultConfig) -> None:
        self.faults.configure(faults)

    def _seed_catalog(self, count: int) -> None:
        existing = sum(1 for v in self.store.all_voices() if v.owner == CATALOG_OWNER)
        for i in range(existing, count):
            self.store.seed_voice(CATALOG_OWNER, name=f"Catalog Voice {i + 1}")

    def _seed_public(self, count: int) -> None:
        existing = sum(1 for v in self.store.all_voices() if v.owner == OTHER_OWNER)
        for i in range(existing, count):
            self.store.seed_voice(OTHER_OWNER, name=f"Community Voice {i + 1}")

    # -- rendering ------------------------------------------------------------------------
    def voice_json(self, voice: StoredVoice) -> dict[str, Any]:
        status = self.store.status_of(voice)
        if status == "PENDING" and self.dialect.clone_status == "PROCESSING":
            status = "PROCESSING"
        out: dict[str, Any] = {
            "voice_id": voice.voice_id,
            "name": voice.name,
            self.dialect.visibility_field: voice.visibility,
            "status": status,
        }
        if self.dialect.extra_fields:
            out["language"] = voice.language
            out["created_at"] = _iso(voice.created_at)
            out["updated_at"] = _iso(voice.updated_at)
        return out

    def error(self, status: int, message: str, field_name: str | None = None) -> Response:
        if status == 422:
            loc = ["body", field_name] if field_name else ["body"]
            return _json(422, {"detail": [{"loc": loc, "msg": message, "type": "value_error"}]})
        if self.dialect.error_shape == "official":
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            return _json(status, {"error": reason or message, "detail": message,
                                  "code": str(status)})  # fmt: skip
        return _json(status, {"detail": message})

    # -- API operations -------------------------------------------------------------------
    def clone(self, owner: str, content_type: str, body: bytes) -> Response:
        form = _clone_form(content_type, body)
        sample = form.get("file")
        if not isinstance(sample, bytes):
            raise ServiceError(422, "Field required", field_name="file")
        if len(sample) > MAX_SAMPLE_BYTES:
            raise ServiceError(422, "File too large: the maximum is 7.5MB", field_name="file")
        kind = audio.sniff(sample)
        if kind is None:
            raise ServiceError(
                422, "Unsupported audio format: use MP3, WAV or OGG", field_name="file"
            )
        visibility = _text_field(form, "voice_visibility") or "PUBLIC"
        language = _text_field(form, "language") or "en"
        if visibility not in VISIBILITIES:
            raise ServiceError(
                422, "Input should be 'PUBLIC' or 'PRIVATE'", field_name="voice_visibility"
            )
        if language not in LANGUAGES:
            raise ServiceError(422, f"Unsupported language '{language}'", field_name="language")
        voice = self.store.clone(
            owner, name=_text_field(form, "name"), visibility=visibility, language=language,
            sample=sample, clonable=audio.clonable(kind, sample),
            sha256=hashlib.sha256(sample).hexdigest(),
        )  # fmt: skip
        return _json(200, {"voice_id": voice.voice_id, "status": self.dialect.clone_status})

    def listed(self, owner: str) -> list[StoredVoice]:
        """What a list shows the account, hazards included (lag, omitted processing voices)."""
        dialect = self.dialect
        voices = self.store.listing(
            owner, include_catalog=dialect.include_catalog, include_public=dialect.list_public
        )
        if dialect.list_lag_s:
            shown_before = self.store.clock() - dialect.list_lag_s
            voices = [v for v in voices if v.created_at <= shown_before]
        if dialect.list_omits_processing:
            voices = [v for v in voices if self.store.status_of(v) in ("AVAILABLE", "FAILED")]
        return voices

    def list_voices(self, owner: str, query: dict[str, list[str]]) -> Response:
        voices = self.listed(owner)
        shape = self.dialect.list_shape
        if shape == "array":
            return _json(200, [self.voice_json(v) for v in voices])
        if shape == "object":
            return _json(200, {"voices": [self.voice_json(v) for v in voices]})
        visibility = query.get("visibility", [None])[0]
        if visibility in VISIBILITIES:
            voices = [v for v in voices if v.visibility == visibility]
        limit = min(_int_param(query, "limit", self.dialect.page_size), self.dialect.max_page_size)
        offset = _int_param(query, "offset", 0)
        page = [self.voice_json(v) for v in voices[offset : offset + max(limit, 1)]]
        if shape == "capped":  # honours limit/offset up to a cap, and says nothing about the rest
            return _json(200, {"voices": page})
        if shape == "paged-next":
            more = offset + limit < len(voices)
            nxt = f"{API}/voices?limit={limit}&offset={offset + limit}" if more else None
            return _json(200, {"voices": page, "next": nxt})
        return _json(200, {"voices": page, "total": len(voices), "limit": limit, "offset": offset})

    def get_voice(self, owner: str, voice_id: str) -> Response:
        return _json(200, self.voice_json(self.store.get(owner, voice_id)))

    def update_voice(self, owner: str, voice_id: str, body: bytes) -> Response:
        data = _json_object(body)
        name, visibility = data.get("name"), data.get("voice_visibility")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ServiceError(422, "Input should be a non-empty string", field_name="name")
        if visibility is not None and visibility not in VISIBILITIES:
            raise ServiceError(
                422, "Input should be 'PUBLIC' or 'PRIVATE'", field_name="voice_visibility"
            )
        voice = self.store.update(owner, voice_id, name=name, visibility=visibility)
        return _json(200, self.voice_json(voice))

    def delete_voice(self, owner: str, voice_id: str) -> Response:
        self.store.delete(owner, voice_id)
        if self.dialect.delete_shape == "third_party":
            return _json(200, {"success": True, "message": "Voice deleted successfully"})
        return _json(200, {"status": "deleted", "voice_id": voice_id})

    def speech(self, owner: str, body: bytes, *, stream: bool) -> Response:
        data = _json_object(body)
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise ServiceError(422, "Field required", field_name="text")
        if len(text) > MAX_SPEECH_CHARS:
            raise ServiceError(400, f"Text too long: at most {MAX_SPEECH_CHARS} characters")
        voice_id = data.get("voice_id")
        if voice_id is not None:
            voice = self.store.get(owner, str(voice_id))
            if self.store.status_of(voice) != "AVAILABLE":
                raise ServiceError(404, "Voice not found or not available")
        fmt = str(data.get("audio_format") or "mp3")
        if fmt.startswith("mp3"):
            return Response(200, audio.silent_mp3(), "audio/mpeg", stream=stream)
        if fmt.startswith("wav"):
            return Response(200, audio.tone_wav(), "audio/wav", stream=stream)
        if fmt.startswith("pcm"):
            return Response(200, audio.tone_wav()[44:], "audio/pcm", stream=stream)
        raise ServiceError(422, f"Unsupported audio_format '{fmt}'", field_name="audio_format")

    # -- admin ----------------------------------------------------------------------------
    def admin(self, method: str, path: str, headers: Any, body: bytes) -> Response:
        if path == "/_emulator/requests" and method == "GET":
            return _json(200, self.requests())
        if path == "/_emulator/requests" and method == "DELETE":
            self.clear_requests()
            return _json(200, {"cleared": True})
        if path == "/_emulator/voices" and method == "GET":
            rows = [
                asdict(v) | {"status": self.store.status_of(v)} for v in self.store.all_voices()
            ]
            return _json(200, rows)
        if path == "/_emulator/voices" and method == "POST":
            data = _json_object(body)
            owner = {"catalog": CATALOG_OWNER, "other": OTHER_OWNER}.get(
                str(data.get("owner")), _owner(headers)
            )
            if owner is None:
                raise ServiceError(401, "Seeding an account voice needs its Authorization header")
            voice = self.store.seed_voice(
                owner, name=data.get("name"), visibility=data.get("voice_visibility", "PRIVATE"),
                ready=bool(data.get("ready", True)), clonable=bool(data.get("clonable", True)),
            )  # fmt: skip
            return _json(200, self.voice_json(voice))
        if path == "/_emulator/faults" and method == "PUT":
            try:
                self.set_faults(FaultConfig.from_dict(_json_object(body)))
            except (TypeError, ValueError) as exc:
                raise ServiceError(400, str(exc)) from exc
            return _json(200, asdict(self.faults.config))
        raise ServiceError(404, "Not Found")


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _owner(headers: Any) -> str | None:
    auth = headers.get("Authorization") or ""
    scheme, _, key = auth.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return account_of(key.strip())


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return max(int(query[name][0]), 0)
    except (KeyError, ValueError, IndexError):
        return default


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise ServiceError(422, "JSON decode error") from exc
    if not isinstance(data, dict):
        raise ServiceError(422, "Input should be a valid dictionary")
    return data


def _text_field(form: dict[str, bytes | str], name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value or None


def _clone_form(content_type: str, body: bytes) -> dict[str, bytes | str]:
    if content_type.startswith("application/json"):
        data = _json_object(body)
        encoded = data.get("base64_audio")
        if not isinstance(encoded, str):
            raise ServiceError(422, "Field required", field_name="base64_audio")
        if len(encoded) > 7_500_000:
            raise ServiceError(422, "base64_audio too long", field_name="base64_audio")
        try:
            sample = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ServiceError(422, "Invalid base64", field_name="base64_audio") from exc
        form: dict[str, bytes | str] = {"file": sample}
        form.update({k: str(data[k]) for k in ("name", "voice_visibility") if data.get(k)})
        return form
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise ServiceError(422, "Expected multipart/form-data", field_name="file")
    return parse_multipart(body, match.group(1).encode())


def parse_multipart(body: bytes, boundary: bytes) -> dict[str, bytes | str]:
    """Split a multipart/form-data body; file parts stay bytes, other parts become text."""
    form: dict[str, bytes | str] = {}
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            raise ServiceError(422, "Malformed multipart body")
        content = content.removesuffix(b"\r\n")
        disposition = head.decode("latin-1")
        name = re.search(r'name="([^"]*)"', disposition)
        if name is None:
            continue
        is_file = "filename=" in disposition
        form[name.group(1)] = content if is_file else content.decode("utf-8", "replace")
    return form


_ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(rf"^{API}/clone-voice$"), "clone"),
    ("GET", re.compile(rf"^{API}/voices$"), "list"),
    ("GET", re.compile(rf"^{API}/voice/(?P<id>[^/]+)$"), "get"),
    ("PATCH", re.compile(rf"^{API}/voice/(?P<id>[^/]+)$"), "update"),
    ("PUT", re.compile(rf"^{API}/voice/(?P<id>[^/]+)$"), "update"),
    ("DELETE", re.compile(rf"^{API}/voice/(?P<id>[^/]+)$"), "delete"),
    ("POST", re.compile(rf"^{API}/speech$"), "speech"),
    ("POST", re.compile(rf"^{API}/speech/stream$"), "stream"),
)
_WRITES = frozenset({"clone", "update", "delete"})
_HTML_PAGE = (
    "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1>"
    "</center><hr><center>nginx</center></body></html>"
)


def _route(method: str, path: str, *, accept_put: bool = False) -> tuple[str, str | None] | None:
    """(operation, voice_id) for a known method and path; ('', None) for a wrong method. Path
    parameters are percent-decoded, as Starlette does."""
    path_known = False
    for route_method, pattern, operation in _ROUTES:
        match = pattern.match(path)
        if match is None:
            continue
        path_known = True
        if route_method == method and (method != "PUT" or accept_put):
            voice_id = match.groupdict().get("id")
            return operation, unquote(voice_id) if voice_id is not None else None
    return ("", None) if path_known else None


def _slash_redirect(path: str, query: str) -> str | None:
    """Where Starlette's redirect_slashes sends a known path written with a trailing slash."""
    bare = path.rstrip("/")
    if path == bare or (_route("GET", bare) is None and _route("POST", bare) is None):
        return None
    return bare + (f"?{query}" if query else "")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # a client hanging up is no news


class _IncompleteBody(Exception):
    """The connection closed before the announced body arrived."""

    def __init__(self, received: bytes) -> None:
        super().__init__("incomplete body")
        self.received = received


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "voicesync-emulator"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK stall every answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def app(self) -> Emulator:
        app: Emulator = self.server.emulator  # type: ignore[attr-defined]
        return app

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        if self.app.config.access_log:
            super().log_message(format, *args)

    # -- plumbing -------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            body = self._read_body()
        except _IncompleteBody as cut:
            self.close_connection = True  # the client gave up mid-request
            if not self.app.faults.config.accept_truncated_bodies:
                return  # nothing happens, as on a careful server
            body = cut.received
        if body is None:
            self._send(self.app.error(413, "Request body too large"))
            self.close_connection = True
            return
        if url.path.startswith("/_emulator/"):
            self._send(self._guard(lambda: self.app.admin(method, url.path, self.headers, body)))
            return
        redirect = _slash_redirect(url.path, url.query)
        if redirect is not None:
            self._send(Response(307, b"", headers=(("Location", redirect),)))
            return
        route = _route(method, url.path, accept_put=self.app.dialect.accept_put)
        operation = route[0] if route else ""
        entry: dict[str, Any] = {
            "method": method, "path": url.path, "query": url.query, "operation": operation,
        }  # fmt: skip
        fault = self.app.faults.decide(is_write=operation in _WRITES, operation=operation)
        if self.app.faults.config.latency_s:
            time.sleep(self.app.faults.config.latency_s)
        if fault in (Fault.RATE_LIMIT, Fault.SERVER_ERROR, Fault.DROP):
            self._inject(fault, entry)
            return
        if operation in _WRITES and self.app.faults.config.commit_delay_s:
            time.sleep(self.app.faults.config.commit_delay_s)  # the client may be gone by now
        response = self._guard(lambda: self._operate(method, url, route, body))
        entry |= {"status": response.status, "fault": None}
        if fault is Fault.LOSE and operation in _WRITES:
            entry["fault"] = "lost"
            self.app.record(entry)
            self._drop()
            return
        if fault is Fault.COMMIT_ERROR and operation in _WRITES:
            self.app.record(entry | {"fault": "committed_then_500"})
            self._send(self.app.error(500, "Internal Server Error"))
            return
        self.app.record(entry)
        if operation in _WRITES and self.app.faults.config.reply_delay_s:
            time.sleep(self.app.faults.config.reply_delay_s)
        self._send(response)

    def _operate(
        self, method: str, url: Any, route: tuple[str, str | None] | None, body: bytes
    ) -> Response:
        if route is None:
            return self.app.error(404, "Not Found")
        operation, voice_id = route
        if not operation:
            return self.app.error(405, "Method Not Allowed")
        owner = _owner(self.headers)
        key = (self.headers.get("Authorization") or "").partition(" ")[2].strip()
        required = self.app.config.api_key
        if owner is None or (required is not None and key != required):
            return self.app.error(401, "Invalid or missing API key")
        if operation == "clone":
            return self.app.clone(owner, self.headers.get("Content-Type", ""), body)
        if operation == "list":
            return self.app.list_voices(owner, parse_qs(url.query))
        if operation in ("speech", "stream"):
            return self.app.speech(owner, body, stream=operation == "stream")
        assert voice_id is not None
        if operation == "get":
            return self.app.get_voice(owner, voice_id)
        if operation == "update":
            return self.app.update_voice(owner, voice_id, body)
        return self.app.delete_voice(owner, voice_id)

    def _guard(self, action: Callable[[], Response]) -> Response:
        try:
            return action()
        except ServiceError as exc:
            return self.app.error(exc.status, exc.message, exc.field_name)

    def _inject(self, fault: Fault, entry: dict[str, Any]) -> None:
        cfg = self.app.faults.config
        if fault is Fault.DROP:
            self.app.record(entry | {"status": None, "fault": "dropped"})
            self._drop()
            return
        status = 429 if fault is Fault.RATE_LIMIT else self.app.faults.server_error_status()
        self.app.record(entry | {"status": status, "fault": fault.value})
        headers: tuple[tuple[str, str], ...] = ()
        if status == 429 and cfg.retry_after_s is not None:
            headers = (("Retry-After", str(cfg.retry_after_s)),)
        if cfg.html_errors:
            reason = self.responses.get(status, ("Error",))[0]
            page = _HTML_PAGE.format(code=status, reason=reason).encode()
            self._send(Response(status, page, "text/html", headers))
            return
        message = "Rate limit exceeded" if status == 429 else "Internal Server Error"
        self._send(replace(self.app.error(status, message), headers=headers))

    def _drop(self) -> None:
        self.close_connection = True
        self.wfile.flush()
        self.connection.close()

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise _IncompleteBody(body)
        return body

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise _IncompleteBody(b"".join([*parts, chunk]))
            parts.append(chunk)
            self.rfile.readline()

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stream:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(response.body), 4096):
                chunk = response.body[start : start + 4096]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

"""HTTP for the emulated service: routing as Starlette does, faults injected per request."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from voicesync.emulator.admin import RequestLog, admin
from voicesync.emulator.faults import Fault, FaultInjector
from voicesync.emulator.operations import Service
from voicesync.emulator.voices import ServiceError
from voicesync.emulator.wire import API, MAX_BODY_BYTES, Response, owner_of


@dataclass(frozen=True, slots=True)
class App:
    """What a request handler reaches: the service, its faults, the log and the settings."""

    service: Service
    faults: FaultInjector
    log: RequestLog
    api_key: str | None
    access_log: bool
    # Sees every answer (method, raw path, response) before it is sent: tests check them all.
    observe: Callable[[str, str, Response], None] | None = None


ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = (
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
    for route_method, pattern, operation in ROUTES:
        match = pattern.match(path)
        if match is None:
            continue
        path_known = True
        if route_method == method and (method != "PUT" or accept_put):
            voice_id = match.groupdict().get("id")
            return operation, unquote(voice_id) if voice_id is not None else None
    return ("", None) if path_known else None


def injected_answer(app: App, fault: Fault, entry: dict[str, Any]) -> Response:
    """The 429 or 5xx a fault puts in place of the real answer (JSON, or a proxy's page)."""
    cfg = app.faults.config
    status = 429 if fault is Fault.RATE_LIMIT else app.faults.server_error_status()
    app.log.record(entry | {"status": status, "fault": fault.value})
    headers: tuple[tuple[str, str], ...] = ()
    if status == 429 and cfg.retry_after_s is not None:
        headers = (("Retry-After", str(cfg.retry_after_s)),)
    if cfg.html_errors:
        reason = BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]
        page = _HTML_PAGE.format(code=status, reason=reason).encode()
        return Response(status, page, "text/html", headers)
    message = "Rate limit exceeded" if status == 429 else "Internal Server Error"
    return replace(app.service.error(status, message), headers=headers)


def allowed_methods(path: str, *, accept_put: bool = False) -> list[str]:
    """The methods a known path answers, for a 405's Allow header (as Starlette sends it)."""
    return [
        method
        for method, pattern, _ in ROUTES
        if pattern.match(path) and (method != "PUT" or accept_put)
    ]


def _slash_redirect(path: str, query: str) -> str | None:
    """Where Starlette's redirect_slashes sends a known path written with a trailing slash."""
    bare = path.rstrip("/")
    if path == bare or (_route("GET", bare) is None and _route("POST", bare) is None):
        return None
    return bare + (f"?{query}" if query else "")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # a client hanging up is no news


class IncompleteBody(Exception):
    """The connection closed before the announced body arrived."""

    def __init__(self, received: bytes) -> None:
        super().__init__("incomplete body")
        self.received = received


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "voicesync-emulator"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK stall every answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def app(self) -> App:
        app: App = self.server.app  # type: ignore[attr-defined]
        return app

    def _any_method(self) -> None:
        self._dispatch(self.command)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any_method

    def __getattr__(self, name: str) -> Any:
        # FastAPI answers any other method on a known path 405 (HEAD, OPTIONS, QUERY, ...),
        # where http.server would answer 501.
        if name.startswith("do_"):
            return self._any_method
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        if self.app.access_log:
            super().log_message(format, *args)

    # -- plumbing -------------------------------------------------------------------------
    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            body = read_body(self.headers, self.rfile)
        except IncompleteBody as cut:
            self.close_connection = True  # the client gave up mid-request
            if not self.app.faults.config.accept_truncated_bodies:
                return  # nothing happens, as on a careful server
            body = cut.received
        if body is None:
            self._send(self.app.service.error(413, "Request body too large"))
            self.close_connection = True
            return
        if url.path.startswith("/_emulator/"):
            app, headers = self.app, self.headers
            self._send(self._guard(lambda: _admin(app, method, url.path, headers, body)))
            return
        redirect = _slash_redirect(url.path, url.query)
        if redirect is not None:
            self._send(Response(307, b"", headers=(("Location", redirect),)))
            return
        route = _route(method, url.path, accept_put=self.app.service.dialect.accept_put)
        operation = route[0] if route else ""
        entry: dict[str, Any] = {
            "method": method,
            "path": url.path,
            "query": url.query,
            "operation": operation,
            "in_flight": self.app.log.arrived(),
            "at": time.time(),  # when it arrived (seconds since the epoch)
        }
        try:
            self._serve(method, url, route, body, entry)
        finally:
            self.app.log.departed()

    def _serve(self, method: str, url: Any, route: Any, body: bytes, entry: dict[str, Any]) -> None:
        operation = entry["operation"]
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
            self.app.log.record(entry)
            self._drop()
            return
        if fault is Fault.COMMIT_ERROR and operation in _WRITES:
            self.app.log.record(entry | {"fault": "committed_then_500"})
            self._send(self.app.service.error(500, "Internal Server Error"))
            return
        self.app.log.record(entry)
        if operation in _WRITES and self.app.faults.config.reply_delay_s:
            time.sleep(self.app.faults.config.reply_delay_s)
        self._send(response)

    def _operate(
        self, method: str, url: Any, route: tuple[str, str | None] | None, body: bytes
    ) -> Response:
        if route is None:
            return self.app.service.error(404, "Not Found")
        operation, voice_id = route
        if not operation:
            allowed = allowed_methods(url.path, accept_put=self.app.service.dialect.accept_put)
            refused = self.app.service.error(405, "Method Not Allowed")
            return replace(refused, headers=(("Allow", ", ".join(allowed)),))
        owner = owner_of(self.headers)
        key = (self.headers.get("Authorization") or "").partition(" ")[2].strip()
        required = self.app.api_key
        if owner is None or (required is not None and key != required):
            return self.app.service.error(401, "Invalid or missing API key")
        if operation == "clone":
            return self.app.service.clone(owner, self.headers.get("Content-Type", ""), body)
        if operation == "list":
            return self.app.service.list_voices(owner, parse_qs(url.query))
        if operation in ("speech", "stream"):
            return self.app.service.speech(owner, body, stream=operation == "stream")
        assert voice_id is not None
        if operation == "get":
            return self.app.service.get_voice(owner, voice_id)
        if operation == "update":
            return self.app.service.update_voice(owner, voice_id, body)
        return self.app.service.delete_voice(owner, voice_id)

    def _guard(self, action: Callable[[], Response]) -> Response:
        try:
            return action()
        except ServiceError as exc:
            return self.app.service.error(exc.status, exc.message, exc.field_name)
        except Exception:  # a bug of the emulator: answered 500, as FastAPI does, not dropped
            return self.app.service.error(500, "Internal Server Error")

    def _inject(self, fault: Fault, entry: dict[str, Any]) -> None:
        if fault is Fault.DROP:
            self.app.log.record(entry | {"status": None, "fault": "dropped"})
            self._drop()
            return
        self._send(injected_answer(self.app, fault, entry))

    def _drop(self) -> None:
        self.close_connection = True
        self.wfile.flush()
        self.connection.close()

    def _send(self, response: Response) -> None:
        if self.app.observe is not None and not self.path.startswith("/_emulator/"):
            self.app.observe(self.command, self.path, response)
        write_response(self, response)


def _admin(app: App, method: str, path: str, headers: Any, body: bytes) -> Response:
    return admin(method, path, headers, body, log=app.log, service=app.service, faults=app.faults)


def read_body(headers: Any, rfile: BufferedIOBase) -> bytes | None:
    """The request body; None when it is larger than the service reads."""
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        return _read_chunked(rfile)
    length = int(headers.get("Content-Length") or 0)
    if length > MAX_BODY_BYTES:
        return None
    body = rfile.read(length) if length else b""
    if len(body) < length:
        raise IncompleteBody(body)
    return body


def _read_chunked(rfile: BufferedIOBase) -> bytes | None:
    parts: list[bytes] = []
    total = 0
    while True:
        size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
        if size == 0:
            rfile.readline()
            return b"".join(parts)
        total += size
        if total > MAX_BODY_BYTES:
            return None
        chunk = rfile.read(size)
        if len(chunk) < size:
            raise IncompleteBody(b"".join([*parts, chunk]))
        parts.append(chunk)
        rfile.readline()


def write_response(handler: BaseHTTPRequestHandler, response: Response) -> None:
    handler.send_response(response.status)
    handler.send_header("Content-Type", response.content_type)
    for name, value in response.headers:
        handler.send_header(name, value)
    if response.stream:
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(response.body), 4096):
            chunk = response.body[start : start + 4096]
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
        return
    handler.send_header("Content-Length", str(len(response.body)))
    handler.end_headers()
    if handler.command != "HEAD":  # an answer to HEAD has headers only
        handler.wfile.write(response.body)

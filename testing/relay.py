"""A TCP relay on 127.0.0.1 that records each connection it carries: when it was opened, when
its first byte came and how many bytes the client sent. What the client does with connections
(opens them early, reuses them, sends nothing on them) shows here, and only here.

Given an ``ssl.SSLContext`` it is a TLS front (TLS 1.3 by default: the server sends session
tickets after the handshake, as real ones do). ``garble`` names a request line prefix: the first
answer to such a request is replaced by a broken TLS record once the server has answered it (a
middlebox or a TLS terminator failing after the server committed the call)."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass
class Carried:
    opened_at: float  # time.time(), as the emulator's request log
    first_byte_at: float | None = None
    sent: int = 0  # bytes from the client


class Relay:
    def __init__(
        self,
        target_port: int,
        *,
        tls: ssl.SSLContext | None = None,
        garble: bytes = b"",
        slow_handshakes: int = 0,
        handshake_delay_s: float = 0.0,
        failed_handshakes: int = 0,
    ) -> None:
        self.target_port = target_port
        self.tls, self.garble, self.garbled = tls, garble, 0
        # The first ``slow_handshakes`` connections' TLS handshakes take this much longer.
        self.slow_handshakes, self.handshake_delay_s = slow_handshakes, handshake_delay_s
        self.failed_handshakes = failed_handshakes  # the first ones: closed before the handshake
        self.connections: list[Carried] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @classmethod
    def before(cls, url: str, **options: Any) -> Relay:
        """A relay in front of the server at ``url`` (http://127.0.0.1:PORT)."""
        return cls(int(url.rsplit(":", 1)[1]), **options)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> None:
        """Until ``count`` connections were opened (bounded)."""
        deadline = time.monotonic() + timeout_s
        while len(self.connections) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            carried = Carried(time.time())
            with self._lock:
                self.connections.append(carried)
                self._sockets.append(client)
                slow = len(self.connections) <= self.slow_handshakes
                if len(self.connections) <= self.failed_handshakes:
                    client.close()  # the client's TLS set-up meets EOF: nothing was sent
                    continue
            args = (client, carried, slow)
            threading.Thread(target=self._carry, args=args, daemon=True).start()

    def _carry(self, client: socket.socket, carried: Carried, slow: bool) -> None:
        if self.tls is not None:
            if slow:
                time.sleep(self.handshake_delay_s)
            client.settimeout(10)
            try:
                client = self.tls.wrap_socket(client, server_side=True)
            except (OSError, ssl.SSLError):
                return
            client.settimeout(None)
        server = socket.create_connection(("127.0.0.1", self.target_port))
        with self._lock:
            self._sockets += [client, server]
        asked: list[bytes] = [b""]  # the last request line the client sent
        threading.Thread(target=self._answer, args=(server, client, asked), daemon=True).start()
        self._pipe(client, server, carried, asked)

    def _pipe(
        self, source: socket.socket, sink: socket.socket, carried: Carried, asked: list[bytes]
    ) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if carried.first_byte_at is None:
                    carried.first_byte_at = time.time()
                carried.sent += len(data)
                if data[:7] in (b"GET /ap", b"POST /a", b"PATCH /", b"DELETE ", b"PUT /ap"):
                    asked[0] = data
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _answer(self, source: socket.socket, sink: socket.socket, asked: list[bytes]) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if self.garble and asked[0].startswith(self.garble) and not self.garbled:
                    self.garbled += 1  # the server answered (committed): break the answer
                    socket.socket.send(sink, b"\x17\x03\x03\x00\x20" + os.urandom(32))
                    time.sleep(0.2)
                    socket.socket.close(sink)
                    return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

"""A TCP relay on 127.0.0.1 that records each connection it carries: when it was opened, when
its first byte came and how many bytes the client sent. What the client does with connections
(opens them early, reuses them, sends nothing on them) shows here, and only here."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass


@dataclass
class Carried:
    opened_at: float  # time.time(), as the emulator's request log
    first_byte_at: float | None = None
    sent: int = 0  # bytes from the client


class Relay:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections: list[Carried] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

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
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self.connections.append(carried)
                self._sockets += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, carried), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, None), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, carried: Carried | None) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if carried is not None:
                    if carried.first_byte_at is None:
                        carried.first_byte_at = time.time()
                    carried.sent += len(data)
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

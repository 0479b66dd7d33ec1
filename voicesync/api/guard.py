"""Bounds on one call: a deadline per attempt, and a budget for waiting out rate limits.

urllib3's read timeout is per socket read: a server that trickles one byte every few seconds
never trips it. Each attempt of a call gets a whole deadline instead: an alarm (on the one
watchdog thread, :mod:`.watchdog`) shuts the attempt's socket down when it passes. Waiting
out 429s (Retry-After) pauses that alarm, is announced before each wait, and is bounded in
total: past the budget the call gives up. A client made to hand refusals back
(``RetryPolicy.hand_back_refusals``) does not wait them out at all: the call raises
:class:`HandedBack` with the wait the server asked for, and its caller decides when to try again.

The state of one call lives in a thread-local, set by the client around the call and read by
the retry policy and by the connections the session opens (see :class:`GuardedAdapter`); it is
private to this package.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError, SSLError
from urllib3.util.wait import wait_for_read

from voicesync.api.watchdog import WATCHDOG, Alarm

_current = threading.local()


@dataclass(frozen=True, slots=True)
class WaitNotice:
    """Said before the client waits out a refusal (429) or a failure before trying again."""

    method: str
    path: str
    status: int | None
    wait_s: float
    waited_s: float  # already waited in this call
    budget_s: float  # the most this call waits in all


class DeadlinePassed(Exception):
    """An attempt took longer than its whole deadline (a server trickling its answer)."""


class HandedBack(Exception):
    """The server refused the call (429) and the client hands the wait to its caller."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"refused; asked to wait {wait_s:.0f} s")
        self.wait_s = wait_s


class WaitBudgetSpent(Exception):
    """Waiting out rate limits would pass the call's budget."""

    def __init__(self, waited_s: float, wait_s: float, status: int | None) -> None:
        super().__init__(f"waited {waited_s:.0f} s, asked to wait {wait_s:.0f} s more")
        self.waited_s, self.wait_s, self.status = waited_s, wait_s, status


@dataclass
class CallGuard:
    deadline_s: float
    wait_budget_s: float
    on_wait: Callable[[WaitNotice], None] | None = None
    hand_back_refusals: bool = False
    waited_s: float = 0.0
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _alarm: Alarm | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start_attempt(self) -> None:
        self.stop_attempt()
        self._alarm = WATCHDOG.after(self.deadline_s, self._expire)

    def stop_attempt(self) -> None:
        if self._alarm is not None:
            WATCHDOG.cancel(self._alarm)
            self._alarm = None

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def current() -> CallGuard | None:
    guard: CallGuard | None = getattr(_current, "guard", None)
    return guard


@contextlib.contextmanager
def guarded(guard: CallGuard) -> Iterator[CallGuard]:
    _current.guard = guard
    guard.start_attempt()
    try:
        yield guard
    finally:
        guard.stop_attempt()
        _current.guard = None


class _Watched:
    """Before waiting for an answer, a connection hands its socket to the call's guard."""

    sock: socket.socket | None
    answered = False  # has carried a request (a warmed connection has not, yet)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        self.answered = True
        guard = current()
        if guard is not None:
            guard.watch(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _GuardedHTTPConnection(_Watched, HTTPConnection):
    pass


class _HandshakeFailed(NewConnectionError):
    """TLS set-up failed: no byte of the request left, so it is a connect error to the retry
    policy (a clone may be sent again), not an error after sending."""


class _GuardedHTTPSConnection(_Watched, HTTPSConnection):
    def connect(self) -> None:
        try:
            super().connect()
        except (ssl.SSLError, ssl.CertificateError, SSLError) as exc:
            raise _HandshakeFailed(self, f"TLS set-up failed: {exc}") from exc

    @property
    def is_connected(self) -> bool:
        """urllib3 takes a readable idle socket for one the server closed. Over TLS 1.3 the
        server sends session tickets after the handshake, so a connection opened ahead of its
        first request (see warmup.py) is readable and alive. For such a connection only, a
        read that finds nothing but TLS's own records says so; EOF or data says not."""
        sock = self.sock
        if sock is None or not wait_for_read(sock, timeout=0.0):
            return sock is not None
        if self.answered or not isinstance(sock, ssl.SSLSocket) or sock.version() != "TLSv1.3":
            return False
        timeout = sock.gettimeout()
        try:
            sock.setblocking(False)
            sock.recv(1)  # b"" (closed) or a byte no request asked for: not reusable
        except ssl.SSLWantReadError:
            return True  # only post-handshake records were waiting; they are read now
        except OSError:
            return False
        finally:
            with contextlib.suppress(OSError):
                sock.settimeout(timeout)
        return False


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter whose connections report their socket to the call's guard."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

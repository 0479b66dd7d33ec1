"""Opening the connections a run will need before it needs them.

On a link far from the service, a new connection costs two round trips (TCP, then TLS) before
its first request byte can leave. A run that lists and then uploads at ``--parallelism`` would
pay them twice in a row: once for the list, once more for the uploads (or for the list's wider
walk). Warming opens those connections in the background while the list's first page is on its
way, so they are ready when the answer comes.

Only the set-up happens here: TCP and TLS, to the base URL the runner set, through the same
pool and TLS settings the session's requests use. No request is sent, so nothing carries the
key. Behind a proxy nothing is warmed (the tunnel is the proxy's business). A connection that
cannot be opened is dropped quietly: the real request that needs one opens its own and reports
what goes wrong.

urllib3 has no public way to fill a pool; ``_get_conn``/``_put_conn`` are the pool's own
check-out and check-in, stable since urllib3 1.x. If they are missing, nothing is warmed.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import requests
from requests.utils import select_proxy

from voicesync.api.pager import LIST_CONCURRENCY

# What a pool keeps beside the warmed connections: the first call's own, and a list walk at
# full width that opened its own while they were still connecting.
BESIDE_WARMED = LIST_CONCURRENCY + 1


def pool_size_for(calls: int) -> int:
    """A pool for ``calls`` at once that also keeps every connection warming may open."""
    return max(calls, LIST_CONCURRENCY) + BESIDE_WARMED


class Warmer:
    """Warms one session's connections to one URL, once. Never more than its pool keeps beside
    the first request's own connection and a list walk at full width that opened its own while
    they were still connecting: no warmed connection is ever discarded as one too many."""

    def __init__(
        self, session: requests.Session, url: str, pool_size: int, timeout_s: float
    ) -> None:
        self.session, self.url, self.timeout_s = session, url, timeout_s
        self.most = pool_size - BESIDE_WARMED
        self.done = False

    def warm(self, count: int) -> None:
        if not self.done:
            self.done = True
            warm(self.session, self.url, min(count, self.most), self.timeout_s)


def warm(session: requests.Session, url: str, count: int, timeout_s: float) -> None:
    """Open up to ``count`` connections to ``url``'s host in background threads."""
    pool = _pool(session, url) if count > 0 else None
    if pool is None:
        return
    # Checked out all at once, here (no I/O: an unopened connection is only an object), so
    # that no thread picks up one another thread has just opened.
    try:
        conns = [pool._get_conn() for _ in range(count)]  # private: see the docstring
    except Exception:  # a closed pool: nothing to warm
        return
    for conn in conns:
        if conn.is_closed:
            threading.Thread(target=_open, args=(pool, conn, timeout_s), daemon=True).start()
        else:
            pool._put_conn(conn)  # already open


def _pool(session: requests.Session, url: str) -> Any:
    """The pool the session's requests to ``url`` use, or None when warming cannot help."""
    settings = session.merge_environment_settings(url, {}, None, None, None)
    if select_proxy(url, settings["proxies"]):
        return None
    adapter = session.get_adapter(url)
    choose = getattr(adapter, "get_connection_with_tls_context", None)
    if choose is None:
        return None
    try:
        pool = choose(
            requests.Request("GET", url).prepare(), settings["verify"], None, settings["cert"]
        )
    except (requests.RequestException, OSError, ValueError):
        return None
    has_checkout = hasattr(pool, "_get_conn") and hasattr(pool, "_put_conn")
    return pool if has_checkout else None


def _open(pool: Any, conn: Any, timeout_s: float) -> None:
    """Connect ``conn`` and check it back into ``pool``."""
    try:
        conn.timeout = timeout_s
        conn.connect()
    except Exception:  # a warm-up never fails a run; the request will tell
        with contextlib.suppress(Exception):
            conn.close()
        conn = None
    with contextlib.suppress(Exception):
        pool._put_conn(conn)  # None gives the pool its slot back

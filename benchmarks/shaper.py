"""A shaping TCP proxy on 127.0.0.1 for the benchmarks: a WAN link in front of the emulator.

Every byte is delayed by ``delay_s`` each way, and bytes from the client to the server share one
``up_mbit_s`` link (what an office or a CI runner has upstream); the way back is not limited.
Upstream, each connection also pays what TCP and TLS make it pay on a real link:

- set-up: its first byte leaves ``SETUP_RTTS`` round trips after the connect (TCP's handshake,
  then TLS 1.3's);
- slow start: it may have ``INITIAL_WINDOW`` bytes (10 segments) in flight per round trip,
  doubled after each round trip that filled its window;
- restart after idle: a connection that sent nothing for longer than its retransmission
  timeout (RTO) has its window halved once per RTO of the idle time, never below 10 segments
  (Linux's tcp_slow_start_after_idle, on by default: tcp_cwnd_restart in net/ipv4/tcp_output.c).
  Linux's RTO is the smoothed round trip plus a variance term that tcp_rtt_estimator never lets
  fall below tcp_rto_min (200 ms), so on a steady link it is one round trip + 200 ms.

Standard library asyncio only; it runs in a thread of the benchmark process.

    with Shaper(upstream_port, delay_s=0.06, up_mbit_s=50) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from types import TracebackType

CHUNK = 64 * 1024
MSS = 1460
INITIAL_WINDOW = 10 * MSS  # RFC 6928
SETUP_RTTS = 2  # TCP handshake + TLS 1.3 handshake before the first request byte
RTO_MIN_S = 0.2  # Linux's tcp_rto_min: the floor of the RTO's variance term


class _Flow:
    """One connection's congestion window, upstream: when each piece may leave."""

    def __init__(self, rtt_s: float, opened: float) -> None:
        self.rtt = rtt_s
        self.rto = rtt_s + RTO_MIN_S  # srtt + rttvar, rttvar >= tcp_rto_min
        self.ready_at = opened + SETUP_RTTS * rtt_s
        self.cwnd = INITIAL_WINDOW
        self.round_start: float | None = None
        self.in_round = 0
        self.last_sent: float | None = None

    def departure(self, size: int, now: float, link: _Link) -> float:
        at = max(now, self.ready_at)
        if self.last_sent is not None:
            idle = at - self.last_sent
            if idle > self.rto:  # restart after idle: halve once per RTO idle, down to IW
                while (idle := idle - self.rto) > 0 and self.cwnd > INITIAL_WINDOW:
                    self.cwnd //= 2
                self.cwnd, self.round_start = max(self.cwnd, INITIAL_WINDOW), None
            at = max(at, self.last_sent)  # in order, after what this connection sent before
        left = size
        while left:
            if self.round_start is None or at >= self.round_start + self.rtt:
                if self.round_start is not None and self.in_round >= self.cwnd:
                    self.cwnd *= 2  # the last round filled its window: slow start doubles it
                self.round_start, self.in_round = at, 0
            room = self.cwnd - self.in_round
            if room <= 0:
                at = self.round_start + self.rtt  # wait for the round's acknowledgements
                continue
            piece = min(room, left)
            self.in_round += piece
            left -= piece
            at = link.departure(piece, at, now)
        self.last_sent = at
        return at


class _Link:
    """One direction's serialisation, work-conserving: a piece leaves in the first free time
    at or after the moment its connection's window lets it go. A connection whose window opens
    only in its next round trip books time ahead; the gap before that booking stays free for
    the other connections (a real queue holds a packet only once it has arrived)."""

    def __init__(self, mbit_s: float | None) -> None:
        self.bytes_per_s = mbit_s * 1e6 / 8 if mbit_s else None
        self.busy: list[list[float]] = []  # booked [start, end) intervals, sorted, disjoint

    def departure(self, size: int, at: float, now: float | None = None) -> float:
        """When the last byte of ``size`` bytes, free to go at ``at`` (at or after ``now``, the
        real time), has left."""
        if self.bytes_per_s is None:
            return at
        now = at if now is None else now
        self.busy = [b for b in self.busy if b[1] > now]  # only what is over for good
        need, t, booked = size / self.bytes_per_s, at, []
        for start, end in self.busy:
            if end <= t:
                continue
            if start > t:  # a gap before this booking: fill it
                used = min(need, start - t)
                booked.append([t, t + used])
                need -= used
                if need <= 0:
                    break
            t = max(t, end)
        if need > 0:
            booked.append([t, t + need])
        self.busy = _merged(sorted(self.busy + booked))
        return booked[-1][1]


def _merged(intervals: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for start, end in intervals:
        if out and start <= out[-1][1] + 1e-9:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


class Shaper:
    def __init__(
        self, upstream_port: int, *, delay_s: float = 0.06, up_mbit_s: float | None = 50.0
    ) -> None:
        self.upstream_port = upstream_port
        self.delay_s = delay_s
        self._up = _Link(up_mbit_s)
        self._down = _Link(None)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> Shaper:
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise RuntimeError("the shaping proxy did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _shutdown(self) -> None:
        """Close the listener and every connection's tasks, so nothing is left pending."""
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        flow = _Flow(2 * self.delay_s, time.monotonic())
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, self._up, flow),
                self._pipe(server_r, client_w, self._down, None),
                return_exceptions=True,
            )
        except asyncio.CancelledError:  # shutting down: end quietly (asyncio 3.11 would log)
            for writer in (client_w, server_w):
                writer.close()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        link: _Link,
        flow: _Flow | None,
    ) -> None:
        """Read as it comes, deliver each chunk ``delay_s`` after it left the link, in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                at, data = await queue.get()
                if not data:
                    break
                wait = at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()
            with contextlib.suppress(OSError):
                writer.close()

        sender = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(CHUNK):
                now = time.monotonic()
                left = (
                    flow.departure(len(data), now, link) if flow else link.departure(len(data), now)
                )
                await queue.put((left + self.delay_s, data))
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            sender.cancel()
            raise
        await queue.put((time.monotonic() + self.delay_s, b""))
        with contextlib.suppress(ConnectionError, OSError):
            await sender

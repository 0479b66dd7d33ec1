"""A shaping TCP proxy on 127.0.0.1 for the benchmarks: a WAN link in front of the emulator.

Every byte is delayed by ``delay_s`` each way, and bytes from the client to the server share one
``up_mbit_s`` link (what an office or a CI runner has upstream); the way back is not limited.
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


class _Link:
    """One direction's serialisation: when the last byte queued on it will have left."""

    def __init__(self, mbit_s: float | None) -> None:
        self.bytes_per_s = mbit_s * 1e6 / 8 if mbit_s else None
        self.free_at = 0.0

    def departure(self, size: int, now: float) -> float:
        if self.bytes_per_s is None:
            return now
        self.free_at = max(self.free_at, now) + size / self.bytes_per_s
        return self.free_at


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
        try:
            await asyncio.gather(
                self._pipe(client_r, server_w, self._up),
                self._pipe(server_r, client_w, self._down),
                return_exceptions=True,
            )
        except asyncio.CancelledError:  # shutting down: end quietly (asyncio 3.11 would log)
            for writer in (client_w, server_w):
                writer.close()

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link
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
                await queue.put((link.departure(len(data), now) + self.delay_s, data))
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            sender.cancel()
            raise
        await queue.put((time.monotonic() + self.delay_s, b""))
        with contextlib.suppress(ConnectionError, OSError):
            await sender

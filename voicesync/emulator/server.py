"""An HTTP server that behaves like the voice.ai voice-management API (see README, The emulator).

Default behaviour is the first-party one (bare-array list, ``voice_visibility``, clone answers
PENDING, ``{"detail": ...}`` errors); :class:`Dialect` switches on each documented variant so
clients can be tested against all of them. Admin endpoints under ``/_emulator/`` (no auth, no
faults) let tests and the soak inspect what the service really holds and every request it got.

The parts: :mod:`.service` answers the API, :mod:`.http` routes and injects faults,
:mod:`.store` holds voices, :mod:`.wire` reads bodies, :mod:`.admin` serves ``/_emulator/``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicesync.emulator.admin import RequestLog
from voicesync.emulator.faults import FaultConfig, FaultInjector
from voicesync.emulator.http import App, Handler, Server
from voicesync.emulator.operations import Dialect, Service
from voicesync.emulator.voices import CATALOG_OWNER, OTHER_OWNER, Timing, VoiceStore
from voicesync.emulator.wire import Response, account_of

__all__ = ["Dialect", "Emulator", "EmulatorConfig", "account_of"]


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
    # How the voices are written to state_path, atomically (voicesync's writer: the emulator
    # imports nothing of the product, so it is handed one).
    write_file: Callable[[Path, bytes], None] | None = None
    access_log: bool = False

    def __post_init__(self) -> None:
        if self.state_path is not None and self.write_file is None:
            raise ValueError("an emulator that keeps its voices in a file needs write_file")


class Emulator:
    """The emulated service; start() serves it from a daemon thread on loopback."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        observe: Callable[[str, str, Response], None] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.dialect = self.config.dialect
        self.store = VoiceStore(
            timing=self.config.timing,
            max_voices=self.config.max_voices,
            seed=self.config.seed,
            state_path=self.config.state_path,
            write_file=self.config.write_file,
            clock=clock,
        )
        self.faults = FaultInjector(self.config.faults)
        self.service = Service(self.store, self.dialect)
        self.log = RequestLog()
        self._seed_catalog(self.config.catalog_voices)
        self._seed_public(self.config.public_voices)
        self.httpd = Server((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.app = App(  # type: ignore[attr-defined]
            self.service,
            self.faults,
            self.log,
            self.config.api_key,
            self.config.access_log,
            observe,
        )
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
    def requests(self) -> list[dict[str, Any]]:
        return self.log.entries()

    def clear_requests(self) -> None:
        self.log.clear()

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

"""Seeded, reproducible fault injection for the emulated service."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import Any


class Fault(str, Enum):
    NONE = "none"
    RATE_LIMIT = "rate_limit"  # 429 before processing
    SERVER_ERROR = "server_error"  # 5xx before processing
    DROP = "drop"  # connection closed before processing
    LOSE = "lose"  # request processed, then connection closed before the reply
    COMMIT_ERROR = "commit_error"  # request processed, then answered 500 (a proxy timing out)


@dataclass(frozen=True, slots=True)
class FaultConfig:
    """Rates are probabilities per request; ``rate_limit_every`` answers every Nth request 429."""

    seed: int = 0
    server_error_rate: float = 0.0
    drop_rate: float = 0.0
    lost_write_rate: float = 0.0
    commit_error_rate: float = 0.0  # a write is committed, then answered 500
    rate_limit_every: int = 0
    # A request budget, as real rate limiters keep (the third-party manifest claims ~60 a
    # minute): a token bucket refilled at this many requests a second, holding ``burst``.
    rate_limit_per_s: float = 0.0
    rate_limit_burst: int = 5
    rate_limit_rate: float = 0.0
    retry_after_s: int | None = 1  # whole seconds, as real servers send
    html_errors: bool = False
    latency_s: float = 0.0
    reply_delay_s: float = 0.0  # after a write is committed, before its answer is sent
    commit_delay_s: float = 0.0  # after a write is received, before it is committed
    # A lenient server (or proxy) that processes whatever arrived when a client cut its upload.
    accept_truncated_bodies: bool = False
    # Only these operations (clone, list, get, update, delete, speech) get faults; () = all.
    operations: tuple[str, ...] = ()
    # The faults of the first requests, in order (Fault values), before any rate applies.
    sequence: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        for name in ("operations", "sequence"):
            if name in data:
                data = data | {name: tuple(data[name])}
        return replace(cls(), **data)


class FaultInjector:
    """Decides, request by request, which fault (if any) hits it. Thread-safe."""

    def __init__(self, config: FaultConfig) -> None:
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._count = 0
            self._tokens = float(config.rate_limit_burst)
            self._refilled = time.monotonic()

    def _over_budget(self) -> bool:
        """Take a token from the bucket; True when there is none (the caller holds the lock)."""
        rate = self.config.rate_limit_per_s
        if not rate:
            return False
        now = time.monotonic()
        burst = float(max(1, self.config.rate_limit_burst))
        self._tokens = min(burst, self._tokens + (now - self._refilled) * rate)
        self._refilled = now
        if self._tokens < 1:
            return True
        self._tokens -= 1
        return False

    def decide(self, *, is_write: bool, operation: str = "") -> Fault:
        with self._lock:
            cfg = self.config
            if cfg.operations and operation not in cfg.operations:
                return Fault.NONE
            self._count += 1
            if self._count <= len(cfg.sequence):
                return Fault(cfg.sequence[self._count - 1])
            if cfg.rate_limit_every and self._count % cfg.rate_limit_every == 0:
                return Fault.RATE_LIMIT
            if self._over_budget():
                return Fault.RATE_LIMIT
            roll = self._rng.random()
            for fault, rate in (
                (Fault.RATE_LIMIT, cfg.rate_limit_rate),
                (Fault.SERVER_ERROR, cfg.server_error_rate),
                (Fault.DROP, cfg.drop_rate),
                (Fault.LOSE, cfg.lost_write_rate if is_write else 0.0),
                (Fault.COMMIT_ERROR, cfg.commit_error_rate if is_write else 0.0),
            ):
                if roll < rate:
                    return fault
                roll -= rate
            return Fault.NONE

    def server_error_status(self) -> int:
        with self._lock:
            return self._rng.choice((500, 502, 503))

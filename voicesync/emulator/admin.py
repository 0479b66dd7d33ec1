"""Admin endpoints under ``/_emulator/``: what tests and the soak read and set."""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import Any

from voicesync.emulator.faults import FaultConfig, FaultInjector
from voicesync.emulator.operations import Service
from voicesync.emulator.voices import CATALOG_OWNER, OTHER_OWNER, ServiceError
from voicesync.emulator.wire import Response, json_object, json_response, owner_of


class RequestLog:
    """Every API request the service got, in order, with what it answered (or the fault).

    Each entry says when it arrived (``at``, seconds since the epoch) and how many API requests
    were being served then (``in_flight``, itself included), so a test can see whether a client
    asks one thing at a time, and a benchmark where a run spent its time.
    """

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._in_flight = 0

    def arrived(self) -> int:
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def departed(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = len(self._entries) + 1
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def admin(
    method: str,
    path: str,
    headers: Any,
    body: bytes,
    *,
    log: RequestLog,
    service: Service,
    faults: FaultInjector,
) -> Response:
    """The /_emulator/ endpoints: the request log, every voice, seeding, faults (no auth)."""
    if path == "/_emulator/requests" and method == "GET":
        return json_response(200, log.entries())
    if path == "/_emulator/requests" and method == "DELETE":
        log.clear()
        return json_response(200, {"cleared": True})
    if path == "/_emulator/voices" and method == "GET":
        rows = [
            asdict(v) | {"status": service.store.status_of(v)} for v in service.store.all_voices()
        ]
        return json_response(200, rows)
    if path == "/_emulator/voices" and method == "POST":
        data = json_object(body)
        owner = {"catalog": CATALOG_OWNER, "other": OTHER_OWNER}.get(
            str(data.get("owner")), owner_of(headers)
        )
        if owner is None:
            raise ServiceError(401, "Seeding an account voice needs its Authorization header")
        count = data.get("count")
        names = [data.get("name")]
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            names = [f"{data.get('name') or 'Voice'} {i}" for i in range(count)]  # many at once
        seeded = [
            service.store.seed_voice(
                owner,
                name=name,
                visibility=data.get("voice_visibility", "PRIVATE"),
                ready=bool(data.get("ready", True)),
                clonable=bool(data.get("clonable", True)),
            )
            for name in names
        ]
        if count is not None:
            return json_response(200, {"seeded": len(seeded)})
        return json_response(200, service.voice_json(seeded[0]))
    if path == "/_emulator/faults" and method == "PUT":
        try:
            faults.configure(FaultConfig.from_dict(json_object(body)))
        except (TypeError, ValueError) as exc:
            raise ServiceError(400, str(exc)) from exc
        return json_response(200, asdict(faults.config))
    raise ServiceError(404, "Not Found")

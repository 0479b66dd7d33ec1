"""Connections opened before they are needed (voicesync/api/warmup.py), seen from the wire:
a relay on 127.0.0.1 records each connection the client opens and every byte it sends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import TEST_KEY, Catalog, CliResult, client_at

from testing.relay import Relay
from voicesync.emulator import Emulator, FaultConfig
from voicesync.errors import ApiError


def test_warming_opens_connections_that_carry_nothing_until_calls_use_them(
    emulator: Emulator,
) -> None:
    with (
        Relay.before(emulator.url) as relay,
        client_at(relay.url, pool_size=13) as api,
    ):
        api.warm(4)
        api.warm(4)  # once per client: a second call opens nothing more
        relay.wait_for(5, timeout_s=0.5)
        assert len(relay.connections) == 4
        assert [c.sent for c in relay.connections] == [0] * 4  # no request, so no key
        assert emulator.requests() == []
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: api.list_voices(), range(8)))
        assert len(relay.connections) == 4  # the calls found them open
        assert len(emulator.requests()) == 8


def test_warming_never_opens_more_than_the_pool_keeps_beside_a_full_list_walk(
    emulator: Emulator,
) -> None:
    with (
        Relay.before(emulator.url) as relay,
        client_at(relay.url, pool_size=12) as api,
    ):
        api.warm(10)
        relay.wait_for(4, timeout_s=0.5)
        assert len(relay.connections) == 3  # 12 = these + the first call's + 8 for the walk


def test_a_change_free_apply_and_a_plan_open_few_connections_whatever_the_parallelism(
    emulator: Emulator, catalog: Catalog, cli: Callable[..., CliResult]
) -> None:
    config = catalog.write([{"name": "V", "sample": catalog.sample("v.wav")}])
    with Relay.before(emulator.url) as relay:
        env = {"VOICEAI_BASE_URL": relay.url, "VOICEAI_API_KEY": TEST_KEY}
        assert cli("apply", str(config), "--yes", env=env).code == 0
        relay.wait_for(100, timeout_s=0.3)
        before = len(relay.connections)
        result = cli("apply", str(config), "--yes", "--parallelism", "64", env=env)
        assert result.code == 0, result.output
        assert "No changes" in result.output
        relay.wait_for(before + 10, timeout_s=0.3)
        opened = len(relay.connections) - before
        assert opened <= 1 + 8  # the list's own, and at most the walk's width (was 65)
        assert cli("plan", str(config), env=env).code == 0
        relay.wait_for(before + 14, timeout_s=0.3)
        assert len(relay.connections) - before - opened <= 1 + 3


def test_behind_a_proxy_nothing_is_warmed(
    make_emulator: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = make_emulator()  # answers absolute-form requests, as a forward proxy passes them on
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    with Relay.before(proxy.url) as relay:
        monkeypatch.setenv("HTTP_PROXY", relay.url)
        with client_at("http://127.0.0.1:9") as api:
            api.warm(4)
            relay.wait_for(1, timeout_s=0.3)
            assert relay.connections == []
            api.list_voices()  # through the proxy, as every call goes
            assert len(relay.connections) == 1


def test_a_warm_up_that_cannot_connect_fails_nothing_and_the_call_says_why() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = threading.active_count()
    with client_at(f"http://127.0.0.1:{port}") as api:
        api.warm(4)  # an error in a thread would fail this test (filterwarnings = error)
        deadline = time.monotonic() + 5
        while threading.active_count() > before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert threading.active_count() == before
        with pytest.raises(ApiError, match=r"cannot connect to .*connection refused"):
            api.list_voices()


def test_apply_opens_its_upload_connections_while_the_list_is_on_its_way(
    emulator: Emulator, catalog: Catalog, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    voices = [
        {"name": f"V{i}", "sample": catalog.sample(f"v{i}.wav", period=20 + i)} for i in range(4)
    ]
    config = catalog.write(voices)
    emulator.set_faults(FaultConfig(latency_s=0.3))  # every answer takes 0.3 s
    with Relay.before(emulator.url) as relay:
        env = {"VOICEAI_BASE_URL": relay.url, "VOICEAI_API_KEY": TEST_KEY}
        result = cli("apply", str(config), "--yes", "--no-wait", env=env)
        assert result.code == 0, result.output
        log = emulator.requests()
        answered = min(e["at"] for e in log if e["operation"] == "list") + 0.3
        clones = [c for c in relay.connections if c.sent > 1000]
        assert len([e for e in log if e["operation"] == "clone"]) == 4
        assert len(clones) == 4  # the four uploads went at once, each on its own connection
        assert all(c.opened_at < answered for c in relay.connections)

"""The client over TLS, as the real API is reached: a TLS 1.3 front on 127.0.0.1 (a test
certificate for 127.0.0.1, tests/data/tls/) relays to the emulator. TLS adds failures plain HTTP
has not: records the server sends after the handshake, and errors after the server committed a
call."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import TEST_KEY, Catalog, CliResult, client_at, live

from testing.relay import Relay
from voicesync.emulator import Dialect, Emulator, account_of

TLS = Path(__file__).parent / "data" / "tls"


@pytest.fixture
def tls(monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """The server's side; the client trusts the test certificate through REQUESTS_CA_BUNDLE,
    as a user behind a company CA would."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(TLS / "cert.pem"))
    return context


def test_warmed_connections_survive_the_session_tickets_tls_13_sends_after_the_handshake(
    emulator: Emulator, tls: ssl.SSLContext
) -> None:
    assert tls.maximum_version in (ssl.TLSVersion.MAXIMUM_SUPPORTED, ssl.TLSVersion.TLSv1_3)
    with (
        Relay.before(emulator.url, tls=tls) as relay,
        client_at(relay.url, pool_size=13) as api,
    ):
        api.warm(4)
        relay.wait_for(4)
        time.sleep(0.3)  # the tickets have arrived: unread, they make each socket readable
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: api.list_voices(), range(8)))
        assert len(relay.connections) == 4  # none taken for dropped and opened again
        assert len(emulator.requests()) == 8


def test_a_clone_whose_answer_breaks_at_the_tls_layer_is_never_sent_twice(
    emulator: Emulator, tls: ssl.SSLContext, catalog: Catalog, cli: Callable[..., CliResult]
) -> None:
    config = catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    with Relay.before(emulator.url, tls=tls, garble=b"POST /api/v1/tts/clone-voice") as relay:
        env = {"VOICEAI_BASE_URL": relay.url, "VOICEAI_API_KEY": TEST_KEY}
        result = cli("apply", str(config), "--yes", "--grace-period", "5", env=env)
        assert relay.garbled == 1
    clones = [e for e in emulator.requests() if e["operation"] == "clone"]
    assert len(clones) == 1, result.output  # committed once; its lost answer is not a refusal
    assert list(live(emulator)) == ["Narrator"]
    assert result.code == 0, result.output  # found in the list, recorded, waited for


def test_no_warmed_connection_is_discarded_when_its_handshake_is_slower_than_the_list(
    make_emulator: Callable[..., Emulator],
    tls: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape="paged", page_size=100))
    for i in range(1500):
        emulator.store.seed_voice(account_of(TEST_KEY), name=f"Other {i}")
    # The three warmed handshakes take 1 s; the list's own connection and its 8-wide walk,
    # opened meanwhile, are quick: all come back to one pool.
    with (
        Relay.before(emulator.url, tls=tls, slow_handshakes=3, handshake_delay_s=1.0) as relay,
        client_at(relay.url) as api,
    ):
        api.warm(3)
        assert len(api.list_voices()) == 1500
        time.sleep(1.2)
        api.list_voices()
    assert "pool is full" not in caplog.text


def test_a_clone_whose_tls_set_up_fails_is_sent_at_once_on_a_new_connection(
    emulator: Emulator, tls: ssl.SSLContext, wav_file: Path
) -> None:
    with (
        Relay.before(emulator.url, tls=tls, failed_handshakes=1) as relay,
        client_at(relay.url) as api,
    ):
        started = time.monotonic()
        api.clone(wav_file, name="Narrator")  # no byte left: a connect error, tried again
        assert time.monotonic() - started < 5  # not an unknown outcome waited out
        assert len(relay.connections) == 2
    assert [e["operation"] for e in emulator.requests()] == ["clone"]

"""The API client over real HTTP: typed results, every error path, pagination, retries."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from testing.rawserver import RawServer, Reply
from tests.conftest import FAST_RETRY, TEST_KEY, client_for, tone_wav_bytes
from voicesync.api.client import ReadOnlyClient, VoiceAIClient
from voicesync.api.retry import RetryNotice, RetryPolicy
from voicesync.api.settings import Connection
from voicesync.api.upload import MultipartFile, SampleChangedError
from voicesync.emulator import Dialect, Emulator, FaultConfig, account_of
from voicesync.errors import (
    AuthError,
    BadResponseError,
    ConnectionFailedError,
    ForbiddenError,
    NotFoundError,
    OutcomeUnknownError,
    PaymentRequiredError,
    RateLimitedError,
    RejectedError,
    ServerError,
)
from voicesync.model import Visibility, VoiceStatus

MakeEmulator = Callable[..., Emulator]


@pytest.fixture
def raw() -> Iterator[Callable[[Callable[[str, str], Reply]], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Callable[[str, str], Reply]) -> RawServer:
        servers.append(RawServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def raw_client(server: RawServer) -> VoiceAIClient:
    return VoiceAIClient(Connection(server.url, TEST_KEY), retry=FAST_RETRY)


def writes(emulator: Emulator) -> list[str]:
    return [e["operation"] for e in emulator.requests() if e["method"] != "GET"]


def test_round_trip(client: VoiceAIClient, wav_file: Path) -> None:
    accepted = client.clone(wav_file, name="Narrator", visibility=Visibility.PRIVATE, language="de")
    assert accepted.status is VoiceStatus.PENDING
    voice = client.get_voice(accepted.voice_id)
    assert (voice.name, voice.visibility) == ("Narrator", Visibility.PRIVATE)
    updated = client.update(accepted.voice_id, name="Reader", visibility=Visibility.PUBLIC)
    assert (updated.name, updated.visibility) == ("Reader", Visibility.PUBLIC)
    assert [v.voice_id for v in client.list_voices()] == [accepted.voice_id]
    client.delete(accepted.voice_id)
    assert client.list_voices() == ()


def test_clone_sends_only_the_fields_set(make_emulator: MakeEmulator, wav_file: Path) -> None:
    emulator = make_emulator()
    with client_for(emulator) as api:
        voice_id = api.clone(wav_file, name=None).voice_id
        voice = api.get_voice(voice_id)
    # The API's own default (PUBLIC) applies when voicesync sends no visibility.
    assert (voice.name, voice.visibility) == (None, Visibility.PUBLIC)


def test_status_reaches_available(client: VoiceAIClient, wav_file: Path) -> None:
    voice_id = client.clone(wav_file, name="A").voice_id
    deadline = time.monotonic() + 5
    while client.get_voice(voice_id).status is not VoiceStatus.AVAILABLE:
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.parametrize(
    "dialect",
    [
        Dialect(),
        Dialect(list_shape="object"),
        Dialect(list_shape="paged", max_page_size=3),
        Dialect(list_shape="paged-next", max_page_size=3),
        Dialect(list_shape="paged", page_size=3, max_page_size=3),
        Dialect.third_party(),
    ],
    ids=["array", "object", "paged", "paged-next", "paged-small", "third-party"],
)
def test_list_follows_every_shape_to_the_end(
    make_emulator: MakeEmulator, dialect: Dialect, wav_file: Path
) -> None:
    emulator = make_emulator(dialect=dialect, catalog_voices=2)
    with client_for(emulator) as api:
        for i in range(8):
            api.clone(wav_file, name=f"voice-{i}", visibility=Visibility.PRIVATE)
        emulator.clear_requests()
        voices = api.list_voices()
    names = sorted(v.name or "" for v in voices)
    assert names == sorted(
        [f"voice-{i}" for i in range(8)] + ["Catalog Voice 1", "Catalog Voice 2"]
    )
    assert {v.visibility for v in voices if v.name and v.name.startswith("voice")} == {
        Visibility.PRIVATE
    }
    pages = [e for e in emulator.requests() if e["operation"] == "list"]
    # An object with no total or next link is read until a page brings nothing new.
    expected = 4 if dialect.max_page_size == 3 else 2 if dialect.list_shape == "object" else 1
    assert len(pages) == expected
    assert pages[0]["query"] == ""  # nothing first-party sends a query parameter


@pytest.mark.parametrize("cap", [100, 10])
def test_a_capped_list_without_total_is_walked_to_the_end(
    make_emulator: MakeEmulator, cap: int
) -> None:
    """The ownership issue, case 1: a server that caps its pages and sends no total."""
    emulator = make_emulator(dialect=Dialect(list_shape="capped", page_size=cap, max_page_size=cap))
    owner = account_of(TEST_KEY)
    for i in range(105):
        emulator.store.seed_voice(owner, name=f"other {i}")
    mine = emulator.store.seed_voice(owner, name="Narrator").voice_id
    with client_for(emulator) as api:
        voices = api.list_voices()
    assert len(voices) == 106 and mine in {v.voice_id for v in voices}
    queries = [e["query"] for e in emulator.requests() if e["operation"] == "list"]
    assert queries[0] == "" and len(queries) == 106 // cap + 1 + (106 % cap == 0)


def test_next_link_to_another_origin_is_refused(raw: Callable[..., RawServer]) -> None:
    elsewhere = raw(lambda m, p: (200, {"Content-Type": "application/json"}, b"[]"))
    page = {
        "voices": [{"voice_id": "a", "status": "AVAILABLE"}],
        "next": f"{elsewhere.url}/api/v1/tts/voices?offset=1",
    }
    server = raw(
        lambda m, p: (200, {"Content-Type": "application/json"}, json.dumps(page).encode())
    )
    with pytest.raises(BadResponseError, match="another origin"):
        raw_client(server).list_voices()
    assert elsewhere.hits == []  # the key never went there


def test_unknown_status_and_fields_are_tolerated(raw: Callable[..., RawServer]) -> None:
    payload = [{"voice_id": 7, "status": "QUEUED", "owner": "x"}, {"voice_id": "b"}]
    server = raw(
        lambda m, p: (200, {"Content-Type": "application/json"}, json.dumps(payload).encode())
    )
    voices = raw_client(server).list_voices()
    assert [(v.voice_id, v.status, v.status_text) for v in voices] == [
        ("7", VoiceStatus.UNKNOWN, "QUEUED"),
        ("b", VoiceStatus.UNKNOWN, ""),
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"<html><body>Bad gateway</body></html>", "HTML page"),
        (b'{"voices": [', "not JSON"),
        (b'{"count": 3}', "neither a JSON array"),
        (b'[{"name": "no id"}]', "without a voice_id"),
        (b'["just a string"]', "expected a voice object"),
    ],
)
def test_malformed_list_answers_are_clear_errors(
    raw: Callable[..., RawServer], body: bytes, fragment: str
) -> None:
    server = raw(lambda m, p: (200, {}, body))
    with pytest.raises(BadResponseError) as caught:
        raw_client(server).list_voices()
    assert fragment in str(caught.value)


def test_pagination_that_never_ends_is_bounded(raw: Callable[..., RawServer]) -> None:
    page = json.dumps({"voices": [{"voice_id": "a", "status": "AVAILABLE"}], "next": "/again"})
    server = raw(lambda m, p: (200, {}, page.encode()))
    api = raw_client(server)
    import voicesync.api.pager as pager_module

    original = pager_module.MAX_PAGES
    pager_module.MAX_PAGES = 5
    try:
        with pytest.raises(BadResponseError, match="did not end"):
            api.list_voices()
    finally:
        pager_module.MAX_PAGES = original


def test_wrong_key_is_an_auth_error_without_the_key(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(api_key="vk_the_right_one")
    with (
        client_for(emulator, key="vk_wrong_secret_value") as api,
        pytest.raises(AuthError) as caught,
    ):
        api.list_voices()
    assert caught.value.status == 401 and "VOICEAI_API_KEY" in (caught.value.hint or "")
    assert "vk_wrong_secret_value" not in str(caught.value) + (caught.value.hint or "")


def test_server_echoing_the_key_is_redacted(raw: Callable[..., RawServer]) -> None:
    server = raw(lambda m, p: (400, {}, json.dumps({"detail": f"bad key {TEST_KEY}"}).encode()))
    with pytest.raises(RejectedError) as caught:
        raw_client(server).list_voices()
    assert TEST_KEY not in str(caught.value) and "<redacted>" in str(caught.value)


def test_not_found_and_forbidden(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(catalog_voices=1)
    with client_for(emulator) as api:
        with pytest.raises(NotFoundError, match="Voice not found"):
            api.get_voice("missing")
        catalog = api.list_voices()[0]
        with pytest.raises(ForbiddenError):
            api.update(catalog.voice_id, name="mine now")
        with pytest.raises(ForbiddenError):
            api.delete(catalog.voice_id)


def test_rejected_sample_carries_the_servers_words(client: VoiceAIClient, tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(RejectedError) as caught:
        client.clone(text, name="x")
    assert caught.value.status == 422 and "file: Unsupported audio format" in str(caught.value)


def test_slot_limit_is_payment_required(make_emulator: MakeEmulator, wav_file: Path) -> None:
    emulator = make_emulator(max_voices=1)
    with client_for(emulator) as api:
        api.clone(wav_file, name="a")
        with pytest.raises(PaymentRequiredError, match="slot"):
            api.clone(wav_file, name="b")


def test_retry_after_is_honoured(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(faults=FaultConfig(rate_limit_every=2, retry_after_s=1))
    notices: list[RetryNotice] = []
    with client_for(emulator, on_retry=notices.append) as api:
        api.list_voices()
        started = time.monotonic()
        api.list_voices()  # the 2nd request is refused with Retry-After: 1, then resent
        elapsed = time.monotonic() - started
    assert elapsed >= 0.95
    assert [e["status"] for e in emulator.requests()] == [200, 429, 200]
    assert notices == [RetryNotice("GET", "/api/v1/tts/voices", 429)]


def test_429_without_retry_after_backs_off(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(faults=FaultConfig(rate_limit_every=2, retry_after_s=None))
    with client_for(emulator) as api:
        api.list_voices()
        api.list_voices()
    assert [e["status"] for e in emulator.requests()] == [200, 429, 200]


def test_garbled_retry_after_does_not_crash(raw: Callable[..., RawServer]) -> None:
    answers = iter([(429, {"Retry-After": "soon-ish"}, b"{}"), (200, {}, b"[]")])
    server = raw(lambda m, p: next(answers))
    assert raw_client(server).list_voices() == ()


def test_persistent_429_and_5xx_become_typed_errors(make_emulator: MakeEmulator) -> None:
    limited = make_emulator(faults=FaultConfig(rate_limit_every=1, retry_after_s=0))
    with client_for(limited) as api, pytest.raises(RateLimitedError) as caught:
        api.list_voices()
    assert "--parallelism" in (caught.value.hint or "")
    failing = make_emulator(faults=FaultConfig(server_error_rate=1.0, html_errors=True))
    with client_for(failing) as api, pytest.raises(ServerError, match="HTML error page"):
        api.list_voices()
    assert len(failing.requests()) == FAST_RETRY.attempts + 1


def test_dropped_connections_on_reads_are_retried(make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(faults=FaultConfig(seed=1, drop_rate=0.5))
    with client_for(emulator, retry=RetryPolicy(attempts=10, backoff_s=0.01, jitter_s=0)) as api:
        for _ in range(5):
            assert api.list_voices() == ()
    assert any(e["fault"] == "dropped" for e in emulator.requests())


def test_patch_is_retried_after_5xx(make_emulator: MakeEmulator, wav_file: Path) -> None:
    emulator = make_emulator()
    with client_for(emulator) as api:
        voice_id = api.clone(wav_file, name="a").voice_id
        emulator.set_faults(FaultConfig(seed=2, server_error_rate=0.6))
        assert api.update(voice_id, name="b").name == "b"


def test_lost_clone_response_is_unknown_outcome_and_not_resent(
    make_emulator: MakeEmulator, wav_file: Path
) -> None:
    emulator = make_emulator(faults=FaultConfig(lost_write_rate=1.0))
    with client_for(emulator) as api, pytest.raises(OutcomeUnknownError) as caught:
        api.clone(wav_file, name="Ghost")
    assert "run the command again" in (caught.value.hint or "")
    assert writes(emulator) == ["clone"]
    assert [v.name for v in emulator.store.all_voices()] == ["Ghost"]


def test_clone_is_not_resent_after_a_5xx(make_emulator: MakeEmulator, wav_file: Path) -> None:
    emulator = make_emulator(faults=FaultConfig(server_error_rate=1.0))
    with client_for(emulator) as api, pytest.raises(ServerError):
        api.clone(wav_file, name="once")
    assert writes(emulator) == ["clone"]


def test_clone_refused_with_429_is_resent(make_emulator: MakeEmulator, wav_file: Path) -> None:
    emulator = make_emulator(faults=FaultConfig(rate_limit_every=1, retry_after_s=0))
    with client_for(emulator) as api:
        emulator.set_faults(FaultConfig(seed=5, rate_limit_rate=0.5, retry_after_s=0))
        api.clone(wav_file, name="eventually")
    statuses = [e["status"] for e in emulator.requests() if e["operation"] == "clone"]
    assert statuses[-1] == 200 and set(statuses[:-1]) <= {429}
    assert len(emulator.store.all_voices()) == 1


def test_unreachable_server_is_connection_failed() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = VoiceAIClient(Connection(f"http://127.0.0.1:{port}", TEST_KEY), retry=FAST_RETRY)
    with pytest.raises(ConnectionFailedError, match="cannot connect"):
        api.list_voices()
    with pytest.raises(ConnectionFailedError):
        api.clone(Path(__file__), name="never sent")


def test_proxy_variables_hold_for_every_call_and_each_new_session(
    make_emulator: MakeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy environment holds for every call, and a new client reads it afresh."""
    proxy = make_emulator()  # answers absolute-form requests, as a forward proxy passes them on
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens here
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with VoiceAIClient(Connection(closed, TEST_KEY), retry=FAST_RETRY) as api:
        assert [api.list_voices() for _ in range(3)] == [(), (), ()]
    assert [e["operation"] for e in proxy.requests()] == ["list"] * 3
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    bypassing = VoiceAIClient(Connection(closed, TEST_KEY), retry=FAST_RETRY)
    with bypassing as api, pytest.raises(ConnectionFailedError, match="cannot connect"):
        api.list_voices()
    assert len(proxy.requests()) == 3


def test_read_only_client_has_no_mutating_methods() -> None:
    for name in ("clone", "update", "delete"):
        assert not hasattr(ReadOnlyClient, name)


def test_user_agent_names_the_version() -> None:
    seen: list[str] = []
    server = RawServer(lambda m, p: (200, {}, b"[]"))
    try:
        api = VoiceAIClient(Connection(server.url, TEST_KEY), retry=FAST_RETRY)
        api._session.hooks["response"].append(
            lambda r, *a, **k: seen.append(r.request.headers["User-Agent"])
        )
        api.list_voices()
    finally:
        server.close()
    assert seen and seen[0].startswith("voicesync/")


def test_upload_body_is_streamed_and_rewindable(tmp_path: Path) -> None:
    sample = tmp_path / "s.wav"
    sample.write_bytes(tone_wav_bytes(2))
    body = MultipartFile({"name": 'Say "hi"'}, sample, filename="s.wav", content_type="audio/wav")
    first = b"".join(iter(lambda: body.read(1000), b""))
    assert len(first) == len(body)
    body.seek(0)
    assert body.read() == first
    assert first.count(sample.read_bytes()) == 1 and b'name="name"' in first


def test_changed_sample_aborts_the_upload(
    client: VoiceAIClient, tmp_path: Path, emulator: Emulator
) -> None:
    sample = tmp_path / "s.wav"
    sample.write_bytes(tone_wav_bytes(2))
    with pytest.raises(SampleChangedError):
        client.clone(sample, name="x", expected_sha256="0" * 64)
    time.sleep(0.1)
    assert emulator.store.all_voices() == []


def test_upload_streams_instead_of_holding_the_sample(tmp_path: Path) -> None:
    """A 7 MB sample goes out in blocks: the client never holds it whole (let alone twice)."""
    import subprocess
    import sys
    import tracemalloc

    sample = tmp_path / "big.wav"
    sample.write_bytes(tone_wav_bytes(seconds=1)[:44] + bytes(range(256)) * 27_000)  # ~6.9 MB
    server = subprocess.Popen(
        [sys.executable, "-m", "voicesync", "emulator", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        url = server.stderr.readline().split("listening on ")[1].split()[0]
        with VoiceAIClient(Connection(url, TEST_KEY), retry=FAST_RETRY) as api:
            tracemalloc.start()
            api.clone(sample, name="Big")
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert peak < 1_000_000, f"peak {peak} bytes while uploading {sample.stat().st_size}"


def test_an_empty_2xx_on_delete_or_update_is_success(raw: Callable[..., RawServer]) -> None:
    """A 204 (or an empty 200) needs no body when none is needed; an update re-reads the voice."""
    voice = json.dumps({"voice_id": "v1", "name": "New", "status": "AVAILABLE"}).encode()

    def reply(method: str, path: str) -> Reply:
        if method in ("DELETE", "PATCH"):
            return (204, {}, b"")
        return (200, {"Content-Type": "application/json"}, voice)

    server = raw(reply)
    api = raw_client(server)
    api.delete("v1")
    updated = api.update("v1", name="New")
    assert updated.name == "New"
    assert server.hits[-2:] == [("PATCH", "/api/v1/tts/voice/v1"), ("GET", "/api/v1/tts/voice/v1")]


def test_the_servers_detail_comes_first_as_in_the_official_client(
    raw: Callable[..., RawServer],
) -> None:
    body = json.dumps({"error": "Not Found", "detail": "Voice not found", "code": "404"}).encode()
    server = raw(lambda m, p: (404, {"Content-Type": "application/json"}, body))
    with pytest.raises(NotFoundError) as caught:
        raw_client(server).get_voice("v1")
    assert "Voice not found" in str(caught.value)

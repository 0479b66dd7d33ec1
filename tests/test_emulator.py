"""The emulator speaks the documented API: shapes, statuses, limits, errors, pagination, faults."""

from __future__ import annotations

import base64
import contextlib
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import FAST_TIMING, TEST_KEY, tone_wav_bytes
from voicesync.emulator import Dialect, Emulator, EmulatorConfig, FaultConfig, Timing, account_of
from voicesync.emulator.audio import silent_mp3, sniff
from voicesync.localfiles import atomic_write_bytes

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
OTHER = {"Authorization": "Bearer vk_someone_else"}


def api(emulator: Emulator, path: str) -> str:
    return f"{emulator.url}/api/v1/tts{path}"


def clone(
    emulator: Emulator, sample: bytes | None = None, headers: dict[str, str] = AUTH, **data: str
) -> requests.Response:
    files = {"file": ("s.wav", tone_wav_bytes() if sample is None else sample, "audio/wav")}
    return requests.post(api(emulator, "/clone-voice"), headers=headers, files=files, data=data)


def test_clone_returns_id_and_pending_then_progresses(emulator: Emulator) -> None:
    created = clone(emulator, name="Narrator", voice_visibility="PRIVATE", language="fr")
    assert created.status_code == 200
    body = created.json()
    assert set(body) == {"voice_id", "status"} and body["status"] == "PENDING"
    voice = requests.get(api(emulator, f"/voice/{body['voice_id']}"), headers=AUTH).json()
    assert voice == {
        "voice_id": body["voice_id"],
        "name": "Narrator",
        "voice_visibility": "PRIVATE",
        "status": "PENDING",
    }


def test_status_follows_the_clock() -> None:
    now = [1000.0]
    config = EmulatorConfig(timing=Timing(pending_s=2, processing_s=3))
    with Emulator(config, clock=lambda: now[0]) as emulator:
        voice_id = clone(emulator).json()["voice_id"]
        seen = []
        for t in (1000.0, 1001.9, 1002.0, 1004.9, 1005.0, 9999.0):
            now[0] = t
            seen.append(requests.get(api(emulator, f"/voice/{voice_id}"), headers=AUTH).json())
        assert [v["status"] for v in seen] == [
            "PENDING",
            "PENDING",
            "PROCESSING",
            "PROCESSING",
            "AVAILABLE",
            "AVAILABLE",
        ]


@pytest.mark.parametrize(
    "sample", [tone_wav_bytes(amplitude=0), silent_mp3(), b"RIFF\x00\x00\x00\x00WAVEjunk"]
)
def test_silent_or_undecodable_audio_is_accepted_then_fails(
    make_emulator: object, sample: bytes
) -> None:
    emulator = make_emulator(timing=Timing(0, 0))  # type: ignore[operator]
    voice_id = clone(emulator, sample).json()["voice_id"]
    voice = requests.get(api(emulator, f"/voice/{voice_id}"), headers=AUTH).json()
    assert voice["status"] == "FAILED"


def test_default_visibility_is_public_and_only_set_fields_matter(emulator: Emulator) -> None:
    voice_id = clone(emulator).json()["voice_id"]
    voice = requests.get(api(emulator, f"/voice/{voice_id}"), headers=AUTH).json()
    assert voice["voice_visibility"] == "PUBLIC" and voice["name"] is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sample": b"this is plain text, not audio"}, "file"),
        ({"sample": b"RIFF" + bytes(7_500_001)}, "file"),
        ({"voice_visibility": "public"}, "voice_visibility"),
        ({"language": "xx"}, "language"),
    ],
)
def test_clone_validation_errors_use_fastapi_shape(
    emulator: Emulator, kwargs: dict[str, object], field: str
) -> None:
    response = clone(emulator, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", field] and detail[0]["msg"]
    assert requests.get(api(emulator, "/voices"), headers=AUTH).json() == []


def test_clone_without_file_is_422(emulator: Emulator) -> None:
    response = requests.post(
        api(emulator, "/clone-voice"), headers=AUTH, files={"name": (None, "x")}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


def test_clone_accepts_the_older_json_base64_body(emulator: Emulator) -> None:
    encoded = base64.b64encode(tone_wav_bytes()).decode()
    response = requests.post(
        api(emulator, "/clone-voice"),
        headers=AUTH,
        json={"base64_audio": encoded, "name": "B64", "voice_visibility": "PRIVATE"},
    )
    assert response.status_code == 200
    voices = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    assert [(v["name"], v["voice_visibility"]) for v in voices] == [("B64", "PRIVATE")]


def test_each_body_has_its_documented_size_limit(emulator: Emulator) -> None:
    """multipart: 7.5 MB of audio; the older JSON body: 7,500,000 characters of base64 text
    (voiceai-api.md), so a 6.4 MB sample fits the one and not the other."""
    sample = tone_wav_bytes(seconds=400.0)
    assert 6_000_000 < len(sample) < 7_500_000
    multipart = requests.post(api(emulator, "/clone-voice"), headers=AUTH,
                              files={"file": ("s.wav", sample, "audio/wav")})  # fmt: skip
    assert multipart.status_code == 200, multipart.text
    as_json = requests.post(api(emulator, "/clone-voice"), headers=AUTH,
                            json={"base64_audio": base64.b64encode(sample).decode()})  # fmt: skip
    assert as_json.status_code == 422 and "base64_audio too long" in as_json.text
    too_big = tone_wav_bytes(seconds=480.0)  # 7.7 MB of audio
    refused = requests.post(api(emulator, "/clone-voice"), headers=AUTH,
                            files={"file": ("s.wav", too_big, "audio/wav")})  # fmt: skip
    assert refused.status_code == 422 and "7.5MB" in refused.text


def test_update_patch_and_put_return_the_full_voice(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(accept_put=True))  # type: ignore[operator]
    voice_id = clone(emulator, name="A").json()["voice_id"]
    url = api(emulator, f"/voice/{voice_id}")
    patched = requests.patch(url, headers=AUTH, json={"name": "B"}).json()
    assert patched["name"] == "B" and patched["voice_visibility"] == "PUBLIC"
    put = requests.put(url, headers=AUTH, json={"voice_visibility": "PRIVATE"}).json()
    assert put == {
        "voice_id": voice_id,
        "name": "B",
        "voice_visibility": "PRIVATE",
        "status": put["status"],
    }
    bad = requests.patch(url, headers=AUTH, json={"voice_visibility": "SECRET"})
    assert bad.status_code == 422


def test_delete_is_soft_and_hides_the_voice(emulator: Emulator) -> None:
    voice_id = clone(emulator).json()["voice_id"]
    url = api(emulator, f"/voice/{voice_id}")
    assert requests.delete(url, headers=AUTH).json() == {"status": "deleted", "voice_id": voice_id}
    assert requests.get(url, headers=AUTH).status_code == 404
    assert requests.delete(url, headers=AUTH).json() == {"detail": "Voice not found"}
    assert requests.get(api(emulator, "/voices"), headers=AUTH).json() == []
    admin = requests.get(f"{emulator.url}/_emulator/voices").json()
    assert admin[0]["deleted_at"] is not None


def test_ownership_rules(make_emulator: object) -> None:
    emulator = make_emulator(catalog_voices=1)  # type: ignore[operator]
    mine = clone(emulator, voice_visibility="PRIVATE").json()["voice_id"]
    listed = requests.get(api(emulator, "/voices"), headers=OTHER).json()
    assert [v["name"] for v in listed] == ["Catalog Voice 1"]
    catalog_id = listed[0]["voice_id"]
    assert requests.get(api(emulator, f"/voice/{mine}"), headers=OTHER).status_code == 404
    assert requests.delete(api(emulator, f"/voice/{mine}"), headers=OTHER).status_code == 404
    assert requests.get(api(emulator, f"/voice/{catalog_id}"), headers=AUTH).status_code == 200
    denied = requests.patch(api(emulator, f"/voice/{catalog_id}"), headers=AUTH, json={"name": "x"})
    assert denied.status_code == 403
    assert requests.delete(api(emulator, f"/voice/{catalog_id}"), headers=AUTH).status_code == 403


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "k"}])
def test_missing_or_malformed_key_is_401(emulator: Emulator, headers: dict[str, str]) -> None:
    response = requests.get(api(emulator, "/voices"), headers=headers)
    assert response.status_code == 401 and "detail" in response.json()


def test_required_key(make_emulator: object) -> None:
    emulator = make_emulator(api_key="vk_right")  # type: ignore[operator]
    wrong = requests.get(api(emulator, "/voices"), headers={"Authorization": "Bearer vk_wrong"})
    right = requests.get(api(emulator, "/voices"), headers={"Authorization": "Bearer vk_right"})
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_voice_slot_limit_is_402(make_emulator: object) -> None:
    emulator = make_emulator(max_voices=1)  # type: ignore[operator]
    assert clone(emulator).status_code == 200
    assert clone(emulator).status_code == 402


def test_paged_list_walks_with_limit_and_offset(make_emulator: object) -> None:
    dialect = Dialect(list_shape="paged", max_page_size=3)
    emulator = make_emulator(dialect=dialect)  # type: ignore[operator]
    for i in range(7):
        clone(emulator, name=f"v{i}")
    page = requests.get(api(emulator, "/voices?limit=50&offset=3&bogus=1"), headers=AUTH).json()
    assert (page["total"], page["limit"], page["offset"]) == (7, 3, 3)
    assert [v["name"] for v in page["voices"]] == ["v3", "v4", "v5"]
    private = requests.get(api(emulator, "/voices?visibility=PRIVATE"), headers=AUTH).json()
    assert private["total"] == 0


def test_paged_next_links(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape="paged-next", max_page_size=2))  # type: ignore[operator]
    for i in range(3):
        clone(emulator, name=f"v{i}")
    first = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    assert first["next"] == "/api/v1/tts/voices?limit=2&offset=2"
    last = requests.get(emulator.url + first["next"], headers=AUTH).json()
    assert [v["name"] for v in last["voices"]] == ["v2"] and last["next"] is None


def test_third_party_dialect(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect.third_party())  # type: ignore[operator]
    created = clone(emulator, name="T").json()
    assert created["status"] == "PROCESSING"
    listed = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    voice = listed["voices"][0]
    assert {"visibility", "language", "created_at", "updated_at"} <= set(voice)
    assert "voice_visibility" not in voice
    gone = requests.delete(api(emulator, f"/voice/{created['voice_id']}"), headers=AUTH).json()
    assert gone["success"] is True
    missing = requests.get(api(emulator, "/voice/nope"), headers=AUTH).json()
    assert missing == {"error": "Not Found", "detail": "Voice not found", "code": "404"}


@pytest.mark.parametrize(("fmt", "kind"), [("mp3", "mp3"), ("wav", "wav"), (None, "mp3")])
def test_speech_returns_audio(emulator: Emulator, fmt: str | None, kind: str) -> None:
    body: dict[str, str] = {"text": "Hello there"}
    if fmt:
        body["audio_format"] = fmt
    response = requests.post(api(emulator, "/speech"), headers=AUTH, json=body)
    assert response.status_code == 200 and sniff(response.content) == kind


def test_speech_stream_is_chunked(emulator: Emulator) -> None:
    response = requests.post(
        api(emulator, "/speech/stream"), headers=AUTH, json={"text": "hi", "audio_format": "wav"}
    )
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.content.startswith(b"RIFF")


def test_speech_errors(emulator: Emulator) -> None:
    voice_id = clone(emulator).json()["voice_id"]
    too_long = requests.post(api(emulator, "/speech"), headers=AUTH, json={"text": "x" * 5001})
    not_ready = requests.post(
        api(emulator, "/speech"), headers=AUTH, json={"text": "hi", "voice_id": voice_id}
    )
    missing = requests.post(api(emulator, "/speech"), headers=AUTH, json={})
    assert (too_long.status_code, not_ready.status_code, missing.status_code) == (400, 404, 422)


def test_unknown_paths_and_methods(emulator: Emulator) -> None:
    assert requests.get(api(emulator, "/nothing"), headers=AUTH).status_code == 404
    assert requests.post(api(emulator, "/voices"), headers=AUTH).status_code == 405


def test_state_persists_across_restarts(tmp_path: Path) -> None:
    config = EmulatorConfig(
        timing=FAST_TIMING, state_path=tmp_path / "emu.json", write_file=atomic_write_bytes
    )
    with Emulator(config) as first:
        voice_id = clone(first, name="Kept").json()["voice_id"]
    with Emulator(config) as second:
        voices = requests.get(api(second, "/voices"), headers=AUTH).json()
        new_id = clone(second).json()["voice_id"]
    assert [v["voice_id"] for v in voices] == [voice_id]
    assert new_id != voice_id
    assert TEST_KEY not in (tmp_path / "emu.json").read_text()


def test_faults_are_seeded_and_reproducible(make_emulator: object) -> None:
    def run_once() -> list[object]:
        faults = FaultConfig(seed=7, server_error_rate=0.3, drop_rate=0.2, rate_limit_every=4)
        emulator = make_emulator(faults=faults)  # type: ignore[operator]
        for _ in range(20):
            with contextlib.suppress(requests.ConnectionError):
                requests.get(api(emulator, "/voices"), headers=AUTH, timeout=5)
        return [(e["status"], e["fault"]) for e in emulator.requests()]

    first = run_once()
    assert first == run_once()
    faults = {f for _, f in first}
    assert {"rate_limit", "server_error", "dropped", None} <= faults


def test_rate_limit_carries_retry_after_and_html_errors(make_emulator: object) -> None:
    emulator = make_emulator(  # type: ignore[operator]
        faults=FaultConfig(rate_limit_every=1, retry_after_s=3, html_errors=True)
    )
    response = requests.get(api(emulator, "/voices"), headers=AUTH)
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert response.headers["Content-Type"] == "text/html"
    assert b"<html>" in response.content


def test_lost_write_commits_then_drops(make_emulator: object) -> None:
    emulator = make_emulator(faults=FaultConfig(lost_write_rate=1.0))  # type: ignore[operator]
    with pytest.raises(requests.ConnectionError):
        clone(emulator, name="Ghost")
    emulator.set_faults(FaultConfig())
    assert [v["name"] for v in requests.get(api(emulator, "/voices"), headers=AUTH).json()] == [
        "Ghost"
    ]


def test_admin_endpoints(emulator: Emulator) -> None:
    seeded = requests.post(
        f"{emulator.url}/_emulator/voices", headers=AUTH, json={"name": "Hand-made"}
    ).json()
    assert seeded["status"] == "AVAILABLE"
    many = requests.post(
        f"{emulator.url}/_emulator/voices", headers=AUTH, json={"name": "Other", "count": 300}
    ).json()
    assert many == {"seeded": 300}
    listed = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    assert len(listed) == 301 and {"Other 0", "Other 299"} <= {v["name"] for v in listed}
    emulator.clear_requests()
    assert requests.put(f"{emulator.url}/_emulator/faults", json={"nope": 1}).status_code == 400
    assert requests.put(f"{emulator.url}/_emulator/faults", json={"seed": 3}).json()["seed"] == 3
    assert [e["operation"] for e in requests.get(f"{emulator.url}/_emulator/requests").json()] == []
    requests.get(api(emulator, "/voices"), headers=AUTH)
    assert len(emulator.requests()) == 1
    requests.delete(f"{emulator.url}/_emulator/requests")
    assert emulator.requests() == []


# -- hazards a real service may show (the ownership issue) ----------------------------------
def test_capped_list_honours_limit_and_offset_and_says_no_total(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape="capped", page_size=100, max_page_size=100))  # type: ignore[operator]
    for i in range(105):
        emulator.store.seed_voice("x", name=f"other {i}")  # type: ignore[attr-defined]
        emulator.store.seed_voice(account_of(TEST_KEY), name=f"v{i}")  # type: ignore[attr-defined]
    first = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    assert set(first) == {"voices"} and len(first["voices"]) == 100
    asked = requests.get(api(emulator, "/voices?limit=500&offset=100"), headers=AUTH).json()
    assert [v["name"] for v in asked["voices"]] == ["v100", "v101", "v102", "v103", "v104"]


def test_list_lag_hides_new_voices_for_a_while(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(list_lag_s=0.4))  # type: ignore[operator]
    voice_id = clone(emulator, name="Late").json()["voice_id"]
    assert requests.get(api(emulator, "/voices"), headers=AUTH).json() == []
    assert requests.get(api(emulator, f"/voice/{voice_id}"), headers=AUTH).status_code == 200
    time.sleep(0.5)
    assert [v["voice_id"] for v in requests.get(api(emulator, "/voices"), headers=AUTH).json()] == [
        voice_id
    ]


def test_list_can_leave_out_voices_still_processing(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(list_omits_processing=True), timing=Timing(0.2, 0.2))  # type: ignore[operator]
    voice_id = clone(emulator, name="Busy").json()["voice_id"]
    assert requests.get(api(emulator, "/voices"), headers=AUTH).json() == []
    assert requests.get(api(emulator, f"/voice/{voice_id}"), headers=AUTH).json()["status"] in (
        "PENDING",
        "PROCESSING",
    )


def test_other_accounts_public_voices_are_listed_but_not_changeable(make_emulator: object) -> None:
    emulator = make_emulator(dialect=Dialect(list_public=True), public_voices=2)  # type: ignore[operator]
    listed = requests.get(api(emulator, "/voices"), headers=AUTH).json()
    assert sorted(v["name"] for v in listed) == ["Community Voice 1", "Community Voice 2"]
    theirs = listed[0]["voice_id"]
    assert requests.get(api(emulator, f"/voice/{theirs}"), headers=AUTH).status_code == 200
    patched = requests.patch(api(emulator, f"/voice/{theirs}"), json={"name": "Mine"}, headers=AUTH)
    assert patched.status_code == 403
    assert requests.delete(api(emulator, f"/voice/{theirs}"), headers=AUTH).status_code == 403


def test_commit_error_creates_the_voice_and_answers_500(make_emulator: object) -> None:
    emulator = make_emulator(faults=FaultConfig(commit_error_rate=1.0))  # type: ignore[operator]
    assert clone(emulator, name="Ghost").status_code == 500
    assert [v.name for v in emulator.store.all_voices()] == ["Ghost"]  # type: ignore[attr-defined]


def test_faults_can_aim_at_one_operation(make_emulator: object) -> None:
    emulator = make_emulator(faults=FaultConfig(server_error_rate=1.0, operations=("delete",)))  # type: ignore[operator]
    voice_id = clone(emulator, name="Kept").json()["voice_id"]
    assert requests.get(api(emulator, "/voices"), headers=AUTH).status_code == 200
    assert requests.delete(api(emulator, f"/voice/{voice_id}"), headers=AUTH).status_code >= 500


# -- fidelity to FastAPI and to the documented error shapes (issue 14: 5, 8, 9) ---------------------
def test_put_is_refused_unless_the_service_is_told_to_accept_it(emulator: Emulator) -> None:
    voice_id = clone(emulator, name="A").json()["voice_id"]
    put = requests.put(api(emulator, f"/voice/{voice_id}"), headers=AUTH, json={"name": "B"})
    assert put.status_code == 405  # the docs and the SDK update with PATCH only


@pytest.mark.parametrize(
    ("dialect", "body"),
    [
        (Dialect(), {"detail": "Voice not found"}),
        (
            Dialect(error_shape="official"),
            {"error": "Not Found", "detail": "Voice not found", "code": "404"},
        ),
    ],
    ids=["fastapi", "official"],
)
def test_error_shapes(make_emulator: object, dialect: Dialect, body: dict[str, str]) -> None:
    emulator = make_emulator(dialect=dialect)  # type: ignore[operator]
    missing = requests.get(api(emulator, "/voice/nope"), headers=AUTH)
    assert (missing.status_code, missing.json()) == (404, body)


def test_paths_are_read_as_fastapi_reads_them(emulator: Emulator) -> None:
    voice_id = clone(emulator, name="A").json()["voice_id"]
    encoded = "".join(f"%{ord(c):02X}" for c in voice_id)
    assert requests.get(api(emulator, f"/voice/{encoded}"), headers=AUTH).json()["name"] == "A"
    slash = requests.get(api(emulator, "/voices/?x=1"), headers=AUTH, allow_redirects=False)
    assert slash.status_code == 307
    assert slash.headers["Location"].endswith("/api/v1/tts/voices?x=1")
    followed = requests.get(api(emulator, "/voices/"), headers=AUTH)
    assert [v["name"] for v in followed.json()] == ["A"]

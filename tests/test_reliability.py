"""Bad days on purpose: concurrent runs, hand edits mid-run, hostile servers, a secret canary."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.rawserver import RawServer, Reply
from tests.conftest import FAST_RETRY, TEST_KEY, Catalog, CliResult
from tests.test_apply import FAST_APPLY, live
from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.emulator import Emulator, EmulatorConfig, FaultConfig, Timing, account_of
from voicesync.errors import LockError
from voicesync.localfiles import atomic_write_bytes
from voicesync.pipeline import Applied
from voicesync.state.lock import state_lock
from voicesync.state.store import load_state
from voicesync.workspace import Workspace

Cli = Callable[..., CliResult]
MakeEmulator = Callable[..., Emulator]
CANARY = "vk_CANARY_5f0c1e9d7b3a4e21"


def apply(catalog: Catalog, emulator: Emulator, key: str = TEST_KEY) -> Applied:
    with VoiceAIClient(Connection(emulator.url, key), retry=FAST_RETRY) as api:
        return pipeline.apply(Workspace.open(catalog.path), api, apply_options=FAST_APPLY)


# -- secret canary ------------------------------------------------------------------------------
def test_the_key_never_leaves_the_environment(
    cli: Cli, catalog: Catalog, tmp_path: Path, make_emulator: MakeEmulator
) -> None:
    emulator_state = tmp_path / "emulator.json"
    emulator = make_emulator(
        EmulatorConfig(
            timing=Timing(0.02, 0.05),
            state_path=emulator_state,
            catalog_voices=1,
            write_file=atomic_write_bytes,
        )
    )
    picky = make_emulator(api_key="vk_only_this_one")
    html = RawServer(lambda m, p: (502, {"Content-Type": "text/html"}, b"<html>bad gateway</html>"))
    catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav")},
            {"name": "Mute", "sample": catalog.sample("m.wav", amplitude=0)},
        ]
    )
    plan_file = tmp_path / "plan.json"
    good = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": CANARY}
    runs = [
        (("validate", str(catalog.path)), good),
        (("plan", str(catalog.path), "--out", str(plan_file)), good),
        (("-vv", "plan", str(catalog.path), "--format", "json"), good),
        (("--debug", "plan", str(catalog.path), "--format", "markdown"), good),
        (("apply", str(catalog.path)), good),  # refused: no terminal, no --yes
        (("-vv", "--debug", "apply", str(catalog.path), "--yes"), good),  # Mute ends FAILED
        (("apply", str(catalog.path), "--plan", str(plan_file)), good),  # stale
        (("list", str(catalog.path), "--format", "json"), good),
        (("-vv", "list"), good),
        (("outputs", str(catalog.path), "--format", "env"), good),
        (("--debug", "list"), {"VOICEAI_BASE_URL": picky.url, "VOICEAI_API_KEY": CANARY}),
        (
            ("--debug", "plan", str(catalog.path)),
            {"VOICEAI_BASE_URL": html.url, "VOICEAI_API_KEY": CANARY},
        ),
        (("list",), {"VOICEAI_BASE_URL": "http://127.0.0.1:9", "VOICEAI_API_KEY": CANARY}),
        (
            ("list",),
            {"VOICEAI_BASE_URL": f"http://user:{CANARY}@example.com", "VOICEAI_API_KEY": CANARY},
        ),
        (("destroy", str(catalog.path), "--yes", "--force"), good),
    ]
    seen = []
    try:
        for args, env in runs:
            result = cli(*args, env=env)
            seen.append(result.output)
            assert "Traceback" not in result.output, (args, result.output)
    finally:
        html.close()
    verbose = "\n".join(seen)
    assert "Authorization': 'Bearer <redacted>'" in verbose
    files = [plan_file, catalog.state_path, emulator_state]
    assert all(f.exists() for f in files)
    for text in [*seen, *(f.read_text() for f in files)]:
        assert CANARY not in text
        assert CANARY[3:] not in text


# -- concurrency ------------------------------------------------------------------------------------
def test_two_applies_at_once_make_one_voice_each(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(timing=Timing(0.1, 0.3))
    catalog.write(
        [
            {"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
            for i in range(5)
        ]
    )
    outcomes: list[object] = []

    def run() -> None:
        try:
            outcomes.append(apply(catalog, emulator))
        except Exception as exc:  # recorded for the assertion below
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2 and all(isinstance(o, Applied) for o in outcomes), outcomes
    assert sorted(o.result is None for o in outcomes if isinstance(o, Applied)) == [False, True]
    assert live(emulator) == [(f"V{i}", "AVAILABLE") for i in range(5)]


def test_a_held_lock_names_its_holder(catalog: Catalog) -> None:
    catalog.write([])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\n"
            "from voicesync.state.lock import state_lock\n"
            "with state_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(30)\n",
            str(catalog.state_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockError) as caught, state_lock(catalog.state_path, timeout_s=0.2):
            pass
        assert f"pid {holder.pid}" in str(caught.value)
    finally:
        holder.kill()
        holder.communicate()
    with state_lock(catalog.state_path, timeout_s=1) as warning:
        assert warning is not None and "ended without releasing" in warning  # killed holder


def test_hand_edits_during_an_apply(catalog: Catalog, make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(timing=Timing(0.2, 1.0))
    catalog.write([{"name": "Kept", "sample": catalog.sample("k.wav")}])
    apply(catalog, emulator)
    catalog.write(
        [
            {"name": "Kept", "sample": "samples/k.wav"},
            {"name": "New A", "sample": catalog.sample("a.wav", period=30)},
            {"name": "New B", "sample": catalog.sample("b.wav", period=40)},
        ]
    )
    result: list[Applied] = []
    worker = threading.Thread(target=lambda: result.append(apply(catalog, emulator)))
    worker.start()
    deadline = time.monotonic() + 10
    while True:  # wait until both clones are journalled with their ids
        records = load_state(catalog.state_path, emulator.url).records
        pending = [r.pending.voice_id for r in records.values() if r.pending and r.pending.voice_id]
        if len(pending) == 2:
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    owner = account_of(TEST_KEY)
    victim = next(v for v in emulator.store.all_voices() if v.name == "New A")
    emulator.store.delete(owner, victim.voice_id)  # someone deletes it in the web app
    kept = next(v for v in emulator.store.all_voices() if v.name == "Kept")
    emulator.store.update(owner, kept.voice_id, name="Renamed by hand", visibility=None)
    worker.join(timeout=30)
    first = result[0].result
    assert first is not None and not first.ok
    assert any("vanished" in r.message for r in first.results)
    second = apply(catalog, emulator)
    reasons = {(c.name, c.reason.value) for c in second.planned.plan.changes}
    assert ("Kept", "drift_renamed") in reasons and ("New A", "interrupted_clone") in reasons
    assert second.result is not None and second.result.ok
    assert live(emulator) == [("Kept", "AVAILABLE"), ("New A", "AVAILABLE"), ("New B", "AVAILABLE")]


# -- hostile and broken servers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "ctype", "fragment"),
    [
        (b"<!doctype html><title>Login</title>", "text/html", "HTML page"),
        (b'[{"voice_id": "a", "status": "AVAIL', "application/json", "not JSON"),
        (b'{"voices": "nope"}', "application/json", "neither a JSON array"),
        (b'[{"name": "no id"}]', "application/json", "without a voice_id"),
    ],
)
def test_broken_list_answers_fail_clearly(
    cli: Cli, catalog: Catalog, body: bytes, ctype: str, fragment: str
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    server = RawServer(lambda m, p: (200, {"Content-Type": ctype}, body))
    try:
        env = {"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY}
        for args in (("list",), ("plan", str(catalog.path)), ("apply", str(catalog.path), "--yes")):
            result = cli(*args, env=env)
            assert result.code == 1 and fragment in result.stderr, result.output
            assert "Traceback" not in result.output
        assert all(method == "GET" for method, _ in server.hits)
    finally:
        server.close()


def test_unknown_status_values_are_shown_not_fatal(cli: Cli, catalog: Catalog) -> None:
    listed = json.dumps([{"voice_id": "v1", "name": "A", "status": "QUEUED_FOR_GPU"}]).encode()
    server = RawServer(lambda m, p: (200, {}, listed))
    try:
        result = cli("list", env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY})
    finally:
        server.close()
    assert result.code == 0 and "QUEUED_FOR_GPU" in result.stdout


def test_clone_answered_without_voice_id_is_not_repeated_blindly(
    cli: Cli, catalog: Catalog
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])

    def reply(method: str, path: str) -> Reply:
        return (200, {}, b"{}") if method == "POST" else (200, {}, b"[]")

    server = RawServer(reply)
    try:
        result = cli(
            "apply",
            str(catalog.path),
            "--yes",
            "--grace-period",
            "0.3",
            env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY},
        )
    finally:
        server.close()
    assert result.code == 1 and "Traceback" not in result.output
    posts = [p for m, p in server.hits if m == "POST"]
    lists = [p for m, p in server.hits if m == "GET"]
    assert 1 <= len(posts) <= 3 and len(lists) > len(posts)  # each resend came after a listing
    record = load_state(catalog.state_path, server.url).records["A"]
    assert record.pending is not None  # journalled: the next run checks the account first


def test_enormous_answers_are_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import voicesync.api.responses as responses_module

    monkeypatch.setattr(responses_module, "MAX_RESPONSE_BYTES", 100_000)
    huge = json.dumps([{"voice_id": str(i), "status": "AVAILABLE"} for i in range(10_000)]).encode()
    server = RawServer(lambda m, p: (200, {}, huge))
    try:
        result = cli("list", env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY})
    finally:
        server.close()
    assert result.code == 1
    assert "the answer is larger than 100,000 bytes; not reading it" in result.stderr


def test_a_voice_that_never_finishes_times_out(
    cli: Cli, catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(timing=Timing(0.01, 10_000))
    catalog.write([{"name": "Slow", "sample": catalog.sample("s.wav")}])
    result = cli(
        "apply",
        str(catalog.path),
        "--yes",
        "--wait-timeout",
        "0.5",
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )
    assert result.code == 1 and "still PROCESSING after 0.5 s" in result.stdout
    assert "raise --wait-timeout" in result.stdout


def test_faults_through_the_cli_still_converge(
    cli: Cli, catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(
        faults=FaultConfig(
            seed=4, server_error_rate=0.1, drop_rate=0.05, rate_limit_every=7, retry_after_s=0
        )
    )
    catalog.write(
        [
            {"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
            for i in range(4)
        ]
    )
    env = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    for _ in range(3):
        if cli("apply", str(catalog.path), "--yes", "--grace-period", "0.5", env=env).code == 0:
            break
    emulator.set_faults(FaultConfig())
    assert cli("plan", str(catalog.path), "--detailed-exitcode", env=env).code == 0
    assert live(emulator) == [(f"V{i}", "AVAILABLE") for i in range(4)]

"""Hostile input: files in a pull request, servers that misbehave on purpose, hand-edited files.

Each case: a clear error (one line naming the file or setting, what is wrong and how to fix it),
exit 1, no traceback, and nothing written remotely or locally that should not be.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Emulator

Cli = Callable[..., CliResult]


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def one_voice(catalog: Catalog) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])


def writes(emulator: Emulator) -> list[str]:
    return [r["method"] for r in emulator.requests() if r["method"] != "GET"]


# -- symbolic links committed beside the catalog ---------------------------------------------------
@pytest.mark.parametrize("linked", ["voices.lock.json", ".voicesync", ".voicesync/voices.lock.json.holder",
                                    ".voicesync/voices.lock.json.lock"])  # fmt: skip
def test_a_symlink_beside_the_catalog_is_never_followed(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path, linked: str
) -> None:
    one_voice(catalog)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENT\n")
    target = catalog.root / linked
    target.parent.mkdir(parents=True, exist_ok=True)
    if linked == ".voicesync":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        target.symlink_to(elsewhere)
    else:
        target.symlink_to(secret)
    result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 1, result.output
    assert "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert "TOP SECRET" not in result.output
    assert secret.read_text() == "TOP SECRET CONTENT\n"
    assert writes(emulator) == []
    if linked == ".voicesync":
        assert list((tmp_path / "elsewhere").iterdir()) == []


def test_a_holder_file_shows_only_what_voicesync_writes_there(
    catalog: Catalog, tmp_path: Path
) -> None:
    from voicesync.state.lock import _holder_text

    holder = tmp_path / "x.holder"
    holder.write_text("pid 12 on runner-3 since 2026-12-01T00:00:00Z\n")
    assert _holder_text(holder) == "pid 12 on runner-3 since 2026-12-01T00:00:00Z"
    holder.write_text("root:x:0:0:root:/root:/bin/bash\n")
    assert _holder_text(holder) == "another process"
    os.chmod(holder, 0)


# -- names that try to drive the terminal -----------------------------------------------------------
FORGED = "Narrator\n  - delete Announcer  [x]\x1b]0;pwned\x07\x1b[2K\u202eevil"


def test_remote_names_cannot_forge_plan_lines_or_drive_the_terminal(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    import json

    from voicesync.emulator import account_of

    one_voice(catalog)
    emulator.store.seed_voice(account_of(TEST_KEY), name=FORGED)
    for fmt in ("text", "markdown"):
        shown = cli("plan", str(catalog.path), "--format", fmt, env=env(emulator))
        assert shown.code == 0, shown.output
        assert "\x1b" not in shown.output and "\x07" not in shown.output
        assert "\u202e" not in shown.output
        assert "\n  - delete Announcer" not in shown.stdout
        # shown, escaped (markdown escapes the escape once more: it renders as the text does)
        shown_as = "\\x1b]0;pwned" if fmt == "text" else "\\\\x1b\\]0;pwned"
        assert shown_as in shown.stdout
    listed = cli("list", str(catalog.path), env=env(emulator))
    assert "\x1b" not in listed.output and "\\x0a" in listed.stdout
    exact = cli("list", str(catalog.path), "--format", "json", env=env(emulator))
    assert FORGED in [row["name"] for row in json.loads(exact.stdout)]  # JSON stays exact


# -- servers that are not there or misbehave ------------------------------------------------------
def test_a_refused_connection_says_so_and_how_to_check(cli: Cli, catalog: Catalog) -> None:
    import socket

    one_voice(catalog)
    with socket.socket() as probe:  # a port on 127.0.0.1 where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = cli(
        "plan", str(catalog.path), env={"VOICEAI_BASE_URL": url, "VOICEAI_API_KEY": TEST_KEY}
    )
    assert result.code == 1
    assert f"cannot connect to {url}: connection refused" in result.stderr
    assert f"curl -sS {url}/api/v1/tts/voices" in result.stderr
    assert "NewConnectionError" not in result.stderr and "HTTPConnection(" not in result.stderr


def test_an_unknown_status_is_reported_at_once_and_nothing_is_cloned_twice(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    from voicesync.emulator import Dialect, Timing

    emulator = make_emulator(dialect=Dialect(available_status="READY"), timing=Timing(0.05, 0.1))
    one_voice(catalog)
    # --wait-timeout stays at its 600 s default: only reporting at once ends this in time.
    first = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert first.code == 1
    assert "status voicesync does not know: 'READY'" in first.output
    again = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert "'READY'" in again.output
    clones = [r for r in emulator.requests() if r["operation"] == "clone"]
    assert len(clones) == 1


# -- large and tricky files ------------------------------------------------------------------------
def test_a_long_catalog_is_not_taken_for_an_alias_bomb(tmp_path: Path) -> None:
    from voicesync.catalog.loader import load_config

    lines = ["version: 1", "voices:"]
    for i in range(4100):
        lines += [f"  - name: Voice number {i:05d}", f"    sample: samples/voice-{i:05d}.wav",
                  "    visibility: PRIVATE", "    language: en"]  # fmt: skip
    path = tmp_path / "voices.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 300_000
    loaded = load_config(path, inspect_samples=False)
    assert len(loaded.state.voices) == 4100


# -- Unicode forms ------------------------------------------------------------------------------
DECOMPOSED = "Rene\u0301e"  # "Renée" as e + combining acute (NFD), as some editors save it
COMPOSED = "Ren\u00e9e"


def test_a_decomposed_name_converges_against_a_service_that_stores_composed(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    from voicesync.emulator import Dialect

    emulator = make_emulator(dialect=Dialect(nfc_names=True))
    catalog.write([{"name": DECOMPOSED, "sample": catalog.sample("r.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    again = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
    assert again.code == 0, again.output  # no endless rename between two forms of one name
    assert [v.name for v in emulator.store.all_voices()] == [COMPOSED]


def test_names_that_differ_only_in_unicode_form_are_one_name(cli: Cli, catalog: Catalog) -> None:
    sample = catalog.sample("r.wav")
    catalog.write([{"name": DECOMPOSED, "sample": sample}, {"name": COMPOSED, "sample": sample}])
    result = cli("validate", str(catalog.path))
    assert result.code == 1 and "in another Unicode form" in result.stderr


def test_a_base_url_holding_the_api_path_shows_the_real_url_and_the_fix(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    one_voice(catalog)
    wrong = f"{emulator.url}/api/v1/tts"
    result = cli(
        "plan", str(catalog.path), env={"VOICEAI_BASE_URL": wrong, "VOICEAI_API_KEY": TEST_KEY}
    )
    assert result.code == 1
    assert "GET /api/v1/tts/api/v1/tts/voices" in result.stderr  # what was really asked
    assert f"try --base-url {emulator.url}" in result.stderr


def test_a_git_lfs_pointer_instead_of_audio_says_git_lfs_pull(cli: Cli, catalog: Catalog) -> None:
    pointer = catalog.root / "samples" / "n.wav"
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        "size 480044\n"
    )
    catalog.write([{"name": "Narrator", "sample": "samples/n.wav"}])
    result = cli("validate", str(catalog.path))
    assert result.code == 1
    assert "Git LFS pointer" in result.stderr and "git lfs pull" in result.stderr
    assert "lfs: true" in result.stderr


# -- the command line --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "flag", ["-q", "--quiet", "-v", "-vv", "--verbose", "--no-color", "--debug"]
)
def test_global_options_work_after_the_command_too(
    cli: Cli, catalog: Catalog, emulator: Emulator, flag: str
) -> None:
    one_voice(catalog)
    before = cli(flag, "plan", str(catalog.path), env=env(emulator))
    after = cli("plan", str(catalog.path), flag, env=env(emulator))
    assert after.code == before.code == 0, after.output
    assert after.stdout == before.stdout


@pytest.mark.parametrize("command", ["apply", "plan", "destroy"])
def test_a_run_refused_for_bad_input_leaves_nothing_behind(
    cli: Cli, catalog: Catalog, emulator: Emulator, command: str
) -> None:
    catalog.path.parent.mkdir(parents=True, exist_ok=True)
    catalog.path.write_text("version: 1\nvoices:\n  - name: [unclosed\n")
    before = sorted(p.name for p in catalog.root.iterdir())
    args = [command, str(catalog.path)] + (["--yes"] if command != "plan" else [])
    result = cli(*args, env=env(emulator))
    assert result.code == 1 and "Traceback" not in result.stderr
    if command != "destroy":  # destroy reads no voices, only the state file
        assert "voices.yaml:4:1: YAML syntax error" in result.stderr
    assert sorted(p.name for p in catalog.root.iterdir()) == before  # no .voicesync/, no lock
    assert writes(emulator) == []


def test_every_option_has_help_and_every_command_an_example_and_exit_codes() -> None:
    import click

    from voicesync.cli import COMMANDS, cli

    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        missing = [p.opts for p in command.params if isinstance(p, click.Option) and not p.help]
        assert missing == [], (name, missing)
        text = command.get_help(click.Context(command, info_name=name, parent=ctx))
        assert "Example:" in text and "Exit codes:" in text, name


def test_one_warning_is_one_warning(cli: Cli, catalog: Catalog) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.speech("n.wav", seconds=3.0)}])
    result = cli("validate", str(catalog.path))
    # Too short, and so too little speech: two findings, each said once.
    assert result.code == 0 and "(1 voice, 2 warnings)" in result.stdout, result.output
    assert result.stderr.count("lasts 3.0 s") == 1 and result.stderr.count("of speech") == 1


@pytest.mark.parametrize("command", ["apply", "plan", "destroy"])
def test_format_json_answers_json_on_stdout_when_it_fails(
    cli: Cli, catalog: Catalog, emulator: Emulator, command: str, tmp_path: Path
) -> None:
    import json

    one_voice(catalog)
    force = ["--force"] if command == "destroy" else []
    result = cli(command, str(catalog.path), "--format", "json", "--yes" if command != "plan" else "--detailed-exitcode", *force,
                 env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": ""})  # fmt: skip
    assert result.code == 1
    error = json.loads(result.stdout)
    assert error["ok"] is False and error["error"]["kind"] == "SettingsError"
    _valid("error.schema.json", error)


def _valid(schema_name: str, data: object) -> None:
    import json

    import jsonschema

    root = Path(__file__).resolve().parent.parent / "schemas"
    jsonschema.validate(data, json.loads((root / schema_name).read_text()))


def test_destroy_says_destroy_in_its_header(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    one_voice(catalog)
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    result = cli("destroy", str(catalog.path), "--yes", "--force", env=env(emulator))
    assert result.code == 0 and "voicesync destroy for" in result.stdout
    assert "voicesync plan for" not in result.stdout


def test_with_neither_file_nor_key_the_file_comes_first(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "voices.yaml"
    for command in ("plan", "apply"):
        result = cli(command, str(missing), env={"VOICEAI_API_KEY": ""})
        assert result.code == 1 and "file not found" in result.stderr, result.stderr
        assert "VOICEAI_API_KEY" not in result.stderr


# -- hand-edited state and plan files ---------------------------------------------------------------
def _state_with(catalog: Catalog, emulator: Emulator, record: dict[str, object]) -> None:
    import json

    base = {"voice_id": "abc", "sample_sha256": "a" * 64, "sample_size": 10, "name": "Narrator",
            "visibility": "PRIVATE", "language": "en", "protected": False}  # fmt: skip
    data = {"format_version": 1, "endpoint": emulator.url, "voices": {"Narrator": base | record}}
    catalog.state_path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"voice_id": ["a", "b"]}, "voices/Narrator/voice_id"),
        ({"voice_id": 12345}, "voices/Narrator/voice_id"),  # would have been re-cloned as drift
        ({"sample_sha256": None}, "voices/Narrator/sample_sha256"),  # was read as "None"
        ({"name": 7}, "voices/Narrator/name"),
        ({"to_delete": "abc"}, "voices/Narrator/to_delete"),
        ({"pending": {"name": "Narrator", "sample_sha256": "a" * 64, "sample_size": "big",
                      "started_at": 1.0}}, "voices/Narrator/pending/sample_size"),
    ],
)  # fmt: skip
def test_a_hand_edited_state_file_with_a_wrong_type_names_the_field(
    cli: Cli, catalog: Catalog, emulator: Emulator, record: dict[str, object], where: str
) -> None:
    one_voice(catalog)
    _state_with(catalog, emulator, record)
    before = catalog.state_path.read_bytes()
    result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"is damaged at {where}" in result.stderr, result.stderr
    assert writes(emulator) == [] and catalog.state_path.read_bytes() == before


def test_a_state_file_saved_as_utf16_says_so(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    one_voice(catalog)
    _state_with(catalog, emulator, {})
    catalog.state_path.write_bytes(catalog.state_path.read_text().encode("utf-16"))
    result = cli("plan", str(catalog.path), env=env(emulator))
    assert result.code == 1 and "UTF-16" in result.stderr and "Set-Content" in result.stderr


def test_a_saved_plan_with_a_wrong_type_is_refused_clearly(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    import json

    one_voice(catalog)
    saved = tmp_path / "plan.json"
    assert cli("plan", str(catalog.path), "--out", str(saved), env=env(emulator)).code == 0
    saved.write_text(json.dumps(json.loads(saved.read_text()) | {"options": "x"}))
    result = cli("apply", str(catalog.path), "--plan", str(saved), env=env(emulator))
    assert result.code == 1 and "(damaged at options:" in result.stderr, result.stderr
    assert writes(emulator) == []


# -- clear errors instead of "unexpected internal error" -----------------------------------------
def test_a_nul_character_in_a_sample_path_is_a_clear_error(cli: Cli, catalog: Catalog) -> None:
    catalog.path.parent.mkdir(parents=True, exist_ok=True)
    catalog.path.write_text('version: 1\nvoices:\n  - name: Narrator\n    sample: "n\\0.wav"\n')
    result = cli("validate", str(catalog.path))
    assert (
        result.code == 1 and "NUL character" in result.stderr and "voices.yaml:4" in result.stderr
    )


def test_json_nested_too_deeply_from_the_server_is_a_clear_error(
    cli: Cli, catalog: Catalog
) -> None:
    from testing.rawserver import RawServer

    one_voice(catalog)
    nested = b"[" * 100_000 + b"]" * 100_000
    server = RawServer(lambda _m, _p: (200, {"Content-Type": "application/json"}, nested))
    try:
        result = cli(
            "plan",
            str(catalog.path),
            env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY},
        )
    finally:
        server.close()
    assert result.code == 1 and "nested too deeply" in result.stderr, result.stderr


def test_a_state_file_that_cannot_be_written_stops_before_any_clone(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    one_voice(catalog)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    state = not_a_folder / "voices.lock.json"  # its "folder" is a file: every write fails
    result = cli("apply", str(catalog.path), "--yes", "--state", str(state), env=env(emulator))
    assert result.code == 1 and "cannot " in result.stderr and "writable" in result.stderr, (
        result.output
    )
    assert "Traceback" not in result.output
    assert [r for r in emulator.requests() if r["operation"] == "clone"] == []


def test_a_sample_deleted_after_planning_fails_that_voice_cleanly(
    catalog: Catalog, emulator: Emulator
) -> None:
    from tests.conftest import FAST_RETRY
    from voicesync import pipeline
    from voicesync.api.client import VoiceAIClient
    from voicesync.api.settings import Connection
    from voicesync.apply.context import ApplyOptions
    from voicesync.apply.events import ChangeStarted, Event
    from voicesync.state.store import load_state
    from voicesync.workspace import Workspace

    one_voice(catalog)
    sample = catalog.root / "samples" / "n.wav"

    def delete_it(event: Event) -> None:  # the file goes away after the plan, before the upload
        if isinstance(event, ChangeStarted):
            sample.unlink(missing_ok=True)

    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        applied = pipeline.apply(Workspace.open(catalog.path), api, on_event=delete_it,
                                 apply_options=ApplyOptions(grace_s=0.5))  # fmt: skip
    assert applied.result is not None and not applied.result.ok
    (failed,) = applied.result.results
    assert "cannot be read" in failed.message and "nothing was sent" in failed.message
    assert [r for r in emulator.requests() if r["operation"] == "clone"] == []
    assert load_state(catalog.state_path, emulator.url).records == {}  # no journal entry left


def test_an_unexpected_error_exits_3_and_says_how_to_report_it(
    cli: Cli, catalog: Catalog, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import voicesync.pipeline

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(voicesync.pipeline, "build_plan", broken)
    one_voice(catalog)
    result = cli("plan", str(catalog.path), env=env(emulator))
    assert result.code == 3
    assert "a bug in voicesync" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr


# -- time bounds ----------------------------------------------------------------------------------
def test_a_server_that_trickles_its_answer_is_cut_off_at_the_deadline() -> None:
    from testing.rawserver import TrickleServer
    from voicesync.api.client import VoiceAIClient
    from voicesync.api.retry import RetryPolicy
    from voicesync.api.settings import Connection
    from voicesync.errors import ConnectionFailedError

    server = TrickleServer(every_s=0.2)
    policy = RetryPolicy(attempts=3, backoff_s=0.01, jitter_s=0.0, deadline_s=1.0)
    try:
        with (
            VoiceAIClient(Connection(server.url, TEST_KEY), retry=policy) as api,
            pytest.raises(ConnectionFailedError) as failed,
        ):
            # Each byte comes in time for the read timeout: only a whole deadline ends this.
            api.list_voices()
    finally:
        server.close()
    assert "did not finish answering within 1 s" in str(failed.value)


def test_a_429_storm_is_announced_on_stderr_and_given_up_within_the_bound(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    from voicesync.emulator import FaultConfig

    one_voice(catalog)
    emulator = make_emulator(faults=FaultConfig(rate_limit_every=1, retry_after_s=1))
    result = cli("plan", str(catalog.path), "--max-rate-limit-wait", "2.5", env=env(emulator))
    assert result.code == 1, result.output
    assert "waiting 1 s before trying GET /api/v1/tts/voices again (HTTP 429" in result.stderr
    assert "kept answering 429" in result.stderr and "--max-rate-limit-wait" in result.stderr
    stormy = make_emulator(faults=FaultConfig(rate_limit_every=1, retry_after_s=99999))
    at_once = cli("plan", str(catalog.path), "--max-rate-limit-wait", "5", env=env(stormy))
    assert at_once.code == 1 and "asked for 99999 s more" in at_once.stderr  # the ask, refused


def test_wait_timeout_bounds_the_apply_as_a_whole(
    catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    from tests.conftest import FAST_RETRY
    from voicesync import pipeline
    from voicesync.api.client import VoiceAIClient
    from voicesync.api.settings import Connection
    from voicesync.apply.context import ApplyOptions
    from voicesync.emulator import FaultConfig, Timing
    from voicesync.workspace import Workspace

    emulator = make_emulator(timing=Timing(5.0, 5.0), faults=FaultConfig(commit_delay_s=0.3))
    catalog.write([{"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
                   for i in range(3)])  # fmt: skip
    # Starting takes ~0.9 s (three clones, one at a time, 0.3 s each): past the 0.5 s timeout.
    options = ApplyOptions(parallelism=1, wait_timeout_s=0.5, poll_min_s=0.05, grace_s=0.5)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        applied = pipeline.apply(Workspace.open(catalog.path), api, apply_options=options)
    assert applied.result is not None
    assert all("after 0.5 s" in r.message for r in applied.result.results)
    log = emulator.requests()
    last_clone = max(r["seq"] for r in log if r["operation"] == "clone")
    polls = [r for r in log if r["seq"] > last_clone and r["operation"] == "list"]
    assert len(polls) == 1  # one look, then the apply's time was up


def test_destroy_with_a_protected_voice_gives_hints_that_work(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav"), "protected": True},
                   {"name": "Host", "sample": catalog.sample("h.wav", period=30)}])  # fmt: skip
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    result = cli("destroy", str(catalog.path), "--yes", "--force", env=env(emulator))
    assert result.code == 1 and "destroy refuses this plan" in result.stderr
    assert "protected: false" in result.output
    assert "or use voicesync destroy" not in result.output  # no hint to run what is running
    assert "pass --force" not in result.output  # --force would not lift protection


def test_the_built_in_emulators_voices_are_never_read_through_a_link(
    cli: Cli, catalog: Catalog, tmp_path: Path
) -> None:
    """.voicesync/emulator.json is a file voicesync keeps: a link committed there is refused
    (it listed the target's voices), and a damaged one is a clear error, not a crash."""
    one_voice(catalog)
    victim = tmp_path / "victim.json"
    victim.write_text('{"voices": []}')
    local = catalog.root / ".voicesync"
    local.mkdir(exist_ok=True)
    (local / "emulator.json").symlink_to(victim)
    linked = cli("list", str(catalog.path), "--emulator")
    assert linked.code == 1 and "symbolic link" in linked.stderr, linked.output
    assert victim.read_text() == '{"voices": []}'
    (local / "emulator.json").unlink()
    (local / "emulator.json").write_text("{not json")
    damaged = cli("plan", str(catalog.path), "--emulator")
    assert damaged.code == 1 and "damaged" in damaged.stderr, damaged.output
    assert "Traceback" not in damaged.output

"""`voicesync plan` as users and CI see it: golden outputs, exit codes, read-only, one LIST walk."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import FAST_RETRY, TEST_KEY, Catalog, CliResult
from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.executor import ApplyOptions
from voicesync.emulator import Dialect, Emulator, account_of
from voicesync.errors import BadResponseError
from voicesync.model import Visibility
from voicesync.state.store import State, VoiceRecord, save_state
from voicesync.workspace import Workspace

Cli = Callable[..., CliResult]
GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).resolve().parent.parent


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY, "NO_COLOR": "1"}


def check_golden(name: str, text: str, emulator: Emulator) -> None:
    text = text.replace(emulator.url, "http://EMULATOR")
    # The fingerprint binds the plan to its endpoint, whose port changes from run to run.
    text = re.sub(r'(fingerprint`? ?"?:? ?[`"]?)[0-9a-f]{16,64}', r"\1FINGERPRINT", text)
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs; rerun with UPDATE_GOLDEN=1 if intended"


@pytest.fixture
def scenario(
    catalog: Catalog, make_emulator: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> Emulator:
    """Applied A..D, then edits that produce every kind of change."""
    emulator = make_emulator(catalog_voices=1)
    catalog.write(
        [
            {"name": "Alto", "sample": catalog.sample("a.wav", period=10)},
            {"name": "Bass", "sample": catalog.sample("b.wav", period=12)},
            {"name": "Cello", "sample": catalog.sample("c.wav", period=14)},
            {"name": "Drum", "sample": catalog.sample("d.wav", period=16), "visibility": "PUBLIC"},
        ]
    )
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        pipeline.apply(
            Workspace.open(catalog.path),
            api,
            apply_options=ApplyOptions(parallelism=1, poll_min_s=0.02),
        )
    catalog.sample("b.wav", period=18)
    catalog.write(
        [
            {"name": "Altissimo", "sample": "samples/a.wav", "previous_names": ["Alto"]},
            {"name": "Bass", "sample": "samples/b.wav"},
            {"name": "Drum", "sample": "samples/d.wav"},
            {"name": "Echo", "sample": catalog.sample("e.wav", period=22), "language": "fr"},
        ]
    )
    monkeypatch.chdir(catalog.root)
    emulator.clear_requests()
    return emulator


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_golden_plans(cli: Cli, scenario: Emulator, fmt: str) -> None:
    result = cli("plan", "--format", fmt, "--detailed-exitcode", env=env(scenario))
    assert result.code == 2, result.output
    check_golden(
        f"plan.{ {'text': 'txt', 'markdown': 'md', 'json': 'json'}[fmt] }", result.stdout, scenario
    )
    assert all(e["method"] == "GET" for e in scenario.requests())


def test_plan_json_matches_its_schema(cli: Cli, scenario: Emulator, tmp_path: Path) -> None:
    schema = json.loads((ROOT / "schemas" / "plan.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    shown = json.loads(cli("plan", "--format", "json", env=env(scenario)).stdout)
    jsonschema.validate(shown, schema)
    out = tmp_path / "saved.json"
    cli("plan", "--out", str(out), env=env(scenario))
    saved = json.loads(out.read_text())
    jsonschema.validate(saved, schema)
    assert saved["fingerprint"] == shown["fingerprint"] and "inputs" in saved


def test_color_only_when_asked(cli: Cli, scenario: Emulator) -> None:
    plain = cli("plan", env=env(scenario))
    assert "\x1b[" not in plain.stdout
    forced = cli("plan", env=env(scenario) | {"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[32m+\x1b[0m" in forced.stdout
    flag = cli("--no-color", "plan", env=env(scenario) | {"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" not in flag.stdout


def test_plan_exit_codes(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    assert cli("plan", str(catalog.path), env=env(emulator)).code == 0
    assert cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator)).code == 2
    cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator)).code == 0
    catalog.path.write_text("version: 1\nvoices: [\n")
    broken = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
    assert broken.code == 1 and "YAML syntax error" in broken.stderr


def test_ambiguous_names_are_an_error_naming_candidates(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    first = emulator.store.seed_voice(account_of(TEST_KEY), name="Twin")
    second = emulator.store.seed_voice(account_of(TEST_KEY), name="Twin")
    catalog.write([{"name": "Twin", "sample": catalog.sample("t.wav")}])
    result = cli("plan", str(catalog.path), env=env(emulator))
    assert result.code == 0, result.output
    assert "conflict Twin" in result.stdout
    assert first.voice_id in result.stdout and second.voice_id in result.stdout
    adopted = cli("apply", str(catalog.path), "--yes", "--adopt", "Twin", env=env(emulator))
    assert adopted.code == 1
    assert first.voice_id in adopted.stderr and second.voice_id in adopted.stderr
    assert "hint: delete the duplicates" in adopted.stderr


def test_state_of_another_endpoint_is_refused(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    save_state(catalog.state_path, State("emulator", {}))
    result = cli("plan", str(catalog.path), env=env(emulator))
    assert result.code == 1 and "belongs to emulator" in result.stderr


def test_250_voices_planned_with_one_list_walk(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=100))
    sample = catalog.sample("shared.wav")
    from voicesync.catalog.samples import inspect_sample

    info, _ = inspect_sample(catalog.root / sample, sample)
    assert info is not None
    records = {}
    for i in range(250):
        voice = emulator.store.seed_voice(
            account_of(TEST_KEY), name=f"Voice {i:03}", visibility="PRIVATE"
        )
        records[voice.name or ""] = VoiceRecord(
            voice.voice_id, info.sha256, info.size, voice.name or "", Visibility.PRIVATE, "en"
        )
    save_state(catalog.state_path, State(emulator.url, records))
    catalog.write([{"name": f"Voice {i:03}", "sample": sample} for i in range(250)])
    result = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
    assert result.code == 0, result.output
    requests = [(e["method"], e["path"], e["query"]) for e in emulator.requests()]
    # The first request carries no query (nothing first-party sends one) and gets the server's
    # default page of 10; the answer says how many there are, so the rest is asked for 100 at
    # a time, all at once.
    assert requests[0] == ("GET", "/api/v1/tts/voices", "")
    assert sorted(requests[1:]) == [
        ("GET", "/api/v1/tts/voices", f"limit=100&offset={offset}") for offset in (10, 110, 210)
    ]


def _seed(emulator: Emulator, count: int) -> set[str]:
    owner = account_of(TEST_KEY)
    return {emulator.store.seed_voice(owner, name=f"V{i:04}").voice_id for i in range(count)}


def test_a_long_list_is_fetched_several_pages_at_once(
    make_emulator: Callable[..., Emulator],
) -> None:
    """50 pages one after another cost 50 round trips; once the total is known, they go 8 at
    a time, and every voice is there exactly once."""
    from voicesync.emulator import FaultConfig

    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=100))
    ids = _seed(emulator, 1000)
    emulator.set_faults(FaultConfig(latency_s=0.05))
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as client:
        voices = client.list_voices()
    assert sorted(v.voice_id for v in voices) == sorted(ids)
    log = emulator.requests()
    assert len(log) == 11  # the first page (10), then 100 at a time
    assert max(e["in_flight"] for e in log) > 1


def test_a_server_that_pages_shorter_than_asked_is_walked_page_by_page(
    make_emulator: Callable[..., Emulator],
) -> None:
    """A page cut short by the server's cap (30) when 100 were asked: no page runs beside
    another, since the offsets the client would guess are wrong. The latency makes any overlap
    show every time, not by chance."""
    from voicesync.emulator import FaultConfig

    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=30))
    ids = _seed(emulator, 200)
    emulator.set_faults(FaultConfig(latency_s=0.02))
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as client:
        voices = client.list_voices()
    assert sorted(v.voice_id for v in voices) == sorted(ids)
    assert max(e["in_flight"] for e in emulator.requests()) == 1


def test_targets_and_replace_from_the_command_line(cli: Cli, scenario: Emulator) -> None:
    targeted = cli("plan", "--format", "json", "--target", "Echo", env=env(scenario))
    assert [c["name"] for c in json.loads(targeted.stdout)["changes"]] == ["Echo"]
    forced = cli(
        "plan", "--format", "json", "--target", "Drum", "--replace", "Drum", env=env(scenario)
    )
    assert [(c["action"], c["reason"]) for c in json.loads(forced.stdout)["changes"]] == [
        ("replace", "forced")
    ]


@pytest.mark.parametrize("command", ["plan", "apply", "destroy", "list"])
def test_the_catalog_is_read_once_per_run(
    cli: Cli, catalog: Catalog, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Reading 5,000 voices costs ~0.3 s; choosing the environment read it a second time (and
    destroy three times)."""
    import voicesync.catalog.yamlsource as yamlsource

    reads: list[int] = []
    original = yamlsource.parse
    monkeypatch.setattr(yamlsource, "parse", lambda text: (reads.append(1), original(text))[1])
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    extra = {"apply": ["--yes"], "destroy": ["--yes", "--force"]}.get(command, [])
    result = cli(command, str(catalog.path), *extra, env=env(emulator))
    assert result.code in (0, 2), result.output
    assert len(reads) == 1


def test_voices_waited_for_in_a_big_account_are_read_one_by_one_not_by_walking_the_list(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    """Four new voices in an account of 1,000: polling them costs 4 GETs a tick, where a
    list walk costs 11 pages; the list is walked once, to plan."""
    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=100))
    _seed(emulator, 1000)
    catalog.write([{"name": f"New {i}", "sample": catalog.sample(f"{i}.wav")} for i in range(4)])
    result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 0, result.output
    operations = [e["operation"] for e in emulator.requests()]
    assert operations.count("list") == 11
    assert operations.count("clone") == 4 and operations.count("get") >= 4


def test_a_list_that_ignores_offset_but_says_there_are_more_is_an_error(
    make_emulator: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that repeat the first one would hide every voice after it: refuse, never plan
    on a partial account."""
    from voicesync.emulator.operations import Service

    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=100))
    _seed(emulator, 250)
    original = Service.list_voices
    monkeypatch.setattr(
        Service, "list_voices", lambda self, owner, query: original(self, owner, {})
    )
    with (
        VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as client,
        pytest.raises(BadResponseError, match="same voices again"),
    ):
        client.list_voices(concurrency=1)


def test_a_list_that_grows_while_it_is_walked_still_shows_every_voice(
    make_emulator: Callable[..., Emulator], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voices made by someone else between two pages change the total: the pages fetched at
    once no longer add up, and the walk goes on page by page until it has them all."""
    from voicesync.emulator.operations import Service

    emulator = make_emulator(dialect=Dialect(list_shape="paged", max_page_size=100))
    ids = _seed(emulator, 250)
    original, calls = Service.list_voices, [0]

    def growing(self: Service, owner: str, query: dict[str, list[str]]) -> Any:
        calls[0] += 1
        if calls[0] == 2:  # after the first page said 250
            ids.update(_seed(emulator, 30))
        return original(self, owner, query)

    monkeypatch.setattr(Service, "list_voices", growing)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as client:
        voices = client.list_voices()
    assert sorted(v.voice_id for v in voices) == sorted(ids)


def test_the_saved_plan_hint_names_the_environment_and_state_it_was_made_for(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    catalog.write(
        [{"name": "Narrator", "sample": catalog.sample("n.wav")}],
        environments={"pr-*": {"name_format": "{name} [{env}]", "ephemeral": True}},
    )
    out = tmp_path / "p7.json"
    made = cli("plan", str(catalog.path), "--env", "pr-7", "--out", str(out), env=env(emulator))
    assert made.code == 0, made.output
    hint = made.stderr.split("apply it with: ", 1)[1].split("\n", 1)[0]
    assert "--env pr-7" in hint
    applied = cli(*hint.split()[1:], "--yes", env=env(emulator))  # the command as printed
    assert applied.code == 0, applied.output


def test_an_interrupted_saved_plan_says_to_plan_again(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once part of a saved plan ran, the same command is refused as stale: the stop message
    says to plan again instead of 'run the same command again'."""
    import voicesync.pipeline

    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    out = tmp_path / "plan.json"
    assert cli("plan", str(catalog.path), "--out", str(out), env=env(emulator)).code == 0

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(voicesync.pipeline, "apply_saved", interrupted)
    result = cli("apply", str(catalog.path), "--plan", str(out), env=env(emulator))
    assert result.code == 130
    assert "make a new plan" in result.stderr and "run the same command" not in result.stderr

"""One catalog, many environments on one account: production, staging, a copy per pull request."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult, live
from voicesync.catalog.loader import load_config
from voicesync.emulator import Emulator, account_of
from voicesync.errors import ConfigError, UsageError
from voicesync.model import Visibility

Cli = Callable[..., CliResult]
OWNER = account_of(TEST_KEY)
ENVIRONMENTS = {
    "production": {},
    "staging": {"name_format": "{name} [staging]"},
    "pr-*": {"name_format": "{name} [{env}]", "visibility": "PRIVATE", "ephemeral": True},
}


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def catalog_with_environments(catalog: Catalog, *, narrator_in: list[str] | None = None) -> None:
    where = {"environments": narrator_in} if narrator_in else {}
    catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav"), "visibility": "PUBLIC"} | where,
            {"name": "Announcer", "sample": catalog.sample("a.wav", period=30)},
            {"name": "Old Man", "key": "elder", "sample": catalog.sample("o.wav", period=40)},
        ],
        environments=ENVIRONMENTS,
    )


def test_production_and_three_pull_requests_share_one_account(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog_with_environments(catalog)
    prs = ["pr-1", "pr-2", "pr-3"]
    every = ("Narrator", "Announcer", "Old Man")
    for name in ["production", *prs]:
        done = cli("apply", str(catalog.path), "--yes", "--env", name, env=env(emulator))
        assert done.code == 0, done.output
        assert f"(environment {name})" in done.stdout
    names = set(live(emulator))  # distinct remote names, one voice of each per environment
    assert names == {*every, *(f"{n} [{pr}]" for n in every for pr in prs)}
    for name in ["production", *prs]:  # each has its own state file
        assert (catalog.root / f"voices.{name}.lock.json").exists()
    keys = {
        name: json.loads(cli("outputs", str(catalog.path), "--env", name).stdout)
        for name in ["production", *prs]
    }
    assert all(set(k) == {"Narrator", "Announcer", "elder"} for k in keys.values())  # the same
    assert keys["pr-1"]["elder"] == live(emulator)["Old Man [pr-1]"]
    assert len({k["Narrator"] for k in keys.values()}) == 4  # each environment its own voice
    production = dict(live(emulator))

    emulator.clear_requests()
    for pr in prs:
        gone = cli("destroy", str(catalog.path), "--yes", "--env", pr, env=env(emulator))
        assert gone.code == 0, gone.output
        assert not (catalog.root / f"voices.{pr}.lock.json").exists()  # nothing left to track
    deleted = {e["path"].rsplit("/", 1)[1] for e in emulator.requests() if e["method"] == "DELETE"}
    assert deleted == {production[f"{n} [{pr}]"] for n in every for pr in prs}
    assert [e for e in emulator.requests() if e["method"] in ("PATCH", "POST")] == []
    assert live(emulator) == {n: production[n] for n in every}
    still = cli(
        "plan", str(catalog.path), "--env", "production", "--detailed-exitcode", env=env(emulator)
    )
    assert still.code == 0 and "No changes" in still.stdout, still.output


def test_a_network_command_without_an_environment_lists_them(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog_with_environments(catalog)
    plan = cli("plan", str(catalog.path), env=env(emulator))
    assert plan.code == 1 and "production, staging, pr-*" in plan.stderr
    assert "--env NAME" in plan.stderr and "VOICESYNC_ENV" in plan.stderr
    unknown = cli("plan", str(catalog.path), "--env", "qa", env=env(emulator))
    assert unknown.code == 1 and "matches no environment" in unknown.stderr
    by_variable = cli("plan", str(catalog.path), env=env(emulator) | {"VOICESYNC_ENV": "pr-9"})
    assert by_variable.code == 0 and "Announcer [pr-9]" in by_variable.stdout
    assert emulator.requests() and all(e["method"] == "GET" for e in emulator.requests())


def test_destroying_a_lasting_environment_needs_force(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog_with_environments(catalog)
    assert cli("apply", str(catalog.path), "--yes", "--env", "staging", env=env(emulator)).code == 0
    refused = cli("destroy", str(catalog.path), "--yes", "--env", "staging", env=env(emulator))
    assert refused.code == 1 and "not ephemeral" in refused.stderr and "--force" in refused.stderr
    assert len(live(emulator)) == 3
    forced = cli(
        "destroy", str(catalog.path), "--yes", "--force", "--env", "staging", env=env(emulator)
    )
    assert forced.code == 0, forced.output
    assert live(emulator) == {}


def test_a_conflict_in_an_environment_prints_a_command_that_works(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog_with_environments(catalog)
    mine = emulator.store.seed_voice(OWNER, name="Announcer [pr-5]", visibility="PRIVATE")
    refused = cli("apply", str(catalog.path), "--yes", "--env", "pr-5", env=env(emulator))
    assert refused.code == 1
    command = refused.stderr.split("to take it over run: ")[1].split(";")[0]
    assert command.endswith("--env pr-5 --adopt 'Announcer [pr-5]'")
    adopted = cli(
        *command.split()[1:3],
        "--yes",
        "--env",
        "pr-5",
        "--adopt",
        "Announcer [pr-5]",
        env=env(emulator),
    )
    assert adopted.code == 0, adopted.output
    recorded = json.loads(cli("outputs", str(catalog.path), "--env", "pr-5").stdout)
    assert recorded["Announcer"] == mine.voice_id


def test_markdown_plans_carry_one_marker_per_environment(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog_with_environments(catalog, narrator_in=["production", "staging"])
    md = cli("plan", str(catalog.path), "--env", "pr-7", "--format", "markdown", env=env(emulator))
    assert md.stdout.splitlines()[0] == "<!-- voicesync-plan:" + str(catalog.path) + ":pr-7 -->"
    assert "(environment pr-7)" in md.stdout.splitlines()[1]
    # (markdown escapes the brackets: they render as written)
    assert "Announcer \\[pr-7\\]" in md.stdout and "Narrator" not in md.stdout  # not in pr-*
    staging = cli("plan", str(catalog.path), "--env", "staging", env=env(emulator))
    assert "Narrator [staging]" in staging.stdout


def test_an_environment_takes_its_own_key_and_url(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    environments = {"production": {"api_key_env": "PROD_VOICE_KEY", "base_url": emulator.url}}
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}], environments=environments)
    # The runner allows both (a catalog alone cannot choose where the key goes, or which).
    runner = {
        "VOICESYNC_ALLOWED_BASE_URLS": emulator.url,
        "VOICESYNC_ALLOWED_KEY_VARIABLES": "PROD_VOICE_KEY",
    }
    missing = cli("plan", str(catalog.path), "--env", "production", env=runner)
    assert missing.code == 1 and "PROD_VOICE_KEY" in missing.stderr
    ok = cli(
        "plan", str(catalog.path), "--env", "production", env=runner | {"PROD_VOICE_KEY": TEST_KEY}
    )
    assert ok.code == 0, ok.output


@pytest.mark.parametrize(
    ("environments", "line", "fragment"),
    [
        ('  a: {name_format: "{name}"}\n  b: {}\n', 4, "share an account"),
        ('  "pr-*": {name_format: "{name} (preview)"}\n', 3, "must contain {env}"),
        ('  a: {name_format: "{env}"}\n', 3, "must contain {name}"),
        ('  a: {name_format: "{name} {branch}"}\n', 3, "not {branch}"),
        ('  a: {name_format: "{name} a' + "x" * 95 + '"}\n', 3, "at most 100"),
        ('  A: {name_format: "A {name}"}\n  B: {name_format: "{name} B"}\n', 4, "the same name"),
    ],
)
def test_validate_rejects_name_formats_that_collide_or_overflow(
    tmp_path: Path, environments: str, line: int, fragment: str
) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(
        "version: 1\nenvironments:\n"
        + environments
        + "voices:\n  - {name: Narrator, sample: missing.wav}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, inspect_samples=False)
    messages = [str(p) for p in caught.value.problems]
    assert any(f"voices.yaml:{line}:" in m and fragment in m for m in messages), messages


def test_an_environment_applies_its_defaults_and_names(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(
        "version: 1\n"
        "defaults: {visibility: PUBLIC, language: fr}\n"
        "environments:\n"
        '  "pr-*": {name_format: "{name} [{env}]", visibility: PRIVATE, language: de}\n'
        "voices:\n"
        "  - {name: A, sample: a.wav, previous_names: [Old A]}\n"
        "  - {name: B, sample: b.wav, visibility: PUBLIC, environments: [production]}\n"
    )
    with pytest.raises(ConfigError) as caught:  # 'production' is declared nowhere
        load_config(path, inspect_samples=False, environment="pr-4")
    assert "environment 'production' is not declared" in str(caught.value.problems[0])
    path.write_text(path.read_text().replace("[production]", "[pr-*]"))
    voices = load_config(path, inspect_samples=False, environment="pr-4").state.voices
    assert [(v.name, v.key, v.previous_names, v.visibility, v.language) for v in voices] == [
        ("A [pr-4]", "A", ("Old A [pr-4]",), Visibility.PRIVATE, "de"),
        ("B [pr-4]", "B", (), Visibility.PUBLIC, "de"),
    ]
    with pytest.raises(UsageError, match="matches no environment"):
        load_config(path, inspect_samples=False, environment="staging")

"""Living in git and CI: import, forget, completion, pre-commit, the Actions workflow, docs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEST_KEY, Catalog, CliResult, assert_valid_for
from voicesync.catalog.schema import voices_schema
from voicesync.emulator import Emulator, account_of
from voicesync.state.store import load_state

Cli = Callable[..., CliResult]
ROOT = Path(__file__).resolve().parent.parent


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def test_import_then_plan_shows_no_changes(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    emulator = make_emulator(catalog_voices=1)
    owner = account_of(TEST_KEY)
    emulator.store.seed_voice(owner, name="Narrator", visibility="PRIVATE")
    emulator.store.seed_voice(owner, name="Old Man's Voice", visibility="PUBLIC")
    catalog.write([], defaults={"language": "en"})
    catalog.path.write_text("# our voices\n" + catalog.path.read_text())
    samples = catalog.root / "originals"
    samples.mkdir()
    catalog.sample("x.wav")
    shutil.copy(catalog.root / "samples" / "x.wav", samples / "Narrator.wav")
    result = cli(
        "import",
        str(catalog.path),
        "--name",
        "Narrator",
        "--name",
        "Old Man's Voice",
        "--sample-dir",
        str(samples),
        env=env(emulator),
    )
    assert result.code == 0, result.output
    assert "samples/old-man-s-voice.wav" in result.stdout
    text = catalog.path.read_text()
    # No TODO comment to clean up later: validate names the sample that is missing.
    assert text.startswith("# our voices\n") and "TODO" not in text
    broken = cli("validate", str(catalog.path))
    assert (
        broken.code == 1 and "sample 'samples/old-man-s-voice.wav' does not exist" in broken.stderr
    )
    catalog.sample("old-man-s-voice.wav", period=30)
    plan = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
    assert plan.code == 0, plan.output
    assert "No changes" in plan.stdout and "Catalog Voice 1" in plan.stdout
    records = load_state(catalog.state_path, emulator.url).records
    assert sorted(records) == ["Narrator", "Old Man's Voice"]
    assert records["Narrator"].sample_sha256  # found in --sample-dir: hashed
    applied = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert applied.code == 0 and "No changes" in applied.stdout
    baseline = load_state(catalog.state_path, emulator.url).records["Old Man's Voice"]
    assert baseline.sample_sha256  # the first supplied sample becomes the baseline
    catalog.sample("old-man-s-voice.wav", period=44)
    changed = json.loads(
        cli("plan", str(catalog.path), "--format", "json", env=env(emulator)).stdout
    )
    assert [(c["name"], c["reason"]) for c in changed["changes"]] == [
        ("Old Man's Voice", "sample_changed")
    ]


def test_import_needs_names_and_knows_them(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([])
    assert "--name NAME" in cli("import", str(catalog.path), env=env(emulator)).stderr
    unknown = cli("import", str(catalog.path), "--name", "Ghost", env=env(emulator))
    assert unknown.code == 1 and "no unrecorded remote voice named: Ghost" in unknown.stderr


def test_import_proves_each_voice_is_the_accounts(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    emulator = make_emulator(catalog_voices=2)
    mine = emulator.store.seed_voice(account_of(TEST_KEY), name="Mine", visibility="PRIVATE")
    catalog.write([])
    everything = cli("import", str(catalog.path), "--all", env=env(emulator))
    assert everything.code == 0, everything.output
    assert "Imported 1 voice(s)" in everything.stdout and "Catalog Voice" not in everything.stdout
    assert everything.stderr.count("not imported") == 2
    state = load_state(catalog.state_path, emulator.url)
    assert list(state.records) == ["Mine"] and state.records["Mine"].voice_id == mine.voice_id
    assert len(state.foreign) == 2  # remembered: never offered again
    stock = cli("import", str(catalog.path), "--name", "Catalog Voice 1", env=env(emulator))
    assert stock.code == 1 and "no unrecorded remote voice named" in stock.stderr
    declared = cli("import", str(catalog.path), "--name", "Mine", env=env(emulator))
    assert declared.code == 1 and "--adopt Mine" in declared.stderr


def test_import_all_into_a_new_file(cli: Cli, tmp_path: Path, emulator: Emulator) -> None:
    emulator.store.seed_voice(account_of(TEST_KEY), name="A")
    path = tmp_path / "voices.yaml"
    assert cli("import", str(path), "--all", env=env(emulator)).code == 0
    assert yaml.safe_load(path.read_text())["voices"][0]["name"] == "A"
    assert cli("import", str(path), "--all", env=env(emulator)).stderr.startswith(
        "Nothing to import"
    )


def test_forget_stops_managing_without_deleting(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Keep me", "sample": catalog.sample("k.wav")}])
    cli("apply", str(catalog.path), "--yes", env=env(emulator))
    still = cli("forget", str(catalog.path), "Keep me")
    assert still.code == 1 and "still declared" in still.stderr
    catalog.write([])
    forgot = cli("forget", str(catalog.path), "Keep me")
    assert forgot.code == 0 and "was not touched" in forgot.stdout
    plan = json.loads(cli("plan", str(catalog.path), "--format", "json", env=env(emulator)).stdout)
    assert plan["changes"] == [] and [v["name"] for v in plan["unmanaged"]] == ["Keep me"]
    assert cli("forget", str(catalog.path), "Keep me").code == 1


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_completion_scripts(cli: Cli, shell: str, marker: str) -> None:
    result = cli("completion", shell)
    assert result.code == 0 and marker in result.stdout and "_VOICESYNC_COMPLETE" in result.stdout


def test_completion_completes_commands() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "voicesync"],
        capture_output=True,
        text=True,
        check=False,
        env={
            "_VOICESYNC_COMPLETE": "bash_complete",
            "COMP_WORDS": "voicesync pl",
            "COMP_CWORD": "1",
            "PATH": "",
        },
    )
    assert "plain,plan" in out.stdout


def test_actions_workflow_is_a_valid_workflow() -> None:
    workflow = ROOT / "examples" / "github-actions" / "voicesync.yml"
    assert_valid_for("vendor.github-workflows", workflow)
    data = yaml.safe_load(workflow.read_text())
    assert data["jobs"]["apply"]["concurrency"]["cancel-in-progress"] is False  # never half-way
    steps = json.dumps(data["jobs"])
    assert "--detailed-exitcode" in steps and "--format markdown" in steps
    assert "--out plan.json" in steps and "--plan plan.json" in steps  # reviewed = applied


def test_composite_action_is_a_valid_action() -> None:
    action = ROOT / "action.yml"
    assert_valid_for("vendor.github-actions", action)
    steps = yaml.safe_load(action.read_text())["runs"]["steps"]
    install = next(s for s in steps if "pip install" in s.get("run", ""))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]  # its own pinned checkout, never a name


def test_pre_commit_hook_runs_in_a_repository(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = hooks[0]
    assert hook["id"] == "voicesync-validate" and hook["entry"] == "voicesync validate"
    pre_commit = shutil.which("pre-commit")
    assert pre_commit, "pre-commit is a dev dependency"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    # The hook as published, run from a local repo: the package is installed already, so the
    # test does not build an environment from the network (language: system).
    local = {"repos": [{"repo": "local", "hooks": [hook | {"language": "system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(local))
    good = Catalog(repo)
    good.write([{"name": "A", "sample": good.sample("a.wav")}])
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    run = [pre_commit, "run", "--all-files"]
    ok = subprocess.run(run, cwd=repo, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (repo / "voices.yaml").write_text("version: 1\nvoices:\n  - name: A\n    sample: nope.wav\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    bad = subprocess.run(run, cwd=repo, capture_output=True, text=True, check=False)
    assert (
        bad.returncode == 1 and "voices.yaml:4:13: sample 'nope.wav' does not exist" in bad.stdout
    )
    # A broken sample committed alone (voices.yaml untouched) is checked too, not "Skipped".
    good.write([{"name": "A", "sample": "samples/a.wav"}])
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@x.invalid",
            "commit",
            "-q",
            "--no-verify",
            "-m",
            "good",
        ],
        check=True,
    )
    (repo / "samples" / "a.wav").write_bytes(b"this is not audio")
    subprocess.run(["git", "-C", str(repo), "add", "samples/a.wav"], check=True)
    sample_only = subprocess.run(
        [pre_commit, "run"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert sample_only.returncode == 1, sample_only.stdout
    assert "samples/a.wav" in sample_only.stdout and "Skipped" not in sample_only.stdout


def test_validate_takes_several_files(cli: Cli, tmp_path: Path) -> None:
    good, bad = Catalog(tmp_path / "good"), Catalog(tmp_path / "bad")
    good.write([{"name": "A", "sample": good.speech("a.wav")}])
    bad.write([{"name": "A", "sample": "missing.wav"}])
    both = cli("validate", str(good.path), str(bad.path))
    assert both.code == 1 and "valid (1 voice)" in both.stdout and "does not exist" in both.stderr


def test_readme_reference_covers_the_schema() -> None:
    readme = (ROOT / "README.md").read_text()
    props = voices_schema()["properties"]
    keys = {
        "version",
        "prune",
        "ignore",
        "accept",
        "environments",
        "defaults.visibility",
        "defaults.language",
    }
    keys |= {f"voices[].{name}" for name in voices_schema()["$defs"]["voice"]["properties"]}
    assert set(props) <= {k.split(".")[0].removesuffix("[]") for k in keys}
    for key in keys:
        assert f"`{key}`" in readme, f"README's configuration table lacks {key}"


def test_readme_python_example_runs(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"## Python API\n\n```python\n(.*?)```", readme, re.S)
    assert code is not None
    catalog = Catalog(tmp_path)
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    monkeypatch.chdir(tmp_path)
    source = code.group(1).replace('"https://dev.voice.ai"', repr(emulator.url))
    namespace: dict[str, object] = {"api_key": TEST_KEY}
    exec(compile(source, "README.md", "exec"), namespace)
    assert emulator.store.all_voices()[0].name == "A"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block is not None
    first, second = block.group(1).strip().splitlines()
    assert "voicesync apply examples/voices.yaml --emulator --yes" in first
    ci = (ROOT / ".ci" / "run").read_text()
    assert second.split("#")[0].strip() in ci


def test_every_json_output_matches_its_schema(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    import jsonschema

    emulator = make_emulator(catalog_voices=1)

    def check(schema: str, *args: str) -> object:
        result = cli(*args, env=env(emulator))
        data = json.loads(result.stdout)
        document = json.loads((ROOT / "schemas" / schema).read_text())
        jsonschema.Draft202012Validator.check_schema(document)
        jsonschema.validate(data, document)
        return data

    catalog.write(
        [
            {"name": "A", "sample": catalog.sample("a.wav")},
            {"name": "Mute", "sample": catalog.sample("m.wav", amplitude=0)},
        ]
    )
    path = str(catalog.path)
    assert check("validate.schema.json", "validate", path, "--format", "json")["valid"] is True
    assert check("apply.schema.json", "apply", path, "--yes", "--format", "json")["ok"] is False
    check("list.schema.json", "list", path, "--format", "json")
    check("list.schema.json", "list", "--format", "json")
    assert list(check("outputs.schema.json", "outputs", path)) == ["A", "Mute"]  # type: ignore[call-overload]
    check("apply.schema.json", "destroy", path, "--yes", "--force", "--format", "json")
    catalog.write([{"name": "A", "sample": "nope.wav"}])
    assert check("validate.schema.json", "validate", path, "--format", "json")["valid"] is False

"""GitOps as a user meets it: a state file that commits cleanly, the reviewed plan is the applied
plan, and the CI recipes' own shell steps run in real git repositories."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.conftest import TEST_KEY, Catalog, CliResult, assert_valid_for, step_script
from voicesync.emulator import Emulator
from voicesync.state.store import load_state

Cli = Callable[..., CliResult]


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test")
    git(path, "config", "user.email", "test@example.invalid")
    return path


# -- the state file holds only what is true on every machine ---------------------------------------
def applied_two_voices(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav")},
            {"name": "Announcer", "sample": catalog.sample("a.wav", period=30)},
        ]
    )
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0


def test_state_file_is_the_same_on_every_machine(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    applied_two_voices(cli, catalog, emulator)
    text = catalog.state_path.read_text()
    for local in (str(catalog.root), "inode", "mtime", "checked", "sample_stamp"):
        assert local not in text, f"machine-local data in the state file: {local}"
    # Another machine: a fresh checkout elsewhere (other paths, inodes and mtimes), no cache.
    elsewhere = tmp_path / "ci-runner" / "checkout"
    shutil.copytree(catalog.root, elsewhere, ignore=shutil.ignore_patterns(".voicesync"))
    emulator.clear_requests()
    again = cli("apply", str(elsewhere / "voices.yaml"), "--yes", env=env(emulator))
    assert again.code == 0 and "No changes" in again.stdout, again.output
    assert (elsewhere / "voices.lock.json").read_text() == text  # byte-identical
    assert [e for e in emulator.requests() if e["method"] != "GET"] == []
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    assert catalog.state_path.read_text() == text


def test_machine_local_files_stay_out_of_git(cli: Cli, tmp_path: Path, emulator: Emulator) -> None:
    catalog = Catalog(git_repo(tmp_path / "repo"))
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    git(catalog.root, "add", ".")
    git(catalog.root, "commit", "-q", "-m", "catalog")
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    assert (catalog.root / ".voicesync" / "voices.samples.json").exists()  # the speed cache
    assert git(catalog.root, "status", "--porcelain").split() == ["??", "voices.lock.json"]


def test_an_older_state_file_with_sample_stamps_still_reads(catalog: Catalog) -> None:
    catalog.state_path.parent.mkdir(parents=True, exist_ok=True)
    catalog.state_path.write_text(
        json.dumps(
            {
                "format_version": 1,
                "endpoint": "https://dev.voice.ai",
                "voices": {
                    "A": {
                        "voice_id": "v1",
                        "sample_sha256": "a" * 64,
                        "sample_size": 1,
                        "name": "A",
                        "visibility": "PRIVATE",
                        "language": "en",
                        "protected": False,
                        "sample_stamp": {"path": "/home/me/samples/a.wav", "inode": 7},
                    }
                },
            }
        )
    )
    state = load_state(catalog.state_path, "https://dev.voice.ai")
    assert state.records["A"].voice_id == "v1"
    assert "sample_stamp" not in json.dumps(state.to_json())


# -- the reviewed plan is the applied plan -------------------------------------------------------
def test_show_renders_a_saved_plan_exactly_as_it_was_made(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    applied_two_voices(cli, catalog, emulator)
    catalog.write(
        [
            {"name": "Reader", "sample": "samples/n.wav", "previous_names": ["Narrator"]},
            {"name": "Announcer", "sample": catalog.sample("a.wav", period=40)},
            {"name": "Echo", "sample": catalog.sample("e.wav", period=50)},
        ]
    )
    saved = tmp_path / "plan.json"
    for fmt in ("text", "markdown", "json"):
        made = cli(
            "plan", str(catalog.path), "--format", fmt, "--out", str(saved), env=env(emulator)
        )
        shown = cli("show", str(saved), "--format", fmt)  # no key, no network
        assert (made.code, shown.code) == (0, 0), shown.output
        assert shown.stdout == made.stdout and shown.stdout.strip()


def test_show_refuses_what_is_not_a_plan(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "plan.json"
    junk.write_text('{"format_version": 1, "changes": "x"}')
    shown = cli("show", str(junk))
    assert shown.code == 1 and "not a plan file voicesync can read" in shown.stderr
    assert "Traceback" not in shown.output


# -- the CI recipe's own shell steps, in real repositories ------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions" / "voicesync.yml"


def workflow_step(job: str, name: str) -> str:
    return step_script(WORKFLOW, job, name)


def run_step(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = os.environ | {
        "STATE": "voices.lock.json",
        "CATALOG": "voices.yaml",
        "GITHUB_REF_NAME": "main",
    }
    return subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def remote_log(origin: Path) -> list[str]:
    return git(origin, "log", "--format=%s", "main").splitlines()


def runner_with_origin(tmp_path: Path) -> tuple[Path, Path, Catalog]:
    """A bare origin, and a runner's clone of it holding a one-voice catalog on main."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    runner = git_repo(tmp_path / "runner")
    catalog = Catalog(runner)
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    git(runner, "add", ".")
    git(runner, "commit", "-q", "-m", "catalog")
    git(runner, "remote", "add", "origin", str(origin))
    git(runner, "push", "-q", "origin", "main")
    git(runner, "branch", "-q", "--set-upstream-to=origin/main")
    return origin, runner, catalog


def test_the_recipe_commits_the_state_file_from_the_first_run_on(
    cli: Cli, tmp_path: Path, emulator: Emulator
) -> None:
    origin, runner, catalog = runner_with_origin(tmp_path)
    commit_state = workflow_step("apply", "Commit the state file")

    # 1. The first apply: a new, untracked state file is committed and pushed.
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    first = run_step(commit_state, runner)
    assert first.returncode == 0, first.stdout + first.stderr
    assert remote_log(origin) == ["voicesync: update voices.lock.json [skip ci]", "catalog"]

    # 2. A no-change apply leaves no commit.
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    quiet = run_step(commit_state, runner)
    assert quiet.returncode == 0 and "did not change" in quiet.stdout
    assert len(remote_log(origin)) == 2

    # 3. main moved during the apply: the state commit is replayed on top and pushed.
    catalog.write(
        [
            {"name": "Narrator", "sample": "samples/n.wav"},
            {"name": "Echo", "sample": catalog.sample("e.wav", period=30)},
        ]
    )
    git(runner, "commit", "-q", "-am", "add Echo")
    git(runner, "add", "samples")
    git(runner, "commit", "-q", "-m", "Echo's sample")
    git(runner, "push", "-q", "origin", "main")
    other = tmp_path / "colleague"
    subprocess.run(["git", "clone", "-q", str(origin), str(other)], check=True)
    (other / "NOTES.md").write_text("meanwhile\n")
    git(other, "add", ".")
    git(
        other,
        "-c",
        "user.name=C",
        "-c",
        "user.email=c@example.invalid",
        "commit",
        "-q",
        "-m",
        "meanwhile on main",
    )
    git(other, "push", "-q", "origin", "main")
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    moved = run_step(commit_state, runner)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert remote_log(origin)[:2] == [
        "voicesync: update voices.lock.json [skip ci]",
        "meanwhile on main",
    ]
    pushed = git(origin, "show", "main:voices.lock.json")
    assert '"Echo"' in pushed and pushed == catalog.state_path.read_text()


def test_the_recipe_never_installs_an_unpinned_package() -> None:
    text = WORKFLOW.read_text()
    assert "pip install voicesync" not in text
    data = yaml.safe_load(text)
    for job in data["jobs"].values():
        assert job.get("timeout-minutes"), "every job is bounded in time"
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["lfs"] is True
    assert "VOICEAI_API_KEY" not in json.dumps(data.get("env", {}))  # only where it is used


def test_the_recipe_applies_the_plan_reviewed_and_refuses_it_once_stale(
    tmp_path: Path, emulator: Emulator
) -> None:
    runner = tmp_path / "runner"
    catalog = Catalog(runner)
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    outputs = tmp_path / "github_output"
    keyed = env(emulator) | {"GITHUB_OUTPUT": str(outputs), "NO_COLOR": "1"}

    def step(job: str, name: str, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
        environ = os.environ | {"CATALOG": "voices.yaml", "STATE": "voices.lock.json"} | extra
        return subprocess.run(
            ["bash", "-c", workflow_step(job, name)],
            cwd=runner,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    fork = step("plan", "Plan", keyed | {"VOICEAI_API_KEY": ""})  # a fork: no secrets
    assert fork.returncode == 0 and "::notice::" in fork.stdout
    assert "planned=false" in outputs.read_text() and not (runner / "plan.json").exists()

    reviewed = step("plan", "Plan", keyed)
    assert reviewed.returncode == 0, reviewed.stdout + reviewed.stderr
    assert "planned=true" in outputs.read_text()
    comment = (runner / "plan.md").read_text()
    assert comment.startswith("<!-- voicesync-plan:voices.yaml -->") and "Narrator" in comment
    applied = step("apply", "Apply", keyed)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id

    again = step("plan", "Plan", keyed)  # reviewed: nothing to do ...
    assert again.returncode == 0
    catalog.write([{"name": "Narrator", "sample": "samples/n.wav", "visibility": "PUBLIC"}])
    stale = step("apply", "Apply", keyed)  # ... but the catalog changed after the review
    assert stale.returncode == 1 and "stale" in stale.stderr, stale.stdout + stale.stderr
    assert [e for e in emulator.requests() if e["operation"] == "update"] == []


def test_the_environments_recipe_is_valid_and_commits_state_the_tested_way() -> None:
    recipe = ROOT / "examples" / "github-actions" / "voicesync-environments.yml"
    assert_valid_for("vendor.github-workflows", recipe)
    data = yaml.safe_load(recipe.read_text())
    preview = data["jobs"]["preview"]
    assert preview["env"]["VOICESYNC_ENV"] == "pr-${{ github.event.number }}"
    steps = {s.get("name"): s for s in preview["steps"]}
    assert "voicesync destroy" in steps["Destroy the pull request's environment"]["run"]
    for cached in ("Restore this pull request's state", "Save this pull request's state"):
        paths = steps[cached]["with"]["path"].strip().splitlines()  # the state and its log
        assert paths == [  # .journal: the log's name in voicesync 0.2
            f"voices.${{{{ env.VOICESYNC_ENV }}}}.lock.json{s}" for s in ("", ".wal", ".journal")
        ]
    promote = ROOT / "examples" / "github-actions" / "voicesync-promote.yml"
    assert_valid_for("vendor.github-workflows", promote)
    apply = yaml.safe_load(promote.read_text())["jobs"]["apply"]
    [commit] = [s for s in apply["steps"] if s.get("name") == "Commit the state file"]
    assert commit["run"] == workflow_step("apply", "Commit the state file")  # the tested script
    assert [data["jobs"][e]["with"]["environment"] for e in ("staging", "production")] == [
        "staging",
        "production",
    ]


@pytest.mark.parametrize("suffix", [".wal", ".journal"])
def test_the_recipe_commits_a_log_left_by_a_killed_run_and_then_its_removal(
    cli: Cli, tmp_path: Path, emulator: Emulator, suffix: str
) -> None:
    """A run killed outright (OOM, a runner lost) leaves voices.lock.json.wal: it holds
    clones sent and not yet folded into the state file, so it is committed with it; the next
    apply folds it in and the step commits that. voicesync 0.2 named the log .journal: one
    it left is committed, read and folded the same way."""
    from voicesync.state.store import load_state
    from voicesync.state.wal import log_path
    from voicesync.state.writer import StateWriter

    origin, runner, catalog = runner_with_origin(tmp_path)
    commit_state = workflow_step("apply", "Commit the state file")
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    assert run_step(commit_state, runner).returncode == 0

    # A run that recorded a change and died before folding its log in.
    if suffix == ".journal":
        header = json.dumps({"journal": 1, "endpoint": emulator.url})
        line = json.dumps({"foreign": "someone-elses-voice"})
        catalog.state_path.with_name("voices.lock.json.journal").write_text(f"{header}\n{line}\n")
        assert "someone-elses-voice" in load_state(catalog.state_path, emulator.url).foreign
    else:
        state = load_state(catalog.state_path, emulator.url)
        writer = StateWriter(state, catalog.state_path)
        writer.update(lambda s: s.with_foreign("someone-elses-voice"))
    killed = run_step(commit_state, runner)
    assert killed.returncode == 0, killed.stdout + killed.stderr
    assert f"voices.lock.json{suffix}" in git(origin, "ls-tree", "--name-only", "main")

    # The next apply folds it in; the step commits the state file and the journal's removal.
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    assert not log_path(catalog.state_path).exists()
    folded = run_step(commit_state, runner)
    assert folded.returncode == 0, folded.stdout + folded.stderr
    files = git(origin, "ls-tree", "--name-only", "main").split()
    assert f"voices.lock.json{suffix}" not in files
    assert "someone-elses-voice" in git(origin, "show", "main:voices.lock.json")


RECIPES = [
    *sorted((ROOT / "examples" / "github-actions").glob("voicesync*.yml")),
    ROOT / ".github" / "workflows" / "ci.yml",
    ROOT / "action.yml",
]


def test_the_projects_own_ci_is_a_valid_workflow_that_runs_ci_run() -> None:
    workflow = ROOT / ".github" / "workflows" / "ci.yml"
    assert_valid_for("vendor.github-workflows", workflow)
    job = yaml.safe_load(workflow.read_text())["jobs"]["ci"]
    assert job["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert job["steps"][-1]["run"] == "bash .ci/run"


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_and_no_checkout_keeps_credentials(recipe: Path) -> None:
    """A tag can be moved to other code; a full commit sha cannot (issue 25). The version
    stays readable in a comment, and a checkout leaves no token in .git/config for the steps
    that run voicesync with the key."""
    text = recipe.read_text()
    uses = re.findall(r"^\s*-?\s*uses:\s*(\S+)(.*)$", text, flags=re.M)
    assert uses
    for ref, rest in uses:
        if ref.startswith("./"):
            continue  # a workflow of the same repository, at the same commit
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.match(r"\s+# v\d+(\.\d+)*", rest), f"{ref}: no version comment"
    data = yaml.safe_load(text)
    steps = [s for job in data.get("jobs", {}).values() for s in job.get("steps", [])]
    for step in steps:
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, step


@pytest.mark.parametrize("recipe", RECIPES[:-1], ids=lambda p: p.name)
def test_each_permission_says_why(recipe: Path) -> None:
    lines = recipe.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"\s+permissions:\s*$", line) or re.match(r"^permissions:\s*$", line):
            indent = len(line) - len(line.lstrip()) + 2
            for grant in lines[number + 1 :]:
                if len(grant) - len(grant.lstrip()) < indent or not grant.strip():
                    break
                assert "#" in grant, f"{recipe.name}:{lines.index(grant) + 1}: {grant.strip()}"


def test_a_run_queued_behind_another_finds_the_merge_behind_the_state_commit(
    tmp_path: Path,
) -> None:
    """R1 applied merge A and pushed its state commit on top of merge B; R2 then checks out
    main, whose head is that bot commit, from no pull request. The plan to fetch is B's."""
    _origin, runner, _catalog = runner_with_origin(tmp_path)
    (runner / "NOTES.md").write_text("merge B\n")
    git(runner, "add", ".")
    git(runner, "commit", "-q", "-m", "Merge pull request #7 from team/b")
    merge_b = git(runner, "rev-parse", "HEAD").strip()
    (runner / "voices.lock.json").write_text("{}\n")
    git(runner, "add", ".")
    git(runner, "commit", "-q", "-m", "voicesync: update voices.lock.json [skip ci]")
    stub = tmp_path / "bin"
    stub.mkdir()
    asked = tmp_path / "asked"
    (stub / "gh").write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> {asked}\n'
        'case "$*" in\n'
        f'  *"commits/{merge_b}/pulls"*) echo 7 ;;\n'
        '  *"commits/"*) echo "" ;;\n'
        '  *"pulls/7"*) echo deadbeef ;;\n'
        '  "run list"*) echo 123 ;;\n'
        '  "run download"*) echo "{}" > plan.json ;;\n'
        "esac\n"
    )
    (stub / "gh").chmod(0o755)
    script = workflow_step("apply", "Fetch the plan reviewed on the pull request")
    done = subprocess.run(
        ["bash", "-c", script], cwd=runner, capture_output=True, text=True, check=False,
        timeout=60, env=os.environ | {"PATH": f"{stub}:{os.environ['PATH']}",
                                      "GITHUB_REPOSITORY": "team/voices"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"commits/{merge_b}/pulls" in asked.read_text()
    assert "pull request #7" in done.stdout and (runner / "plan.json").exists()

"""What runs with the key is what was reviewed: the action installs a hash-pinned lock and
nothing else, lasting environments apply the plan their approver saw, and a release is built,
checked and installed the way a user installs it."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from packaging.utils import canonicalize_name

from tests.conftest import TEST_KEY, Catalog, step_script
from voicesync.emulator import Emulator, account_of
from voicesync.state.store import load_state

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = ROOT / "examples" / "github-actions" / "voicesync-environments.yml"
PROMOTE = ROOT / "examples" / "github-actions" / "voicesync-promote.yml"


# -- lasting environments apply the plan the approver saw ------------------------------------------
def recipe_step(job: str, name: str) -> str:
    return step_script(PROMOTE, job, name)


def run_recipe_step(
    job: str, name: str, cwd: Path, environ: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", recipe_step(job, name)],
        cwd=cwd,
        env=os.environ | {"CATALOG": "voices.yaml", "NO_COLOR": "1"} | environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def staged_catalog(root: Path) -> Catalog:
    catalog = Catalog(root)
    catalog.write(
        [{"name": "Narrator", "sample": catalog.sample("n.wav")}],
        environments={"production": {}, "staging": {"name_format": "{name} [staging]"}},
    )
    return catalog


def github_env(tmp_path: Path, emulator: Emulator, environment: str) -> dict[str, str]:
    return {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / f"summary-{environment}.md"),
        "VOICEAI_BASE_URL": emulator.url,
        "VOICEAI_API_KEY": TEST_KEY,
        "VOICESYNC_ENV": environment,
    }


def test_lasting_environments_are_applied_from_the_plan_their_approver_saw(
    tmp_path: Path, emulator: Emulator
) -> None:
    runner = tmp_path / "runner"
    staged_catalog(runner)
    for environment, name in (("staging", "Narrator [staging]"), ("production", "Narrator")):
        github = github_env(tmp_path, emulator, environment)
        emulator.clear_requests()
        planned = run_recipe_step("plan", "Plan", runner, github)
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert "changes=true" in Path(github["GITHUB_OUTPUT"]).read_text()  # the gate is asked
        assert [e["method"] for e in emulator.requests()] == ["GET"] * len(emulator.requests())
        # What the approver reads before approving: the run's summary.
        summary = Path(github["GITHUB_STEP_SUMMARY"]).read_text()
        assert f"(environment {environment})" in summary
        assert name.replace("[", "\\[").replace("]", "\\]") in summary
        saved = json.loads((runner / f"plan-{environment}.json").read_text())

        applied = run_recipe_step("apply", "Apply the approved plan", runner, github)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert name in applied.stdout  # the plan is shown before it is applied
        # The applied plan is the saved one: its one clone, under its name, and nothing else.
        assert [c["name"] for c in saved["changes"]] == [name]
        writes = [e["operation"] for e in emulator.requests() if e["method"] != "GET"]
        assert writes == ["clone", "speech"]  # --verify: the new voice says one sentence
        state = load_state(runner / f"voices.{environment}.lock.json", emulator.url)
        assert state.records[name].voice_id
        assert "applied_at" in json.loads((runner / f"plan-{environment}.json").read_text())
        Path(github["GITHUB_OUTPUT"]).unlink()
        again = run_recipe_step("plan", "Plan", runner, github)  # nothing left: no approval
        assert (
            again.returncode == 0 and "changes=false" in Path(github["GITHUB_OUTPUT"]).read_text()
        )


def test_a_stale_plan_is_refused_at_the_gate_with_the_way_to_plan_again(
    tmp_path: Path, emulator: Emulator
) -> None:
    runner = tmp_path / "runner"
    staged_catalog(runner)
    github = github_env(tmp_path, emulator, "production")
    planned = run_recipe_step("plan", "Plan", runner, github)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    # Production waits for its approval; meanwhile someone clones the same name by hand.
    emulator.store.seed_voice(account_of(TEST_KEY), name="Narrator")
    emulator.clear_requests()
    applied = run_recipe_step("apply", "Apply the approved plan", runner, github)
    assert applied.returncode == 1
    assert "is stale" in applied.stderr and "run the voicesync environments workflow by hand" in (
        applied.stdout
    )
    assert [e for e in emulator.requests() if e["method"] != "GET"] == []
    assert not (runner / "voices.production.lock.json").exists()


def test_the_environments_recipe_calls_the_promote_workflow_in_order() -> None:
    caller = yaml.safe_load(ENVIRONMENTS.read_text())
    staging, production = caller["jobs"]["staging"], caller["jobs"]["production"]
    assert staging["uses"] == production["uses"] == "./.github/workflows/voicesync-promote.yml"
    assert production["needs"] == "staging"
    assert production["with"]["ref"] == "${{ needs.staging.outputs.sha }}"
    promote = yaml.safe_load(PROMOTE.read_text())
    assert promote["jobs"]["apply"]["needs"] == "plan"
    assert promote["jobs"]["apply"]["if"] == "needs.plan.outputs.changes == 'true'"
    assert promote["jobs"]["apply"]["environment"] == "${{ inputs.environment }}"
    # Shown before the gate (its own environment, no reviewers), not after it.
    assert promote["jobs"]["plan"]["environment"] == "${{ inputs.environment }}-plan"
    # Keys come from environments that only run from main, never from the caller (a
    # repository secret reaches every same-repository pull request's run).
    assert "secrets" not in promote[True]["workflow_call"]
    assert "secrets" not in staging and "secrets" not in production
    assert caller["jobs"]["preview"]["environment"] == "previews"
    assert staging["if"].startswith("github.ref == 'refs/heads/main'")
    assert caller["concurrency"]["cancel-in-progress"] is False


# -- the lock action.yml installs ------------------------------------------------------------------
def lock_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_lock_gives_every_dependency_pyproject_declares() -> None:
    check = lock_checker()
    lock = (ROOT / "requirements" / "runtime.txt").read_text()
    assert check.disagreements(check.declared(), lock) == []
    assert "setuptools" in {name for name, _, _ in check.pins(lock)}  # builds voicesync offline


@pytest.mark.parametrize(
    ("added", "problem"),
    [
        ("numpy>=2", "numpy>=2 is in pyproject.toml but the lock has no numpy"),
        ("requests>=99", "which requests>=99 does not allow"),
        (
            "colorama>=0.4; sys_platform == 'win32'",
            "the lock has no colorama for Python 3.10 on Windows",
        ),
        ("pywin32>=300; os_name == 'nt'", "the lock has no pywin32 for Python 3.10 on Windows"),
        ("uvloop; platform_machine == 'arm64'", "no uvloop for Python 3.10 on Darwin arm64"),
        ("requests[socks]>=2.31", "extras are not checked"),
    ],
)
def test_a_dependency_the_lock_does_not_give_is_named(added: str, problem: str) -> None:
    check = lock_checker()
    lock = (ROOT / "requirements" / "runtime.txt").read_text()
    found = check.disagreements([*check.declared(), added], lock)
    assert len(found) == 1 and problem in found[0], found


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda lock: "--extra-index-url https://evil.invalid/simple\n" + lock, "line 1 is not"),
        (
            lambda lock: lock + "six @ https://files.invalid/six.whl#sha256=" + "0" * 64 + "\n",
            "is not a pinned package",
        ),
        (
            lambda lock: lock.replace(
                "urllib3==2.8.0 \\", "urllib3==2.8.0 ; platform_system == 'Linux' \\"
            ),
            "the lock has no urllib3 for Python 3.10 on Darwin",
        ),
        (
            lambda lock: (
                lock
                + "pyjokes==0.8.3 \\\n    --hash=sha256:"
                + "1" * 64
                + "\n    # via voicesync (pyproject.toml)\n"
            ),
            "pyjokes is pinned as voicesync's own, but pyproject does not declare it",
        ),
    ],
    ids=["index", "url", "narrowed-marker", "undeclared"],
)
def test_a_lock_edited_to_bring_in_or_drop_code_is_named(
    edit: Callable[[str], str], problem: str
) -> None:
    check = lock_checker()
    lock = edit((ROOT / "requirements" / "runtime.txt").read_text())
    found = check.disagreements(check.declared(), lock)
    assert any(problem in f for f in found), found


def test_the_release_lock_agrees_with_the_runtime_lock() -> None:
    check = lock_checker()
    runtime = (ROOT / "requirements" / "runtime.txt").read_text()
    release = (ROOT / "requirements" / "release.txt").read_text()
    assert check.agree(runtime, release) == []
    moved = release.replace("certifi==", "certifi==2000.1.1 \\\n    # was ", 1)
    assert any("certifi is 2000.1.1 in release.txt" in p for p in check.agree(runtime, moved))


def test_a_pin_without_a_hash_is_named() -> None:
    check = lock_checker()
    lock = (
        "idna==3.20 \\\n    # via requests\nclick==8.5.1 \\\n    --hash=sha256:"
        + "0" * 64
        + "\n    # via voicesync (pyproject.toml)\n"
    )
    assert check.disagreements(["click>=8.1", "idna"], lock) == ["idna has no --hash in the lock"]


def runner_pip_env() -> dict[str, str]:
    """The runner's pip: PyPI only, none of this machine's extra indexes, folders or caps."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    environ["PIP_CONFIG_FILE"] = os.devnull
    if "PIP_CERT" in os.environ:
        environ["PIP_CERT"] = os.environ["PIP_CERT"]
    return environ


def action_install_script() -> str:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("name", "").startswith("Install")]
    return str(step["run"])


@pytest.mark.slow
def test_the_action_installs_the_lock_by_hash_and_voicesync_alone(tmp_path: Path) -> None:
    """action.yml's own install step, in a fresh venv, from PyPI the way a runner reaches it:
    the lock with --require-hashes, then voicesync with --no-deps; then `voicesync --version`."""
    action = tmp_path / "action"  # a copy: building from the checkout leaves build/ behind
    for part in ("voicesync", "requirements", "pyproject.toml", "README.md", "LICENSE"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, action / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, action / part)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    runner_env = runner_pip_env() | {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": str(action),
    }
    done = subprocess.run(
        ["bash", "-c", action_install_script()],
        env=runner_env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run(
        [str(venv / "bin" / "voicesync"), "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    from voicesync import __version__

    assert version.stdout.strip() == f"voicesync, version {__version__}"
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "freeze", "--all"],
        env=runner_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    check = lock_checker()
    locked = {(n, v) for n, v, m in check.pins((ROOT / "requirements" / "runtime.txt").read_text())}
    for line in installed.splitlines():
        if line.startswith("voicesync @ file://"):
            continue  # itself, from the action's checkout
        name, _, version = line.partition("==")
        if canonicalize_name(name) != "pip":  # the venv's own
            assert (canonicalize_name(name), version) in locked, f"{line} is not from the lock"


# -- the release -----------------------------------------------------------------------------------
RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def release_step(name: str) -> str:
    return step_script(RELEASE, "build", name)


def test_the_release_runs_the_readmes_quickstart_and_publishes_what_it_checked() -> None:
    quickstart = release_step("Install the wheel into a clean venv and run the quickstart")
    readme = (ROOT / "README.md").read_text()
    first_command = readme.split("```sh\n", 1)[1].splitlines()[0]
    for command in first_command.split(" && ")[1:]:  # after `pip install -e '.[dev]'`
        assert command in quickstart, command
    data = yaml.safe_load(RELEASE.read_text())
    assert data[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads `on` as true
    publish = data["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no stored token
    assert [s.get("uses", "").split("@")[0] for s in publish["steps"]] == [
        "actions/download-artifact",  # the very files the build job checked
        "pypa/gh-action-pypi-publish",
    ]


@pytest.mark.slow
def test_the_released_wheel_installs_from_the_lock_and_runs_the_quickstart(
    tmp_path: Path,
) -> None:
    """The release job's own check, here: the wheel built from this checkout, installed into a
    clean venv beside the hash-pinned lock, runs the README's quickstart against the emulator."""
    workspace = tmp_path / "workspace"
    shutil.copytree(
        ROOT,
        workspace,
        ignore=shutil.ignore_patterns(
            ".git", "*.egg-info", "__pycache__", ".*_cache", ".voicesync", "build", "dist"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", "dist/"],
        cwd=workspace,
        capture_output=True,
        check=True,
        timeout=300,
    )
    done = subprocess.run(
        ["bash", "-c", release_step("Install the wheel into a clean venv and run the quickstart")],
        cwd=workspace,
        env=runner_pip_env()
        | {"GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(tmp_path), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "voicesync, version" in done.stdout and "No changes" in done.stdout, done.stdout

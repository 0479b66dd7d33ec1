"""A model-based test of combinations (issue 23): two teams' catalogs, each with lasting and
ephemeral environments, share one account with hand-made voices; Hypothesis runs random
sequences of apply (prune on and off), destroy, adopt, forget, renames, sample changes and
removed voices, older state files put back, expired clone journal entries with a namesake made
by hand, and (where the test can mount a small tmpfs) a disk that fills up, and checks after
every step what no combination may break:

- no write (PATCH, DELETE) targets a voice the acting (catalog, environment) did not create or
  explicitly adopt, except a prune of a voice no environment of its catalog manages and no
  ``ignore:`` of it names (the two catalogs ignore each other's names, as teams would);
- no remote name twice among one (catalog, environment)'s voices;
- a successful apply is followed by a plan with no changes;
- the key is in no output and no file.

Bounded for CI and the same cases each run; a soak raises VOICESYNC_STATEFUL_EXAMPLES and
_STEPS and sets VOICESYNC_STATEFUL_RANDOM=1 for new cases. It prints the commands it ran.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import hypothesis.strategies as st
import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Emulator, account_of
from voicesync.model import remote_name

OWNER = account_of(TEST_KEY)
EXAMPLES = int(os.environ.get("VOICESYNC_STATEFUL_EXAMPLES", "20"))
STEPS = int(os.environ.get("VOICESYNC_STATEFUL_STEPS", "40"))


@dataclass
class Team:
    """One catalog: its environments, voices (name -> sample period), renames, ignores."""

    folder: str
    environments: dict[str, dict[str, object]]
    voices: dict[str, int]
    ignore: list[str]
    concrete: list[str]  # environments a step may act in
    previous: dict[str, list[str]] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)


def teams() -> dict[str, Team]:
    return {
        "A": Team(
            "a",
            {
                "production": {},
                "staging": {"name_format": "{name} [staging]"},
                "pr-*": {"name_format": "{name} [{env}]", "ephemeral": True},
            },
            {"Narrator": 20, "Announcer": 30, "Old Man": 40},
            ["* (B *)"],
            ["production", "staging", "pr-1", "pr-2"],
        ),
        "B": Team(
            "b",
            {
                "prod": {"name_format": "{name} (B {env})"},
                "qa": {"name_format": "{name} (B {env})"},
            },
            {"Bass": 50, "Cello": 60},
            ["*[[]*]", "Narrator", "Announcer", "Old Man", "Stray*"],
            ["prod", "qa"],
        ),
    }


HAND_MADE = [
    "Stray",
    "Narrator",
    "Narrator [staging]",
    "Announcer [pr-1]",
    "Bass (B prod)",
    "Stray 2",
]
steps_run = [0]
full_runs = [0]  # commands run with the disk full
machines = itertools.count()


class Combinations(RuleBasedStateMachine):
    emulator_factory: Callable[..., Emulator]
    cli: Callable[..., CliResult]
    root: Path
    disk: Path | None = None  # a small tmpfs for full-disk steps, where one can be mounted

    def __init__(self) -> None:
        super().__init__()
        self.emulator = self.emulator_factory()
        self.teams = teams()
        self.run_dir = (self.disk or self.root) / f"run{next(machines)}"
        self.catalogs = {}
        for key, team in self.teams.items():
            self.catalogs[key] = Catalog(self.run_dir / team.folder)
            self.write(key)
        # voice_id -> (team, environment) that created or adopted it
        self.owner: dict[str, tuple[str, str]] = {}
        # (team, environment) -> its state file after each successful apply, oldest first
        self.snapshots: dict[tuple[str, str], list[bytes]] = {}

    # -- the catalogs ----------------------------------------------------------------------
    def write(self, key: str) -> None:
        self.free_the_disk()
        team, catalog = self.teams[key], self.catalogs[key]
        voices = []
        for name, period in sorted(team.voices.items()):
            sample = catalog.sample(f"{name.replace(' ', '-')}-{period}.wav", period=period)
            entry: dict[str, object] = {"name": name, "sample": sample}
            if team.previous.get(name):
                entry["previous_names"] = team.previous[name]
            voices.append(entry)
        catalog.path.parent.mkdir(parents=True, exist_ok=True)
        catalog.path.write_text(
            yaml.safe_dump(
                {
                    "version": 1,
                    "environments": team.environments,
                    "ignore": team.ignore,
                    "voices": voices,
                },
                sort_keys=False,
            )
        )

    def run(self, *args: str) -> CliResult:
        steps_run[0] += 1
        full_runs[0] += self.filler.exists()
        env = {"VOICEAI_BASE_URL": self.emulator.url, "VOICEAI_API_KEY": TEST_KEY}
        result = self.cli(*args, env=env)
        assert result.code in (0, 1), (args, result.output)  # never a voicesync bug (3)
        assert TEST_KEY not in result.output, args
        return result

    def live(self) -> dict[str, str]:
        return {
            v.voice_id: v.name or ""
            for v in self.emulator.store.all_voices()
            if v.owner == OWNER and v.deleted_at is None
        }

    def acting(self, key: str, env: str, *args: str) -> CliResult:
        """Run a command as (catalog, environment) and hold its writes to the rule."""
        before = self.live()
        self.emulator.clear_requests()
        result = self.run(*args)
        after = self.live()
        for voice_id in after.keys() - before.keys():
            self.owner[voice_id] = (key, env)
        for method, voice_id in self.writes():
            adopting = method == "PATCH" and "--adopt" in args and voice_id in after
            if adopting and self.owner.get(voice_id) in (None, (key, env)):
                self.owner[voice_id] = (key, env)  # adopted on purpose
                continue
            self.check_write(key, env, voice_id, before.get(voice_id, ""), "--prune" in args)
        self.check_recorded(key, env)
        if result.code == 0 and args[0] == "apply" and self.state_file(key, env).exists():
            self.snapshots.setdefault((key, env), []).append(self.state_file(key, env).read_bytes())
        return result

    def state_file(self, key: str, env: str) -> Path:
        return self.catalogs[key].root / f"voices.{env}.lock.json"

    def check_recorded(self, key: str, env: str) -> None:
        """What the state file records, it created or adopted on purpose: never by a name."""
        path = self.state_file(key, env)
        if not path.exists():
            return
        for name, record in json.loads(path.read_text())["voices"].items():
            voice_id = record.get("voice_id")
            assert voice_id is None or self.owner.get(voice_id) == (key, env), (
                f"{key}/{env} records '{name}' ({voice_id}), which {self.owner.get(voice_id)} "
                "made or nobody did"
            )

    def writes(self) -> list[tuple[str, str]]:
        return [
            (e["method"], e["path"].rsplit("/", 1)[1])
            for e in self.emulator.requests()
            if e["method"] in ("PATCH", "DELETE") and "/voice/" in e["path"]
        ]

    def check_write(self, key: str, env: str, voice_id: str, name: str, prune: bool) -> None:
        owner = self.owner.get(voice_id)
        if owner == (key, env):
            return
        assert prune, f"{key}/{env} wrote {voice_id} ('{name}') without --prune: not its own"
        team = self.teams[key]
        managed_by_catalog = owner is not None and owner[0] == key
        ignored = any(fnmatchcase(name, p) for p in team.ignore)
        assert owner is None and not ignored and not managed_by_catalog, (
            f"{key}/{env} wrote {voice_id} ('{name}'), which belongs to {owner}"
        )

    # -- rules ----------------------------------------------------------------------------
    @rule(data=st.data(), prune=st.booleans())
    def apply(self, data: st.DataObject, prune: bool) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        env = data.draw(st.sampled_from(self.teams[key].concrete))
        path = str(self.catalogs[key].path)
        extra = ["--prune"] if prune else []
        result = self.acting(key, env, "apply", path, "--yes", "--env", env, *extra)
        if result.code == 0:
            again = self.run("plan", path, "--env", env, "--detailed-exitcode", *extra)
            assert again.code == 0, ("not converged", key, env, again.output)

    @rule(data=st.data())
    def adopt(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        env = data.draw(st.sampled_from(self.teams[key].concrete))
        name = data.draw(st.sampled_from(sorted(self.teams[key].voices)))
        path = str(self.catalogs[key].path)
        self.acting(key, env, "apply", path, "--yes", "--env", env, "--adopt", name)

    @rule(data=st.data())
    def destroy(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        env = data.draw(st.sampled_from(self.teams[key].concrete))
        path = str(self.catalogs[key].path)
        self.acting(key, env, "destroy", path, "--yes", "--force", "--env", env)

    @rule(data=st.data())
    def change_sample(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        name = data.draw(st.sampled_from(sorted(self.teams[key].voices)))
        self.teams[key].voices[name] += 1
        self.write(key)

    @rule(data=st.data())
    def remove_or_restore(self, data: st.DataObject) -> None:
        team = self.teams[data.draw(st.sampled_from(sorted(self.teams)))]
        key = next(k for k, t in self.teams.items() if t is team)
        if team.removed and data.draw(st.booleans()):
            name = sorted(team.removed)[0]
            team.voices[name] = team.removed.pop(name)
        elif len(team.voices) > 1:
            name = data.draw(st.sampled_from(sorted(team.voices)))
            team.removed[name] = team.voices.pop(name)
        self.write(key)

    @rule(data=st.data())
    def rename(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        team = self.teams[key]
        old = data.draw(st.sampled_from(sorted(team.voices)))
        new = old + " II" if not old.endswith(" II") else old.removesuffix(" II")
        if new in team.voices or new in team.removed:
            return
        team.voices[new] = team.voices.pop(old)
        team.previous[new] = [*team.previous.pop(old, []), old]
        team.previous[new] = [p for p in team.previous[new] if p != new]
        self.write(key)

    @rule(data=st.data())
    def forget(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.teams)))
        team = self.teams[key]
        if not team.removed:
            return
        env = data.draw(st.sampled_from(team.concrete))
        name = data.draw(st.sampled_from(sorted(team.removed)))
        result = self.run("forget", str(self.catalogs[key].path), name, "--env", env)
        if result.code == 0:  # let go: its voice is no longer this environment's
            for voice_id, owner in list(self.owner.items()):
                if owner == (key, env) and voice_id in result.stdout:
                    del self.owner[voice_id]

    @rule()
    def the_disk_fills_up(self) -> None:
        """The next commands run with a few kB left (where the test could mount a tmpfs)."""
        if self.disk is not None and not self.filler.exists():
            free = shutil.disk_usage(self.disk).free
            self.filler.write_bytes(b"\0" * max(0, free - 8 * 1024))

    def free_the_disk(self) -> None:
        self.filler.unlink(missing_ok=True)

    @property
    def filler(self) -> Path:
        return (self.disk or self.root) / "filler"

    def teardown(self) -> None:
        self.free_the_disk()
        if self.disk is not None:  # the tmpfs is small: each run leaves it empty
            shutil.rmtree(self.run_dir, ignore_errors=True)

    @rule(data=st.data())
    def restore_an_older_state_file(self, data: st.DataObject) -> None:
        """A git checkout, a stale artifact or cache puts back what a state file once was."""
        if not self.snapshots:
            return
        self.free_the_disk()
        key, env = data.draw(st.sampled_from(sorted(self.snapshots)))
        older = data.draw(st.sampled_from(self.snapshots[(key, env)]))
        self.state_file(key, env).write_bytes(older)

    @rule(data=st.data())
    def expired_clone_and_a_namesake_made_by_hand(self, data: st.DataObject) -> None:
        """A run killed before its upload reached the server left a clone journal entry; long
        after, someone makes a voice of that name by hand. It must never be adopted."""
        key = data.draw(st.sampled_from(sorted(self.teams)))
        team = self.teams[key]
        env = data.draw(st.sampled_from(team.concrete))
        declared = data.draw(st.sampled_from(sorted(team.voices)))
        fmt = team.environments[env if env in team.environments else "pr-*"]
        remote = remote_name(str(fmt.get("name_format", "{name}")), declared, env)
        self.free_the_disk()
        path = self.state_file(key, env)
        state = json.loads(path.read_text()) if path.exists() else {
            "format_version": 1, "endpoint": self.emulator.url, "voices": {}}  # fmt: skip
        if remote in state["voices"]:
            return
        state["voices"][remote] = {
            "voice_id": None, "sample_sha256": "", "sample_size": 0, "name": remote,
            "visibility": "PRIVATE", "language": "en", "protected": False,
            "pending": {"name": remote, "sample_sha256": "0" * 64, "sample_size": 1,
                        "started_at": time.time() - 100, "voice_id": None},
        }  # fmt: skip
        path.write_text(json.dumps(state))
        self.emulator.store.seed_voice(OWNER, name=remote, visibility="PRIVATE")

    @rule(name=st.sampled_from(HAND_MADE))
    def hand_made(self, name: str) -> None:
        self.emulator.store.seed_voice(OWNER, name=name, visibility="PRIVATE")

    # -- invariants -----------------------------------------------------------------------
    @invariant()
    def one_voice_per_name_per_environment(self) -> None:
        live = self.live()
        seen: dict[tuple[tuple[str, str], str], str] = {}
        for voice_id, owner in self.owner.items():
            if voice_id in live:
                slot = (owner, live[voice_id])
                assert slot not in seen, f"{owner} has two voices named '{live[voice_id]}'"
                seen[slot] = voice_id

    @invariant()
    def no_key_in_any_file(self) -> None:
        for path in self.run_dir.rglob("*"):
            if path.is_file() and path.suffix in (".json", ".yaml", ".wal", ".journal"):
                assert TEST_KEY not in path.read_text(errors="replace"), path


def test_random_combinations_keep_every_promise(
    make_emulator: Callable[..., Emulator],
    cli: Callable[..., CliResult],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    Combinations.emulator_factory = staticmethod(make_emulator)  # type: ignore[assignment]
    Combinations.cli = staticmethod(cli)  # type: ignore[assignment]
    Combinations.root = tmp_path
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(disk)],
                             capture_output=True, check=False).returncode == 0  # fmt: skip
    Combinations.disk = disk if mounted else None
    steps_run[0] = full_runs[0] = 0
    try:
        run_state_machine_as_test(
            Combinations,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                derandomize=not os.environ.get("VOICESYNC_STATEFUL_RANDOM"),  # new cases: soak
                suppress_health_check=list(HealthCheck),
                database=None,
            ),
        )
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)
    with capsys.disabled():  # the figure the closing note quotes, in CI's log too
        full = f"{full_runs[0]} on a full disk" if mounted else "no tmpfs: no full-disk steps"
        print(f"\nstateful combinations: {EXAMPLES} runs, {steps_run[0]} commands ({full})")
    assert steps_run[0] > 0

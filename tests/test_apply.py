"""Apply end to end against the emulator over real HTTP: what lands in the account."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_RETRY, TEST_KEY, Catalog, CliResult
from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.events import ApplyResult, Event, Outcome
from voicesync.apply.executor import ApplyOptions
from voicesync.emulator import Emulator, FaultConfig, Timing, account_of
from voicesync.errors import PlanError
from voicesync.pipeline import Applied
from voicesync.plan.changes import Action, PlanOptions, Reason
from voicesync.state.store import load_state
from voicesync.workspace import Workspace

Cli = Callable[..., CliResult]
MakeEmulator = Callable[..., Emulator]
FAST_APPLY = ApplyOptions(poll_min_s=0.02, poll_max_s=0.1, grace_s=0.3)


def apply(catalog: Catalog, emulator: Emulator, **kwargs: Any) -> Applied:
    kwargs.setdefault("apply_options", FAST_APPLY)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        return pipeline.apply(Workspace.open(catalog.path), api, **kwargs)


def result_of(applied: Applied) -> ApplyResult:
    assert applied.result is not None
    return applied.result


def live(emulator: Emulator) -> list[tuple[str | None, str]]:
    """(name, status) of the account's voices as the service itself holds them."""
    owner = account_of(TEST_KEY)
    return sorted(
        (v.name, emulator.store.status_of(v))
        for v in emulator.store.all_voices()
        if v.owner == owner and v.deleted_at is None
    )


def writes(emulator: Emulator) -> list[str]:
    return [e["operation"] for e in emulator.requests() if e["method"] != "GET"]


def two_voices(catalog: Catalog) -> None:
    catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav")},
            {
                "name": "Announcer",
                "sample": catalog.sample("a.wav", period=30),
                "visibility": "PUBLIC",
            },
        ]
    )


def test_first_apply_then_nothing_to_do(catalog: Catalog, emulator: Emulator) -> None:
    two_voices(catalog)
    result = result_of(apply(catalog, emulator))
    assert result.ok and result.count(Outcome.DONE, Action.CLONE) == 2
    assert live(emulator) == [("Announcer", "AVAILABLE"), ("Narrator", "AVAILABLE")]
    state = load_state(catalog.state_path, emulator.url)
    assert sorted(state.records) == ["Announcer", "Narrator"]
    assert all(r.voice_id and r.pending is None for r in state.records.values())
    emulator.clear_requests()
    again = apply(catalog, emulator)
    assert again.result is None and again.planned.plan.changes == ()
    assert writes(emulator) == []


def test_rename_with_previous_names_keeps_the_voice(catalog: Catalog, emulator: Emulator) -> None:
    two_voices(catalog)
    apply(catalog, emulator)
    before = load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id
    catalog.write(
        [
            {"name": "Reader", "sample": "samples/n.wav", "previous_names": ["Narrator"]},
            {"name": "Announcer", "sample": "samples/a.wav", "visibility": "PUBLIC"},
        ]
    )
    emulator.clear_requests()
    applied = apply(catalog, emulator)
    assert [(c.action, c.reason) for c in applied.planned.plan.changes] == [
        (Action.UPDATE, Reason.RENAMED)
    ]
    assert writes(emulator) == ["update"]
    records = load_state(catalog.state_path, emulator.url).records
    assert "Narrator" not in records and records["Reader"].voice_id == before
    assert live(emulator) == [("Announcer", "AVAILABLE"), ("Reader", "AVAILABLE")]


def test_visibility_change_is_a_patch(catalog: Catalog, emulator: Emulator) -> None:
    two_voices(catalog)
    apply(catalog, emulator)
    catalog.write(
        [
            {"name": "Narrator", "sample": "samples/n.wav", "visibility": "PUBLIC"},
            {"name": "Announcer", "sample": "samples/a.wav", "visibility": "PUBLIC"},
        ]
    )
    emulator.clear_requests()
    apply(catalog, emulator)
    assert writes(emulator) == ["update"]
    voice = next(v for v in emulator.store.all_voices() if v.name == "Narrator")
    assert voice.visibility == "PUBLIC"


def test_sample_change_replaces_new_before_old(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(timing=Timing(0.1, 0.3))
    two_voices(catalog)
    apply(catalog, emulator)
    old_id = load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id
    catalog.sample("n.wav", period=40)
    result = result_of(apply(catalog, emulator))
    assert result.count(Outcome.DONE, Action.REPLACE) == 1
    voices = {v.voice_id: v for v in emulator.store.all_voices()}
    new_id = load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id
    old, new = voices[old_id or ""], voices[new_id or ""]
    assert old.deleted_at is not None and new.deleted_at is None
    assert old.deleted_at >= new.created_at + 0.4  # deleted only once the new one was AVAILABLE
    assert live(emulator) == [("Announcer", "AVAILABLE"), ("Narrator", "AVAILABLE")]


def test_removed_voice_is_deleted_unmanaged_untouched(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(catalog_voices=2)
    two_voices(catalog)
    apply(catalog, emulator)
    mine = emulator.store.seed_voice(account_of(TEST_KEY), name="Hand made")
    catalog.write([{"name": "Narrator", "sample": "samples/n.wav"}])
    emulator.clear_requests()
    applied = apply(catalog, emulator)
    assert [(c.action, c.name) for c in applied.planned.plan.changes] == [
        (Action.DELETE, "Announcer")
    ]
    assert {v.voice_id for v in applied.planned.plan.unmanaged} >= {mine.voice_id}
    assert writes(emulator) == ["delete"]
    assert live(emulator) == [("Hand made", "AVAILABLE"), ("Narrator", "AVAILABLE")]


def test_prune_skips_voices_that_are_not_ours(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(catalog_voices=2)
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}], prune=True)
    emulator.store.seed_voice(account_of(TEST_KEY), name="Leftover")
    result = result_of(apply(catalog, emulator, options=PlanOptions(force=True)))
    assert result.ok
    assert result.count(Outcome.SKIPPED, Action.DELETE) == 2  # the catalog's, 403
    assert result.count(Outcome.DONE, Action.DELETE) == 1
    assert live(emulator) == [("Narrator", "AVAILABLE")]


def test_failed_clone_is_reported_and_replaced_next_time(
    catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Mute", "sample": catalog.sample("m.wav", amplitude=0)}])
    result = result_of(apply(catalog, emulator))
    assert not result.ok
    failure = next(r for r in result.results if r.outcome is Outcome.FAILED)
    assert "ended FAILED (sample samples/m.wav)" in failure.message
    catalog.sample("m.wav", amplitude=6000)
    again = apply(catalog, emulator)
    assert [(c.action, c.reason) for c in again.planned.plan.changes] == [
        (Action.REPLACE, Reason.REMOTE_FAILED)
    ]
    assert result_of(again).ok and live(emulator) == [("Mute", "AVAILABLE")]


def test_failed_replacement_keeps_the_old_voice(catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    apply(catalog, emulator)
    old_id = load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id
    catalog.sample("n.wav", amplitude=0)
    result = result_of(apply(catalog, emulator))
    assert not result.ok and "the old voice" in result.results[0].message
    record = load_state(catalog.state_path, emulator.url).records["Narrator"]
    assert record.voice_id == old_id and record.pending is None and record.to_delete == ()
    assert live(emulator) == [("Narrator", "AVAILABLE")]


def test_lost_clone_answers_never_duplicate(catalog: Catalog, make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(faults=FaultConfig(seed=3, lost_write_rate=0.6, drop_rate=0.1))
    catalog.write(
        [
            {"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
            for i in range(6)
        ]
    )
    for _ in range(4):
        applied = apply(catalog, emulator)
        if applied.result is None:
            break
    emulator.set_faults(FaultConfig())
    assert apply(catalog, emulator).planned.plan.changes == ()
    assert live(emulator) == [(f"V{i}", "AVAILABLE") for i in range(6)]


def test_no_wait_then_apply_again(catalog: Catalog, make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(timing=Timing(0.2, 0.5))
    two_voices(catalog)
    first = result_of(apply(catalog, emulator, apply_options=ApplyOptions(wait=False)))
    assert first.count(Outcome.ACCEPTED) == 2
    second = apply(catalog, emulator)
    assert {c.action for c in second.planned.plan.changes} == {Action.WAIT}
    assert result_of(second).ok
    assert live(emulator) == [("Announcer", "AVAILABLE"), ("Narrator", "AVAILABLE")]
    assert apply(catalog, emulator).planned.plan.changes == ()


def test_wait_timeout_is_a_clear_failure(catalog: Catalog, make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(timing=Timing(0.05, 1000))
    catalog.write([{"name": "Slow", "sample": catalog.sample("s.wav")}])
    options = ApplyOptions(wait_timeout_s=0.3, poll_min_s=0.05)
    result = result_of(apply(catalog, emulator, apply_options=options))
    assert not result.ok and "still PROCESSING after 0.3 s" in result.results[0].message
    waiting = apply(catalog, emulator, apply_options=options)
    assert [c.action for c in waiting.planned.plan.changes] == [Action.WAIT]
    assert len(live(emulator)) == 1


def test_protected_voice_blocks_the_apply(catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([{"name": "Keep", "sample": catalog.sample("k.wav"), "protected": True}])
    apply(catalog, emulator)
    catalog.write([])
    emulator.clear_requests()
    with pytest.raises(PlanError, match="'Keep' is protected"):
        apply(catalog, emulator, options=PlanOptions(force=True))
    assert writes(emulator) == []


def test_events_are_emitted(catalog: Catalog, emulator: Emulator) -> None:
    two_voices(catalog)
    events: list[Event] = []
    apply(catalog, emulator, on_event=events.append)
    kinds = {type(e).__name__ for e in events}
    assert {"ChangeStarted", "ChangeFinished", "Waiting"} <= kinds


# -- through the CLI ----------------------------------------------------------------------------
def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def test_cli_apply_plan_destroy_outputs(
    cli: Cli, catalog: Catalog, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_voices(catalog)
    monkeypatch.chdir(catalog.root)
    applied = cli("apply", "--yes", env=env(emulator))
    assert applied.code == 0, applied.output
    assert (
        "Apply complete: 2 cloned, 0 updated, 0 replaced, 0 deleted; 0 skipped, 0 failed."
        in applied.stdout
    )
    assert "✓ clone Narrator" in applied.stderr
    assert cli("plan", "--detailed-exitcode", env=env(emulator)).code == 0
    ids = json.loads(cli("outputs").stdout)
    assert sorted(ids) == ["Announcer", "Narrator"]
    as_env = cli("outputs", "--format", "env").stdout.splitlines()
    assert as_env == [
        f"VOICE_ID_ANNOUNCER={ids['Announcer']}",
        f"VOICE_ID_NARRATOR={ids['Narrator']}",
    ]
    destroyed = cli("destroy", "--yes", "--force", env=env(emulator))
    assert destroyed.code == 0 and "2 deleted" in destroyed.stdout
    assert live(emulator) == [] and json.loads(cli("outputs").stdout) == {}


def test_cli_apply_needs_yes_without_a_terminal(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    two_voices(catalog)
    result = cli("apply", str(catalog.path), env=env(emulator))
    assert result.code == 1 and "pass --yes" in result.stderr
    assert writes(emulator) == [] and live(emulator) == []


def test_cli_failed_clone_exits_1(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([{"name": "Mute", "sample": catalog.sample("m.wav", amplitude=0)}])
    result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 1
    assert "Apply finished with failures" in result.stdout and "ended FAILED" in result.stdout


def test_saved_plan_applies_once_and_refuses_when_stale(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    two_voices(catalog)
    plan_file = tmp_path / "plan.json"
    made = cli("plan", str(catalog.path), "--out", str(plan_file), env=env(emulator))
    assert made.code == 0 and plan_file.exists()
    assert TEST_KEY not in plan_file.read_text()
    applied = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
    assert applied.code == 0, applied.output
    again = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
    assert again.code == 1 and "was already applied" in again.stderr, again.stderr
    assert "is stale" not in again.stderr  # not ten stale items: it says what happened
    stale_file = tmp_path / "stale.json"
    catalog.write(
        [
            {"name": "Narrator", "sample": "samples/n.wav", "visibility": "PUBLIC"},
            {"name": "Announcer", "sample": "samples/a.wav", "visibility": "PUBLIC"},
        ]
    )
    cli("plan", str(catalog.path), "--out", str(stale_file), env=env(emulator))
    emulator.store.seed_voice(account_of(TEST_KEY), name="Someone's new voice")
    refused = cli("apply", str(catalog.path), "--plan", str(stale_file), env=env(emulator))
    assert refused.code == 1 and "remote voice" in refused.stderr and "is new" in refused.stderr


def test_a_stale_plan_says_how_what_apply_would_do_now_differs(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    two_voices(catalog)
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    reviewed = tmp_path / "reviewed.json"
    catalog.write(
        [
            {"name": "Narrator", "sample": "samples/n.wav", "visibility": "PUBLIC"},
            {"name": "Announcer", "sample": "samples/a.wav", "visibility": "PUBLIC"},
        ]
    )
    cli("plan", str(catalog.path), "--out", str(reviewed), env=env(emulator))
    # After the review, someone puts Narrator back to private and renames Announcer.
    catalog.write(
        [
            {"name": "Narrator", "sample": "samples/n.wav"},
            {
                "name": "Host",
                "previous_names": ["Announcer"],
                "sample": "samples/a.wav",
                "visibility": "PUBLIC",
            },
        ]
    )
    refused = cli("apply", str(catalog.path), "--plan", str(reviewed), env=env(emulator))
    assert refused.code == 1 and "differs from the reviewed plan" in refused.stderr
    assert "no longer: update 'Narrator'" in refused.stderr
    assert "now also: update 'Host'" in refused.stderr  # Announcer was public already


def test_cli_list_marks_each_voice(cli: Cli, catalog: Catalog, make_emulator: MakeEmulator) -> None:
    emulator = make_emulator(catalog_voices=1)
    catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav")},
            {"name": "Later", "sample": catalog.sample("l.wav", period=30)},
        ]
    )
    cli("apply", str(catalog.path), "--yes", "--target", "Narrator", env=env(emulator))
    emulator.store.seed_voice(account_of(TEST_KEY), name="Later")
    rows = json.loads(cli("list", str(catalog.path), "--format", "json", env=env(emulator)).stdout)
    marks = {r["name"]: r["managed"] for r in rows}
    assert marks == {
        "Narrator": "managed",
        "Later": "declared (unrecorded)",
        "Catalog Voice 1": "unmanaged",
    }
    table = cli("list", str(catalog.path), env=env(emulator)).stdout
    assert table.splitlines()[0].split()[-1] == "MANAGED"


def test_the_state_file_keeps_its_mode_and_a_new_one_follows_the_umask(
    catalog: Catalog, emulator: Emulator
) -> None:
    two_voices(catalog)
    apply(catalog, emulator)
    assert catalog.state_path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    catalog.state_path.chmod(0o640)  # a team's choice: group-readable, not world-readable
    catalog.write([{"name": "Narrator", "sample": "samples/n.wav", "visibility": "PUBLIC"}])
    apply(catalog, emulator, options=PlanOptions(prune=True))
    assert catalog.state_path.stat().st_mode & 0o777 == 0o640


def _umask() -> int:
    import os

    current = os.umask(0o022)
    os.umask(current)
    return current


def test_a_rename_with_a_new_sample_refused_once_still_retires_the_old_voice(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """Rename and new sample (a replace), and the clone refused once (429): the queue starts
    the change again. Its record had moved to the new name with the first try; looked up under
    the old one it was taken for missing and overwritten, and the old voice stayed on the
    account, recorded nowhere (found by a review of the refusal queue)."""
    from voicesync.emulator import FaultConfig

    emulator = make_emulator()
    catalog.write([{"name": "Alto", "sample": catalog.sample("a.wav", period=10)}])
    first = result_of(apply(catalog, emulator))
    (old_id,) = [r.voice_id for r in first.results]
    catalog.sample("a2.wav", period=14)
    catalog.write([{"name": "Altissimo", "previous_names": ["Alto"], "sample": "samples/a2.wav"}])
    emulator.set_faults(
        FaultConfig(sequence=("rate_limit",), operations=("clone",), retry_after_s=0)
    )
    again = result_of(apply(catalog, emulator))
    assert again.ok, again.results
    assert live(emulator) == [("Altissimo", "AVAILABLE")]
    state = load_state(catalog.state_path, emulator.url)
    assert list(state.records) == ["Altissimo"] and state.records["Altissimo"].voice_id != old_id
    assert old_id not in state.recorded_ids() and not state.records["Altissimo"].to_delete


def test_a_replaced_voice_that_cannot_be_deleted_stays_recorded_and_goes_next_time(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """The new voice is ready, but deleting the old one keeps failing (5xx): the replace is
    done, the run says so and goes on (it stopped with a bare 'Internal Server Error'), and
    the next apply deletes the old voice."""
    emulator = make_emulator()
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav", period=10)}])
    (old_id,) = [r.voice_id for r in result_of(apply(catalog, emulator)).results]
    catalog.sample("n.wav", period=16)
    emulator.set_faults(FaultConfig(server_error_rate=1.0, operations=("delete",)))
    notes: list[str] = []
    replaced = result_of(
        apply(catalog, emulator, on_event=lambda e: notes.append(getattr(e, "message", "")))
    )
    assert replaced.ok and any(f"could not delete the voice it replaces ({old_id})" in n
                               for n in notes)  # fmt: skip
    assert old_id in load_state(catalog.state_path, emulator.url).records["Narrator"].to_delete
    emulator.set_faults(FaultConfig())
    assert result_of(apply(catalog, emulator)).ok
    assert live(emulator) == [("Narrator", "AVAILABLE")]

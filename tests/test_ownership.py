"""Ownership on strong evidence: never a duplicate clone, never someone else's voice.

Each test is one case the ownership issue saw, over real HTTP against an emulator that behaves
like a real service on a bad day: lists that lag, cap their pages, leave out voices still
processing or hold voices the account cannot change; accounts shared by several catalogs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_RETRY, TEST_KEY, Catalog, CliResult
from tests.test_apply import FAST_APPLY
from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.events import Outcome
from voicesync.apply.executor import ApplyOptions, apply_plan
from voicesync.emulator import Dialect, Emulator, FaultConfig, Timing, account_of
from voicesync.errors import PlanError
from voicesync.model import Visibility
from voicesync.pipeline import Applied
from voicesync.plan.changes import Action, Match, Plan, PlanOptions, Reason
from voicesync.state.store import PendingClone, State, VoiceRecord, load_state, save_state
from voicesync.state.wal import log_path
from voicesync.state.writer import StateWriter
from voicesync.workspace import Workspace

Cli = Callable[..., CliResult]
MakeEmulator = Callable[..., Emulator]
OWNER = account_of(TEST_KEY)


def apply(catalog: Catalog, emulator: Emulator, **kwargs: Any) -> Applied:
    kwargs.setdefault("apply_options", FAST_APPLY)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        if kwargs.pop("destroy", False):
            workspace = Workspace.open(catalog.path, samples=False)
            return pipeline.destroy(workspace, api, force=True, **kwargs)
        return pipeline.apply(Workspace.open(catalog.path), api, **kwargs)


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def copies(emulator: Emulator, owner: str = OWNER) -> Counter[str | None]:
    """How many live voices of each name the account really holds."""
    return Counter(
        v.name for v in emulator.store.all_voices() if v.owner == owner and v.deleted_at is None
    )


def clone_posts(emulator: Emulator) -> int:
    return sum(1 for e in emulator.requests() if e["operation"] == "clone")


def writes(emulator: Emulator) -> list[tuple[str, str]]:
    """(method, voice_id or 'clone') of every write the service received."""
    out = []
    for entry in emulator.requests():
        if entry["method"] == "GET" or not entry["operation"]:
            continue
        target = "clone" if entry["operation"] == "clone" else entry["path"].rsplit("/", 1)[1]
        out.append((entry["method"], target))
    return out


def assert_plan_shows_every_write(plan: Plan, emulator: Emulator, created: set[str]) -> None:
    """Every write the service received is one the plan showed.

    A clone POST belongs to a clone or replace; a PATCH to an update (or an adopt, whose no-op
    PATCH proves the account may change the voice); a DELETE to a delete or replace of that
    voice, or to a voice this very run created (a replacement that ended FAILED).
    """
    cloning = sum(1 for c in plan.changes if c.action in (Action.CLONE, Action.REPLACE))
    patchable = {c.voice_id for c in plan.changes if c.action in (Action.UPDATE, Action.ADOPT)}
    deletable = {c.voice_id for c in plan.changes if c.action in (Action.DELETE, Action.REPLACE)}
    seen = writes(emulator)
    assert sum(1 for _, t in seen if t == "clone") <= cloning, (seen, plan.changes)
    for method, target in seen:
        if method == "PATCH":
            assert target in patchable, (method, target, plan.changes)
        elif method == "DELETE":
            assert target in deletable | created, (method, target, plan.changes)


# -- 1. a capped list, or one that leaves out voices still processing -----------------------------
@pytest.mark.parametrize("cap", [100, 10])
def test_capped_list_never_reclones(
    catalog: Catalog, make_emulator: MakeEmulator, cap: int
) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape="capped", page_size=cap, max_page_size=cap))
    for i in range(105):
        emulator.store.seed_voice(OWNER, name=f"Other {i:03}")
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    for _ in range(3):
        assert apply(catalog, emulator).planned.plan.refusals == ()
    assert copies(emulator)["Narrator"] == 1
    assert clone_posts(emulator) == 1


def test_list_leaving_out_processing_voices_never_reclones(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(dialect=Dialect(list_omits_processing=True), timing=Timing(0.3, 0.5))
    catalog.write(
        [{"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + i)} for i in range(4)]
    )
    first = apply(catalog, emulator, apply_options=replace(FAST_APPLY, wait=False))
    assert first.result is not None and first.result.ok
    again = apply(catalog, emulator)  # at once: the list shows none of the four yet
    assert again.result is not None and again.result.ok, again.result
    assert {c.action for c in again.planned.plan.changes} == {Action.WAIT}
    assert any("the list left out" in n for n in again.planned.notices)
    assert copies(emulator) == {f"V{i}": 1 for i in range(4)}


# -- 2. list lag after a clone answered 500 -------------------------------------------------------
def test_list_lag_after_a_500_is_waited_out_not_recloned(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(
        dialect=Dialect(list_lag_s=0.8), faults=FaultConfig(commit_error_rate=1.0)
    )
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    applied = apply(catalog, emulator, apply_options=replace(FAST_APPLY, grace_s=3.0))
    result = applied.result
    assert result is not None and result.ok, result
    assert result.count(Outcome.DONE, Action.CLONE) == 1
    assert clone_posts(emulator) == 1 and copies(emulator) == {"Narrator": 1}
    recorded = load_state(catalog.state_path, emulator.url).records["Narrator"]
    assert recorded.voice_id is not None and recorded.pending is None


def test_nothing_appearing_in_the_window_is_sent_again(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator()
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    options = replace(FAST_APPLY, grace_s=0.6)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        planned = pipeline.plan(Workspace.open(catalog.path), api)
        emulator.set_faults(FaultConfig(server_error_rate=1.0))  # refused before it happened
        started = time.monotonic()
        seen: list[str] = []
        journal = StateWriter(planned.state, catalog.state_path)

        def heal(event: object) -> None:
            seen.append(str(event))
            if "looking for it" in str(event):
                emulator.set_faults(FaultConfig())

        result = apply_plan(planned.plan, api, journal, options=options, on_event=heal)
    assert result.ok, result
    assert time.monotonic() - started >= 0.6  # it looked for the whole window first
    assert clone_posts(emulator) == 2  # the one refused with 500, and one resend after it
    assert copies(emulator) == {"Narrator": 1}


# -- 3. kill -9 while the server is still committing the clone ------------------------------------
def _kill_mid_clone(catalog: Catalog, emulator: Emulator) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicesync", "apply", str(catalog.path), "--yes"],
        env=os.environ | env(emulator),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not _journalled(catalog, emulator):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    time.sleep(0.3)  # the POST is on its way; the server has not committed it yet
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def _journalled(catalog: Catalog, emulator: Emulator) -> bool:
    if not (catalog.state_path.exists() or log_path(catalog.state_path).exists()):
        return False
    records = load_state(catalog.state_path, emulator.url).records.values()
    return any(r.pending is not None for r in records)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_while_the_server_commits_then_rerun_at_once(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(faults=FaultConfig(commit_delay_s=1.5))
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    _kill_mid_clone(catalog, emulator)
    assert copies(emulator) == {}  # not committed yet
    emulator.set_faults(FaultConfig())
    applied = apply(catalog, emulator, apply_options=replace(FAST_APPLY, grace_s=5.0))
    change = applied.planned.plan.changes[0]
    assert (change.reason, change.match) == (Reason.INTERRUPTED_CLONE, Match.JOURNAL)
    assert change.journal_started_at is not None
    assert applied.result is not None and applied.result.ok, applied.result
    assert copies(emulator) == {"Narrator": 1}
    assert clone_posts(emulator) == 1  # the killed run's POST is the only one the server got


# -- 4. the sample changes during the upload; a lenient server keeps the truncated body ----------
def test_sample_changed_during_upload_is_not_adopted_later(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(faults=FaultConfig(accept_truncated_bodies=True))
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    sample = catalog.root / "samples" / "n.wav"

    def edit_during_upload(_planned: object) -> None:
        data = bytearray(sample.read_bytes())
        data[-1000:] = bytes(1000)  # same size, other content
        sample.write_bytes(bytes(data))

    first = apply(
        catalog, emulator, show=edit_during_upload, apply_options=replace(FAST_APPLY, grace_s=0.5)
    )
    assert first.result is not None and not first.result.ok
    assert "changed" in first.result.results[0].message
    deadline = time.monotonic() + 10
    while copies(emulator) != {"Narrator": 1}:  # the server made a voice of the truncated body
        assert time.monotonic() < deadline
        time.sleep(0.02)
    second = apply(catalog, emulator)
    assert second.result is not None and second.result.ok, second.result
    assert {(c.action, c.reason) for c in second.planned.plan.changes} == {
        (Action.DELETE, Reason.SUPERSEDED),
        (Action.CLONE, Reason.NEW),
    }
    assert apply(catalog, emulator).result is None  # converged
    [voice] = [v for v in emulator.store.all_voices() if v.deleted_at is None]
    record = load_state(catalog.state_path, emulator.url).records["Narrator"]
    assert record.voice_id == voice.voice_id
    assert voice.sample_sha256 == record.sample_sha256  # the voice is made of what was recorded


# -- 5. killed clones of voices later removed from the YAML ---------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("how", ["apply", "destroy"])
def test_killed_clone_of_a_removed_voice_is_resolved_and_deleted(
    catalog: Catalog, make_emulator: MakeEmulator, cli: Cli, how: str
) -> None:
    emulator = make_emulator()
    catalog.write([{"name": "Keep", "sample": catalog.sample("k.wav")}])
    assert apply(catalog, emulator).result is not None
    emulator.set_faults(FaultConfig(reply_delay_s=30))  # the next clone is never answered
    catalog.write(
        [
            {"name": "Keep", "sample": "samples/k.wav"},
            {"name": "Dropped", "sample": catalog.sample("d.wav", period=33)},
        ]
    )
    _kill_mid_clone(catalog, emulator)
    emulator.set_faults(FaultConfig())
    deadline = time.monotonic() + 10
    while copies(emulator)["Dropped"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    catalog.write([{"name": "Keep", "sample": "samples/k.wav"}])
    if how == "apply":
        plan = cli("plan", str(catalog.path), env=env(emulator))
        assert "- delete Dropped" in plan.stdout and "matched by the clone journal" in plan.stdout
        done = cli("apply", str(catalog.path), "--yes", env=env(emulator))
        assert copies(emulator) == {"Keep": 1}, done.output
    else:
        done = cli("destroy", str(catalog.path), "--yes", "--force", env=env(emulator))
        assert copies(emulator) == {}, done.output
    assert done.code == 0, done.output
    assert "Dropped" not in load_state(catalog.state_path, emulator.url).records


# -- 6. a declared name equal to a built-in catalog voice ------------------------------------------
@pytest.mark.parametrize("visibility", ["PRIVATE", "PUBLIC"])
def test_a_catalog_voice_of_the_same_name_is_never_adopted(
    catalog: Catalog, make_emulator: MakeEmulator, cli: Cli, visibility: str
) -> None:
    emulator = make_emulator(catalog_voices=1)
    [stock] = emulator.store.all_voices()
    catalog.write(
        [{"name": "Catalog Voice 1", "sample": catalog.sample("n.wav"), "visibility": visibility}]
    )
    plan = cli("plan", str(catalog.path), "--format", "json", env=env(emulator))
    change = json.loads(plan.stdout)["changes"][0]
    assert (change["action"], change["voice_id"]) == ("conflict", stock.voice_id)
    emulator.clear_requests()
    refused = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert refused.code == 1
    assert "--adopt 'Catalog Voice 1'" in refused.stderr and "another name" in refused.stderr
    assert writes(emulator) == []
    adopted = cli(
        "apply", str(catalog.path), "--yes", "--adopt", "Catalog Voice 1", env=env(emulator)
    )
    assert adopted.code == 1
    assert "cannot change" in adopted.output, adopted.output
    assert [m for m, _ in writes(emulator)] == ["PATCH"]  # the proof, refused with 403
    outputs = cli("outputs", str(catalog.path))
    assert stock.voice_id not in outputs.stdout
    state = load_state(catalog.state_path, emulator.url)
    assert stock.voice_id in state.foreign
    again = cli("plan", str(catalog.path), env=env(emulator))
    assert "cannot change" in again.stdout  # remembered: the name is taken by a foreign voice
    listed = json.loads(
        cli("list", str(catalog.path), "--format", "json", env=env(emulator)).stdout
    )
    assert [row["managed"] for row in listed] == ["foreign"]


def test_adopt_takes_over_an_own_voice_after_proving_it(
    catalog: Catalog, emulator: Emulator, cli: Cli
) -> None:
    mine = emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    done = cli("apply", str(catalog.path), "--yes", "--adopt", "Narrator", env=env(emulator))
    assert done.code == 0, done.output
    assert writes(emulator) == [("PATCH", mine.voice_id)]
    assert load_state(catalog.state_path, emulator.url).records["Narrator"].voice_id == (
        mine.voice_id
    )


# -- 7. two catalogs on one account ---------------------------------------------------------------
def test_two_catalogs_on_one_account_never_touch_each_other(
    tmp_path: Path, emulator: Emulator, cli: Cli
) -> None:
    production, staging = Catalog(tmp_path / "prod"), Catalog(tmp_path / "staging")
    production.write([{"name": "Narrator", "sample": production.sample("n.wav")}])
    staging.write([{"name": "Narrator", "sample": staging.sample("n.wav", period=31)}])
    assert cli("apply", str(production.path), "--yes", env=env(emulator)).code == 0
    [prod_voice] = [v.voice_id for v in emulator.store.all_voices()]
    emulator.clear_requests()
    plan = cli("plan", str(staging.path), env=env(emulator))
    assert "conflict Narrator" in plan.stdout
    assert cli("apply", str(staging.path), "--yes", env=env(emulator)).code == 1
    destroyed = cli("destroy", str(staging.path), "--yes", "--force", env=env(emulator))
    assert destroyed.code == 0, destroyed.output
    assert writes(emulator) == []
    assert copies(emulator) == {"Narrator": 1}
    assert load_state(production.state_path, emulator.url).records["Narrator"].voice_id == (
        prod_voice
    )


def test_two_catalogs_in_one_folder_have_their_own_state_files(
    catalog: Catalog, emulator: Emulator, cli: Cli
) -> None:
    prod, staging = catalog.root / "prod.yaml", catalog.root / "staging.yaml"
    prod.write_text(
        f"version: 1\nvoices:\n  - name: Narrator\n    sample: {catalog.sample('n.wav')}\n"
    )
    staging.write_text(
        f"version: 1\nvoices:\n  - name: Narrator Staging\n    sample: {catalog.sample('s.wav', period=31)}\n"
    )
    assert cli("apply", str(prod), "--yes", env=env(emulator)).code == 0
    plan = cli("plan", str(staging), "--format", "json", env=env(emulator))
    changes = json.loads(plan.stdout)["changes"]
    assert [(c["action"], c["name"]) for c in changes] == [("clone", "Narrator Staging")]
    assert (catalog.root / "prod.lock.json").exists()
    assert not (catalog.root / "voices.lock.json").exists()


# -- 8. prune on an account that lists voices it cannot change ------------------------------------
def test_prune_converges_on_an_account_listing_catalog_voices(
    catalog: Catalog, make_emulator: MakeEmulator, cli: Cli
) -> None:
    emulator = make_emulator(catalog_voices=5)
    legacy = emulator.store.seed_voice(OWNER, name="Legacy bot", visibility="PRIVATE")
    extra = emulator.store.seed_voice(OWNER, name="Leftover", visibility="PRIVATE")
    catalog.write(
        [{"name": "Narrator", "sample": catalog.sample("n.wav")}], prune=True, ignore=["Legacy*"]
    )
    first = cli("apply", str(catalog.path), "--yes", "--force", env=env(emulator))
    assert first.code == 0, first.output
    assert "5 skipped" in first.stdout
    assert copies(emulator) == {"Narrator": 1, "Legacy bot": 1}
    assert legacy.deleted_at is None and extra.deleted_at is not None
    emulator.clear_requests()
    for _ in range(2):
        nightly = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
        assert nightly.code == 0, nightly.output
        assert "No changes" in nightly.stdout
    assert writes(emulator) == []


# -- 9. the plan shows every write apply makes ------------------------------------------------------
def test_finishing_a_no_wait_replace_shows_its_delete(
    catalog: Catalog, make_emulator: MakeEmulator, cli: Cli
) -> None:
    emulator = make_emulator(timing=Timing(0.05, 0.1))
    catalog.write([{"name": "Storyteller", "sample": catalog.sample("s.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    catalog.sample("s.wav", period=41)
    assert cli("apply", str(catalog.path), "--yes", "--no-wait", env=env(emulator)).code == 0
    time.sleep(0.3)
    plan = cli("plan", str(catalog.path), "--format", "json", env=env(emulator))
    shown = json.loads(plan.stdout)
    assert shown["summary"]["replace"] == 1 and shown["destructive"] is True
    emulator.clear_requests()
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        applied = pipeline.apply(Workspace.open(catalog.path), api, apply_options=FAST_APPLY)
    assert_plan_shows_every_write(applied.planned.plan, emulator, set())
    assert [m for m, _ in writes(emulator)] == ["DELETE"]
    assert copies(emulator) == {"Storyteller": 1}


def test_every_reason_code_makes_only_the_writes_its_plan_shows(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """Walk a catalog through every reason code; after each apply, compare the request log."""
    emulator = make_emulator(timing=Timing(0.05, 0.1), catalog_voices=1)
    hand = emulator.store.seed_voice(OWNER, name="Hand made", visibility="PRIVATE")
    seen: set[Reason] = set()

    def step(**options: Any) -> Applied:
        before = {v.voice_id for v in emulator.store.all_voices()}
        emulator.clear_requests()
        applied = apply(catalog, emulator, **options)
        created = {v.voice_id for v in emulator.store.all_voices()} - before
        assert_plan_shows_every_write(applied.planned.plan, emulator, created)
        seen.update(c.reason for c in applied.planned.plan.changes)
        return applied

    a, b, c = (catalog.sample(f"{x}.wav", period=p) for x, p in (("a", 20), ("b", 25), ("c", 30)))
    mute = catalog.sample("mute.wav", amplitude=0)
    catalog.write(
        [
            {"name": "A", "sample": a},
            {"name": "B", "sample": b},
            {"name": "C", "sample": c},
            {"name": "Mute", "sample": mute},
        ]
    )
    step()  # new; Mute ends FAILED
    catalog.write(
        [
            {"name": "A2", "sample": a, "previous_names": ["A"]},
            {"name": "B", "sample": b, "visibility": "PUBLIC"},
            {"name": "C", "sample": c, "language": "fr"},
            {"name": "Mute", "sample": catalog.sample("mute.wav", period=60)},
        ]
    )
    step()  # renamed, visibility_changed, language_changed, remote_failed
    records = load_state(catalog.state_path, emulator.url).records
    emulator.store.update(OWNER, records["A2"].voice_id or "", name="Hand renamed", visibility=None)
    emulator.store.update(OWNER, records["B"].voice_id or "", name=None, visibility="PRIVATE")
    emulator.store.delete(OWNER, records["C"].voice_id or "")
    step()  # drift_renamed, drift_visibility, drift_deleted
    catalog.sample("b.wav", period=26)
    step(options=PlanOptions(replace=frozenset({"A2"})))  # sample_changed, forced
    catalog.write([{"name": "A2", "sample": a}, {"name": "B", "sample": "samples/b.wav"}])
    step(options=PlanOptions(prune=True, force=True))  # not_declared, prune_unmanaged
    assert hand.deleted_at is not None
    catalog.sample("b.wav", period=28)
    step(apply_options=replace(FAST_APPLY, wait=False))  # the replace is left in flight
    step()  # interrupted_clone: finished, and its old voice deleted as the plan showed
    catalog.sample("b.wav", period=30)
    step(apply_options=replace(FAST_APPLY, wait=False))
    catalog.sample("b.wav", period=32)
    step()  # superseded: the clone still in flight is of a sample no longer declared
    emulator.store.seed_voice(OWNER, name="Adoptee", visibility="PRIVATE")
    declared = [
        {"name": "A2", "sample": a},
        {"name": "B", "sample": "samples/b.wav"},
        {"name": "Adoptee", "sample": c},
    ]
    catalog.write(declared)
    step(options=PlanOptions(adopt=frozenset({"Adoptee"})))  # unrecorded, proved by a no-op PATCH
    catalog.write([*declared, {"name": "Catalog Voice 1", "sample": mute}])
    emulator.clear_requests()
    with pytest.raises(PlanError, match="cannot change"):  # name_taken: a foreign voice's name
        apply(catalog, emulator)
    assert writes(emulator) == []
    catalog.write(declared)
    step(destroy=True)
    assert {
        Reason.NEW,
        Reason.RENAMED,
        Reason.VISIBILITY_CHANGED,
        Reason.LANGUAGE_CHANGED,
        Reason.REMOTE_FAILED,
        Reason.DRIFT_RENAMED,
        Reason.DRIFT_VISIBILITY,
        Reason.DRIFT_DELETED,
        Reason.SAMPLE_CHANGED,
        Reason.FORCED,
        Reason.NOT_DECLARED,
        Reason.PRUNE_UNMANAGED,
        Reason.INTERRUPTED_CLONE,
        Reason.SUPERSEDED,
        Reason.UNRECORDED,
        Reason.DESTROY,
    } <= seen
    assert copies(emulator) == {}


# -- 10. order: deletes that free a slot run before clones -----------------------------------------
def test_a_swap_on_a_full_account_deletes_first(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    emulator = make_emulator(max_voices=1)
    catalog.write([{"name": "Zed", "sample": catalog.sample("z.wav")}])
    apply(catalog, emulator)
    catalog.write([{"name": "Abel", "sample": catalog.sample("a.wav", period=31)}])
    applied = apply(
        catalog,
        emulator,
        options=PlanOptions(force=True),  # it deletes all
        apply_options=replace(FAST_APPLY, parallelism=1),
    )
    assert applied.result is not None and applied.result.ok, applied.result
    assert copies(emulator) == {"Abel": 1}
    assert [m for m, _ in writes(emulator)][-2:] == ["DELETE", "POST"]


def test_options_keep_a_long_default_grace_window() -> None:
    assert ApplyOptions().grace_s == 30.0


# -- found by the soak: a journalled voice found stale, whose delete then failed -------------------
def test_a_stale_journalled_voice_whose_delete_fails_is_deleted_later(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """A killed clone's voice is found by name, but the sample changed since: the plan deletes it
    and clones again. If that delete fails, the voice must stay on record for the next plan,
    or it is left behind as an unmanaged twin of the declared voice."""
    emulator = make_emulator()
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    stale = emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    # An older sample, its clone started inside the grace window (an expired entry is settled,
    # never matched by name: test_evidence.py).
    pending = PendingClone("Narrator", "0" * 64, 100, time.time() - 5)
    inside = replace(FAST_APPLY, grace_s=30.0)
    record = VoiceRecord(None, "0" * 64, 100, "Narrator", Visibility.PRIVATE, "en", pending=pending)
    save_state(catalog.state_path, State(emulator.url, {"Narrator": record}))
    emulator.set_faults(FaultConfig(server_error_rate=1.0, operations=("delete",)))
    first = apply(catalog, emulator, apply_options=inside)
    assert [(c.action, c.reason) for c in first.planned.plan.changes] == [
        (Action.CLONE, Reason.NEW),
        (Action.DELETE, Reason.SUPERSEDED),
    ]
    assert first.result is not None and not first.result.ok  # the delete failed
    emulator.set_faults(FaultConfig())
    second = apply(catalog, emulator)
    assert [(c.action, c.voice_id) for c in second.planned.plan.changes] == [
        (Action.DELETE, stale.voice_id)
    ]
    assert copies(emulator) == {"Narrator": 1}


def test_ids_confirmed_gone_leave_the_state_file(catalog: Catalog, emulator: Emulator) -> None:
    """A voice left to delete that GET says is gone (404) is dropped from the record, so
    later plans do not ask for it again."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    apply(catalog, emulator)
    state = load_state(catalog.state_path, emulator.url)
    record = state.records["Narrator"]
    stale = "00000000-0000-4000-8000-00000000dead"
    save_state(
        catalog.state_path,
        replace(state, records={"Narrator": replace(record, to_delete=(stale,))}),
    )
    emulator.clear_requests()
    assert apply(catalog, emulator).result is None  # nothing to do remotely
    assert load_state(catalog.state_path, emulator.url).records["Narrator"].to_delete == ()
    emulator.clear_requests()
    apply(catalog, emulator)
    assert [e["operation"] for e in emulator.requests()] == ["list"]


def test_the_grace_window_starts_when_the_upload_went_out(
    catalog: Catalog, make_emulator: MakeEmulator
) -> None:
    """A clone refused twice with 429 (Retry-After 1 s) is sent a third time, committed, and its
    answer lost; the list shows it 1 s later. Measured from when the clone was first queued the
    1.5 s window is over before the voice could show, and it would be cloned again; measured
    from the last upload, it is found."""
    faults = FaultConfig(
        sequence=("rate_limit", "rate_limit", "lose"), operations=("clone",), retry_after_s=1
    )
    emulator = make_emulator(dialect=Dialect(list_lag_s=1.0), faults=faults)
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    applied = apply(catalog, emulator, apply_options=replace(FAST_APPLY, grace_s=1.5))
    assert applied.result is not None and applied.result.ok, applied.result
    assert copies(emulator) == {"Narrator": 1}
    assert clone_posts(emulator) == 3  # two refused with 429, one committed: none sent again


def test_a_prompt_clone_costs_three_journal_lines_and_one_state_write(
    catalog: Catalog, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Journal, id, promote: the upload time is journalled only when it left late. Each goes to
    the write-ahead log; the state file is rewritten once per run, whatever the catalog's size
    (it was rewritten whole per operation, N² bytes for N voices)."""
    import voicesync.state.writer as writer_module

    writes_done: list[int] = []
    lines: list[int] = []
    original_save, original_close = writer_module.save_state, writer_module.StateWriter.close
    monkeypatch.setattr(
        writer_module,
        "save_state",
        lambda path, state: (writes_done.append(1), original_save(path, state))[1],
    )

    def close(journal: StateWriter) -> None:
        journalled = log_path(catalog.state_path).read_text().splitlines()
        lines.append(len(journalled) - 1)  # the first line is the header
        original_close(journal)

    monkeypatch.setattr(writer_module.StateWriter, "close", close)
    voices = [{"name": f"Voice {i}", "sample": catalog.sample(f"{i}.wav")} for i in range(12)]
    catalog.write(voices)
    applied = apply(catalog, emulator)
    assert applied.result is not None and applied.result.ok
    assert len(writes_done) == 1
    assert lines == [3 * 12]
    assert not log_path(catalog.state_path).exists()  # folded into the state file
    assert len(load_state(catalog.state_path, emulator.url).records) == 12

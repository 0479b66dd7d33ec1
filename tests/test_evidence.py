"""What was reviewed is what runs, and evidence that cannot go stale (issue 24): saved plans bound
to everything they decide, journal entries and recorded ids that outlive their truth, and the
edges where a promise leaked. Real CLI, real HTTP, real files."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import TEST_KEY, Catalog, CliResult, writes
from voicesync.emulator import Emulator, account_of
from voicesync.plan.changes import digest

Cli = Callable[..., CliResult]
OWNER = account_of(TEST_KEY)


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def live_names(emulator: Emulator) -> list[str]:
    """Every live voice's name, twins included (a dict of them would hide a duplicate)."""
    return sorted(
        v.name or ""
        for v in emulator.store.all_voices()
        if v.owner == OWNER and v.deleted_at is None
    )


# -- 1-3. a saved plan is bound to everything it decides -------------------------------------
def test_a_saved_plan_is_stale_once_ignore_changes(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}], prune=True,
                  ignore=["Team *"])  # fmt: skip
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    emulator.store.seed_voice(OWNER, name="Team Voice", visibility="PRIVATE")
    plan_file = tmp_path / "plan.json"
    made = cli("plan", str(catalog.path), "--out", str(plan_file), env=env(emulator))
    assert made.code == 0 and "No changes" in made.stdout, made.output
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}], prune=True)
    emulator.clear_requests()
    refused = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
    assert refused.code == 1 and "stale" in refused.stderr, refused.output
    assert writes(emulator) == []
    assert "Team Voice" in live_names(emulator)


def test_a_saved_plan_is_bound_to_its_environment_and_endpoint(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator], tmp_path: Path
) -> None:
    emulator, other = make_emulator(), make_emulator()
    environments = {"production": {}, "staging": {"name_format": "{name} [staging]"}}
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}], environments=environments)
    plan_file = tmp_path / "plan.json"
    made = cli("plan", str(catalog.path), "--env", "staging", "--out", str(plan_file),
               env=env(emulator))  # fmt: skip
    assert made.code == 0, made.output
    refused = cli("apply", str(catalog.path), "--env", "production", "--plan", str(plan_file),
                  env=env(emulator))  # fmt: skip
    assert refused.code == 1 and "staging" in refused.stderr, refused.output
    elsewhere = cli("apply", str(catalog.path), "--env", "staging", "--plan", str(plan_file),
                    env=env(other))  # fmt: skip
    assert elsewhere.code == 1 and other.url in elsewhere.stderr, elsewhere.output
    assert writes(emulator) == [] and writes(other) == []


def test_a_plan_file_whose_changes_were_emptied_is_refused_as_tampered(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")},
                   {"name": "B", "sample": catalog.sample("b.wav", period=30)}])  # fmt: skip
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(catalog.path), "--out", str(plan_file), env=env(emulator)).code == 0
    data = json.loads(plan_file.read_text())
    data["changes"] = []
    data["summary"] = dict.fromkeys(data["summary"], 0)
    data["has_changes"] = data["destructive"] = False
    plan_file.write_text(json.dumps(data))
    shown = cli("show", str(plan_file))
    emulator.clear_requests()
    refused = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
    assert refused.code == 1, refused.output
    assert "tampered" in refused.stderr or "No changes" not in shown.stdout
    assert writes(emulator) == []
    assert live_names(emulator) == ["A", "B"]


def test_a_plan_file_that_grants_itself_force_is_refused(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    names = [f"V{i}" for i in range(7)]
    catalog.write([{"name": n, "sample": catalog.sample(f"{n}.wav", period=20 + i)}
                   for i, n in enumerate(names)])  # fmt: skip
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    catalog.write([])
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(catalog.path), "--out", str(plan_file), env=env(emulator)).code == 0
    data = json.loads(plan_file.read_text())
    data["options"]["force"] = True
    data["refusals"] = [r | {"overridden": True} for r in data["refusals"]]
    data["safe"] = True
    data["fingerprint"] = digest([data["inputs"], data["options"]])
    plan_file.write_text(json.dumps(data))
    emulator.clear_requests()
    refused = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
    assert refused.code == 1, refused.output
    assert writes(emulator) == []
    assert live_names(emulator) == names


# -- 4-5. evidence that goes stale ----------------------------------------------------------
def _pending_state(catalog: Catalog, emulator: Emulator, started_at: float) -> None:
    """A state file left by a run killed while its upload never reached the server."""
    sample = catalog.root / "samples" / "n.wav"
    import hashlib

    record = {
        "voice_id": None,
        "sample_sha256": "",
        "sample_size": 0,
        "name": "Narrator",
        "visibility": "PRIVATE",
        "language": "en",
        "protected": False,
        "pending": {
            "name": "Narrator",
            "sample_sha256": hashlib.sha256(sample.read_bytes()).hexdigest(),
            "sample_size": sample.stat().st_size,
            "started_at": started_at,
            "voice_id": None,
        },
    }
    state = {"format_version": 1, "endpoint": emulator.url, "voices": {"Narrator": record}}
    catalog.state_path.write_text(json.dumps(state))


def test_an_expired_clone_journal_entry_never_adopts_a_voice_made_by_hand(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    _pending_state(catalog, emulator, started_at=time.time() - 35)
    hand = emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    plan = cli("plan", str(catalog.path), "--format", "json", env=env(emulator))
    assert plan.code == 0, plan.output
    changes = json.loads(plan.stdout)["changes"]
    assert [c["action"] for c in changes] == ["conflict"], changes
    catalog.sample("n.wav", period=33)  # a changed sample would replace (delete) what it adopted
    emulator.clear_requests()
    refused = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert refused.code == 1, refused.output
    assert writes(emulator) == []
    assert hand.voice_id in {v.voice_id for v in emulator.store.all_voices() if not v.deleted_at}


def test_a_recorded_voice_that_is_gone_with_a_namesake_is_a_conflict_not_a_clone(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    older = catalog.state_path.read_text()  # an older state file, restored later
    assert cli("apply", str(catalog.path), "--yes", "--replace", "Narrator",
               env=env(emulator)).code == 0  # fmt: skip
    catalog.state_path.write_text(older)
    emulator.clear_requests()
    plan = cli("plan", str(catalog.path), "--format", "json", env=env(emulator))
    changes = json.loads(plan.stdout)["changes"]
    assert [(c["action"], c["reason"]) for c in changes] == [("conflict", "name_taken")], changes
    refused = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert refused.code == 1
    assert live_names(emulator) == ["Narrator"]
    assert [m for m, _ in writes(emulator)] == []


# -- 7, 13. ids are checked where they come in --------------------------------------------
def test_an_id_with_a_newline_in_the_state_file_never_becomes_a_second_output_line(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    data = json.loads(catalog.state_path.read_text())
    data["voices"]["A"]["voice_id"] = "abc\nBASH_ENV=./x.sh"
    catalog.state_path.write_text(json.dumps(data))
    result = cli("outputs", str(catalog.path), "--format", "env")
    assert result.code == 1 and "BASH_ENV" not in result.stdout, result.output
    assert "Traceback" not in result.output


def test_ids_from_the_api_that_are_not_ids_are_refused(cli: Cli, catalog: Catalog) -> None:
    from testing.rawserver import RawServer

    for bad in ("..", ".", "abc\nBASH_ENV=./x.sh", "a/b"):
        body = json.dumps([{"voice_id": bad, "name": "A", "status": "AVAILABLE"}]).encode()
        server = RawServer(lambda _m, _p, b=body: (200, {"Content-Type": "application/json"}, b))
        try:
            catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
            result = cli("plan", str(catalog.path),
                         env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY})  # fmt: skip
            assert result.code == 1 and "not an id" in result.stderr, (bad, result.output)
            assert all(m == "GET" for m, _ in server.hits)
        finally:
            server.close()


# -- 11. bad input and disk conditions are exit 1, never "a voicesync bug" -------------------
def test_damaged_journal_lines_are_a_clear_error(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    good = json.loads(catalog.state_path.read_text())["voices"]["A"]
    journal = catalog.state_path.with_name("voices.lock.json.journal")
    header = json.dumps({"journal": 1, "endpoint": emulator.url})
    for bad in (
        good | {"visibility": "SECRET"},
        {k: v for k, v in good.items() if k != "name"},
        good | {"sample_size": "abc"},
        good | {"pending": {"bogus": 1}},
        good | {"to_delete": 5},
    ):
        journal.write_text(header + "\n" + json.dumps({"set": "A", "record": bad}) + "\n")
        result = cli("plan", str(catalog.path), env=env(emulator))
        assert result.code == 1, (bad, result.output)
        assert "journal" in result.stderr and "Traceback" not in result.output


# -- found by review: a server that echoes the key into a name --------------------------------
def test_a_key_echoed_into_a_voice_name_is_never_printed_or_saved(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    emulator.store.seed_voice(OWNER, name=f"leak {TEST_KEY}", visibility="PUBLIC")
    plan_file = tmp_path / "plan.json"
    for args in (("plan", "--out", str(plan_file)), ("plan", "--format", "markdown"),
                 ("list",), ("list", "--format", "json")):  # fmt: skip
        result = cli(args[0], str(catalog.path), *args[1:], env=env(emulator))
        assert result.code == 0, result.output
        assert TEST_KEY not in result.output and "redacted" in result.output
    assert TEST_KEY not in plan_file.read_text()


# -- 10. remote names are inert in markdown ---------------------------------------------------
def test_remote_names_never_become_live_markdown(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    hostile = ["[Click to approve](https://x.example/ok)", "![img](https://x.example/a.png)",
               "@octocat", "**bold** <b>x</b> `code` | cell"]  # fmt: skip
    for name in hostile:
        emulator.store.seed_voice(OWNER, name=name, visibility="PUBLIC")
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    for extra in ((), ("--prune",)):  # in the unmanaged list, then in change rows
        md = cli("plan", str(catalog.path), "--format", "markdown", *extra, env=env(emulator))
        assert md.code == 0, md.output
        body = md.stdout
        for live in ("](", "![", "@octocat", "**bold**", "<b>", "`code`"):
            assert live not in body, (live, body)
        assert re.search(r"(?<!\\)\| cell", body) is None  # a pipe only escaped


# -- found by review: a state file edited to record an ignored voice ---------------------------
def test_a_voice_ignore_names_is_never_written_whatever_the_state_file_says(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}], ignore=["Team *"])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    team = emulator.store.seed_voice(OWNER, name="Team Gamma", visibility="PRIVATE")
    data = json.loads(catalog.state_path.read_text())
    data["voices"]["Old draft"] = data["voices"]["A"] | {"voice_id": team.voice_id,
                                                         "name": "Old draft"}  # fmt: skip
    catalog.state_path.write_text(json.dumps(data))
    plan = cli("plan", str(catalog.path), env=env(emulator))
    assert "Team Gamma" in plan.stdout, plan.output  # the plan names the voice it would touch
    emulator.clear_requests()
    for extra in ((), ("--force",)):
        refused = cli("apply", str(catalog.path), "--yes", *extra, env=env(emulator))
        assert refused.code == 1 and "ignore:" in refused.stderr, refused.output
    assert writes(emulator) == []


# -- 6. a journal cut short is repaired before anything is appended -------------------------
def test_a_journal_whose_last_line_was_cut_is_repaired_before_the_next_append(
    tmp_path: Path,
) -> None:
    """A full disk cut the last line; the next run appends, and is itself stopped before it
    folds the journal into the state file: the journal must still read."""
    from voicesync.state.wal import LogWriter, log_path, read_log

    state_path = tmp_path / "voices.lock.json"
    whole = json.dumps({"drop": "A"})
    log_path(state_path).write_text(
        json.dumps({"journal": 1, "endpoint": "http://127.0.0.1:1"}) + "\n" + whole + "\n"
        + whole[:7]
    )  # fmt: skip
    writer = LogWriter(state_path, "http://127.0.0.1:1")
    writer.sync(writer.write([{"drop": "B"}]))
    writer.close()
    assert read_log(state_path) == ("http://127.0.0.1:1", [{"drop": "A"}, {"drop": "B"}])
    log_path(state_path).write_text('{"journ')  # not even the header was whole
    writer = LogWriter(state_path, "http://127.0.0.1:1")
    writer.sync(writer.write([{"drop": "C"}]))
    writer.close()
    assert read_log(state_path) == ("http://127.0.0.1:1", [{"drop": "C"}])


# -- 16. a wait the budget cannot cover fails at once ------------------------------------------
def test_a_retry_after_past_the_budget_fails_at_once_naming_it(cli: Cli, catalog: Catalog) -> None:
    from testing.rawserver import RawServer

    server = RawServer(lambda _m, _p: (429, {"Retry-After": "99999"}, b"{}"))
    try:
        catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
        started = time.monotonic()
        result = cli("plan", str(catalog.path),
                     env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY})  # fmt: skip
        assert time.monotonic() - started < 10, "waited instead of failing at once"
        assert result.code == 1 and "99999" in result.stderr, result.output
        assert "--max-rate-limit-wait" in result.stderr
    finally:
        server.close()


# -- 17. Terraform's habit: apply PLANFILE -------------------------------------------------
def test_apply_given_a_plan_file_as_the_catalog_says_to_use_plan(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(catalog.path), "--out", str(plan_file), env=env(emulator)).code == 0
    result = cli("apply", str(plan_file), "--yes", env=env(emulator))
    assert result.code == 1
    errors = [line for line in result.stderr.splitlines() if ": " in line and "hint" not in line]
    assert len(errors) <= 2 and f"--plan {plan_file}" in result.stderr, result.stderr


# -- 8. preview never writes through a link or over a file it did not write -----------------
def test_preview_refuses_a_link_and_a_file_that_is_not_audio(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    state = catalog.state_path.read_bytes()
    previews = catalog.root / "previews"
    previews.mkdir()
    link = previews / "Narrator.preview.mp3"
    link.symlink_to("../voices.lock.json")
    linked = cli("preview", str(catalog.path), "Narrator", "-o", str(link), env=env(emulator))
    assert linked.code == 1 and "link" in linked.stderr, linked.output
    notes = previews / "notes.mp3"
    notes.write_text("my notes\n")
    other = cli("preview", str(catalog.path), "Narrator", "-o", str(notes), env=env(emulator))
    assert other.code == 1 and "not audio" in other.stderr, other.output
    assert catalog.state_path.read_bytes() == state and notes.read_text() == "my notes\n"
    fresh = previews / "n.mp3"
    for _ in range(2):  # its own preview it may replace
        again = cli("preview", str(catalog.path), "Narrator", "-o", str(fresh), env=env(emulator))
        assert again.code == 0, again.output


# -- 9. speech is audio, not a 200 that says something else ----------------------------------
def test_a_speech_answer_that_is_not_audio_is_not_taken_for_speech(
    cli: Cli, catalog: Catalog
) -> None:
    from testing.rawserver import RawServer

    voice = {"voice_id": "v1", "name": "Narrator", "status": "AVAILABLE"}
    answers = {
        "json": (200, {"Content-Type": "application/json"}, b'{"error": "voice_not_ready"}'),
        "html": (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"),
        "octets": (200, {"Content-Type": "application/octet-stream"}, b"<html>nope</html>"),
    }
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    catalog.state_path.write_text(json.dumps({"format_version": 1, "endpoint": "X", "voices": {
        "Narrator": {"voice_id": "v1", "name": "Narrator", "sample_sha256": "", "sample_size": 0,
                     "visibility": "PRIVATE", "language": "en", "protected": False}}}))  # fmt: skip
    for kind, answer in answers.items():

        def reply(method: str, path: str, a=answer) -> tuple[int, dict[str, str], bytes]:
            if method == "POST":
                return a
            return 200, {"Content-Type": "application/json"}, json.dumps([voice]).encode()

        server = RawServer(reply)
        try:
            data = json.loads(catalog.state_path.read_text()) | {"endpoint": server.url}
            catalog.state_path.write_text(json.dumps(data))
            out = catalog.root / f"{kind}.mp3"
            result = cli("preview", str(catalog.path), "Narrator", "-o", str(out),
                         env={"VOICEAI_BASE_URL": server.url, "VOICEAI_API_KEY": TEST_KEY})  # fmt: skip
            assert result.code == 1 and "speech answer" in result.stderr, (kind, result.output)
            assert not out.exists()
        finally:
            server.close()


# -- 11 and 18. the run lock: a folder in its place, and saying at once who holds it ---------
def test_a_folder_where_the_lock_goes_is_a_clear_error(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    local = catalog.root / ".voicesync"
    (local / "voices.lock.json.lock").mkdir(parents=True)
    result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 1 and "state lock" in result.stderr, result.output
    (local / "voices.lock.json.lock").rmdir()
    (local / "voices.lock.json.holder").mkdir()
    held = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert held.code == 0, held.output  # who holds it is only words for a message


def test_a_second_apply_says_at_once_that_another_run_holds_the_lock(
    cli: Cli, catalog: Catalog, emulator: Emulator, monkeypatch: object
) -> None:
    import pytest

    from voicesync.state import lock
    from voicesync.state.lock import state_lock

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(lock, "LOCK_TIMEOUT_S", 0.3)
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    with state_lock(catalog.state_path):
        result = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert result.code == 1
    lines = result.stderr.splitlines()
    waiting = next(i for i, t in enumerate(lines) if "waiting up to" in t)
    assert waiting < next(i for i, t in enumerate(lines) if t.startswith("error:"))


def test_apply_verify_says_what_it_verified(cli: Cli, catalog: Catalog, emulator: Emulator) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    text = cli("apply", str(catalog.path), "--yes", "--verify", env=env(emulator))
    assert text.code == 0 and "1 verified" in text.stdout, text.output
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")},
                   {"name": "B", "sample": catalog.sample("b.wav", period=30)}])  # fmt: skip
    out = cli("apply", str(catalog.path), "--yes", "--verify", "--format", "json",
              env=env(emulator))  # fmt: skip
    results = json.loads(out.stdout)["results"]
    assert [(r["name"], r["verified"]) for r in results] == [("B", True)], results


# -- 11, 12. files that cannot be written -----------------------------------------------------
def test_plan_works_where_the_machine_local_folder_cannot_be_made(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    (catalog.root / ".voicesync").write_text("a file where the cache folder would go\n")
    result = cli("plan", str(catalog.path), env=env(emulator))
    assert result.code == 0 and "clone A" in result.stdout, result.output


def test_plan_out_to_a_place_that_cannot_be_written_is_a_clear_error(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    blocker = catalog.root / "not-a-folder"
    blocker.write_text("x\n")
    for out in ("", str(blocker / "plan.json"), str(catalog.root)):
        result = cli("plan", str(catalog.path), "--out", out, env=env(emulator))
        assert result.code == 1 and "Traceback" not in result.output, (out, result.output)
        assert "error:" in result.stderr.lower()


def test_a_plan_file_that_cannot_be_marked_applied_is_a_clear_error(tmp_path: Path) -> None:
    import pytest

    from voicesync.errors import PlanError
    from voicesync.plan.planfile import mark_applied

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x\n")
    with pytest.raises(PlanError, match="applied"):
        mark_applied(blocker / "plan.json", {"format_version": 1}, "2026-12-02T10:00:00Z")


def test_adopting_the_namesake_of_an_expired_clone_proves_it_and_says_so(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    """Found by the stateful test: --adopt recorded the voice with 'No changes' and no PATCH
    (a record left without an id was taken for evidence), and destroy later deleted it."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    _pending_state(catalog, emulator, started_at=time.time() - 100)
    hand = emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    adopted = cli("apply", str(catalog.path), "--yes", "--adopt", "Narrator", env=env(emulator))
    assert adopted.code == 0 and "1 to adopt" in adopted.stdout, adopted.output
    assert ("PATCH", f"/api/v1/tts/voice/{hand.voice_id}") in writes(emulator)


def test_destroy_never_deletes_the_namesake_of_an_expired_clone(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    """Found by the stateful test: destroy matched an expired journal entry by name."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    _pending_state(catalog, emulator, started_at=time.time() - 100)
    emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    emulator.clear_requests()
    done = cli("destroy", str(catalog.path), "--yes", "--force", env=env(emulator))
    assert done.code == 0, done.output
    assert writes(emulator) == [] and live_names(emulator) == ["Narrator"]


# -- 6 and 11 on a real full disk (a small tmpfs, where this machine lets tests mount one) ------
def test_a_full_disk_mid_apply_is_a_clear_error_and_the_next_run_converges(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess

    import pytest

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("this machine does not let tests mount a small tmpfs")
    try:
        samples = tmp_path / "samples"
        names = [f"V{i}" for i in range(6)]
        voices = []
        for i, name in enumerate(names):
            sample = Catalog(samples).sample(f"{name}.wav", period=20 + i)
            voices.append({"name": name, "sample": str(samples / sample)})
        on_disk = Catalog(disk)
        on_disk.write(voices)
        (disk / ".voicesync").mkdir()
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(0, free - 6 * 1024))  # room for the lock and a little
        run = ("apply", str(on_disk.path), "--yes", "--allow-outside", str(samples))
        full = cli(*run, env=env(emulator))
        assert full.code == 1 and "Traceback" not in full.output, full.output
        assert "space" in full.stderr or "cannot write" in full.stderr, full.stderr
        filler.unlink()
        for _ in range(3):
            again = cli(*run, env=env(emulator))
            if again.code == 0 and "No changes" in again.stdout:
                break
        assert again.code == 0, again.output
        assert sorted(live_names(emulator)) == names  # each once: nothing duplicated or lost
        assert os.listdir(disk)  # the state file is there
        held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                if os.path.exists(f"/proc/self/fd/{fd}")]  # fmt: skip
        assert not [h for h in held if h.startswith(str(disk))], held  # no file left open
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_5xx_backoff_message_never_contradicts_itself(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    """Backoffs after 5xx were counted against the rate-limit budget: '16 s waited ... at most
    5 s'. The budget is said only for 429s, and counts only their waits."""
    import re as regex

    from voicesync.emulator import FaultConfig

    faults = FaultConfig(sequence=("server_error",) * 3 + ("rate_limit",), retry_after_s=1)
    emulator = make_emulator(faults=faults)
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    result = cli("plan", str(catalog.path), "--max-rate-limit-wait", "2", env=env(emulator))
    assert result.code == 0, result.output
    for line in result.stderr.splitlines():
        said = regex.search(r"(\d+) s of at most (\d+) s", line)
        assert "HTTP 5" not in line or "at most" not in line, line
        assert said is None or int(said.group(1)) <= int(said.group(2)), line
    assert "HTTP 429; 0 s of at most 2 s" in result.stderr, result.stderr


# -- found by a review that tried to break the above ----------------------------------------
def _hostile_plan(cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path) -> Path:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    for i in range(8):
        emulator.store.seed_voice(OWNER, name=f"Hand {i}", visibility="PRIVATE")
    plan_file = tmp_path / "plan.json"
    made = cli("plan", str(catalog.path), "--prune", "--out", str(plan_file), env=env(emulator))
    assert made.code == 0 and "refuse" in made.stdout, made.output
    return plan_file


def test_a_plan_file_that_sets_its_own_safety_limits_is_refused(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    plan_file = _hostile_plan(cli, catalog, emulator, tmp_path)
    for limits in ([1000, 1.0], [5], ["a", "b"]):
        data = json.loads(plan_file.read_text())
        data["options"]["limits"] = limits
        data["refusals"], data["safe"] = [], True
        data["fingerprint"] = digest([data["inputs"], data["options"]])
        plan_file.write_text(json.dumps(data))
        emulator.clear_requests()
        refused = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
        assert refused.code == 1 and "tampered" in refused.stderr, (limits, refused.output)
        assert writes(emulator) == []


def test_a_plan_file_whose_catalog_or_unmanaged_list_was_edited_is_refused(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    plan_file = _hostile_plan(cli, catalog, emulator, tmp_path)
    original = json.loads(plan_file.read_text())
    for edit in ({"config": "prod/voices.yaml"}, {"unmanaged": []}):
        plan_file.write_text(json.dumps(original | edit))
        refused = cli("apply", str(catalog.path), "--plan", str(plan_file), env=env(emulator))
        assert refused.code == 1, (edit, refused.output)


def test_a_journal_time_that_is_no_time_is_damage_not_an_open_window(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    _pending_state(catalog, emulator, started_at=0.0)
    catalog.state_path.write_text(catalog.state_path.read_text().replace("0.0", "NaN"))
    emulator.store.seed_voice(OWNER, name="Narrator", visibility="PRIVATE")
    emulator.clear_requests()
    for command in (("plan",), ("destroy", "--yes", "--force")):
        result = cli(command[0], str(catalog.path), *command[1:], env=env(emulator))
        assert result.code == 1 and "not a time" in result.stderr, result.output
    assert writes(emulator) == []
    nan = cli("apply", str(catalog.path), "--yes", "--grace-period", "nan", env=env(emulator))
    assert nan.code == 1 and "not a number of seconds" in nan.stderr, nan.output


def test_import_all_skips_names_that_differ_only_in_case_or_unicode_form(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = catalog.write([])
    for name in ("Dup", "dup", "Caf\u00e9", "Cafe\u0301", "Solo"):
        emulator.store.seed_voice(OWNER, name=name, visibility="PRIVATE")
    done = cli("import", str(path), "--all", env=env(emulator))
    assert done.code == 0 and "Solo" in done.stdout, done.output
    checked = cli("validate", str(path))
    assert "already used" not in checked.stderr, checked.stderr


def test_bare_urls_in_remote_names_are_not_links_in_markdown(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    emulator.store.seed_voice(OWNER, name="http://e.vil/auto", visibility="PUBLIC")
    emulator.store.seed_voice(OWNER, name="see www.e.vil", visibility="PUBLIC")
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    md = cli("plan", str(catalog.path), "--format", "markdown", "--prune", env=env(emulator))
    assert "http://" not in md.stdout and "www." not in md.stdout, md.stdout


def test_two_bytes_of_mpeg_sync_before_html_are_not_speech() -> None:
    from voicesync.api.client import speech_problem

    assert speech_problem("audio/mpeg", b"\xff\xfb<html>error</html>", "mp3") is not None
    assert speech_problem("audio/mpeg", b"\xff\xfb\x90\x64" + b"\0" * 400, "mp3") is None


# -- found by the combinations soak: a replace of a voice matched by name -----------------------
def test_replacing_a_voice_adopted_by_name_retires_that_voice(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    """An older state file (its voice gone) put back, a sample changed, then --adopt: the
    replace deleted the gone voice again and left the adopted one beside the new one."""
    catalog.write([{"name": "Cello", "sample": catalog.sample("c1.wav")}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    older = catalog.state_path.read_text()
    catalog.write([{"name": "Cello", "sample": catalog.sample("c2.wav", period=33)}])
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    catalog.state_path.write_text(older)
    catalog.write([{"name": "Cello", "sample": catalog.sample("c3.wav", period=44)}])
    done = cli("apply", str(catalog.path), "--yes", "--adopt", "Cello", env=env(emulator))
    assert done.code == 0 and "replace Cello" in done.stdout, done.output
    assert live_names(emulator) == ["Cello"]


def test_adopt_and_replace_of_an_unrecorded_voice_leaves_one_voice(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Cello", "sample": catalog.sample("c1.wav")}])
    emulator.store.seed_voice(OWNER, name="Cello", visibility="PRIVATE")
    done = cli("apply", str(catalog.path), "--yes", "--adopt", "Cello", "--replace", "Cello",
               env=env(emulator))  # fmt: skip
    assert done.code == 0, done.output
    assert live_names(emulator) == ["Cello"]

"""The pure planner on plain values: identity, actions, reasons, journals, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicesync.errors import PlanError
from voicesync.model import (
    AudioFormat,
    DesiredState,
    DesiredVoice,
    RemoteVoice,
    SampleInfo,
    Source,
    Visibility,
    VoiceStatus,
)
from voicesync.plan.changes import Action, Match, Plan, PlanOptions, Reason, SafetyLimits
from voicesync.plan.planner import build_plan
from voicesync.state.store import PendingClone, State, VoiceRecord

PRIVATE, PUBLIC = Visibility.PRIVATE, Visibility.PUBLIC
AVAILABLE = VoiceStatus.AVAILABLE


def sample(sha: str = "a" * 64) -> SampleInfo:
    return SampleInfo("/cat/s.wav", AudioFormat.WAV, 1000, sha, 12.0)


def want(
    name: str,
    *,
    sha: str = "a" * 64,
    visibility: Visibility = PRIVATE,
    language: str = "en",
    previous: tuple[str, ...] = (),
    protected: bool = False,
) -> DesiredVoice:
    return DesiredVoice(
        name=name,
        sample_ref="s.wav",
        visibility=visibility,
        language=language,
        source=Source("voices.yaml", 1, 1),
        previous_names=previous,
        protected=protected,
        sample=sample(sha),
    )


def remote(
    voice_id: str,
    name: str | None,
    *,
    visibility: Visibility | None = PRIVATE,
    status: VoiceStatus = AVAILABLE,
) -> RemoteVoice:
    return RemoteVoice(voice_id, status, name, visibility, status_text=status.value)


def record(
    voice_id: str | None,
    name: str,
    *,
    sha: str = "a" * 64,
    visibility: Visibility = PRIVATE,
    language: str = "en",
    protected: bool = False,
    pending: PendingClone | None = None,
    to_delete: tuple[str, ...] = (),
) -> VoiceRecord:
    return VoiceRecord(
        voice_id, sha, 1000, name, visibility, language, protected, pending, to_delete
    )


def plan(
    voices: list[DesiredVoice],
    remotes: list[RemoteVoice],
    records: dict[str, VoiceRecord] | None = None,
    *,
    yaml_prune: bool = False,
    **options: object,
) -> Plan:
    desired = DesiredState(Path("/cat/voices.yaml"), "voices.yaml", yaml_prune, tuple(voices))
    state = State("https://dev.voice.ai", records or {})
    return build_plan(desired, remotes, state, PlanOptions(**options))  # type: ignore[arg-type]


def only(p: Plan) -> tuple[Action, Reason, Match]:
    assert len(p.changes) == 1, p.changes
    change = p.changes[0]
    return change.action, change.reason, change.match


def test_new_voice_is_cloned() -> None:
    p = plan([want("A")], [])
    assert only(p) == (Action.CLONE, Reason.NEW, Match.NONE)
    assert p.changes[0].desired is not None and p.has_changes and not p.destructive


def test_recorded_and_unchanged_is_no_change() -> None:
    p = plan([want("A")], [remote("v1", "A")], {"A": record("v1", "A")})
    assert p.changes == () and p.unmanaged == () and p.safe and not p.has_changes


def test_unrecorded_name_match_is_a_conflict_never_adopted_silently() -> None:
    p = plan([want("A")], [remote("v1", "A")])
    assert only(p) == (Action.CONFLICT, Reason.NAME_TAKEN, Match.NAME)
    assert not p.safe and [r.code for r in p.refusals] == ["conflict"]
    assert "--adopt A" in p.changes[0].note and "another name" in p.changes[0].note
    assert p.unmanaged == ()  # the conflicting voice is neither listed for prune nor pruned


def test_adopt_takes_over_an_unrecorded_name_match() -> None:
    assert only(plan([want("A")], [remote("v1", "A")], adopt=frozenset({"A"}))) == (
        Action.ADOPT,
        Reason.UNRECORDED,
        Match.NAME,
    )


def test_adopted_name_match_with_other_visibility_is_updated() -> None:
    p = plan([want("A")], [remote("v1", "A", visibility=PUBLIC)], adopt=frozenset({"A"}))
    assert only(p) == (Action.UPDATE, Reason.VISIBILITY_CHANGED, Match.NAME)
    assert [(f.field, f.before, f.after) for f in p.changes[0].fields] == [
        ("visibility", "PUBLIC", "PRIVATE")
    ]


def test_a_foreign_namesake_is_a_conflict_even_with_adopt() -> None:
    desired = DesiredState(Path("/cat/voices.yaml"), "voices.yaml", False, (want("A"),))
    state = State("https://dev.voice.ai", {}, foreign=frozenset({"v1"}))
    p = build_plan(desired, [remote("v1", "A")], state, PlanOptions(adopt=frozenset({"A"})))
    assert only(p)[0] is Action.CONFLICT
    assert "cannot change" in p.changes[0].note


def test_foreign_and_ignored_voices_are_never_pruned() -> None:
    desired = DesiredState(Path("/cat/voices.yaml"), "voices.yaml", True, (), ("Team *",))
    state = State("https://dev.voice.ai", {}, foreign=frozenset({"stock"}))
    voices = [remote("stock", "Stock"), remote("t1", "Team bot"), remote("x", "Stray")]
    p = build_plan(desired, voices, state, PlanOptions())
    assert [(c.action, c.voice_id) for c in p.changes] == [(Action.DELETE, "x")]
    assert [v.voice_id for v in p.unmanaged] == ["t1"]


def test_rename_through_state_record() -> None:
    p = plan(
        [want("Reader", previous=("Narrator",))],
        [remote("v1", "Narrator")],
        {"Narrator": record("v1", "Narrator")},
    )
    assert only(p) == (Action.UPDATE, Reason.RENAMED, Match.STATE)
    change = p.changes[0]
    assert (change.voice_id, change.record) == ("v1", "Narrator")
    assert [(f.field, f.before, f.after) for f in change.fields] == [("name", "Narrator", "Reader")]


def test_rename_matched_by_previous_name_without_state_needs_adopt() -> None:
    voices, remotes = [want("Reader", previous=("Narrator",))], [remote("v1", "Narrator")]
    assert only(plan(voices, remotes)) == (Action.CONFLICT, Reason.NAME_TAKEN, Match.PREVIOUS_NAME)
    p = plan(voices, remotes, adopt=frozenset({"Reader"}))
    assert only(p) == (Action.UPDATE, Reason.RENAMED, Match.PREVIOUS_NAME)


def test_exact_name_wins_over_previous_name() -> None:
    p = plan(
        [want("B", previous=("A",))], [remote("v1", "A"), remote("v2", "B")], adopt=frozenset({"B"})
    )
    assert [(c.action, c.voice_id) for c in p.changes] == [(Action.ADOPT, "v2")]
    assert [v.voice_id for v in p.unmanaged] == ["v1"]


def test_several_candidates_is_a_conflict_and_adopting_one_an_error() -> None:
    remotes = [remote("v1", "A"), remote("v2", "A", status=VoiceStatus.PROCESSING)]
    conflict = only(plan([want("A")], remotes))
    assert conflict[0] is Action.CONFLICT
    with pytest.raises(PlanError) as caught:
        plan([want("A")], remotes, adopt=frozenset({"A"}))
    assert "v1 (AVAILABLE)" in str(caught.value) and "v2 (PROCESSING)" in str(caught.value)
    assert caught.value.hint and "delete the duplicates" in caught.value.hint


def test_state_record_settles_duplicates() -> None:
    p = plan([want("A")], [remote("v1", "A"), remote("v2", "A")], {"A": record("v2", "A")})
    assert p.changes == () and [v.voice_id for v in p.unmanaged] == ["v1"]


def test_changed_sample_replaces() -> None:
    p = plan([want("A", sha="b" * 64)], [remote("v1", "A")], {"A": record("v1", "A")})
    assert only(p) == (Action.REPLACE, Reason.SAMPLE_CHANGED, Match.STATE)
    sample_field = p.changes[0].fields[0]
    assert (sample_field.field, sample_field.forces_replacement) == ("sample", True)
    assert p.destructive


def test_failed_remote_is_replaced() -> None:
    p = plan([want("A")], [remote("v1", "A", status=VoiceStatus.FAILED)], {"A": record("v1", "A")})
    assert only(p) == (Action.REPLACE, Reason.REMOTE_FAILED, Match.STATE)


def test_forced_replace() -> None:
    p = plan([want("A")], [remote("v1", "A")], {"A": record("v1", "A")}, replace=frozenset({"A"}))
    assert only(p) == (Action.REPLACE, Reason.FORCED, Match.STATE)


def test_language_change_replaces_because_the_api_cannot_update_it() -> None:
    p = plan([want("A", language="fr")], [remote("v1", "A")], {"A": record("v1", "A")})
    assert only(p) == (Action.REPLACE, Reason.LANGUAGE_CHANGED, Match.STATE)


def test_replace_carries_name_and_visibility_changes_too() -> None:
    p = plan(
        [want("B", sha="b" * 64, previous=("A",), visibility=PUBLIC)],
        [remote("v1", "A")],
        {"A": record("v1", "A")},
    )
    assert [f.field for f in p.changes[0].fields] == ["sample", "name", "visibility"]


def test_voice_deleted_outside_is_cloned_again() -> None:
    assert only(plan([want("A")], [], {"A": record("v1", "A")})) == (
        Action.CLONE,
        Reason.DRIFT_DELETED,
        Match.STATE,
    )


def test_drift_rename_and_visibility_are_told_apart_from_edits() -> None:
    renamed = plan([want("A")], [remote("v1", "Hacked")], {"A": record("v1", "A")})
    assert only(renamed)[:2] == (Action.UPDATE, Reason.DRIFT_RENAMED)
    flipped = plan([want("A")], [remote("v1", "A", visibility=PUBLIC)], {"A": record("v1", "A")})
    assert only(flipped)[:2] == (Action.UPDATE, Reason.DRIFT_VISIBILITY)
    edited = plan([want("A", visibility=PUBLIC)], [remote("v1", "A")], {"A": record("v1", "A")})
    assert only(edited)[:2] == (Action.UPDATE, Reason.VISIBILITY_CHANGED)


def test_missing_visibility_in_answers_falls_back_to_the_record() -> None:
    p = plan([want("A")], [remote("v1", "A", visibility=None)], {"A": record("v1", "A")})
    assert p.changes == ()


def test_still_processing_is_waited_for() -> None:
    p = plan(
        [want("A")], [remote("v1", "A", status=VoiceStatus.PROCESSING)], {"A": record("v1", "A")}
    )
    assert only(p) == (Action.WAIT, Reason.PROCESSING, Match.STATE)


def test_removed_from_yaml_is_deleted_unmanaged_left_alone() -> None:
    p = plan([], [remote("v1", "A"), remote("v9", "Theirs")], {"A": record("v1", "A")}, force=True)
    assert only(p) == (Action.DELETE, Reason.NOT_DECLARED, Match.STATE)
    assert [v.voice_id for v in p.unmanaged] == ["v9"]


@pytest.mark.parametrize(("yaml_prune", "flag"), [(True, None), (False, True)])
def test_prune_deletes_unmanaged(yaml_prune: bool, flag: bool | None) -> None:
    p = plan(
        [want("A")],
        [remote("v1", "A"), remote("v9", "Theirs")],
        {"A": record("v1", "A")},
        yaml_prune=yaml_prune,
        **({"prune": flag} if flag is not None else {}),
    )
    assert only(p) == (Action.DELETE, Reason.PRUNE_UNMANAGED, Match.NONE)
    assert p.changes[0].skippable and p.unmanaged == ()


def test_prune_flag_false_overrides_the_file() -> None:
    p = plan([], [remote("v9", "Theirs")], yaml_prune=True, prune=False)
    assert p.changes == ()


def test_journal_without_id_adopts_the_one_voice_that_appeared() -> None:
    pending = PendingClone("A", "a" * 64, 1000, 1.0)
    records = {"A": record(None, "A", pending=pending)}
    p = plan([want("A")], [remote("v7", "A")], records)
    assert only(p) == (Action.ADOPT, Reason.INTERRUPTED_CLONE, Match.JOURNAL)
    assert p.changes[0].pending_id == "v7"
    waiting = plan([want("A")], [remote("v7", "A", status=VoiceStatus.PENDING)], records)
    assert only(waiting) == (Action.WAIT, Reason.PROCESSING, Match.JOURNAL)


def test_journal_without_a_voice_clones_again() -> None:
    pending = PendingClone("A", "a" * 64, 1000, 1.0)
    p = plan([want("A")], [], {"A": record(None, "A", pending=pending)})
    assert only(p) == (Action.CLONE, Reason.INTERRUPTED_CLONE, Match.JOURNAL)


def test_journal_with_several_candidates_stops() -> None:
    pending = PendingClone("A", "a" * 64, 1000, 1.0)
    with pytest.raises(PlanError, match="matches 2 remote voices"):
        plan(
            [want("A")],
            [remote("v7", "A"), remote("v8", "A")],
            {"A": record(None, "A", pending=pending)},
        )


def test_interrupted_replace_is_finished() -> None:
    pending = PendingClone("A", "b" * 64, 1000, 1.0, voice_id="v2")
    records = {"A": record("v1", "A", pending=pending)}
    p = plan([want("A", sha="b" * 64)], [remote("v1", "A"), remote("v2", "A")], records)
    # Finishing it deletes the old voice: the plan says so, as a replace.
    assert only(p) == (Action.REPLACE, Reason.INTERRUPTED_CLONE, Match.JOURNAL)
    change = p.changes[0]
    assert (change.voice_id, change.pending_id) == ("v1", "v2")
    assert p.unmanaged == () and p.destructive


def test_unanswered_clone_with_nothing_listed_is_looked_for_before_cloning() -> None:
    pending = PendingClone("A", "a" * 64, 1000, 1234.5)
    p = plan([want("A")], [], {"A": record(None, "A", pending=pending)})
    assert only(p) == (Action.CLONE, Reason.INTERRUPTED_CLONE, Match.JOURNAL)
    assert p.changes[0].journal_started_at == 1234.5


def test_unanswered_clone_of_an_undeclared_voice_is_resolved_then_deleted() -> None:
    pending = PendingClone("Gone", "a" * 64, 1000, 1234.5)
    records = {"Gone": record(None, "Gone", pending=pending)}
    found = plan([], [remote("v9", "Gone")], records)
    assert only(found) == (Action.DELETE, Reason.NOT_DECLARED, Match.JOURNAL)
    assert found.changes[0].voice_id == "v9"
    unseen = plan([], [], records)
    assert only(unseen) == (Action.DELETE, Reason.NOT_DECLARED, Match.JOURNAL)
    assert unseen.changes[0].voice_id is None and unseen.changes[0].journal_started_at == 1234.5


def test_failed_replacement_is_deleted_and_tried_again() -> None:
    pending = PendingClone("A", "b" * 64, 1000, 1.0, voice_id="v2")
    records = {"A": record("v1", "A", pending=pending)}
    p = plan(
        [want("A", sha="b" * 64)],
        [remote("v1", "A"), remote("v2", "A", status=VoiceStatus.FAILED)],
        records,
    )
    assert [(c.action, c.reason, c.voice_id) for c in p.changes] == [
        (Action.REPLACE, Reason.SAMPLE_CHANGED, "v1"),
        (Action.DELETE, Reason.SUPERSEDED, "v2"),
    ]


def test_obsolete_in_flight_clone_is_deleted_when_the_sample_changed_again() -> None:
    pending = PendingClone("A", "b" * 64, 1000, 1.0, voice_id="v2")
    records = {"A": record("v1", "A", pending=pending)}
    p = plan([want("A", sha="c" * 64)], [remote("v1", "A"), remote("v2", "A")], records)
    assert {(c.action, c.voice_id) for c in p.changes} == {
        (Action.REPLACE, "v1"),
        (Action.DELETE, "v2"),
    }


def test_leftover_old_voice_is_deleted() -> None:
    p = plan(
        [want("A")],
        [remote("v1", "A"), remote("v0", "A")],
        {"A": record("v1", "A", to_delete=("v0",))},
    )
    assert only(p) == (Action.DELETE, Reason.SUPERSEDED, Match.STATE)


def test_protected_voice_is_never_replaced_or_deleted_even_with_force() -> None:
    p = plan(
        [want("A", sha="b" * 64, protected=True)],
        [remote("v1", "A")],
        {"A": record("v1", "A")},
        force=True,
    )
    assert not p.safe and [r.code for r in p.refusals] == ["protected"]
    dropped = plan(
        [],
        [remote("v1", "A"), remote("v2", "B")],
        {"A": record("v1", "A", protected=True), "B": record("v2", "B")},
    )
    assert [r.code for r in dropped.refusals if r.blocking] == ["protected", "deletes_all"]


def test_threshold_needs_both_count_and_fraction() -> None:
    names = [f"v{i}" for i in range(30)]
    records = {n: record(n, n) for n in names}
    remotes = [remote(n, n) for n in names]
    keep_24 = plan([want(n) for n in names[6:]], remotes, records)
    assert keep_24.safe  # 6 deletes are 20% of 30
    small = {n: record(n, n) for n in names[:10]}
    risky = plan([want(n) for n in names[6:10]], remotes[:10], small)
    assert [r.code for r in risky.refusals] == ["too_many"]
    assert "6 voices would be deleted or replaced" in risky.refusals[0].message
    forced = plan([want(n) for n in names[6:10]], remotes[:10], small, force=True)
    assert forced.safe and forced.refusals[0].overridden


def test_custom_limits() -> None:
    records = {"A": record("v1", "A"), "B": record("v2", "B")}
    p = plan(
        [want("B")],
        [remote("v1", "A"), remote("v2", "B")],
        records,
        limits=SafetyLimits(max_count=0, max_fraction=0.1),
    )
    assert [r.code for r in p.refusals] == ["too_many"]


def test_targets_limit_the_plan_and_unknown_names_fail() -> None:
    p = plan([want("A"), want("B")], [], targets=frozenset({"B"}))
    assert [c.name for c in p.changes] == ["B"]
    with pytest.raises(PlanError, match="--target names no declared"):
        plan([want("A")], [], targets=frozenset({"Z"}))
    with pytest.raises(PlanError, match="--replace names voices not declared"):
        plan([want("A")], [], replace=frozenset({"Z"}))


def test_plans_are_deterministic_and_sorted() -> None:
    voices = [want("b"), want("C"), want("a")]
    first = plan(voices, [remote("x", "zz")], {"gone": record("g", "gone")})
    second = plan(list(reversed(voices)), [remote("x", "zz")], {"gone": record("g", "gone")})
    assert [c.name for c in first.changes] == ["a", "b", "C"]
    assert first.fingerprint == second.fingerprint and first == second
    changed = plan(voices, [remote("x", "zz2")], {"gone": record("g", "gone")})
    assert changed.fingerprint != first.fingerprint


def test_a_plan_only_shown_skips_the_digests_and_nothing_else() -> None:
    desired = DesiredState(Path("/cat/voices.yaml"), "voices.yaml", False, (want("A"), want("B")))
    state = State("https://dev.voice.ai", {"A": record("v1", "A"), "gone": record("g", "gone")})
    remotes = [remote("v1", "A", visibility=PUBLIC)]
    full = build_plan(desired, remotes, state)
    shown = build_plan(desired, remotes, state, digests=False)
    assert full.fingerprint and full.inputs
    assert (shown.fingerprint, shown.inputs) == ("", {})
    assert shown.changes == full.changes and shown.refusals == full.refusals


def test_plan_differences_name_each_field_that_moved() -> None:
    from voicesync.plan.binding import plan_differences

    saved = [
        {"action": "update", "name": "N", "fields": [{"field": "visibility", "after": "PUBLIC"}]},
        {"action": "clone", "name": "Gone"},
    ]
    fresh = [
        {"action": "update", "name": "N", "fields": [{"field": "visibility", "after": "PRIVATE"}]},
        {"action": "delete", "name": "Old"},
    ]
    assert plan_differences(saved, fresh) == [
        "no longer: clone 'Gone'",
        "now also: delete 'Old'",
        'update \'N\': fields.0.after "PUBLIC" -> "PRIVATE"',
    ]
    assert plan_differences(saved, saved) == []

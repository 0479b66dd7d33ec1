"""Properties of planning and applying, over generated catalogs, states and accounts (hypothesis).

- the order the API lists voices in changes neither the plan nor its fingerprint;
- a plan clones each name at most once;
- without prune, a voice the state does not record is never changed or deleted, and a foreign
  voice never, with or without prune;
- over real HTTP: after apply, a plan of the same catalog is empty.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FAST_RETRY, TEST_KEY, tone_wav_bytes
from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.context import ApplyOptions
from voicesync.emulator import Emulator, EmulatorConfig, Timing
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
from voicesync.plan.changes import Action, Plan, PlanOptions
from voicesync.plan.planner import build_plan
from voicesync.state.store import State, VoiceRecord
from voicesync.workspace import Workspace

NAMES = ("Narrator", "Announcer", "Host", "Guide", "Villain")
SHAS = ("a" * 64, "b" * 64)
VISIBILITIES = (Visibility.PRIVATE, Visibility.PUBLIC)
STATUSES = (VoiceStatus.AVAILABLE, VoiceStatus.PROCESSING, VoiceStatus.FAILED)


def _voice(name: str, sha: str, visibility: Visibility) -> DesiredVoice:
    info = SampleInfo("/cat/s.wav", AudioFormat.WAV, 1000, sha, 12.0)
    return DesiredVoice(name, "s.wav", visibility, "en", Source("voices.yaml", 1, 1), sample=info)


@st.composite
def worlds(draw: Any) -> tuple[DesiredState, list[RemoteVoice], State]:
    """A catalog, a state file and an account that may disagree in every way we know of."""
    declared = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    voices = tuple(
        _voice(n, draw(st.sampled_from(SHAS)), draw(st.sampled_from(VISIBILITIES)))
        for n in declared
    )
    recorded = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
    records, remote = {}, []
    for name in recorded:
        voice_id = f"rec-{name}"
        visibility = draw(st.sampled_from(VISIBILITIES))
        records[name] = VoiceRecord(
            voice_id, draw(st.sampled_from(SHAS)), 1000, name, visibility, "en"
        )
        if draw(st.booleans()):  # still there (else the API said 404)
            listed_name = draw(st.sampled_from((name, f"{name} (renamed)")))
            status = draw(st.sampled_from(STATUSES))
            remote.append(RemoteVoice(voice_id, status, listed_name, visibility))
    for i in range(draw(st.integers(0, 4))):  # voices the state does not record
        name = draw(st.sampled_from((*NAMES, "Stranger")))
        remote.append(RemoteVoice(f"other-{i}", VoiceStatus.AVAILABLE, name, Visibility.PUBLIC))
    foreign = frozenset(
        v.voice_id for v in remote if v.voice_id.startswith("other-") and draw(st.booleans())
    )
    desired = DesiredState(Path("/cat/voices.yaml"), "voices.yaml", draw(st.booleans()), voices)
    return desired, remote, State("https://api.example", records, foreign)


def _plan(world: tuple[DesiredState, list[RemoteVoice], State], **options: Any) -> Plan:
    desired, remote, state = world
    return build_plan(desired, remote, state, PlanOptions(**options))


@given(worlds(), st.randoms(use_true_random=False))
def test_the_order_of_the_list_changes_nothing(world: Any, rng: Any) -> None:
    desired, remote, state = world
    shuffled = list(remote)
    rng.shuffle(shuffled)
    first, second = _plan(world), build_plan(desired, shuffled, state, PlanOptions())
    assert first.changes == second.changes
    assert first.unmanaged == second.unmanaged
    assert first.fingerprint == second.fingerprint


@given(worlds())
def test_a_plan_clones_each_name_at_most_once(world: Any) -> None:
    plan = _plan(world)
    clones = Counter(c.name for c in plan.changes if c.action in (Action.CLONE, Action.REPLACE))
    assert all(count == 1 for count in clones.values()), clones


@given(worlds())
def test_unrecorded_voices_are_untouched_without_prune_and_foreign_ones_always(
    world: Any,
) -> None:
    state = world[2]
    recorded = state.recorded_ids()
    for prune in (False, True):
        plan = _plan(world, prune=prune)
        for change in plan.changes:
            if change.voice_id is None or change.action is Action.CONFLICT:
                continue  # a conflict changes nothing: it refuses, naming the voice
            assert change.voice_id not in state.foreign, change
            if not prune:
                assert change.voice_id in recorded, change


# -- over real HTTP -------------------------------------------------------------------------------
CATALOGS = st.lists(
    st.tuples(
        st.sampled_from(NAMES), st.sampled_from((20, 30)), st.sampled_from(("PRIVATE", "PUBLIC"))
    ),
    unique_by=lambda v: v[0],
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=CATALOGS, second=CATALOGS)
def test_after_apply_a_plan_of_the_same_catalog_is_empty(
    tmp_path: Path, first: list[tuple[str, int, str]], second: list[tuple[str, int, str]]
) -> None:
    with Emulator(EmulatorConfig(timing=Timing(0.02, 0.05))) as emulator:
        folder = tmp_path / f"catalog-{abs(hash((tuple(first), tuple(second))))}"
        folder.mkdir()
        config = folder / "voices.yaml"
        options = ApplyOptions(poll_min_s=0.02, poll_max_s=0.1, grace_s=0.5)
        with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
            for catalog in (first, second):
                _write(config, catalog)
                applied = pipeline.apply(
                    Workspace.open(config),
                    api,
                    apply_options=options,
                    options=PlanOptions(force=True),
                )
                assert applied.result is None or applied.result.ok
            planned = pipeline.plan(Workspace.open(config), api)
            live = sorted(v.name or "" for v in api.list_voices())
        assert planned.plan.changes == ()
        assert live == sorted(name for name, _, _ in second)  # nothing duplicated, nothing left


def _write(config: Path, catalog: list[tuple[str, int, str]]) -> None:
    lines = ["version: 1", "voices:"]
    for name, period, visibility in catalog:
        sample = config.parent / f"{period}.wav"
        if not sample.exists():
            sample.write_bytes(tone_wav_bytes(12.0, period=period))
        lines += [
            f"  - name: {name}",
            f"    sample: {sample.name}",
            f"    visibility: {visibility}",
        ]
    config.write_text("\n".join(lines) + "\n")

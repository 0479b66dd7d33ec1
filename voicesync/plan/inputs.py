"""PURE: what a plan was made from, as digests: a saved plan whose inputs changed is stale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voicesync.model import DesiredState, RemoteVoice, VoiceStatus
from voicesync.plan.changes import PlanOptions, digest
from voicesync.state.store import State


def plan_inputs(
    desired: DesiredState,
    remote: tuple[RemoteVoice, ...],
    state: State,
    elsewhere: Mapping[str, str],
    state_file: str = "",
) -> dict[str, str]:
    """One digest per voice (declared, recorded or remote), one for the catalog's settings and
    one for the target: a saved plan whose inputs changed is stale, and says which."""
    env = desired.environment
    out: dict[str, str] = {
        "catalog:": digest(
            [
                desired.prune,
                list(desired.ignore),
                [list(f) for f in desired.environment_formats],
                None if env is None else [env.key, env.name_format, env.ephemeral],
                None if env is None else [env.visibility, env.language],
            ]
        ),
        "target:": digest([state.endpoint, env.name if env else None, state_file]),
    }
    for voice in desired.voices:
        sample = voice.sample
        out[f"declared:{voice.name}"] = digest(
            [
                voice.visibility.value,
                voice.language,
                list(voice.previous_names),
                voice.protected,
                sample.sha256 if sample else voice.sample_ref,
            ]
        )
    for key, record in state.records.items():
        out[f"recorded:{key}"] = digest(record.to_json())
    if elsewhere:  # what the catalog's other environments record
        out["elsewhere:"] = digest(sorted(elsewhere.items()))
    if state.foreign:
        out["foreign:"] = digest(sorted(state.foreign))
    for seen in remote:
        out[f"remote:{seen.voice_id}"] = digest(
            [
                seen.name,
                seen.visibility.value if seen.visibility else None,
                seen.status is VoiceStatus.FAILED,
            ]
        )
    return out


def options_json_of(options: PlanOptions, prune: bool) -> Mapping[str, Any]:
    return {
        "targets": sorted(options.targets),
        "replace": sorted(options.replace),
        "prune": prune,
        "force": options.force,
        "adopt": sorted(options.adopt),
        "limits": [options.limits.max_count, options.limits.max_fraction],
    }

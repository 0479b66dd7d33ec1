"""Saved plans (``plan --out``): write, read back as a Plan, and check they are still current.

A saved plan is the plan's JSON plus what apply needs to refuse it once stale: a digest per
input (declared voice, state record, remote voice) and the options it was made with. Reading it
back gives the same Plan value, so ``voicesync show`` renders exactly what was reviewed.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import MISSING, fields
from importlib import resources
from pathlib import Path
from typing import Any

from voicesync.errors import PlanError
from voicesync.localfiles import atomic_write_text
from voicesync.model import (
    AudioFormat,
    DesiredVoice,
    RemoteVoice,
    SampleInfo,
    Source,
    Visibility,
    VoiceStatus,
)
from voicesync.plan.changes import (
    PLAN_FORMAT,
    VARIANTS,
    Action,
    Change,
    FieldChange,
    Match,
    Plan,
    PlanOptions,
    Reason,
    Refusal,
)
from voicesync.validation import first_error


def write_plan_file(path: Path, plan: Plan) -> None:
    if not str(path) or path.is_dir():
        raise PlanError(f"--out needs a file name, not {str(path)!r}", hint="plan --out plan.json")
    try:
        atomic_write_text(path, json.dumps(saved_plan_json(plan), indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise PlanError(
            f"cannot write the plan file {path}: {exc.strerror or exc}",
            hint="choose a writable place with --out",
        ) from None


def read_plan_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"plan file not found: {path}") from None
    except (OSError, ValueError) as exc:
        raise PlanError(f"cannot read the plan file {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format_version") != PLAN_FORMAT:
        raise PlanError(f"{path} is not a voicesync plan file (format_version {PLAN_FORMAT})")
    error = first_error("plan", _plan_schema, data)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        raise PlanError(
            f"{path} is not a plan file voicesync can read (damaged at {where}: {error.message})",
            hint="make a new plan (voicesync plan --out FILE); plan files are not edited by hand",
        )
    return data


@functools.cache
def _plan_schema() -> dict[str, Any]:
    text = resources.files("voicesync").joinpath("schemas/plan.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def refuse_applied(data: Mapping[str, Any], path: Path) -> None:
    """A plan file is applied once: a second apply of it says so (not that it is stale)."""
    applied = data.get("applied_at")
    if applied:
        raise PlanError(
            f"the plan in {path} was already applied ({applied}); a plan file is applied once",
            hint="make a new plan (voicesync plan --out FILE), review it, then apply that",
        )


def mark_applied(path: Path, data: Mapping[str, Any], when: str) -> None:
    """Record in the plan file that it was applied. The changes are made and recorded by then;
    a plan file that cannot be written is said, so it is not applied again by mistake."""
    try:
        atomic_write_text(
            path, json.dumps(dict(data) | {"applied_at": when}, indent=2, sort_keys=True) + "\n"
        )
    except OSError as exc:
        raise PlanError(
            f"the plan was applied and recorded in the state file, but {path} cannot be "
            f"marked applied ({exc.strerror or exc})",
            hint="delete that plan file: applying it again would be refused as stale anyway",
        ) from None


def plan_from_saved(data: Mapping[str, Any], path: Path) -> Plan:
    """The Plan a plan file holds; a file that does not have its shape is a clear error."""
    try:
        return Plan(
            endpoint=str(data["endpoint"]),
            config=str(data["config"]),
            changes=tuple(_change(c, str(data["config"])) for c in data["changes"]),
            unmanaged=tuple(RemoteVoice.from_api(v) for v in data["unmanaged"]),
            refusals=tuple(_refusal(r) for r in data["refusals"]),
            managed_count=int(data["managed_count"]),
            fingerprint=str(data["fingerprint"]),
            inputs=dict(data.get("inputs", {})),
            options=dict(data.get("options", {})),
            environment=data.get("environment"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlanError(
            f"{path} is not a plan file voicesync can read ({exc.__class__.__name__}: {exc})",
            hint="make it again with: voicesync plan --out FILE",
        ) from None


def _refusal(data: Mapping[str, Any]) -> Refusal:
    return Refusal(
        str(data["code"]), str(data["message"]), bool(data["overridable"]), bool(data["overridden"])
    )


def _change(data: Mapping[str, Any], config: str) -> Change:
    before = data.get("before") or {}
    status = before.get("status")
    values: dict[str, Any] = {
        "name": str(data["name"]),
        "reason": Reason(data["reason"]),
        "match": Match(data["match"]),
        "voice_id": data.get("voice_id"),
        "fields": tuple(
            FieldChange(f["field"], f["before"], f["after"], bool(f["forces_replacement"]))
            for f in data["fields"]
        ),
        "desired": _desired(data.get("after"), config),
        "pending_id": data.get("pending_id"),
        "status": VoiceStatus.parse(status) if status else None,
        "remote_name": before.get("name"),
        "protected": bool(data["protected"]),
        "skippable": bool(data["skippable"]),
        "journal_started_at": data.get("journal_started_at"),
        "note": str(data.get("note", "")),
    }
    variant = VARIANTS[Action(data["action"])]
    known = {f.name for f in fields(variant)}
    missing = [
        f.name
        for f in fields(variant)
        if f.name in values and values[f.name] is None and f.default is MISSING
    ]
    if missing:
        raise PlanError(
            f"a saved {variant.action.value} of '{values['name']}' has no {', '.join(missing)}",
            hint="plan again",
        )
    return variant(**{k: v for k, v in values.items() if k in known})


def _desired(after: Mapping[str, Any] | None, config: str) -> DesiredVoice | None:
    if not after:
        return None
    sample = None
    if after.get("sample_format") and after.get("sample_sha256"):
        sample = SampleInfo(
            str(after["sample"]),
            AudioFormat(after["sample_format"]),
            int(after["sample_bytes"]),
            after["sample_sha256"],
            after.get("sample_duration_s"),
        )
    visibility = Visibility.parse(after["visibility"])
    if visibility is None:
        raise ValueError(f"unknown visibility {after['visibility']!r}")
    return DesiredVoice(
        name=str(after["name"]),
        sample_ref=str(after["sample"]),
        visibility=visibility,
        language=str(after["language"]),
        source=Source(config, 0, 0),
        sample=sample,
    )


def options_from_saved(data: Mapping[str, Any]) -> PlanOptions:
    """The options a plan was made with. The safety limits and --force are never taken from a
    file (no command saves others: plan has neither); binding.py refuses a file that says
    otherwise as tampered."""
    raw = data.get("options", {})
    try:
        return PlanOptions(
            adopt=frozenset(str(n) for n in raw.get("adopt", [])),
            targets=frozenset(str(n) for n in raw.get("targets", [])),
            replace=frozenset(str(n) for n in raw.get("replace", [])),
            prune=raw.get("prune") if isinstance(raw.get("prune"), bool) else None,
        )
    except (TypeError, AttributeError) as exc:
        raise PlanError(
            f"the plan file is not one voicesync can read (options: {exc})",
            hint="make a new plan (voicesync plan --out FILE)",
        ) from None


def voice_row(voice: RemoteVoice) -> dict[str, Any]:
    return {
        "voice_id": voice.voice_id,
        "name": voice.name,
        "status": voice.status_text or voice.status.value,
        "visibility": voice.visibility.value if voice.visibility else None,
    }


# -- the plan as JSON: printed by plan --format json, saved by plan --out ---------
def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "format_version": PLAN_FORMAT,
        "config": plan.config,
        "environment": plan.environment,
        "endpoint": plan.endpoint,
        "has_changes": plan.has_changes,
        "destructive": plan.destructive,
        "safe": plan.safe,
        "summary": plan.summary(),
        "refusals": [
            {
                "code": r.code,
                "message": r.message,
                "overridable": r.overridable,
                "overridden": r.overridden,
            }
            for r in plan.refusals
        ],
        "changes": [_change_json(c) for c in plan.changes],
        "unmanaged": [voice_row(v) for v in plan.unmanaged],
        "managed_count": plan.managed_count,
        "fingerprint": plan.fingerprint,
    }


def _change_json(change: Change) -> dict[str, Any]:
    before = None
    if change.voice_id:
        before = {
            "name": change.remote_name,
            "status": change.status.value if change.status else None,
        }
        before |= {f.field: f.before for f in change.fields if f.field != "name"}
    after = None
    if change.desired is not None and change.action is not Action.DELETE:
        voice = change.desired
        info = voice.sample
        after = {
            "name": voice.name,
            "visibility": voice.visibility.value,
            "language": voice.language,
            "sample": voice.sample_ref,
            "sample_sha256": info.sha256 if info else None,
            "sample_format": info.format.value if info else None,
            "sample_bytes": info.size if info else None,
            "sample_duration_s": info.duration_s if info else None,
        }
    return {
        "action": change.action.value,
        "name": change.name,
        "voice_id": change.voice_id,
        "reason": change.reason.value,
        "match": change.match.value,
        "fields": [
            {
                "field": f.field,
                "before": f.before,
                "after": f.after,
                "forces_replacement": f.forces_replacement,
            }
            for f in change.fields
        ],
        "before": before,
        "after": after,
        "protected": change.protected,
        "skippable": change.skippable,
        "pending_id": change.pending_id,
        "journal_started_at": change.journal_started_at,
        "note": change.note,
    }


def saved_plan_json(plan: Plan) -> dict[str, Any]:
    """A plan file: the JSON plan plus what apply needs to check it is still current."""
    return plan_json(plan) | {"inputs": plan.inputs, "options": plan.options}

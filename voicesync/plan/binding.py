"""A saved plan is bound to everything it decides: apply refuses one made for another target,
one whose fields disagree with its own fingerprint or with what apply would do now (tampered),
and one whose inputs changed since it was made (stale), naming what changed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from voicesync.errors import PlanError
from voicesync.plan.changes import Plan, SafetyLimits, digest
from voicesync.plan.planfile import plan_json


def check_saved_plan(saved: Mapping[str, Any], fresh: Plan, path: Path) -> None:
    """Refuse a saved plan made for another target, one whose fields disagree with its own
    fingerprint or with what apply would do now (tampered), and one whose inputs changed since
    it was made (stale), naming what changed."""
    _refuse_other_target(saved, fresh, path)
    _refuse_tampered(saved, path)
    if saved.get("fingerprint") == fresh.fingerprint:
        if _comparable(saved) != _comparable(plan_json(fresh)):
            raise PlanError(
                f"the plan in {path} does not show what apply would do now: its changes or "
                "refusals were tampered with (or a clone journal entry expired since it was made)",
                hint="make a new plan (voicesync plan --out FILE); plan files are not edited",
            )
        return
    old: dict[str, str] = dict(saved.get("inputs", {}))
    new = fresh.inputs
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    described = [_describe_input(key, key in old, key in new) for key in changed[:10]]
    more = f" (and {len(changed) - 10} more)" if len(changed) > 10 else ""
    now = plan_differences(saved.get("changes", []), plan_json(fresh)["changes"])
    differs = (
        ("\n  what apply would do differs from the reviewed plan:\n    " + "\n    ".join(now))
        if now
        else ""
    )
    raise PlanError(
        f"the plan in {path} is stale: "
        + ("; ".join(described) or "its options differ")
        + more
        + differs,
        hint="make a new plan (voicesync plan --out FILE) and review it; "
        "a plan file is applied at most once",
    )


def _refuse_other_target(saved: Mapping[str, Any], fresh: Plan, path: Path) -> None:
    for what, made_for, now in (
        ("environment", saved.get("environment"), fresh.environment),
        ("endpoint", saved.get("endpoint"), fresh.endpoint),
        ("catalog", _normalized(saved.get("config")), _normalized(fresh.config)),
    ):
        if made_for != now:
            raise PlanError(
                f"the plan in {path} was made for {what} {made_for or '(none)'}, not "
                f"{now or '(none)'}: a plan applies only where it was made",
                hint="plan again for this target (voicesync plan --out FILE)",
            )


def _refuse_tampered(saved: Mapping[str, Any], path: Path) -> None:
    """``plan --out`` never saves --force (apply refuses --force with --plan), and a file's
    fingerprint is the digest of its own inputs and options."""
    options = saved.get("options") or {}
    own = digest([saved.get("inputs", {}), options])
    defaults = SafetyLimits()
    why = None
    if options.get("force"):
        why = "it grants itself --force"
    elif options.get("limits", [defaults.max_count, defaults.max_fraction]) != [
        defaults.max_count,
        defaults.max_fraction,
    ]:
        why = "it sets its own safety limits"
    elif own != saved.get("fingerprint"):
        why = "its fingerprint is not the digest of its inputs and options"
    if why is not None:
        raise PlanError(
            f"the plan in {path} was tampered with: {why}",
            hint="make a new plan (voicesync plan --out FILE); plan files are not edited",
        )


def _comparable(data: Mapping[str, Any]) -> Any:
    """What apply does and what show says, as a saved plan and a fresh one both say it: the
    changes (less the remote status, which moves on its own while a voice processes), the
    refusals and the voices left alone."""
    changes = [
        {**c, "before": {k: v for k, v in (c.get("before") or {}).items() if k != "status"}}
        for c in data.get("changes", [])
    ]
    unmanaged = sorted((v.get("voice_id"), v.get("name")) for v in data.get("unmanaged", []))
    return [changes, data.get("refusals", []), unmanaged]


def _normalized(config: object) -> str | None:
    return os.path.normpath(config) if isinstance(config, str) and config else None


def plan_differences(
    saved: Sequence[Mapping[str, Any]], fresh: Sequence[Mapping[str, Any]], limit: int = 10
) -> list[str]:
    """What a fresh plan would do that the saved one did not, one line per difference: changes
    gone or new, and for a change in both, each field that moved (deepdiff's tree result)."""
    from deepdiff import DeepDiff  # only when a saved plan is stale (~0.2 s to import)

    old, new = _keyed(saved), _keyed(fresh)
    lines = [f"no longer: {key}" for key in old if key not in new]
    lines += [f"now also: {key}" for key in new if key not in old]
    for key in (k for k in old if k in new):
        tree = DeepDiff(old[key], new[key], view="tree")
        for kind, template in _DIFF_WORDS.items():
            for node in sorted(tree.get(kind, []), key=lambda n: str(n.path())):
                field = ".".join(str(p) for p in node.path(output_format="list")) or "it"
                lines.append(
                    template.format(
                        change=key, field=field, old=_short_json(node.t1), new=_short_json(node.t2)
                    )
                )
    more = [f"(and {len(lines) - limit} more)"] if len(lines) > limit else []
    return lines[:limit] + more


def _keyed(changes: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {f"{c.get('action')} '{c.get('name')}'": c for c in changes if isinstance(c, Mapping)}


_DIFF_WORDS = {
    "values_changed": "{change}: {field} {old} -> {new}",
    "type_changes": "{change}: {field} {old} -> {new}",
    "dictionary_item_added": "{change}: {field} added",
    "dictionary_item_removed": "{change}: {field} removed",
    "iterable_item_added": "{change}: {field} added {new}",
    "iterable_item_removed": "{change}: {field} removed {old}",
}


def _short_json(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


_INPUT_WORDS = {
    "declared": "voice",
    "recorded": "state record",
    "remote": "remote voice",
    "foreign": "the list of foreign voices",
    "catalog": "the catalog's settings (prune, ignore:, environments)",
    "target": "where it applies (endpoint, environment, state file)",
    "elsewhere": "what the catalog's other environments record",
}


def _describe_input(key: str, before: bool, after: bool) -> str:
    kind, _, name = key.partition(":")
    what = _INPUT_WORDS.get(kind, kind)
    subject = f"{what} '{name}'" if name else what
    if before and not after:
        return f"{subject} is gone"
    if after and not before:
        return f"{subject} is new"
    return f"{subject} changed"

"""PURE: values → text, markdown and JSON. Builds lines and joins them; no printing, no I/O."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from voicesync.cli.console import printable
from voicesync.cli.console import printable as p
from voicesync.model import RemoteVoice
from voicesync.plan.changes import Action, Change, FieldChange, Match, Plan
from voicesync.plan.planfile import voice_row

if TYPE_CHECKING:  # what apply renders; a plan never loads the apply machinery
    from voicesync.apply.events import ApplyResult

Style = Callable[[str, str], str]
SYMBOLS = {
    Action.CLONE: ("+", "add"),
    Action.UPDATE: ("~", "change"),
    Action.REPLACE: ("-/+", "replace"),
    Action.DELETE: ("-", "remove"),
    Action.ADOPT: ("=", "dim"),
    Action.WAIT: ("*", "dim"),
    Action.CONFLICT: ("!", "error"),
}
MATCH_WORDS = {
    Match.STATE: "matched by state record",
    Match.NAME: "matched by name",
    Match.PREVIOUS_NAME: "matched by previous name",
    Match.JOURNAL: "matched by the clone journal",
    Match.NONE: "",
}
MARKDOWN_MARKER = "<!-- voicesync-plan:{config} -->"


def plain(text: str, _kind: str) -> str:
    return text


# -- voices ----------------------------------------------------------------
def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain left-aligned table; the last column is not padded."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    lines = []
    for cells in (headers, *rows):
        padded = [c.ljust(w) for c, w in zip(cells[:-1], widths[:-1], strict=True)]
        lines.append("  ".join([*padded, cells[-1]]).rstrip())
    return "\n".join(lines)


def voices_table(voices: Sequence[RemoteVoice], marks: dict[str, str] | None = None) -> str:
    headers = ["VOICE_ID", "NAME", "STATUS", "VISIBILITY"] + (["MANAGED"] if marks else [])
    rows = []
    for voice in sorted(voices, key=lambda v: ((v.name or "").casefold(), v.voice_id)):
        row = voice_row(voice)
        cells = [
            p(row["voice_id"]),
            p(row["name"] or "-"),
            p(row["status"]),
            row["visibility"] or "-",
        ]
        rows.append(cells + ([marks.get(voice.voice_id, "unmanaged")] if marks is not None else []))
    summary = f"{len(voices)} voice{'s' if len(voices) != 1 else ''}"
    return table(headers, rows) + f"\n\n{summary}" if rows else "No voices."


# -- plan as text ----------------------------------------------------------------
def summary_line(plan: Plan) -> str:
    counts = plan.summary()
    words = [
        f"{counts[a.value]} to {a.value}"
        for a in (Action.CLONE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    ]
    words += [
        f"{counts[a.value]} to {a.value}" for a in (Action.ADOPT, Action.WAIT) if counts[a.value]
    ]
    conflicts = counts[Action.CONFLICT.value]
    if conflicts:
        words.append(f"{conflicts} conflict{'s' if conflicts != 1 else ''}")
    return "Plan: " + ", ".join(words) + "."


def plan_text(plan: Plan, style: Style = plain, *, command: str = "plan") -> str:
    """``command``: what the plan is for, in its header (voicesync destroy for ...)."""
    where = f"{p(plan.config)}{_in_env(plan)} against {p(plan.endpoint)}"
    lines = [f"voicesync {command} for {where}", ""]
    if not plan.changes:
        lines.append(style("No changes.", "bold") + " The account matches the catalog.")
    for change in plan.changes:
        lines += _change_lines(change, style)
    if plan.unmanaged:
        why = (
            "ignored, foreign, or another environment's"
            if plan.options.get("prune")
            else "prune: true would delete them"
        )
        lines += ["", f"Unmanaged voices, left alone ({why}):"]
        lines += [f"  {p(v.name or '-')}  [{p(v.voice_id)}]" for v in plan.unmanaged]
    if plan.changes:
        lines += ["", style(summary_line(plan), "bold")]
    lines += _refusal_lines(plan, style, command)
    return "\n".join(lines)


def _in_env(plan: Plan) -> str:
    return f" (environment {plan.environment})" if plan.environment else ""


def _change_lines(change: Change, style: Style) -> list[str]:
    symbol, kind = SYMBOLS[change.action]
    target = f"  [{p(change.voice_id)}]" if change.voice_id else ""
    why = ", ".join(w for w in (change.reason.value, MATCH_WORDS[change.match]) if w)
    action = f"{style(symbol, kind)} {style(change.action.value, kind)}"
    head = f"  {action} {p(change.name)}{target}  ({why})"
    details = [f"      {line}" for line in _details(change)]
    return [head, *details]


def _details(change: Change) -> list[str]:
    return [*_action_details(change), *_journal_details(change)]


def _journal_details(change: Change) -> list[str]:
    """What apply will do about a clone whose outcome is unknown: look before it acts."""
    if change.journal_started_at is None:
        return []
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(change.journal_started_at))
    then = "clones again" if change.action is not Action.DELETE else "forgets it"
    return [
        f"journal    a clone sent {started} got no answer; apply first looks for its voice "
        f"(grace window from that time) and {then} only if none appears"
    ]


def _action_details(change: Change) -> list[str]:
    if change.action is Action.CONFLICT:
        taken = f"{p(change.remote_name or '-')} [{p(change.voice_id or '')}]"
        return [f"taken      {taken}, not managed here"]
    if change.action is Action.DELETE:
        if change.voice_id is None:
            return []
        extra = " (not managed by voicesync; skipped if not yours)" if change.skippable else ""
        lines = [f"status     {change.status.value if change.status else '?'}{extra}"]
        if change.remote_name is not None and change.remote_name != change.name:
            lines.append(f"remote     {p(change.remote_name)} (the voice's name on the account)")
        return lines
    if change.action is Action.WAIT:
        return [f"status     {change.status.value if change.status else '?'}"]
    lines = [_field_line(f, change) for f in change.fields]
    if change.action is Action.CLONE and change.desired is not None:
        voice = change.desired
        lines += [
            f"sample     {_sample_text(change)}",
            f"visibility {voice.visibility.value}",
            f"language   {voice.language}",
        ]
    if change.pending_id:
        lines.append(f"finishes   the clone {change.pending_id} started earlier")
    return lines


def _field_line(field: FieldChange, change: Change) -> str:
    if field.field == "sample":
        text = f"{_short(field.before)} → {_sample_text(change)}"
    elif field.field == "name":
        text = f'"{p(field.before or "")}" → "{p(field.after or "")}"'
    else:
        text = f"{p(str(field.before))} → {p(str(field.after))}"
    suffix = "  # forces replacement" if field.forces_replacement else ""
    return f"{field.field:<10} {text}{suffix}"


def _sample_text(change: Change) -> str:
    voice = change.desired
    if voice is None or voice.sample is None:
        return voice.sample_ref if voice else "?"
    info = voice.sample
    duration = f", {info.duration_s:.1f} s" if info.duration_s else ""
    return (
        f"{voice.sample_ref} ({info.format.name}, {_size(info.size)}{duration}, "
        f"sha256 {_short(info.sha256)})"
    )


def _short(sha: str | None) -> str:
    return (sha or "?")[:8]


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def _refusal_lines(plan: Plan, style: Style, command: str = "plan") -> list[str]:
    if not plan.refusals:
        return []
    blocking = [r for r in plan.refusals if r.blocking]
    doer = "Destroy" if command == "destroy" else "Apply"
    head = f"{doer} will refuse this plan:" if blocking else "Safety checks overridden by --force:"
    return [
        "",
        style(head, "error" if blocking else "warning"),
        *(f"  - {p(r.message)}" for r in plan.refusals),
    ]


# -- plan as markdown -------------------------------------------------------------
MD_ICONS = {
    Action.CLONE: "🟢",
    Action.UPDATE: "🟡",
    Action.REPLACE: "🟣",
    Action.DELETE: "🔴",
    Action.ADOPT: "⚪",
    Action.WAIT: "⏳",
    Action.CONFLICT: "⛔",
}


def plan_markdown(plan: Plan) -> str:
    # One comment per catalog and environment: the marker names both.
    target = plan.config + (f":{plan.environment}" if plan.environment else "")
    lines = [
        MARKDOWN_MARKER.format(config=target),
        f"### voicesync plan for `{plan.config}`{_in_env(plan)}",
        "",
    ]
    if not plan.changes:
        lines.append("**No changes.** The account matches the catalog.")
    else:
        lines += [
            f"**{summary_line(plan)}**",
            "",
            "| | Action | Voice | Reason | Details |",
            "|:-:|---|---|---|---|",
        ]
        lines += [_md_row(c) for c in plan.changes]
    if plan.refusals:
        lines.append("")
        lines += [f"> {'⛔' if r.blocking else '⚠️'} {_md(r.message)}" for r in plan.refusals]
    if plan.unmanaged:
        lines += [
            "",
            f"<details><summary>{len(plan.unmanaged)} unmanaged voice(s), left alone</summary>",
            "",
        ]
        lines += [f"- {_md(v.name or '-')} (`{v.voice_id}`)" for v in plan.unmanaged]
        lines += ["", "</details>"]
    lines += ["", f"<sub>plan fingerprint `{plan.fingerprint[:16]}`</sub>"]
    return "\n".join(lines)


def _md_row(change: Change) -> str:
    details = "; ".join(_md(line) for line in _details(change)) or "–"
    voice = _md(change.name) + (f" (`{change.voice_id}`)" if change.voice_id else "")
    return (
        f"| {MD_ICONS[change.action]} | {change.action.value} | {voice} | "
        f"`{change.reason.value}` | {details} |"
    )


def _md(text: str) -> str:
    """Text (remote names included: other accounts' public voices can be listed) as inert
    markdown: no link, image, emphasis, HTML, table cell break or @mention survives."""
    text = " ".join(printable(text).split())
    text = _AUTOLINK.sub("\u2060.", text.replace("://", ":/\u2060/"))
    return "".join(_MD_ESCAPES.get(c, c) for c in text)


# What GitHub turns into a link by itself (http://..., www....): a word joiner breaks it.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.")


_MD_ESCAPES = {c: "\\" + c for c in "\\`*_{}[]()#!|~"} | {
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "@": "@\u2060",  # a word joiner: GitHub links no @mention through it
}


# -- apply results -----------------------------------------------------------------
_PAST = {
    Action.CLONE: "cloned",
    Action.UPDATE: "updated",
    Action.REPLACE: "replaced",
    Action.DELETE: "deleted",
    Action.ADOPT: "adopted",
    Action.WAIT: "waited for",
    Action.CONFLICT: "refused",
}


def apply_summary(result: ApplyResult, command: str = "apply") -> str:
    from voicesync.apply.events import Outcome

    done = [
        f"{result.count(Outcome.DONE, a)} {_PAST[a]}"
        for a in Action
        if result.count(Outcome.DONE, a)
        or a in (Action.CLONE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    ]
    accepted = result.count(Outcome.ACCEPTED)
    tail = [f"{accepted} still cloning (--no-wait)"] if accepted else []
    verified = sum(1 for r in result.results if r.verified)
    tail += [f"{verified} verified (each spoke a test sentence)"] if verified else []
    tail += [f"{result.count(Outcome.SKIPPED)} skipped", f"{result.count(Outcome.FAILED)} failed"]
    head = f"{command.capitalize()} {'complete' if result.ok else 'finished with failures'}"
    lines = [f"{head}: {', '.join(done)}; {', '.join(tail)}."]
    for r in result.results:
        if r.outcome in (Outcome.FAILED, Outcome.SKIPPED):
            lines.append(
                f"  {r.outcome.value}: {r.change.action.value} {p(r.change.name)}: {p(r.message)}"
            )
    return "\n".join(lines)


def apply_json(result: ApplyResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "results": [
            {
                "action": r.change.action.value,
                "name": r.change.name,
                "outcome": r.outcome.value,
                "voice_id": r.voice_id,
                "message": r.message,
                "verified": r.verified,
            }
            for r in result.results
        ],
    }

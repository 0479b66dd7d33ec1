"""PURE: the review page as HTML, from values. Every text from a catalog, a state file or a
server is escaped; the page loads nothing but the audio files beside it (its Content Security
Policy allows nothing else), has no script, and reads on a phone and a laptop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from voicesync.quality import Verdict

# What apply does for each action, in a reviewer's words.
DOES = {
    "clone": "clones a new voice from this sample (a paid clone)",
    "replace": "clones the new sample, then deletes the old voice once the new one is AVAILABLE",
    "update": "changes the name or visibility in place (no new clone)",
    "delete": "deletes the voice",
    "adopt": "records a voice that already exists (no request that changes it)",
    "wait": "waits until the voice finishes processing",
    "conflict": "does nothing: a voice with this name exists and is not recorded (see the note)",
    "none": "nothing: the voice is as declared",
}
ICONS = {"clone": "+", "replace": "±", "update": "~", "delete": "−", "conflict": "!", "none": "="}


@dataclass(frozen=True, slots=True)
class Sound:
    """An audio player: ``src`` relative to the page, or a note saying why there is none."""

    label: str
    src: str | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    name: str  # as the account sees it
    key: str  # as declared
    environment: str | None
    action: str
    reason: str
    sample_ref: str
    sounds: tuple[Sound, ...]
    waveform: str  # SVG markup made by waveform_svg
    verdicts: tuple[Verdict, ...]


def render(plan: Mapping[str, Any], cards: Sequence[Card], title: str) -> str:
    summary = plan.get("summary") or {}
    counts = ", ".join(f"{n} to {a}" for a, n in summary.items() if n) or "no changes"
    changed = [c for c in cards if c.action != "none"]
    anchors = {c.name: f"v{i}" for i, c in enumerate(cards)}
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="summary">Plan: {escape(counts)}.'
        + (
            f" Environment <b>{escape(str(plan['environment']))}</b>."
            if plan.get("environment")
            else ""
        )
        + "</p>",
        _refusals(plan.get("refusals") or []),
        _changes(plan.get("changes") or [], anchors),
        f"<h2>Voices ({len(changed)} changed of {len(cards)})</h2>",
        '<div class="cards">',
        *(_card(c, anchors[c.name]) for c in cards),
        "</div>",
        f'<p class="note">Plan fingerprint <code>{escape(str(plan.get("fingerprint")))}</code></p>'
        if plan.get("fingerprint")
        else "",
    ]
    return _PAGE.format(title=escape(title), policy=POLICY, style=_STYLE, body="\n".join(body))


def _environment(plan: Mapping[str, Any]) -> str:
    where = plan.get("environment")
    return f" Environment <b>{escape(str(where))}</b>." if where else ""


def _refusals(refusals: Sequence[Mapping[str, Any]]) -> str:
    if not refusals:
        return ""
    items = "".join(f"<li>{escape(str(r.get('message', '')))}</li>" for r in refusals)
    return f'<div class="refused" role="alert"><h2>Apply would refuse</h2><ul>{items}</ul></div>'


def _changes(changes: Sequence[Mapping[str, Any]], anchors: Mapping[str, str]) -> str:
    if not changes:
        return "<p>No changes: the account matches the catalog.</p>"
    rows = "".join(
        f'<tr class="{escape(str(c.get("action")))}"><td>{escape(str(c.get("action")))}</td>'
        f'<td class="name">{_link(str(c.get("name")), anchors)}</td>'
        f"<td>{escape(str(c.get('reason')))}</td>"
        f"<td>{escape(DOES.get(str(c.get('action')), ''))}"
        + (f"<br><small>{escape(str(c['note']))}</small>" if c.get("note") else "")
        + "</td></tr>"
        for c in changes
    )
    return (
        '<h2>Changes</h2><div class="scroll"><table><thead><tr><th scope="col">Action</th>'
        '<th scope="col">Voice</th><th scope="col">Reason</th><th scope="col">What apply does'
        f"</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _link(name: str, anchors: Mapping[str, str]) -> str:
    anchor = anchors.get(name)
    return f'<a href="#{anchor}">{escape(name)}</a>' if anchor else escape(name)


def _card(card: Card, anchor: str) -> str:
    where = f" · {escape(card.environment)}" if card.environment else ""
    key = f" · key <code>{escape(card.key)}</code>" if card.key != card.name else ""
    sounds = "".join(_sound(s) for s in card.sounds)
    measures = "".join(
        f'<li class="{"ok" if v.ok else "warn"}"><span aria-hidden="true">'
        f"{'✓' if v.ok else '⚠'}</span> <b>{escape(v.measure)}</b>: {escape(v.text)}</li>"
        for v in card.verdicts
    ) or (
        '<li class="note">Not measured (M4A, silent, or not decodable).</li>'
        if card.sounds
        else '<li class="note">Unchanged: review with --all to hear it.</li>'
    )
    return (
        f'<section class="card {escape(card.action)}" id="{anchor}" '
        f'aria-labelledby="{anchor}-h">'
        f'<h3 id="{anchor}-h"><span class="icon" aria-hidden="true">'
        f"{ICONS.get(card.action, '?')}</span> {escape(card.name)}</h3>"
        f'<p class="meta"><span class="action">{escape(card.action)}</span>'
        f" ({escape(card.reason)}){where}{key} · <code>{escape(card.sample_ref)}</code></p>"
        f"<p>{escape(DOES.get(card.action, ''))}</p>"
        f'{sounds}{card.waveform}<ul class="measures">{measures}</ul></section>'
    )


def _sound(sound: Sound) -> str:
    if sound.src is None:
        return f'<p class="note">{escape(sound.label)}: {escape(sound.note)}</p>'
    return (
        f'<figure><figcaption>{escape(sound.label)}</figcaption><audio controls preload="metadata" '
        f'src="{escape(sound.src)}"></audio></figure>'
    )


# Nothing but the audio beside the page, and its own inline style: no script, no font, no
# request to any server, whatever a voice name holds.
POLICY = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; img-src data:"
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the plan</a>
<main id="main">
{body}
</main>
</body>
</html>
"""

_STYLE = """
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --line: #8884; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; }
.scroll { overflow-x: auto; } table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
th, td:first-child { white-space: nowrap; } td.name { overflow-wrap: anywhere; }
code { overflow-wrap: anywhere; }
@media (max-width: 40rem) { thead { display: none; } tr, td { display: block; }
  td { border: 0; padding: .1rem 0; }
  tr { border-bottom: 1px solid var(--line); padding: .4rem 0; } }
.cards { display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(min(20rem, 100%), 1fr)); }
.card { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; }
.card h3 { margin: 0; font-size: 1.1rem; overflow-wrap: anywhere; }
.card.clone { border-left: .4rem solid var(--ok); }
.card.replace { border-left: .4rem solid var(--warn); }
.card.delete, .card.conflict { border-left: .4rem solid var(--bad); }
.meta { margin: .25rem 0; font-size: .9rem; overflow-wrap: anywhere; }
figure { margin: .5rem 0; } figcaption { font-size: .85rem; } audio { width: 100%; }
.wave { width: 100%; height: 60px; display: block; } .wave path { fill: currentColor; opacity: .6; }
.wave line { stroke: currentColor; opacity: .3; stroke-width: .5; }
.measures { list-style: none; padding: 0; font-size: .9rem; } .measures li { margin: .15rem 0; }
.ok span { color: var(--ok); } .warn { color: var(--warn); } .note { opacity: .75; }
.refused { border: 2px solid var(--bad); padding: .5rem 1rem; border-radius: .5rem; }
a:focus, audio:focus { outline: 3px solid Highlight; outline-offset: 2px; }
"""

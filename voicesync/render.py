"""PURE: values → text. Builds lines and joins them; no printing, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voicesync.model import RemoteVoice


def voice_row(voice: RemoteVoice) -> dict[str, Any]:
    return {
        "voice_id": voice.voice_id,
        "name": voice.name,
        "status": voice.status_text or voice.status.value,
        "visibility": voice.visibility.value if voice.visibility else None,
    }


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
        cells = [row["voice_id"], row["name"] or "-", row["status"], row["visibility"] or "-"]
        rows.append(cells + ([marks.get(voice.voice_id, "unmanaged")] if marks else []))
    summary = f"{len(voices)} voice{'s' if len(voices) != 1 else ''}"
    return table(headers, rows) + f"\n\n{summary}" if rows else "No voices."

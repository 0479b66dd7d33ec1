"""voicesync import: bring voices made by hand under management.

The API cannot give a voice's sample back, so each imported voice is written to voices.yaml
with the sample found in --sample-dir (by name) or a placeholder path marked TODO: validate then
tells the user which samples to supply. The state file records each voice, so the next plan
matches it by id; the first sample supplied becomes the baseline for "sample changed".
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from voicesync.catalog.samples import inspect_sample
from voicesync.catalog.yamlsource import parse
from voicesync.errors import UsageError
from voicesync.model import DEFAULT_LANGUAGE, DEFAULT_VISIBILITY, RemoteVoice
from voicesync.state.store import State, VoiceRecord

SAMPLE_SUFFIXES = (".wav", ".mp3", ".ogg")
TODO = "# TODO: put the sample this voice was cloned from here"


@dataclass(frozen=True, slots=True)
class Imported:
    text: str  # the new voices.yaml
    state: State
    names: tuple[str, ...]
    missing_samples: tuple[str, ...]
    comments_kept: bool


def choose(
    remote: Sequence[RemoteVoice],
    names: Iterable[str],
    everything: bool,
    state: State,
    declared: set[str],
) -> list[RemoteVoice]:
    known = state.known_ids()
    candidates = [v for v in remote if v.voice_id not in known and v.name]
    wanted = set(names)
    if not everything and not wanted:
        raise UsageError("say which voices to import: --name NAME (repeatable) or --all")
    if everything:
        chosen = [v for v in candidates if v.name not in declared]
    else:
        already = sorted(wanted & declared)
        if already:
            raise UsageError(
                f"already declared: {', '.join(already)}; import writes new entries",
                hint="take over a declared voice's remote namesake with: voicesync apply "
                + " ".join(f"--adopt {shlex.quote(n)}" for n in already),
            )
        chosen = [v for v in candidates if v.name in wanted]
        found = {v.name for v in chosen}
        if wanted - found:
            raise UsageError(
                "no unrecorded remote voice named: " + ", ".join(sorted(wanted - found)),
                hint="voicesync list shows the account's voices and which are managed",
            )
    duplicates = sorted({v.name or "" for v in chosen if sum(w.name == v.name for w in chosen) > 1})
    if duplicates:
        raise UsageError(
            f"several remote voices share these names: {', '.join(duplicates)}",
            hint="rename or delete the extra ones first",
        )
    return sorted(chosen, key=lambda v: (v.name or "").casefold())


def import_voices(
    config: Path, voices: Sequence[RemoteVoice], state: State, sample_dir: Path | None
) -> Imported:
    text = config.read_text(encoding="utf-8") if config.exists() else "version: 1\nvoices:\n"
    base = config.resolve().parent
    entries, records, missing = [], dict(state.records), []
    language = _default_language(text)
    for voice in voices:
        name = voice.name or voice.voice_id
        found = _find_sample(sample_dir, name) if sample_dir else None
        ref = _relative(found, base) if found else f"samples/{slug(name)}.wav"
        if found is None:
            missing.append(ref)
        entries.append(_entry(name, ref, voice, todo=found is None))
        sha, size = "", 0
        if found is not None:
            info, _ = inspect_sample(found, ref)
            sha, size = (info.sha256, info.size) if info else ("", 0)
        records[name] = VoiceRecord(
            voice.voice_id, sha, size, name, voice.visibility or DEFAULT_VISIBILITY, language
        )
    new_text, kept = _append(text, entries)
    return Imported(
        new_text,
        replace(state, records=records),
        tuple(v.name or "" for v in voices),
        tuple(missing),
        kept,
    )


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "voice"


def _find_sample(folder: Path, name: str) -> Path | None:
    for stem in (name, slug(name)):
        for suffix in SAMPLE_SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate.resolve()
    return None


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _entry(name: str, ref: str, voice: RemoteVoice, *, todo: bool) -> list[str]:
    lines = [
        f"- name: {_scalar(name)}",
        f"  sample: {_scalar(ref)}" + (f"  {TODO}" if todo else ""),
    ]
    if voice.visibility is not None:
        lines.append(f"  visibility: {voice.visibility.value}")
    return lines


def _scalar(value: str) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
    return dumped.removesuffix("\n...\n").strip()


def _default_language(text: str) -> str:
    data = yaml.safe_load(text) or {}
    defaults = data.get("defaults") if isinstance(data, dict) else None
    language = defaults.get("language") if isinstance(defaults, dict) else None
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


def _append(text: str, entries: list[list[str]]) -> tuple[str, bool]:
    """Add entries to the voices list, keeping comments when voices is the last block list."""
    doc = parse(text)
    data = doc.data if isinstance(doc.data, dict) else {}
    voices_key = doc.keys.get(("voices",))
    tops = [(p.line, p.column) for k in data if (p := doc.keys.get((k,))) is not None]
    voices_last = voices_key is not None and max(tops) == (voices_key.line, voices_key.column)
    items = data.get("voices")
    if voices_last and isinstance(items, list):
        first = doc.values.get(("voices", 0))
        indent = " " * (first.column - 1 if first else 2)
        if not items and text.rstrip().endswith("[]"):
            text = text.rstrip()[:-2].rstrip() + "\n"
        block = "\n".join(indent + line for entry in entries for line in entry)
        return text.rstrip("\n") + "\n" + block + "\n", True
    data = dict(data)
    dumped = [yaml.safe_load("\n".join(e).replace(f"  {TODO}", "")) for e in entries]
    data["voices"] = [*(items or []), *(d[0] for d in dumped)]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True), False

"""voicesync import: bring voices made by hand under management.

The API cannot give a voice's sample back, so each imported voice is written to voices.yaml
with the sample found in --sample-dir (by name) or a placeholder path: validate then tells the
user which samples to supply (the file does not exist), and nothing is left to clean up once
they are there. The state file records each voice, so the next plan
matches it by id; the first sample supplied becomes the baseline for "sample changed".
"""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from voicesync.catalog.samples import inspect_sample
from voicesync.catalog.yamlsource import parse
from voicesync.errors import UsageError
from voicesync.model import DEFAULT_LANGUAGE, DEFAULT_VISIBILITY, LANGUAGES, RemoteVoice, nfc
from voicesync.state.store import State, VoiceRecord

SAMPLE_SUFFIXES = (".wav", ".mp3", ".ogg")
MAX_NAME = 100
_ONE_LINE = re.compile(r"\S(.*\S)?")


@dataclass(frozen=True, slots=True)
class Imported:
    text: str  # the new voices.yaml
    state: State
    names: tuple[str, ...]
    missing_samples: tuple[str, ...]


def name_problem(name: str) -> str | None:
    """Why voices.yaml could not hold this remote name (validate's rule), or None."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"it is not 1 to {MAX_NAME} characters long"
    if not _ONE_LINE.fullmatch(name):
        return "it is not one line without leading or trailing spaces"
    return None


def choose(
    remote: Sequence[RemoteVoice],
    names: Iterable[str],
    everything: bool,
    state: State,
    declared: set[str],
    skipped: Callable[[RemoteVoice, str], None] = lambda _v, _why: None,
) -> list[RemoteVoice]:
    """The voices to import. ``declared``: every name and previous name of the catalog,
    compared ignoring case as validate does; ``skipped`` hears of each voice --all leaves out
    because the catalog could not hold its name."""
    known = state.known_ids()
    folded = {nfc(n).casefold() for n in declared}
    candidates = [v for v in remote if v.voice_id not in known and v.name]
    wanted = set(names)
    if not everything and not wanted:
        raise UsageError("say which voices to import: --name NAME (repeatable) or --all")
    if everything:
        chosen = []
        for voice in (v for v in candidates if nfc(v.name or "").casefold() not in folded):
            why = name_problem(voice.name or "")
            if why is None:
                chosen.append(voice)
            else:
                skipped(voice, why)
    else:
        already = sorted(n for n in wanted if nfc(n).casefold() in folded)
        unfit = sorted(f"'{n}' ({why})" for n in wanted if (why := name_problem(n)))
        if unfit:
            raise UsageError(
                "voices.yaml cannot hold these names: " + ", ".join(unfit),
                hint="rename the voice on the account first (a voice name is 1 to 100 "
                "characters, one line, no leading or trailing spaces)",
            )
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
    alike = _alike(chosen)
    if alike and not everything:
        raise UsageError(
            "these names differ only in case or Unicode form, which voices.yaml counts as one: "
            + ", ".join(f"'{v.name}'" for v in alike),
            hint="import one of them, or rename the others on the account first",
        )
    for voice in alike:
        skipped(voice, "its name differs only in case or Unicode form from another's")
    return sorted((v for v in chosen if v not in alike), key=lambda v: (v.name or "").casefold())


def _alike(voices: list[RemoteVoice]) -> list[RemoteVoice]:
    """Voices whose names validate would count as one (ignoring case and Unicode form)."""
    folded: dict[str, list[RemoteVoice]] = {}
    for voice in voices:
        folded.setdefault(nfc(voice.name or "").casefold(), []).append(voice)
    return [v for group in folded.values() if len(group) > 1 for v in group]


def import_voices(
    config: Path, voices: Sequence[RemoteVoice], state: State, sample_dir: Path | None
) -> Imported:
    text = config.read_bytes().decode("utf-8") if config.exists() else "version: 1\nvoices: []\n"
    base = config.resolve().parent
    entries, records, missing = [], dict(state.records), []
    default_language = _default_language(text.removeprefix("\ufeff"))
    taken = _sample_refs(text.removeprefix("\ufeff"))
    for voice in voices:
        name = voice.name or voice.voice_id
        found = _find_sample(sample_dir, name) if sample_dir else None
        ref = _relative(found, base) if found else _placeholder(name, base, taken)
        taken.add(ref)
        if found is None:
            missing.append(ref)
        language = voice.language if voice.language in LANGUAGES else default_language
        entries.append(_entry(name, ref, voice, language != default_language))
        sha, size = "", 0
        if found is not None:
            info, _ = inspect_sample(found, ref)
            sha, size = (info.sha256, info.size) if info else ("", 0)
        records[name] = VoiceRecord(
            voice.voice_id, sha, size, name, voice.visibility or DEFAULT_VISIBILITY, language
        )
    return Imported(
        _append(text, entries),
        replace(state, records=records),
        tuple(v.name or "" for v in voices),
        tuple(missing),
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


def _entry(name: str, ref: str, voice: RemoteVoice, own_language: bool) -> dict[str, str]:
    entry = {"name": name, "sample": ref}
    if voice.visibility is not None:
        entry["visibility"] = voice.visibility.value
    if own_language and voice.language:
        entry["language"] = voice.language
    return entry


def _placeholder(name: str, base: Path, taken: set[str]) -> str:
    """A sample path for a voice whose sample is not at hand: one no other voice uses and no
    file holds yet (else the voice would be tied to another's audio)."""
    stem = f"samples/{slug(name)}"
    for n in range(1, 1000):
        ref = f"{stem}.wav" if n == 1 else f"{stem}-{n}.wav"
        if ref not in taken and not (base / ref).exists():
            return ref
    raise UsageError(f"no free sample path for '{name}' under samples/")


def _sample_refs(text: str) -> set[str]:
    data = yaml.safe_load(text) if text.strip() else None
    voices = data.get("voices") if isinstance(data, dict) else None
    return {str(v["sample"]) for v in voices or () if isinstance(v, dict) and "sample" in v}


def _default_language(text: str) -> str:
    data = yaml.safe_load(text) or {}
    defaults = data.get("defaults") if isinstance(data, dict) else None
    language = defaults.get("language") if isinstance(defaults, dict) else None
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


def _append(text: str, entries: list[dict[str, str]]) -> str:
    """``text`` with ``entries`` added to its voices list, edited the way a careful person
    would: ruamel.yaml's round trip keeps comments, quoting, flow or block style and the list's
    indentation (guessed from the file, and kept only if the untouched file dumps back to
    itself), and line endings and a BOM are put back. The result is checked to say exactly
    what the old text said plus the new voices, or nothing is written."""
    from ruamel.yaml.comments import CommentedMap

    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    plain = text.removeprefix(bom).replace("\r\n", "\n")
    editor = _editor(plain)
    doc = editor.load(plain) if plain.strip() else None
    if not isinstance(doc, dict):
        doc = CommentedMap(version=1)
    if not isinstance(doc.get("voices"), list):
        doc["voices"] = []
    doc["voices"].extend(CommentedMap(e) for e in entries)
    out = io.StringIO()
    editor.dump(doc, out)
    new = out.getvalue()
    _check_same_plus(plain, new, entries)
    return bom + new.replace("\n", newline)


def _editor(text: str) -> Any:
    """A round-trip YAML editor that writes ``text`` back unchanged, if one can be found."""
    from ruamel.yaml import YAML
    from ruamel.yaml.util import load_yaml_guess_indent

    try:
        _, indent, offset = load_yaml_guess_indent(text) if text.strip() else (None, None, None)
    except Exception as exc:  # ruamel's errors share no base class worth naming
        raise UsageError(f"import cannot read the catalog as YAML: {exc}") from None
    sequence, offset = indent or 2, offset or 0
    tried = []
    for mapping in (2, 4, 3, sequence - offset):
        editor = YAML()
        editor.preserve_quotes = True
        editor.width = 4096
        editor.indent(mapping=max(mapping, 1), sequence=max(sequence, offset + 2), offset=offset)
        tried.append(editor)
        out = io.StringIO()
        editor.dump(editor.load(text), out)
        if out.getvalue() == text:
            return editor
    return tried[0]


def _check_same_plus(old: str, new: str, entries: list[dict[str, str]]) -> None:
    """The new text must parse (with the parser voicesync reads catalogs with) to the old data
    with the new voices added, and nothing else."""
    before = parse(old).data if old.strip() else None
    after = parse(new).data
    expected = dict(before) if isinstance(before, dict) else {"version": 1}
    voices = expected.get("voices")
    expected["voices"] = [*(voices if isinstance(voices, list) else []), *entries]
    if after != expected:
        raise UsageError(
            "import could not add the voices without changing what else the catalog says; "
            "nothing was written",
            hint="add them by hand: "
            + "; ".join(f"name: {e['name']}, sample: {e['sample']}" for e in entries),
        )

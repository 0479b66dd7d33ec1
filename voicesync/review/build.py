"""Gather what the review page shows and write it: ``OUT/index.html`` and, beside it,
``OUT/audio/`` with each sample, each replaced voice's previous sample (from git) and, with
previews, what each changed voice says. Nothing is written through a link."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import yaml

from voicesync.audio import sniff
from voicesync.catalog.samples import LFS_POINTER
from voicesync.errors import UsageError, VoicesyncError
from voicesync.localfiles import atomic_write_bytes, atomic_write_text, file_slug, refuse_link
from voicesync.model import MAX_SAMPLE_BYTES, DesiredVoice
from voicesync.quality import verdicts
from voicesync.review.page import Card, Sound, render
from voicesync.review.waveform import waveform_svg
from voicesync.workspace import Workspace

Speak = Callable[[str, str], bytes]  # (voice id, language) -> the preview's MP3


@dataclass(frozen=True, slots=True)
class Reviewed:
    page: Path
    cards: int
    changed: int


def build_review(
    workspace: Workspace,
    plan: Mapping[str, Any],
    out: Path,
    *,
    base: str | None = None,
    speak: Speak | None = None,
    everything: bool = False,
) -> Reviewed:
    """Write the review page of ``plan`` (plan_json's shape) for ``workspace`` into ``out``:
    a full card (player, waveform, measures) for each changed voice, or with ``everything``
    for each declared voice; a short one for the others."""
    _same_environment(workspace, plan)
    git = _Git.at(workspace.config, base)  # a bad --base is refused before anything is written
    audio = _folder(out)
    voices = workspace.loaded.state.voices
    changes = {str(c.get("name")): c for c in plan.get("changes") or []}
    shown = [v for v in voices if everything or v.name in changes]
    measured = workspace.assess(shown).samples
    cards = []
    for voice in voices:
        change = changes.get(voice.name, {})
        if voice not in shown:
            cards.append(_light(workspace, voice))
            continue
        sounds = [_current(voice, audio)]
        if change.get("action") == "replace":
            sounds.append(git.previous(voice, audio))
        if speak is not None and change:
            sounds.append(_preview(voice, change, speak, audio))
        info = measured.get(voice.sample.path) if voice.sample else None
        cards.append(
            Card(
                name=voice.name,
                key=voice.key or voice.name,
                environment=workspace.environment.name if workspace.environment else None,
                action=str(change.get("action", "none")),
                reason=str(change.get("reason", "as declared")),
                sample_ref=voice.sample_ref,
                sounds=tuple(sounds),
                waveform=waveform_svg(voice.sample.path, escape(f"waveform of {voice.name}"))
                if voice.sample
                else "",
                verdicts=verdicts(info.quality) if info and info.quality else (),
            )
        )
    page = out / "index.html"
    refuse_link(page, "the review page")
    title = f"voicesync review: {workspace.config.name}"
    atomic_write_text(page, render(plan, cards, title))
    return Reviewed(page, len(cards), sum(1 for c in cards if c.action != "none"))


def _folder(out: Path) -> Path:
    """``out`` and its audio/ folder, made or emptied of a previous review's audio. Refused:
    a path through a symbolic link, and a folder holding anything a review does not write
    (whatever is there would be shipped with the page, an artifact people trust)."""
    absolute = Path(os.path.abspath(out))  # noqa: PTH100
    if (absolute.exists() and absolute.resolve() != absolute) or any(
        p.is_symlink() for p in (absolute, *absolute.parents)
    ):
        raise UsageError(
            f"--out {out} leads through a symbolic link: the review is written only to a real "
            "folder",
            hint="choose another --out",
        )
    for folder in (out, out / "audio"):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder} exists and is not a folder", hint="choose another --out")
        folder.mkdir(parents=True, exist_ok=True)
    strangers = [p.name for p in out.iterdir() if p.name not in ("index.html", "audio")]
    strangers += [f"audio/{p.name}" for p in (out / "audio").iterdir() if not p.is_file()]
    if strangers or (out / "index.html").is_dir():
        raise UsageError(
            f"{out} holds what a review does not write ({_listed(strangers)}): it would be "
            "shipped with the page",
            hint="choose an empty --out, or remove that folder first",
        )
    for old in (out / "audio").iterdir():  # a previous review's: this one writes its own
        old.unlink()
    return out / "audio"


def _listed(names: list[str]) -> str:
    return ", ".join(sorted(names)[:3]) or "index.html"


def _same_environment(workspace: Workspace, plan: Mapping[str, Any]) -> None:
    here = workspace.environment.name if workspace.environment else None
    if plan.get("environment") != here:
        raise UsageError(
            f"the plan was made for environment {plan.get('environment') or '(none)'}, not "
            f"{here or '(none)'}: its changes would be shown against the wrong voices",
            hint="review it with the --env it was made with",
        )


def _light(workspace: Workspace, voice: DesiredVoice) -> Card:
    return Card(
        name=voice.name,
        key=voice.key or voice.name,
        environment=workspace.environment.name if workspace.environment else None,
        action="none",
        reason="as declared",
        sample_ref=voice.sample_ref,
        sounds=(),
        waveform="",
        verdicts=(),
    )


def _write_audio(audio: Path, stem: str, data: bytes) -> str:
    fmt = sniff(data[:12])
    name = (
        f"{file_slug(stem)}-{hashlib.sha256(data).hexdigest()[:10]}.{fmt.value if fmt else 'bin'}"
    )
    target = audio / name
    refuse_link(target, "a review audio file")
    atomic_write_bytes(target, data)
    return f"audio/{name}"


def _current(voice: DesiredVoice, audio: Path) -> Sound:
    if voice.sample is None:
        return Sound("Sample", None, "not readable")
    data = Path(voice.sample.path).read_bytes()
    return Sound("Sample", _write_audio(audio, voice.name, data))


def _preview(voice: DesiredVoice, change: Mapping[str, Any], speak: Speak, audio: Path) -> Sound:
    voice_id = change.get("voice_id")
    label = "What the voice says"
    if change.get("action") in ("clone", "replace") or not voice_id:
        return Sound(label, None, "the new voice exists only after apply: review again then")
    try:
        said = speak(str(voice_id), voice.language)
    except VoicesyncError as exc:
        return Sound(label, None, f"no preview: {exc.message}")
    return Sound(label, _write_audio(audio, f"{voice.name}-preview", said))


@dataclass(frozen=True, slots=True)
class _Git:
    """The catalog's repository at the base revision, if there is one."""

    top: Path | None
    ref: str | None
    catalog: str  # the catalog's path in the repository
    why: str  # when there is no base: why

    @classmethod
    def at(cls, config: Path, base: str | None) -> _Git:
        if base is not None and (base.startswith("-") or not base.strip()):
            raise UsageError(
                f"--base {base!r} is not a git revision", hint="name a branch or a commit"
            )
        folder = config.resolve().parent
        top = _git(folder, "rev-parse", "--show-toplevel")
        if top is None:
            return cls(None, None, "", "the catalog is not in a git repository")
        ref = base or _merge_base(folder)
        if ref is None:
            return cls(None, None, "", "no base revision (pass --base REF)")
        catalog = config.resolve().relative_to(Path(top.strip())).as_posix()
        return cls(Path(top.strip()), ref, catalog, "")

    def previous(self, voice: DesiredVoice, audio: Path) -> Sound:
        short = (self.ref or "")[:12]
        label = f"Previous sample ({short})" if self.ref else "Previous sample"
        if self.top is None or self.ref is None:
            return Sound(label, None, self.why)
        text = _git(self.top, "show", f"{self.ref}:{self.catalog}")
        try:
            document = yaml.safe_load(text) if text else None
        except (yaml.YAMLError, RecursionError):
            document = None
        entries = document.get("voices") if isinstance(document, dict) else None
        key = voice.key or voice.name
        old = next(
            (
                v
                for v in entries or []
                if isinstance(v, dict) and (v.get("key") or v.get("name")) == key
            ),
            None,
        )
        if old is None or not isinstance(old.get("sample"), str):
            return Sound(label, None, f"the catalog at {short} does not declare it")
        folder = Path(self.catalog).parent.as_posix()
        path = os.path.normpath(str(Path(folder) / old["sample"])).replace(os.sep, "/")
        if (folder != "." and not path.startswith(folder + "/")) or path.startswith("../"):
            return Sound(label, None, f"{old['sample']} is outside the catalog's folder")
        size = _git(self.top, "cat-file", "-s", f"{self.ref}:{path}")
        if size is None or not size.strip().isdigit() or int(size) > MAX_SAMPLE_BYTES:
            return Sound(label, None, f"{old['sample']} is not in git at {short}")
        blob = _git_bytes(self.top, "show", f"{self.ref}:{path}")
        if blob is not None and blob.startswith(LFS_POINTER):
            return Sound(label, None, f"{old['sample']} is kept in Git LFS: git holds its pointer")
        if blob is None or sniff(blob[:12]) is None:
            return Sound(label, None, f"{old['sample']} at {short} is not audio")
        return Sound(label, _write_audio(audio, f"{voice.name}-previous", blob))


def _merge_base(folder: Path) -> str | None:
    for upstream in ("origin/main", "main", "origin/master", "master"):
        found = _git(folder, "merge-base", "HEAD", upstream)
        if found:
            return found.strip()
    return None


def _git(folder: Path, *args: str) -> str | None:
    data = _git_bytes(folder, *args)
    return data.decode("utf-8", "replace") if data is not None else None


def _git_bytes(folder: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None

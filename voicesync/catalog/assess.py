"""Sample quality as warnings: each declared voice's sample measured (voicesync.quality) unless
the sample cache already knows it, and each measure that misses its threshold reported at the
voice, as a warning (validate --strict makes them errors)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from voicesync.errors import Problem, Severity
from voicesync.model import AudioFormat, DesiredVoice, SampleInfo
from voicesync.quality import Quality, Verdict, measure_all, verdicts


@dataclass(frozen=True, slots=True)
class Assessed:
    samples: dict[str, SampleInfo]  # by path, their quality measured (to cache)
    problems: tuple[Problem, ...]


def assess(voices: Iterable[DesiredVoice], *, measuring: bool = True) -> Assessed:
    """Warnings for the samples of ``voices``. ``measuring=False``: only what is measured
    already (apply, which must not spend seconds on samples its plan judged)."""
    voices = [v for v in voices if _measurable(v)]
    known = {v.sample.path: v.sample for v in voices if v.sample}
    todo = [p for p, info in known.items() if info.quality is None] if measuring else []
    why: dict[str, str] = {}
    for path, found in measure_all(todo).items():
        if isinstance(found, str):
            why[path] = found
        elif _truncated(known[path], found):
            why[path] = (
                f"it decodes to {found.duration_s:.1f} s of the {known[path].duration_s:.1f} s "
                "its header says: the file is damaged, export it again"
            )
        else:
            known[path] = replace(known[path], quality=found)
    problems: list[Problem] = []
    for voice in voices:
        path = voice.sample.path if voice.sample else ""
        if path in why:
            problems.append(_at(voice, f"could not be decoded to check its quality ({why[path]})"))
        problems += [_at(voice, v.text) for v in failing(known[path])]
    return Assessed(known, tuple(problems))


def _truncated(info: SampleInfo, found: Quality) -> bool:
    declared = info.duration_s or 0.0
    return declared > 1.0 and found.duration_s < declared / 2


def _measurable(voice: DesiredVoice) -> bool:
    """Silence has its own warning; M4A (accept: [m4a]) is not decoded here."""
    info = voice.sample
    return info is not None and not info.silent and info.format is not AudioFormat.M4A


def failing(info: SampleInfo) -> tuple[Verdict, ...]:
    return tuple(v for v in verdicts(info.quality) if not v.ok) if info.quality else ()


def _at(voice: DesiredVoice, text: str) -> Problem:
    return Problem(
        voice.source.file,
        voice.source.line,
        voice.source.column,
        f"sample '{voice.sample_ref}' {text}",
        Severity.WARNING,
    )

"""Sample quality as warnings: each declared voice's sample measured (voicesync.quality) unless
the sample cache already knows it, and each measure that misses its threshold reported at the
voice, as a warning (validate --strict makes them errors)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from voicesync.errors import Problem, Severity
from voicesync.model import AudioFormat, DesiredVoice, SampleInfo
from voicesync.quality import DecodeError, Verdict, measure, verdicts


@dataclass(frozen=True, slots=True)
class Assessed:
    samples: dict[str, SampleInfo]  # by path, their quality measured (to cache)
    problems: tuple[Problem, ...]


def assess(voices: Iterable[DesiredVoice], *, measuring: bool = True) -> Assessed:
    """Warnings for the samples of ``voices``. ``measuring=False``: only what is measured
    already (apply, which must not spend seconds on samples its plan judged)."""
    samples: dict[str, SampleInfo] = {}
    problems: list[Problem] = []
    for voice in voices:
        info = voice.sample
        if info is None or info.silent or info.format is AudioFormat.M4A:
            continue  # silence has its own warning; M4A (accept: [m4a]) is not decoded here
        info = samples.get(info.path, info)
        if info.quality is None and measuring:
            try:
                info = replace(info, quality=measure(info.path))
            except DecodeError as exc:
                problems.append(_at(voice, f"could not be decoded to check its quality ({exc})"))
        samples[info.path] = info
        if info.quality is not None:
            problems += [_at(voice, v.text) for v in failing(info)]
    return Assessed(samples, tuple(problems))


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

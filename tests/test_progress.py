"""Apply's live progress: one line per voice redrawn on a terminal, periodic lines in CI."""

from __future__ import annotations

import pytest

from voicesync.apply.events import (
    ChangeFinished,
    ChangeResult,
    Notice,
    Outcome,
    Waiting,
    WaitingVoice,
)
from voicesync.cli.console import Console
from voicesync.cli.progress import PERIODIC_S, Progress
from voicesync.model import DesiredVoice, Source, Visibility
from voicesync.plan.changes import Clone, Reason

VOICE = DesiredVoice("Narrator", "n.wav", Visibility.PRIVATE, "en", Source("v.yaml", 1, 1))
CLONE = Clone(name="Narrator", reason=Reason.NEW, desired=VOICE)


def waiting(*statuses: tuple[str, str, float]) -> Waiting:
    return Waiting(tuple(WaitingVoice(n, f"id-{n}", s, t) for n, s, t in statuses))


def test_terminal_redraws_one_line_per_voice(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(Console(), tty=True)
    progress(waiting(("A", "PENDING", 0.0), ("B", "PENDING", 0.0)))
    progress(waiting(("A", "PROCESSING", 1.2), ("B", "PENDING", 1.2)))
    err = capsys.readouterr().err
    assert err.count("\x1b[F\x1b[2K") == 2  # the two lines of the first frame are erased
    assert "  … A  PROCESSING  1s" in err and "  … B  PENDING  1s" in err


def test_ci_prints_changes_and_a_heartbeat(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    progress = Progress(Console(), tty=False, clock=lambda: now[0])
    progress(waiting(("A", "PENDING", 0.0)))
    progress(waiting(("A", "PENDING", 1.0)))  # nothing new: silent
    now[0] = PERIODIC_S + 1
    progress(waiting(("A", "PENDING", 11.0)))  # still waiting: a heartbeat line
    progress(waiting(("A", "PROCESSING", 12.0)))
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "  waiting for 1 voice(s) (0s): A PENDING",
        "  waiting for 1 voice(s) (11s): A PENDING",
        "  waiting for 1 voice(s) (12s): A PROCESSING",
    ]
    assert "\x1b[" not in "".join(lines)


def test_results_and_notices(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(Console(), tty=False)
    progress(ChangeFinished(ChangeResult(CLONE, Outcome.DONE, voice_id="v1")))
    progress(ChangeFinished(ChangeResult(CLONE, Outcome.FAILED, "ended FAILED")))
    progress(Notice("rate limited"))
    assert capsys.readouterr().err.splitlines() == [
        "  ✓ clone Narrator (v1)",
        "  ✗ clone Narrator: ended FAILED",
        "  note: rate limited",
    ]


def test_quiet_prints_no_progress(capsys: pytest.CaptureFixture[str]) -> None:
    progress = Progress(Console(quiet=True), tty=False)
    progress(ChangeFinished(ChangeResult(CLONE, Outcome.DONE, voice_id="v1")))
    assert capsys.readouterr().err == ""

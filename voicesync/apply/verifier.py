"""apply --verify: a voice can be AVAILABLE and still unable to speak. After the waits, each new
voice says one short sentence; one that cannot fails its change, as a FAILED clone does."""

from __future__ import annotations

from dataclasses import replace

from voicesync.apply.context import Context, words
from voicesync.apply.events import ChangeResult, Notice, Outcome
from voicesync.errors import ApiError
from voicesync.plan.changes import Clone, Replace

VERIFY_TEXT = "Testing, one two three."


def verify_speech(run: Context, results: list[ChangeResult]) -> list[ChangeResult]:
    return [_verified(run, r) for r in results]


def _verified(run: Context, result: ChangeResult) -> ChangeResult:
    new_voice = isinstance(result.change, (Clone, Replace)) or result.change.pending_id
    if result.outcome is not Outcome.DONE or not new_voice or result.voice_id is None:
        return result
    try:
        voice_id = result.voice_id

        def speak() -> None:
            with run.limiter.slot():
                run.api.speak(voice_id, VERIFY_TEXT)

        run.patiently(speak)
    except ApiError as exc:
        message = (
            f"voice {result.voice_id} is AVAILABLE but cannot speak ({words(exc)}); it is "
            "recorded: check the sample, then replace it (apply --replace NAME)"
        )
        run.emit(Notice(f"{result.change.name}: {message}"))
        return replace(result, outcome=Outcome.FAILED, message=message, verified=False)
    run.emit(Notice(f"{result.change.name}: verified, it spoke a test sentence", verbose=True))
    return replace(result, verified=True)

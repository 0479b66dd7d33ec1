"""Square-wave WAV samples for the soak, the benchmarks and the tests (not for users' voices).

Real speech lives in examples/samples; these are cheap, deterministic and distinct: a different
``period`` (in frames) or ``tail`` gives different content, so a different SHA-256. The one tone
writer is the emulator's (it answers speech requests with it); this only sets the defaults.
"""

from __future__ import annotations

from voicesync.emulator import audio


def tone_wav(
    seconds: float = 1.0,
    rate: int = 8000,
    amplitude: int = 8000,
    period: int = 20,
    tail: bytes = b"",
) -> bytes:
    """A 16-bit mono WAV of ``seconds``; ``tail`` bytes are appended to its frames."""
    return audio.tone_wav(seconds, rate, amplitude=amplitude, period=period, tail=tail)

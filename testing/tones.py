"""Square-wave WAV samples for the soak, the benchmarks and the tests (not for users' voices).

Real speech lives in examples/samples; these are cheap, deterministic and distinct: a different
``period`` (in frames) or ``tail`` gives different content, so a different SHA-256.
"""

from __future__ import annotations

import io
import struct
import wave


def tone_wav(
    seconds: float = 1.0,
    rate: int = 8000,
    amplitude: int = 8000,
    period: int = 20,
    tail: bytes = b"",
) -> bytes:
    """A 16-bit mono WAV of ``seconds``; ``tail`` bytes are appended to its frames."""
    half = max(period // 2, 1)
    cycle = b"".join(
        struct.pack("<h", amplitude if (i // half) % 2 else -amplitude) for i in range(2 * half)
    )
    frames = int(seconds * rate)
    pcm = (cycle * (frames // (2 * half) + 1))[: frames * 2]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm + tail)
    return buffer.getvalue()

"""What the emulated service learns from an uploaded sample.

Deliberately independent of ``voicesync.catalog.samples``: if the client misreads audio, the
emulator must not repeat the mistake. The service accepts MP3, WAV and OGG by content; a sample
it can sniff but not use (no audio data, or silence) is accepted and later ends FAILED, as a real
clone would.
"""

from __future__ import annotations

import struct
from array import array

SILENCE_PEAK = 0.002  # fraction of full scale below which a 16-bit WAV counts as silent
_ZERO_FRACTION_SILENT = 0.98


def sniff(data: bytes) -> str | None:
    """Return ``wav``, ``mp3`` or ``ogg`` judged by the first bytes, else None."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:3] == b"ID3" or _first_mp3_frame(data) is not None:
        return "mp3"
    if data[4:8] == b"ftyp" and data[8:12] in (b"M4A ", b"M4B ", b"mp42", b"isom"):
        return "m4a"  # accepted only by a service that takes M4A (Dialect.accept_m4a)
    return None


def clonable(kind: str, data: bytes) -> bool:
    """Whether the service could build a voice from this sample (decodable and not silent)."""
    if kind == "wav":
        return _wav_has_sound(data)
    if kind == "ogg":
        return (b"\x01vorbis" in data[:4096] or b"OpusHead" in data[:4096]) and not _mostly_zero(
            data
        )
    if kind == "mp3":
        return _first_mp3_frame(data) is not None and not _mostly_zero(data)
    if kind == "m4a":
        return b"moov" in data and b"mdat" in data and not _mostly_zero(data)
    return False


def _mostly_zero(data: bytes) -> bool:
    return data.count(0) >= _ZERO_FRACTION_SILENT * len(data)


def _skip_id3(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size


def _first_mp3_frame(data: bytes) -> int | None:
    start = _skip_id3(data)
    limit = min(len(data) - 4, start + 4096)
    for i in range(start, max(limit, start)):
        if data[i] == 0xFF and (data[i + 1] & 0xE0) == 0xE0:
            version = (data[i + 1] >> 3) & 0x3
            layer = (data[i + 1] >> 1) & 0x3
            bitrate = data[i + 2] >> 4
            rate = (data[i + 2] >> 2) & 0x3
            if version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3:
                return i
    return None


def _wav_chunks(data: bytes) -> dict[bytes, bytes]:
    chunks: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        chunks.setdefault(chunk_id, data[pos + 8 : pos + 8 + size])
        pos += 8 + size + (size & 1)
    return chunks


def _wav_has_sound(data: bytes) -> bool:
    chunks = _wav_chunks(data)
    fmt, pcm = chunks.get(b"fmt "), chunks.get(b"data")
    if fmt is None or len(fmt) < 16 or not pcm:
        return False
    bits = struct.unpack_from("<H", fmt, 14)[0]
    if bits != 16:
        return not _mostly_zero(pcm)
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if not samples:
        return False
    peak = max(max(samples), -min(samples))  # noqa: PLW3301 (C-speed scans)
    return peak >= SILENCE_PEAK * 32768


def tone_wav(
    seconds: float = 0.5,
    rate: int = 16000,
    amplitude: int = 8000,
    period: int = 0,
    tail: bytes = b"",
) -> bytes:
    """A square tone as a 16-bit mono WAV: what speech generation returns (440 Hz-ish by
    default), and the samples of tests and benchmarks, where a different ``period`` (frames)
    or ``tail`` (bytes after the frames) gives different content."""
    half = max((period or rate // 440) // 2, 1)
    frames = int(seconds * rate)
    cycle = array("h", [-amplitude] * half + [amplitude] * half).tobytes()
    body = (cycle * (frames // (2 * half) + 1))[: frames * 2] + tail
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(body),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        rate,
        rate * 2,
        2,
        16,
        b"data",
        len(body),
    )
    return header + body


def silent_mp3(frames: int = 20) -> bytes:
    """MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz whose side info is empty (silence)."""
    frame = b"\xff\xfb\x90\x00" + bytes(413)
    return frame * frames

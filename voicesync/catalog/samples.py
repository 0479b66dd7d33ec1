"""Facts about a sample file, gathered without the network: where it really is, its format by
content, size, duration, loudness, SHA-256.

Formats: the API reference accepts MP3, WAV and OGG; other sources name PCM or M4A. voicesync
accepts the three every source agrees on, judged by the first bytes, not the extension. Raw PCM
has no header (nothing to check, nothing to tell the server its rate) and M4A is accepted by only
one client of the API, so both are refused with a conversion command in the hint.
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
import struct
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from voicesync.model import (
    BASE_FORMATS,
    MAX_SAMPLE_BYTES,
    MAX_SAMPLE_TEXT,
    AudioFormat,
    SampleInfo,
)

MIN_RECOMMENDED_S = 10.0
MAX_RECOMMENDED_S = 60.0
SILENT_PEAK_DBFS = -50.0
RACY_WINDOW_NS = 1_000_000_000
_HASH_BLOCK_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SampleFinding:
    message: str
    fatal: bool


class SampleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def resolve_sample(base_dir: Path, ref: str, allow_outside: Sequence[Path] = ()) -> Path:
    """The real path of ``ref`` (relative to ``base_dir``), refused if it leaves the folder.

    Symlinks are followed before the check, so a link inside the folder pointing at
    ``~/.ssh/id_rsa`` is refused like the path itself. ``base_dir`` and ``allow_outside`` are
    taken as already resolved (a catalog resolves them once, not once per sample).
    """
    if "\x00" in ref:
        raise SampleError(f"sample path {ref!r} holds a NUL character; write the file's path")
    # Strings, not pathlib: a catalog of 5,000 voices does this 5,000 times.
    real = os.path.realpath(os.path.join(base_dir, os.path.expanduser(ref)))  # noqa: PTH111,PTH118
    target = Path(real)
    roots = (str(base_dir), *(str(p) for p in allow_outside))
    if not any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
        raise SampleError(
            f"sample '{ref}' resolves to {target}, outside the catalog folder {base_dir}; "
            "pass --allow-outside DIR if that is intended"
        )
    return target


# What git commits in place of a file tracked by Git LFS when the content was not fetched.
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


M4A_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"isom")  # an MP4 container of AAC audio


def sniff(head: bytes) -> AudioFormat | None:
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AudioFormat.WAV
    if head[:4] == b"OggS":
        return AudioFormat.OGG
    if head[:3] == b"ID3" or (len(head) > 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return AudioFormat.MP3
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return AudioFormat.M4A
    return None


def _unsupported_hint(head: bytes, ref: str) -> str:
    stem = Path(ref).stem
    if head[4:8] == b"ftyp":
        return f"M4A/MP4 audio is not accepted; convert it: ffmpeg -i {ref} {stem}.mp3"
    if head[:4] == b"fLaC":
        return f"FLAC is not accepted; convert it: sox {ref} {stem}.wav"
    if Path(ref).suffix.lower() in (".pcm", ".raw"):
        return (
            "raw PCM has no header to check; wrap it in WAV, e.g. "
            f"sox -t raw -r 16000 -e signed -b 16 -c 1 {ref} {stem}.wav"
        )
    return "use an MP3, WAV or OGG recording"


def inspect_sample(
    path: Path,
    ref: str,
    cached: SampleInfo | None = None,
    accept: frozenset[AudioFormat] = BASE_FORMATS,
) -> tuple[SampleInfo | None, tuple[SampleFinding, ...]]:
    """Check one resolved sample; returns its facts (None if unusable) and the findings.

    ``cached`` is what the file held when last read: if its size, mtime and inode still match
    (and it was read at least a second after that mtime, so a write in the same tick cannot
    hide), the file is not read again.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return None, (SampleFinding(f"sample '{ref}' does not exist", True),)
    except OSError as exc:
        return None, (SampleFinding(f"sample '{ref}' cannot be read: {exc.strerror}", True),)
    if not stat.S_ISREG(st.st_mode):
        return None, (SampleFinding(f"sample '{ref}' is not a regular file", True),)
    if cached is not None and _unchanged(cached, path, st):
        if cached.format not in accept:
            return None, (SampleFinding(not_accepted(ref), True),)
        return cached, _warnings(cached, ref)
    try:
        info, fatal = _read_facts(path, ref, st, accept)
    except OSError as exc:
        return None, (SampleFinding(f"sample '{ref}' cannot be read: {exc.strerror}", True),)
    return (info, _warnings(info, ref)) if info is not None else (None, fatal)


def _unchanged(cached: SampleInfo, path: Path, st: os.stat_result) -> bool:
    return (
        cached.path == path
        and (cached.size, cached.mtime_ns, cached.inode) == (st.st_size, st.st_mtime_ns, st.st_ino)
        and st.st_mtime_ns < cached.checked_ns - RACY_WINDOW_NS
    )


def _read_facts(
    path: Path, ref: str, st: os.stat_result, accept: frozenset[AudioFormat]
) -> tuple[SampleInfo | None, tuple[SampleFinding, ...]]:
    checked_ns = time.time_ns()
    size = st.st_size
    if size == 0:
        return None, (SampleFinding(f"sample '{ref}' is empty", True),)
    if size > MAX_SAMPLE_BYTES:
        return None, (
            SampleFinding(
                f"sample '{ref}' is {size / 1e6:.1f} MB; the API accepts at most {MAX_SAMPLE_TEXT} "
                "(shorten it: 10-60 s is enough)",
                True,
            ),
        )
    with path.open("rb") as handle:
        head = handle.read(64)
        fmt = sniff(head)
        if fmt is not None and fmt not in accept:
            return None, (SampleFinding(not_accepted(ref), True),)
        if fmt is None and head.startswith(LFS_POINTER):
            return None, (
                SampleFinding(
                    f"sample '{ref}' is a Git LFS pointer, not the audio: run 'git lfs pull' "
                    "(in GitHub Actions, set 'lfs: true' on actions/checkout)",
                    True,
                ),
            )
        if fmt is None:
            hint = _unsupported_hint(head, ref)
            return None, (
                SampleFinding(f"sample '{ref}' is not MP3, WAV or OGG audio; {hint}", True),
            )
        handle.seek(0)
        digest = _sha256(handle)
    duration, damage = _duration(path, fmt, ref)
    if damage is not None:
        return None, (damage,)
    peak = wav_peak_dbfs(path) if fmt is AudioFormat.WAV else None
    silent = peak is not None and peak < SILENT_PEAK_DBFS
    info = SampleInfo(
        path, fmt, size, digest, duration, st.st_mtime_ns, st.st_ino, checked_ns, silent
    )
    return info, ()


def _warnings(info: SampleInfo, ref: str) -> tuple[SampleFinding, ...]:
    found = []
    seconds = info.duration_s
    if seconds is not None and not MIN_RECOMMENDED_S <= seconds <= MAX_RECOMMENDED_S:
        found.append(
            SampleFinding(
                f"sample '{ref}' lasts {seconds:.1f} s; 10-60 s of one clear speaker clones best",
                False,
            )
        )
    suffix = info.path.suffix.lower().lstrip(".")
    if suffix in ("wav", "mp3", "ogg") and suffix != info.format.value:
        found.append(SampleFinding(f"sample '{ref}' is {info.format.name} despite its name", False))
    if info.silent:
        found.append(
            SampleFinding(
                f"sample '{ref}' is silent or nearly; the clone would likely end FAILED", False
            )
        )
    return tuple(found)


def _sha256(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := handle.read(_HASH_BLOCK_BYTES):
        digest.update(block)
    return digest.hexdigest()


def _duration(path: Path, fmt: AudioFormat, ref: str) -> tuple[float | None, SampleFinding | None]:
    import mutagen

    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        return None, SampleFinding(f"sample '{ref}' is a damaged {fmt.name} file: {exc}", True)
    length = getattr(getattr(audio, "info", None), "length", None)
    if audio is None or not length:
        return None, SampleFinding(f"sample '{ref}' holds no readable {fmt.name} audio", True)
    return float(length), None


def wav_peak_dbfs(path: Path) -> float | None:
    """Peak level of a 16-bit PCM WAV, streamed; None for other encodings.

    Only quiet audio needs the exact peak: any high byte other than 0x00/0xFF means a sample
    of magnitude 256 or more (-42 dBFS, louder than the silence threshold), which bytes
    methods find at C speed; the per-sample scan runs only on blocks where none is found.
    """
    with path.open("rb") as handle:
        data_left = _wav_pcm16_data(handle)
        if not data_left:
            return None
        peak = 0
        while data_left > 0 and (block := handle.read(min(data_left, _HASH_BLOCK_BYTES))):
            data_left -= len(block)
            block = block[: len(block) - len(block) % 2]
            if block[1::2].translate(None, b"\x00\xff"):
                return _LOUD_DBFS
            samples = array("h", block)
            if samples:
                peak = max(peak, max(samples), -min(samples))  # noqa: PLW3301
    return 20 * math.log10(peak / 32768) if peak else -math.inf


_LOUD_DBFS = 20 * math.log10(256 / 32768)  # at least this loud


def _wav_pcm16_data(handle: BinaryIO) -> int:
    """Seek to the data chunk of a 16-bit PCM WAV; its size, or 0 for anything else."""
    header = handle.read(12)
    bits, data_left = None, 0
    while chunk := handle.read(8):
        if len(chunk) < 8:
            return 0
        chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if chunk_id == b"fmt ":
            fmt = handle.read(size + (size & 1))
            bits = struct.unpack_from("<H", fmt, 14)[0] if len(fmt) >= 16 else None
        elif chunk_id == b"data":
            data_left = size
            break
        else:
            handle.seek(size + (size & 1), 1)
    return data_left if header[:4] == b"RIFF" and bits == 16 else 0


def not_accepted(ref: str) -> str:
    return (
        f"sample '{ref}' is M4A, which the API reference does not list (MP3, WAV, OGG); "
        "voice.ai's web SDK sends M4A since 2026-03: if your account takes it, add "
        f"'accept: [m4a]' to the catalog, else convert it: ffmpeg -i {ref} {Path(ref).stem}.mp3"
    )

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

from voicesync.audio import sniff
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


@dataclass(frozen=True, slots=True)
class SampleFinding:
    message: str
    fatal: bool


class SampleError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SampleRoots:
    """The folders a catalog's samples may live in (taken as already resolved), and where a
    sample path really leads.

    Symlinks are followed before the check, so a link inside the folder pointing at
    ``~/.ssh/id_rsa`` is refused like the path itself. ``folders`` holds the real paths of
    folders resolved during one catalog read (5,000 samples in one folder resolve it once);
    it is never kept longer, so a folder swapped for a link later is seen.
    """

    def __init__(self, base_dir: Path, allow_outside: Sequence[Path] = ()) -> None:
        self.base = base_dir
        self.base_text = str(base_dir)
        roots = (self.base_text, *(str(p) for p in allow_outside))
        self.prefixes = tuple(r.rstrip(os.sep) + os.sep for r in roots)
        self.exact = frozenset(roots)

    def locate(self, ref: str, folders: dict[str, str]) -> tuple[str, os.stat_result | None]:
        """The real path of ``ref`` and, when it is no link, its lstat (which is then its
        stat: the caller need not ask again); SampleError if it is outside every root."""
        if "\x00" in ref:
            raise SampleError(f"sample path {ref!r} holds a NUL character; write the file's path")
        # Strings, not pathlib: a catalog of 5,000 voices does this 5,000 times.
        if ref.startswith("~"):
            ref = os.path.expanduser(ref)  # noqa: PTH111
        if os.altsep or ref.startswith(os.sep):
            joined = os.path.join(self.base_text, ref)  # noqa: PTH118
        else:  # the usual case, without posixpath's generality
            joined = f"{self.base_text.rstrip(os.sep)}{os.sep}{ref}"
        real, st = _realpath(joined, folders)
        if real not in self.exact and not real.startswith(self.prefixes):
            raise SampleError(
                f"sample '{ref}' resolves to {real}, outside the catalog folder {self.base}; "
                "pass --allow-outside DIR if that is intended"
            )
        return real, st


def _realpath(path: str, folders: dict[str, str]) -> tuple[str, os.stat_result | None]:
    """os.path.realpath, the folder taken from ``folders`` when resolved already: each file then
    costs one lstat, returned when the file is no link (a link is resolved in full)."""
    if os.altsep or f"{os.sep}." in path or os.sep * 2 in path:
        path = os.path.normpath(path)  # only what holds ".", ".." or "//" needs it
    folder, _, name = path.rpartition(os.sep)
    folder = folder or os.sep  # a file at the root
    if name in ("", ".", ".."):
        return os.path.realpath(path), None
    try:
        st: os.stat_result | None = os.lstat(path)
    except OSError:
        st = None  # missing or unreadable: inspect_sample says which
    if st is not None and stat.S_ISLNK(st.st_mode):
        return os.path.realpath(path), None
    real_folder = folders.get(folder)
    if real_folder is None:
        real_folder = folders[folder] = os.path.realpath(folder)
    return os.path.join(real_folder, name), st  # noqa: PTH118


# What git commits in place of a file tracked by Git LFS when the content was not fetched.
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


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
    path: str | os.PathLike[str],
    ref: str,
    cached: SampleInfo | None = None,
    accept: frozenset[AudioFormat] = BASE_FORMATS,
    st: os.stat_result | None = None,
) -> tuple[SampleInfo | None, tuple[SampleFinding, ...]]:
    """Check one resolved sample; returns its facts (None if unusable) and the findings.

    ``cached`` is what the file held when last read: if its size, mtime and inode still match
    (and it was read at least a second after that mtime, so a write in the same tick cannot
    hide), the file is not read again. ``st``: its stat, if the caller has it already.
    """
    path = os.fspath(path)
    try:
        st = st or os.stat(path)  # noqa: PTH116
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


def _unchanged(cached: SampleInfo, path: str, st: os.stat_result) -> bool:
    return (
        cached.path == path
        and (cached.size, cached.mtime_ns, cached.inode) == (st.st_size, st.st_mtime_ns, st.st_ino)
        and st.st_mtime_ns < cached.checked_ns - RACY_WINDOW_NS
    )


def _read_facts(
    path: str, ref: str, st: os.stat_result, accept: frozenset[AudioFormat]
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
    with open(path, "rb") as handle:  # noqa: PTH123
        # One read of the size seen (at most 7.5 MB, checked above): asking for more would
        # allocate 7.5 MB per sample, which costs more than reading 5,000 small ones.
        data = handle.read(size)
        head = data[:64]
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
    digest = hashlib.sha256(data).hexdigest()
    layout = _wav_layout(data) if fmt is AudioFormat.WAV else None
    duration = _wav_duration(layout)
    if duration is None:
        duration, damage = _duration(path, fmt, ref)
        if damage is not None:
            return None, (damage,)
    peak = _peak_dbfs(layout)
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
    suffix = info.path[-4:].lower()
    if suffix in (".wav", ".mp3", ".ogg") and suffix[1:] != info.format.value:
        found.append(SampleFinding(f"sample '{ref}' is {info.format.name} despite its name", False))
    if info.silent:
        found.append(
            SampleFinding(
                f"sample '{ref}' is silent or nearly; the clone would likely end FAILED", False
            )
        )
    return tuple(found)


_FIXED_FRAME_TAGS = (1, 3, 0xFFFE)  # PCM, IEEE float, extensible: every frame the same size


@dataclass(frozen=True, slots=True)
class _WavLayout:
    tag: int
    frame_bytes: int
    rate: int
    bits: int
    data: bytes  # the whole file; the audio is data[start:end]
    start: int
    end: int


def _wav_layout(data: bytes) -> _WavLayout | None:
    """The fmt chunk and the audio of a WAV, read from the bytes in hand (one pass over the
    chunk headers; stdlib wave would parse the same header a second time, and mutagen guesses
    the format first)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        chunk_id, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk_id == b"fmt " and size >= 16 and body + 16 <= len(data):
            tag, _channels, rate, _byte_rate, align, bits = struct.unpack_from(
                "<HHIIHH", data, body
            )
            fmt = (tag, align, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                return None
            end = min(body + size, len(data))  # a streamed WAV may say 0xFFFFFFFF
            return _WavLayout(fmt[0], fmt[1], fmt[2], fmt[3], data, body, end)
        pos = body + size + (size & 1)
    return None


def _wav_duration(layout: _WavLayout | None) -> float | None:
    """Seconds of a WAV whose frames all have one size; None leaves it to mutagen."""
    if layout is None or layout.tag not in _FIXED_FRAME_TAGS:
        return None
    audio_bytes = layout.end - layout.start
    if not layout.frame_bytes or not layout.rate or audio_bytes <= 0:
        return None
    return audio_bytes // layout.frame_bytes / layout.rate


def _peak_dbfs(layout: _WavLayout | None) -> float | None:
    """Peak level of 16-bit PCM; None for other encodings.

    Only quiet audio needs the exact peak: any high byte other than 0x00/0xFF means a sample
    of magnitude 256 or more (-42 dBFS, louder than the silence threshold), which bytes
    methods find at C speed, in windows that grow from the start, so speech is known loud
    after its first few kilobytes; the per-sample scan runs only when none is found.
    """
    if layout is None or layout.tag not in (1, 0xFFFE) or layout.bits != 16:
        return None
    data, start = layout.data, layout.start
    end = layout.end - (layout.end - start) % 2
    pos, window = start + 1, 4096  # high bytes: odd offsets from the start of the audio
    while pos < end:
        stop = min(pos + window, end)
        if data[pos:stop:2].translate(None, b"\x00\xff"):  # (a strided memoryview: 10x slower)
            return _LOUD_DBFS
        pos, window = stop, window * 4
    samples = array("h")
    samples.frombytes(data[start:end])  # array("h", view) would take each byte for a sample
    peak = max(max(samples), -min(samples)) if samples else 0  # noqa: PLW3301
    return 20 * math.log10(peak / 32768) if peak else -math.inf


_LOUD_DBFS = 20 * math.log10(256 / 32768)  # at least this loud


def _duration(path: str, fmt: AudioFormat, ref: str) -> tuple[float | None, SampleFinding | None]:
    import mutagen

    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        return None, SampleFinding(f"sample '{ref}' is a damaged {fmt.name} file: {exc}", True)
    length = getattr(getattr(audio, "info", None), "length", None)
    if audio is None or not length:
        return None, SampleFinding(f"sample '{ref}' holds no readable {fmt.name} audio", True)
    return float(length), None


def not_accepted(ref: str) -> str:
    return (
        f"sample '{ref}' is M4A, which the API reference does not list (MP3, WAV, OGG); "
        "voice.ai's web SDK sends M4A since 2026-03: if your account takes it, add "
        f"'accept: [m4a]' to the catalog, else convert it: ffmpeg -i {ref} {Path(ref).stem}.mp3"
    )

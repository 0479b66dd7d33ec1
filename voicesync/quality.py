"""How well a sample will clone, measured from its decoded audio: seconds of speech, clipping,
level, the noise floor between phrases, sample rate and channels, silence at either end.

Decoding is miniaudio's (MP3, WAV and OGG Vorbis in one small wheel with no system library);
speech is found by WebRTC's voice-activity detector (webrtcvad-wheels). Both run in C; what is
left in Python works on 30 ms frames, not on samples. The measures are facts about the file,
kept in the machine-local sample cache; the verdicts below turn them into one-line warnings
whose thresholds the README lists ("Sample quality").
"""

from __future__ import annotations

import math
import operator
import os
import statistics
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

RATE = 8000  # the analysis rate: speech lives below 4 kHz, and webrtcvad takes 8 kHz
FRAME = RATE * 30 // 1000  # 30 ms, a frame length webrtcvad accepts
FRAME_S = FRAME / RATE
VAD_MODE = 2  # webrtcvad aggressiveness 0-3
_SIGN = bytes(1 if b >= 0x80 else 0 for b in range(256))  # a little-endian int16's high byte
# The magnitude of an int16's high byte: 0x7F and 0x80 (127) are the last 256 steps before
# the rail, within 0.07 dB of full scale: "clipped".
_MAGNITUDE = bytes(b if b < 0x80 else 0xFF - b for b in range(256))


@dataclass(frozen=True, slots=True)
class Quality:
    """What the decoded audio of one sample measures."""

    sample_rate: int
    channels: int
    duration_s: float
    speech_s: float  # frames the voice-activity detector calls speech
    motion: float  # how much speech frames move (median zero-crossing change; steady tones ~0)
    clipped: float  # share of samples at full scale
    peak_dbfs: float
    speech_dbfs: float | None  # RMS level of the speech frames
    noise_dbfs: float | None  # RMS level of the quietest frames: the noise floor between phrases
    lead_s: float  # before the first speech
    trail_s: float  # after the last speech

    @property
    def snr_db(self) -> float | None:
        if self.speech_dbfs is None or self.noise_dbfs is None:
            return None
        return self.speech_dbfs - self.noise_dbfs

    def row(self) -> list[float | None]:
        return [getattr(self, f) for f in _FIELDS]

    @classmethod
    def from_row(cls, row: Sequence[object]) -> Quality:
        """Back from the sample cache; TypeError for anything but finite numbers where they
        belong (the cache is only ever a speed-up: damage makes it empty)."""
        if len(row) != len(_FIELDS) or not all(
            (type(v) in (int, float) and math.isfinite(v))  # type: ignore[arg-type]
            or (v is None and f in ("speech_dbfs", "noise_dbfs"))
            for f, v in zip(_FIELDS, row, strict=True)
        ):
            raise TypeError("a damaged quality row")
        return cls(*row)  # type: ignore[arg-type]


_FIELDS = tuple(f.name for f in fields(Quality))


class DecodeError(Exception):
    """The audio could not be decoded."""


# What a header may claim before it is decoded: a hostile WAV saying 1 Hz would be resampled
# to millions of frames per second of "audio" (gigabytes), so such files are not decoded.
MIN_DECODE_RATE, MAX_DECODE_RATE = 4000, 384000
MAX_CHANNELS = 8
MAX_DECODE_S = 15 * 60


def decodable(path: str) -> Any:
    """miniaudio's header facts of ``path``, once they are sane; DecodeError otherwise."""
    import miniaudio  # ~20 ms to import: only when a sample is measured or drawn

    try:
        info = miniaudio.get_file_info(path)
    except (miniaudio.DecodeError, miniaudio.MiniaudioError, OSError) as exc:
        raise DecodeError(str(exc) or type(exc).__name__) from exc
    if not MIN_DECODE_RATE <= info.sample_rate <= MAX_DECODE_RATE:
        raise DecodeError(f"its header says {info.sample_rate} Hz, which no recording has")
    if not 1 <= info.nchannels <= MAX_CHANNELS:
        raise DecodeError(f"its header says {info.nchannels} channels")
    if not 0 < info.duration <= MAX_DECODE_S:
        raise DecodeError(f"its header says it lasts {info.duration:.0f} s")
    return info


def measure(path: str) -> Quality:
    """Decode ``path`` and measure it; DecodeError when the decoder cannot read it."""
    import miniaudio

    info = decodable(path)
    try:
        native = miniaudio.decode_file(
            path, nchannels=info.nchannels, sample_rate=info.sample_rate
        ).samples
        if info.sample_rate == RATE and info.nchannels == 1:
            mono = native
        else:
            mono = miniaudio.decode_file(path, nchannels=1, sample_rate=RATE).samples
    except (miniaudio.DecodeError, miniaudio.MiniaudioError, OSError) as exc:
        raise DecodeError(str(exc) or type(exc).__name__) from exc
    return _measure(native, mono, info.sample_rate, info.nchannels)


POOL_FROM = 24  # samples to measure before it pays to start a process per core


def measure_all(paths: Sequence[str]) -> dict[str, Quality | str]:
    """Each path's Quality, or why it could not be decoded. Many samples are measured in a
    process per core (the work is CPU-bound, half of it Python); spawned, not forked, so no
    thread of the caller's (a progress bar, a test's server) is copied in a half state."""
    if len(paths) < POOL_FROM or (os.cpu_count() or 1) < 2:
        return {path: _measured(path) for path in paths}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 2, 8)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        chunk = max(1, len(paths) // (workers * 4))
        return dict(zip(paths, pool.map(_measured, paths, chunksize=chunk), strict=True))


def _measured(path: str) -> Quality | str:
    try:
        return measure(path)
    except DecodeError as exc:
        return str(exc)


def _measure(native: array[int], mono: array[int], rate: int, channels: int) -> Quality:
    import webrtcvad

    energy = [_energy(mono[i * FRAME : (i + 1) * FRAME]) for i in range(len(mono) // FRAME)]
    ranked = sorted(energy)
    quiet = ranked[len(ranked) // 10] if ranked else 0.0  # the 10th percentile
    # Audio with no quieter parts at all (a held chord, an unbroken drone) has nothing to
    # gate against: the detector alone decides there.
    gate = quiet * 2 if ranked and quiet * 4 < ranked[len(ranked) // 2] else 0.0
    vad, raw = webrtcvad.Vad(VAD_MODE), _audible(mono).tobytes()
    heard = [
        vad.is_speech(raw[i * FRAME * 2 : (i + 1) * FRAME * 2], RATE) for i in range(len(energy))
    ]
    # Speech: what the detector hears, louder than the quietest tenth by 3 dB (room tone's
    # onset fools the detector for a frame or three), in runs of 90 ms or more.
    voiced = _runs([h and e > gate for h, e in zip(heard, energy, strict=True)], 3)
    count = len(energy)
    speech = [e for e, v in zip(energy, voiced, strict=True) if v]
    first = next((i for i, v in enumerate(voiced) if v), count)
    last = next((i for i, v in enumerate(reversed(voiced)) if v), count)
    high = native.tobytes()[1::2].translate(_MAGNITUDE)  # bytes methods: C speed, no boxing
    return Quality(
        sample_rate=rate,
        channels=channels,
        duration_s=round(len(native) / max(1, channels) / max(1, rate), 3),
        speech_s=round(len(speech) * FRAME_S, 2),
        motion=round(_motion(raw, voiced), 3),
        clipped=round(high.count(0x7F) / max(1, len(high)), 5),
        peak_dbfs=_peak(native, high),
        speech_dbfs=_db(statistics.fmean(speech)) if speech else None,
        noise_dbfs=_noise_floor(energy, voiced, quiet),
        lead_s=round(first * FRAME_S, 2),
        trail_s=round(last * FRAME_S, 2) if first < count else 0.0,
    )


def _peak(native: array[int], high: bytes) -> float:
    """dBFS of the highest sample: from the high bytes (to 256 steps, 0.1 dB near the top),
    exactly from the samples when all are quieter than that."""
    if not high:
        return -120.0
    top = max(high)
    peak = (top + 1) * 256 if top else max(max(native), -min(native))  # noqa: PLW3301
    return min(0.0, _db(peak * peak))


def _audible(mono: array[int]) -> array[int]:
    """What the detector listens to: very quiet speech (peak under -30 dBFS, a 24-bit
    recording made with little gain) raised to a level it hears; the measures keep the real
    level."""
    peak = max(max(mono), -min(mono)) if mono else 0  # noqa: PLW3301
    if peak == 0 or peak >= 1036:  # -30 dBFS
        return mono
    gain = 16384 // peak
    return array("h", (s * gain for s in mono))


def _runs(flags: list[bool], shortest: int) -> list[bool]:
    """``flags`` with every run of True shorter than ``shortest`` turned False."""
    out, start = list(flags), None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start < shortest:
                out[start:i] = [False] * (i - start)
            start = None
    return out


def _energy(frame: array[int]) -> float:
    """Mean square of a frame, from every other sample (as exact for a level, at half the cost
    of Python arithmetic)."""
    half = frame[::2]
    total: int = sum(map(operator.mul, half, half))
    return total / max(1, len(half))


def _db(power: float) -> float:
    """dBFS of a mean square (or a square) of 16-bit samples; -120 for digital silence."""
    return round(10 * math.log10(power / 32768**2), 1) if power > 0 else -120.0


def _noise_floor(energy: Sequence[float], voiced: Sequence[bool], quiet: float) -> float | None:
    """The level between phrases: the median of the frames without speech, when there are
    enough of them; else the quietest tenth of all frames (speech over a bed of music or
    noise that never stops leaves no frame without speech, but its gaps hold the bed)."""
    between = sorted(e for e, v in zip(energy, voiced, strict=True) if not v)
    if len(between) >= max(10, len(energy) // 50):
        return _db(between[len(between) // 2])
    return _db(quiet) if energy else None


def _motion(raw: bytes, voiced: Sequence[bool]) -> float:
    """Median change of the zero-crossing count between neighbouring speech frames, relative.
    Speech moves its pitch and formants all the time (0.2-0.3); a held note or chord does
    not (under 0.1), though the voice-activity detector takes both for speech."""
    crossings = [_crossings(raw[i * FRAME * 2 : (i + 1) * FRAME * 2]) for i in range(len(voiced))]
    changes = [
        abs(crossings[i] - crossings[i - 1]) / max(1.0, (crossings[i] + crossings[i - 1]) / 2)
        for i in range(1, len(voiced))
        if voiced[i] and voiced[i - 1]
    ]
    return float(statistics.median(changes)) if changes else 0.0


_ONES = int.from_bytes(b"\x01" * FRAME, "big")


def _crossings(frame: bytes) -> int:
    """Sign changes in a frame of int16 samples, at C speed: the sign bits as one big int,
    XOR'd with itself one sample along."""
    signs = int.from_bytes(frame[1::2].translate(_SIGN), "big")
    return ((signs ^ (signs >> 8)) & (_ONES >> 8)).bit_count()


# -- verdicts --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Verdict:
    measure: str  # speech, clipping, level, noise, rate, silence
    ok: bool
    text: str  # the finding, and on a warning what to do


MIN_SPEECH_S = 10.0
MIN_MOTION = 0.12
STEADY_MOTION = 0.08
MAX_CLIPPED = 0.001  # 0.1 % of samples
MIN_SPEECH_DBFS = -35.0
MIN_SNR_DB = 20.0
MIN_RATE = 16000
MAX_EDGE_SILENCE_S = 2.0


def verdicts(q: Quality) -> tuple[Verdict, ...]:
    """Each measure judged against its threshold (README, "Sample quality")."""
    if q.speech_s and _steady(q):
        speech = Verdict(
            "speech",
            False,
            f"sounds like music or steady tones, not speech (motion {q.motion:.3f}, speech "
            f"moves {MIN_MOTION:.2f} or more): record one person talking",
        )
    elif q.speech_s < MIN_SPEECH_S:
        speech = Verdict(
            "speech",
            False,
            f"holds {q.speech_s:.1f} s of speech in {q.duration_s:.1f} s: record 10-60 s of one "
            "person talking",
        )
    else:
        speech = Verdict("speech", True, f"{q.speech_s:.1f} s of speech")
    found = [speech, _clipping(q), _rate(q), _silence(q)]
    if speech.ok:  # level and noise are the speech's: unjudged when there is none
        found[2:2] = [_level(q), _noise(q)]
    return tuple(found)


def _steady(q: Quality) -> bool:
    """Music or held tones, which the voice-activity detector takes for speech: frames that do
    not move. Loud noise steadies speech's zero crossings too, so between MIN_MOTION and
    STEADY_MOTION only audio without a real pause (no noise floor below it) counts as steady;
    noisy speech is judged by its noise floor instead."""
    if q.motion < STEADY_MOTION:
        return True
    snr = q.snr_db
    return q.motion < MIN_MOTION and (snr is None or snr < 3.0)


def _clipping(q: Quality) -> Verdict:
    share = f"{q.clipped * 100:.1f} %" if q.clipped >= 0.001 else f"{q.clipped * 100:.2f} %"
    if q.clipped > MAX_CLIPPED:
        return Verdict("clipping", False, f"{share} of samples clip: lower the recording gain")
    return Verdict("clipping", True, f"{share} of samples clip; peak {q.peak_dbfs:.1f} dBFS")


def _level(q: Quality) -> Verdict:
    if q.speech_dbfs is not None and q.speech_dbfs < MIN_SPEECH_DBFS:
        return Verdict(
            "level",
            False,
            f"speech is quiet ({q.speech_dbfs:.1f} dBFS RMS): raise the gain or normalize "
            "to about -20 dBFS RMS",
        )
    return Verdict("level", True, f"speech at {q.speech_dbfs:.1f} dBFS RMS")


def _noise(q: Quality) -> Verdict:
    snr = q.snr_db
    if snr is None:
        return Verdict("noise", True, "no pause long enough to measure the noise floor")
    if snr < MIN_SNR_DB:
        return Verdict(
            "noise",
            False,
            f"the noise floor is only {snr:.0f} dB below the speech: record in a quieter "
            "place, closer to the microphone (aim for 30 dB or more)",
        )
    return Verdict("noise", True, f"noise floor {snr:.0f} dB below the speech")


def _rate(q: Quality) -> Verdict:
    layout = f"{q.sample_rate} Hz, {'mono' if q.channels == 1 else f'{q.channels} channels'}"
    if q.sample_rate < MIN_RATE:
        return Verdict(
            "rate", False, f"{layout} loses the voice's detail: record at 22.05 kHz or more"
        )
    return Verdict("rate", True, layout)


def _silence(q: Quality) -> Verdict:
    if not q.speech_s:
        return Verdict("silence", True, "no speech to trim to")
    if q.lead_s > MAX_EDGE_SILENCE_S or q.trail_s > MAX_EDGE_SILENCE_S:
        where = [
            f"{s:.1f} s at the {edge}"
            for s, edge in ((q.lead_s, "start"), (q.trail_s, "end"))
            if s > MAX_EDGE_SILENCE_S
        ]
        return Verdict(
            "silence",
            False,
            f"{' and '.join(where)} without speech: trim it "
            "(sox in.wav out.wav silence 1 0.1 1% reverse silence 1 0.1 1% reverse)",
        )
    return Verdict("silence", True, f"{q.lead_s:.1f} s before the speech, {q.trail_s:.1f} s after")

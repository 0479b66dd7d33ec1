"""Sample facts read from the bytes in hand agree with mutagen's, which reads every format."""

from __future__ import annotations

import io
import json
import struct
import wave
from pathlib import Path

import mutagen
import pytest

from tests.conftest import Catalog, tone_wav_bytes
from voicesync.catalog.loader import load_config
from voicesync.catalog.samples import inspect_sample
from voicesync.errors import ConfigError


def pcm_wav(seconds: float, rate: int, channels: int, width: int) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(channels)
        audio.setsampwidth(width)
        audio.setframerate(rate)
        frames = int(seconds * rate)
        audio.writeframes(bytes((i * 37) % 256 for i in range(frames * channels * width)))
    return out.getvalue()


@pytest.mark.parametrize(
    ("seconds", "rate", "channels", "width"),
    [(12.0, 16000, 1, 2), (11.5, 44100, 2, 2), (20.0, 8000, 1, 1), (15.0, 22050, 2, 3)],
)
def test_the_duration_of_a_pcm_wav_is_mutagens(
    tmp_path: Path, seconds: float, rate: int, channels: int, width: int
) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(pcm_wav(seconds, rate, channels, width))
    info, findings = inspect_sample(path, "a.wav")
    assert info is not None and not [f for f in findings if f.fatal]
    assert info.duration_s == pytest.approx(mutagen.File(path).info.length, abs=1e-3)
    assert info.duration_s == pytest.approx(seconds, abs=1e-3)


def test_a_streamed_wav_whose_data_size_is_unknown_lasts_what_it_holds(tmp_path: Path) -> None:
    data = bytearray(pcm_wav(12.0, 8000, 1, 2))
    at = data.index(b"data") + 4
    data[at : at + 4] = struct.pack("<I", 0xFFFFFFFF)  # what a recorder that streams writes
    path = tmp_path / "streamed.wav"
    path.write_bytes(bytes(data))
    info, _ = inspect_sample(path, "streamed.wav")
    assert info is not None and info.duration_s == pytest.approx(12.0, abs=1e-3)


def test_a_wav_without_a_fmt_chunk_is_left_to_mutagen_and_refused(tmp_path: Path) -> None:
    body = b"WAVE" + b"data" + struct.pack("<I", 4) + b"\x00\x00\x00\x00"
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    info, findings = inspect_sample(path, "broken.wav")
    assert info is None and findings[0].fatal and "WAV" in findings[0].message


def test_a_sample_folder_swapped_for_a_link_is_seen_by_the_next_read(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Folders are resolved once per read of the catalog, never for the life of the process:
    a library user reading it again after the folder became a link is refused, as a new run."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    assert [v.name for v in load_config(catalog.path).state.voices] == ["Narrator"]
    outside = tmp_path / "outside"
    (catalog.root / "samples").rename(outside)
    (catalog.root / "samples").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError) as refused:
        load_config(catalog.path)
    assert "outside the catalog folder" in refused.value.problems[0].message


def test_every_spelling_of_one_sample_is_one_file(catalog: Catalog) -> None:
    """ "./", "//" and ".." are resolved like the plain path: the same real path (the key of
    the sample cache), and the same facts."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    spellings = ["samples/n.wav", "./samples//n.wav", "samples/../samples/./n.wav"]
    found = []
    for index, ref in enumerate(spellings):
        catalog.write([{"name": f"N{index}", "sample": ref}])
        sample = load_config(catalog.path).state.voices[0].sample
        assert sample is not None
        found.append((sample.path, sample.sha256))
    assert found == [(str((catalog.root / "samples" / "n.wav").resolve()), found[0][1])] * 3


@pytest.mark.parametrize(
    "samples",
    [[["x"]], [{"path": "x"}], [[1, 2, 3, 4, 5, "wav", None, False, 0]], "rows", [[None] * 9]],
)
def test_a_damaged_sample_cache_only_costs_reading_the_samples(
    catalog: Catalog, samples: object
) -> None:
    from voicesync.catalog.samplecache import cache_path
    from voicesync.workspace import load_catalog

    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    first = load_catalog(catalog.path).state.voices[0].sample
    cache = cache_path(catalog.path)
    cache.write_text(json.dumps({"format_version": 2, "samples": samples}))
    again = load_catalog(catalog.path).state.voices[0].sample
    assert first is not None and again is not None and again.sha256 == first.sha256


@pytest.mark.parametrize(
    ("quiet_s", "loud_amplitude", "silent"),
    [
        (0.0, 8000, False),
        (11.0, 8000, False),
        (11.0, 300, False),
        (11.0, 150, False),
        (12.0, 0, True),
    ],
)
def test_silence_is_judged_on_the_whole_sample(
    tmp_path: Path, quiet_s: float, loud_amplitude: int, silent: bool
) -> None:
    """The scan stops at the first loud stretch, but a sample quiet for 11 s and loud only in
    its last second is loud (300 is -41 dBFS, 150 is -47: both above the -50 dBFS threshold)."""
    quiet = wav_frames(tone_wav_bytes(quiet_s, rate=16000, amplitude=40)) if quiet_s else b""
    loud = wav_frames(tone_wav_bytes(1.0, rate=16000, amplitude=loud_amplitude))
    path = tmp_path / "s.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(quiet + loud)
    info, findings = inspect_sample(path, "s.wav")
    assert info is not None and info.silent is silent
    assert any("silent" in f.message for f in findings) is silent


def wav_frames(data: bytes) -> bytes:
    with wave.open(io.BytesIO(data)) as w:
        return w.readframes(w.getnframes())

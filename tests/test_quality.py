"""Sample quality, measured on made samples: real speech from espeak-ng, and the same speech
clipped, noisy, with 10 s of leading silence, music-like tones without speech, and 4 s of speech
in 40 s. Each gets the warning it should and no other, through `voicesync validate`."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Emulator

Cli = Callable[..., CliResult]
RATE = 16000
TEXT = (
    "Welcome to the voice catalog. This narrator reads the long chapters, slowly and clearly, "
    "so that every listener can follow the story from the first page to the last. The weather "
    "today is calm, and the river runs quietly past the old mill. We begin with chapter one, "
    "where our traveller sets out before dawn."
)


@pytest.fixture(scope="session")
def speech(tmp_path_factory: pytest.TempPathFactory) -> array[int]:
    """About 20 s of espeak-ng speech, 16 kHz mono, peaking at -3 dBFS."""
    import miniaudio

    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is installed by .ci/run (Debian package espeak-ng)"
    raw = tmp_path_factory.mktemp("espeak") / "raw.wav"
    subprocess.run([espeak, "-v", "en-us", "-s", "150", "-w", str(raw), TEXT], check=True)
    samples = miniaudio.decode_file(str(raw), nchannels=1, sample_rate=RATE).samples
    peak = max(max(samples), -min(samples))  # noqa: PLW3301
    return array("h", (int(s * 23197 / peak) for s in samples))  # -3 dBFS


def wav(samples: array[int] | list[int]) -> bytes:
    import io

    out = io.BytesIO()
    with wave.open(out, "wb") as sink:
        sink.setnchannels(1)
        sink.setsampwidth(2)
        sink.setframerate(RATE)
        sink.writeframes(array("h", samples).tobytes())
    return out.getvalue()


def clipped(speech: array[int]) -> list[int]:
    return [max(-32768, min(32767, s * 8)) for s in speech]


def noisy(speech: array[int]) -> list[int]:
    rng = random.Random(7)
    return [max(-32768, min(32767, s + int(rng.gauss(0, 600)))) for s in speech]


def leading_silence(speech: array[int]) -> list[int]:
    return [0] * (10 * RATE) + list(speech)


def tones(_speech: array[int]) -> list[int]:
    """Held two-note chords, half a second each, for 20 s: music, not speech."""
    out: list[int] = []
    for note in range(40):
        f = 220 + 55 * (note % 8)
        out += [
            int(
                6000
                * (
                    math.sin(2 * math.pi * f * t / RATE)
                    + math.sin(2 * math.pi * f * 1.25 * t / RATE)
                )
            )
            for t in range(RATE // 2)
        ]
    return out


def bed(speech: array[int]) -> list[int]:
    """Speech over a pad that never stops, as loud as the speech: no pause to find a floor in."""
    return [
        max(-32768, min(32767, s + int(3000 * math.sin(2 * math.pi * 196 * i / RATE))
                        + int(3000 * math.sin(2 * math.pi * 247 * i / RATE))))
        for i, s in enumerate(speech)
    ]  # fmt: skip


def sparse(speech: array[int]) -> list[int]:
    """4 s of speech in 40 s: four phrases of a second, spread from the start to the end."""
    phrase = list(speech[RATE // 2 : RATE // 2 + RATE])
    gap = [0] * (12 * RATE)
    return phrase + gap + phrase + gap + phrase + gap + phrase


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (list, []),
        (clipped, ["of samples clip: lower the recording gain"]),
        (noisy, ["dB below the speech: record in a quieter place"]),
        (leading_silence, ["10.0 s at the start without speech: trim it"]),
        (tones, ["sounds like music or steady tones, not speech"]),
        (bed, ["dB below the speech: record in a quieter place"]),
        (sparse, ["holds ", "of speech in 40.0 s: record 10-60 s of one person talking"]),
    ],
    ids=["speech", "clipped", "noisy", "leading-silence", "tones", "bed", "sparse"],
)
def test_each_made_sample_gets_its_warning_and_no_other(
    cli: Cli,
    catalog: Catalog,
    speech: array[int],
    make: Callable[..., list[int]],
    expected: list[str],
) -> None:
    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    (catalog.root / "samples" / "v.wav").write_bytes(wav(make(speech)))
    catalog.write([{"name": "Voice", "sample": "samples/v.wav"}])
    result = cli("validate", str(catalog.path))
    assert result.code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    if not expected:
        assert warnings == [] and "(1 voice)" in result.stdout, result.output
        return
    assert len(warnings) == 1, result.stderr  # its own, and no other
    assert all(part in warnings[0] for part in expected), warnings[0]
    strict = cli("validate", str(catalog.path), "--strict")
    assert strict.code == 1 and "not valid under --strict (1 warning)" in strict.stderr


def test_the_example_mp3_ogg_and_wav_decode_and_pass(cli: Cli) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples" / "voices.yaml"
    result = cli("validate", str(examples), "--strict")
    assert result.code == 0 and "warning" not in result.stderr, result.output


def test_measures_are_cached_with_the_sample_facts_and_damage_is_only_a_lost_cache(
    cli: Cli, catalog: Catalog, speech: array[int]
) -> None:
    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    (catalog.root / "samples" / "v.wav").write_bytes(wav(clipped(speech)))
    catalog.write([{"name": "Voice", "sample": "samples/v.wav"}])
    first = cli("validate", str(catalog.path))
    cache = catalog.root / ".voicesync" / "voices.samples.json"
    data = json.loads(cache.read_text())
    quality = data["samples"][0][data["columns"].index("quality")]
    assert quality is not None and first.stderr.count("clip") == 1

    # A hand-edited (or planted) row: not numbers where numbers belong. The cache is dropped,
    # the sample measured again, the same warning given; nothing crashes.
    data["samples"][0][data["columns"].index("quality")] = ["x"] * len(quality)
    cache.write_text(json.dumps(data))
    again = cli("validate", str(catalog.path))
    assert again.code == 0 and again.stderr == first.stderr


def test_plan_judges_the_samples_it_would_upload_and_only_those(
    cli: Cli, catalog: Catalog, emulator: Emulator, speech: array[int]
) -> None:
    environ = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    (catalog.root / "samples" / "v.wav").write_bytes(wav(clipped(speech)))
    catalog.write([{"name": "Voice", "sample": "samples/v.wav"}])
    planned = cli("plan", str(catalog.path), env=environ)
    assert planned.code == 0 and "of samples clip" in planned.stderr, planned.output
    assert cli("apply", str(catalog.path), "--yes", env=environ).code == 0
    quiet = cli("plan", str(catalog.path), env=environ)  # nothing to upload: nothing judged
    assert quiet.code == 0 and "clip" not in quiet.stderr, quiet.output


def test_many_samples_are_measured_in_parallel_with_the_same_verdicts(
    cli: Cli, catalog: Catalog, speech: array[int]
) -> None:
    from voicesync.quality import POOL_FROM

    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    voices: list[dict[str, object]] = []
    for i in range(POOL_FROM + 2):  # enough for a process per core
        made = clipped(speech) if i % 2 else list(speech)
        made[i] = i  # each file its own
        (catalog.root / "samples" / f"{i}.wav").write_bytes(wav(made))
        voices.append({"name": f"Voice {i}", "sample": f"samples/{i}.wav"})
    catalog.write(voices)
    result = cli("validate", str(catalog.path))
    assert result.code == 0, result.output
    assert result.stderr.count("of samples clip") == (POOL_FROM + 2) // 2
    assert result.stderr.count("warning:") == (POOL_FROM + 2) // 2


def test_a_header_that_lies_about_its_rate_is_not_decoded(cli: Cli, catalog: Catalog) -> None:
    """A WAV saying 1 Hz would be resampled into gigabytes; it is refused from its header."""
    data = bytearray(speech_wav_bytes_for_test())
    data[24:28] = (1).to_bytes(4, "little")  # the fmt chunk's sample rate
    data[28:32] = (2).to_bytes(4, "little")  # and its byte rate
    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    (catalog.root / "samples" / "v.wav").write_bytes(bytes(data))
    catalog.write([{"name": "Voice", "sample": "samples/v.wav"}])
    result = cli("validate", str(catalog.path))
    assert result.code == 0 and "its header says 1 Hz" in result.stderr, result.output


def speech_wav_bytes_for_test() -> bytes:
    from tests.conftest import speech_wav_bytes

    return speech_wav_bytes(12)

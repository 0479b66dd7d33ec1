"""Hearing voices before they ship: voicesync preview, and apply --verify, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Emulator, FaultConfig

Cli = Callable[..., CliResult]


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def two_voices(catalog: Catalog) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")},
                   {"name": "Conteur", "sample": catalog.sample("c.wav", period=30),
                    "language": "fr"}])  # fmt: skip


def speech_bodies(emulator: Emulator) -> list[dict[str, object]]:
    return [r for r in emulator.requests() if r["operation"] == "speech"]


def test_preview_writes_what_a_managed_voice_says(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    two_voices(catalog)
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    mp3 = tmp_path / "n.mp3"
    said = cli("preview", str(catalog.path), "Narrator", "-o", str(mp3), env=env(emulator))
    assert said.code == 0, said.output
    assert mp3.read_bytes()[:2] == b"\xff\xfb" and "This is a short preview" in said.stdout
    wav = tmp_path / "c.wav"
    french = cli("preview", str(catalog.path), "Conteur", "--format", "wav", "-o", str(wav),
                 env=env(emulator))  # fmt: skip
    assert french.code == 0 and wav.read_bytes()[:4] == b"RIFF"
    assert "Bonjour" in french.stdout  # a sentence in the voice's language
    assert len(speech_bodies(emulator)) == 2


def test_preview_of_a_voice_voicesync_does_not_manage_is_a_clear_error(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    two_voices(catalog)
    result = cli("preview", str(catalog.path), "Nobody", env=env(emulator))
    assert result.code == 1 and "manages no voice named 'Nobody'" in result.stderr
    assert speech_bodies(emulator) == []


def test_apply_verify_hears_each_new_voice_once(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    two_voices(catalog)
    result = cli("apply", str(catalog.path), "--yes", "--verify", env=env(emulator))
    assert result.code == 0, result.output
    assert len(speech_bodies(emulator)) == 2  # one per new voice
    again = cli("apply", str(catalog.path), "--yes", "--verify", env=env(emulator))
    assert again.code == 0 and len(speech_bodies(emulator)) == 2  # nothing new, nothing said


def test_apply_verify_fails_a_voice_that_is_available_but_cannot_speak(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    mute = make_emulator(faults=FaultConfig(server_error_rate=1.0, operations=("speech",)))
    two_voices(catalog)
    plain = cli("apply", str(catalog.path), "--yes", env=env(mute))
    assert plain.code == 0  # without --verify nothing listens
    catalog.write([{"name": "Host", "sample": catalog.sample("h.wav", period=40)}])
    verified = cli("apply", str(catalog.path), "--yes", "--verify", "--force", env=env(mute))
    assert verified.code == 1, verified.output
    assert "is AVAILABLE but cannot speak" in verified.stdout
    assert "1 failed" in verified.stdout

"""M4A: the API reference lists MP3/WAV/OGG, voice.ai's web SDK sends M4A since 2026-03.

voicesync refuses M4A unless the catalog says the account takes it (accept: [m4a], or
validate --accept m4a); the emulator clones it only with its --accept-m4a switch.
tests/data/tone-12s.m4a is 12 s of AAC in an M4A container (made with ffmpeg).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Dialect, Emulator

Cli = Callable[..., CliResult]
M4A = Path(__file__).resolve().parent / "data" / "tone-12s.m4a"


def m4a_catalog(catalog: Catalog, **top: object) -> None:
    (catalog.root / "samples").mkdir(parents=True, exist_ok=True)
    shutil.copy(M4A, catalog.root / "samples" / "n.m4a")
    catalog.write([{"name": "Narrator", "sample": "samples/n.m4a"}], **top)


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def test_m4a_is_refused_unless_the_catalog_or_validate_accepts_it(
    cli: Cli, catalog: Catalog
) -> None:
    m4a_catalog(catalog)
    refused = cli("validate", str(catalog.path))
    assert refused.code == 1 and "is M4A" in refused.stderr
    assert "accept: [m4a]" in refused.stderr and "ffmpeg -i samples/n.m4a" in refused.stderr
    assert cli("validate", str(catalog.path), "--accept", "m4a").code == 0
    m4a_catalog(catalog, accept=["m4a"])
    accepted = cli("validate", str(catalog.path))
    assert accepted.code == 0 and "(1 voice)" in accepted.stdout


def test_an_account_that_takes_m4a_clones_it(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    emulator = make_emulator(dialect=Dialect(accept_m4a=True))
    m4a_catalog(catalog, accept=["m4a"])
    applied = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert applied.code == 0, applied.output
    (voice,) = emulator.store.all_voices()
    assert voice.name == "Narrator" and emulator.store.status_of(voice) == "AVAILABLE"
    assert cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator)).code == 0


def test_an_account_that_does_not_take_m4a_refuses_it_and_nothing_is_made(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    m4a_catalog(catalog, accept=["m4a"])  # the catalog is wrong about the account
    applied = cli("apply", str(catalog.path), "--yes", env=env(emulator))
    assert applied.code == 1 and "Unsupported audio format" in applied.output
    assert emulator.store.all_voices() == []


def test_the_emulator_takes_m4a_only_with_its_switch(
    make_emulator: Callable[..., Emulator],
) -> None:
    upload = {"file": ("n.m4a", M4A.read_bytes(), "audio/mp4")}
    auth = {"Authorization": f"Bearer {TEST_KEY}"}
    for accept, status in ((False, 422), (True, 200)):
        emulator = make_emulator(dialect=Dialect(accept_m4a=accept))
        answer = requests.post(f"{emulator.url}/api/v1/tts/clone-voice", headers=auth,
                               files=upload, timeout=10)  # fmt: skip
        assert answer.status_code == status, answer.text

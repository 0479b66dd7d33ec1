"""The CLI as a user sees it: stdout, stderr and exit code together, over real HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_KEY, CliResult
from voicesync import __version__
from voicesync.emulator import Dialect, Emulator

Cli = Callable[..., CliResult]


def env_for(emulator: Emulator, key: str = TEST_KEY) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": key}


def seed(emulator: Emulator, name: str, key: str = TEST_KEY) -> str:
    voice = requests.post(
        f"{emulator.url}/_emulator/voices",
        headers={"Authorization": f"Bearer {key}"},
        json={"name": name, "voice_visibility": "PRIVATE"},
    ).json()
    return str(voice["voice_id"])


def test_version_and_help(cli: Cli) -> None:
    version = cli("--version")
    assert (version.code, version.stdout.strip()) == (0, f"voicesync, version {__version__}")
    helped = cli("--help")
    assert helped.code == 0 and "list" in helped.stdout and "emulator" in helped.stdout


def test_list_table_and_json(cli: Cli, make_emulator: Callable[..., Emulator]) -> None:
    emulator = make_emulator(catalog_voices=1)
    voice_id = seed(emulator, "Narrator")
    table = cli("list", env=env_for(emulator))
    assert table.code == 0 and table.stderr == ""
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["VOICE_ID", "NAME", "STATUS", "VISIBILITY"]
    assert any(line.startswith(voice_id) and "Narrator" in line for line in lines)
    assert lines[-1] == "2 voices"
    as_json = cli("list", "--format", "json", env=env_for(emulator))
    rows = json.loads(as_json.stdout)
    assert {
        "voice_id": voice_id,
        "name": "Narrator",
        "status": "AVAILABLE",
        "visibility": "PRIVATE",
    } in rows


@pytest.mark.parametrize("shape", ["object", "paged", "paged-next"])
def test_list_works_against_paged_servers(
    cli: Cli, make_emulator: Callable[..., Emulator], shape: str
) -> None:
    emulator = make_emulator(dialect=Dialect(list_shape=shape, max_page_size=2))
    for i in range(5):
        seed(emulator, f"v{i}")
    result = cli("list", "--format", "json", env=env_for(emulator))
    assert result.code == 0
    assert sorted(r["name"] for r in json.loads(result.stdout)) == [f"v{i}" for i in range(5)]


def test_wrong_key_is_exit_1_with_a_message_and_no_key(
    cli: Cli, make_emulator: Callable[..., Emulator]
) -> None:
    emulator = make_emulator(api_key="vk_expected")
    secret = "vk_canary_7f3a9c2e51"
    for extra in ([], ["--debug"], ["-v"]):
        result = cli(*extra, "list", env=env_for(emulator, key=secret))
        assert result.code == 1
        assert result.stderr.startswith("error: Invalid or missing API key")
        assert "VOICEAI_API_KEY" in result.stderr and "Traceback" not in result.output
        assert secret not in result.output


def test_missing_key_names_the_variable(cli: Cli) -> None:
    result = cli("list")
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "error: no API key: set VOICEAI_API_KEY"


def test_alternative_key_variable(cli: Cli, emulator: Emulator) -> None:
    env = {"VOICEAI_BASE_URL": emulator.url, "VOICE_AI_API_KEY": TEST_KEY}
    assert cli("list", env=env).code == 0


def test_plain_http_refused_except_loopback(cli: Cli) -> None:
    result = cli(
        "list", env={"VOICEAI_API_KEY": TEST_KEY, "VOICEAI_BASE_URL": "http://voice.example"}
    )
    assert result.code == 1 and "refusing plain http" in result.stderr


def test_base_url_option_wins_over_environment(cli: Cli, emulator: Emulator) -> None:
    env = {"VOICEAI_API_KEY": TEST_KEY, "VOICEAI_BASE_URL": "http://voice.example"}
    assert cli("list", "--base-url", emulator.url, env=env).code == 0


def test_unreachable_server(cli: Cli) -> None:
    result = cli(
        "list", env={"VOICEAI_API_KEY": TEST_KEY, "VOICEAI_BASE_URL": "http://127.0.0.1:9"}
    )
    assert (
        result.code == 1 and "cannot connect" in result.stderr and "Traceback" not in result.stderr
    )


def test_usage_error_exits_1_not_2(cli: Cli) -> None:
    result = cli("list", "--bogus")
    assert result.code == 1 and "No such option" in result.stderr


def test_emulator_flag_needs_no_key(cli: Cli, tmp_path: Path) -> None:
    result = cli("list", str(tmp_path / "voices.yaml"), "--emulator")
    assert (result.code, result.stdout.strip()) == (0, "No voices.")
    assert not (tmp_path / ".voicesync").exists()  # listing writes nothing


def test_module_entry_point_and_emulator_command(tmp_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "voicesync", "emulator", "--port", "0", "--catalog-voices", "1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        banner = server.stderr.readline()
        url = banner.split("listening on ")[1].split()[0]
        listed = subprocess.run(
            [sys.executable, "-m", "voicesync", "list", "--format", "json"],
            env={"VOICEAI_BASE_URL": url, "VOICEAI_API_KEY": "vk_x", "PATH": ""},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert listed.returncode == 0, listed.stderr
    assert [r["name"] for r in json.loads(listed.stdout)] == ["Catalog Voice 1"]


def test_no_color_applies_to_errors_too(cli: Cli) -> None:
    result = cli("--no-color", "list", env={"FORCE_COLOR": "1"})
    assert result.code == 1 and result.stderr.startswith("error: no API key")
    colored = cli("list", env={"FORCE_COLOR": "1"})
    assert colored.stderr.startswith("\x1b[")


# -- hardening (issue 13: 3, 12, 17) ----------------------------------------------------------------
def test_forget_takes_just_a_name(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voicesync.model import Visibility
    from voicesync.state.store import State, VoiceRecord, load_state, save_state

    monkeypatch.chdir(tmp_path)
    Path("voices.yaml").write_text("version: 1\nvoices: []\n")
    record = VoiceRecord("v1", "a" * 64, 1, "Narrator", Visibility.PRIVATE, "en")
    save_state(Path("voices.lock.json"), State("https://dev.voice.ai", {"Narrator": record}))
    done = cli("forget", "Narrator")
    assert done.code == 0, done.output
    assert load_state(Path("voices.lock.json"), None).records == {}


def test_outputs_refuses_names_that_make_one_variable(cli: Cli, tmp_path: Path) -> None:
    from voicesync.model import Visibility
    from voicesync.state.store import State, VoiceRecord, save_state

    catalog = tmp_path / "voices.yaml"
    nothing = cli("outputs", str(catalog), "--format", "env")
    assert nothing.code == 1 and "nothing recorded" in nothing.stderr
    records = {
        n: VoiceRecord(f"id-{n}".replace(" ", "-"), "a" * 64, 1, n, Visibility.PRIVATE, "en")
        for n in ("Old Man", "old-man")
    }
    save_state(tmp_path / "voices.lock.json", State("https://dev.voice.ai", records))
    clash = cli("outputs", str(catalog), "--format", "env")
    assert clash.code == 1 and "VOICE_ID_OLD_MAN" in clash.stderr
    assert "'Old Man'" in clash.stderr and "'old-man'" in clash.stderr


@pytest.mark.parametrize("key", ["vk_first\nsecond", "vk_caf\u00e9_key"])
def test_a_key_that_cannot_be_a_header_is_a_clear_error(cli: Cli, key: str) -> None:
    result = cli("list", env={"VOICEAI_API_KEY": key, "VOICEAI_BASE_URL": "http://127.0.0.1:9"})
    assert result.code == 1 and "VOICEAI_API_KEY" in result.stderr
    assert "cannot go in an HTTP header" in result.stderr
    assert (
        key not in result.output
        and "second" not in result.output
        and "Traceback" not in result.output
    )

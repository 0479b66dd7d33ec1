"""What the benchmarks share: the emulator in its own process, catalogs, seeded accounts, and
one voicesync command timed in its own process. Everything talks to 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import requests
import yaml

# testing/ (test tooling, not installed with the package) lives beside benchmarks/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testing.tones import tone_wav
from voicesync.catalog.loader import load_config
from voicesync.emulator import account_of
from voicesync.emulator.voices import StoredVoice
from voicesync.model import Visibility
from voicesync.state.store import VoiceRecord

KEY = "vk_benchmark"
COMMAND_TIMEOUT_S = 1800.0  # no benchmarked command may run longer


def compile_package() -> None:
    """Byte-compile voicesync as ``pip install`` does for an installed wheel. An editable
    checkout run with PYTHONDONTWRITEBYTECODE=1 (set on some CI machines) otherwise compiles
    every module from source in every command, 0.1-0.3 s that no installed copy pays."""
    import compileall

    import voicesync

    compileall.compile_dir(str(Path(voicesync.__file__).parent), quiet=1)


def wav(seconds: float, rate: int = 16000, variant: int = 0) -> bytes:
    return tone_wav(
        seconds, rate, amplitude=7000, period=20 + variant % 50, tail=variant.to_bytes(4, "little")
    )


class EmulatorProcess:
    """``voicesync emulator`` on a free loopback port, stopped by its handle."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voicesync", "emulator", "--port", "0", *args],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        self.url = self.proc.stderr.readline().split("listening on ")[1].split()[0]
        assert self.url.startswith("http://127.0.0.1:"), self.url
        self.port = int(self.url.rsplit(":", 1)[1])

    def requests(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_emulator/requests", timeout=30).json())

    def clear(self) -> None:
        requests.delete(f"{self.url}/_emulator/requests", timeout=30)

    def faults(self, **settings: Any) -> None:
        requests.put(f"{self.url}/_emulator/faults", json=settings, timeout=30).raise_for_status()

    def seed(self, count: int, name: str) -> None:
        """``count`` voices of the benchmark's account, named ``name 0``, ``name 1``, ..."""
        if count:
            requests.post(
                f"{self.url}/_emulator/voices",
                headers={"Authorization": f"Bearer {KEY}"},
                json={"name": name, "count": count},
                timeout=60,
            ).raise_for_status()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=30)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_cli(*args: str, url: str) -> tuple[float, float, int, int]:
    """(wall s, CPU s, exit code, peak RSS kB) of one voicesync command in its own process.

    The peak is the process's own high-water mark (VmHWM), read while it runs: the ru_maxrss
    that wait4 reports starts from the parent's at fork, so it would count the benchmark's
    own memory (100 MB of samples built for the memory row).
    """
    env = os.environ | {"VOICEAI_BASE_URL": url, "VOICEAI_API_KEY": KEY}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicesync", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak, deadline = 0, started + COMMAND_TIMEOUT_S
    while True:
        peak = max(peak, _high_water_kb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()  # by its handle; wait4 reaps it on the next turn
        time.sleep(0.02)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, peak


def _high_water_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def write_catalog(root: Path, count: int, seconds: float, rate: int = 16000) -> Path:
    (root / "samples").mkdir(parents=True, exist_ok=True)
    voices = []
    for i in range(count):
        (root / "samples" / f"{i}.wav").write_bytes(wav(seconds, rate, variant=i))
        voices.append({"name": f"Voice {i:05}", "sample": f"samples/{i}.wav"})
    path = root / "voices.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "voices": voices}, sort_keys=False))
    return path


def emulator_state(path: Path, voices: list[StoredVoice]) -> Path:
    path.write_text(json.dumps({"voices": [asdict(v) for v in voices]}))
    return path


def declared_account(config: Path) -> tuple[list[StoredVoice], dict[str, VoiceRecord]]:
    """Every voice the catalog declares, made long ago, and the state file recording them."""
    loaded = load_config(config)
    owner, then = account_of(KEY), time.time() - 3600
    stored, records = [], {}
    for i, voice in enumerate(loaded.state.voices):
        voice_id = f"00000000-0000-4000-8000-{i:012d}"
        stored.append(StoredVoice(voice_id, owner, voice.name, "PRIVATE", "en", then, then))
        info = voice.sample
        assert info is not None
        records[voice.name] = VoiceRecord(
            voice_id, info.sha256, info.size, voice.name, Visibility.PRIVATE, "en"
        )
    return stored, records


def upload_time(url: str, samples: list[Path]) -> float:
    """Seconds to upload every sample once, one after another on one kept-alive connection:
    the least any client can spend sending them."""
    headers = {"Authorization": "Bearer vk_upload_probe"}
    total = 0.0
    with requests.Session() as session:
        for sample in samples:
            data = sample.read_bytes()
            started = time.perf_counter()
            session.post(
                f"{url}/api/v1/tts/clone-voice",
                headers=headers,
                files={"file": (sample.name, data, "audio/wav")},
            ).raise_for_status()
            total += time.perf_counter() - started
    return total

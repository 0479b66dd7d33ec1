"""voicesync benchmarks against the emulator on loopback. Prints figures; not a test.

    python benchmarks/run.py            # everything (about 10 minutes on 2 cores)
    python benchmarks/run.py --quick    # apply N=20 and plans up to 1,000 voices

1. Applying N new voices (processing 3.5 s each) with voicesync, vs the documented workflow done
   by hand (clone one voice, poll every 2 s until AVAILABLE, then the next), vs the floor
   (slowest processing + the time to upload every sample once).
2. A no-change plan of 100, 1,000 and 5,000 declared voices (paged list): wall and CPU time of
   the `voicesync plan` process and the HTTP requests it made, cold (no sample facts in the
   state file) and warm (after an apply, the usual case).
3. Peak RSS of `voicesync apply` while it uploads 100 samples of ~7 MB.

Every figure is the median of --repeat runs (default 3) on the same machine; the emulator runs
in its own process so its work is not counted as voicesync's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
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
from voicesync.catalog.samplecache import cache_path
from voicesync.emulator import account_of
from voicesync.emulator.store import StoredVoice
from voicesync.model import Visibility
from voicesync.state.store import State, VoiceRecord, save_state

KEY = "vk_benchmark"
PENDING_S, PROCESSING_S = 0.5, 3.0
HAND_POLL_S = 2.0


def wav(seconds: float, rate: int = 16000, variant: int = 0) -> bytes:
    return tone_wav(
        seconds, rate, amplitude=7000, period=20 + variant % 50, tail=variant.to_bytes(4, "little")
    )


class EmulatorProcess:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voicesync", "emulator", "--port", "0", *args],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        self.url = self.proc.stderr.readline().split("listening on ")[1].split()[0]

    def requests(self) -> list[dict[str, Any]]:
        return list(requests.get(f"{self.url}/_emulator/requests", timeout=30).json())

    def clear(self) -> None:
        requests.delete(f"{self.url}/_emulator/requests", timeout=30)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=30)


def run_cli(*args: str, url: str) -> tuple[float, float, int, int]:
    """(wall s, CPU s, exit code, max RSS kB) of one voicesync command in its own process."""
    env = os.environ | {"VOICEAI_BASE_URL": url, "VOICEAI_API_KEY": KEY}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicesync", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, usage.ru_maxrss


def write_catalog(root: Path, count: int, seconds: float, rate: int = 16000) -> Path:
    (root / "samples").mkdir(parents=True, exist_ok=True)
    voices = []
    for i in range(count):
        (root / "samples" / f"{i}.wav").write_bytes(wav(seconds, rate, variant=i))
        voices.append({"name": f"Voice {i:05}", "sample": f"samples/{i}.wav"})
    path = root / "voices.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "voices": voices}, sort_keys=False))
    return path


# -- 1. applying new voices -----------------------------------------------------------------
def hand_loop(url: str, samples: list[Path]) -> float:
    """The documented workflow, as a user would write it with requests."""
    headers = {"Authorization": "Bearer vk_by_hand"}
    started = time.perf_counter()
    for sample in samples:
        with sample.open("rb") as f:
            data = requests.post(
                f"{url}/api/v1/tts/clone-voice",
                headers=headers,
                files={"file": (sample.name, f, "audio/wav")},
                data={"name": sample.stem, "voice_visibility": "PRIVATE"},
            ).json()
        while True:
            status = requests.get(
                f"{url}/api/v1/tts/voice/{data['voice_id']}", headers=headers
            ).json()["status"]
            if status in ("AVAILABLE", "FAILED"):
                break
            time.sleep(HAND_POLL_S)
    return time.perf_counter() - started


def upload_time(url: str, samples: list[Path]) -> float:
    headers = {"Authorization": "Bearer vk_upload_probe"}
    total = 0.0
    for sample in samples:
        with sample.open("rb") as f:
            started = time.perf_counter()
            requests.post(
                f"{url}/api/v1/tts/clone-voice",
                headers=headers,
                files={"file": (sample.name, f, "audio/wav")},
            ).raise_for_status()
            total += time.perf_counter() - started
    return total


def bench_apply(count: int, repeat: int, with_hand_loop: bool) -> dict[str, Any]:
    walls, floors, hand = [], [], None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            config = write_catalog(Path(tmp), count, seconds=15)
            samples = sorted((Path(tmp) / "samples").iterdir())
            emu = EmulatorProcess(
                "--pending-s", str(PENDING_S), "--processing-s", str(PROCESSING_S)
            )
            try:
                floors.append(PENDING_S + PROCESSING_S + upload_time(emu.url, samples))
                wall, _, code, _ = run_cli("apply", str(config), "--yes", url=emu.url)
                assert code == 0, "apply failed"
                walls.append(wall)
                if with_hand_loop and hand is None:
                    hand = hand_loop(emu.url, samples)
            finally:
                emu.close()
    wall, floor = statistics.median(walls), statistics.median(floors)
    return {
        "voices": count,
        "voicesync_s": wall,
        "floor_s": floor,
        "hand_loop_s": hand,
        "vs_floor": wall / floor,
        "speedup_vs_hand": (hand / wall) if hand else None,
    }


# -- 2. no-change plans ----------------------------------------------------------------------
def seed_account(root: Path, config: Path, count: int) -> tuple[Path, Path]:
    """An emulator state with every declared voice, and a state file recording them."""
    loaded = load_config(config)
    owner, now = account_of(KEY), time.time() - 3600
    stored, records = [], {}
    for i, voice in enumerate(loaded.state.voices):
        voice_id = f"00000000-0000-4000-8000-{i:012d}"
        stored.append(asdict(StoredVoice(voice_id, owner, voice.name, "PRIVATE", "en", now, now)))
        info = voice.sample
        assert info is not None
        records[voice.name] = VoiceRecord(
            voice_id,
            info.sha256,
            info.size,
            voice.name,
            Visibility.PRIVATE,
            "en",
        )
    emulator_state = root / "emulator.json"
    emulator_state.write_text(json.dumps({"voices": stored}))
    return emulator_state, records  # type: ignore[return-value]


def bench_plan(count: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # 11 s at 1 kHz: valid samples (no duration warning), small enough for 5,000 of them.
        config = write_catalog(root / "catalog", count, seconds=11, rate=1000)
        old = time.time() - 10
        for sample in (root / "catalog" / "samples").iterdir():
            os.utime(sample, (old, old))  # written "earlier", as in a real repository
        emulator_state, records = seed_account(root, config, count)
        emu = EmulatorProcess(
            "--state", str(emulator_state), "--list-shape", "paged", "--page-size", "100"
        )
        out: dict[str, Any] = {"voices": count}
        try:
            save_state(config.parent / "voices.lock.json", State(emu.url, records))
            for label in ("cold", "warm"):
                walls, cpus = [], []
                for _ in range(repeat):
                    if label == "cold":  # a fresh checkout: no local sample cache yet
                        cache_path(config).unlink(missing_ok=True)
                    emu.clear()
                    wall, cpu, code, _ = run_cli(
                        "plan", str(config), "--detailed-exitcode", url=emu.url
                    )
                    assert code == 0, f"plan found changes or failed ({code})"
                    walls.append(wall)
                    cpus.append(cpu)
                    log = emu.requests()
                out[f"{label}_wall_s"] = statistics.median(walls)
                out[f"{label}_cpu_s"] = statistics.median(cpus)
                out["requests"] = len(log)
                out["list_pages"] = sum(1 for e in log if e["operation"] == "list")
        finally:
            emu.close()
    return out


# -- 3. memory ---------------------------------------------------------------------------------
def bench_memory(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "samples").mkdir()
        big = wav(seconds=225, rate=16000)  # ~7.2 MB
        voices = []
        for i in range(count):
            (root / "samples" / f"{i}.wav").write_bytes(big[:-4] + i.to_bytes(4, "little"))
            voices.append({"name": f"Big {i:03}", "sample": f"samples/{i}.wav"})
        config = root / "voices.yaml"
        config.write_text(yaml.safe_dump({"version": 1, "voices": voices}, sort_keys=False))
        emu = EmulatorProcess("--pending-s", "0", "--processing-s", "0.2")
        try:
            wall, _, code, rss_kb = run_cli("apply", str(config), "--yes", url=emu.url)
        finally:
            emu.close()
        assert code == 0
    return {
        "samples": count,
        "sample_mb": len(big) / 1e6,
        "peak_rss_mb": rss_kb / 1024,
        "wall_s": wall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"voicesync benchmarks ({os.cpu_count()} cores, median of {args.repeat})\n")
    print("Apply N new voices (processing 3.5 s each)")
    print(f"{'N':>5} {'voicesync':>10} {'floor':>8} {'by hand':>9} {'vs floor':>9} {'speed-up':>9}")
    for count in (20,) if args.quick else (20, 100):
        r = bench_apply(count, 1 if count > 20 else args.repeat, with_hand_loop=True)
        hand = f"{r['hand_loop_s']:.1f}s" if r["hand_loop_s"] else "-"
        speed = f"{r['speedup_vs_hand']:.0f}x" if r["speedup_vs_hand"] else "-"
        print(
            f"{count:>5} {r['voicesync_s']:>9.1f}s {r['floor_s']:>7.1f}s {hand:>9} "
            f"{r['vs_floor']:>8.2f}x {speed:>9}",
            flush=True,
        )
    print("\nNo-change plan (paged list, 100 per page)")
    print(
        f"{'N':>6} {'cold wall':>10} {'warm wall':>10} {'warm CPU':>9} {'requests':>9} {'pages':>6}"
    )
    for count in (100, 1000) if args.quick else (100, 1000, 5000):
        r = bench_plan(count, args.repeat)
        print(
            f"{count:>6} {r['cold_wall_s']:>9.2f}s {r['warm_wall_s']:>9.2f}s "
            f"{r['warm_cpu_s']:>8.2f}s {r['requests']:>9} {r['list_pages']:>6}",
            flush=True,
        )
    if not args.quick:
        print("\nPeak memory of apply uploading 100 samples of ~7 MB")
        r = bench_memory(100)
        print(
            f"  {r['samples']} x {r['sample_mb']:.1f} MB: peak RSS {r['peak_rss_mb']:.0f} MB "
            f"(apply took {r['wall_s']:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

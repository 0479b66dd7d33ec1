"""Crashes: apply killed with SIGKILL between the clone POST and its record, then run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult
from voicesync.emulator import Emulator, FaultConfig, Timing, account_of
from voicesync.state.store import load_state

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


# pytest may run with SIGINT ignored (a background job, some CI runners), and a child inherits
# that: it would never see the Ctrl-C this test sends. The child puts Python's handler back.
VOICESYNC_WITH_CTRL_C = [
    sys.executable,
    "-c",
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'voicesync'; runpy.run_module('voicesync', run_name='__main__')",
]


def committed(emulator: Emulator) -> int:
    owner = account_of(TEST_KEY)
    return sum(1 for v in emulator.store.all_voices() if v.owner == owner)


def test_kill_between_post_and_record_never_duplicates(
    make_emulator: Callable[..., Emulator], catalog: Catalog, cli: Callable[..., CliResult]
) -> None:
    emulator = make_emulator(timing=Timing(0.05, 0.1), faults=FaultConfig(reply_delay_s=30))
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    env = os.environ | {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    proc = subprocess.Popen(
        [sys.executable, "-m", "voicesync", "apply", str(catalog.path), "--yes"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while committed(emulator) == 0:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    record = load_state(catalog.state_path, emulator.url).records["Narrator"]
    assert record.pending is not None and record.pending.voice_id is None  # journalled, unanswered
    emulator.set_faults(FaultConfig())
    plan = cli(
        "plan",
        str(catalog.path),
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )
    assert "matched by the clone journal" in plan.stdout and "to clone" in plan.stdout
    assert "Plan: 0 to clone" in plan.stdout
    again = cli(
        "apply",
        str(catalog.path),
        "--yes",
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )
    assert again.code == 0, again.output
    assert committed(emulator) == 1
    record = load_state(catalog.state_path, emulator.url).records["Narrator"]
    assert record.voice_id is not None and record.pending is None


@pytest.mark.parametrize(
    ("sig", "code", "said"),
    [(signal.SIGINT, 130, "Interrupted"), (signal.SIGTERM, 143, "Terminated (SIGTERM)")],
)
def test_ctrl_c_or_sigterm_stops_queued_clones_and_records_the_ones_in_flight(
    make_emulator: Callable[..., Emulator],
    catalog: Catalog,
    cli: Callable[..., CliResult],
    sig: signal.Signals,
    code: int,
    said: str,
) -> None:
    """Ctrl-C at a terminal, SIGTERM when CI cancels the job: the same careful stop."""
    emulator = make_emulator(timing=Timing(0.05, 0.1), faults=FaultConfig(reply_delay_s=0.5))
    catalog.write(
        [
            {"name": f"V{i}", "sample": catalog.sample(f"{i}.wav", period=10 + 2 * i)}
            for i in range(10)
        ]
    )
    env = os.environ | {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}
    proc = subprocess.Popen(
        [*VOICESYNC_WITH_CTRL_C, "apply", str(catalog.path), "--yes", "--parallelism", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while committed(emulator) == 0:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == code, stderr
    assert said in stderr and "recorded" in stderr and "Traceback" not in stderr
    assert committed(emulator) <= 3  # the clone in flight finished; the queued ones never started
    state = load_state(catalog.state_path, emulator.url)
    assert sum(1 for r in state.records.values() if r.pending and r.pending.voice_id) >= 1
    emulator.set_faults(FaultConfig())
    again = cli(
        "apply",
        str(catalog.path),
        "--yes",
        env={"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )
    assert again.code == 0, again.output
    assert committed(emulator) == 10

"""Fault soak: many seeded apply cycles of a 20-50 voice catalog against the emulator with faults
on, plus rounds where the apply process is killed with SIGKILL and run again.

    python -m testing.soak --cycles 30 --kill-rounds 10 --seed 1

The emulator also shows the hazards of a real service throughout: new voices reach the list
only --list-lag-s later, the list is an object capped at --page-cap voices a page with no
total, and it holds voices the account cannot change (catalog voices and other accounts'
public ones) beside hand-made voices of the account that the catalog does not declare.

After every cycle it checks, from the emulator's own records: exactly one AVAILABLE voice per
declared name (no duplicate, none lost), no write ever sent to a voice voicesync does not
manage, those voices unchanged, a following apply with nothing to do, a state file that parses.
It prints a matrix per fault and exits 1 on any duplicate, loss, foreign write or
non-convergence.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from testing.tones import tone_wav
from voicesync import pipeline
from voicesync.api.client import RetryNotice, RetryPolicy, VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.executor import ApplyOptions
from voicesync.emulator import (
    Dialect,
    Emulator,
    EmulatorConfig,
    FaultConfig,
    Timing,
    account_of,
)
from voicesync.errors import VoicesyncError
from voicesync.plan.changes import PlanOptions
from voicesync.state.store import load_state
from voicesync.workspace import Workspace

KEY = "vk_soak_account"
MAX_RUNS = 8
FOREIGN = ("Hand-made A", "Hand-made B", "Hand-made C")
QUICK = Timing(pending_s=0.05, processing_s=0.3)
SLOW = Timing(pending_s=0.5, processing_s=2.5)
PROFILES: dict[str, tuple[FaultConfig, Timing]] = {
    "none": (FaultConfig(), QUICK),
    "5xx 10%": (FaultConfig(server_error_rate=0.10), QUICK),
    "dropped 5%": (FaultConfig(drop_rate=0.05), QUICK),
    "429 every 7th": (FaultConfig(rate_limit_every=7, retry_after_s=1), QUICK),
    "lost writes 15%": (FaultConfig(lost_write_rate=0.15), QUICK),
    "slow processing": (FaultConfig(), SLOW),
    "all at once": (
        FaultConfig(
            server_error_rate=0.10,
            drop_rate=0.05,
            rate_limit_every=7,
            retry_after_s=1,
            lost_write_rate=0.15,
        ),
        QUICK,
    ),
}
KILL = "kill -9 + all faults"
KILL_AFTER_REQUESTS_MAX = 40  # the kill lands after 1 to this many API requests
KILL_WAIT_S = 30.0


@dataclass
class Row:
    runs: int = 0
    converged: int = 0
    duplicates: int = 0
    lost: int = 0
    extra: int = 0
    foreign_touched: int = 0
    foreign_writes: int = 0
    faults: int = 0
    retries: int = 0
    reruns: int = 0


@dataclass(frozen=True)
class SoakConfig:
    cycles: int = 30
    kill_rounds: int = 10
    seed: int = 1
    min_voices: int = 20
    max_voices: int = 50
    workdir: Path | None = None
    verbose: bool = False
    list_lag_s: float = 2.0
    page_cap: int = 10  # 0: a bare array, as first-party
    catalog_voices: int = 3
    public_voices: int = 3
    grace_s: float = 6.0  # covers the list lag with room to spare


@dataclass
class SoakReport:
    rows: dict[str, Row] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(
            r.duplicates == r.lost == r.extra == r.foreign_touched == r.foreign_writes == 0
            and r.converged == r.runs
            for r in self.rows.values()
        )


class _Catalog:
    """The soak's voices.yaml, mutated a little every cycle (seeded)."""

    def __init__(self, root: Path, rng: random.Random, size: tuple[int, int]) -> None:
        self.root, self.rng, self.size = root, rng, size
        self.path = root / "voices.yaml"
        self.voices: dict[str, dict[str, Any]] = {}
        self.counter = 0
        (root / "samples").mkdir(parents=True, exist_ok=True)

    def _sample(self) -> str:
        self.counter += 1
        name = f"samples/s{self.counter}.wav"
        (self.root / name).write_bytes(
            tone_wav(0.3 + (self.counter % 7) / 20, amplitude=6000, period=8 + self.counter % 400)
        )
        return name

    def mutate(self) -> None:
        rng, names = self.rng, list(self.voices)
        target = rng.randint(*self.size)
        for _ in range(max(0, target - len(names)) or rng.randint(0, 3)):
            self.voices[f"Voice {self.counter + 1}"] = {"sample": self._sample()}
        for name in rng.sample(names, k=min(len(names), rng.randint(4, 12))):
            roll = rng.random()
            if roll < 0.3 and len(self.voices) > self.size[0]:
                del self.voices[name]
            elif roll < 0.55:
                entry = self.voices.pop(name)
                self.voices[f"{name} r{self.counter}"] = entry | {"previous_names": [name]}
                self.counter += 1
            elif roll < 0.8:
                self.voices[name]["visibility"] = rng.choice(["PUBLIC", "PRIVATE"])
            else:
                self.voices[name]["sample"] = self._sample()
        self.write()

    def write(self) -> None:
        voices = [
            {"name": n}
            | {k: v for k, v in e.items() if k != "previous_names"}
            | ({"previous_names": e["previous_names"]} if "previous_names" in e else {})
            for n, e in self.voices.items()
        ]
        self.path.write_text(yaml.safe_dump({"version": 1, "voices": voices}, sort_keys=False))
        for entry in self.voices.values():
            entry.pop("previous_names", None)  # a rename is applied once


class Soak:
    def __init__(self, config: SoakConfig, workdir: Path) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.catalog = _Catalog(workdir, self.rng, (config.min_voices, config.max_voices))
        self.emulator = Emulator(_hazardous(config)).start()
        self.owner = account_of(KEY)
        self.foreign = {
            self.emulator.store.seed_voice(self.owner, name=n, visibility="PRIVATE").voice_id: n
            for n in FOREIGN
        }
        # Voices the account cannot change must never receive a write either.
        self.untouchable = {v.voice_id for v in self.emulator.store.all_voices()}
        self.retries = 0
        self.report = SoakReport()

    def close(self) -> None:
        self.emulator.close()

    # -- one cycle ------------------------------------------------------------------------
    def cycle(self, index: int, profile: str) -> None:
        faults, timing = PROFILES[profile]
        self.catalog.mutate()
        self.emulator.store.timing = timing
        self.emulator.set_faults(_seeded(faults, self.config.seed * 1000 + index))
        self.emulator.clear_requests()
        self._record(profile, self._converge())

    def kill_round(self, index: int) -> None:
        self.catalog.mutate()
        faults, _ = PROFILES["all at once"]
        self.emulator.store.timing = QUICK
        self.emulator.set_faults(_seeded(faults, self.config.seed * 7919 + index))
        self.emulator.clear_requests()
        env = os.environ | {"VOICEAI_BASE_URL": self.emulator.url, "VOICEAI_API_KEY": KEY}
        proc = subprocess.Popen(
            [sys.executable, "-m", "voicesync", "apply", str(self.catalog.path), "--yes"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Killed after a seeded number of API requests, not after a wall-clock delay: the same
        # seed covers the same moments (mid-upload, after a lost answer, while waiting) on a
        # fast machine and a slow one.
        self._kill_after_requests(proc, self.rng.randint(1, KILL_AFTER_REQUESTS_MAX))
        self._record(KILL, self._converge())

    def _kill_after_requests(self, proc: subprocess.Popen[bytes], count: int) -> None:
        deadline = time.monotonic() + KILL_WAIT_S
        while (
            len(self.emulator.requests()) < count
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=KILL_WAIT_S)

    def _converge(self) -> int | None:
        """Apply until there is nothing to do; the number of applies, None if it never got there."""
        for run in range(1, MAX_RUNS + 1):
            if run == MAX_RUNS - 1:
                self.emulator.set_faults(FaultConfig())  # the last tries see a calm service
            try:
                applied = self._apply()
            except VoicesyncError as exc:
                self._say(f"    apply {run}: {exc}")
                continue
            if applied.result is None:
                return run
            if not applied.result.ok:
                failed = [r.message for r in applied.result.results if r.outcome.value == "failed"]
                self._say(f"    apply {run}: {len(failed)} failed, e.g. {failed[0][:120]}")
        return None

    def _apply(self) -> Any:
        policy = RetryPolicy(attempts=8, backoff_s=0.05, backoff_max_s=1.0, jitter_s=0.05)
        options = ApplyOptions(
            parallelism=4,
            poll_min_s=0.05,
            poll_max_s=0.5,
            grace_s=self.config.grace_s,
            wait_timeout_s=60,
        )
        with VoiceAIClient(
            Connection(self.emulator.url, KEY), retry=policy, on_retry=self._count_retry
        ) as api:
            return pipeline.apply(
                Workspace.open(self.catalog.path),
                api,
                options=PlanOptions(force=True),
                apply_options=options,
            )

    def _count_retry(self, _notice: RetryNotice) -> None:
        self.retries += 1

    # -- checking -------------------------------------------------------------------------
    def _record(self, profile: str, runs: int | None) -> None:
        row = self.report.rows.setdefault(profile, Row())
        row.runs += 1
        row.converged += runs is not None
        row.reruns += max(0, (runs or MAX_RUNS) - 2)
        row.faults += sum(1 for e in self.emulator.requests() if e.get("fault"))
        row.retries += self.retries
        self.retries = 0
        duplicates, lost, extra, foreign = self.check()
        row.duplicates += duplicates
        row.lost += lost
        row.extra += extra
        row.foreign_touched += foreign
        row.foreign_writes += sum(
            1
            for e in self.emulator.requests()
            if e["method"] != "GET" and e["path"].rsplit("/", 1)[-1] in self.untouchable
        )

    def check(self) -> tuple[int, int, int, int]:
        store = self.emulator.store
        live = [v for v in store.all_voices() if v.owner == self.owner and v.deleted_at is None]
        names = Counter(v.name for v in live)
        declared = set(self.catalog.voices)
        duplicates = sum(n - 1 for name, n in names.items() if n > 1)
        available = {v.name for v in live if store.status_of(v) == "AVAILABLE"}
        lost = len(declared - available)
        extra = sum(1 for v in live if v.name not in declared and v.voice_id not in self.foreign)
        foreign = sum(
            1
            for voice_id, name in self.foreign.items()
            if (v := next(x for x in store.all_voices() if x.voice_id == voice_id)).deleted_at
            or v.name != name
            or v.visibility != "PRIVATE"
        )
        load_state(self.catalog.root / "voices.lock.json", self.emulator.url)  # must parse
        return duplicates, lost, extra, foreign

    def _say(self, text: str) -> None:
        if self.config.verbose:
            print(text, file=sys.stderr)


def _hazardous(config: SoakConfig) -> EmulatorConfig:
    dialect = Dialect(
        list_shape="capped" if config.page_cap else "array",
        page_size=config.page_cap or 10,
        max_page_size=config.page_cap or 10,
        list_public=True,
        list_lag_s=config.list_lag_s,
    )
    return EmulatorConfig(
        timing=QUICK,
        seed=config.seed,
        dialect=dialect,
        catalog_voices=config.catalog_voices,
        public_voices=config.public_voices,
    )


def _seeded(faults: FaultConfig, seed: int) -> FaultConfig:
    return replace(faults, seed=seed)


def run_soak(config: SoakConfig) -> SoakReport:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="voicesync-soak-") as tmp:
        soak = Soak(config, config.workdir or Path(tmp))
        try:
            profiles = list(PROFILES)
            for i in range(config.cycles):
                profile = profiles[i % len(profiles)]
                soak._say(
                    f"cycle {i + 1}/{config.cycles}: {profile}, {len(soak.catalog.voices)} voices"
                )
                soak.cycle(i, profile)
            for j in range(config.kill_rounds):
                soak._say(f"kill round {j + 1}/{config.kill_rounds}")
                soak.kill_round(j)
        finally:
            soak.close()
    soak.report.seconds = time.monotonic() - started
    return soak.report


def matrix(report: SoakReport) -> str:
    headers = [
        "fault",
        "runs",
        "converged",
        "duplicates",
        "lost",
        "extra",
        "untouched",
        "foreign writes",
        "faults hit",
        "retries",
        "re-runs",
    ]
    rows = [
        [
            name,
            str(r.runs),
            f"{r.converged}/{r.runs}",
            str(r.duplicates),
            str(r.lost),
            str(r.extra),
            "yes" if r.foreign_touched == 0 else f"NO ({r.foreign_touched})",
            str(r.foreign_writes),
            str(r.faults),
            str(r.retries),
            str(r.reruns),
        ]
        for name, r in report.rows.items()
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in [headers, *rows]
    ]
    total = sum(r.runs for r in report.rows.values())
    verdict = "PASS" if report.ok else "FAIL"
    lines.append(f"\n{verdict}: {total} runs in {report.seconds:.0f} s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m testing.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--kill-rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-voices", type=int, default=20)
    parser.add_argument("--max-voices", type=int, default=50)
    parser.add_argument("--list-lag-s", type=float, default=2.0)
    parser.add_argument("--page-cap", type=int, default=10, help="0: a bare-array list")
    parser.add_argument("--grace-s", type=float, default=6.0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    config = SoakConfig(
        cycles=args.cycles,
        kill_rounds=args.kill_rounds,
        seed=args.seed,
        min_voices=args.min_voices,
        max_voices=args.max_voices,
        verbose=args.verbose,
        list_lag_s=args.list_lag_s,
        page_cap=args.page_cap,
        grace_s=args.grace_s,
    )
    report = run_soak(config)
    print(matrix(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

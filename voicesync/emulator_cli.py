"""Turns ``voicesync emulator`` options into an emulator (kept apart from the click wiring)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from voicesync.emulator import Dialect, Emulator, EmulatorConfig, FaultConfig, Timing
from voicesync.errors import UsageError


def build_emulator(opts: Mapping[str, Any], environ: Mapping[str, str]) -> Emulator:
    dialect = Dialect.third_party() if opts["dialect"] == "third-party" else Dialect()
    if opts.get("list_shape"):
        dialect = replace(dialect, list_shape=opts["list_shape"])
    dialect = replace(
        dialect, list_public=opts.get("list_public", False), list_lag_s=opts.get("list_lag_s", 0.0),
        list_omits_processing=opts.get("list_omits_processing", False),
    )  # fmt: skip
    if opts.get("error_shape"):
        dialect = replace(dialect, error_shape=opts["error_shape"])
    if opts.get("accept_put"):
        dialect = replace(dialect, accept_put=True)
    if opts.get("page_size"):
        dialect = replace(dialect, page_size=opts["page_size"], max_page_size=opts["page_size"])
    api_key = None
    if opts.get("api_key_env"):
        api_key = environ.get(opts["api_key_env"], "").strip()
        if not api_key:
            raise UsageError(f"--api-key-env names {opts['api_key_env']}, which is not set")
    faults = FaultConfig(
        seed=opts["seed"], server_error_rate=opts["server_error_rate"],
        drop_rate=opts["drop_rate"], lost_write_rate=opts["lost_write_rate"],
        rate_limit_every=opts["rate_limit_every"], retry_after_s=opts["retry_after"],
        html_errors=opts["html_errors"], latency_s=opts["latency_s"],
        commit_error_rate=opts.get("commit_error_rate", 0.0),
    )  # fmt: skip
    config = EmulatorConfig(
        api_key=api_key, timing=Timing(opts["pending_s"], opts["processing_s"]),
        dialect=dialect, faults=faults, catalog_voices=opts["catalog_voices"],
        public_voices=opts.get("public_voices", 0),
        max_voices=opts["max_voices"], seed=opts["seed"], state_path=opts.get("state_path"),
        access_log=opts["access_log"],
    )  # fmt: skip
    return Emulator(config, host=opts["host"], port=opts["port"])

"""``voicesync emulator``: the built-in emulator of the voice.ai API as an HTTP server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import click

from voicesync.cli.console import app
from voicesync.cli.options import grouped
from voicesync.emulator import Dialect, Emulator, EmulatorConfig, FaultConfig, Timing
from voicesync.errors import ExitStatus, UsageError
from voicesync.localfiles import atomic_write_bytes


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    """The options of ``voicesync emulator``, one field per option."""

    host: str
    port: int
    state_path: Path | None
    api_key_env: str | None
    pending_s: float
    processing_s: float
    catalog_voices: int
    max_voices: int
    dialect: str
    public_voices: int
    list_public: bool
    list_lag_s: float
    list_omits_processing: bool
    list_shape: str | None
    page_size: int | None
    error_shape: str | None
    accept_put: bool
    available_status: str
    accept_m4a: bool
    seed: int
    server_error_rate: float
    drop_rate: float
    lost_write_rate: float
    rate_limit_every: int
    rate_limit_per_s: float
    commit_error_rate: float
    retry_after: int
    html_errors: bool
    latency_s: float
    access_log: bool


def build_emulator(opts: EmulatorOptions, environ: Mapping[str, str]) -> Emulator:
    dialect = Dialect.third_party() if opts.dialect == "third-party" else Dialect()
    if opts.list_shape:
        dialect = replace(dialect, list_shape=opts.list_shape)
    dialect = replace(
        dialect,
        list_public=opts.list_public,
        list_lag_s=opts.list_lag_s,
        list_omits_processing=opts.list_omits_processing,
        accept_put=opts.accept_put or dialect.accept_put,
        available_status=opts.available_status,
        accept_m4a=opts.accept_m4a,
    )
    if opts.error_shape:
        dialect = replace(dialect, error_shape=opts.error_shape)
    if opts.page_size:
        dialect = replace(dialect, page_size=opts.page_size, max_page_size=opts.page_size)
    api_key = None
    if opts.api_key_env:
        api_key = environ.get(opts.api_key_env, "").strip()
        if not api_key:
            raise UsageError(f"--api-key-env names {opts.api_key_env}, which is not set")
    faults = FaultConfig(
        seed=opts.seed,
        server_error_rate=opts.server_error_rate,
        drop_rate=opts.drop_rate,
        lost_write_rate=opts.lost_write_rate,
        rate_limit_every=opts.rate_limit_every,
        rate_limit_per_s=opts.rate_limit_per_s,
        retry_after_s=opts.retry_after,
        html_errors=opts.html_errors,
        latency_s=opts.latency_s,
        commit_error_rate=opts.commit_error_rate,
    )
    config = EmulatorConfig(
        api_key=api_key,
        timing=Timing(opts.pending_s, opts.processing_s),
        dialect=dialect,
        faults=faults,
        catalog_voices=opts.catalog_voices,
        public_voices=opts.public_voices,
        max_voices=opts.max_voices,
        seed=opts.seed,
        state_path=opts.state_path,
        write_file=atomic_write_bytes if opts.state_path else None,
        access_log=opts.access_log,
    )
    return Emulator(config, host=opts.host, port=opts.port)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0: any free).")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Persist voices in this JSON file across restarts.",
)
@click.option(
    "--api-key-env",
    metavar="VAR",
    help="Require the key held in this variable (else any key works).",
)
@click.option(
    "--pending-s",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds a new voice stays PENDING.",
)
@click.option(
    "--processing-s", type=float, default=3.0, show_default=True, help="Then seconds PROCESSING."
)
@click.option(
    "--catalog-voices",
    type=int,
    default=0,
    show_default=True,
    help="Public voices owned by voice.ai, listed but not changeable.",
)
@click.option("--max-voices", type=int, default=0, help="Voice slots per account (0: no limit).")
@click.option(
    "--dialect",
    type=click.Choice(["first-party", "third-party"]),
    default="first-party",
    show_default=True,
    help="third-party: the shapes of the third-party manifest (paged list, visibility, ...).",
)
@click.option(
    "--public-voices",
    type=int,
    default=0,
    show_default=True,
    help="PUBLIC voices of another account (listed with --list-public).",
)
@click.option("--list-public", is_flag=True, help="The list shows other accounts' PUBLIC voices.")
@click.option(
    "--list-lag-s",
    type=float,
    default=0.0,
    show_default=True,
    help="New voices show in the list only this long after creation.",
)
@click.option(
    "--list-omits-processing",
    is_flag=True,
    help="The list leaves out voices still PENDING or PROCESSING.",
)
@click.option(
    "--list-shape",
    type=click.Choice(["array", "object", "paged", "paged-next", "capped"]),
    help="capped: an object list that honours limit/offset up to --page-size and "
    "says nothing of a total.",
)
@click.option("--page-size", type=int, help="Largest page a paged list returns.")
@click.option(
    "--error-shape",
    type=click.Choice(["fastapi", "official"]),
    help="Error bodies: {detail}, or ErrorResponse {error, detail, code}.",
)
@click.option(
    "--accept-m4a", is_flag=True, help="Clone M4A samples too (voice.ai's web SDK sends them)."
)
@click.option(
    "--available-status",
    default="AVAILABLE",
    show_default=True,
    help="What the service calls a finished voice (e.g. READY, to test unknown statuses).",
)
@click.option("--accept-put", is_flag=True, help="Also update with PUT (the n8n node does).")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of voice ids and injected faults."
)
@click.option(
    "--server-error-rate", type=float, default=0.0, help="Share of requests answered 5xx."
)
@click.option(
    "--drop-rate", type=float, default=0.0, help="Share of connections dropped unanswered."
)
@click.option(
    "--lost-write-rate",
    type=float,
    default=0.0,
    help="Commit a write, then drop the connection before replying.",
)
@click.option("--rate-limit-every", type=int, default=0, help="Answer every Nth request 429.")
@click.option(
    "--rate-limit-per-s",
    type=float,
    default=0.0,
    help="A rate limit: at most this many requests a second (bursts of 5); the rest get 429.",
)
@click.option(
    "--commit-error-rate", type=float, default=0.0, help="Commit a write, then answer 500."
)
@click.option(
    "--retry-after",
    type=int,
    default=1,
    show_default=True,
    help="Retry-After seconds of injected 429s.",
)
@click.option("--html-errors", is_flag=True, help="Injected errors come as a proxy's HTML page.")
@click.option("--latency-s", type=float, default=0.0, help="Delay before every answer.")
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@grouped(EmulatorOptions, "options")
def emulator_command(options: EmulatorOptions) -> int:
    """Run the built-in emulator of the voice.ai API as an HTTP server."""
    emulator = build_emulator(options, os.environ)
    console = app().console
    console.info(f"voicesync emulator listening on {emulator.url} (Ctrl-C to stop)")
    console.info(f"  export VOICEAI_BASE_URL={emulator.url} VOICEAI_API_KEY=vk_anything")
    try:
        emulator.httpd.serve_forever()
    finally:
        emulator.httpd.server_close()
    return ExitStatus.OK

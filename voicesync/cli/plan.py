"""The read-only commands: list, validate, plan and show. None of them changes anything."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from voicesync.api.client import ReadOnlyClient
from voicesync.cli.console import app, plural, print_problems, problem_rows, report
from voicesync.cli.options import (
    DEFAULT_CONFIG,
    PLAN_FORMAT,
    Selection,
    TargetOptions,
    allow_outside_option,
    client_options,
    config_argument,
    format_option,
    planning,
    render_plan,
    selection_options,
    target_options,
)
from voicesync.cli.render import voices_table
from voicesync.errors import ConfigError, ExitStatus, Problem, Severity
from voicesync.model import AudioFormat, RemoteVoice
from voicesync.plan.planfile import plan_from_saved, read_plan_file, voice_row, write_plan_file
from voicesync.workspace import StateOnly, validate_catalog


@click.command("list")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@format_option(("table", "json"), "table for people, json for tools.")
@target_options
def list_command(config: Path | None, fmt: str, where: TargetOptions) -> int:
    """List the account's voices, marked managed, declared (unrecorded) or unmanaged."""
    # Without a catalog the voices are listed unmarked, from the API the runner chose.
    here = StateOnly.open(config or Path(DEFAULT_CONFIG), where.target)
    with here.connect() as conn, ReadOnlyClient(conn, **client_options(where)) as client:
        voices = client.list_voices()
        marks = _marks(here, conn.endpoint, voices) if here.workspace else {}
    console = app().console
    env = here.environment
    if fmt == "json":
        rows = [voice_row(v) | ({"managed": marks[v.voice_id]} if marks else {}) for v in voices]
        console.out(json.dumps(rows, indent=2))
    else:
        table = voices_table(voices, marks or None)
        console.out(table + (f" (environment {env.name})" if env and voices else ""))
    return ExitStatus.OK


def _marks(where: StateOnly, endpoint: str, voices: Sequence[RemoteVoice]) -> dict[str, str]:
    """How to mark voices, from the state file and the names voices.yaml declares."""
    state = where.state(endpoint)
    declared, recorded = where.declared_names, state.recorded_ids()
    return {
        v.voice_id: "managed"
        if v.voice_id in recorded
        else "foreign"
        if v.voice_id in state.foreign
        else "declared (unrecorded)"
        if v.name in declared
        else "unmanaged"
        for v in voices
    }


@click.command("validate")
@click.argument("configs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@allow_outside_option
@format_option(("text", "json"), "text (FILE:LINE:COL lines) or json for tools and editors.")
@click.option(
    "--accept",
    multiple=True,
    type=click.Choice(["m4a"]),
    help="Also accept this format, as the catalog's accept: [m4a] says (repeatable).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings are errors: a sample that would clone badly fails validation (exit 1).",
)
def validate_command(
    configs: tuple[Path, ...],
    allow_outside: tuple[Path, ...],
    fmt: str,
    accept: tuple[str, ...],
    strict: bool,
) -> int:
    """Check voices.yaml (or each FILE given) and how well its samples will clone. No network.

    Each sample's format, size and length, then what its decoded audio measures: seconds of
    speech, clipping, level, the noise floor, sample rate, silence at either end (README,
    "Sample quality"). Measures are cached beside the catalog in .voicesync/.
    """
    formats = frozenset(AudioFormat(a) for a in accept)
    codes = [
        _validate_one(c, allow_outside, fmt, formats, strict)
        for c in configs or (Path(DEFAULT_CONFIG),)
    ]
    return max(codes)


def _validate_one(
    config: Path,
    allow_outside: tuple[Path, ...],
    fmt: str,
    accept: frozenset[AudioFormat],
    strict: bool,
) -> int:
    console = app().console
    try:
        loaded, warnings = validate_catalog(config, allow_outside=allow_outside, accept=accept)
    except ConfigError as exc:
        if fmt == "json":
            console.out(_problems_json(False, exc.problems))
        else:
            report(exc, console)
        return ExitStatus.ERROR
    if strict:
        warnings = tuple(replace(w, severity=Severity.ERROR) for w in warnings)
    valid = not (strict and warnings)
    if fmt == "json":
        console.out(_problems_json(valid, warnings))
        return ExitStatus.OK if valid else ExitStatus.ERROR
    print_problems(warnings)
    if not valid:
        console.error(
            f"{config}: not valid under --strict ({plural(len(warnings), 'warning')})",
            "fix the samples named above, or drop --strict to accept them",
        )
        return ExitStatus.ERROR
    counted = [plural(len(loaded.state.voices), "voice")]
    counted += [plural(len(warnings), "warning")] if warnings else []
    console.out(f"{config}: valid ({', '.join(counted)})")
    return ExitStatus.OK


def _problems_json(valid: bool, problems: Sequence[Problem]) -> str:
    return json.dumps({"valid": valid, "problems": problem_rows(problems)}, indent=2)


@click.command("plan")
@config_argument
@PLAN_FORMAT
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Save the plan for apply --plan."
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@selection_options
@target_options
def plan_command(
    config: Path,
    fmt: str,
    out: Path | None,
    detailed_exitcode: bool,
    where: TargetOptions,
    selection: Selection,
) -> int:
    """Show what apply would change. Never changes anything."""
    shown_only = out is None and fmt == "text"  # the text never shows the fingerprint
    with planning(config, where, selection, digests=not shown_only) as planned:
        app().console.out(render_plan(planned.plan, fmt))
        if out is not None:
            write_plan_file(out, planned.plan)
            target = "".join(
                f" {flag} {shlex.quote(str(value))}"
                for flag, value in (("--env", where.env_name), ("--state", where.state_path))
                if value is not None
            ) + (" --emulator" if where.emulator else "")
            app().console.info(
                f"Saved the plan to {out}; apply it with: "
                f"voicesync apply {shlex.quote(str(config))}{target} --plan {shlex.quote(str(out))}"
            )
    return ExitStatus.CHANGES if detailed_exitcode and planned.plan.has_changes else ExitStatus.OK


@click.command("show")
@click.argument("plan_file", metavar="PLANFILE", type=click.Path(dir_okay=False, path_type=Path))
@PLAN_FORMAT
def show_command(plan_file: Path, fmt: str) -> int:
    """Render a plan saved by plan --out, exactly as it was made. Needs no key or network.

    \b
    Example: voicesync plan --out plan.json && voicesync show plan.json --format markdown
    """
    app().console.out(render_plan(plan_from_saved(read_plan_file(plan_file), plan_file), fmt))
    return ExitStatus.OK

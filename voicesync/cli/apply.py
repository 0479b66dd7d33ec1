"""The commands that change the account (apply, destroy) and read the state (outputs)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.warmup import pool_size_for
from voicesync.apply.executor import ApplyOptions
from voicesync.cli.console import app, print_problems
from voicesync.cli.options import (
    F,
    Selection,
    TargetOptions,
    client_options,
    config_argument,
    emulator_option,
    env_option,
    finite,
    format_option,
    print_notices,
    render_plan,
    selection_options,
    state_option,
    target_options,
)
from voicesync.cli.progress import Progress
from voicesync.cli.render import apply_json, apply_summary
from voicesync.errors import ExitStatus, StateError, UsageError
from voicesync.pipeline import Applied, Planned
from voicesync.plan.changes import Plan
from voicesync.state.store import load_state
from voicesync.workspace import StateOnly, Target, Workspace


def yes_option(func: F) -> F:
    return click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")(func)


def parallelism_option(func: F) -> F:
    return click.option(
        "--parallelism",
        type=click.IntRange(1, 64),
        default=4,
        show_default=True,
        help="Calls at once at most (lowered by itself when the API says 429).",
    )(func)


result_format_option = format_option(
    ("text", "json"), "text for people; json (stdout) for tools, errors included."
)


def grace_option(func: F) -> F:
    return click.option(
        "--grace-period",
        type=click.FloatRange(min=0),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        callback=finite,
        help="How long after a clone's upload its voice may take to show in the list. A clone "
        "whose answer was lost is looked for this long before it is sent again.",
    )(func)


def _confirm(yes: bool, action: str) -> Any:
    def confirm(plan: Plan) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                f"refusing to {action} without confirmation: no terminal to ask on",
                hint="pass --yes (in CI, after reviewing the plan)",
            )
        return click.confirm(f"Do you want to {action} these changes?", default=False, err=True)

    return confirm


def _shown(fmt: str, command: str) -> pipeline.Show:
    def show(planned: Planned) -> None:
        print_problems(planned.warnings)
        print_notices(planned)
        if fmt == "text":
            app().console.out(render_plan(planned.plan, "text", command=command))

    return show


@contextmanager
def _api(workspace: Workspace, where: TargetOptions, parallelism: int) -> Iterator[VoiceAIClient]:
    with (
        workspace.connect() as connection,
        VoiceAIClient(
            connection, pool_size=pool_size_for(parallelism), **client_options(where)
        ) as api,
    ):
        yield api


def _report(applied: Applied, fmt: str, command: str) -> ExitStatus:
    console = app().console
    result = applied.result
    if fmt == "json":
        payload = apply_json(result) if result else {"ok": True, "results": []}
        console.out(json.dumps(payload, indent=2))
    elif result is not None:
        console.out("")
        console.out(apply_summary(result, command))
    return ExitStatus.OK if result is None or result.ok else ExitStatus.ERROR


@click.command("apply")
@config_argument
@yes_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Apply a plan saved by plan --out, if still current.",
)
@parallelism_option
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    callback=finite,
    help="Seconds the apply may take in all, waits for new voices included; voices still "
    "processing then stay recorded (apply again to go on waiting).",
)
@click.option("--no-wait", is_flag=True, help="Return once clones are accepted.")
@click.option(
    "--verify",
    is_flag=True,
    help="After the waits, each new voice speaks one sentence; one that cannot fails.",
)
@grace_option
@click.option("--force", is_flag=True, help="Lift the delete/replace thresholds (not protection).")
@result_format_option
@selection_options
@target_options
def apply_command(
    config: Path,
    yes: bool,
    plan_file: Path | None,
    parallelism: int,
    wait_timeout: float,
    no_wait: bool,
    verify: bool,
    grace_period: float,
    force: bool,
    fmt: str,
    where: TargetOptions,
    selection: Selection,
) -> int:
    """Clone, update, replace and delete until the account matches voices.yaml."""
    if plan_file and (selection.given or force):
        raise UsageError("--plan applies a saved plan as it is; plan again to change options")
    if verify and no_wait:
        raise UsageError("--verify needs the waits: a voice speaks only once it is AVAILABLE")
    apply_options = ApplyOptions(
        parallelism=parallelism,
        wait=not no_wait,
        wait_timeout_s=wait_timeout,
        grace_s=grace_period,
        verify=verify,
    )
    workspace = where.open(config, allow_outside=selection.allow_outside)
    progress = Progress(app().console, tty=sys.stderr.isatty())
    with _api(workspace, where, parallelism) as api:
        if plan_file is not None:
            applied = pipeline.apply_saved(
                workspace,
                api,
                plan_file,
                apply_options=apply_options,
                show=_shown(fmt, "plan"),
                on_event=progress,
            )
        else:
            applied = pipeline.apply(
                workspace,
                api,
                selection.plan_options(force),
                apply_options=apply_options,
                show=_shown(fmt, "plan"),
                confirm=_confirm(yes, "apply"),
                on_event=progress,
            )
    return _report(applied, fmt, "apply")


@click.command("destroy")
@config_argument
@yes_option
@parallelism_option
@result_format_option
@click.option(
    "--force", is_flag=True, help="Also destroy a non-ephemeral environment (not protection)."
)
@grace_option
@target_options
def destroy_command(
    config: Path,
    yes: bool,
    parallelism: int,
    fmt: str,
    force: bool,
    grace_period: float,
    where: TargetOptions,
) -> int:
    """Delete every voice the state file manages (for ephemeral environments)."""
    workspace = where.open(config, samples=False)
    pipeline.check_destroyable(workspace, force=force)  # before the key is looked for
    with _api(workspace, where, parallelism) as api:
        applied = pipeline.destroy(
            workspace,
            api,
            force=force,
            apply_options=ApplyOptions(parallelism=parallelism, grace_s=grace_period),
            show=_shown(fmt, "destroy"),
            confirm=_confirm(yes, "destroy"),
            on_event=Progress(app().console, tty=sys.stderr.isatty()),
        )
    if not workspace.state_path.exists() and applied.result is not None:
        app().console.info(
            f"Removed {workspace.state_path}: the environment holds no voice any more."
        )
    return _report(applied, fmt, "destroy")


@click.command("outputs")
@config_argument
@format_option(("json", "env"), "json, or env lines (VOICE_ID_NAME=id) for a shell or $GITHUB_ENV.")
@emulator_option(help="Use the state kept for the built-in emulator.")
@state_option
@env_option
def outputs_command(
    config: Path, fmt: str, emulator: bool, state_path: Path | None, env_name: str | None
) -> int:
    """Print declared name → voice_id of every managed voice, for the apps that use them.

    The keys are the same in every environment, whatever the remote names."""
    path = StateOnly.open(config, Target(None, emulator, env_name, state_path)).state_path
    if not path.exists():
        raise StateError(
            f"nothing recorded: there is no state file {path}",
            hint="apply the catalog first (voicesync apply)",
        )
    ids = pipeline.outputs(load_state(path, None))
    if fmt == "env":
        _refuse_clashes(ids)
        lines = [f"VOICE_ID_{variable_name(name)}={voice_id}" for name, voice_id in ids.items()]
        app().console.out("\n".join(lines))
    else:
        app().console.out(json.dumps(ids, indent=2, sort_keys=True))
    return ExitStatus.OK


def _refuse_clashes(ids: dict[str, str]) -> None:
    """Two names that make one variable would hand an application the wrong voice."""
    by_variable: dict[str, list[str]] = {}
    for name in ids:
        by_variable.setdefault(variable_name(name), []).append(name)
    clashes = {v: names for v, names in by_variable.items() if len(names) > 1}
    if clashes:
        listed = "; ".join(
            f"VOICE_ID_{v} from " + " and ".join(f"'{n}'" for n in names)
            for v, names in sorted(clashes.items())
        )
        raise UsageError(
            f"outputs --format env: names make the same variable: {listed}",
            hint="give one of them a key: in voices.yaml (key: elder)",
        )


def variable_name(name: str) -> str:
    """Narrator → NARRATOR, "Old Man's Voice" → OLD_MAN_S_VOICE."""
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_") or "VOICE"

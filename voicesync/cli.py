"""The ``voicesync`` command: parse, build library objects, call them, print, map errors.

One error boundary (:func:`run`): a :class:`VoicesyncError` becomes ``error: …`` plus a hint on
stderr and its exit code; a usage error exits 1 (2 is reserved for "plan found changes"); Ctrl-C
exits 130; anything unexpected shows a traceback only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from voicesync import __version__
from voicesync.client import ReadOnlyClient
from voicesync.config import load_config
from voicesync.console import Console
from voicesync.environments import Environment
from voicesync.errors import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ConfigError,
    Problem,
    VoicesyncError,
)
from voicesync.local import local_emulator
from voicesync.model import RemoteVoice
from voicesync.plan import Plan
from voicesync.planfile import plan_from_saved, read_plan_file, write_plan_file
from voicesync.planner import PlanOptions
from voicesync.render import plan_json, plan_markdown, plan_text, voice_row, voices_table
from voicesync.settings import KEY_VARIABLES, Connection, resolve_connection
from voicesync.state import load_state
from voicesync.workflow import (
    Planned,
    chosen_environment,
    declared_names,
    default_state_path,
    make_plan,
)

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_CONFIG = "voices.yaml"


@dataclass(frozen=True, slots=True)
class App:
    console: Console
    debug: bool


def _app() -> App:
    app = click.get_current_context().find_object(App)
    assert app is not None
    return app


def config_argument(func: F) -> F:
    return click.argument(
        "config",
        required=False,
        default=DEFAULT_CONFIG,
        type=click.Path(dir_okay=False, path_type=Path),
    )(func)


def allow_outside_option(func: F) -> F:
    return click.option(
        "--allow-outside",
        multiple=True,
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Also accept samples under DIR (outside the YAML's folder). Repeatable.",
    )(func)


def client_options() -> dict[str, Any]:
    """-vv prints every HTTP exchange (Authorization redacted) on stderr."""
    console = _app().console
    return {"debug": console.debug} if console.verbose >= 2 else {}


def state_file(config: Path, given: Path | None, emulator: bool, env: str | None = None) -> Path:
    """--state if given, else the default beside the YAML (in .voicesync/ with --emulator);
    with an environment, its own file: <stem>.<env>.lock.json."""
    return given or default_state_path(config, local_emulator=emulator, environment=env)


def env_option(func: F) -> F:
    return click.option(
        "--env", "env_name", envvar="VOICESYNC_ENV", metavar="NAME",
        help="The environment to work on, when voices.yaml declares environments "
        "(env VOICESYNC_ENV).",
    )(func)  # fmt: skip


def connection_options(func: F) -> F:
    func = env_option(func)
    func = click.option(
        "--emulator",
        is_flag=True,
        help="Use a built-in emulator of the API (voices kept in .voicesync/ beside the YAML).",
    )(func)
    return click.option(
        "--base-url",
        metavar="URL",
        help="API base URL (env VOICEAI_BASE_URL; default https://dev.voice.ai).",
    )(func)


@contextlib.contextmanager
def open_connection(
    base_url: str | None, emulator: bool, base_dir: Path, env: Environment | None = None
) -> Iterator[Connection]:
    """The built-in emulator, or the API: --base-url, else the environment's base_url, else
    VOICEAI_BASE_URL; the key from the environment's api_key_env, else VOICEAI_API_KEY."""
    if emulator:
        with local_emulator(base_dir) as connection:
            yield connection
        return
    url = base_url or (env.base_url if env else None)
    yield resolve_connection(url, os.environ, key_variable=env.api_key_env if env else None)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="voicesync")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="Print results only, no progress.")
@click.option("-v", "--verbose", count=True, help="Say more (repeatable).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, no_color: bool, quiet: bool, verbose: int) -> None:
    """Manage voice.ai cloned voices as code: validate, plan and apply a voices.yaml catalog."""
    ctx.obj = App(Console.detect(no_color=no_color, quiet=quiet, verbose=verbose), debug)


def state_option(func: F) -> F:
    return click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="State file (default: <catalog>.lock.json beside the YAML, <catalog>.<env>.lock.json "
        "with --env; in .voicesync/ with --emulator).",
    )(func)


@cli.command("list")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@state_option
@connection_options
def list_command(config: Path | None, fmt: str, state_path: Path | None, base_url: str | None,
                 emulator: bool, env_name: str | None) -> int:  # fmt: skip
    """List the account's voices, marked managed, declared (unrecorded) or unmanaged."""
    catalog = config or Path(DEFAULT_CONFIG)
    env = chosen_environment(catalog, env_name)
    with open_connection(base_url, emulator, catalog.resolve().parent, env) as connection:
        marks_for = _marker(catalog, state_path, connection.endpoint, emulator, env)
        with ReadOnlyClient(connection, **client_options()) as client:
            voices = client.list_voices()
    marks = marks_for(voices)
    console = _app().console
    if fmt == "json":
        rows = [voice_row(v) | ({"managed": marks[v.voice_id]} if marks else {}) for v in voices]
        console.out(json.dumps(rows, indent=2))
    else:
        table = voices_table(voices, marks or None)
        console.out(table + (f" (environment {env.name})" if env and voices else ""))
    return 0


def _marker(
    catalog: Path, state_path: Path | None, endpoint: str, emulator: bool,
    env: Environment | None = None,
) -> Callable[[Sequence[RemoteVoice]], dict[str, str]]:  # fmt: skip
    """How to mark voices, from the state file and the names voices.yaml declares (if any)."""
    if not catalog.exists():
        return lambda _voices: {}
    name = env.name if env else None
    state = load_state(state_file(catalog, state_path, emulator, name), endpoint)
    try:
        declared = declared_names(catalog, name)
    except ConfigError:
        declared = set()
    recorded = state.recorded_ids()

    def marks(voices: Sequence[RemoteVoice]) -> dict[str, str]:
        return {
            v.voice_id: "managed" if v.voice_id in recorded
            else "foreign" if v.voice_id in state.foreign
            else "declared (unrecorded)" if v.name in declared
            else "unmanaged"
            for v in voices
        }  # fmt: skip

    return marks


@cli.command("validate")
@click.argument("configs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@allow_outside_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate_command(configs: tuple[Path, ...], allow_outside: tuple[Path, ...], fmt: str) -> int:
    """Check voices.yaml (or each FILE given) and its samples. Touches no network."""
    codes = [_validate_one(c, allow_outside, fmt) for c in configs or (Path(DEFAULT_CONFIG),)]
    return max(codes)


def _validate_one(config: Path, allow_outside: tuple[Path, ...], fmt: str) -> int:
    console = _app().console
    try:
        loaded = load_config(config, allow_outside=allow_outside)
    except ConfigError as exc:
        if fmt == "json":
            console.out(_problems_json(False, exc.problems))
        else:
            _report(exc, console)
        return EXIT_ERROR
    if fmt == "json":
        console.out(_problems_json(True, loaded.warnings))
        return 0
    print_problems(loaded.warnings)
    count = len(loaded.state.voices)
    console.out(f"{config}: valid ({count} voice{'s' if count != 1 else ''}"
                f"{f', {len(loaded.warnings)} warnings' if loaded.warnings else ''})")  # fmt: skip
    return 0


def _problems_json(valid: bool, problems: Sequence[Problem]) -> str:
    rows = [
        {"file": p.file, "line": p.line, "column": p.column, "severity": p.severity.value,
         "message": p.message}
        for p in problems
    ]  # fmt: skip
    return json.dumps({"valid": valid, "problems": rows}, indent=2)


def print_notices(planned: Planned) -> None:
    """What the user should know about the evidence a plan rests on, on stderr."""
    for notice in planned.notices:
        _app().console.warn(notice)


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(_scrub(str(problem)), err=True)


def plan_options(func: F) -> F:
    func = click.option(
        "--adopt", multiple=True, metavar="NAME",
        help="Take over the unrecorded remote voice of this declared name, after proving the "
        "account may change it (repeatable).",
    )(func)  # fmt: skip
    func = click.option(
        "--prune", is_flag=True, default=None, help="Delete every undeclared voice of the account."
    )(func)
    func = click.option("--replace", multiple=True, metavar="NAME", help="Force a re-clone.")(func)
    return click.option(
        "--target", multiple=True, metavar="NAME", help="Plan only these voices (repeatable)."
    )(func)


def _plan_options(target: tuple[str, ...], replace: tuple[str, ...], prune: bool | None,
                  force: bool = False, adopt: tuple[str, ...] = ()) -> PlanOptions:  # fmt: skip
    return PlanOptions(frozenset(target), frozenset(replace), prune or None, force,
                       adopt=frozenset(adopt))  # fmt: skip


@contextlib.contextmanager
def planning(config: Path, opts: dict[str, Any], force: bool = False) -> Iterator[Planned]:
    """Open the connection, validate, list, read the state and plan (read-only)."""
    base_dir = config.resolve().parent
    env = chosen_environment(config, opts["env_name"])
    with open_connection(opts["base_url"], opts["emulator"], base_dir, env) as connection:
        state_path = state_file(config, opts["state_path"], opts["emulator"], opts["env_name"])
        with ReadOnlyClient(connection, **client_options()) as client:
            planned = make_plan(
                config, client, endpoint=connection.endpoint, state_path=state_path,
                options=_plan_options(opts["target"], opts["replace"], opts["prune"], force,
                                      opts["adopt"]),
                allow_outside=opts["allow_outside"], environment=opts["env_name"],
            )  # fmt: skip
        print_problems(planned.warnings)
        print_notices(planned)
        yield planned


def render_plan(plan: Plan, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(plan_json(plan), indent=2)
    if fmt == "markdown":
        return plan_markdown(plan)
    return plan_text(plan, _app().console.style)


@cli.command("plan")
@config_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan for apply --plan.")  # fmt: skip
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@plan_options
@state_option
@allow_outside_option
@connection_options
def plan_command(config: Path, fmt: str, out: Path | None, detailed_exitcode: bool,
                 **opts: Any) -> int:  # fmt: skip
    """Show what apply would change. Never changes anything."""
    with planning(config, opts) as planned:
        _app().console.out(render_plan(planned.plan, fmt))
        if out is not None:
            write_plan_file(out, planned.plan)
            _app().console.info(f"Saved the plan to {out}; apply it with: voicesync apply "
                                f"{config} --plan {out}")  # fmt: skip
    return EXIT_CHANGES if detailed_exitcode and planned.plan.has_changes else EXIT_OK


@cli.command("show")
@click.argument("plan_file", metavar="PLANFILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)  # fmt: skip
def show_command(plan_file: Path, fmt: str) -> int:
    """Render a plan saved by plan --out, exactly as it was made. Needs no key or network.

    \b
    Example: voicesync plan --out plan.json && voicesync show plan.json --format markdown
    """
    _app().console.out(render_plan(plan_from_saved(read_plan_file(plan_file), plan_file), fmt))
    return 0


@cli.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Persist voices in this JSON file across restarts.")  # fmt: skip
@click.option("--api-key-env", metavar="VAR",
              help="Require the key held in this variable (else any key works).")  # fmt: skip
@click.option("--pending-s", type=float, default=1.0, show_default=True)
@click.option("--processing-s", type=float, default=3.0, show_default=True)
@click.option("--catalog-voices", type=int, default=0, show_default=True,
              help="Public voices owned by voice.ai, listed but not changeable.")  # fmt: skip
@click.option("--max-voices", type=int, default=0, help="Voice slots per account (0: no limit).")
@click.option("--dialect", type=click.Choice(["first-party", "third-party"]),
              default="first-party", show_default=True)  # fmt: skip
@click.option("--public-voices", type=int, default=0, show_default=True,
              help="PUBLIC voices of another account (listed with --list-public).")  # fmt: skip
@click.option("--list-public", is_flag=True, help="The list shows other accounts' PUBLIC voices.")
@click.option("--list-lag-s", type=float, default=0.0, show_default=True,
              help="New voices show in the list only this long after creation.")  # fmt: skip
@click.option("--list-omits-processing", is_flag=True,
              help="The list leaves out voices still PENDING or PROCESSING.")  # fmt: skip
@click.option("--list-shape",
              type=click.Choice(["array", "object", "paged", "paged-next", "capped"]),
              help="capped: an object list that honours limit/offset up to --page-size and "
              "says nothing of a total.")  # fmt: skip
@click.option("--page-size", type=int, help="Largest page a paged list returns.")
@click.option("--error-shape", type=click.Choice(["fastapi", "official"]),
              help="Error bodies: {detail}, or ErrorResponse {error, detail, code}.")  # fmt: skip
@click.option("--accept-put", is_flag=True, help="Also update with PUT (the n8n node does).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--server-error-rate", type=float, default=0.0)
@click.option("--drop-rate", type=float, default=0.0)
@click.option("--lost-write-rate", type=float, default=0.0,
              help="Commit a write, then drop the connection before replying.")  # fmt: skip
@click.option("--rate-limit-every", type=int, default=0, help="Answer every Nth request 429.")
@click.option("--commit-error-rate", type=float, default=0.0,
              help="Commit a write, then answer 500.")  # fmt: skip
@click.option("--retry-after", type=int, default=1, show_default=True)
@click.option("--html-errors", is_flag=True, help="Injected errors come as a proxy's HTML page.")
@click.option("--latency-s", type=float, default=0.0)
@click.option("--access-log", is_flag=True)
def emulator_command(**opts: Any) -> int:
    """Run the built-in emulator of the voice.ai API as an HTTP server."""
    from voicesync.emulator_cli import build_emulator

    emulator = build_emulator(opts, os.environ)
    console = _app().console
    console.info(f"voicesync emulator listening on {emulator.url} (Ctrl-C to stop)")
    console.info(f"  export VOICEAI_BASE_URL={emulator.url} VOICEAI_API_KEY=vk_anything")
    try:
        emulator.httpd.serve_forever()
    finally:
        emulator.httpd.server_close()
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (the single error boundary)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    # The group's options may not have been parsed when an error comes: read them from args.
    console = Console.detect(no_color="--no-color" in args, quiet=False, verbose=0)
    try:
        result = cli.main(args=args, prog_name="voicesync", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        click.echo(
            "\nInterrupted. The state file records everything that was done; run the "
            "same command again to go on.",
            err=True,
        )
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except VoicesyncError as exc:
        _report(exc, console)
        return exc.exit_code
    except Exception:
        _report_bug(debug, console)
        return EXIT_ERROR
    return result if isinstance(result, int) else 0


def _report(exc: VoicesyncError, console: Console) -> None:
    if isinstance(exc, ConfigError):
        print_problems(exc.problems)
    console.error(_scrub(exc.message), _scrub(exc.hint) if exc.hint else None)


def _report_bug(debug: bool, console: Console) -> None:
    if debug:
        click.echo(_scrub(traceback.format_exc()), err=True)
    console.error("unexpected internal error", "run again with --debug and report the traceback")


def _scrub(text: str) -> str:
    """Belt and braces: no message may carry the API key, whatever produced it."""
    for name in KEY_VARIABLES:
        key = os.environ.get(name, "").strip()
        if len(key) >= 4:
            text = text.replace(key, "<redacted>")
    return text


def main() -> NoReturn:
    sys.exit(run())


# The commands that change things live in their own module; importing it registers them.
from voicesync import cli_apply, cli_manage  # noqa: E402, F401

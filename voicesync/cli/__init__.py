"""The ``voicesync`` command: parse, build library objects, call them, print, map errors.

One error boundary (:func:`run`): a :class:`VoicesyncError` becomes ``error: …`` plus a hint on
stderr and its exit code; a usage error exits 1 (2 is reserved for "plan found changes"); Ctrl-C
exits 130; anything unexpected shows a traceback only with ``--debug``.

Imports run one way: this module loads each command's module only when that command runs (or
``--help`` lists it), so ``voicesync --version`` imports neither the HTTP nor the schema stack.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import NoReturn

import click

from voicesync import __version__
from voicesync.cli.console import App, Console, error_json, report, scrub
from voicesync.cli.epilogs import epilog
from voicesync.errors import (
    ExitStatus,
    VoicesyncError,
)
from voicesync.renderedhelp import SUMMARIES

# name -> "module:attribute"; the module is imported when the command is first needed.
COMMANDS = {
    "apply": "voicesync.cli.apply:apply_command",
    "completion": "voicesync.cli.manage:completion_command",
    "destroy": "voicesync.cli.apply:destroy_command",
    "emulator": "voicesync.cli.emulator:emulator_command",
    "forget": "voicesync.cli.manage:forget_command",
    "import": "voicesync.cli.manage:import_command",
    "list": "voicesync.cli.plan:list_command",
    "outputs": "voicesync.cli.apply:outputs_command",
    "plan": "voicesync.cli.plan:plan_command",
    "preview": "voicesync.cli.preview:preview_command",
    "review": "voicesync.cli.review:review_command",
    "show": "voicesync.cli.plan:show_command",
    "validate": "voicesync.cli.plan:validate_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented lazy-loading)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of --help, from SUMMARIES: no command module is imported."""
        width = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _shortened(SUMMARIES[name], width)) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        command.epilog = command.epilog or epilog(cmd_name)
        return command


def _shortened(text: str, width: int) -> str:
    """The first sentence, cut at a word to fit ``width`` (as click shortens a command's help)."""
    sentence = re.match(r"(.+?[.!?])(?=\s+[A-Z]|$)", text)  # "e.g. eval" ends nothing
    first = sentence.group(1) if sentence else text
    if len(first) <= width:
        return first
    return first[: max(width - 3, 0)].rsplit(" ", 1)[0] + "..."


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="voicesync")
@click.option("--debug", is_flag=True, help="Show a traceback for unexpected errors.")
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.option("-q", "--quiet", is_flag=True, help="Print results only, no progress.")
@click.option("-v", "--verbose", count=True, help="Say more (repeatable).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, no_color: bool, quiet: bool, verbose: int) -> None:
    """Manage voice.ai cloned voices as code: validate, plan and apply a voices.yaml catalog."""
    ctx.obj = App(Console.detect(no_color=no_color, quiet=quiet, verbose=verbose), debug)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (the single error boundary)."""
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in args
    # The group's options may not have been parsed when an error comes: read them from args.
    console = Console.detect(no_color="--no-color" in args, quiet=False, verbose=0)
    with _sigterm_as_interrupt() as terminated:
        try:
            result = cli.main(args=args, prog_name="voicesync", standalone_mode=False)
        except (click.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            how = "Terminated (SIGTERM)" if terminated else "Interrupted"
            # A saved plan is stale once part of it ran: the same command would be refused.
            again = (
                "make a new plan (voicesync plan --out FILE) and apply that one"
                if "--plan" in args
                else "run the same command again to go on"
            )
            click.echo(
                f"\n{how}. Calls in flight were finished and recorded; the state file records "
                f"everything that was done; {again}.",
                err=True,
            )
            return ExitStatus.TERMINATED if terminated else ExitStatus.INTERRUPTED
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.ClickException as exc:
            exc.show()
            return ExitStatus.ERROR
        except VoicesyncError as exc:
            report(exc, console)
            if _wants_json(args):
                click.echo(error_json(exc))  # tools reading stdout get an answer too
            return exc.exit_code
        except Exception:
            _report_bug(debug, console)
            return ExitStatus.BUG
    return result if isinstance(result, int) else 0


def _wants_json(args: list[str]) -> bool:
    return "--format=json" in args or ("--format", "json") in pairwise(args)


GLOBAL_FLAGS = frozenset({"--debug", "--no-color", "-q", "--quiet", "-v", "--verbose"})


def hoist_global_options(args: list[str]) -> list[str]:
    """The group's flags may come after the command too (voicesync plan -q): they are moved in
    front of it. No command has a flag of these names, and nothing after '--' moves."""
    end = args.index("--") if "--" in args else len(args)
    hoisted = [a for a in args[:end] if _is_global_flag(a)]
    rest = [a for a in args[:end] if not _is_global_flag(a)]
    return hoisted + rest + args[end:]


def _is_global_flag(arg: str) -> bool:
    return arg in GLOBAL_FLAGS or (len(arg) > 2 and arg[0] == "-" and set(arg[1:]) == {"v"})


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[list[bool]]:
    """SIGTERM (how CI cancels a job) stops a run as Ctrl-C does: nothing new starts, calls in
    flight finish and are journalled. The list it yields is true once SIGTERM came."""
    terminated: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield terminated
        return

    def on_term(_signum: int, _frame: object) -> None:
        terminated.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield terminated
    finally:
        signal.signal(signal.SIGTERM, previous)


def _report_bug(debug: bool, console: Console) -> None:
    if debug:
        import traceback  # only for --debug

        click.echo(scrub(traceback.format_exc()), err=True)
    console.error(
        "unexpected internal error (a bug in voicesync, not in your input; exit code 3)",
        "run the same command with --debug and report the traceback it prints (it never holds "
        "the API key) as an issue of voicesync",
    )


def main() -> NoReturn:
    sys.exit(run())

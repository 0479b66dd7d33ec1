"""How voicesync talks to the terminal: colour decisions, stdout for results, stderr for the rest.

Only the CLI uses this module; the library never prints.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO

import click

from voicesync.errors import ConfigError, Problem, VoicesyncError

_STYLES = {
    "add": {"fg": "green"},
    "change": {"fg": "yellow"},
    "remove": {"fg": "red"},
    "replace": {"fg": "magenta"},
    "dim": {"dim": True},
    "bold": {"bold": True},
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
}


def use_color(stream: TextIO, *, no_color_flag: bool, environ: Mapping[str, str]) -> bool:
    """Colour only on a terminal; never with a non-empty NO_COLOR (no-color.org) or --no-color."""
    if no_color_flag or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@dataclass(frozen=True, slots=True)
class Console:
    color: bool = False
    quiet: bool = False
    verbose: int = 0

    @classmethod
    def detect(cls, *, no_color: bool, quiet: bool, verbose: int) -> Console:
        return cls(
            color=use_color(sys.stdout, no_color_flag=no_color, environ=os.environ),
            quiet=quiet,
            verbose=verbose,
        )

    def style(self, text: str, kind: str) -> str:
        return click.style(text, **_STYLES[kind]) if self.color else text  # type: ignore[arg-type]

    def out(self, text: str = "") -> None:
        """A result: stdout."""
        click.echo(text, color=self.color)

    def info(self, text: str) -> None:
        """Progress and chatter: stderr, silenced by --quiet."""
        if not self.quiet:
            click.echo(text, err=True, color=self.color)

    def debug(self, text: str) -> None:
        if self.verbose:
            click.echo(text, err=True, color=self.color)

    def warn(self, text: str) -> None:
        text = printable(text, keep_newlines=True)
        click.echo(f"{self.style('warning:', 'warning')} {text}", err=True, color=self.color)

    def error(self, text: str, hint: str | None = None) -> None:
        text = printable(text, keep_newlines=True)
        click.echo(f"{self.style('error:', 'error')} {text}", err=True, color=self.color)
        if hint:
            click.echo(f"  hint: {printable(hint, keep_newlines=True)}", err=True, color=self.color)


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """Control characters (escape sequences, bidi overrides, newlines in names) shown as
    escapes: text from the API or a file must not erase, forge or retitle terminal lines."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or (keep_newlines and ch == "\n") else _escape(ch) for ch in text
    )


def _escape(ch: str) -> str:
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def plural(count: int, word: str) -> str:
    """1 warning, 2 warnings."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def scrub(text: str) -> str:
    """Belt and braces: no message may carry the API key, whatever produced it."""
    from voicesync.api.settings import KEY_VARIABLES  # not on the path of --help

    for name in KEY_VARIABLES:
        key = os.environ.get(name, "").strip()
        if len(key) >= 4:
            text = text.replace(key, "<redacted>")
    return text


def print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        click.echo(scrub(str(problem)), err=True)


def problem_rows(problems: Sequence[Problem]) -> list[dict[str, object]]:
    return [
        {
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "severity": p.severity.value,
            "message": p.message,
        }
        for p in problems
    ]


def error_json(exc: VoicesyncError) -> str:
    """The error of a command run with --format json, for its stdout (schemas/error.schema.json)."""
    problems = exc.problems if isinstance(exc, ConfigError) else ()
    error = {
        "kind": type(exc).__name__,
        "message": scrub(exc.message),
        "hint": scrub(exc.hint) if exc.hint else None,
        "exit_code": exc.exit_code,
        "problems": problem_rows(problems),
    }
    return json.dumps({"ok": False, "error": error}, indent=2)


def report(exc: VoicesyncError, console: Console) -> None:
    """A voicesync error as the user sees it: its problems, then ``error: …`` and a hint."""
    if isinstance(exc, ConfigError):
        print_problems(exc.problems)
    console.error(scrub(exc.message), scrub(exc.hint) if exc.hint else None)


@dataclass(frozen=True, slots=True)
class App:
    """What the group's options decided, for every command of this run."""

    console: Console
    debug: bool


def app() -> App:
    app = click.get_current_context().find_object(App)
    assert app is not None
    return app

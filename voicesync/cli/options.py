"""What the commands share: the options they take and the connection, state and plan they open.

Command modules import from here; nothing here imports a command module.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from voicesync.api.client import ReadOnlyClient
from voicesync.api.guard import WaitNotice
from voicesync.api.retry import RATE_LIMIT_WAIT_S, RetryPolicy
from voicesync.cli.console import app, print_problems
from voicesync.cli.render import plan_markdown, plan_text
from voicesync.errors import UsageError
from voicesync.pipeline import Planned, plan
from voicesync.plan.changes import Plan, PlanOptions
from voicesync.plan.planfile import plan_json
from voicesync.workspace import Target, Workspace

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_CONFIG = "voices.yaml"


def config_argument(func: F) -> F:
    return click.argument(
        "config",
        required=False,
        default=DEFAULT_CONFIG,
        type=click.Path(dir_okay=False, path_type=Path),
    )(func)


def config_and_name(words: tuple[str, ...], command: str) -> tuple[Path, str]:
    """``[CONFIG] NAME`` as forget and preview take them: the catalog (default voices.yaml)
    and one voice name."""
    if len(words) > 2:
        raise UsageError(
            f"{command} takes [CONFIG] NAME: one catalog and one voice name",
            hint=f"quote a name with spaces: voicesync {command} 'Old Man'",
        )
    return Path(words[0] if len(words) == 2 else DEFAULT_CONFIG), words[-1]


def allow_outside_option(func: F) -> F:
    return click.option(
        "--allow-outside",
        multiple=True,
        metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Also accept samples under DIR (outside the YAML's folder). Repeatable.",
    )(func)


def client_options(where: TargetOptions) -> dict[str, Any]:
    """Waits for a retry are said on stderr (in CI too); -vv prints every HTTP exchange
    (Authorization redacted)."""
    console = app().console

    def waiting(notice: WaitNotice) -> None:
        why = f"HTTP {notice.status}" if notice.status else "a failed attempt"
        budget = (
            f"; {notice.waited_s:.0f} s of at most {notice.budget_s:.0f} s waited for rate "
            "limits in this call: --max-rate-limit-wait"
            if notice.status == 429
            else ""
        )
        console.warn(
            f"waiting {notice.wait_s:.0f} s before trying {notice.method} {notice.path} "
            f"again ({why}{budget})"
        )

    options: dict[str, Any] = {
        "retry": RetryPolicy(rate_limit_wait_s=where.max_rate_limit_wait),
        "on_wait": waiting,
    }
    return options | ({"debug": console.debug} if console.verbose >= 2 else {})


def env_option(func: F) -> F:
    return click.option(
        "--env",
        "env_name",
        envvar="VOICESYNC_ENV",
        metavar="NAME",
        help="The environment to work on, when voices.yaml declares environments "
        "(env VOICESYNC_ENV).",
    )(func)


def emulator_option(
    help: str = "Use a built-in emulator of the API (voices kept in .voicesync/ beside the YAML).",
) -> Callable[[F], F]:
    """--emulator: the built-in emulator; for commands that only read the state, its state."""
    return click.option("--emulator", is_flag=True, help=help)


@dataclass(frozen=True, slots=True)
class TargetOptions:
    """--base-url, --emulator, --env, --state (the target) and --max-rate-limit-wait."""

    base_url: str | None
    emulator: bool
    env_name: str | None
    state_path: Path | None
    max_rate_limit_wait: float

    @property
    def target(self) -> Target:
        return Target(self.base_url, self.emulator, self.env_name, self.state_path)

    def open(
        self, config: Path, *, samples: bool = True, allow_outside: tuple[Path, ...] = ()
    ) -> Workspace:
        return Workspace.open(config, self.target, samples=samples, allow_outside=allow_outside)


@dataclass(frozen=True, slots=True)
class Selection:
    """What a plan covers beyond the catalog itself."""

    target: tuple[str, ...]
    replace: tuple[str, ...]
    prune: bool | None
    adopt: tuple[str, ...]
    allow_outside: tuple[Path, ...]

    @property
    def given(self) -> bool:
        """Whether any option that shapes a plan was given."""
        return bool(self.target or self.replace or self.prune or self.adopt)

    def plan_options(self, force: bool = False) -> PlanOptions:
        return PlanOptions(
            frozenset(self.target),
            frozenset(self.replace),
            self.prune or None,
            force,
            adopt=frozenset(self.adopt),
        )


T = TypeVar("T")


def grouped(into: type[T], name: str, *options: Callable[[F], F]) -> Callable[[F], F]:
    """Declare ``options`` on a command and hand them to it as one frozen ``into`` value,
    keyword ``name``, instead of loose keyword arguments."""
    names = [f.name for f in fields(into)]  # type: ignore[arg-type]

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def command(*args: Any, **kwargs: Any) -> Any:
            values = {key: kwargs.pop(key) for key in names}
            return func(*args, **kwargs, **{name: into(**values)})

        for option in reversed(options):
            command = option(command)
        return cast(F, command)

    return decorate


def finite(_ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A number of seconds is a number: click's FloatRange lets 'nan' and 'inf' through, and a
    NaN window or budget would never end (or never begin)."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds", param=param)
    return value


def connection_options(func: F) -> F:
    func = env_option(func)
    func = emulator_option()(func)
    func = click.option(
        "--max-rate-limit-wait",
        type=click.FloatRange(min=0),
        default=RATE_LIMIT_WAIT_S,
        show_default=True,
        metavar="SECONDS",
        callback=finite,
        help="Give up a call the API keeps rate limiting (429) after waiting this long in all; "
        "each wait is said on stderr.",
    )(func)
    return click.option(
        "--base-url",
        metavar="URL",
        help="API base URL (env VOICEAI_BASE_URL; default https://dev.voice.ai).",
    )(func)


def format_option(choices: tuple[str, ...], help: str, **extra: Any) -> Callable[[F], F]:
    """``--format`` into ``fmt``, the first choice by default."""
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=choices[0], help=help, **extra
    )


PLAN_FORMAT = format_option(
    ("text", "json", "markdown"),
    "text for a terminal, markdown for a pull-request comment, json for tools.",
)


def state_option(func: F) -> F:
    return click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="State file (default: <catalog>.lock.json beside the YAML, <catalog>.<env>.lock.json "
        "with --env; in .voicesync/ with --emulator).",
    )(func)


def print_notices(planned: Planned) -> None:
    """What the user should know about the evidence a plan rests on, on stderr."""
    for notice in planned.notices:
        app().console.warn(notice)


def plan_options(func: F) -> F:
    func = click.option(
        "--adopt",
        multiple=True,
        metavar="NAME",
        help="Take over the unrecorded remote voice of this declared name, after proving the "
        "account may change it (repeatable).",
    )(func)
    func = click.option(
        "--prune", is_flag=True, default=None, help="Delete every undeclared voice of the account."
    )(func)
    func = click.option("--replace", multiple=True, metavar="NAME", help="Force a re-clone.")(func)
    return click.option(
        "--target", multiple=True, metavar="NAME", help="Plan only these voices (repeatable)."
    )(func)


def target_options(func: F) -> F:
    """--base-url, --emulator, --env and --state, as ``where: TargetOptions``."""
    return grouped(TargetOptions, "where", connection_options, state_option)(func)


def selection_options(func: F) -> F:
    """--target, --replace, --prune, --adopt and --allow-outside, as ``selection: Selection``."""
    return grouped(Selection, "selection", allow_outside_option, plan_options)(func)


@contextlib.contextmanager
def planning(
    config: Path, where: TargetOptions, selection: Selection, *, digests: bool = True
) -> Iterator[Planned]:
    """Open the workspace, connect, list, read the state and plan (read-only).
    ``digests=False``: the plan is only shown (see build_plan)."""
    workspace = where.open(config, allow_outside=selection.allow_outside)
    with workspace.connect() as conn, ReadOnlyClient(conn, **client_options(where)) as client:
        planned = plan(workspace, client, selection.plan_options(), digests=digests)
    print_problems(planned.warnings)
    print_notices(planned)
    yield planned


def render_plan(plan: Plan, fmt: str, *, command: str = "plan") -> str:
    if fmt == "json":
        return json.dumps(plan_json(plan), indent=2)
    if fmt == "markdown":
        return plan_markdown(plan)
    return plan_text(plan, app().console.style, command=command)

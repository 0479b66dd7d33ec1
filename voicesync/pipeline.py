"""The use cases, one function each: :func:`plan`, :func:`apply` (a plan made now),
:func:`apply_saved` (a plan reviewed earlier, saved by ``plan --out``) and :func:`destroy`.

Each takes a :class:`~voicesync.workspace.Workspace` (the catalog read once, its environment,
its state file) and a client, and does the I/O around the pure planner and the executor. The
CLI is a thin layer over them::

    from voicesync import pipeline
    from voicesync.workspace import Workspace
    workspace = Workspace.open(Path("voices.yaml"))
    with workspace.connect() as connection, VoiceAIClient(connection) as client:
        print(pipeline.plan(workspace, client).plan.changes)
        applied = pipeline.apply(workspace, client)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from voicesync.api.client import ReadOnlyClient, VoiceAIClient
from voicesync.api.pager import LIST_CONCURRENCY
from voicesync.catalog.loader import Loaded
from voicesync.errors import NotFoundError, PlanError, Problem, UsageError, VoicesyncError
from voicesync.model import DesiredState, RemoteVoice
from voicesync.plan.binding import check_saved_plan
from voicesync.plan.changes import GRACE_S, Clone, Plan, PlanOptions, Reason, Replace
from voicesync.plan.planfile import mark_applied, options_from_saved, read_plan_file, refuse_applied
from voicesync.plan.planner import build_plan
from voicesync.plan.voicenames import named_voices, resolve_known
from voicesync.state.files import recorded_elsewhere
from voicesync.state.store import State
from voicesync.workspace import Workspace

if TYPE_CHECKING:  # imported when applying: a plan never loads the apply machinery
    from voicesync.apply.events import ApplyResult, Event
    from voicesync.apply.executor import ApplyOptions

# Connections a plan opens ahead (apply: the list's width): a plan on every pull request
# should not open 8 for a one-page account.
PLAN_WARM = 3
Show = Callable[["Planned"], None]
Confirm = Callable[[Plan], bool]
OnEvent = Callable[["Event"], None]


@dataclass(frozen=True, slots=True)
class Planned:
    loaded: Loaded
    remote: tuple[RemoteVoice, ...]
    state: State
    plan: Plan
    notices: tuple[str, ...] = ()  # what the user should know about the evidence planned from
    gone: frozenset[str] = frozenset()  # recorded ids the API answered 404 for
    quality: tuple[Problem, ...] = ()  # the samples this plan uploads, judged (voicesync.quality)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.loaded.warnings + self.quality


@dataclass(frozen=True, slots=True)
class Applied:
    planned: Planned
    result: ApplyResult | None  # None: nothing to do


@dataclass(frozen=True, slots=True)
class Observed:
    """What the account holds, as far as the API says."""

    remote: tuple[RemoteVoice, ...]
    notices: tuple[str, ...]
    gone: frozenset[str]  # recorded ids GET answered 404 for


# -- the use cases ----------------------------------------------------------------------------
def plan(
    workspace: Workspace,
    client: ReadOnlyClient,
    options: PlanOptions | None = None,
    *,
    digests: bool = True,
    measuring: bool = True,
) -> Planned:
    """List, read the state, plan (read-only). ``digests=False``: a plan only shown, never
    saved or checked against a saved one (see build_plan). The samples the plan uploads are
    judged for quality; ``measuring=False`` takes only what the sample cache knows."""
    client.warm(PLAN_WARM)  # for the list's next pages, once the first says how many
    state = workspace.state(client.endpoint)
    seen = observe_account(client, state)
    desired = workspace.loaded.state
    built = build_plan(
        desired,
        seen.remote,
        state,
        _named(_at_now(options or PlanOptions()), desired, state),
        digests=digests,
        elsewhere=_elsewhere(workspace, desired, client.endpoint),
        state_file=workspace.state_path.name,
    )
    uploads = (c.desired for c in built.changes if isinstance(c, Clone | Replace))
    assessed = workspace.assess(uploads, measuring=measuring)
    return Planned(
        workspace.loaded, seen.remote, state, built, seen.notices, seen.gone, assessed.problems
    )


def apply(
    workspace: Workspace,
    client: VoiceAIClient,
    options: PlanOptions | None = None,
    *,
    apply_options: ApplyOptions | None = None,
    show: Show = lambda _p: None,
    confirm: Confirm = lambda _p: True,
    on_event: OnEvent | None = None,
) -> Applied:
    """Lock the state, plan, show, confirm, execute. The lock is held for the whole run."""
    grace_s = _grace(apply_options)
    with_grace = replace(options or PlanOptions(), grace_s=grace_s)
    return _run(
        workspace,
        client,
        # Quality was judged by the plan that was reviewed; apply measures nothing more.
        lambda: plan(workspace, client, with_grace, measuring=False),
        show=show,
        confirm=confirm,
        apply_options=apply_options,
        on_event=on_event,
        what="apply",
    )


def apply_saved(
    workspace: Workspace,
    client: VoiceAIClient,
    plan_file: Path,
    *,
    apply_options: ApplyOptions | None = None,
    show: Show = lambda _p: None,
    on_event: OnEvent | None = None,
) -> Applied:
    """Apply a plan saved by ``plan --out``: only if the plan made now, under the saved
    options, has exactly its changes (see plan/binding.py). It was reviewed when it was made,
    so nothing more is asked; once done, the file is marked applied and never runs again."""
    saved = read_plan_file(plan_file)
    refuse_applied(saved, plan_file)
    options = replace(options_from_saved(saved), grace_s=_grace(apply_options))

    def planned_and_checked() -> Planned:
        planned = plan(workspace, client, options)
        check_saved_plan(saved, planned.plan, plan_file)
        return planned

    applied = _run(
        workspace,
        client,
        planned_and_checked,
        show=show,
        confirm=lambda _p: True,
        apply_options=apply_options,
        on_event=on_event,
        what="apply",
    )
    if applied.result is None or applied.result.ok:
        mark_applied(plan_file, saved, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return applied


def destroy(
    workspace: Workspace,
    client: VoiceAIClient,
    *,
    force: bool = False,
    apply_options: ApplyOptions | None = None,
    show: Show = lambda _p: None,
    confirm: Confirm = lambda _p: True,
    on_event: OnEvent | None = None,
) -> Applied:
    """Delete every voice the state file manages (protection still holds). An ephemeral
    environment destroyed to the last voice leaves no state file behind."""
    check_destroyable(workspace, force=force)
    grace_s = _grace(apply_options)
    applied = _run(
        workspace,
        client,
        lambda: _destroy_plan(workspace, client, grace_s),
        show=show,
        confirm=confirm,
        apply_options=apply_options,
        on_event=on_event,
        what="destroy",
    )
    env = workspace.environment
    if env is not None and env.ephemeral:
        state = workspace.state(client.endpoint)
        if not state.records and workspace.state_path.exists():
            workspace.state_path.unlink()
    return applied


def check_destroyable(workspace: Workspace, *, force: bool) -> None:
    """Only an ephemeral environment is destroyed without ``force``."""
    env = workspace.environment
    if force or (env is not None and env.ephemeral):
        return
    what = (
        f"environment {env.name} is" if env else f"{workspace.config} declares no environment, so"
    )
    raise UsageError(
        f"{what} not ephemeral: refusing to destroy it",
        hint="pass --force if every voice it manages is really to be deleted "
        "(environments meant to be destroyed say ephemeral: true)",
    )


def outputs(state: State) -> dict[str, str]:
    """Declared name (or key:) → voice_id of every managed voice: the same keys in every
    environment, whatever the remote names."""
    return {r.output_key: r.voice_id for _, r in sorted(state.records.items()) if r.voice_id}


# -- the steps they share ---------------------------------------------------------------------
def observe_account(client: ReadOnlyClient, state: State) -> Observed:
    """The account's voices: the whole list, plus every voice the state file records that the
    list left out but GET still finds. A recorded voice is gone only when GET answers 404; a
    list may lag, be capped, or leave out voices still processing."""
    listed = client.list_voices()
    seen = {v.voice_id for v in listed}
    found, gone = [], set()
    for voice_id in sorted(state.recorded_ids() - seen):
        try:
            found.append(client.get_voice(voice_id))
        except NotFoundError:
            gone.add(voice_id)
    if not found:
        return Observed(listed, (), frozenset(gone))
    note = (
        f"the list left out {len(found)} voice(s) the state file records, which GET still "
        f"finds ({', '.join(v.voice_id for v in found[:5])}{', …' if len(found) > 5 else ''}): "
        "the list may lag, be capped, or leave out voices still processing"
    )
    return Observed(listed + tuple(found), (note,), frozenset(gone))


def _run(
    workspace: Workspace,
    client: VoiceAIClient,
    make: Callable[[], Planned],
    *,
    show: Show,
    confirm: Confirm,
    apply_options: ApplyOptions | None,
    on_event: OnEvent | None,
    what: str,
) -> Applied:
    """Under the state lock: ``make`` the plan, show it, refuse it if unsafe, confirm, execute.
    The lock is taken only once the catalog is valid (the workspace is open): a run refused
    for bad input leaves nothing behind."""
    from voicesync.apply.events import Notice
    from voicesync.apply.executor import apply_plan
    from voicesync.state import transitions
    from voicesync.state.lock import state_lock
    from voicesync.state.writer import StateWriter

    def waiting(message: str) -> None:
        if on_event is not None:
            on_event(Notice(message))

    with state_lock(workspace.state_path, on_wait=waiting) as warning:
        if warning:
            waiting(warning)
        # Once the lock is held (a run waiting for it would let them idle): the list's wider
        # walk and the uploads after it find their connections open (voicesync/api/warmup.py).
        # As many as the list's walk takes at full width, whatever --parallelism (the uploads
        # need fewer or open their own): the account's size is unknown before its first page.
        client.warm(LIST_CONCURRENCY)
        planned = make()
        show(planned)
        planned_changes = planned.plan
        if not planned_changes.safe:
            reasons = "; ".join(r.message for r in planned_changes.refusals if r.blocking)
            raise PlanError(f"{what} refuses this plan: {reasons}")
        if planned_changes.changes and not confirm(planned_changes):
            raise VoicesyncError(f"{what} cancelled; nothing was changed")
        with StateWriter(planned.state, workspace.state_path) as writer:  # folded on exit
            changes = planned_changes.changes
            touched = {c.name for c in changes} | {c.record for c in changes if c.record}
            writer.update(lambda s: transitions.refresh_records(s, planned.loaded.state, touched))
            writer.update(lambda s: transitions.without_deleted(s, planned.gone))
            if not changes:
                return Applied(planned, None)
            result = apply_plan(
                planned_changes, client, writer, options=apply_options, on_event=on_event
            )
        return Applied(planned, result)


def _destroy_plan(workspace: Workspace, client: ReadOnlyClient, grace_s: float) -> Planned:
    """Delete every voice the state file manages; a clone journal entry past its grace window
    claims nothing by name."""
    state = workspace.state(client.endpoint)
    catalog = workspace.loaded.state
    nothing = DesiredState(
        workspace.config.resolve(),
        str(workspace.config),
        False,
        (),
        environment=catalog.environment,
        environment_formats=catalog.environment_formats,
    )
    seen = observe_account(client, state)
    built = build_plan(
        nothing,
        seen.remote,
        state,
        _at_now(PlanOptions(force=True, grace_s=grace_s)),
        elsewhere=_elsewhere(workspace, nothing, client.endpoint),
        state_file=workspace.state_path.name,
    )
    built = replace(
        built,
        changes=tuple(replace(c, reason=Reason.DESTROY) for c in built.changes),
        unmanaged=(),
        # Deleting everything is what destroy is for: only protection still refuses.
        refusals=tuple(r for r in built.refusals if r.blocking),
    )
    return Planned(Loaded(nothing, ()), seen.remote, state, built, seen.notices, seen.gone)


def _grace(apply_options: ApplyOptions | None) -> float:
    return apply_options.grace_s if apply_options else GRACE_S


def _at_now(options: PlanOptions) -> PlanOptions:
    """The options with the time the plan is made, for the journal's windows."""
    return options if options.now is not None else replace(options, now=time.time())


def _named(options: PlanOptions, desired: DesiredState, state: State) -> PlanOptions:
    """--target, --replace and --adopt by any of a voice's names (declared, key:, remote),
    as the remote names the planner knows (see plan/voicenames.py)."""
    if not (options.targets or options.replace or options.adopt):
        return options
    voices = named_voices(desired, state, desired.environment)
    where = desired.display + (
        f" (environment {desired.environment.name})" if desired.environment else ""
    )
    return replace(
        options,
        targets=resolve_known(options.targets, voices, where),
        replace=resolve_known(options.replace, voices, where),
        adopt=resolve_known(options.adopt, voices, where),
    )


def _elsewhere(workspace: Workspace, desired: DesiredState, endpoint: str) -> dict[str, str]:
    """What the catalog's other environments record (none when it declares none)."""
    if not desired.environment_formats:
        return {}
    return recorded_elsewhere(workspace.config, workspace.state_path, endpoint)

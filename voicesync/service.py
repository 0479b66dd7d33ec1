"""The I/O edge of planning: read the catalog, list the account, read the state, plan.

Usable from Python as well as from the CLI::

    from voicesync import Connection, ReadOnlyClient, make_plan
    with ReadOnlyClient(Connection(url, key)) as client:
        planned = make_plan(Path("voices.yaml"), client, endpoint=url)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicesync.api.client import ReadOnlyClient, VoiceAIClient
from voicesync.catalog.loader import Loaded, load_config
from voicesync.catalog.parsecache import parse_cache_path
from voicesync.catalog.samplecache import cache_path, load_cache, save_cache
from voicesync.errors import NotFoundError, PlanError, Problem, UsageError, VoicesyncError
from voicesync.model import DesiredState, Environment, RemoteVoice
from voicesync.plan.binding import check_saved_plan
from voicesync.plan.model import GRACE_S, Plan, PlanOptions, Reason
from voicesync.plan.planner import build_plan
from voicesync.plan.voicenames import named_voices, resolve_known
from voicesync.state.files import default_state_path, recorded_elsewhere
from voicesync.state.store import State, load_state

if TYPE_CHECKING:  # imported by apply_catalog: a plan never loads the apply machinery
    from voicesync.apply.events import ApplyResult, Event
    from voicesync.apply.executor import ApplyOptions


@dataclass(frozen=True, slots=True)
class Planned:
    loaded: Loaded
    remote: tuple[RemoteVoice, ...]
    state: State
    plan: Plan
    notices: tuple[str, ...] = ()  # what the user should know about the evidence planned from
    gone: frozenset[str] = frozenset()  # recorded ids the API answered 404 for

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.loaded.warnings


@dataclass(frozen=True, slots=True)
class Observed:
    """What the account holds, as far as the API says."""

    remote: tuple[RemoteVoice, ...]
    notices: tuple[str, ...]
    gone: frozenset[str]  # recorded ids GET answered 404 for


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


def make_plan(
    config: Path,
    client: ReadOnlyClient,
    *,
    endpoint: str,
    state_path: Path | None = None,
    options: PlanOptions | None = None,
    allow_outside: Sequence[Path] = (),
    environment: str | None = None,
    loaded: Loaded | None = None,
    digests: bool = True,
) -> Planned:
    """Validate, list, read the state, plan. Raises ConfigError before any request.
    ``loaded``: the catalog, if the caller validated it already. ``digests=False``: a plan
    only shown, never saved or checked against a saved one (see build_plan)."""
    if loaded is None:
        loaded = load_catalog(config, allow_outside=allow_outside, environment=environment)
    state_path = state_path or default_state_path(config, environment=environment)
    state = load_state(state_path, endpoint)
    elsewhere = _elsewhere(config, loaded.state, state_path, endpoint)
    seen = observe_account(client, state)
    plan = build_plan(
        loaded.state,
        seen.remote,
        state,
        _named(_at_now(options or PlanOptions()), loaded.state, state),
        digests=digests,
        elsewhere=elsewhere,
        state_file=state_path.name,
    )
    return Planned(loaded, seen.remote, state, plan, seen.notices, seen.gone)


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


def _elsewhere(
    config: Path, desired: DesiredState, state_path: Path, endpoint: str
) -> dict[str, str]:
    """What the catalog's other environments record (none when it declares none)."""
    if not desired.environment_formats:
        return {}
    return recorded_elsewhere(config, state_path, endpoint)


def load_catalog(
    config: Path, *, allow_outside: Sequence[Path] = (), environment: str | None = None
) -> Loaded:
    """voices.yaml validated, samples inspected (through the machine-local sample cache)."""
    known = load_cache(cache_path(config))
    loaded = load_config(
        config,
        allow_outside=allow_outside,
        known_samples=known,
        environment=environment,
        parse_cache=parse_cache_path(config),
    )
    save_cache(cache_path(config), known, (v.sample for v in loaded.state.voices if v.sample))
    return loaded


def require_catalog(config: Path) -> None:
    """A missing catalog is the ConfigError validate gives ("file not found: …")."""
    if not config.is_file():
        load_config(config, inspect_samples=False)


def chosen_environment(
    config: Path, name: str | None, loaded: Loaded | None = None
) -> Environment | None:
    """The environment a command runs in. A catalog that declares environments needs one
    (UsageError listing them); one that declares none takes none. ``loaded``: the catalog, if
    the caller read it already (it is not read twice)."""
    if not config.exists():
        if name is not None:
            raise UsageError(f"--env {name}: {config} does not exist")
        return None
    if loaded is None:
        loaded = load_config(config, inspect_samples=False, environment=name)
    keys = loaded.state.environment_keys
    if keys and name is None:
        raise UsageError(
            f"{config} declares environments ({', '.join(keys)}): choose one",
            hint="pass --env NAME (or set VOICESYNC_ENV)",
        )
    if name is not None and not keys:
        raise UsageError(
            f"--env {name}: {config} declares no environments",
            hint="drop --env, or add environments: to the catalog",
        )
    return loaded.state.environment


def declared_names(config: Path, environment: str | None = None) -> set[str]:
    """The (remote) voice names and previous names voices.yaml declares, in an environment if
    given (samples not inspected); raises ConfigError."""
    loaded = load_config(config, inspect_samples=False, environment=environment)
    return {n for v in loaded.state.voices for n in (v.name, *v.previous_names)}


@dataclass(frozen=True, slots=True)
class Applied:
    planned: Planned
    result: ApplyResult | None  # None: nothing to do


def apply_catalog(
    config: Path,
    api: VoiceAIClient,
    *,
    endpoint: str,
    state_path: Path | None = None,
    options: PlanOptions | None = None,
    apply_options: ApplyOptions | None = None,
    allow_outside: Sequence[Path] = (),
    saved_plan: tuple[Path, dict[str, Any]] | None = None,
    destroy: bool = False,
    show: Callable[[Planned], None] = lambda _p: None,
    confirm: Callable[[Plan], bool] = lambda _p: True,
    on_event: Callable[[Event], None] | None = None,
    environment: str | None = None,
    loaded: Loaded | None = None,
) -> Applied:
    """Validate, then lock the state, plan, check, confirm, execute. The lock is held for the
    whole run, and taken only once the catalog is valid: a run refused for bad input leaves
    nothing behind. ``loaded``: the catalog, if the caller validated it already."""
    from voicesync.apply.events import Notice
    from voicesync.apply.executor import apply_plan
    from voicesync.state import transitions
    from voicesync.state.journal import Journal
    from voicesync.state.lock import state_lock

    state_path = state_path or default_state_path(config, environment=environment)
    if destroy:
        chosen_environment(config, environment)
        loaded = None
    elif loaded is None:
        loaded = load_catalog(config, allow_outside=allow_outside, environment=environment)

    def waiting(message: str) -> None:
        if on_event is not None:
            on_event(Notice(message))

    grace_s = apply_options.grace_s if apply_options else GRACE_S
    with state_lock(state_path, on_wait=waiting) as warning:
        if warning and on_event is not None:
            on_event(Notice(warning))
        if destroy:
            planned = make_destroy_plan(
                config,
                api,
                endpoint=endpoint,
                state_path=state_path,
                environment=environment,
                grace_s=grace_s,
            )
        else:
            planned = make_plan(
                config,
                api,
                endpoint=endpoint,
                state_path=state_path,
                options=replace(options or PlanOptions(), grace_s=grace_s),
                allow_outside=allow_outside,
                environment=environment,
                loaded=loaded,
            )
        if saved_plan is not None:
            check_saved_plan(saved_plan[1], planned.plan, saved_plan[0])
        show(planned)
        plan = planned.plan
        if not plan.safe:
            reasons = "; ".join(r.message for r in plan.refusals if r.blocking)
            raise PlanError(f"{'destroy' if destroy else 'apply'} refuses this plan: {reasons}")
        if plan.changes and not confirm(plan):
            raise VoicesyncError("apply cancelled; nothing was changed")
        with Journal(planned.state, state_path) as journal:  # folded into the file on exit
            touched = {c.name for c in plan.changes} | {c.record for c in plan.changes if c.record}
            journal.update(lambda s: transitions.refresh_records(s, planned.loaded.state, touched))
            journal.update(lambda s: transitions.without_deleted(s, planned.gone))
            if not plan.changes:
                return Applied(planned, None)
            result = apply_plan(plan, api, journal, options=apply_options, on_event=on_event)
        return Applied(planned, result)


def make_destroy_plan(
    config: Path,
    client: ReadOnlyClient,
    *,
    endpoint: str,
    state_path: Path,
    environment: str | None = None,
    grace_s: float = GRACE_S,
) -> Planned:
    """Delete every voice the state file manages (protection still holds); a clone journal
    entry past its grace window claims nothing by name."""
    state = load_state(state_path, endpoint)
    read = load_config(config, inspect_samples=False, environment=environment)
    catalog = read.state
    chosen = chosen_environment(config, environment, read)  # the catalog is read once
    nothing = DesiredState(
        config.resolve(),
        str(config),
        False,
        (),
        environment=chosen,
        environment_formats=catalog.environment_formats,
    )
    elsewhere = _elsewhere(config, nothing, state_path, endpoint)
    seen = observe_account(client, state)
    plan = build_plan(
        nothing,
        seen.remote,
        state,
        _at_now(PlanOptions(force=True, grace_s=grace_s)),
        elsewhere=elsewhere,
        state_file=state_path.name,
    )
    plan = replace(
        plan,
        changes=tuple(replace(c, reason=Reason.DESTROY) for c in plan.changes),
        unmanaged=(),
        # Deleting everything is what destroy is for: only protection still refuses.
        refusals=tuple(r for r in plan.refusals if r.blocking),
    )
    return Planned(Loaded(nothing, ()), seen.remote, state, plan, seen.notices, seen.gone)


def outputs(state: State) -> dict[str, str]:
    """Declared name (or key:) → voice_id of every managed voice: the same keys in every
    environment, whatever the remote names."""
    return {r.output_key: r.voice_id for _, r in sorted(state.records.items()) if r.voice_id}

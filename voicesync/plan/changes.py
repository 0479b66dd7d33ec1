"""PURE: the Plan value — changes with reasons, safety verdicts, a fingerprint of its inputs.

A plan is printed, saved, checked and applied; it is never mutated. Changes are sorted
deterministically (by name, then action), so the same inputs always give the same plan.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

from voicesync.model import DesiredVoice, RemoteVoice, VoiceStatus

PLAN_FORMAT = 1
GRACE_S = 30.0  # how long after its upload a clone's voice may take to show in the list
CLOCK_SKEW_S = 5.0  # how far a journal's clock may run ahead of this one


class Action(str, Enum):
    CLONE = "clone"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    ADOPT = "adopt"
    WAIT = "wait"
    CONFLICT = "conflict"  # a declared name taken by a voice this catalog does not manage

    @property
    def destructive(self) -> bool:
        return self in (Action.REPLACE, Action.DELETE)


ACTION_ORDER = {a: i for i, a in enumerate(Action)}


class Reason(str, Enum):
    NEW = "new"
    SAMPLE_CHANGED = "sample_changed"
    LANGUAGE_CHANGED = "language_changed"
    REMOTE_FAILED = "remote_failed"
    FORCED = "forced"
    RENAMED = "renamed"
    VISIBILITY_CHANGED = "visibility_changed"
    DRIFT_RENAMED = "drift_renamed"
    DRIFT_VISIBILITY = "drift_visibility"
    DRIFT_DELETED = "drift_deleted"
    NOT_DECLARED = "not_declared"
    PRUNE_UNMANAGED = "prune_unmanaged"
    SUPERSEDED = "superseded"
    UNRECORDED = "unrecorded"
    INTERRUPTED_CLONE = "interrupted_clone"
    NAME_TAKEN = "name_taken"
    PROCESSING = "processing"
    DESTROY = "destroy"


class Match(str, Enum):
    STATE = "state"
    NAME = "name"
    PREVIOUS_NAME = "previous_name"
    JOURNAL = "journal"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # name | visibility | sample | language | voice_id
    before: str | None
    after: str | None
    forces_replacement: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BaseChange:
    """What every change says. Each action is a variant below that carries only what it needs,
    so mypy checks that the executor never acts on a voice_id or a sample that is not there."""

    action: ClassVar[Action]
    name: str
    reason: Reason
    match: Match = Match.NONE
    voice_id: str | None = None  # the existing remote voice this change acts on
    record: str | None = None  # the state key that holds this voice now
    fields: tuple[FieldChange, ...] = ()
    status: VoiceStatus | None = None  # remote status when planned
    remote_name: str | None = None
    protected: bool = False

    # Read by renderers on any change; the variants that have them override these.
    @property
    def desired(self) -> DesiredVoice | None:
        return None

    @property
    def pending_id(self) -> str | None:
        """A clone in flight (journalled) that this change finishes."""
        return None

    @property
    def journal_started_at(self) -> float | None:
        """A journalled clone whose outcome is unknown (no answer, a 5xx, a killed run): apply
        looks for it in the account until this start plus the grace window before acting."""
        return None

    @property
    def skippable(self) -> bool:
        """Not managed: a 403/404 means "not yours", reported as skipped."""
        return False

    @property
    def note(self) -> str:
        """What a conflict is and how to settle it."""
        return ""

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.name.casefold(), ACTION_ORDER[self.action], self.voice_id or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Clone(BaseChange):
    action: ClassVar[Action] = Action.CLONE
    desired: DesiredVoice
    journal_started_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Replace(BaseChange):
    """Clone anew, then delete ``voice_id`` once the new voice is AVAILABLE."""

    action: ClassVar[Action] = Action.REPLACE
    voice_id: str
    desired: DesiredVoice
    pending_id: str | None = None
    journal_started_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Update(BaseChange):
    action: ClassVar[Action] = Action.UPDATE
    voice_id: str
    desired: DesiredVoice


@dataclass(frozen=True, slots=True, kw_only=True)
class Adopt(BaseChange):
    """Record a voice: one found by name (``voice_id``) or a journalled clone (``pending_id``)."""

    action: ClassVar[Action] = Action.ADOPT
    desired: DesiredVoice
    pending_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait(BaseChange):
    """Wait for a voice still processing: ``pending_id`` if journalled, else ``voice_id``."""

    action: ClassVar[Action] = Action.WAIT
    desired: DesiredVoice
    pending_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Delete(BaseChange):
    """Delete ``voice_id``; without one, the voice a journalled clone made (if any)."""

    action: ClassVar[Action] = Action.DELETE
    skippable: bool = False
    journal_started_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Conflict(BaseChange):
    """A declared name taken by a voice this catalog does not manage: refused, with a way out."""

    action: ClassVar[Action] = Action.CONFLICT
    voice_id: str
    desired: DesiredVoice
    note: str


Change = Clone | Replace | Update | Adopt | Wait | Delete | Conflict
VARIANTS: dict[Action, type[Change]] = {
    v.action: v for v in (Clone, Replace, Update, Adopt, Wait, Delete, Conflict)
}


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """Refuse more than ``max_count`` deletes+replaces when that is also over ``max_fraction``."""

    max_count: int = 5
    max_fraction: float = 0.25


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """What the user asked of this plan beyond the catalog (flags of plan and apply)."""

    targets: frozenset[str] = frozenset()
    replace: frozenset[str] = frozenset()
    prune: bool | None = None  # None: as voices.yaml says
    force: bool = False
    limits: SafetyLimits = field(default_factory=SafetyLimits)
    adopt: frozenset[str] = frozenset()  # declared names whose unrecorded namesake to take over
    # When the plan is made, and the grace window: a clone journal entry older than its window
    # has expired and is no longer matched by name (None: entries never expire).
    now: float | None = None
    grace_s: float = GRACE_S

    def expired(self, window_start: float) -> bool:
        """Whether a clone whose window started then can no longer be matched by name: its
        window is over, or it claims to start in the future (an edited state file)."""
        if self.now is None:
            return False
        if not math.isfinite(window_start):
            return True  # no time at all: never a window that is still open
        return self.now > window_start + self.grace_s or window_start > self.now + CLOCK_SKEW_S


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # protected | too_many | deletes_all
    message: str
    overridable: bool  # --force lifts it
    overridden: bool = False

    @property
    def blocking(self) -> bool:
        return not self.overridden


@dataclass(frozen=True, slots=True)
class Plan:
    endpoint: str
    config: str
    changes: tuple[Change, ...]
    unmanaged: tuple[RemoteVoice, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    managed_count: int = 0
    fingerprint: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # per-voice digests, to explain staleness
    options: dict[str, Any] = field(default_factory=dict)  # what it was planned with
    environment: str | None = None  # the environment of the catalog it was planned for

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def destructive(self) -> bool:
        return any(c.action.destructive for c in self.changes)

    @property
    def safe(self) -> bool:
        return not any(r.blocking for r in self.refusals)

    def summary(self) -> dict[str, int]:
        counts = Counter(c.action for c in self.changes)
        return {action.value: counts.get(action, 0) for action in Action}


def assess_safety(
    changes: tuple[Change, ...], managed_count: int, *, force: bool, limits: SafetyLimits
) -> tuple[Refusal, ...]:
    """The refusals apply would make. Protection is never lifted; thresholds are by --force."""
    refusals = [
        Refusal("conflict", c.note, overridable=False)
        for c in changes
        if c.action is Action.CONFLICT
    ]
    refusals += [
        Refusal(
            "protected",
            f"'{c.name}' is protected and would be "
            f"{'deleted' if c.action is Action.DELETE else 'replaced'}; set protected: false "
            "in voices.yaml (and apply) first if this is intended",
            overridable=False,
        )
        for c in changes
        if c.protected and c.action.destructive
    ]
    destructive = sum(1 for c in changes if c.action.destructive)
    fraction = destructive / managed_count if managed_count else 1.0
    if destructive > limits.max_count and fraction > limits.max_fraction:
        refusals.append(
            Refusal(
                "too_many",
                f"{destructive} voices would be deleted or replaced, more than {limits.max_count} "
                f"and more than {limits.max_fraction:.0%} of the {managed_count} managed; "
                "pass --force if this is intended",
                overridable=True,
                overridden=force,
            )
        )
    managed_deletes = sum(
        1
        for c in changes
        if c.action is Action.DELETE
        and c.match is Match.STATE
        and c.reason is not Reason.SUPERSEDED
    )
    if managed_count and managed_deletes >= managed_count:
        refusals.append(
            Refusal(
                "deletes_all",
                f"the plan deletes every managed voice ({managed_count}); "
                "pass --force if this is intended (or use voicesync destroy)",
                overridable=True,
                overridden=force,
            )
        )
    return tuple(refusals)


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(_CANONICAL.encode(value).encode()).hexdigest()


# One encoder for every digest (json.dumps with options builds a new one per call: a plan of
# 5,000 voices takes 15,000 digests).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)

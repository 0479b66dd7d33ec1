"""PURE: which voices of a shared account belong to the other environments of one catalog.

Environments of a catalog often share one account (production, staging, a copy per pull
request). The state file proves what *this* environment owns; this module says what it must
leave alone although its own state file, ``prune``, ``ignore`` or ``--force`` would touch it:

- a voice that another environment's state file records, and
- a voice whose name another environment's ``name_format`` makes. A format that is the declared
  name alone (``{name}``, usually production's) can make any name, so it yields to every more
  specific format: production leaves ``Narrator [staging]`` to staging.

An environment prunes only names its own format makes and no other environment claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from voicesync.model import Environment, RemoteVoice, parsed_format
from voicesync.names import is_glob


@dataclass(frozen=True, slots=True)
class Territory:
    env: Environment | None  # the environment planned for; None: the catalog has none
    formats: tuple[tuple[str, str], ...] = ()  # every environment key and its name_format
    # voice_id -> the state file of another environment of this catalog that records it
    recorded: Mapping[str, str] = field(default_factory=dict)

    def claimant(self, voice: RemoteVoice) -> str | None:
        """Why ``voice`` belongs to another environment of the catalog, or None."""
        where = self.recorded.get(voice.voice_id)
        if where is not None:
            return f"{where} records it"
        if self.env is None or voice.name is None:
            return None
        own = self._makes(voice.name)
        if own and not parsed_format(self.env.name_format).catch_all:
            return None  # a specific format of its own: validate refused overlapping ones
        specific, catch_all = self._others_making(voice.name)
        other = specific[0] if specific else (None if own else next(iter(catch_all), None))
        if other is None:
            return None
        return f"environment {other}'s name_format makes the name '{voice.name}'"

    def prunable(self, voice: RemoteVoice) -> bool:
        """Whether prune may delete this unmanaged voice: a name this environment's format
        makes and no other environment claims."""
        if self.env is None:
            return voice.voice_id not in self.recorded
        return self._makes(voice.name or "") and self.claimant(voice) is None

    def _makes(self, name: str) -> bool:
        """Whether this environment's own format makes ``name``."""
        assert self.env is not None
        return (
            parsed_format(self.env.name_format).environment_of(name, env=self.env.name) is not None
        )

    def _others_making(self, name: str) -> tuple[list[str], list[str]]:
        """(environments with a specific format, with a catch-all one) other than this one
        whose format makes ``name``."""
        assert self.env is not None
        specific: list[str] = []
        catch_all: list[str] = []
        for key, text in self.formats:
            fmt = parsed_format(text)
            made_for = (
                fmt.environment_of(name, glob=key)
                if is_glob(key)
                else fmt.environment_of(name, env=key)
            )
            if made_for is None or made_for == self.env.name:
                continue
            (catch_all if fmt.catch_all else specific).append(made_for)
        return specific, catch_all

"""PURE: what a voice NAME given on the command line means, in one place for every command.

In an environment one voice has three names: the declared one (``Old Man``), its ``key:``
(``elder``, what ``outputs`` shows) and the remote one (``Old Man [pr-2]``). forget, preview,
``--adopt``, ``--target`` and ``--replace`` accept each of them and mean the same voice: the
remote name, which is the plan's name for it and the state file's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voicesync.errors import UsageError
from voicesync.model import DesiredState, Environment, nfc
from voicesync.state.store import State


@dataclass(frozen=True, slots=True)
class Named:
    remote: str  # the remote name: the plan's name and the state file's key
    forms: tuple[str, ...]  # every way to say it: remote, declared, key

    def describe(self) -> str:
        return " = ".join(f"'{f}'" for f in dict.fromkeys(self.forms))


def named_voices(
    desired: DesiredState | None, state: State | None, env: Environment | None
) -> tuple[Named, ...]:
    """Every voice the catalog declares or the state file records, with its names."""
    out: dict[str, Named] = {}
    for voice in desired.voices if desired is not None else ():
        out[voice.name] = Named(
            voice.name, (voice.name, voice.declared or voice.name, voice.output_key)
        )
    for key, record in sorted(state.records.items()) if state is not None else ():
        if key not in out:
            declared = env.declared_name(key) if env is not None else None
            out[key] = Named(key, (key, declared or key, record.output_key))
    return tuple(out.values())


def resolve(given: str, voices: Sequence[Named], where: str) -> str:
    """The remote name ``given`` means; UsageError listing the forms when it means none or
    several."""
    wanted = nfc(given)
    if any(v.remote == wanted for v in voices):  # the remote name is exact: it wins
        return wanted
    found = sorted({v.remote for v in voices if wanted in v.forms or given in v.forms})
    if len(found) == 1:
        return found[0]
    if found:
        candidates = [v for v in voices if v.remote in found]
        raise UsageError(
            f"'{given}' names several voices of {where}: "
            + "; ".join(v.describe() for v in candidates),
            hint="use a name only one of them has (the remote name always is)",
        )
    shown = "; ".join(v.describe() for v in voices[:8]) + ("; …" if len(voices) > 8 else "")
    raise UsageError(
        f"{where} manages no voice named '{given}'",
        hint="a voice is named by its remote, declared or key: name"
        + (f"; these would work: {shown}" if voices else ""),
    )


def resolve_known(given: Iterable[str], voices: Sequence[Named], where: str) -> frozenset[str]:
    """Each name resolved where it names a voice; a name that names none is left as given (the
    planner says what is wrong with it in the words of the option that gave it)."""
    out = set()
    for name in given:
        try:
            out.add(resolve(name, voices, where))
        except UsageError:
            if any(nfc(name) in v.forms for v in voices):
                raise
            out.add(name)
    return frozenset(out)

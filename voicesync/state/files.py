"""The state files of a catalog: their names, and what its other environments' files record.

``voices.yaml`` keeps ``voices.lock.json`` beside it, and with an environment
``voices.<env>.lock.json``. Those names must never meet: ``voices.yaml --env staging`` and a
catalog ``voices.staging.yaml`` beside it would share one file, and each would delete the
other's voices as undeclared; such a pair is refused before anything is read or written.

Environments of one catalog often share an account. A voice that any of their state files
records is not the planned environment's to touch, whatever its own state file says (a stale
or edited copy may claim it), so planning reads the siblings' ids too.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

from voicesync.errors import StateError
from voicesync.localfiles import LocalFolder
from voicesync.names import ENV_NAME, is_glob
from voicesync.state.store import STATE_SUFFIX, load_state
from voicesync.state.wal import LEGACY_LOG_SUFFIX, LOG_SUFFIX

CATALOG_SUFFIXES = (".yaml", ".yml")


def default_state_path(
    config: Path, *, local_emulator: bool = False, environment: str | None = None
) -> Path:
    """``<stem>.lock.json`` beside the catalog (``voices.yaml`` → ``voices.lock.json``,
    ``prod.yaml`` → ``prod.lock.json``); with an environment ``<stem>.<env>.lock.json``; in
    ``.voicesync/`` for the built-in emulator. Raises StateError when another catalog in the
    folder would use the same file."""
    base = config.resolve().parent
    full = config.stem + (f".{environment}" if environment else "")
    _refuse_shared(config, base, full, environment)
    name = full + STATE_SUFFIX
    return LocalFolder(base).state_file(name) if local_emulator else base / name


def _refuse_shared(config: Path, base: Path, full: str, environment: str | None) -> None:
    mine = config.resolve()
    for other in sorted(p for s in CATALOG_SUFFIXES for p in base.glob(f"*{s}")):
        if other.resolve() == mine or not other.is_file():
            continue
        rest = full[len(other.stem) + 1 :] if full.startswith(other.stem + ".") else None
        if other.stem in (config.stem, full) or (rest and _declares(other, rest)):
            used = f"{config.name}" + (f" --env {environment}" if environment else "")
            raise StateError(
                f"{used} and the catalog {other.name} beside it would share the state file "
                f"{full}{STATE_SUFFIX}, and each would take the other's voices for its own",
                hint="give one of them a state file of its own with --state PATH, or rename "
                "one catalog",
            )


def _declares(catalog: Path, environment: str) -> bool:
    """Whether another catalog declares an environment of this name (read leniently: a
    catalog that cannot be read is that catalog's problem). Rare (a catalog whose name is a
    prefix of this one's), so PyYAML is imported only then: a warm plan never imports it."""
    import yaml

    try:
        data = yaml.safe_load(catalog.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    declared = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(declared, dict) or not ENV_NAME.match(environment):
        return False
    keys = [str(k) for k in declared]
    return environment in keys or any(is_glob(k) and fnmatchcase(environment, k) for k in keys)


def recorded_elsewhere(config: Path, in_use: Path, endpoint: str) -> dict[str, str]:
    """voice_id -> the sibling state file (of the same endpoint) that records it. Siblings are
    ``<stem>.lock.json`` and ``<stem>.<env>.lock.json`` beside the catalog, in its
    ``.voicesync/`` and beside the state file in use (which is left out). A sibling that cannot
    be read is a StateError: what it records cannot be known, so nothing is guessed."""
    out: dict[str, str] = {}
    used = in_use.resolve()
    for path in _siblings(config, in_use.parent):
        if path.resolve() == used:
            continue
        state = load_state(path, None)
        if state.endpoint != endpoint:
            continue
        for voice_id in sorted(state.recorded_ids()):
            out.setdefault(voice_id, path.name)
    return out


def _siblings(config: Path, beside_state: Path) -> Iterable[Path]:
    stem = config.stem
    base = config.resolve().parent
    found: set[Path] = set()
    for folder in dict.fromkeys((base, LocalFolder(base).path, beside_state.resolve())):
        for suffix in (STATE_SUFFIX, *(STATE_SUFFIX + s for s in (LOG_SUFFIX, LEGACY_LOG_SUFFIX))):
            for path in folder.glob(f"{_escaped(stem)}*{suffix}"):
                log = suffix.removeprefix(STATE_SUFFIX)
                state_path = path.with_name(path.name.removesuffix(log) if log else path.name)
                middle = state_path.name[len(stem) : -len(STATE_SUFFIX)]
                if middle == "" or (middle.startswith(".") and ENV_NAME.match(middle[1:])):
                    found.add(state_path)
    return sorted(found)


def _escaped(text: str) -> str:
    """``text`` as a literal inside a glob pattern."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)

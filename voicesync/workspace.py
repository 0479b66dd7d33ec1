"""Where a command works, opened in one place for every command: the catalog (read once), the
environment it runs in, the state file, and the connection to the API or the built-in emulator.

The order is the user's: a missing catalog is reported before a missing key, a state file
another catalog would share before anything is read, and nothing connects before the catalog
is valid. Usable from Python::

    workspace = Workspace.open(Path("voices.yaml"), Target(env_name="staging"))
    with workspace.connect() as connection, ReadOnlyClient(connection) as client:
        planned = pipeline.plan(workspace, client)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from voicesync.api.settings import CatalogChoice, Connection, resolve_connection
from voicesync.catalog.assess import Assessed, assess
from voicesync.catalog.loader import Loaded, load_config
from voicesync.catalog.parsecache import parse_cache_path
from voicesync.catalog.samplecache import cache_path, load_cache, save_cache
from voicesync.errors import Problem, StateError, UsageError
from voicesync.localfiles import LocalFolder, atomic_write_bytes, refuse_link
from voicesync.model import AudioFormat, DesiredVoice, Environment
from voicesync.state.files import default_state_path
from voicesync.state.store import State, load_state

LOCAL_ENDPOINT = "emulator"
# Not a secret: the local emulator's voices belong to this fixed demo account.
LOCAL_KEY = "vk_local_emulator"
LOCAL_PENDING_S = 0.5
LOCAL_PROCESSING_S = 2.0


@dataclass(frozen=True, slots=True)
class Target:
    """What the runner chose: the API (``base_url``, else VOICEAI_BASE_URL) or the built-in
    emulator, the environment, and the state file (default: beside the catalog)."""

    base_url: str | None = None
    emulator: bool = False
    env_name: str | None = None
    state_path: Path | None = None

    def state_file(self, config: Path) -> Path:
        """--state if given, else the default beside the catalog (in .voicesync/ with the
        emulator); with an environment, its own file: <stem>.<env>.lock.json."""
        return self.state_path or default_state_path(
            config, local_emulator=self.emulator, environment=self.env_name
        )


@dataclass(frozen=True, slots=True)
class Workspace:
    """A catalog opened for one command."""

    config: Path
    target: Target
    loaded: Loaded
    state_path: Path

    @classmethod
    def open(
        cls,
        config: Path,
        target: Target | None = None,
        *,
        samples: bool = True,
        allow_outside: Sequence[Path] = (),
    ) -> Workspace:
        """Read and validate the catalog once (``samples``: inspect them too, through the
        machine-local sample cache) and choose its environment. Raises ConfigError, UsageError
        or StateError before anything touches the network."""
        target = target or Target()
        require_catalog(config)  # before the key: with neither, the file is the first to fix
        state_path = target.state_file(config)  # refused before any read if another catalog's
        if samples:
            loaded = load_catalog(config, allow_outside=allow_outside, environment=target.env_name)
        else:
            loaded = load_config(config, inspect_samples=False, environment=target.env_name)
        check_environment(config, target.env_name, loaded)
        return cls(config, target, loaded, state_path)

    @property
    def environment(self) -> Environment | None:
        return self.loaded.state.environment

    @property
    def declared_names(self) -> set[str]:
        return self.loaded.declared_names

    def state(self, endpoint: str | None) -> State:
        return load_state(self.state_path, endpoint)

    def assess(self, voices: Iterable[DesiredVoice], *, measuring: bool = True) -> Assessed:
        """The quality warnings of ``voices``' samples (see :func:`assess_samples`)."""
        return assess_samples(self.config, voices, measuring=measuring)

    def connect(self) -> AbstractContextManager[Connection]:
        """The built-in emulator, or the API: the runner's base URL, else the environment's
        base_url (where the runner allows it), else VOICEAI_BASE_URL; the key from the
        environment's api_key_env (where allowed), else VOICEAI_API_KEY."""
        env, chosen = self.environment, None
        if env is not None:
            chosen = CatalogChoice(
                env.base_url,
                str(env.base_url_at or ""),
                env.api_key_env,
                str(env.api_key_env_at or ""),
            )
        return self.connect_to(self.target, self.config, chosen)

    @staticmethod
    @contextmanager
    def connect_to(
        target: Target, config: Path, chosen: CatalogChoice | None = None
    ) -> Iterator[Connection]:
        """The connection for ``target`` (see :meth:`connect`), with no catalog to read the
        environment from (``list`` without one); the emulator keeps its voices beside
        ``config``."""
        if target.emulator:
            with local_emulator(config.resolve().parent) as connection:
                yield connection
            return
        yield resolve_connection(target.base_url, os.environ, catalog=chosen)


@dataclass(frozen=True, slots=True)
class StateOnly:
    """Where a command that works from the state file alone works (list, outputs, forget,
    preview): the catalog, when there is one, is opened without its samples, to choose the
    environment and to know what it declares; without one, the runner's target alone."""

    config: Path
    target: Target
    workspace: Workspace | None

    @classmethod
    def open(cls, config: Path, target: Target) -> StateOnly:
        if config.exists():
            return cls(config, target, Workspace.open(config, target, samples=False))
        if target.env_name is not None:
            raise UsageError(f"--env {target.env_name}: {config} does not exist")
        return cls(config, target, None)

    @property
    def environment(self) -> Environment | None:
        return self.workspace.environment if self.workspace else None

    @property
    def state_path(self) -> Path:
        return self.workspace.state_path if self.workspace else self.target.state_file(self.config)

    @property
    def declared_names(self) -> set[str]:
        return self.workspace.declared_names if self.workspace else set()

    def state(self, endpoint: str | None) -> State:
        return load_state(self.state_path, endpoint)

    def connect(self) -> AbstractContextManager[Connection]:
        if self.workspace:
            return self.workspace.connect()
        return Workspace.connect_to(self.target, self.config)


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


def validate_catalog(
    config: Path,
    *,
    allow_outside: Sequence[Path] = (),
    accept: frozenset[AudioFormat] = frozenset(),
) -> tuple[Loaded, tuple[Problem, ...]]:
    """voices.yaml validated, and every sample judged for quality (through the sample cache):
    the catalog and its warnings, the quality ones last. Raises ConfigError."""
    known = load_cache(cache_path(config))
    loaded = load_config(config, allow_outside=allow_outside, accept=accept, known_samples=known)
    assessed = assess(loaded.state.voices)
    fresh = [v.sample for v in loaded.state.voices if v.sample]
    save_cache(cache_path(config), known, [*fresh, *assessed.samples.values()])
    return loaded, loaded.warnings + assessed.problems


def assess_samples(
    config: Path, voices: Iterable[DesiredVoice], *, measuring: bool = True
) -> Assessed:
    """Quality warnings for the samples of ``voices``, measured where the machine-local sample
    cache does not know them yet, which then keeps what was measured."""
    voices = tuple(voices)
    if not voices:
        return Assessed({}, ())
    assessed = assess(voices, measuring=measuring)
    known = load_cache(cache_path(config))
    save_cache(cache_path(config), known, assessed.samples.values())
    return assessed


def require_catalog(config: Path) -> None:
    """A missing catalog is the ConfigError validate gives ("file not found: …")."""
    if not config.is_file():
        load_config(config, inspect_samples=False)


def check_environment(config: Path, name: str | None, loaded: Loaded) -> None:
    """A catalog that declares environments needs one (UsageError listing them); one that
    declares none takes none."""
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


@contextmanager
def local_emulator(base: Path) -> Iterator[Connection]:
    """Serve an emulator on loopback whose voices persist in ``base/.voicesync/``."""
    from voicesync.emulator import Emulator, EmulatorConfig, Timing

    folder = LocalFolder(base)
    voices = folder.emulator_voices()
    refuse_link(voices, "the built-in emulator's voices")
    config = EmulatorConfig(
        state_path=voices,
        write_file=atomic_write_bytes,
        timing=Timing(pending_s=LOCAL_PENDING_S, processing_s=LOCAL_PROCESSING_S),
    )
    try:
        try:
            emulator = Emulator(config)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise StateError(
                f"{voices} (the built-in emulator's voices) is damaged: {exc}",
                hint="remove it to start the local account afresh (its voices are only "
                "for trying voicesync out)",
            ) from None
        with emulator:
            yield Connection(emulator.url, LOCAL_KEY, endpoint=LOCAL_ENDPOINT)
    finally:
        if folder.path.exists():  # made by this run: keep it out of git
            folder.ensure()

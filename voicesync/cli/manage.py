"""Commands that manage what voicesync manages: import, forget, completion."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from voicesync.api.client import VoiceAIClient
from voicesync.catalog.importer import choose, import_voices
from voicesync.catalog.loader import Loaded, load_config
from voicesync.cli.console import app
from voicesync.cli.options import (
    TargetOptions,
    client_options,
    config_and_name,
    config_argument,
    emulator_option,
    env_option,
    state_option,
    target_options,
)
from voicesync.errors import (
    ConfigError,
    ExitStatus,
    ForbiddenError,
    NotFoundError,
    StateError,
    UsageError,
)
from voicesync.localfiles import atomic_write_text
from voicesync.model import RemoteVoice
from voicesync.plan.voicenames import named_voices, resolve
from voicesync.state.lock import state_lock
from voicesync.state.store import State, load_state, save_state
from voicesync.workspace import StateOnly, Target, Workspace


def _readable(config: Path) -> Loaded | None:
    """The catalog import writes into (without its samples); None when there is none yet."""
    if not config.exists():
        return None
    try:
        return load_config(config, inspect_samples=False)
    except ConfigError as exc:
        first = next(iter(exc.problems), None)
        raise UsageError(
            f"{config} has problems; fix them before importing"
            + (f" (first: {first})" if first else ""),
            hint="voicesync validate shows them all",
        ) from exc


@click.command("import")
@config_argument
@click.option("--name", "names", multiple=True, metavar="NAME", help="Import this voice.")
@click.option("--all", "everything", is_flag=True, help="Import every unrecorded voice.")
@click.option(
    "--sample-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of samples named after the voices (NAME.wav/.mp3/.ogg).",
)
@target_options
def import_command(
    config: Path,
    names: tuple[str, ...],
    everything: bool,
    sample_dir: Path | None,
    where: TargetOptions,
) -> int:
    """Write voices made by hand into voices.yaml and the state file, to manage them.

    Each voice is first proved to be the account's (a PATCH that changes nothing): catalog
    voices and other accounts' public voices are refused, remembered as foreign, not imported.
    """
    console = app().console
    loaded = _readable(config)
    declared = (
        {n for v in loaded.state.voices for n in (v.name, *v.previous_names)} if loaded else set()
    )
    if loaded and loaded.state.environment_keys:
        raise UsageError(
            f"import cannot yet write into {config}, which declares environments",
            hint="declare the voice in voices.yaml yourself, then take its remote voice over "
            "with: voicesync apply --env NAME --adopt 'REMOTE NAME'",
        )
    with Workspace.connect_to(where.target, config) as conn:
        state_path = where.target.state_file(config)
        with state_lock(state_path), VoiceAIClient(conn, **client_options(where)) as client:
            state = load_state(state_path, conn.endpoint)
            chosen = choose(
                client.list_voices(),
                names,
                everything,
                state,
                declared,
                skipped=lambda voice, why: console.warn(
                    f"skipped '{voice.name}' ({voice.voice_id}): voices.yaml cannot hold its "
                    f"name, as {why}; rename it on the account to import it"
                ),
            )
            owned, refused = prove_owned(client, chosen)
            state = replace(state, foreign=state.foreign | {v.voice_id for v in refused})
            for voice in refused:
                console.warn(
                    f"not imported: '{voice.name}' ({voice.voice_id}) is a voice this account "
                    "cannot change (a catalog or another account's voice)"
                )
            if not owned:
                save_state(state_path, state)
                console.info(
                    "Nothing to import: every voice is already managed or declared, "
                    "or is not the account's."
                )
                return ExitStatus.ERROR if refused and names else 0
            result = import_voices(config, owned, state, sample_dir)
            _write_together(config, result.text, state_path, result.state)
    console.out(f"Imported {len(result.names)} voice(s) into {config}: {', '.join(result.names)}")
    if refused and names:
        return ExitStatus.ERROR
    if result.missing_samples:
        console.out(
            "Supply these samples (voicesync validate lists them), then run voicesync "
            "plan:\n  " + "\n  ".join(result.missing_samples)
        )
    return ExitStatus.OK


def prove_owned(
    client: VoiceAIClient, voices: list[RemoteVoice]
) -> tuple[list[RemoteVoice], list[RemoteVoice]]:
    """(the account's, not the account's): a PATCH that changes nothing is allowed only on the
    account's own voices; the list may also hold catalog and other accounts' public voices."""
    owned, refused = [], []
    for voice in voices:
        try:
            client.update(voice.voice_id, name=voice.name)
        except (ForbiddenError, NotFoundError):
            refused.append(voice)
        else:
            owned.append(voice)
    return owned, refused


def _write_together(config: Path, text: str, state_path: Path, state: State) -> None:
    """The catalog and the state file change together or not at all. The catalog goes first:
    records without declarations would be deleted as undeclared by the next apply, while
    declarations without records are only conflicts; if the state cannot be written, the
    catalog is put back."""
    old = config.read_bytes().decode("utf-8") if config.exists() else None
    _write(config, text)
    try:
        save_state(state_path, state)
    except BaseException:
        if old is None:
            config.unlink(missing_ok=True)
        else:
            _write(config, old)
        raise


def _write(path: Path, text: str) -> None:
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise StateError(
            f"cannot write {path}: {exc.strerror or exc}; nothing was imported",
            hint="make the folder writable and check the disk has space, then run again",
        ) from None


@click.command("forget")
@click.argument("words", nargs=-1, required=True, metavar="[CONFIG] NAME")
@emulator_option(help="Use the state kept for the built-in emulator.")
@state_option
@env_option
def forget_command(
    words: tuple[str, ...], emulator: bool, state_path: Path | None, env_name: str | None
) -> int:
    """Stop managing voice NAME (its remote name) without deleting it."""
    config, given = config_and_name(words, "forget")
    here = StateOnly.open(config, Target(None, emulator, env_name, state_path))
    path = here.state_path
    with state_lock(path):
        state = load_state(path, None)
        name = resolve(given, named_voices(None, state, here.environment), f"the state file {path}")
        if name in here.declared_names:
            raise UsageError(
                f"'{name}' is still declared in {config}; remove it there first",
                hint="otherwise the next plan would show it as a conflict",
            )
        record = state.records[name]
        if record.pending is not None:
            raise StateError(f"'{name}' has a clone in flight; apply first, then forget it")
        save_state(path, state.without(name))
    app().console.out(
        f"voicesync no longer manages '{name}' ({record.voice_id}); the voice "
        "itself was not touched."
    )
    return ExitStatus.OK


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_command(shell: str) -> int:
    """Print the shell completion script, e.g. eval "$(voicesync completion bash)"."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    root = click.get_current_context().find_root().command
    assert completion is not None
    app().console.out(completion(root, {}, "voicesync", "_VOICESYNC_COMPLETE").source())
    return ExitStatus.OK

"""``voicesync preview``: hear a managed voice before it ships (one speech request)."""

from __future__ import annotations

from pathlib import Path

import click

from voicesync.api.client import VoiceAIClient
from voicesync.audio import HEAD_BYTES, sniff
from voicesync.cli.console import app
from voicesync.cli.options import (
    TargetOptions,
    client_options,
    config_and_name,
    format_option,
    target_options,
)
from voicesync.errors import ExitStatus, StateError, UsageError
from voicesync.localfiles import atomic_write_bytes, file_slug, refuse_link
from voicesync.plan.voicenames import named_voices, resolve
from voicesync.workspace import StateOnly

# A sentence per language the API clones in, so a preview sounds like what the voice is for.
SENTENCES = {
    "en": "Hello! This is a short preview of my voice.",
    "es": "¡Hola! Esta es una breve muestra de mi voz.",
    "fr": "Bonjour ! Voici un court aperçu de ma voix.",
    "de": "Hallo! Dies ist eine kurze Hörprobe meiner Stimme.",
    "it": "Ciao! Questa è una breve anteprima della mia voce.",
    "pt": "Olá! Esta é uma breve amostra da minha voz.",
    "pl": "Cześć! To jest krótka próbka mojego głosu.",
    "ru": "Привет! Это короткий образец моего голоса.",
    "nl": "Hallo! Dit is een korte proef van mijn stem.",
    "sv": "Hej! Det här är ett kort prov på min röst.",
    "ca": "Hola! Aquesta és una breu mostra de la meva veu.",
}


@click.command("preview")
@click.argument("words", nargs=-1, required=True, metavar="[CONFIG] NAME")
@click.option("--text", help="What the voice says (default: a sentence in its language).")
@click.option(
    "-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the audio (default: NAME.preview.FORMAT here).",
)  # fmt: skip
@format_option(("mp3", "wav"), "The audio format of the preview.", show_default=True)
@target_options
def preview_command(
    words: tuple[str, ...], text: str | None, out: Path | None, fmt: str, where: TargetOptions
) -> int:
    """Write what a managed voice says, to hear it before it ships."""
    config, name = config_and_name(words, "preview")
    here = StateOnly.open(config, where.target)
    env = here.environment
    with here.connect() as conn:
        state = here.state(conn.endpoint)
        label = f"the state file {here.state_path}"
        record = state.records[resolve(name, named_voices(None, state, env), label)]
        if record.voice_id is None:
            raise StateError(
                f"voicesync manages no voice named '{name}' here",
                hint="apply it first; voicesync outputs lists the managed voices",
            )
        words_said = text or SENTENCES.get(record.language, SENTENCES["en"])
        with VoiceAIClient(conn, **client_options(where)) as api:
            audio = api.speak(record.voice_id, words_said, audio_format=fmt,
                              language=record.language)  # fmt: skip
    target = out or Path(f"{file_slug(name)}.preview.{fmt}")
    _write(target, audio)
    app().console.out(f"Wrote {target} ({len(audio) / 1000:.1f} kB): '{name}' saying "
                      f'"{words_said}"')  # fmt: skip
    return ExitStatus.OK


def _write(path: Path, audio: bytes) -> None:
    """Write the preview, never through a link and never over a file that is not audio
    (voicesync's own previews are): a committed previews/X.mp3 -> ../voices.lock.json would
    otherwise have the recipe's preview step overwrite the state file, and the next step
    commit it. The file is replaced whole (temp file, rename), so a link is never followed."""
    refuse_link(path, "the preview's output")
    if path.exists() and (not path.is_file() or _head(path) is None):
        raise UsageError(
            f"{path} exists and is not a voicesync preview (not audio): refusing to overwrite it",
            hint="choose another file with -o, or remove that one first",
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, audio)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _head(path: Path) -> bytes | None:
    """The file's first bytes if they are an audio file's, else None."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    return head if sniff(head) is not None else None

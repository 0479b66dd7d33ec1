"""``voicesync review``: the review page of a plan, to hear and see each change."""

from __future__ import annotations

from pathlib import Path

import click

from voicesync.api.client import ReadOnlyClient, VoiceAIClient
from voicesync.cli.console import app
from voicesync.cli.options import (
    Selection,
    TargetOptions,
    client_options,
    config_argument,
    selection_options,
    target_options,
)
from voicesync.cli.preview import SENTENCES
from voicesync.errors import ExitStatus
from voicesync.pipeline import plan
from voicesync.plan.planfile import plan_json, read_plan_file
from voicesync.review.build import Reviewed, build_review


@click.command("review")
@config_argument
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Review this plan saved by plan --out, instead of planning now (no account listed).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("voicesync-review"),
    show_default=True,
    help="The folder to write index.html and its audio/ folder into.",
)
@click.option(
    "--base",
    metavar="REF",
    help="The git revision to take replaced voices' previous samples from "
    "(default: the merge base of HEAD and main).",
)
@click.option(
    "--previews",
    is_flag=True,
    help="Add what each changed voice that exists says (one speech request each).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="A full card (player, waveform, measures) for every voice, not only the changed ones.",
)
@selection_options
@target_options
def review_command(
    config: Path,
    plan_file: Path | None,
    out: Path,
    base: str | None,
    previews: bool,
    everything: bool,
    where: TargetOptions,
    selection: Selection,
) -> int:
    """Write a review page: each change, and a card per voice to hear and see it.

    One self-contained HTML file (no request to any server when opened) with the samples in an
    audio/ folder beside it: the plan, then per changed voice (every voice with --all) its
    sample's player and waveform, its quality measures, for a replaced voice the previous
    sample from git, and with --previews what the voice says. With --plan it needs no key.
    """
    workspace = where.open(config, allow_outside=selection.allow_outside)
    if plan_file is not None and not previews:  # nothing to ask the API: no key needed
        data = dict(read_plan_file(plan_file))
        _said(build_review(workspace, data, out, base=base, everything=everything))
        return ExitStatus.OK
    with workspace.connect() as conn:
        if plan_file is not None:
            data = dict(read_plan_file(plan_file))
        else:
            with ReadOnlyClient(conn, **client_options(where)) as reader:
                data = plan_json(plan(workspace, reader, selection.plan_options()).plan)
        if previews:
            with VoiceAIClient(conn, **client_options(where)) as api:

                def speak(voice_id: str, language: str) -> bytes:
                    sentence = SENTENCES.get(language, SENTENCES["en"])
                    return api.speak(voice_id, sentence, language=language)

                done = build_review(
                    workspace, data, out, base=base, speak=speak, everything=everything
                )
        else:
            done = build_review(workspace, data, out, base=base, everything=everything)
    _said(done)
    return ExitStatus.OK


def _said(done: Reviewed) -> None:
    app().console.out(
        f"Wrote {done.page}: {done.changed} changed of {done.cards} voices. "
        "Open it in a browser; it loads nothing but the audio beside it."
    )

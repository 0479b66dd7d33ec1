"""The ``voicesync`` executable.

``voicesync --version`` and the top-level ``--help`` are answered before click is imported:
importing click is half of a 100 ms start, and scripts, CI steps and people ask for them
often. The help is click's own rendering, kept in :mod:`voicesync.renderedhelp` for the widths
it was rendered at (a test fails when it drifts); any other width, and everything else, goes
to the CLI (:mod:`voicesync.cli`), which prints both the same way.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from voicesync import __version__

        sys.stdout.write(f"voicesync, version {__version__}\n")
        return
    if sys.argv[1:] in (["--help"], ["-h"]) and (text := _kept_help()) is not None:
        sys.stdout.write(text)
        return
    from voicesync.cli import main as cli_main

    cli_main()


def _kept_help() -> str | None:
    import shutil

    from voicesync.renderedhelp import TOP_HELP

    # click wraps help at min(columns, max_content_width=100) - 2, and at 50 at the least.
    width = max(min(shutil.get_terminal_size().columns, 100) - 2, 50)
    return TOP_HELP.get(width)

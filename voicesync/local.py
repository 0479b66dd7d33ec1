"""The in-process emulator behind ``--emulator``: try voicesync with no account and no key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from voicesync.settings import Connection

LOCAL_DIR = ".voicesync"
LOCAL_ENDPOINT = "emulator"
# Not a secret: the local emulator's voices belong to this fixed demo account.
LOCAL_KEY = "vk_local_emulator"
LOCAL_PENDING_S = 0.5
LOCAL_PROCESSING_S = 2.0


def local_dir(base: Path) -> Path:
    return base / LOCAL_DIR


def ensure_local_dir(folder: Path) -> Path:
    """Create the folder with a ``.gitignore`` of ``*``, so it never lands in a commit."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# voicesync's machine-local files: never commit them\n*\n")
    return folder


@contextmanager
def local_emulator(base: Path) -> Iterator[Connection]:
    """Serve an emulator on loopback whose voices persist in ``base/.voicesync/``."""
    from voicesync.emulator import Emulator, EmulatorConfig, Timing

    folder = local_dir(base)
    config = EmulatorConfig(
        state_path=folder / "emulator.json",
        timing=Timing(pending_s=LOCAL_PENDING_S, processing_s=LOCAL_PROCESSING_S),
    )
    try:
        with Emulator(config) as emulator:
            yield Connection(emulator.url, LOCAL_KEY, endpoint=LOCAL_ENDPOINT)
    finally:
        if folder.exists():  # made by this run: keep it out of git
            ensure_local_dir(folder)

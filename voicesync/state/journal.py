"""The state file during a run: every update is a read-modify-write under one lock, saved at once.

The executor's threads never hold a State of their own; they call the operations below, each a
pure transition of :mod:`.transitions` applied under the lock, so two operations on the same
record cannot overwrite each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from voicesync.model import DesiredVoice
from voicesync.state import transitions as t
from voicesync.state.store import State, save_state


class Journal:
    def __init__(self, state: State, path: Path | None) -> None:
        self._state = state
        self._path = path
        self._lock = threading.Lock()

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def update(self, change: Callable[[State], State]) -> State:
        with self._lock:
            new = change(self._state)
            if new != self._state:
                self._state = new
                if self._path is not None:
                    save_state(self._path, new)
            return new

    # -- the operations the executor records (see transitions for what each means) -------------
    def start_clone(self, key: str | None, voice: DesiredVoice, started_at: float) -> None:
        self.update(lambda s: t.start_clone(s, key, voice, started_at))

    def clone_sent(self, name: str, sent_at: float) -> None:
        self.update(lambda s: t.clone_sent(s, name, sent_at))

    def clone_accepted(self, name: str, voice_id: str) -> None:
        self.update(lambda s: t.clone_accepted(s, name, voice_id))

    def clone_abandoned(self, name: str) -> None:
        self.update(lambda s: t.clone_abandoned(s, name))

    def promote(self, name: str, voice: DesiredVoice, new_id: str) -> str | None:
        """Returns the old voice to delete, if any."""
        return self._returning(lambda s: t.promote(s, name, voice, new_id))

    def adopt_pending(self, key: str | None, voice: DesiredVoice, voice_id: str) -> None:
        self.update(lambda s: t.adopt_pending(s, key, voice, voice_id))

    def retire_found(self, key: str, voice_id: str) -> None:
        self.update(lambda s: t.retire_found(s, key, voice_id))

    def drop_pending(self, key: str) -> None:
        self.update(lambda s: t.drop_pending(s, key))

    def mark_foreign(self, voice_id: str) -> None:
        """The account may not change this voice (403/404): remember it, never retry it."""
        self.update(lambda s: s.with_foreign(voice_id))

    def retire_pending(self, name: str) -> str | None:
        """Returns the failed clone to delete, if any."""
        return self._returning(lambda s: t.retire_pending(s, name))

    def record_voice(self, key: str | None, voice: DesiredVoice, voice_id: str) -> None:
        self.update(lambda s: t.record_voice(s, key, voice, voice_id))

    def forget(self, key: str | None, voice_id: str) -> None:
        self.update(lambda s: t.forget(s, key, voice_id))

    def _returning(self, change: Callable[[State], tuple[State, str | None]]) -> str | None:
        out: list[str | None] = [None]

        def apply(state: State) -> State:
            new, out[0] = change(state)
            return new

        self.update(apply)
        return out[0]

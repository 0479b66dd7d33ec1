"""The state file during a run, written by one :class:`StateWriter`: every update is a
read-modify-write under one lock, made durable before it returns.

The executor's threads never hold a State of their own; they call the operations below, each a
pure transition of :mod:`.transitions` applied under the lock, so two operations on the same
record cannot overwrite each other. What changed is appended to the state file's write-ahead log
(:mod:`.wal`: the records that changed, fsync'd, in constant time whatever the catalog's size);
``close`` folds the log into the state file, rewritten once. A run that dies first leaves the
log, and the next load replays it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from voicesync.model import DesiredVoice
from voicesync.state import transitions as t
from voicesync.state.store import State, log_entries, save_state
from voicesync.state.wal import LogWriter


class StateWriter:
    def __init__(self, state: State, path: Path | None) -> None:
        self._state = state
        self._path = path
        self._lock = threading.Lock()
        self._log = LogWriter(path, state.endpoint) if path is not None else None

    def __enter__(self) -> StateWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def update(self, change: Callable[[State], State]) -> State:
        """Apply ``change``; it is on disk (synced) when this returns."""
        with self._lock:
            old = self._state
            base = replace(old, touched=frozenset())
            new = change(base)
            entries = log_entries(old, new)
            if not entries and new.records is not base.records:
                # Records replaced other than by with_record/without: compare every key.
                entries = log_entries(old, replace(new, touched=None))
            if not entries:
                return old
            self._state = new
            if self._log is None:
                return new
            ticket = self._log.write(entries)
        # Written in order under the lock; synced outside it, shared with other threads.
        self._log.sync(ticket)
        return new

    def close(self) -> None:
        """Fold the log into the state file (rewritten once, atomically) and remove it. A run
        that changed something wrote the log, and so did one that died before: no log, nothing
        to fold."""
        if self._log is None or self._path is None:
            return
        self._log.close()
        with self._lock:
            if self._log.path.exists():
                save_state(self._path, self._state)

    # -- the operations the executor records (see transitions for what each means) -------------
    def take_over(self, key: str | None, voice: DesiredVoice, voice_id: str) -> None:
        self.update(lambda s: t.take_over(s, key, voice, voice_id))

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

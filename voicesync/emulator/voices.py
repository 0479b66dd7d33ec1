"""The emulated account data: voices, their owners, their processing clock, persistence."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CATALOG_OWNER = "voice.ai"
OTHER_OWNER = "another-account"  # someone else's account, whose PUBLIC voices may be listed


class ServiceError(Exception):
    """An error the emulated service answers with (status code and message)."""

    def __init__(self, status: int, message: str, *, field_name: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field_name = field_name


@dataclass(slots=True)
class StoredVoice:
    voice_id: str
    owner: str
    name: str | None
    visibility: str
    language: str
    created_at: float
    updated_at: float
    clonable: bool = True
    deleted_at: float | None = None
    sample_sha256: str = ""
    sample_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds a new voice spends PENDING, then PROCESSING, before AVAILABLE or FAILED."""

    pending_s: float = 0.5
    processing_s: float = 1.5


@dataclass
class VoiceStore:
    """Thread-safe voices of every account; an account is identified by a hash of its key."""

    timing: Timing = field(default_factory=Timing)
    max_voices: int = 0  # per account; 0 = unlimited
    seed: int = 0
    state_path: Path | None = None
    write_file: Callable[[Path, bytes], None] | None = None  # atomic, durable
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._voices: dict[str, StoredVoice] = {}
        self._ids = random.Random(self.seed)
        if self.state_path is not None and self.state_path.exists():
            self._load(self.state_path)

    # -- status -------------------------------------------------------------------------
    def status_of(self, voice: StoredVoice) -> str:
        age = self.clock() - voice.created_at
        if age < self.timing.pending_s:
            return "PENDING"
        if age < self.timing.pending_s + self.timing.processing_s:
            return "PROCESSING"
        return "AVAILABLE" if voice.clonable else "FAILED"

    # -- account operations ---------------------------------------------------------------
    def clone(
        self,
        owner: str,
        *,
        name: str | None,
        visibility: str,
        language: str,
        sample: bytes,
        clonable: bool,
        sha256: str,
    ) -> StoredVoice:
        with self._lock:
            if self.max_voices and len(self._live(owner)) >= self.max_voices:
                raise ServiceError(402, "Voice slot limit reached")
            now = self.clock()
            voice = StoredVoice(
                voice_id=str(uuid.UUID(int=self._ids.getrandbits(128), version=4)),
                owner=owner,
                name=name,
                visibility=visibility,
                language=language,
                created_at=now,
                updated_at=now,
                clonable=clonable,
                sample_sha256=sha256,
                sample_bytes=len(sample),
            )
            self._voices[voice.voice_id] = voice
            self._save()
            return voice

    def get(self, owner: str, voice_id: str) -> StoredVoice:
        with self._lock:
            voice = self._voices.get(voice_id)
            if voice is None or voice.deleted_at is not None:
                raise ServiceError(404, "Voice not found")
            if voice.owner != owner and voice.visibility != "PUBLIC":
                raise ServiceError(404, "Voice not found")
            return voice

    def listing(
        self, owner: str, *, include_catalog: bool, include_public: bool = False
    ) -> list[StoredVoice]:
        def shown(v: StoredVoice) -> bool:
            if v.owner == owner:
                return True
            if v.owner == CATALOG_OWNER:
                return include_catalog
            return include_public and v.visibility == "PUBLIC"

        with self._lock:
            return [v for v in self._voices.values() if v.deleted_at is None and shown(v)]

    def update(
        self, owner: str, voice_id: str, *, name: str | None, visibility: str | None
    ) -> StoredVoice:
        with self._lock:
            voice = self._owned(owner, voice_id)
            if name is not None:
                voice.name = name
            if visibility is not None:
                voice.visibility = visibility
            voice.updated_at = self.clock()
            self._save()
            return voice

    def delete(self, owner: str, voice_id: str) -> StoredVoice:
        with self._lock:
            voice = self._owned(owner, voice_id)
            voice.deleted_at = self.clock()
            self._save()
            return voice

    # -- administration (tests, soak, demos) ----------------------------------------------
    def seed_voice(
        self,
        owner: str,
        *,
        name: str | None,
        visibility: str = "PUBLIC",
        ready: bool = True,
        clonable: bool = True,
        language: str = "en",
    ) -> StoredVoice:
        with self._lock:
            voice = self.clone(
                owner,
                name=name,
                visibility=visibility,
                language=language,
                sample=b"",
                clonable=clonable,
                sha256="",
            )
            if ready:
                voice.created_at -= self.timing.pending_s + self.timing.processing_s + 1
            self._save()
            return voice

    def all_voices(self) -> list[StoredVoice]:
        with self._lock:
            return list(self._voices.values())

    # -- internals ------------------------------------------------------------------------
    def _live(self, owner: str) -> list[StoredVoice]:
        return [v for v in self._voices.values() if v.owner == owner and v.deleted_at is None]

    def _owned(self, owner: str, voice_id: str) -> StoredVoice:
        voice = self.get(owner, voice_id)
        if voice.owner != owner:
            raise ServiceError(403, "Not permitted: you do not own this voice")
        return voice

    def _save(self) -> None:
        if self.state_path is not None and self.write_file is not None:
            self.write_file(self.state_path, voices_json(list(self._voices.values())))

    def _load(self, path: Path) -> None:
        self._voices = {v.voice_id: v for v in load_voices(path)}
        # Fresh ids must not repeat the persisted ones after a restart.
        self._ids.seed(f"{self.seed}:{len(self._voices)}")


def voices_json(voices: list[StoredVoice]) -> bytes:
    return json.dumps({"voices": [asdict(v) for v in voices]}).encode()


def load_voices(path: Path) -> list[StoredVoice]:
    data: dict[str, Any] = json.loads(path.read_text())
    return [StoredVoice(**raw) for raw in data.get("voices", [])]

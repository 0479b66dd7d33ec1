"""Plain values shared by every layer: enums for closed sets and frozen records.

Raw API dictionaries become :class:`RemoteVoice` here, tolerant of unknown fields and of the
API's variants the README lists under "The emulator" (``voice_visibility`` or ``visibility``;
any field but ``voice_id`` may be missing; unknown status values).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from voicesync.names import DEFAULT_FORMAT, NameFormat
from voicesync.quality import Quality

LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "it", "pt", "pl", "ru", "nl", "sv", "ca")
DEFAULT_LANGUAGE = "en"
# The API's 7.5 MB per sample, read as decimal megabytes (the stricter reading): the one place
# the product states it (the emulator, which imports nothing of the product, has its own).
MAX_SAMPLE_BYTES = 7_500_000
MAX_SAMPLE_TEXT = f"{MAX_SAMPLE_BYTES / 1e6:g} MB"


def nfc(name: str) -> str:
    """A name in composed Unicode (NFC): "é" typed as e + U+0301 and as U+00E9 is one name, as a
    service that stores NFC sees it. Every comparison of names goes through this."""
    return unicodedata.normalize("NFC", name)


# What a voice id may be: the API's are UUIDs. Checked where ids come in (the API's answers,
# the state file), so an id never carries a newline into $GITHUB_ENV or '..' into a URL path.
VOICE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class Visibility(str, Enum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"

    @classmethod
    def parse(cls, value: object) -> Visibility | None:
        return _VISIBILITIES.get(value.upper()) if isinstance(value, str) else None


_VISIBILITIES = {v.value: v for v in Visibility}  # a dict lookup: Enum() is 10x slower


# voicesync's default differs from the API's (PUBLIC) on purpose: a voice is private unless said.
DEFAULT_VISIBILITY = Visibility.PRIVATE


class VoiceStatus(str, Enum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    AVAILABLE = "AVAILABLE"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def parse(cls, value: object) -> VoiceStatus:
        found = _STATUSES.get(value.upper()) if isinstance(value, str) else None
        return found or cls.UNKNOWN

    @property
    def in_progress(self) -> bool:
        return self in (VoiceStatus.PENDING, VoiceStatus.PROCESSING)


_STATUSES = {s.value: s for s in VoiceStatus}


@dataclass(frozen=True, slots=True)
class RemoteVoice:
    """A voice as the API reports it."""

    voice_id: str
    status: VoiceStatus
    name: str | None = None
    visibility: Visibility | None = None
    language: str | None = None
    status_text: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> RemoteVoice:
        """Build from an API object; raises ValueError when ``voice_id`` is missing."""
        voice_id = data.get("voice_id")
        if not isinstance(voice_id, (str, int)) or isinstance(voice_id, bool) or voice_id == "":
            raise ValueError("voice object without a voice_id")
        if not VOICE_ID.fullmatch(str(voice_id)):
            raise ValueError(
                f"voice_id {str(voice_id)[:40]!r} is not an id (letters, digits, '.', '_', ':' "
                "or '-', at most 128, not starting with a dot): it would reach other paths or "
                "other lines of output"
            )
        raw_status = data.get("status")
        visibility = data.get("voice_visibility", data.get("visibility"))
        name = data.get("name")
        language = data.get("language")
        return cls(
            voice_id=str(voice_id),
            status=VoiceStatus.parse(raw_status),
            name=name if isinstance(name, str) else None,
            visibility=Visibility.parse(visibility),
            language=language if isinstance(language, str) else None,
            status_text=raw_status if isinstance(raw_status, str) else "",
        )


class AudioFormat(str, Enum):
    WAV = "wav"
    MP3 = "mp3"
    OGG = "ogg"
    M4A = "m4a"  # only where the catalog says the account takes it (accept: [m4a])


# What every source agrees the API clones from; M4A only with the catalog's accept: [m4a].
BASE_FORMATS = frozenset({AudioFormat.WAV, AudioFormat.MP3, AudioFormat.OGG})


@dataclass(frozen=True, slots=True)
class SampleInfo:
    path: str  # the real path (symlinks followed), as text: 5,000 Path objects cost 0.1 s
    format: AudioFormat
    size: int
    sha256: str
    duration_s: float | None
    # What the file looked like when it was read, so an unchanged file is not read again.
    mtime_ns: int = 0
    inode: int = 0
    checked_ns: int = 0
    silent: bool = False
    quality: Quality | None = None  # measured from the decoded audio (voicesync.quality), once


@dataclass(frozen=True, slots=True)
class Source:
    """Where something was written in voices.yaml."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class DesiredVoice:
    """A voice as voices.yaml declares it, defaults applied."""

    name: str
    sample_ref: str
    visibility: Visibility
    language: str
    source: Source
    previous_names: tuple[str, ...] = ()
    protected: bool = False
    sample: SampleInfo | None = None  # None when samples were not inspected
    key: str = ""  # the declared name (or key:), the same in every environment; "" = name
    declared: str = ""  # the name as voices.yaml writes it ("" = name: no environment)

    @property
    def output_key(self) -> str:
        return self.key or self.name


@dataclass(frozen=True, slots=True)
class DesiredState:
    """The whole of voices.yaml, validated."""

    path: Path
    display: str  # the path as the user wrote it, for messages
    prune: bool
    voices: tuple[DesiredVoice, ...]
    ignore: tuple[str, ...] = ()  # names or glob patterns of remote voices never pruned
    environment: Environment | None = None  # the one chosen; names are then remote names
    # Every key of environments: with its name_format, in file order.
    environment_formats: tuple[tuple[str, str], ...] = ()

    @property
    def environment_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.environment_formats)

    def voice(self, name: str) -> DesiredVoice | None:
        return next((v for v in self.voices if v.name == name), None)

    def ignores(self, name: str | None) -> bool:
        return name is not None and any(fnmatchcase(name, p) for p in self.ignore)


DEFAULT_ENV_FORMAT = DEFAULT_FORMAT


@dataclass(frozen=True, slots=True)
class Environment:
    name: str  # the concrete environment, as given with --env
    key: str  # the key of voices.yaml that matched it (itself, or a glob)
    name_format: str = DEFAULT_ENV_FORMAT
    visibility: Visibility | None = None
    language: str | None = None
    ephemeral: bool = False
    api_key_env: str | None = None
    base_url: str | None = None
    # Where voices.yaml set them: the runner must allow both (see api/settings.py).
    api_key_env_at: Source | None = None
    base_url_at: Source | None = None

    def remote_name(self, declared: str) -> str:
        return remote_name(self.name_format, declared, self.name)

    def declared_name(self, remote: str) -> str | None:
        """The declared name that this environment turns into ``remote``, if any."""
        return parsed_format(self.name_format).declared_of(remote, self.name)


def remote_name(name_format: str, declared: str, env: str) -> str:
    """The remote name ``name_format`` makes (see :mod:`voicesync.names`: the grammar validate
    checks); a declared name with braces is never read as a field."""
    return parsed_format(name_format).render(declared, env)


@functools.lru_cache(maxsize=64)
def parsed_format(text: str) -> NameFormat:
    return NameFormat.parse(text)

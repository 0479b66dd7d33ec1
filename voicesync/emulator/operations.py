"""The voice-management API as the service answers it, in the dialect chosen (no HTTP here)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from voicesync.emulator import audio
from voicesync.emulator.voices import ServiceError, StoredVoice, VoiceStore
from voicesync.emulator.wire import (
    API,
    LANGUAGES,
    MAX_PAGE_SIZE,
    MAX_SAMPLE_BYTES,
    MAX_SPEECH_CHARS,
    VISIBILITIES,
    Response,
    clone_form,
    int_param,
    iso,
    json_object,
    json_response,
    text_field,
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """Which of the documented variants the service speaks."""

    list_shape: str = "array"  # array | object | paged | paged-next | capped
    page_size: int = 10  # when the client asks for no limit
    max_page_size: int = MAX_PAGE_SIZE  # the most one page holds, whatever the client asks
    visibility_field: str = "voice_visibility"  # or "visibility" (third-party manifest)
    clone_status: str = "PENDING"  # or "PROCESSING" (third-party manifest)
    delete_shape: str = "first_party"  # {"status": "deleted", ...} or third_party {"success": ...}
    # fastapi: {"detail": msg}; official: ErrorResponse {"error", "detail", "code": str}
    error_shape: str = "fastapi"
    accept_put: bool = False  # the n8n node updates with PUT; the docs and the SDK use PATCH
    extra_fields: bool = False  # language, created_at, updated_at on voice objects
    include_catalog: bool = True  # list shows the default/public catalog voices too (SDK)
    # Hazards a real service may show; each is a way voicesync could misread the account.
    list_public: bool = False  # list shows other accounts' PUBLIC voices (readable, 403 on change)
    list_lag_s: float = 0.0  # a new voice shows in the list only this long after its creation
    list_omits_processing: bool = False  # the list leaves out PENDING/PROCESSING voices
    # What the service calls a finished voice: a service that renamed AVAILABLE (say READY)
    # tests that clients report a status they do not know instead of waiting on it.
    available_status: str = "AVAILABLE"
    nfc_names: bool = False  # stores names in composed Unicode (NFC), as many services do
    accept_m4a: bool = False  # clones M4A too, as voice.ai's web SDK sends since 2026-03

    @classmethod
    def third_party(cls) -> Dialect:
        return cls(
            list_shape="paged",
            visibility_field="visibility",
            clone_status="PROCESSING",
            delete_shape="third_party",
            error_shape="official",
            extra_fields=True,
        )


class Service:
    """clone, list, get, update, delete and speech over the store, answered in ``dialect``."""

    def __init__(self, store: VoiceStore, dialect: Dialect) -> None:
        self.store = store
        self.dialect = dialect

    def voice_json(self, voice: StoredVoice) -> dict[str, Any]:
        status = self.store.status_of(voice)
        if status == "PENDING" and self.dialect.clone_status == "PROCESSING":
            status = "PROCESSING"
        if status == "AVAILABLE":
            status = self.dialect.available_status
        out: dict[str, Any] = {
            "voice_id": voice.voice_id,
            "name": voice.name,
            self.dialect.visibility_field: voice.visibility,
            "status": status,
        }
        if self.dialect.extra_fields:
            out["language"] = voice.language
            out["created_at"] = iso(voice.created_at)
            out["updated_at"] = iso(voice.updated_at)
        return out

    def error(self, status: int, message: str, field_name: str | None = None) -> Response:
        if status == 422:
            loc = ["body", field_name] if field_name else ["body"]
            return json_response(
                422, {"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}
            )
        if self.dialect.error_shape == "official":
            reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            return json_response(
                status, {"error": reason or message, "detail": message, "code": str(status)}
            )
        return json_response(status, {"detail": message})

    def clone(self, owner: str, content_type: str, body: bytes) -> Response:
        form = clone_form(content_type, body)
        sample = form.get("file")
        if not isinstance(sample, bytes):
            raise ServiceError(422, "Field required", field_name="file")
        if len(sample) > MAX_SAMPLE_BYTES:
            raise ServiceError(422, "File too large: the maximum is 7.5MB", field_name="file")
        kind = audio.sniff(sample)
        if kind is None or (kind == "m4a" and not self.dialect.accept_m4a):
            raise ServiceError(
                422, "Unsupported audio format: use MP3, WAV or OGG", field_name="file"
            )
        visibility = text_field(form, "voice_visibility") or "PUBLIC"
        language = text_field(form, "language") or "en"
        if visibility not in VISIBILITIES:
            raise ServiceError(
                422, "Input should be 'PUBLIC' or 'PRIVATE'", field_name="voice_visibility"
            )
        if language not in LANGUAGES:
            raise ServiceError(422, f"Unsupported language '{language}'", field_name="language")
        voice = self.store.clone(
            owner,
            name=_stored_name(self.dialect, text_field(form, "name")),
            visibility=visibility,
            language=language,
            sample=sample,
            clonable=audio.clonable(kind, sample),
            sha256=hashlib.sha256(sample).hexdigest(),
        )
        return json_response(200, {"voice_id": voice.voice_id, "status": self.dialect.clone_status})

    def listed(self, owner: str) -> list[StoredVoice]:
        """What a list shows the account, hazards included (lag, omitted processing voices)."""
        dialect = self.dialect
        voices = self.store.listing(
            owner, include_catalog=dialect.include_catalog, include_public=dialect.list_public
        )
        if dialect.list_lag_s:
            shown_before = self.store.clock() - dialect.list_lag_s
            voices = [v for v in voices if v.created_at <= shown_before]
        if dialect.list_omits_processing:
            voices = [v for v in voices if self.store.status_of(v) in ("AVAILABLE", "FAILED")]
        return voices

    def list_voices(self, owner: str, query: dict[str, list[str]]) -> Response:
        voices = self.listed(owner)
        shape = self.dialect.list_shape
        if shape == "array":
            return json_response(200, [self.voice_json(v) for v in voices])
        if shape == "object":
            return json_response(200, {"voices": [self.voice_json(v) for v in voices]})
        visibility = query.get("visibility", [None])[0]
        if visibility in VISIBILITIES:
            voices = [v for v in voices if v.visibility == visibility]
        limit = min(int_param(query, "limit", self.dialect.page_size), self.dialect.max_page_size)
        offset = int_param(query, "offset", 0)
        page = [self.voice_json(v) for v in voices[offset : offset + max(limit, 1)]]
        if shape == "capped":  # honours limit/offset up to a cap, and says nothing about the rest
            return json_response(200, {"voices": page})
        if shape == "paged-next":
            more = offset + limit < len(voices)
            nxt = f"{API}/voices?limit={limit}&offset={offset + limit}" if more else None
            return json_response(200, {"voices": page, "next": nxt})
        return json_response(
            200, {"voices": page, "total": len(voices), "limit": limit, "offset": offset}
        )

    def get_voice(self, owner: str, voice_id: str) -> Response:
        return json_response(200, self.voice_json(self.store.get(owner, voice_id)))

    def update_voice(self, owner: str, voice_id: str, body: bytes) -> Response:
        data = json_object(body)
        name, visibility = data.get("name"), data.get("voice_visibility")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise ServiceError(422, "Input should be a non-empty string", field_name="name")
        if visibility is not None and visibility not in VISIBILITIES:
            raise ServiceError(
                422, "Input should be 'PUBLIC' or 'PRIVATE'", field_name="voice_visibility"
            )
        voice = self.store.update(
            owner, voice_id, name=_stored_name(self.dialect, name), visibility=visibility
        )
        return json_response(200, self.voice_json(voice))

    def delete_voice(self, owner: str, voice_id: str) -> Response:
        self.store.delete(owner, voice_id)
        if self.dialect.delete_shape == "third_party":
            return json_response(200, {"success": True, "message": "Voice deleted successfully"})
        return json_response(200, {"status": "deleted", "voice_id": voice_id})

    def speech(self, owner: str, body: bytes, *, stream: bool) -> Response:
        data = json_object(body)
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise ServiceError(422, "Field required", field_name="text")
        if len(text) > MAX_SPEECH_CHARS:
            raise ServiceError(400, f"Text too long: at most {MAX_SPEECH_CHARS} characters")
        _check_speech_fields(data)
        voice_id = data.get("voice_id")
        if voice_id is not None:
            voice = self.store.get(owner, str(voice_id))
            if self.store.status_of(voice) != "AVAILABLE":
                raise ServiceError(404, "Voice not found or not available")
        fmt = data.get("audio_format") or "mp3"
        if fmt.startswith("mp3"):
            return Response(200, audio.silent_mp3(), "audio/mpeg", stream=stream)
        if fmt.startswith("wav"):
            return Response(200, audio.tone_wav(), "audio/wav", stream=stream)
        if fmt.startswith("pcm"):
            return Response(200, audio.tone_wav()[44:], "audio/pcm", stream=stream)
        raise ServiceError(422, f"Unsupported audio_format '{fmt}'", field_name="audio_format")


def _stored_name(dialect: Dialect, name: str | None) -> str | None:
    if name is None or not dialect.nfc_names:
        return name
    return unicodedata.normalize("NFC", name)


def _check_speech_fields(data: dict[str, Any]) -> None:
    """The generate-speech page's constraints: 422 outside them, as FastAPI answers."""
    for name, low, high in (("temperature", 0.0, 2.0), ("top_p", 0.0, 1.0)):
        value = data.get(name)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if value is not None and (not number or not low <= value <= high):
            raise ServiceError(422, f"Input should be a number from {low:g} to {high:g}",
                               field_name=name)  # fmt: skip
    for name in ("voice_id", "audio_format", "model"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise ServiceError(422, "Input should be a valid string", field_name=name)
    language = data.get("language")
    if language is not None and language not in LANGUAGES:
        raise ServiceError(422, f"Input should be one of {', '.join(LANGUAGES)}",
                           field_name="language")  # fmt: skip

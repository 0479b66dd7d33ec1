"""What travels on the wire: limits, the response value, and reading requests' bodies."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from voicesync.emulator.voices import ServiceError

MAX_SAMPLE_BYTES = 7_500_000  # the documented 7.5 MB of a multipart file part
# The older JSON body documented its own limit on the base64 text (voiceai-api.md, Endpoints):
# 7,500,000 characters, so through that body a sample of 5.6 MB or more is refused.
MAX_BASE64_CHARS = 7_500_000
MAX_BODY_BYTES = 32 * 1024 * 1024  # larger bodies are refused without being read
MAX_SPEECH_CHARS = 5000
MAX_PAGE_SIZE = 100
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "pl", "ru", "nl", "sv", "ca")
VISIBILITIES = ("PUBLIC", "PRIVATE")
API = "/api/v1/tts"
JsonBody = dict[str, Any] | list[Any]


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    stream: bool = False


def json_response(status: int, payload: JsonBody) -> Response:
    return Response(status, json.dumps(payload).encode())


def account_of(key: str) -> str:
    """Accounts are keyed by a hash so the emulator's own state never holds a key."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def owner_of(headers: Any) -> str | None:
    auth = headers.get("Authorization") or ""
    scheme, _, key = auth.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return account_of(key.strip())


def int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    """A whole number >= 0 from the query (absent: ``default``); anything else is a 422, as a
    FastAPI ``Query(ge=0)`` parameter answers."""
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[0])
    except ValueError:
        value = -1
    if value < 0:
        raise ServiceError(
            422, "Input should be a valid integer, greater than or equal to 0", field_name=name
        )
    return value


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise ServiceError(422, "JSON decode error") from exc
    if not isinstance(data, dict):
        raise ServiceError(422, "Input should be a valid dictionary")
    return data


def text_field(form: dict[str, bytes | str], name: str) -> str | None:
    value = form.get(name)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value or None


def clone_form(content_type: str, body: bytes) -> dict[str, bytes | str]:
    if content_type.startswith("application/json"):
        data = json_object(body)
        encoded = data.get("base64_audio")
        if not isinstance(encoded, str):
            raise ServiceError(422, "Field required", field_name="base64_audio")
        if len(encoded) > MAX_BASE64_CHARS:
            raise ServiceError(422, "base64_audio too long", field_name="base64_audio")
        try:
            sample = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:  # ValueError: characters beyond ASCII
            raise ServiceError(422, "Invalid base64", field_name="base64_audio") from exc
        form: dict[str, bytes | str] = {"file": sample}
        form.update({k: str(data[k]) for k in ("name", "voice_visibility") if data.get(k)})
        return form
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise ServiceError(422, "Expected multipart/form-data", field_name="file")
    return parse_multipart(body, match.group(1).encode())


def parse_multipart(body: bytes, boundary: bytes) -> dict[str, bytes | str]:
    """Split a multipart/form-data body; file parts stay bytes, other parts become text."""
    form: dict[str, bytes | str] = {}
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            raise ServiceError(422, "Malformed multipart body")
        content = content.removesuffix(b"\r\n")
        disposition = head.decode("latin-1")
        name = re.search(r'name="([^"]*)"', disposition)
        if name is None:
            continue
        is_file = "filename=" in disposition
        form[name.group(1)] = content if is_file else content.decode("utf-8", "replace")
    return form

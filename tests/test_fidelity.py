"""The emulator held to the documented API: schemas/voiceai-openapi.yaml.

The OpenAPI description is checked with openapi-spec-validator; every answer of a tour of the
API (each operation, its errors, in every dialect and error shape) is validated with
openapi-core, request and response both, over real HTTP.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from tests.conftest import TEST_KEY, tone_wav_bytes
from voicesync.emulator import Dialect, Emulator

SPEC = Path(__file__).resolve().parent.parent / "schemas" / "voiceai-openapi.yaml"
AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


@cache
def openapi() -> OpenAPI:
    """The description, served from loopback as the emulator is (any port)."""
    document, _ = read_from_filename(str(SPEC))
    local = {"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "8765"}}}
    return OpenAPI.from_dict(dict(document) | {"servers": [local]})


def test_the_openapi_description_is_valid() -> None:
    document, _ = read_from_filename(str(SPEC))
    validate(document)


DIALECTS = {
    "first-party": Dialect(),
    "official errors": Dialect(error_shape="official"),
    "third-party": Dialect.third_party(),
    "paged-next": Dialect(list_shape="paged-next", page_size=2, max_page_size=2),
    "capped": Dialect(list_shape="capped", page_size=2, max_page_size=2),
}


class Tour:
    """Calls the emulator and validates every exchange against the description."""

    def __init__(self, emulator: Emulator) -> None:
        self.base = f"{emulator.url}/api/v1/tts"
        self.checked: list[tuple[str, str, int]] = []

    def call(self, method: str, path: str, **kwargs: object) -> requests.Response:
        kwargs.setdefault("headers", AUTH)
        response = requests.request(method, self.base + path, timeout=10, **kwargs)  # type: ignore[arg-type]
        request = RequestsOpenAPIRequest(response.request)
        multipart = "multipart" in response.request.headers.get("Content-Type", "")
        # An invalid request is what the error calls are about; multipart requests are checked
        # by their answers (openapi-core reads form fields as bytes, not text).
        if response.status_code < 400 and not multipart:
            openapi().validate_request(request)
        openapi().validate_response(request, RequestsOpenAPIResponse(response))
        self.checked.append((method, path, response.status_code))
        return response


@pytest.fixture(params=sorted(DIALECTS))
def tour(request: pytest.FixtureRequest, make_emulator: Callable[..., Emulator]) -> Iterator[Tour]:
    emulator = make_emulator(dialect=DIALECTS[request.param], catalog_voices=2)
    yield Tour(emulator)


def test_every_answer_of_a_tour_of_the_api_conforms(tour: Tour) -> None:
    wav = tone_wav_bytes(12.0)
    made = tour.call("POST", "/clone-voice", files={"file": ("a.wav", wav, "audio/wav")},
                     data={"name": "A", "voice_visibility": "PRIVATE", "language": "en"})  # fmt: skip
    assert made.status_code == 200
    voice_id = made.json()["voice_id"]
    tour.call("POST", "/clone-voice", json={"base64_audio": base64.b64encode(wav).decode(),
                                           "name": "B"})  # fmt: skip
    tour.call("GET", "/voices")
    tour.call("GET", "/voices", params={"limit": 2, "offset": 2})
    tour.call("GET", f"/voice/{voice_id}")
    tour.call("PATCH", f"/voice/{voice_id}", json={"name": "A2", "voice_visibility": "PUBLIC"})
    tour.call("POST", "/speech", json={"text": "Hello there."})
    tour.call("POST", "/speech/stream", json={"text": "Hello there.", "audio_format": "wav"})
    # errors, in the dialect's shape
    assert tour.call("GET", "/voices", headers={}).status_code == 401
    assert tour.call("GET", "/voice/no-such-voice").status_code == 404
    assert (
        tour.call("PATCH", f"/voice/{voice_id}", json={"voice_visibility": "SECRET"}).status_code
        == 422
    )
    assert tour.call("POST", "/clone-voice", files={"name": (None, "x")}).status_code == 422
    assert tour.call("POST", "/speech", json={"text": "x" * 5001}).status_code == 400
    catalog_voice = next(
        v
        for v in _all(tour)
        if v["voice_id"] != voice_id and v.get("name", "").startswith("Catalog")
    )
    assert tour.call("DELETE", f"/voice/{catalog_voice['voice_id']}").status_code == 403
    assert tour.call("DELETE", f"/voice/{voice_id}").status_code == 200
    assert tour.call("GET", f"/voice/{voice_id}").status_code == 404
    assert len(tour.checked) == 17


def _all(tour: Tour) -> list[dict[str, str]]:
    data = tour.call("GET", "/voices", params={"limit": 100}).json()
    return data if isinstance(data, list) else data["voices"]

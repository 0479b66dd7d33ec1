"""Does an answer of the emulator conform to schemas/voiceai-openapi.yaml? (openapi-core)"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound, ServerNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator.readers import read_from_filename

from voicesync.emulator.wire import Response

SPEC = Path(__file__).resolve().parent.parent / "schemas" / "voiceai-openapi.yaml"
HOST = "http://127.0.0.1:8765"
# Answers the description does not speak for, on purpose: routing (307, 405, a path that is
# not the API's), a body refused before reading (413), and a proxy's HTML page (a fault).
OFF_THE_API = frozenset({307, 405, 413})


@cache
def openapi() -> OpenAPI:
    """The description, served from loopback as the emulator is (any port)."""
    document, _ = read_from_filename(str(SPEC))
    local = {"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "8765"}}}
    return OpenAPI.from_dict(dict(document) | {"servers": [local]})


def conforms(method: str, raw_path: str, response: Response) -> str | None:
    """None when the answer conforms (or is off the API on purpose); else what is wrong."""
    if response.status in OFF_THE_API or response.content_type.startswith("text/html"):
        return None
    url = urlsplit(raw_path)
    args = {k: v[0] for k, v in parse_qs(url.query).items()}
    request = MockRequest(HOST, method.lower(), url.path, args=args)
    answer = MockResponse(response.body, status_code=response.status,
                          content_type=response.content_type)  # fmt: skip
    try:
        openapi().validate_response(request, answer)
    except (PathNotFound, OperationNotFound, ServerNotFound):
        return None if response.status == 404 else "a path the API does not have"
    except Exception as exc:  # every other finding is a difference to report
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None

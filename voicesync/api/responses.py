"""Reading an answer: a capped body, JSON, the server's own words, and -vv text without the key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import requests

from voicesync.errors import BadResponseError

MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # a list of 100,000 voices is about 15 MB


def read_capped(response: requests.Response, method: str, path: str) -> None:
    """Read the body, refusing one larger than MAX_RESPONSE_BYTES (a hostile or broken server)."""
    chunks, total = [], 0
    for chunk in response.iter_content(chunk_size=256 * 1024):
        total += len(chunk)
        if total > MAX_RESPONSE_BYTES:
            response.close()
            raise BadResponseError(
                f"the answer is larger than {MAX_RESPONSE_BYTES:,} bytes; not reading it",
                method=method,
                path=path,
                status=response.status_code,
            )
        chunks.append(chunk)
    # Fully read, the connection went back to the pool; .json() and .content use this copy.
    response._content = b"".join(chunks)


def parse_json(response: requests.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except RecursionError:
        raise BadResponseError(
            "the server answered JSON nested too deeply to read",
            method=method,
            path=path,
            status=response.status_code,
            hint="is the base URL right? this is not an answer of the voice.ai API",
        ) from None
    except (ValueError, requests.exceptions.ChunkedEncodingError) as exc:
        what = "an HTML page" if looks_html(response) else "something that is not JSON"
        raise BadResponseError(
            f"the server answered {what} (HTTP {response.status_code}): {snippet(response)}",
            method=method,
            path=path,
            status=response.status_code,
            hint="is the base URL right? a proxy or captive portal may be in the way",
        ) from exc


def server_message(response: requests.Response) -> str:
    """The server's own words about an error, on one line and at most 300 characters."""
    text = _server_words(response)
    return " ".join(text.split())[:300]


def _server_words(response: requests.Response) -> str:
    if looks_html(response):
        return f"the server (or a proxy) answered with an HTML error page: {snippet(response)}"
    try:
        data = response.json()
    except ValueError:
        return snippet(response) or response.reason or "no details"
    if isinstance(data, Mapping):
        detail = data.get("detail")
        if isinstance(detail, list):
            return "; ".join(validation_item(d) for d in detail) or "validation error"
        # As voice.ai's own client does: the specific detail ("Voice not found") before the
        # generic error ("Not Found").
        if isinstance(detail, str) and detail:
            return detail
        for key in ("error", "message"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
    return json.dumps(data)[:200]


def validation_item(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query")]
    msg = str(item.get("msg", "invalid"))
    return f"{'.'.join(loc)}: {msg}" if loc else msg


def reason(text: str) -> str:
    for marker in ("Caused by ", "Max retries exceeded"):
        if marker in text:
            text = text.split(marker, 1)[-1]
    return text.strip(" ()'\"")[:200]


def looks_html(response: requests.Response) -> bool:
    ctype = response.headers.get("Content-Type", "")
    return "html" in ctype or response.content[:200].lstrip().lower().startswith(b"<")


def snippet(response: requests.Response) -> str:
    text = response.content[:300].decode("utf-8", "replace")
    return " ".join(text.split())[:160]


def exchange_text(response: requests.Response, key: str) -> str:
    """One request and its answer for -vv output; the Authorization header is redacted."""
    request = response.request
    headers = {
        name: "Bearer <redacted>" if name.lower() == "authorization" else value
        for name, value in request.headers.items()
        if name.lower() != "content-type" or "multipart" not in value
    }
    elapsed_ms = response.elapsed.total_seconds() * 1000
    line = (
        f"http: {request.method} {request.url} -> {response.status_code} "
        f"({elapsed_ms:.0f} ms, {len(response.content)} bytes) request headers {headers}"
    )
    return redact(line, key)


def redact(text: str, key: str) -> str:
    return text.replace(key, "<redacted>") if key else text

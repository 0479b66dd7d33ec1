"""A ``requests.Session`` that reads the proxy environment once per host, not once per call.

``Session.request`` merges the environment into every call: it walks ``os.environ`` for
``*_proxy`` variables (twice, through ``no_proxy``) and reads the CA-bundle variables. That is
about 0.3 ms a call with 40 variables set, more in CI where environments hold hundreds: a
thousand-voice apply makes thousands of calls (psf/requests#5891 measures the same cost).
The environment of one command does not change while it runs, so the merged settings are kept
per scheme and host for the session's life. Proxies passed to a call take requests' own path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

if TYPE_CHECKING:
    from requests.sessions import _Settings  # the stubs' TypedDict of the merged settings


class Session(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self._merged: dict[tuple[object, ...], _Settings] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> _Settings:
        if proxies:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, _hashable(cert))
        merged = self._merged.get(key)
        if merged is None:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._merged[key] = merged
        copy = merged.copy()
        copy["proxies"] = dict(merged["proxies"])  # a caller may change its copy
        return copy


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value

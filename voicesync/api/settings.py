"""Connection settings: where the API is and which key to use. Never prints the key."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from voicesync.errors import SettingsError

DEFAULT_BASE_URL = "https://dev.voice.ai"
KEY_VARIABLES = ("VOICEAI_API_KEY", "VOICE_AI_API_KEY")
BASE_URL_VARIABLE = "VOICEAI_BASE_URL"


@dataclass(frozen=True, slots=True)
class Connection:
    """An endpoint and the key for it. ``repr`` never shows the key."""

    base_url: str
    api_key: str = field(repr=False)
    # The identity of the service, as recorded in state files (no secret in it). Defaults to
    # the base URL; the in-process emulator calls itself "emulator" whatever port it got.
    endpoint: str = ""

    def __post_init__(self) -> None:
        if not self.endpoint:
            object.__setattr__(self, "endpoint", self.base_url)


def normalize_base_url(url: str) -> str:
    """Validate and normalise a base URL; plain http is only allowed to loopback."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"invalid base URL {url!r}",
            hint="use a URL such as https://dev.voice.ai (set VOICEAI_BASE_URL or --base-url)",
        )
    if parts.username or parts.password:
        raise SettingsError(
            "the base URL must not contain credentials",
            hint="put the API key in VOICEAI_API_KEY, not in the URL",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SettingsError(
            f"refusing plain http to {parts.hostname}: the API key would travel unencrypted",
            hint="use https://, or http:// only to a loopback address such as 127.0.0.1",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_key_from(environ: Mapping[str, str], variables: tuple[str, ...] = KEY_VARIABLES) -> str:
    for name in variables:
        value = environ.get(name, "").strip()
        if value and not all(33 <= ord(c) <= 126 for c in value):
            # Never echoed: a newline or a non-ASCII character cannot go in a header, and
            # requests' own error would print the whole key.
            raise SettingsError(
                f"{name} holds a character that cannot go in an HTTP header (a space, a "
                "newline or a non-ASCII character)",
                hint=f"set {name} again to exactly the key, e.g. from a file: "
                f"export {name}=\"$(tr -d '\\n' < key.txt)\"",
            )
        if value:
            return value
    raise SettingsError(
        f"no API key: set {variables[0]}",
        hint=f"export {variables[0]}=vk_... (or run with --emulator to try voicesync without one)",
    )


def resolve_connection(
    base_url: str | None, environ: Mapping[str, str], *, key_variable: str | None = None
) -> Connection:
    """``key_variable`` (an environment's api_key_env) replaces the usual key variables."""
    url = base_url or environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL
    variables = (key_variable,) if key_variable else KEY_VARIABLES
    return Connection(base_url=normalize_base_url(url), api_key=api_key_from(environ, variables))

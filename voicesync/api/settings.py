"""Connection settings: where the API is and which key to use. Never prints the key."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from voicesync.errors import SettingsError

DEFAULT_BASE_URL = "https://dev.voice.ai"
KEY_VARIABLES = ("VOICEAI_API_KEY", "VOICE_AI_API_KEY")
BASE_URL_VARIABLE = "VOICEAI_BASE_URL"
# Set by the runner (a workflow, a shell), never by voices.yaml: which base URLs and key
# variables a catalog may choose for an environment.
ALLOWED_URLS_VARIABLE = "VOICESYNC_ALLOWED_BASE_URLS"
ALLOWED_KEYS_VARIABLE = "VOICESYNC_ALLOWED_KEY_VARIABLES"
# voice.ai's naming rule for the keys of several accounts: VOICEAI_API_KEY_PROD, ..._STAGING.
KEY_VARIABLE_RULE = re.compile(r"VOICEAI_API_KEY_[A-Z0-9_]+")  # whole name: fullmatch


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
    base_url: str | None,
    environ: Mapping[str, str],
    *,
    key_variable: str | None = None,
    catalog: CatalogChoice | None = None,
) -> Connection:
    """Where the key goes and which key: ``base_url`` (the runner's --base-url), else what the
    catalog chose where the runner allows it, else VOICEAI_BASE_URL, else the default.
    ``key_variable`` (trusted) or the catalog's api_key_env (where allowed) replaces the usual
    key variables."""
    runner_url = base_url or environ.get(BASE_URL_VARIABLE)
    chosen_url = None
    if catalog is not None and catalog.base_url is not None and base_url is None:
        chosen_url = _allowed_url(catalog.base_url, catalog, environ, runner_url)
    url = base_url or chosen_url or runner_url or DEFAULT_BASE_URL
    if catalog is not None and catalog.api_key_env is not None:
        key_variable = _allowed_key_variable(catalog.api_key_env, catalog, environ)
    variables = (key_variable,) if key_variable else KEY_VARIABLES
    return Connection(base_url=normalize_base_url(url), api_key=api_key_from(environ, variables))


@dataclass(frozen=True, slots=True)
class CatalogChoice:
    """A base URL and a key variable that voices.yaml (a file pull requests edit) asked for,
    with where it said so (``FILE:LINE:COL``)."""

    base_url: str | None = None
    base_url_at: str = ""
    api_key_env: str | None = None
    api_key_env_at: str = ""


def _allowed_url(
    url: str, catalog: CatalogChoice, environ: Mapping[str, str], runner_url: str | None
) -> str:
    """The catalog's base URL gets the key only if the runner named it: in
    VOICESYNC_ALLOWED_BASE_URLS, or as its own VOICEAI_BASE_URL."""
    wanted = normalize_base_url(url)
    listed = environ.get(ALLOWED_URLS_VARIABLE, "").replace(",", " ").split()
    allowed = {_normalized_or_none(u) for u in [*listed, runner_url or ""]}
    if wanted in allowed:
        return wanted
    raise SettingsError(
        f"{catalog.base_url_at}: base_url {wanted} is written in the catalog, and the runner "
        "has not allowed it: the API key goes only where the runner says",
        hint=f"if that service is meant, allow it where voicesync runs: "
        f"{ALLOWED_URLS_VARIABLE}={wanted} (space-separated for several), or pass --base-url",
    )


def _normalized_or_none(url: str) -> str | None:
    try:
        return normalize_base_url(url) if url.strip() else None
    except SettingsError:
        return None


def _allowed_key_variable(name: str, catalog: CatalogChoice, environ: Mapping[str, str]) -> str:
    """The catalog may name a variable that follows voice.ai's rule (VOICEAI_API_KEY_<NAME>)
    or one the runner listed in VOICESYNC_ALLOWED_KEY_VARIABLES; never any other variable, or
    a pull request could have CI send, say, GITHUB_TOKEN as the key."""
    listed = environ.get(ALLOWED_KEYS_VARIABLE, "").replace(",", " ").split()
    if name in KEY_VARIABLES or KEY_VARIABLE_RULE.fullmatch(name) or name in listed:
        return name
    raise SettingsError(
        f"{catalog.api_key_env_at}: api_key_env names {name}, which is not a voice.ai key "
        f"variable (VOICEAI_API_KEY_<NAME>) and not one the runner allowed",
        hint=f"rename the variable to VOICEAI_API_KEY_<NAME>, or allow it where voicesync runs: "
        f"{ALLOWED_KEYS_VARIABLE}={name}",
    )

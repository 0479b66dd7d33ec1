"""PURE: environments of one catalog (production, staging, a copy per pull request).

``environments:`` in voices.yaml maps a name or a glob (``pr-*``) to settings. A run chooses one
(``--env NAME``): the first key equal to it, else the first glob matching it, in file order. The
environment's ``name_format`` turns each declared name into the remote name (``{name} [{env}]``)
so environments sharing an account never share a voice name, and with it never adopt, change
or delete each other's voices.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from voicesync.model import DEFAULT_ENV_FORMAT as DEFAULT_FORMAT
from voicesync.model import Environment, Source, Visibility, remote_name
from voicesync.names import ENV_NAME, NameFormat, NameFormatError, is_glob

MAX_ENV_NAME = 40
MAX_NAME = 100  # the API's (and voices.yaml's) longest voice name


def matching_key(keys: list[str], name: str) -> str | None:
    """The first key equal to ``name``, else the first glob matching it."""
    if name in keys:
        return name
    return next((k for k in keys if is_glob(k) and fnmatchcase(name, k)), None)


def environment(
    name: str, key: str, raw: Mapping[str, Any], at: Callable[[str], Source] | None = None
) -> Environment:
    """The environment ``name`` chosen by ``key``; ``at(field)`` says where a field was set."""

    def where(field: str) -> Source | None:
        return at(field) if at is not None and field in raw else None

    return Environment(
        name=name,
        key=key,
        name_format=str(raw.get("name_format", DEFAULT_FORMAT)),
        visibility=Visibility.parse(raw.get("visibility")),
        language=raw.get("language") if isinstance(raw.get("language"), str) else None,
        ephemeral=raw.get("ephemeral") is True,
        api_key_env=raw.get("api_key_env") if isinstance(raw.get("api_key_env"), str) else None,
        base_url=raw.get("base_url") if isinstance(raw.get("base_url"), str) else None,
        api_key_env_at=where("api_key_env"),
        base_url_at=where("base_url"),
    )


def format_problems(
    environments: Mapping[str, Mapping[str, Any]], longest_name: str
) -> list[tuple[str, str]]:
    """(environment key, message) for every name_format that is wrong, could collide with
    another environment's on the same account, or make a name longer than the API takes."""
    problems = [(key, m) for key, raw in environments.items() for m in _own_problems(key, raw)]
    if problems:  # a format outside the grammar makes no names to compare
        return problems
    problems += _collisions(environments) + _overlaps(environments)
    for key, raw in environments.items():
        fmt = str(raw.get("name_format", DEFAULT_FORMAT))
        env = "x" * MAX_ENV_NAME if is_glob(key) else key
        longest = remote_name(fmt, longest_name, env)
        if longest_name and len(longest) > MAX_NAME:
            assumed = " (with a 40-character environment name)" if is_glob(key) else ""
            message = (
                f"name_format makes '{longest_name}' {len(longest)} characters long{assumed}; "
                f"voice names take at most {MAX_NAME}"
            )
            problems.append((key, message))
    return problems


def _overlaps(environments: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Two specific formats (not the bare ``{name}``) that can make one name: neither
    environment could then tell its voices from the other's, and prune would have to guess."""
    formats = {
        key: NameFormat.parse(str(raw.get("name_format", DEFAULT_FORMAT)))
        for key, raw in environments.items()
    }
    specific = [(k, f) for k, f in formats.items() if not f.catch_all]
    out = []
    for i, (key_a, fmt_a) in enumerate(specific):
        for key_b, fmt_b in specific[i + 1 :]:
            probe = _shared_name(key_a, fmt_a, key_b, fmt_b)
            if probe is not None:
                message = (
                    f"the name_formats of '{key_a}' and '{key_b}' can make the same name "
                    f"('{probe}'), so neither could tell its voices from the other's; give "
                    "each fixed text of its own (a suffix each, such as ' [staging]')"
                )
                out.append((key_b, message))
    return out


def _shared_name(key_a: str, fmt_a: NameFormat, key_b: str, fmt_b: NameFormat) -> str | None:
    """A name both formats make for different environments, found by probing."""
    env_a, env_b = _example_env(key_a), _example_env(key_b)
    for first, first_env, other, other_key in (
        (fmt_a, env_a, fmt_b, key_b),
        (fmt_b, env_b, fmt_a, key_a),
    ):
        second = fmt_b if first is fmt_a else fmt_a
        second_env = env_b if first is fmt_a else env_a
        for name in ("Probe", second.render("Probe", second_env)):
            made = first.render(name, first_env)
            glob = other_key if is_glob(other_key) else None
            made_for = other.environment_of(made, env=None if glob else other_key, glob=glob)
            if made_for is not None and made_for != first_env:
                return made
    return None


def _example_env(key: str) -> str:
    """The key itself, or an environment name its glob matches."""
    return re.sub(r"\[!?(.)[^\]]*\]", r"\1", key).replace("*", "x").replace("?", "x")


def _own_problems(key: str, raw: Mapping[str, Any]) -> list[str]:
    out = []
    if not is_glob(key) and not ENV_NAME.match(key):
        out.append(
            f"environment name '{key}' must be 1 to {MAX_ENV_NAME} letters, digits, "
            "'-', '_' or '.', starting with a letter or digit"
        )
    fmt = raw.get("name_format", DEFAULT_FORMAT)
    if not isinstance(fmt, str):
        return out
    try:
        fields = NameFormat.parse(fmt).fields
    except NameFormatError as exc:
        return [*out, exc.message]
    parsed = NameFormat.parse(fmt)
    literal = "".join(v for is_field, v in parsed.parts if not is_field)
    if not parsed.catch_all and "env" not in fields and key not in literal and not is_glob(key):
        out.append(
            f"name_format {fmt!r} must name its environment ({{env}}, or '{key}' as text), so "
            "its voices are told apart by name from every other environment's (production's "
            "{name} can make any other name)"
        )
    if "name" not in fields:
        out.append("name_format must contain {name}, or every voice would get the same name")
    if is_glob(key) and "env" not in fields:
        out.append(
            f"'{key}' matches many environments, so its name_format must contain {{env}}, "
            "or they would share voice names"
        )
    return out


def _collisions(environments: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Two concrete environments on one account whose names would be the same."""
    seen: dict[tuple[Any, Any, str], str] = {}
    out = []
    for key, raw in environments.items():
        if is_glob(key):
            continue
        template = remote_name(str(raw.get("name_format", DEFAULT_FORMAT)), "{name}", key)
        account = (raw.get("api_key_env"), raw.get("base_url"), template)
        if account in seen:
            message = (
                f"'{key}' and '{seen[account]}' share an account and make the same voice "
                "names; give one a name_format of its own"
            )
            out.append((key, message))
        seen.setdefault(account, key)
    return out

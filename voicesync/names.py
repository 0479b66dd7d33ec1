"""PURE: ``name_format``, the one grammar for an environment's remote names.

A format is literal text with two fields, ``{name}`` (the declared name) and ``{env}`` (the
environment's name); ``{{`` and ``}}`` are literal braces. Nothing else: ``validate`` and the
name builder read a format with this one parser, so a format that passes validate means what it
says (``str.format`` extras such as ``{name!s}`` or ``{name:>9}`` are refused, never copied into
a name). The same parse answers the opposite question: could this format have made that remote
name, and for which environment? That is what lets one environment of a catalog leave the
names of the others alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

FIELDS = ("name", "env")
DEFAULT_FORMAT = "{name}"
# What an environment's name may be (it becomes part of a file name).
ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_ENV_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}"
_ENV_CHAR = r"[A-Za-z0-9_.-]"
_GLOB = re.compile(r"[*?\[]")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]|[^{}]+")


def is_glob(key: str) -> bool:
    """Whether an environments: key is a glob (``pr-*``) rather than one environment's name."""
    return bool(_GLOB.search(key))


class NameFormatError(ValueError):
    """A format outside the grammar; ``offset`` is where in the text (0-based)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class NameFormat:
    """A parsed format: literal strings and the fields ``name``/``env``, in order."""

    text: str
    parts: tuple[tuple[bool, str], ...]  # (is a field, literal text or field name)

    @classmethod
    def parse(cls, text: str) -> NameFormat:
        parts: list[tuple[bool, str]] = []
        for match in _TOKEN.finditer(text):
            token = match.group(0)
            if token in ("{{", "}}"):
                parts.append((False, token[0]))
            elif match.group(1) is not None:
                parts.append((True, _field(match.group(1), match.start())))
            elif token in ("{", "}"):
                raise NameFormatError(
                    f"name_format {text!r} has an unmatched '{token}' (write '{token * 2}' for a "
                    "literal brace)",
                    match.start(),
                )
            else:
                parts.append((False, token))
        return cls(text, tuple(parts))

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(value for is_field, value in self.parts if is_field)

    @property
    def catch_all(self) -> bool:
        """Whether the format is the declared name alone: it can make any name at all."""
        return self.parts == ((True, "name"),)

    def render(self, declared: str, env: str) -> str:
        values = {"name": declared, "env": env}
        return "".join(values[v] if is_field else v for is_field, v in self.parts)

    def environment_of(
        self, remote: str, env: str | None = None, glob: str | None = None
    ) -> str | None:
        """The environment this format would have made ``remote`` for (``env`` itself, or a
        name matching ``glob``), or None when it cannot have made it. A format without
        ``{env}`` answers ``env`` (or the glob) for every name it can make."""
        match = self._pattern(env, glob).fullmatch(remote)
        if match is None:
            return None
        made_for = match.groupdict().get("env") or env or glob or ""
        if glob is not None and "env" in self.fields and not fnmatchcase(made_for, glob):
            return None  # a class the translation passed through too widely
        return made_for

    def declared_of(self, remote: str, env: str) -> str | None:
        """The declared name this format turns into ``remote`` in ``env``, if any."""
        match = self._pattern(env).fullmatch(remote)
        return match.group("name") if match is not None and "name" in self.fields else None

    def _pattern(self, env: str | None, glob: str | None = None) -> re.Pattern[str]:
        """A regex of the names this format makes; with ``glob``, the environment part is
        held to it inside the regex, so every way to split a name is tried ("Old-Timer-pr-1"
        by "{name}-{env}" for "pr-*" is "Old-Timer" in "pr-1")."""
        seen: set[str] = set()
        out = []
        for is_field, value in self.parts:
            if not is_field:
                out.append(re.escape(value))
            elif value == "env" and env is not None:
                out.append(re.escape(env))
            elif value in seen:
                out.append(f"(?P={value})")
            else:
                seen.add(value)
                env_pattern = _glob_pattern(glob) if glob is not None else _ENV_PATTERN
                out.append(f"(?P<{value}>.+?)" if value == "name" else f"(?P<env>{env_pattern})")
        return re.compile("".join(out), re.DOTALL)


def _glob_pattern(glob: str) -> str:
    """The environment names ``glob`` matches, as a regex: ``*`` and ``?`` stand for the
    characters an environment's name may hold, not for any character."""
    out = []
    i = 0
    while i < len(glob):
        char = glob[i]
        end = glob.find("]", i + 2) if char == "[" else -1
        if char == "*":
            out.append(f"{_ENV_CHAR}*")
        elif char == "?":
            out.append(_ENV_CHAR)
        elif end != -1:
            inner = glob[i + 1 : end]
            negated = inner.startswith("!")
            body = re.escape(inner[1:] if negated else inner).replace("\\-", "-")
            out.append(f"[{'^' if negated else ''}{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _field(inner: str, offset: int) -> str:
    if inner in FIELDS:
        return inner
    plain = re.match(r"[A-Za-z_][A-Za-z0-9_]*", inner)
    if plain and plain.group(0) in FIELDS:
        raise NameFormatError(
            f"name_format field {{{inner}}} has a conversion or format spec; only {{name}} and "
            "{env} are fields (write '{{' and '}}' for literal braces)",
            offset,
        )
    raise NameFormatError(
        f"name_format knows {{name}} and {{env}}, not {{{inner}}} (write '{{{{' and '}}}}' "
        "for literal braces)",
        offset,
    )

"""The JSON Schema of voices.yaml, and where and in which words its errors are reported."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from voicesync.catalog.document import Document, Path_, Position
from voicesync.errors import Problem, Severity
from voicesync.validation import errors

if TYPE_CHECKING:  # imported by validation only for a catalog that has errors
    import jsonschema


@cache
def voices_schema() -> dict[str, Any]:
    """The JSON Schema of voices.yaml, shipped inside the package."""
    text = resources.files("voicesync").joinpath("schemas/voices.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def inlined_schema() -> dict[str, Any]:
    """The schema with its local $refs inlined: the same rules, but no reference lookup for
    each of thousands of voices."""
    schema = voices_schema()
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def schema_errors(data: Any) -> Iterator[jsonschema.ValidationError]:
    """What is wrong with ``data`` (nothing, quickly, when it is valid)."""
    return errors("voices", inlined_schema, data)


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        merged = {**defs[ref.removeprefix("#/$defs/")], **node}
        merged.pop("$ref")
        return _inline(merged, defs)
    return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}


class Reporter:
    """Collects problems of one file, each at the best position for its data path."""

    def __init__(self, path: Path) -> None:
        self.display = str(path)
        self.problems: list[Problem] = []
        self.doc = Document(None, {}, {})

    def add(self, message: str, where: Position, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.display, where.line, where.column, message, severity))

    def at(self, path: Path_, *, key: bool = False) -> Position:
        """Best position for a data path: the key or the value, else the nearest parent."""
        probe = path
        while True:
            found = (self.doc.keys.get(probe) if key else None) or self.doc.values.get(probe)
            if found is not None:
                return found
            if not probe:
                return Position(1, 1)
            probe = probe[:-1]


def _path_text(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
}


def _actual(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    kinds = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }
    return f"{kinds.get(type(value), type(value).__name__)} {json.dumps(value)[:40]}"


def describe(error: jsonschema.ValidationError, checker: Reporter) -> list[tuple[str, Position]]:
    """Turn one jsonschema error into user words at the right place (one or more)."""
    path = tuple(error.absolute_path)
    field = _path_text(path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(value, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = sorted(schema.get("properties", {}))
        out = []
        for extra in sorted(set(value) - set(allowed)):
            guess = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
            hint = (
                f" — did you mean '{guess[0]}'?" if guess else f" (allowed: {', '.join(allowed)})"
            )
            out.append(
                (f"unknown key '{extra}' in {field}{hint}", checker.at((*path, extra), key=True))
            )
        return out
    where = checker.at(path)
    if kind == "required":
        missing = str(error.message).split("'")[1]
        return [(f"{field}: missing required key '{missing}'", where)]
    if kind == "enum":
        allowed_values = error.validator_value
        options = list(allowed_values) if isinstance(allowed_values, list) else []
        return [(_enum_message(field, value, options), where)]
    if kind == "type":
        wanted = _TYPE_NAMES.get(str(error.validator_value), str(error.validator_value))
        tip = " (YAML 1.2 reads only true/false as booleans)" if wanted == "true or false" else ""
        return [(f"{field}: expected {wanted}, got {_actual(value)}{tip}", where)]
    if kind in ("minLength", "pattern") and isinstance(value, str):
        reason = (
            "must not be empty"
            if not value.strip()
            else ("must be one line without leading or trailing spaces")
        )
        return [(f"{field}: {reason}", where)]
    if kind == "maxLength":
        return [(f"{field}: longer than {error.validator_value} characters", where)]
    if kind == "uniqueItems":
        return [(f"{field}: lists the same name twice", where)]
    return [(f"{field}: {error.message}", where)]


def _enum_message(field: str, value: Any, allowed: list[Any]) -> str:
    if field == "version":
        return f"version: {json.dumps(value)} is not supported; this voicesync reads version 1"
    names = ", ".join(str(a) for a in allowed)
    text = f"{field}: {json.dumps(value)} is not one of {names}"
    if isinstance(value, str):
        folded = {str(a).casefold(): str(a) for a in allowed}
        guess = folded.get(value.casefold()) or next(
            iter(difflib.get_close_matches(value, [str(a) for a in allowed], n=1)), None
        )
        if guess:
            text += f" — did you mean {guess}?"
    return text

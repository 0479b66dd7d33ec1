"""JSON Schema checks that cost little when the document is valid, which it nearly always is.

``first_error(name, schema, doc)`` runs the schema's check compiled to Python ahead of time
(:mod:`voicesync.validators`: tens of times faster than walking the schema for each of thousands
of voices) and only when that one says no asks jsonschema, whose errors carry the paths and
words voicesync reports. jsonschema stays the judge of what is wrong; the compiled check only
says quickly that nothing is. ``schema`` is called only then: a valid document never loads it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from voicesync.validators import JsonSchemaValueException

COMPILED = ("voices", "state", "plan")  # the modules of voicesync.validators
_precise: dict[str, Any] = {}


def errors(name: str, schema: Callable[[], Mapping[str, Any]], doc: Any) -> Iterator[Any]:
    """jsonschema's errors for ``doc`` (none when the compiled check ``name`` passes it)."""
    if _fast_valid(name, doc):
        return iter(())
    found: Iterator[Any] = _precise_validator(name, schema).iter_errors(doc)
    return found


def first_error(name: str, schema: Callable[[], Mapping[str, Any]], doc: Any) -> Any | None:
    return next(errors(name, schema, doc), None)


def _fast_valid(name: str, doc: Any) -> bool:
    if name not in COMPILED:
        raise ValueError(f"no compiled check named {name!r}")
    check = importlib.import_module(f"voicesync.validators.{name}").validate
    try:
        check(doc)
    except JsonSchemaValueException:
        return False
    return True


def _precise_validator(name: str, schema: Callable[[], Mapping[str, Any]]) -> Any:
    validator = _precise.get(name)
    if validator is None:
        import jsonschema

        validator = _precise[name] = jsonschema.Draft202012Validator(schema())
    return validator

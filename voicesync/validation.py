"""JSON Schema checks that cost little when the document is valid, which it nearly always is.

``first_error(schema, doc)`` runs a validator compiled to Python code (fastjsonschema: tens of
times faster than walking the schema for each of thousands of voices) and only when that one
says no asks jsonschema, whose errors carry the paths and words voicesync reports. jsonschema
stays the judge of what is wrong; the compiled check only says quickly that nothing is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# Draft 2020-12 as voicesync writes it uses only keywords draft-07 has (LIBRARIES.md), which is
# what the compiled validator knows; tests/test_validation.py checks the two agree.
_COMPILED_AS = "http://json-schema.org/draft-07/schema#"
# Validators by the identity of their schema (voicesync's schemas are loaded once and kept);
# each entry holds its schema, so an id is never reused while its entry lives.
_compiled: dict[int, tuple[Mapping[str, Any], Any]] = {}
_precise: dict[int, tuple[Mapping[str, Any], Any]] = {}


def errors(schema: Mapping[str, Any], doc: Any) -> Iterator[Any]:
    """jsonschema's errors for ``doc`` (none when the compiled check passes it)."""
    if _fast_valid(schema, doc):
        return iter(())
    found: Iterator[Any] = _precise_validator(schema).iter_errors(doc)
    return found


def first_error(schema: Mapping[str, Any], doc: Any) -> Any | None:
    return next(errors(schema, doc), None)


def _fast_valid(schema: Mapping[str, Any], doc: Any) -> bool:
    import fastjsonschema

    check = _cached(_compiled, schema)
    if check is None:
        check = fastjsonschema.compile({**schema, "$schema": _COMPILED_AS})
        _compiled[id(schema)] = (schema, check)
    try:
        check(doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _precise_validator(schema: Mapping[str, Any]) -> Any:
    validator = _cached(_precise, schema)
    if validator is None:
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)
        _precise[id(schema)] = (schema, validator)
    return validator


def _cached(cache: dict[int, tuple[Mapping[str, Any], Any]], schema: Mapping[str, Any]) -> Any:
    entry = cache.get(id(schema))
    return entry[1] if entry is not None and entry[0] is schema else None

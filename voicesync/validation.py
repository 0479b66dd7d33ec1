"""JSON Schema checks that cost little when the document is valid, which it nearly always is.

``first_error(schema, doc)`` runs a validator compiled to Python code (fastjsonschema: tens of
times faster than walking the schema for each of thousands of voices) and only when that one
says no asks jsonschema, whose errors carry the paths and words voicesync reports. jsonschema
stays the judge of what is wrong; the compiled check only says quickly that nothing is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

# Draft 2020-12 as voicesync writes it uses only keywords draft-07 has (LIBRARIES.md), which is
# what the compiled validator knows; tests/test_properties.py checks the two agree.
_COMPILED_AS = "http://json-schema.org/draft-07/schema#"
_compiled: dict[str, Any] = {}
_precise: dict[str, Any] = {}


def errors(schema: Mapping[str, Any], doc: Any) -> Iterator[Any]:
    """jsonschema's errors for ``doc`` (none when the compiled check passes it)."""
    key = json.dumps(schema, sort_keys=True)
    if _fast_valid(key, schema, doc):
        return iter(())
    found: Iterator[Any] = _precise_validator(key, schema).iter_errors(doc)
    return found


def first_error(schema: Mapping[str, Any], doc: Any) -> Any | None:
    return next(errors(schema, doc), None)


def _fast_valid(key: str, schema: Mapping[str, Any], doc: Any) -> bool:
    import fastjsonschema

    check = _compiled.get(key)
    if check is None:
        check = _compiled[key] = fastjsonschema.compile({**schema, "$schema": _COMPILED_AS})
    try:
        check(doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def _precise_validator(key: str, schema: Mapping[str, Any]) -> Any:
    validator = _precise.get(key)
    if validator is None:
        import jsonschema

        validator = _precise[key] = jsonschema.Draft202012Validator(schema)
    return validator

"""The schemas' fast checks, compiled to Python ahead of time (fastjsonschema.compile_to_code).

Compiling a schema when a command starts cost 10-30 ms per schema, plus 20 ms to import
fastjsonschema, on every plan; these modules are byte-compiled once, like the rest of the package,
and need nothing at run time but the two exception types below (the generated code raises them).
``voices``, ``state`` and ``plan`` each hold ``validate(data)`` and ``SCHEMA_SHA256``, the digest of
the schema it was made from: tests/test_validation.py fails when a schema changes without its
check, and ``UPDATE_VALIDATORS=1 python -m pytest tests/test_validation.py`` regenerates them.
jsonschema remains the judge of what is wrong (see :mod:`voicesync.validation`).
"""

from __future__ import annotations

from typing import Any


class JsonSchemaValueException(ValueError):
    """What the generated code raises for an invalid document (fastjsonschema's signature)."""

    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.rule = rule

"""The compiled schema check (fastjsonschema) and jsonschema agree on every document.

The compiled one only says "valid" quickly; if it ever passed what jsonschema refuses, a broken
catalog or state file would get through, so they are compared on valid documents and on
documents broken at random: a field dropped, retyped, added or set to a hostile value.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import fastjsonschema
import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from voicesync.catalog.schema import inlined_schema
from voicesync.validation import first_error

VALID_CATALOG: dict[str, Any] = {
    "version": 1,
    "defaults": {"visibility": "PRIVATE", "language": "en"},
    "voices": [
        {"name": "Narrator", "sample": "samples/n.wav", "protected": True},
        {"name": "Guide", "sample": "samples/g.mp3", "key": "guide", "previous_names": ["Old"]},
    ],
}
VALID_STATE: dict[str, Any] = {
    "format_version": 1,
    "endpoint": "http://127.0.0.1:9",
    "voices": {
        "Narrator": {
            "voice_id": "v1",
            "sample_sha256": "ab" * 32,
            "sample_size": 10,
            "name": "Narrator",
            "visibility": "PRIVATE",
            "language": "en",
            "protected": False,
            "pending": {
                "name": "Narrator",
                "sample_sha256": "ab" * 32,
                "sample_size": 10,
                "started_at": 1.5,
                "voice_id": None,
            },
        }
    },
    "foreign": ["x"],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "PRIVATE", "PUBLIC", "en", "ab" * 32, "../x.wav", "v1", "1"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@functools.cache  # one schema object each, as voicesync keeps them (validators are cached by it)
def _schema(name: str) -> dict[str, Any]:
    if name == "voices":
        return inlined_schema()
    text = resources.files("voicesync").joinpath(f"schemas/{name}.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


@st.composite
def broken(draw: st.DrawFn, doc: dict[str, Any]) -> Any:
    data = json.loads(json.dumps(doc))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            return draw(json_values)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        how = draw(st.sampled_from(["set", "drop", "add"]))
        if how == "drop":
            del parent[path[-1]]
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent[path[-1]] = draw(json_values)
    return data


def _agree(schema: dict[str, Any], doc: Any) -> None:
    precise = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(doc)), None)
    fast = first_error(schema, doc)
    assert (precise is None) == (fast is None), (doc, precise)


def test_the_documents_used_here_are_valid() -> None:
    assert first_error(_schema("voices"), VALID_CATALOG) is None
    assert first_error(_schema("state"), VALID_STATE) is None


@settings(max_examples=300, deadline=None)
@given(broken(VALID_CATALOG))
def test_both_judge_a_catalog_alike(doc: Any) -> None:
    _agree(_schema("voices"), doc)


@settings(max_examples=300, deadline=None)
@given(broken(VALID_STATE))
def test_both_judge_a_state_file_alike(doc: Any) -> None:
    _agree(_schema("state"), doc)


def test_every_schema_compiles() -> None:
    for name in ("voices", "state", "plan"):
        fastjsonschema.compile(
            {**_schema(name), "$schema": "http://json-schema.org/draft-07/schema#"}
        )

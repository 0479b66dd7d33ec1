"""Safe YAML with positions: plain data plus the line and column of every key and value.

PyYAML's SafeLoader composes the node tree; we turn nodes into data ourselves, which lets us
keep ``start_mark`` for every mapping, key and item, refuse duplicate keys (PyYAML silently keeps
the last), refuse every non-standard tag (``!!python/...`` is never constructed), read booleans
as YAML 1.2 does (``no``, ``on``, ``yes`` stay strings, as editors show them), and bound the
expansion of aliases so an alias bomb stops early instead of exhausting memory.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from voicesync.catalog.document import Document, Path_, Position, YamlProblem

__all__ = ["Document", "Path_", "Position", "YamlProblem", "parse"]
MAX_NODES = 20_000
_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD}{t}" for t in ("str", "int", "float", "bool", "null")}
_STR = f"{_STANDARD}str"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


# libyaml's parser is about 8x faster on a 5,000-voice catalog; the pure-Python one is the same
# grammar, used where PyYAML was built without libyaml.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader whose booleans and numbers are YAML 1.2's (core schema) only: editors show
    a voice named ``No``, ``12:30`` or ``1_000`` as text, and so does voicesync."""


_YAML11_ONLY = {f"{_STANDARD}bool", f"{_STANDARD}int", f"{_STANDARD}float"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML11_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(f"{_STANDARD}bool", _YAML12_BOOL, list("tTfF"))
_Loader.add_implicit_resolver(
    f"{_STANDARD}int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    f"{_STANDARD}float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def parse(text: str) -> Document:
    """Parse one YAML document; raises YamlProblem with a position on any problem."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlProblem(f"YAML syntax error: {exc.problem or exc}", where) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}", Position(1, 1)) from None
    if len(nodes) > 1:
        raise YamlProblem("only one YAML document is allowed (found '---')", _pos(nodes[1]))
    root = nodes[0] if nodes else None
    if root is None:
        return Document(None, {}, {})
    builder = _Builder(_written(root) + MAX_NODES)
    data = builder.build(root, ())
    return Document(data, builder.values, builder.keys)


def _written(root: yaml.Node) -> int:
    """How many nodes the text itself holds, each counted once however often it is aliased."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return len(seen)


class _Builder:
    """Nodes to data. ``budget``: the nodes written plus MAX_NODES more from aliases, so a long
    catalog is never refused, and only real expansion (an alias bomb) is."""

    def __init__(self, budget: int) -> None:
        self.values: dict[Path_, Position] = {}  # where each value (or container) starts
        self.keys: dict[Path_, Position] = {}  # where each mapping key is written
        self.budget = budget
        self.top = Position(1, 1)  # the top-level value being built, blamed for a bomb
        self.constructor = _Loader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.budget -= 1
        if len(path) == 1:
            self.top = _pos(node)
        if self.budget < 0:
            raise YamlProblem(
                f"aliases expand the document by more than {MAX_NODES} nodes (an alias bomb?)",
                self.top,
            )
        self.values.setdefault(path, _pos(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, "seq")
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _check_tag(self, node: yaml.Node, kind: str) -> None:
        if node.tag != f"{_STANDARD}{kind}":
            raise YamlProblem(
                f"unsupported YAML tag {_short(node.tag)}; plain values only", _pos(node)
            )

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR:  # most of a catalog: taken as written, as SafeConstructor does
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(
                f"unsupported YAML tag {_short(node.tag)}; plain values only", _pos(node)
            )
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        self._check_tag(node, "map")
        out: dict[str, Any] = {}
        explicit: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == f"{_STANDARD}merge":
                self._merge(value_node, path, out, explicit)
                continue
            key = self._key(key_node)
            if key in explicit:
                raise YamlProblem(f"duplicate key '{key}'", _pos(key_node))
            explicit.add(key)
            child = (*path, key)
            self.keys[child] = _pos(key_node)
            self.values.pop(child, None)  # a merged value is overridden
            out[key] = self.build(value_node, child)
        return out

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlProblem("a mapping key must be a plain string", _pos(node))
        value = self._scalar(node)
        return value if isinstance(value, str) else str(value).lower()

    def _merge(self, node: yaml.Node, path: Path_, out: dict[str, Any], explicit: set[str]) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise YamlProblem("'<<' merges only mappings", _pos(source))
            for key_node, value_node in source.value:
                key = self._key(key_node)
                if key not in explicit and key not in out:
                    self.keys.setdefault((*path, key), _pos(key_node))
                    out[key] = self.build(value_node, (*path, key))


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag

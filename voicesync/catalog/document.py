"""A parsed catalog: plain data and where each part of it was written.

Kept apart from the parser (:mod:`.yamlsource`) so that a plan whose parse is cached never
imports PyYAML.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


class YamlProblem(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass
class Document:
    """Plain data and where each part of it was written."""

    data: Any
    values: Mapping[Path_, Position]  # where each value (or the container) starts
    keys: Mapping[Path_, Position]  # where each mapping key is written


class StoredPositions(Mapping[Path_, Position]):
    """Positions as the parse cache keeps them: ``[line, column]`` by ``repr(path)``, which is
    what json.loads gives back at C speed. A Position is made only for the paths asked for
    (a catalog of 5,000 voices holds 45,000 and a run asks for a few thousand)."""

    def __init__(self, rows: dict[str, list[int]]) -> None:
        self.rows = rows

    @staticmethod
    def encode(table: Mapping[Path_, Position]) -> dict[str, list[int]]:
        return {repr(path): [p.line, p.column] for path, p in table.items()}

    def __getitem__(self, path: Path_) -> Position:
        row = self.rows[repr(path)]
        if not (isinstance(row, list) and len(row) == 2 and all(type(n) is int for n in row)):
            raise KeyError(path)  # a damaged row: the parent's position is used instead
        return Position(row[0], row[1])

    def __iter__(self) -> Iterator[Path_]:
        return (ast.literal_eval(key) for key in self.rows)

    def __len__(self) -> int:
        return len(self.rows)

"""A parsed catalog: plain data and where each part of it was written.

Kept apart from the parser (:mod:`.yamlsource`) so that a plan whose parse is cached never
imports PyYAML.
"""

from __future__ import annotations

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
    values: dict[Path_, Position]  # where each value (or the container) starts
    keys: dict[Path_, Position]  # where each mapping key is written

"""The vocabulary every stage shares: where something is, and what was found there.

Lines and columns are 1-based everywhere (the LSP server converts at its own boundary), and a
``Span.end`` is exclusive on the column, as ruff's ``end_location`` is.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict


class Severity(str, enum.Enum):
    """Ordered from least to most severe so ``fail-on`` can compare by rank."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Position(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int
    column: int


class Location(BaseModel):
    """A span inside one file; ``path`` is POSIX-style and relative to the project root."""

    model_config = ConfigDict(frozen=True)

    path: str
    start: Position
    end: Position

    @classmethod
    def at(cls, path: str, row: int, column: int = 1, end_row: int | None = None, end_column: int | None = None) -> Location:
        return cls(
            path=path,
            start=Position(row=row, column=column),
            end=Position(row=end_row or row, column=end_column or column),
        )


class RelatedLocation(BaseModel):
    """Another graph node a finding involves: the other writer, the run site, the YAML entry."""

    model_config = ConfigDict(frozen=True)

    location: Location
    message: str


class Finding(BaseModel):
    """One reported problem. ``anchor`` is the stable graph identity the fingerprint hashes, so that
    inserting lines above a finding does not make it look new to a baseline."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    message: str
    severity: Severity
    location: Location
    related: tuple[RelatedLocation, ...] = ()
    fix_title: str | None = None
    anchor: str = ""

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.start.row, self.location.start.column, self.code, self.message)

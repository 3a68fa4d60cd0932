"""What the engine reports: positions, ranges, edits, fixes and findings.

These are plain frozen dataclasses with no knowledge of LSP or terminals. Lines and
columns are 0-based; columns are code points. The ``*_units`` helpers convert a
column to the unit a client wants (LSP defaults to UTF-16).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from precepts.text import ColumnUnit, column_to_units


class Severity(str, Enum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    HINT = "hint"


class Applicability(str, Enum):
    """Whether a fix may be applied without a human looking at it."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Position:
    """A 0-based line and code-point column."""

    line: int
    column: int

    def column_in(self, unit: ColumnUnit, line_text: str) -> int:
        """Return this column counted in ``unit``.

        Args:
            unit: The unit to count in.
            line_text: The text of this position's line.

        Returns:
            The column in ``unit``.
        """
        return column_to_units(line_text, self.column, unit)


@dataclass(frozen=True, order=True)
class Range:
    """A half-open range between two positions."""

    start: Position
    end: Position

    @classmethod
    def of(cls, line: int, column: int, end_line: int, end_column: int) -> Range:
        """Build a range from four integers.

        Args:
            line: Start line.
            column: Start column.
            end_line: End line.
            end_column: End column.

        Returns:
            The range.
        """
        return cls(Position(line, column), Position(end_line, end_column))

    def moved(self, lines: int) -> Range:
        """Return this range moved down by ``lines`` (up when negative).

        Args:
            lines: Lines to add to both ends.

        Returns:
            The moved range (this one when ``lines`` is 0).
        """
        if not lines:
            return self
        return Range.of(
            self.start.line + lines, self.start.column, self.end.line + lines, self.end.column
        )

    def contains(self, position: Position) -> bool:
        """Tell whether ``position`` lies within this range (ends inclusive).

        Args:
            position: The position to test.

        Returns:
            True when inside.
        """
        return self.start <= position <= self.end


@dataclass(frozen=True)
class TextEdit:
    """Replace the text in ``range`` with ``content``."""

    range: Range
    content: str


@dataclass(frozen=True)
class Fix:
    """A set of non-overlapping edits that together fix one finding."""

    message: str
    edits: tuple[TextEdit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class RelatedLocation:
    """A secondary location that explains a finding (for example a complexity increment)."""

    range: Range
    message: str


@dataclass(frozen=True)
class Finding:
    """One place where the code departs from the standard.

    Attributes:
        code: The rule's code, such as ``BP101``.
        name: The rule's kebab-case name.
        message: What is wrong here.
        severity: The effective severity (after configuration).
        range: Where it is.
        related: Secondary locations.
        fix: The fix, when one can be offered.
        data: Extra facts a front end may show (metrics, for example).
    """

    code: str
    name: str
    message: str
    severity: Severity
    range: Range
    related: tuple[RelatedLocation, ...] = ()
    fix: Fix | None = None
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def sort_key(self) -> tuple[int, int, str]:
        """Return the key findings are ordered by: position, then code.

        Returns:
            A sortable tuple.
        """
        return (self.range.start.line, self.range.start.column, self.code)

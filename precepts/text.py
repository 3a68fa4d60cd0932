r"""Line indexing and column-unit conversion for source text.

LSP and libcst count lines the same way (``\\n``, ``\\r\\n`` and ``\\r`` end a line) but
Python's ``str.splitlines`` also breaks on form feeds and Unicode separators, which
would put positions on the wrong line. Everything here splits on the three real line
endings only. Columns inside precepts are code points (Python string indices); the
helpers convert them to UTF-8 bytes or UTF-16 code units at the edges.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from enum import Enum

_LINE_END = re.compile(r"\r\n|\r|\n")


class ColumnUnit(str, Enum):
    """A unit in which a column can be counted."""

    UTF8 = "utf-8"
    UTF16 = "utf-16"
    UTF32 = "utf-32"


def split_lines(text: str) -> list[str]:
    r"""Split text into lines without their endings, on ``\\r\\n``, ``\\r`` and ``\\n`` only.

    Args:
        text: The source text.

    Returns:
        The lines; a text ending with a newline yields a final empty line.
    """
    return _LINE_END.split(text)


def count_line_breaks(text: str) -> int:
    r"""Count line endings the way LSP does.

    Args:
        text: Any text.

    Returns:
        The number of ``\\r\\n``, ``\\r`` or ``\\n`` endings in it.
    """
    if "\r" not in text:
        return text.count("\n")
    return len(_LINE_END.findall(text))


def column_to_units(line: str, column: int, unit: ColumnUnit) -> int:
    """Convert a code-point column within ``line`` to another unit.

    Args:
        line: The text of the line (without its ending).
        column: A code-point offset into ``line``; may point past its end.
        unit: The unit to count in.

    Returns:
        The same offset counted in ``unit``.
    """
    if unit is ColumnUnit.UTF32 or line.isascii():
        return column
    prefix = line[:column]
    extra = max(0, column - len(line))
    if unit is ColumnUnit.UTF16:
        return len(prefix.encode("utf-16-le")) // 2 + extra
    return len(prefix.encode("utf-8", "surrogatepass")) + extra


def units_to_column(line: str, units: int, unit: ColumnUnit) -> int:
    """Convert an offset in ``unit`` within ``line`` back to a code-point column.

    Offsets that fall inside a character (half of a surrogate pair, the middle of a
    UTF-8 sequence) are rounded up to the next character, as LSP asks.

    Args:
        line: The text of the line (without its ending).
        units: The offset counted in ``unit``.
        unit: The unit ``units`` is counted in.

    Returns:
        The code-point column.
    """
    if unit is ColumnUnit.UTF32 or line.isascii():
        return units
    seen = 0
    for index, char in enumerate(line):
        if seen >= units:
            return index
        code = ord(char)
        if unit is ColumnUnit.UTF16:
            seen += 2 if code > 0xFFFF else 1
        else:
            seen += len(char.encode("utf-8", "surrogatepass"))
    return len(line) + max(0, units - seen)


class LineIndex:
    """Maps between offsets and (line, column) positions of one text.

    Attributes:
        text: The indexed text.
        lines: Its lines, without line endings.
    """

    def __init__(self, text: str) -> None:
        """Index ``text``.

        Args:
            text: The source text.
        """
        self.text = text
        self.lines = split_lines(text)
        starts = [0]
        for match in _LINE_END.finditer(text):
            starts.append(match.end())
        self._starts = starts

    def offset(self, line: int, column: int) -> int:
        """Return the string offset of a 0-based (line, code-point column).

        Args:
            line: 0-based line; past the end clamps to the end of the text.
            column: Code-point column; past the line's end clamps to its end.

        Returns:
            An index into ``text``.
        """
        if line >= len(self._starts):
            return len(self.text)
        return self._starts[line] + min(column, len(self.lines[line]))

    def position(self, offset: int) -> tuple[int, int]:
        """Return the 0-based (line, code-point column) of a string offset.

        Args:
            offset: An index into ``text``.

        Returns:
            The line and column.
        """
        line = bisect_right(self._starts, offset) - 1
        return line, offset - self._starts[line]

    def line_text(self, line: int) -> str:
        """Return a line's text, or ``""`` past the end.

        Args:
            line: 0-based line number.

        Returns:
            The text of the line without its ending.
        """
        return self.lines[line] if 0 <= line < len(self.lines) else ""

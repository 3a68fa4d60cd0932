"""Positions, ranges and edits between the engine and the client.

The engine counts columns in code points; the client counts them in the position
encoding negotiated at ``initialize`` (UTF-16 unless both sides agreed on UTF-8 or
UTF-32). Every conversion goes through :mod:`precepts.text` over the server's own lines
(never pygls' ``TextDocument.lines``, which splits on form feeds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lsprotocol import types as lsp

from precepts.findings import Position, Range, TextEdit
from precepts.text import ColumnUnit, column_to_units, units_to_column

LineText = Callable[[int], str]
#: Data as JSON holds it: what goes to the client without lsprotocol's converter.
JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

_UNITS = {
    lsp.PositionEncodingKind.Utf8.value: ColumnUnit.UTF8,
    lsp.PositionEncodingKind.Utf16.value: ColumnUnit.UTF16,
    lsp.PositionEncodingKind.Utf32.value: ColumnUnit.UTF32,
}


def unit_of(encoding: str | lsp.PositionEncodingKind | None) -> ColumnUnit:
    """Return the column unit of a negotiated position encoding.

    Args:
        encoding: ``utf-8``, ``utf-16`` or ``utf-32`` (None means the LSP default).

    Returns:
        The unit (UTF-16 for anything unknown, as LSP requires).
    """
    if isinstance(encoding, lsp.PositionEncodingKind):
        encoding = encoding.value
    return _UNITS.get(encoding or "", ColumnUnit.UTF16)


class Converter:
    """Converts positions of one text between code points and the client's units."""

    def __init__(self, line_text: LineText, unit: ColumnUnit) -> None:
        """Bind the converter to a text.

        Args:
            line_text: Returns the text of a 0-based line (``""`` past the end).
            unit: The client's column unit.
        """
        self.line_text = line_text
        self.unit = unit

    def to_client(self, position: Position) -> lsp.Position:
        """Convert an engine position.

        Args:
            position: 0-based line and code-point column.

        Returns:
            The LSP position.
        """
        line = max(position.line, 0)
        column = column_to_units(self.line_text(line), max(position.column, 0), self.unit)
        return lsp.Position(line=line, character=column)

    def range_to_client(self, where: Range) -> lsp.Range:
        """Convert an engine range.

        Args:
            where: The range.

        Returns:
            The LSP range.
        """
        return lsp.Range(start=self.to_client(where.start), end=self.to_client(where.end))

    def from_client(self, position: lsp.Position) -> tuple[int, int]:
        """Convert a client position to (line, code-point column).

        Args:
            position: The LSP position.

        Returns:
            The engine's line and column.
        """
        line = max(position.line, 0)
        column = units_to_column(self.line_text(line), max(position.character, 0), self.unit)
        return line, column

    def range_from_client(self, where: lsp.Range) -> Range:
        """Convert a client range.

        Args:
            where: The LSP range.

        Returns:
            The engine range.
        """
        start = self.from_client(where.start)
        end = self.from_client(where.end)
        return Range(Position(*start), Position(*end))

    def edit_to_client(self, edit: TextEdit) -> lsp.TextEdit:
        """Convert an engine edit.

        Args:
            edit: The edit.

        Returns:
            The LSP edit.
        """
        return lsp.TextEdit(range=self.range_to_client(edit.range), new_text=edit.content)


def range_data(where: lsp.Range) -> dict[str, JsonValue]:
    """Return an LSP range as plain JSON data (for ``data`` fields).

    Args:
        where: The range.

    Returns:
        ``{"start": {...}, "end": {...}}``.
    """
    return {
        "start": {"line": where.start.line, "character": where.start.character},
        "end": {"line": where.end.line, "character": where.end.character},
    }


def edits_data(edits: Iterable[lsp.TextEdit]) -> list[JsonValue]:
    """Return LSP edits as plain JSON data.

    Args:
        edits: The edits.

    Returns:
        ``[{"range": ..., "newText": ...}, ...]``.
    """
    return [{"range": range_data(edit.range), "newText": edit.new_text} for edit in edits]


def edits_from_data(data: Any) -> list[lsp.TextEdit] | None:
    """Read edits back from :func:`edits_data` output (as the client returned it).

    Args:
        data: The JSON value.

    Returns:
        The edits, or None when ``data`` is not what this module wrote.
    """
    if not isinstance(data, list):
        return None
    try:
        return [
            lsp.TextEdit(range=_range_from_data(item["range"]), new_text=str(item["newText"]))
            for item in data
        ]
    except (KeyError, TypeError, ValueError):
        return None


def _range_from_data(data: dict[str, Any]) -> lsp.Range:
    start, end = data["start"], data["end"]
    return lsp.Range(
        start=lsp.Position(line=int(start["line"]), character=int(start["character"])),
        end=lsp.Position(line=int(end["line"]), character=int(end["character"])),
    )

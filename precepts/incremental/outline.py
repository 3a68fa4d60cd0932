"""Parsing a whole document in slices, and cutting it where statements begin.

A full libcst parse of a 5,000-line file holds the interpreter for about half a second.
Opening a document instead parses it in slices of a few hundred lines cut at top-level
statement boundaries (with the same prefix trick as a region re-parse), so a language
server can answer other requests between slices. A file that does not parse is cut into
pieces at lines that start a statement; pieces that parse keep their findings and the
others become broken leaves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from precepts import syntax
from precepts.findings import Range
from precepts.incremental.buffer import content_length
from precepts.incremental.parsing import Parsed, RegionError, parse_region

# Clause keywords that continue the statement above them.
_CONTINUATION = re.compile(r"(else|elif|except|finally|case)\b")
_PIECES_PER_MERGE = 40
_LINES_PER_MERGE = 3000


def _is_trivia(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _is_indented(line: str) -> bool:
    return line[:1] in (" ", "\t", "\f")


def piece_starts(lines: list[str]) -> list[int]:
    """Return lines where a top-level statement may start, with its leading comments.

    A candidate is a line that starts at column 0 with code; the cut goes above the blank
    lines and column-0 comments that precede it (libcst gives those to the next
    statement). Where an indented comment or an indented blank line precedes it, libcst
    may give those lines to the block above, so no cut is made there.

    Args:
        lines: The document's lines, with endings.

    Returns:
        Sorted cut lines, starting with 0.
    """
    starts = [0]
    for index in range(1, len(lines)):
        line = lines[index]
        first = line[:1]
        if not first or first in " \t#\r\n\f)]}" or _CONTINUATION.match(line):
            continue
        cut = index
        clean = True
        while cut > 0 and _is_trivia(lines[cut - 1]):
            cut -= 1
            clean = clean and not _is_indented(lines[cut])
        if clean and cut > starts[-1]:
            starts.append(cut)
    return starts


@dataclass
class Slice:
    """A run of lines that parsed (``parsed``) or did not (``error``)."""

    start: int
    end: int
    parsed: Parsed | None = None
    error: RegionError | None = None


def default_style(lines: list[str]) -> cst.Module:
    """Return an empty module with the newline of a text's first line.

    Args:
        lines: The document's lines.

    Returns:
        A module carrying the code style.
    """
    newline = "\n"
    if lines:
        first = lines[0]
        newline = first[content_length(first) :] or "\n"
    return cst.parse_module("").with_changes(default_newline=newline)


class Outliner:
    """Parses a document slice by slice.

    Attributes:
        lines: The document's lines, with endings.
        style: The module whose code style the slices share (set by the first slice).
    """

    def __init__(self, lines: list[str], chunk_lines: int) -> None:
        """Prepare to parse.

        Args:
            lines: The document's lines, with endings.
            chunk_lines: About how many lines to parse at once.
        """
        self.lines = lines
        self.chunk_lines = chunk_lines
        self.style: cst.Module | None = None
        self.pieces = piece_starts(lines) if lines else []

    def _text(self, start: int, end: int) -> str:
        return "".join(self.lines[start:end])

    def _parse(self, start: int, end: int) -> Parsed:
        parsed = parse_region(self._text(start, end), self.style if start else None)
        if end < len(self.lines) and parsed.module.footer:
            where = Range.of(end - start, 0, end - start, 0)
            raise RegionError("SyntaxError: invalid syntax", where, "local")
        if self.style is None:
            self.style = parsed.module
        return parsed

    def slices(self) -> Iterator[Slice]:
        """Parse the document, yielding each slice as it is parsed.

        Yields:
            Slices in order; together they cover every line.
        """
        pieces = self.pieces
        index = 0
        total = len(self.lines)
        while index < len(pieces):
            start = pieces[index]
            stop = index + 1
            while stop < len(pieces) and pieces[stop] - start < self.chunk_lines:
                stop += 1
            end = pieces[stop] if stop < len(pieces) else total
            try:
                yield Slice(start, end, self._parse(start, end))
                index = stop
                continue
            except RegionError:
                pass
            if self._whole_file_parses():
                # A cut fell inside a string or brackets: the rest parses in one go.
                try:
                    rest = self._parse(start, total)
                except RegionError:
                    pass
                else:
                    yield Slice(start, total, rest)
                    return
            index = yield from self._piecewise(index)

    def _whole_file_parses(self) -> bool:
        try:
            return syntax.python_error("".join(self.lines)) is None
        except (ValueError, RecursionError, MemoryError):
            return False

    def _piecewise(self, index: int) -> Iterator[Slice]:
        pieces = self.pieces
        total = len(self.lines)
        start = pieces[index]
        first_error: RegionError | None = None
        stop = index + 1
        while stop <= len(pieces) and stop - index <= _PIECES_PER_MERGE:
            end = pieces[stop] if stop < len(pieces) else total
            if end - start > _LINES_PER_MERGE and stop > index + 1:
                break
            try:
                yield Slice(start, end, self._parse(start, end))
                return stop
            except RegionError as error:
                first_error = first_error or error
            stop += 1
        end = pieces[index + 1] if index + 1 < len(pieces) else total
        if self.style is None:
            self.style = default_style(self.lines)
        yield Slice(start, end, error=first_error)
        return index + 1

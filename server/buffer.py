r"""The server's own copy of an open document's text, edited in place.

pygls keeps a copy too, but its ``TextDocument.lines`` splits with ``str.splitlines``,
which also breaks on form feeds and Unicode line separators: an edit to a file holding
``\f`` or U+2028 lands on the wrong line. This buffer splits on ``\r\n``, ``\r`` and
``\n`` only (as LSP and Python do), keeps each line with its ending, and replaces only
the lines an edit touches, so a keystroke in a big file costs a few list operations.
Positions here are 0-based lines and code-point columns; the LSP layer converts.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _split(text: str) -> list[str]:
    return _LINE.findall(text)


def _content_length(line: str) -> int:
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


class TextBuffer:
    """A document's text as a list of lines that keep their endings.

    Attributes:
        lines: The lines; joined they give the text back.
    """

    def __init__(self, text: str) -> None:
        """Load a text.

        Args:
            text: The document's content.
        """
        self.lines = _split(text)
        self._text: str | None = text

    @property
    def text(self) -> str:
        """The whole text (joined on demand, kept until the next edit)."""
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    @property
    def line_count(self) -> int:
        """The number of lines as LSP counts them (a final newline opens one more)."""
        if not self.lines:
            return 1
        last = self.lines[-1]
        return len(self.lines) + (1 if _content_length(last) != len(last) else 0)

    def line_text(self, line: int) -> str:
        """Return a line without its ending (``""`` past the end).

        Args:
            line: 0-based line.

        Returns:
            The line's content.
        """
        if 0 <= line < len(self.lines):
            chunk = self.lines[line]
            return chunk[: _content_length(chunk)]
        return ""

    def clamp(self, line: int, column: int) -> tuple[int, int]:
        """Clamp a position to the text, as LSP asks for positions past the end.

        Args:
            line: 0-based line.
            column: Code-point column.

        Returns:
            A position inside the text.
        """
        line = max(line, 0)
        column = max(column, 0)
        last = self.line_count - 1
        if line > last:
            return last, len(self.line_text(last))
        return line, min(column, len(self.line_text(line)))

    def replace(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
        """Replace the text between two positions.

        Args:
            start: (line, code-point column) where the replaced text starts.
            end: Where it ends (swapped with ``start`` when before it).
            new_text: The replacement.
        """
        (l1, c1), (l2, c2) = sorted((self.clamp(*start), self.clamp(*end)))
        count = len(self.lines)
        # One neighbouring line on each side is re-split with the edit, so a "\r" left
        # at the end of one line and a "\n" starting the next become one line ending.
        first = max(l1 - 1, 0)
        last = min(l2 + 1, count - 1)
        head = "".join(self.lines[first:l1]) + (self.lines[l1][:c1] if l1 < count else "")
        tail = (self.lines[l2][c2:] if l2 < count else "") + "".join(self.lines[l2 + 1 : last + 1])
        self.lines[first : last + 1] = _split(head + new_text + tail)
        self._text = None

r"""The text of an open document as a list of lines that keep their endings.

Editors send small edits; rebuilding one big string per keystroke would cost more than
the edit itself on large files, and ``str.splitlines`` breaks on form feeds and Unicode
separators that are not line endings for Python or LSP. The buffer splits on ``\\r\\n``,
``\\r`` and ``\\n`` only, and an edit replaces just the lines it touches.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def split_keep_ends(text: str) -> list[str]:
    """Split text into lines that keep their line endings.

    Args:
        text: Any text.

    Returns:
        The lines; joined they give ``text`` back. A text ending with a newline has no
        empty last element.
    """
    return _LINE.findall(text)


def content_length(line: str) -> int:
    """Return the length of a line without its ending.

    Args:
        line: One element of :func:`split_keep_ends`.

    Returns:
        The number of code points before the line ending.
    """
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


class TextBuffer:
    """A document's text, kept as lines with their endings.

    Attributes:
        lines: The lines, each with its ending (the last may have none).
    """

    def __init__(self, text: str) -> None:
        """Load a text.

        Args:
            text: The document's content.
        """
        self.lines = split_keep_ends(text)
        self._text: str | None = text

    @property
    def text(self) -> str:
        """The whole text (joined on demand and kept until the next edit)."""
        if self._text is None:
            self._text = "".join(self.lines)
        return self._text

    def slice(self, start: int, end: int) -> str:
        """Return the text of lines ``start`` up to (not including) ``end``.

        Args:
            start: First line.
            end: Line after the last one.

        Returns:
            The text, endings included.
        """
        return "".join(self.lines[start:end])

    @property
    def line_count(self) -> int:
        """The number of lines as LSP counts them (a final newline opens one more)."""
        if not self.lines:
            return 1
        last = self.lines[-1]
        return len(self.lines) + (1 if content_length(last) != len(last) else 0)

    def line_text(self, line: int) -> str:
        """Return a line without its ending (``""`` past the end).

        Args:
            line: 0-based line.

        Returns:
            The line's content.
        """
        if 0 <= line < len(self.lines):
            chunk = self.lines[line]
            return chunk[: content_length(chunk)]
        return ""

    def clamp(self, line: int, column: int) -> tuple[int, int]:
        """Clamp a position to the text, the way LSP asks.

        A line past the end means the end of the text; a column past the end of its
        line means the end of the line.

        Args:
            line: 0-based line.
            column: Code-point column.

        Returns:
            A valid (line, column); the line may be ``len(lines)`` when the text ends
            with a newline (the empty last line).
        """
        count = len(self.lines)
        line = max(line, 0)
        column = max(column, 0)
        if line >= count:
            if count and content_length(self.lines[-1]) == len(self.lines[-1]):
                return count - 1, len(self.lines[-1])
            return count, 0
        return line, min(column, content_length(self.lines[line]))

    def replace(
        self, start: tuple[int, int], end: tuple[int, int], new_text: str
    ) -> tuple[int, int, int]:
        """Replace the text between two positions.

        Args:
            start: (line, code-point column) where the replaced text starts.
            end: (line, column) where it ends; swapped with ``start`` when before it.
            new_text: The replacement.

        Returns:
            (first line, old line count, new line count): lines ``first`` up to
            ``first + old`` were replaced by ``new`` lines.
        """
        (l1, c1), (l2, c2) = sorted((self.clamp(*start), self.clamp(*end)))
        count = len(self.lines)
        prefix = self.lines[l1][:c1] if l1 < count else ""
        suffix = self.lines[l2][c2:] if l2 < count else ""
        first, last = l1, min(l2, count - 1)
        combined = prefix + new_text + suffix
        if first > 0 and combined.startswith("\n") and self.lines[first - 1].endswith("\r"):
            # "\r" + "\n" become one line ending: the previous line takes part.
            first -= 1
            combined = self.lines[first] + combined
        if combined.endswith("\r") and last + 1 < count and self.lines[last + 1].startswith("\n"):
            last += 1
            combined += self.lines[last]
        replaced = split_keep_ends(combined)
        old = max(last + 1 - first, 0)
        self.lines[first : first + old] = replaced
        self._text = None
        return first, old, len(replaced)

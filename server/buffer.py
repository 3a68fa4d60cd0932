r"""The server's own copy of an open document's text, edited in place.

pygls keeps a copy too, but its ``TextDocument.lines`` splits with ``str.splitlines``,
which also breaks on form feeds and Unicode line separators: an edit to a file holding
``\f`` or U+2028 lands on the wrong line. The engine's incremental buffer splits on
``\r\n``, ``\r`` and ``\n`` only and replaces just the lines an edit touches; the server
uses it as it is, adding the line count LSP conversions need.
"""

from __future__ import annotations

from precepts.incremental.buffer import TextBuffer as _EngineBuffer
from precepts.incremental.buffer import content_length


class TextBuffer(_EngineBuffer):
    """A document's text as a list of lines that keep their endings."""

    @property
    def line_count(self) -> int:
        """The number of lines as LSP counts them (a final newline opens one more)."""
        if not self.lines:
            return 1
        last = self.lines[-1]
        return len(self.lines) + (1 if content_length(last) != len(last) else 0)

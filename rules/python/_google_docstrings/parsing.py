"""How a Google docstring is read: its lines, indentation and sections.

:func:`docstring_expression` finds a body's docstring, :func:`parse_docstring` splits
it into :class:`Section` objects of the kinds napoleon understands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts.text import split_lines

# Section titles napoleon understands, by the kind of thing they document.
_SECTION_KINDS: dict[str, str] = {
    **dict.fromkeys(("Args", "Arguments", "Parameters", "Params"), "args"),
    **dict.fromkeys(("Keyword Args", "Keyword Arguments", "Other Parameters"), "keyword"),
    **dict.fromkeys(("Returns", "Return"), "returns"),
    **dict.fromkeys(("Yields", "Yield"), "yields"),
    **dict.fromkeys(("Raises", "Raise"), "raises"),
    **dict.fromkeys(
        (
            "Attributes", "Example", "Examples", "Note", "Notes", "Todo", "Warning",
            "Warnings", "Warns", "See Also", "References", "Methods", "Attention",
            "Caution", "Danger", "Error", "Hint", "Important", "Tip",
        ),
        "other",
    ),
}  # fmt: skip

# The kinds that make a docstring "structured": once it has one of them, it is held to
# documenting everything (a summary-only docstring is accepted as it is).
STRUCTURED_KINDS = frozenset({"args", "keyword", "returns", "yields", "raises"})
_ARG_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:")
_RAISE_ENTRY = re.compile(r"^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?::|$)")
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass
class Section:
    """One section of a Google docstring.

    Attributes:
        title: The title as written (``Args``).
        kind: ``args``, ``keyword``, ``returns``, ``yields``, ``raises`` or ``other``.
        header: Index of the title line in :attr:`Docstring.lines`.
        end: Index one past the section's last non-blank line.
        entry_indent: Indentation of its entries (None when it has none).
        entries: (name, line index) of each entry of an Args-like or Raises section.
    """

    title: str
    kind: str
    header: int
    end: int
    entry_indent: str | None
    entries: list[tuple[str, int]]


@dataclass
class Docstring:
    """A parsed triple-quoted docstring.

    Attributes:
        lines: The lines between the quotes (the first one holds the summary).
        indent: Indentation of the lines after the first (section titles sit there).
        sections: The Google sections found.
        newline: The line ending used inside the docstring.
    """

    lines: list[str]
    indent: str
    sections: list[Section]
    newline: str

    @property
    def structured(self) -> bool:
        """True when it has an Args-like, Returns, Yields or Raises section."""
        return any(section.kind in STRUCTURED_KINDS for section in self.sections)

    def names(self, *kinds: str) -> list[tuple[str, int]]:
        """Return the entries of every section of the given kinds.

        Args:
            *kinds: Section kinds.

        Returns:
            (name, line index) pairs.
        """
        return [entry for s in self.sections if s.kind in kinds for entry in s.entries]

    def has(self, *kinds: str) -> bool:
        """Tell whether a section of one of the given kinds exists.

        Args:
            *kinds: Section kinds.

        Returns:
            True when present.
        """
        return any(section.kind in kinds for section in self.sections)


def docstring_expression(
    body: cst.BaseSuite | Sequence[cst.BaseStatement],
) -> cst.BaseExpression | None:
    """Return the docstring expression of a body, or None when it has none.

    Args:
        body: A function or class body, or a module's statements.

    Returns:
        The string expression (simple or implicitly concatenated).
    """
    first: cst.CSTNode | None = None
    if isinstance(body, cst.SimpleStatementSuite):
        first = body
    elif isinstance(body, cst.IndentedBlock):
        first = body.body[0] if body.body else None
    elif isinstance(body, Sequence) and body:
        first = body[0]
    if not isinstance(first, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return None
    small = first.body[0] if first.body else None
    if isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    ):
        return small.value
    return None


def parse_docstring(node: cst.BaseExpression | None) -> Docstring | None:
    """Parse a triple-quoted docstring literal into its Google sections.

    Args:
        node: The docstring expression.

    Returns:
        The parsed docstring, or None for anything but a triple-quoted simple string.
    """
    if not isinstance(node, cst.SimpleString) or len(node.quote) != 3:
        return None
    content = node.value[len(node.prefix) + 3 : -3]
    ending = _LINE_END.search(content)
    lines = split_lines(content)
    indents = [_indent_of(line) for line in lines[1:] if line.strip()]
    indent = min(indents, key=len) if indents else ""
    sections = _sections(lines, indent)
    return Docstring(lines, indent, sections, ending.group(0) if ending else "\n")


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _sections(lines: list[str], indent: str) -> list[Section]:
    headers = [
        (index, line.strip()[:-1])
        for index, line in enumerate(lines)
        if index > 0
        and _indent_of(line) == indent
        and line.strip()[:-1] in _SECTION_KINDS
        and line.strip().endswith(":")
    ]
    sections = []
    for position, (header, title) in enumerate(headers):
        limit = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
        end = header + 1
        for index in range(header + 1, limit):
            line = lines[index]
            if line.strip() and len(_indent_of(line)) <= len(indent):
                break  # back at the title's indentation: the section is over
            if line.strip():
                end = index + 1
        kind = _SECTION_KINDS[title]
        sections.append(_section(lines, title, kind, header, end))
    return sections


def _section(lines: list[str], title: str, kind: str, header: int, end: int) -> Section:
    body = [index for index in range(header + 1, end) if lines[index].strip()]
    entry_indent = _indent_of(lines[body[0]]) if body else None
    entries: list[tuple[str, int]] = []
    pattern = _RAISE_ENTRY if kind == "raises" else _ARG_ENTRY
    if kind in {"args", "keyword", "raises"}:
        for index in body:
            if _indent_of(lines[index]) != entry_indent:
                continue  # a continuation line of the previous entry
            match = pattern.match(lines[index].strip())
            if match:
                entries.extend((name.strip(), index) for name in match.group(1).split(","))
    return Section(title, kind, header, end, entry_indent, entries)

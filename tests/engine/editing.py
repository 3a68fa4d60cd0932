"""Random editing sessions on real files, and the oracle that checks each step.

An :class:`Editor` makes the kinds of edits people make while typing: characters typed
into a line, ranges deleted, blocks pasted, lines indented and dedented, syntax broken
(an opening bracket, a lone triple quote, a half-typed ``def``) and repaired, and undo.
:func:`verify` compares an incremental document with a from-scratch check of the same
text (see the contract in :mod:`precepts.incremental.document`).
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import libcst as cst

from precepts.engine import Checker, RuleSet
from precepts.findings import Finding
from precepts.incremental.buffer import content_length, split_keep_ends
from precepts.incremental.document import IncrementalDocument
from precepts.incremental.leaves import body_indent
from precepts.incremental.tree import _stand_in_text
from precepts.text import LineIndex, split_lines

TYPED = list("abcxyz_019 .,:()[]{}=+-'\"#\n\t") + ["    ", "\n    ", "é", "😀", "中"]
BREAKERS = ["(", "[", '"""', "'", "def f(", "class X(", "\n  x = (", "@dec\n", "\\\n", ":"]
SNIPPETS = [
    "x = 1\n",
    "    return None\n",
    "# a comment\n",
    "\n",
    "if x == None:\n    pass\n",
    "def added(a, b):\n    return a + b\n",
    "try:\n    pass\nexcept Exception:\n    pass\n",
    "print('hello')\n",
    '"""doc"""\n',
    "    # indented comment\n",
]


@dataclass
class Edit:
    """One edit: replace the text between two positions (code points) with ``text``."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str
    kind: str


class Editor:
    """Makes random but plausible edits to a text and keeps an undo stack.

    Every random decision goes through ``choose(n)`` (an integer in ``range(n)``), so a
    hypothesis ``data.draw`` can drive the editor and shrink a failing session.
    """

    def __init__(self, text: str, choose: Callable[[int], int]) -> None:
        self.text = text
        self.choose = choose
        self.undo: list[tuple[str, str]] = []
        self.broken = False

    @classmethod
    def seeded(cls, text: str, seed: int) -> Editor:
        """Return an editor driven by a seeded pseudo-random generator."""
        generator = random.Random(seed)
        return cls(text, lambda n: generator.randrange(n))

    def _chance(self, percent: int) -> bool:
        return self.choose(100) < percent

    def _pick(self, items: list[str]) -> str:
        return items[self.choose(len(items))]

    def _lines(self) -> list[str]:
        return split_keep_ends(self.text)

    def _position(self, lines: list[str]) -> tuple[int, int]:
        if not lines:
            return 0, 0
        line = self.choose(len(lines))
        return line, self.choose(content_length(lines[line]) + 1)

    def next_edit(self) -> Edit:
        """Choose the next edit."""
        lines = self._lines()
        if self.undo and self.broken and self._chance(60):
            return self._undo()
        roll = self.choose(100)
        if self.undo and roll < 10:
            return self._undo()
        if roll < 45:
            line, column = self._position(lines)
            return Edit((line, column), (line, column), self._pick(TYPED), "type")
        if roll < 60:
            return self._delete(lines)
        if roll < 70:
            return self._paste(lines)
        if roll < 80 and lines:
            return self._indent(lines)
        line, column = self._position(lines)
        return Edit((line, column), (line, column), self._pick(BREAKERS), "break")

    def _undo(self) -> Edit:
        before, _after = self.undo.pop()
        return self._replace_all_diff(before, "undo")

    def _delete(self, lines: list[str]) -> Edit:
        line, column = self._position(lines)
        width = content_length(lines[line]) if lines else 0
        end = (line, min(column + 1 + self.choose(6), width))
        if line + 1 < len(lines) and self._chance(30):
            end = (line + 1 + self.choose(3), 0)
        return Edit((line, column), end, "", "delete")

    def _paste(self, lines: list[str]) -> Edit:
        line = self.choose(len(lines) + 1)
        if lines and self._chance(50):
            first = self.choose(len(lines))
            block = "".join(lines[first : first + 1 + self.choose(12)])
        else:
            block = self._pick(SNIPPETS)
        if block and not block.endswith(("\n", "\r")):
            block += "\n"
        return Edit((line, 0), (line, 0), block, "paste")

    def _indent(self, lines: list[str]) -> Edit:
        first = self.choose(len(lines))
        last = min(first + self.choose(6), len(lines) - 1)
        indent = self._chance(50)
        new = []
        for text in lines[first : last + 1]:
            if indent:
                new.append("    " + text)
            else:
                new.append(text[4:] if text.startswith("    ") else text.lstrip(" \t"))
        return Edit((first, 0), (last + 1, 0), "".join(new), "indent" if indent else "dedent")

    def _replace_all_diff(self, target: str, kind: str) -> Edit:
        """Return one edit that turns the current text into ``target`` (common ends kept)."""
        current = self.text
        prefix = 0
        limit = min(len(current), len(target))
        while prefix < limit and current[prefix] == target[prefix]:
            prefix += 1
        suffix = 0
        while (
            suffix < limit - prefix
            and current[len(current) - 1 - suffix] == target[len(target) - 1 - suffix]
        ):
            suffix += 1
        start = _position_of(current, prefix)
        end = _position_of(current, len(current) - suffix)
        return Edit(start, end, target[prefix : len(target) - suffix], kind)

    def apply(self, edit: Edit) -> None:
        """Apply an edit to the editor's own copy of the text."""
        index = LineIndex(self.text)
        a = index.offset(*edit.start)
        b = index.offset(*edit.end)
        after = self.text[:a] + edit.text + self.text[b:]
        if edit.kind != "undo":
            self.undo.append((self.text, after))
        self.text = after
        try:
            compile(after, "<edit>", "exec", ast.PyCF_ONLY_AST)
            self.broken = False
        except (SyntaxError, ValueError):
            self.broken = True


def _position_of(text: str, offset: int) -> tuple[int, int]:
    return LineIndex(text).position(offset)


def canonical(findings: Iterable[Finding]) -> list[tuple]:
    """Return findings in a total order, as comparable tuples."""
    return sorted(
        (f.range, f.code, f.message, f.severity.value, f.related, f.fix) for f in findings
    )


def stand_in_text(document: IncrementalDocument) -> str:
    """Return T°: the text with each broken leaf replaced by ``pass`` and blank lines."""
    layout = document.layout()
    parts = []
    for leaf in layout.leaves:
        text = (
            leaf.text
            if leaf.valid
            else document.buffer.slice(layout.start_of(leaf), layout.start_of(leaf) + leaf.lines)
        )
        if leaf.valid:
            parts.append(text)
        else:
            indent = body_indent(leaf.owner.node, document.style) if leaf.owner else ""
            parts.append(_stand_in_text(text, indent))
    return "".join(parts)


def plain(module: cst.Module) -> cst.Module:
    """Return a module as a plain ``cst.Module`` (the document's is a watched subclass)."""
    return cst.Module(
        body=module.body,
        header=module.header,
        footer=module.footer,
        encoding=module.encoding,
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        has_trailing_newline=module.has_trailing_newline,
    )


class Mismatch(AssertionError):
    """The incremental findings differ from the oracle's."""


def verify(document: IncrementalDocument, ruleset: RuleSet, check_tree: bool = False) -> str:
    """Check the document's findings against a from-scratch check; return the case seen.

    Returns:
        ``valid`` (the text parses), ``broken`` (compared through T°) or ``opaque``
        (T° itself does not parse: only the BP000 placement is checked).

    Raises:
        Mismatch: When the contract does not hold.
    """
    result = document.check()
    text = document.text
    checker = Checker(ruleset)
    full = checker.check(text, document.path)
    parses = not any(f.code == "BP000" for f in full.findings)
    if parses and full.module is not None and full.module.code != text:
        return "lossy"  # libcst drops a backslash before a statement: no reference exists
    if parses:
        if result.broken:
            raise Mismatch(f"the text parses but the document has broken leaves {result.broken}")
        _compare(result.findings, full.findings, "full check")
        _compare_errors(result.errors, full.errors)
        if check_tree:
            module = plain(document.layout().module)
            if module.code != text:
                raise Mismatch("the spliced module's code differs from the text")
            if not module.deep_equals(cst.parse_module(text)):
                raise Mismatch("the spliced module differs from a full parse")
        return "valid"
    if not result.broken:
        raise Mismatch("the text does not parse but no leaf is broken")
    spans = result.broken
    syntax = [f for f in result.findings if f.code == "BP000"]
    for first, last in spans:
        inside = [f for f in syntax if first <= f.range.start.line <= last]
        if len(inside) != 1:
            raise Mismatch(f"broken lines {first}-{last} carry {len(inside)} BP000")
    if len(syntax) != len(spans):
        raise Mismatch("a BP000 outside every broken leaf")
    stand_in = stand_in_text(document)
    if len(split_lines(stand_in)) != len(split_lines(text)):
        raise Mismatch("T° does not keep the line count")
    reference = checker.check(stand_in, document.path)
    if any(f.code == "BP000" for f in reference.findings):
        return "opaque"

    def outside(findings: Iterable[Finding]) -> list[Finding]:
        return [
            f
            for f in findings
            if f.code != "BP000"
            and not any(first <= f.range.start.line <= last for first, last in spans)
        ]

    _compare(outside(result.findings), outside(reference.findings), "check of T°")
    return "broken"


def _compare(mine: list[Finding], theirs: list[Finding], what: str) -> None:
    a, b = canonical(mine), canonical(theirs)
    if a != b:
        extra = [x for x in a if x not in b][:5]
        missing = [x for x in b if x not in a][:5]
        raise Mismatch(f"findings differ from the {what}:\n extra {extra}\n missing {missing}")


def _compare_errors(mine, theirs) -> None:
    if {e.code for e in mine} != {e.code for e in theirs}:
        raise Mismatch(
            f"rule errors differ: {[e.code for e in mine]} vs {[e.code for e in theirs]}"
        )

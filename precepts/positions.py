"""Positions computed only for the statements that need them.

libcst's ``PositionProvider`` re-renders the whole module with bookkeeping, which costs
2–3 parses. Most nodes are never reported, so precepts resolves positions one top-level
statement at a time: ``PositionProvider`` on a module holding just that statement (with
the real module's indentation and newline defaults), shifted by the statement's first
line. A test proves the result equals ``PositionProvider`` on the whole module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from precepts.findings import Range
from precepts.text import count_line_breaks


class Positions(Protocol):
    """What rules and fixes may ask about positions (``RuleContext.positions``)."""

    def range_of(self, node: cst.CSTNode, hint: int = -1) -> Range:
        """Return the range of a node; raise ``KeyError`` when it is not in the module."""
        ...

    def first_line(self, index: int) -> int:
        """Return the 0-based first line of top-level statement ``index``."""
        ...

    def statement_span(self, index: int) -> tuple[int, int]:
        """Return the first and last line of top-level statement ``index``."""
        ...

    def statement_index_of(self, line: int) -> int:
        """Return the top-level statement holding ``line``, or -1."""
        ...


class PositionResolver:
    """Resolves node ranges of one module lazily, statement by statement."""

    def __init__(self, module: cst.Module) -> None:
        """Prepare to resolve positions in ``module``.

        Args:
            module: The parsed module.
        """
        self.module = module
        self._first_lines: list[int] = []  # 0-based first line of each top-level statement
        self._next_line = count_line_breaks(
            "".join(module.code_for_node(line) for line in module.header)
        )
        self._maps: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}

    def first_line(self, index: int) -> int:
        """Return the 0-based line where top-level statement ``index`` starts.

        The start includes the statement's leading comments and blank lines.

        Args:
            index: Position of the statement in ``module.body``.

        Returns:
            The line number.
        """
        body = self.module.body
        while len(self._first_lines) <= index:
            self._first_lines.append(self._next_line)
            statement = body[len(self._first_lines) - 1]
            self._next_line += count_line_breaks(self.module.code_for_node(statement))
        return self._first_lines[index]

    def statement_span(self, index: int) -> tuple[int, int]:
        """Return the 0-based first and last line of top-level statement ``index``.

        Args:
            index: Position of the statement in ``module.body``.

        Returns:
            (first line, last line), both inclusive, leading comments included.
        """
        first = self.first_line(index)
        if index + 1 < len(self.module.body):
            return first, self.first_line(index + 1) - 1
        self.first_line(index)
        return first, max(first, self._next_line - 1)

    def _map(self, index: int) -> Mapping[cst.CSTNode, CodeRange]:
        cached = self._maps.get(index)
        if cached is None:
            alone = self.module.with_changes(
                body=[self.module.body[index]], header=(), footer=(), has_trailing_newline=True
            )
            cached = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
            self._maps[index] = cached
        return cached

    def range_of(self, node: cst.CSTNode, hint: int = -1) -> Range:
        """Return the range of ``node``.

        Args:
            node: A node of the module (or the module itself).
            hint: The index of the top-level statement that probably holds it.

        Returns:
            The 0-based range in code points.

        Raises:
            KeyError: When the node is not part of this module.
        """
        if node is self.module:
            return Range.of(0, 0, 0, 0)
        candidates = range(len(self.module.body))
        if 0 <= hint < len(self.module.body):
            candidates = [hint, *(i for i in candidates if i != hint)]  # type: ignore[assignment]
        for index in candidates:
            code_range = self._map(index).get(node)
            if code_range is not None:
                return _shifted(code_range, self.first_line(index) - 1)
        # Comments and blank lines before the first statement or after the last one.
        code_range = self._edge_map(footer=False).get(node)
        if code_range is not None:
            return _shifted(code_range, -1)
        code_range = self._edge_map(footer=True).get(node)
        if code_range is not None:
            if self.module.body:  # counting the last statement's lines ends past it
                self.first_line(len(self.module.body) - 1)
            return _shifted(code_range, self._next_line - 1)
        raise KeyError(f"node {type(node).__name__} is not part of this module")

    def _edge_map(self, footer: bool) -> Mapping[cst.CSTNode, CodeRange]:
        key = -2 if footer else -1
        cached = self._maps.get(key)
        if cached is None:
            module = self.module
            edge = module.with_changes(
                body=[],
                header=() if footer else module.header,
                footer=module.footer if footer else (),
            )
            cached = MetadataWrapper(edge, unsafe_skip_copy=True).resolve(PositionProvider)
            self._maps[key] = cached
        return cached

    def statement_index_of(self, line: int) -> int:
        """Return the index of the top-level statement that holds 0-based ``line``.

        Args:
            line: A line of the module.

        Returns:
            The statement index, or -1 when the line is in the header or footer.
        """
        body = self.module.body
        for index in range(len(body)):
            first, last = self.statement_span(index)
            if first <= line <= last:
                return index
        return -1


def _shifted(code_range: CodeRange, offset: int) -> Range:
    return Range.of(
        code_range.start.line + offset,
        code_range.start.column,
        code_range.end.line + offset,
        code_range.end.column,
    )

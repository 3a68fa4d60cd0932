"""Complexity metrics of the function under the cursor, for the hover.

The ``ast`` tree of the document (cached per version) finds the function whose name is
under the cursor and the top-level statement that holds it. Only that statement is
parsed with libcst (a method is measured inside its class, so BP101 sees it is a
method), then BP101's :func:`function_metrics` counts it: cognitive complexity with
each increment, radon's cyclomatic complexity and maintainability index.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from precepts.findings import Position, Range
from precepts.rules.python.bp101_cognitive_complexity import (
    FunctionMetrics,
    function_metrics,
    increment_range,
)
from precepts.text import LineIndex

LineText = Callable[[int], str]
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class FunctionSpot:
    """A function name found under the cursor.

    Attributes:
        name: The function's name.
        name_range: Where the name is (0-based, code points).
        first_line: The first line of the top-level statement that holds it.
        last_line: Its last line.
    """

    name: str
    name_range: Range
    first_line: int
    last_line: int


@dataclass(frozen=True)
class MeasuredFunction:
    """A function's metrics, with the line of each complexity increment.

    Attributes:
        metrics: BP101's metrics.
        increment_lines: The 0-based line of each increment, in order.
    """

    metrics: FunctionMetrics
    increment_lines: tuple[int, ...]


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def _name_range(node: ast.FunctionDef | ast.AsyncFunctionDef, line_text: LineText) -> Range:
    line = node.lineno - 1
    text = line_text(line)
    match = re.search(rf"\bdef\s+({re.escape(node.name)})\b", text)
    column = match.start(1) if match else 0
    return Range.of(line, column, line, column + len(node.name))


def function_at(
    tree: ast.Module, line_text: LineText, line: int, column: int
) -> FunctionSpot | None:
    """Find the function whose name is at a position.

    Args:
        tree: The document's ``ast`` tree.
        line_text: Returns a line of the document.
        line: 0-based line.
        column: Code-point column.

    Returns:
        The function, or None when the position is not on a function's name.
    """
    for top in tree.body:
        first, last = _first_line(top) - 1, (top.end_lineno or top.lineno) - 1
        if not first <= line <= last:
            continue
        for node in ast.walk(top):
            if isinstance(node, _FUNCTIONS) and node.lineno - 1 == line:
                where = _name_range(node, line_text)
                if where.start.column <= column <= where.end.column:
                    return FunctionSpot(node.name, where, first, last)
        return None
    return None


class _Finder(cst.CSTVisitor):
    """Finds the ``FunctionDef`` whose name starts at a position."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int, column: int) -> None:
        super().__init__()
        self.line = line + 1  # libcst lines are 1-based
        self.column = column
        self.found: cst.FunctionDef | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        start = self.get_metadata(PositionProvider, node.name).start
        if (start.line, start.column) == (self.line, self.column):
            self.found = node


def measure(spot: FunctionSpot, statement: str) -> MeasuredFunction | None:
    """Measure a function.

    Args:
        spot: Where it is.
        statement: The text of the top-level statement that holds it.

    Returns:
        The metrics, or None when the statement cannot be measured.
    """
    try:
        wrapper = MetadataWrapper(cst.parse_module(statement), unsafe_skip_copy=True)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    finder = _Finder(spot.name_range.start.line - spot.first_line, spot.name_range.start.column)
    wrapper.visit(finder)
    if finder.found is None:
        return None
    try:
        metrics = function_metrics(finder.found, wrapper.module)
    except RuntimeError:
        return None
    locator = _TableLocator(wrapper.resolve(PositionProvider))
    lines = tuple(
        increment_range(increment, locator).start.line + spot.first_line
        for increment in metrics.increments
    )
    return MeasuredFunction(metrics, lines)


class _TableLocator:
    """Places nodes of a statement whose positions were all computed up front."""

    def __init__(self, table: Mapping[cst.CSTNode, CodeRange]) -> None:
        self.table = table

    def range_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Range:
        """Return the node's range (0-based lines; the path is not needed here)."""
        code = self.table[node]
        return Range.of(code.start.line - 1, code.start.column, code.end.line - 1, code.end.column)

    def start_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Position:
        """Return where the node starts."""
        return self.range_of(node).start


_DEF_NAME = re.compile(r"\bdef\s+(\w+)")


def on_def_name(line_text: str, column: int) -> bool:
    """Tell cheaply whether a column is on the name after a ``def`` keyword.

    Args:
        line_text: The line.
        column: Code-point column.

    Returns:
        True when the hover may be on a function name (then it is worth parsing).
    """
    return any(m.start(1) <= column <= m.end(1) for m in _DEF_NAME.finditer(line_text))


def measure_at(text: str, line: int, column: int) -> MeasuredFunction | None:
    """Measure the function whose name is at a position (a thread job: it parses).

    Args:
        text: The document's text.
        line: 0-based line.
        column: Code-point column.

    Returns:
        The metrics, or None when the position is not on a function name or the text
        does not parse.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    index = LineIndex(text)
    spot = function_at(tree, index.line_text, line, column)
    if spot is None:
        return None
    start = index.offset(spot.first_line, 0)
    end = index.offset(spot.last_line + 1, 0)
    return measure(spot, text[start:end])

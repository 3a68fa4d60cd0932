"""Turning rule fixes into text edits, checking them, and applying them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

from precepts import syntax
from precepts.context import RuleContext
from precepts.findings import Applicability, Finding, Fix, Position, Range, TextEdit
from precepts.rule import FixSpec, InsertAfter, InsertBefore, Remove, Replace
from precepts.text import LineIndex

_INDENT = re.compile(r"[ \t]*")


def _indent_block(text: str, indent: str, newline: str) -> str:
    lines = text.splitlines()
    return "".join(f"{indent}{line}{newline}" if line else newline for line in lines)


def _edit_for(change: object, context: RuleContext) -> TextEdit:
    module = context.module
    if isinstance(change, TextEdit):
        return change
    if isinstance(change, Replace):
        where = context.range_of(change.node)
        new = change.new if isinstance(change.new, str) else module.code_for_node(change.new)
        return TextEdit(where, new)
    if isinstance(change, Remove):
        return TextEdit(context.range_of(change.node), "")
    if isinstance(change, InsertBefore):
        where = context.range_of(change.node)
        if not change.whole_line:
            return TextEdit(Range(where.start, where.start), change.text)
        line = context.lines.line_text(where.start.line)
        indent = _INDENT.match(line).group(0)  # type: ignore[union-attr]
        start = Position(where.start.line, 0)
        block = _indent_block(change.text, indent, module.default_newline)
        return TextEdit(Range(start, start), block)
    if isinstance(change, InsertAfter):
        where = context.range_of(change.node)
        if not change.whole_line:
            return TextEdit(Range(where.end, where.end), change.text)
        first = context.lines.line_text(where.start.line)
        indent = _INDENT.match(first).group(0)  # type: ignore[union-attr]
        end_line = where.end.line
        end = Position(end_line, len(context.lines.line_text(end_line)))
        block = _indent_block(change.text, indent, module.default_newline)
        return TextEdit(Range(end, end), module.default_newline + block.rstrip("\r\n"))
    raise TypeError(f"unknown change {change!r}")


def build_fix(spec: FixSpec, context: RuleContext) -> Fix | None:
    """Turn a rule's fix description into edits, or None when they would not parse.

    Args:
        spec: The rule's fix.
        context: The module's context.

    Returns:
        The fix, or None when its edits overlap or the fixed code does not parse.
    """
    edits = tuple(sorted((_edit_for(c, context) for c in spec.changes), key=lambda e: e.range))
    for before, after in zip(edits, edits[1:], strict=False):
        if after.range.start < before.range.end:
            return None
    fix = Fix(spec.message, edits, spec.applicability or Applicability.SAFE)
    if not fix_parses(context, fix):
        return None
    return fix


def _parses(text: str) -> bool:
    return syntax.parses(text, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def fix_parses(context: RuleContext, fix: Fix) -> bool:
    """Tell whether the file still parses with ``fix`` applied.

    The file is not parsed whole while it is being checked. Each edit lies in a *unit*
    the positions know (a top-level statement, or a statement of a class body kept
    apart by the incremental document): units tokenise independently, so the file
    parses with the fix when every edited unit parses with its edits, dedented. Within
    a unit the innermost statement holding the edits is tried first (a statement that
    parses alone still parses in place). Only a unit that then fails, or an edit in the
    module's header or footer, costs a parse of the whole fixed file.

    Args:
        context: The module's context.
        fix: The fix.

    Returns:
        True when the fixed file parses.
    """
    positions = context.positions
    units: dict[tuple[int, int], list[TextEdit]] = {}
    for edit in fix.edits:
        span = positions.unit_span(edit.range.start.line)
        if span is None or not span[0] <= edit.range.end.line <= span[1]:
            return _parses(apply_edits(context.lines.text, fix.edits))
        units.setdefault(span, []).append(edit)
    if all(_unit_parses(context, span, edits) for span, edits in units.items()):
        return True
    return _parses(apply_edits(context.lines.text, fix.edits))


def _unit_parses(context: RuleContext, span: tuple[int, int], edits: list[TextEdit]) -> bool:
    """Tell whether the unit of lines ``span`` parses with ``edits`` applied."""
    first_line, last_line = span
    lines = context.lines
    region = lines.text[lines.offset(first_line, 0) : lines.offset(last_line + 1, 0)]
    shifted = [TextEdit(e.range.moved(-first_line), e.content) for e in edits]
    # Several fixes of one check may edit the same unit: its tree is built once.
    tree = context.memo((_unit_parses, span), lambda: syntax.cpython_tree(_dedented(region)))
    if tree is not None:
        first = min(e.range.start.line for e in shifted) + 1
        last = max(e.range.end.line for e in shifted) + 1
        statement = _innermost_ast_statement(tree, first, last)
        if statement is not None and statement not in tree.body:
            start = _first_line_of(statement) - 1
            end = (statement.end_lineno or statement.lineno) - 1
            index = LineIndex(region)
            inner = region[index.offset(start, 0) : index.offset(end + 1, 0)]
            moved = [TextEdit(e.range.moved(-start), e.content) for e in shifted]
            fixed = _dedented(apply_edits(inner, moved))
            if fixed.startswith("elif"):
                # ``ast`` gives an ``elif`` branch as an ``If`` of its own, whose lines
                # start with ``elif``: as ``if`` it parses alone.
                fixed = fixed[2:]
            if _parses(fixed):
                return True
    # The judge also accepts syntax newer than the interpreter (CPython rejected the
    # unit, libcst decides), as it did for the unfixed text.
    return _parses(_dedented(apply_edits(region, shifted)))


def _first_line_of(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return decorators[0].lineno if decorators else statement.lineno


def _covering_child(node: ast.AST, first: int, last: int) -> ast.AST | None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            start = _first_line_of(child)
        elif isinstance(child, (ast.excepthandler, ast.match_case)):
            start = _case_line(child)
        else:
            continue
        end = getattr(child, "end_lineno", None) or _last_line(child)
        if start <= first and end >= last:
            return child
    return None


def _innermost_ast_statement(tree: ast.Module, first: int, last: int) -> ast.stmt | None:
    """Return the deepest statement whose lines (1-based) cover ``first..last``."""
    best: ast.stmt | None = None
    node: ast.AST | None = _covering_child(tree, first, last)
    while node is not None:
        if isinstance(node, ast.stmt):
            best = node
        node = _covering_child(node, first, last)
    return best


def _case_line(node: ast.AST) -> int:
    pattern = getattr(node, "pattern", None)
    return pattern.lineno if pattern is not None else node.lineno  # type: ignore[attr-defined]


def _last_line(node: ast.AST) -> int:
    body = getattr(node, "body", None)
    return body[-1].end_lineno if body else 0  # type: ignore[no-any-return]


def _dedented(text: str) -> str:
    # The indentation of the first line holding code: leading blank lines have none.
    code = text.lstrip(" \t\r\n")
    start = text.rfind("\n", 0, len(text) - len(code)) + 1
    indent = text[start : len(text) - len(code)]
    if not indent:
        return text
    return "".join(
        line[len(indent) :] if line.startswith(indent) else line
        for line in text.splitlines(keepends=True)
    )


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits to ``text``.

    Args:
        text: The original text.
        edits: Edits in any order; their ranges refer to ``text``.

    Returns:
        The edited text.
    """
    index = LineIndex(text)
    pieces = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: e.range):
        start = index.offset(edit.range.start.line, edit.range.start.column)
        end = index.offset(edit.range.end.line, edit.range.end.column)
        if start < cursor:
            continue  # overlapping edit: skipped, the next run will offer it again
        pieces.append(text[cursor:start])
        pieces.append(edit.content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def select_fixes(findings: Sequence[Finding], unsafe: bool) -> list[Fix]:
    """Choose a conflict-free set of fixes to apply together.

    Args:
        findings: Findings of one file.
        unsafe: Whether unsafe fixes are allowed.

    Returns:
        Fixes whose edits do not overlap, in file order.
    """
    chosen: list[Fix] = []
    taken: list[Range] = []
    for finding in sorted(findings, key=Finding.sort_key):
        fix = finding.fix
        if fix is None or (fix.applicability is Applicability.UNSAFE and not unsafe):
            continue
        if any(_overlaps(edit.range, other) for edit in fix.edits for other in taken):
            continue
        chosen.append(fix)
        taken.extend(edit.range for edit in fix.edits)
    return chosen


def _overlaps(a: Range, b: Range) -> bool:
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end or a.start == b.start

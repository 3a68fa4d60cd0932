"""Positions computed only for the statements that need them.

libcst's ``PositionProvider`` re-renders the whole module with bookkeeping, which costs
2–3 parses. Most nodes are never reported, so precepts resolves positions one top-level
statement at a time: ``PositionProvider`` on a module holding just that statement (with
the real module's indentation and newline defaults), shifted by the statement's first
line. A test proves the result equals ``PositionProvider`` on the whole module.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from precepts.findings import Range
from precepts.text import count_line_breaks


def resolve_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Run ``PositionProvider``'s code generation alone, without its metadata visit.

    ``MetadataWrapper.resolve`` also walks the tree with a (node-rebuilding) batched
    visitor, which costs almost as much as the code generation itself and is not needed
    here. The positions are the provider's own; a test compares them with it.
    """
    try:
        provider = PositionProvider()
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            provider=provider,
        )
        module._codegen(state)
        return provider._computed
    except (AttributeError, TypeError):  # a libcst whose internals moved: the public way
        return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


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

    def __init__(
        self,
        module: cst.Module,
        paths: Mapping[int, tuple[cst.CSTNode, ...]] | None = None,
        ast_module: Callable[[], ast.Module] | None = None,
    ) -> None:
        """Prepare to resolve positions in ``module``.

        Args:
            module: The parsed module.
            paths: ``id(node)`` → the node's ancestors (from the module down), as the walker
                saw them when a rule reported the node. With a path, only the innermost
                statement holding the node is rendered (see :meth:`_pruned_map`).
            ast_module: Returns the ``ast`` tree of the same text; its line numbers place a
                rendered statement without rendering what comes before it.
        """
        self.module = module
        self.paths = paths if paths is not None else {}
        self._ast_module = ast_module
        self._block_lines: dict[int, tuple[cst.IndentedBlock, list[int]]] = {}
        self._pruned: dict[
            tuple[int, bool], tuple[cst.CSTNode, Mapping[cst.CSTNode, CodeRange], int]
        ] = {}
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
            cached = resolve_positions(alone)
            self._maps[index] = cached
        return cached

    def range_of(
        self, node: cst.CSTNode, hint: int = -1, path: tuple[cst.CSTNode, ...] | None = None
    ) -> Range:
        """Return the range of ``node``.

        Args:
            node: A node of the module (or the module itself).
            hint: The index of the top-level statement that probably holds it.
            path: The node's ancestors from the module down, when known.

        Returns:
            The 0-based range in code points.

        Raises:
            KeyError: When the node is not part of this module.
        """
        if node is self.module:
            return Range.of(0, 0, 0, 0)
        path = path if path is not None else self.paths.get(id(node))
        if path and path[0] is self.module:
            found = self._range_by_path(node, path)
            if found is not None:
                return found
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

    def _range_by_path(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...]) -> Range | None:
        chain = _completed((*path, node))
        innermost = _innermost_statement(chain)
        if innermost < 1:
            return None
        for outer in chain[1 : innermost + 1]:
            # A statement above already rendered whole places every node inside it.
            done = self._pruned.get((id(outer), False))
            if done is not None and done[0] is outer and node in done[1]:
                return _shifted(done[1][node], done[2] - 1)
        statement = chain[innermost]
        # Placing a header node needs no body: such renders are cached apart.
        key = (id(statement), _without_body(chain, innermost) is not statement)
        cached = self._pruned.get(key)
        if cached is None or cached[0] is not statement:
            try:
                cached = (statement, *self._pruned_map(chain, innermost))
            except (KeyError, ValueError):  # not a real path to the node: resolve without it
                return None
            self._pruned[key] = cached
        _, mapping, removed = cached
        code_range = mapping.get(node)
        return None if code_range is None else _shifted(code_range, removed - 1)

    def _pruned_map(
        self, chain: tuple[cst.CSTNode, ...], innermost: int
    ) -> tuple[Mapping[cst.CSTNode, CodeRange], int]:
        """Render only the statement ``chain[innermost]`` inside its enclosing headers.

        Every indented block on the way down keeps just the child on the path, so the
        statement keeps its real indentation (exact columns) and only lines before it are
        dropped: the header, earlier top-level statements and earlier siblings. Their line
        count is the offset back to real lines.
        """
        top_index = self.module.body.index(chain[1])  # type: ignore[arg-type]
        real_line = self._real_line(chain, innermost)
        removed = self.first_line(top_index) if real_line is None else 0
        target = _without_body(chain, innermost)
        new: cst.CSTNode = target
        for depth in range(innermost - 1, 0, -1):
            ancestor, child = chain[depth], chain[depth + 1]
            if isinstance(ancestor, cst.IndentedBlock):
                if real_line is None:
                    removed += self._lines_before(ancestor, child)
                new = ancestor.with_changes(body=[new])
            else:
                new = _replace_child(ancestor, child, new)
        alone = self.module.with_changes(
            body=[new], header=(), footer=(), has_trailing_newline=True
        )
        mapping = resolve_positions(alone)
        if real_line is not None:
            # Both lines are where the statement's own code starts (after its comments).
            removed = real_line - mapping[target].start.line
        return mapping, removed

    def _real_line(self, chain: tuple[cst.CSTNode, ...], innermost: int) -> int | None:
        """Return the 1-based line of ``chain[innermost]`` from the ``ast`` tree, if it aligns."""
        if self._ast_module is None:
            return None
        try:
            return _ast_line(chain, innermost, self._ast_module())
        except (AttributeError, IndexError, KeyError, TypeError):
            return None  # an unexpected shape: count lines by rendering instead

    def _lines_before(self, block: cst.IndentedBlock, child: cst.CSTNode) -> int:
        cached = self._block_lines.get(id(block))
        if cached is None or cached[0] is not block:
            counts = [0]
            for statement in block.body:
                counts.append(counts[-1] + count_line_breaks(self.module.code_for_node(statement)))
            cached = (block, counts)
            self._block_lines[id(block)] = cached
        for index, statement in enumerate(block.body):
            if statement is child:
                return cached[1][index]
        raise KeyError("the statement is not in this block")

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
            cached = resolve_positions(edge)
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


def _innermost_statement(chain: tuple[cst.CSTNode, ...]) -> int:
    """Return the index in ``chain`` of the deepest statement of a module or block body."""
    innermost = -1
    for index in range(1, len(chain)):
        parent, child = chain[index - 1], chain[index]
        if isinstance(parent, (cst.Module, cst.IndentedBlock)) and isinstance(
            child, cst.BaseStatement
        ):
            innermost = index
    return innermost


def _replace_child(parent: cst.CSTNode, old: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    """Return ``parent`` with the field (or list item) holding ``old`` set to ``new``."""
    for name in parent.__dataclass_fields__:
        value = getattr(parent, name)
        if value is old:
            return parent.with_changes(**{name: new})
        if isinstance(value, (list, tuple)) and any(item is old for item in value):
            items = [new if item is old else item for item in value]
            return parent.with_changes(**{name: items})
    raise KeyError("the path does not lead through this node")


def _completed(chain: tuple[cst.CSTNode, ...]) -> tuple[cst.CSTNode, ...]:
    """Insert the block between a compound statement and a statement of its body.

    Rules often ask, while visiting a function, for a statement of its body: the walker's
    path then ends at the function, one block short of the statement.
    """
    if len(chain) < 2:
        return chain
    parent, node = chain[-2], chain[-1]
    block = getattr(parent, "body", None)
    if (
        isinstance(node, cst.BaseStatement)
        and isinstance(block, cst.IndentedBlock)
        and any(statement is node for statement in block.body)
    ):
        return (*chain[:-1], block, node)
    return chain


_STAND_IN_BODY = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


def _without_body(chain: tuple[cst.CSTNode, ...], innermost: int) -> cst.CSTNode:
    """Return the innermost statement, with its body replaced when the node is outside it.

    A function's name, parameters or decorators do not move when its body changes, so
    a long body need not be rendered to place them.
    """
    statement = chain[innermost]
    if innermost + 1 >= len(chain):
        return statement
    child = chain[innermost + 1]
    body = getattr(statement, "body", None)
    if not isinstance(body, cst.IndentedBlock) or child is body:
        return statement
    return (
        statement.with_changes(body=_STAND_IN_BODY)
        if _is_header_of(statement, child)
        else statement
    )


# Fields that come before a compound statement's body in the source: their positions do
# not depend on the body (``orelse``, ``handlers`` and ``finalbody`` come after it).
_HEADER_FIELDS = (
    "leading_lines",
    "decorators",
    "name",
    "type_parameters",
    "params",
    "returns",
    "bases",
    "keywords",
    "test",
    "target",
    "iter",
    "items",
)


def _is_header_of(parent: cst.CSTNode, child: cst.CSTNode) -> bool:
    for name in _HEADER_FIELDS:
        value = getattr(parent, name, None)
        if value is child:
            return True
        if isinstance(value, (list, tuple)) and any(item is child for item in value):
            return True
    return False


def _block_index(items: Sequence[cst.CSTNode], statement: cst.CSTNode) -> int:
    """Return the index in the ``ast`` body of a libcst statement of a block body."""
    index = 0
    for item in items:
        if item is statement:
            return index
        index += len(item.body) if isinstance(item, cst.SimpleStatementLine) else 1
    raise KeyError("the statement is not in this block")


def _ast_line(chain: tuple[cst.CSTNode, ...], innermost: int, tree: ast.Module) -> int:
    """Follow ``chain`` through the ``ast`` tree to the line of ``chain[innermost]``."""
    statements: Sequence[cst.CSTNode] = chain[0].body  # type: ignore[attr-defined]
    body: list[ast.stmt] = tree.body
    current: ast.AST = tree
    for depth in range(1, innermost + 1):
        node, parent = chain[depth], chain[depth - 1]
        if isinstance(parent, (cst.Module, cst.IndentedBlock)):
            current = body[_block_index(statements, node)]
            if depth == innermost:
                return current.lineno  # type: ignore[attr-defined]
        elif isinstance(node, cst.IndentedBlock):
            statements = node.body
            body = _ast_body_for(parent, current)
        elif isinstance(node, cst.ExceptHandler):
            current = current.handlers[list(parent.handlers).index(node)]  # type: ignore[attr-defined]
        elif isinstance(node, cst.MatchCase):
            current = current.cases[list(parent.cases).index(node)]  # type: ignore[attr-defined]
        elif isinstance(node, cst.If) and isinstance(parent, cst.If):
            current = current.orelse[0]  # type: ignore[attr-defined]
    raise KeyError("the chain does not end at a statement")


def _ast_body_for(owner: cst.CSTNode, current: ast.AST) -> list[ast.stmt]:
    if isinstance(owner, cst.Else):
        return current.orelse  # type: ignore[attr-defined]
    if isinstance(owner, cst.Finally):
        return current.finalbody  # type: ignore[attr-defined]
    return current.body  # type: ignore[attr-defined]

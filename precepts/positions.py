"""Positions computed only for the statements that need them.

libcst's ``PositionProvider`` re-renders the whole module with bookkeeping, which costs
2–3 parses. Most nodes are never reported, so precepts resolves positions one top-level
statement at a time: ``PositionProvider`` on a module holding just that statement (with
the real module's indentation and newline defaults), shifted by the statement's first
line. A test proves the result equals ``PositionProvider`` on the whole module.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from precepts.findings import Position, Range
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

    def unit_span(self, line: int) -> tuple[int, int] | None:
        """Return the smallest known run of whole lines around ``line`` that parses alone.

        That is a top-level statement, or a statement of a class body the positions
        keep apart (dedented); None in the module's header or footer.
        """
        ...


class PositionResolver:
    """Resolves node ranges of one module lazily, statement by statement."""

    def __init__(
        self,
        module: cst.Module,
        paths: Mapping[int, tuple[cst.CSTNode, ...]] | None = None,
        ast_module: Callable[[], ast.Module | None] | None = None,
        line_text: Callable[[int], str] | None = None,
    ) -> None:
        """Prepare to resolve positions in ``module``.

        Args:
            module: The parsed module.
            paths: ``id(node)`` → the node's ancestors (from the module down), as the walker
                saw them when a rule reported the node. With a path, only the innermost
                statement holding the node is rendered (see :meth:`_pruned_map`).
            ast_module: Returns the ``ast`` tree of the same text (None when the running
                interpreter cannot parse it: then statements are rendered); its line numbers place a
                rendered statement without rendering what comes before it.
            line_text: Returns the text of a 0-based line (with ``ast_module``, it places
                statements and clauses without rendering them: see :meth:`start_of`).
        """
        self.module = module
        self.paths = paths if paths is not None else {}
        self._ast_module = ast_module
        self._line_text = line_text
        self._block_lines: dict[int, tuple[cst.IndentedBlock, list[int]]] = {}
        self._pruned: dict[
            tuple[int, bool], tuple[cst.CSTNode, Mapping[cst.CSTNode, CodeRange], int]
        ] = {}
        self._first_lines: list[int] = []  # 0-based first line of each top-level statement
        self._next_line = count_line_breaks(
            "".join(module.code_for_node(line) for line in module.header)
        )
        self._maps: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}

    def _tree(self) -> ast.Module | None:
        """CPython's tree of the module, when there is one to place statements by."""
        return self._ast_module() if self._ast_module is not None else None

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
            found = self._name_range(node, path) or self._range_by_path(node, path)
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

    def start_of(
        self, node: cst.CSTNode, hint: int = -1, path: tuple[cst.CSTNode, ...] | None = None
    ) -> Position:
        """Return where ``node`` starts.

        A statement or clause that the ``ast`` tree also has (``if``, ``elif``, ``for``,
        ``while``, ``try``, ``except``, ``with``, a simple statement…) starts where
        ``ast`` says, so a long compound statement is placed without rendering it.
        Anything else is resolved by :meth:`range_of`.

        Args:
            node: A node of the module.
            hint: The index of the top-level statement that probably holds it.
            path: The node's ancestors from the module down, when known.

        Returns:
            The 0-based start in code points.
        """
        path = path if path is not None else self.paths.get(id(node))
        found = self._ast_start_of(node, path)
        return found if found is not None else self.range_of(node, hint, path).start

    def _ast_start_of(
        self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None
    ) -> Position | None:
        """Place a statement or clause by the ``ast`` tree, or return None."""
        if not (
            isinstance(node, (*_AST_PLACED, cst.Else))
            and path
            and path[0] is self.module
            and self._line_text is not None
        ):
            return None
        tree = self._tree()
        if tree is None:
            return None
        try:
            found = _ast_start(_completed((*path, node)), tree)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            return None  # an unexpected shape: render instead
        if found is None:
            return None
        line, offset = found
        prefix = self._line_text(line).encode("utf-8")[:offset]
        return Position(line, len(prefix.decode("utf-8", errors="replace")))

    def _name_range(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...]) -> Range | None:
        """Place the name of a ``def`` or ``class`` from where its keyword starts.

        Rules report on names most of all (complexity, naming, hints, docstrings); the
        name follows the keyword on the same line, so no rendering is needed.
        """
        owner = path[-1]
        if not isinstance(owner, (cst.FunctionDef, cst.ClassDef)) or owner.name is not node:
            return None
        if isinstance(owner, cst.FunctionDef):
            gap = "def" + owner.whitespace_after_def.value
            if owner.asynchronous is not None:
                gap = "async" + owner.asynchronous.whitespace_after.value + gap
        else:
            gap = "class" + owner.whitespace_after_class.value
        if "\\" in gap:
            return None  # a line continuation between keyword and name
        start = self._ast_start_of(owner, path[:-1])
        if start is None:
            return None
        column = start.column + len(gap)
        return Range.of(start.line, column, start.line, column + len(owner.name.value))

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
            except (KeyError, ValueError, cst.CSTValidationError):
                # Not a real path to the node, or a shape the pruning cannot rebuild:
                # resolve without it.
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
                field = _field_holding(ancestor, child)
                new = _replace_child(ancestor, field, child, new)
                if real_line is not None:
                    # The statement is anchored by its ``ast`` line: the branches beside
                    # the path need not be rendered.
                    new = _header_stubbed(_branches_cut(new, field))
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
        tree = self._tree()
        if tree is None:
            return None
        try:
            return _ast_node(chain, innermost, tree).lineno  # type: ignore[attr-defined, no-any-return]
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
        if not body:
            return -1
        # Lay statements out only as far as the line (each is laid out once per check).
        while len(self._first_lines) < len(body) and self._next_line <= line:
            self.first_line(len(self._first_lines))
        index = bisect_right(self._first_lines, line) - 1
        if index < 0:
            return -1
        first, last = self.statement_span(index)
        return index if first <= line <= last else -1

    def unit_span(self, line: int) -> tuple[int, int] | None:
        """Return the top-level statement's lines around ``line`` (see :class:`Positions`).

        Args:
            line: A 0-based line.

        Returns:
            (first, last), inclusive, or None in the header or footer.
        """
        index = self.statement_index_of(line)
        return None if index < 0 else self.statement_span(index)


def _shifted(code_range: CodeRange, offset: int) -> Range:
    return Range.of(
        code_range.start.line + offset,
        code_range.start.column,
        code_range.end.line + offset,
        code_range.end.column,
    )


def _innermost_statement(chain: tuple[cst.CSTNode, ...]) -> int:
    """Return the index in ``chain`` of the deepest statement of a body, or ``elif`` branch.

    An ``elif`` counts as a statement of its own: ``ast`` places it, so the branches
    before it need not be rendered to place what it holds.
    """
    innermost = -1
    for index in range(1, len(chain)):
        parent, child = chain[index - 1], chain[index]
        if isinstance(parent, (cst.Module, cst.IndentedBlock)) and isinstance(
            child, cst.BaseStatement
        ):
            innermost = index
        elif (
            innermost > 0 and isinstance(child, cst.If) and getattr(parent, "orelse", None) is child
        ):
            innermost = index
    return innermost


def _field_holding(parent: cst.CSTNode, child: cst.CSTNode) -> str:
    """Return the name of the field of ``parent`` that holds ``child`` (or a list of it)."""
    for name in parent.__dataclass_fields__:
        value = getattr(parent, name)
        if value is child or (
            isinstance(value, (list, tuple)) and any(item is child for item in value)
        ):
            return name
    raise KeyError("the path does not lead through this node")


def _branches_cut(statement: cst.CSTNode, keep: str) -> cst.CSTNode:
    """Stand in for the suites of a compound statement that ``keep`` does not lead to.

    ``keep`` names the field on the path (``body``, ``orelse``, ``handlers``…); any
    other name, such as a header field, keeps neither the body nor the ``else``.
    """
    changes: dict[str, object] = {}
    if keep != "body" and isinstance(getattr(statement, "body", None), cst.BaseSuite):
        changes["body"] = _STAND_IN_BODY
    if keep != "orelse" and isinstance(statement, (cst.If, cst.For, cst.While)):
        changes["orelse"] = None  # ``try`` keeps its ``else``: it needs a handler to stand
    return statement.with_changes(**changes) if changes else statement


# Parenthesized, so that it stands in after a keyword written without a space (``if(x):``).
_STAND_IN_NAME = cst.Name("_", lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _header_stubbed(statement: cst.CSTNode) -> cst.CSTNode:
    """Return an enclosing statement with a minimal header (decorators, parameters…).

    The statement only carries the path down to the node being placed: its body keeps
    its indentation (the columns), and the lines it loses are restored from the ``ast``
    line of the innermost statement. A long signature is no longer rendered for every
    node placed inside the function.
    """
    if isinstance(statement, cst.FunctionDef):
        return statement.with_changes(
            decorators=(), params=cst.Parameters(), returns=None, type_parameters=None
        )
    if isinstance(statement, cst.ClassDef):
        return statement.with_changes(decorators=(), bases=(), keywords=(), type_parameters=None)
    if isinstance(statement, (cst.If, cst.While)):
        return statement.with_changes(test=_STAND_IN_NAME)
    if isinstance(statement, cst.For):
        return statement.with_changes(target=_STAND_IN_NAME, iter=_STAND_IN_NAME)
    return statement


def _replace_child(
    parent: cst.CSTNode, field: str, old: cst.CSTNode, new: cst.CSTNode
) -> cst.CSTNode:
    """Return ``parent`` with ``old`` (in ``field``, alone or in a list) set to ``new``."""
    value = getattr(parent, field)
    if value is old:
        return parent.with_changes(**{field: new})
    return parent.with_changes(**{field: [new if item is old else item for item in value]})


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
    return _branches_cut(statement, keep="header") if _is_header_of(statement, child) else statement


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
    """Tell whether ``child`` is in the header of ``parent``, however deep.

    Paths recorded when a rule reports may skip levels (a parameter's name under the
    function the rule was visiting), so the header's subtrees are searched; headers are
    small next to the bodies this saves rendering.
    """
    pending: list[object] = [getattr(parent, name, None) for name in _HEADER_FIELDS]
    while pending:
        value = pending.pop()
        if value is child:
            return True
        if isinstance(value, (list, tuple)):
            pending.extend(value)
        elif isinstance(value, cst.CSTNode) and not isinstance(value, cst.BaseSuite):
            pending.extend(getattr(value, name) for name in value.__dataclass_fields__)
    return False


def _block_index(items: Sequence[cst.CSTNode], statement: cst.CSTNode) -> int:
    """Return the index in the ``ast`` body of a libcst statement of a block body."""
    index = 0
    for item in items:
        if item is statement:
            return index
        index += len(item.body) if isinstance(item, cst.SimpleStatementLine) else 1
    raise KeyError("the statement is not in this block")


# Nodes whose libcst start is their ``ast`` counterpart's ``lineno``/``col_offset``: the
# first keyword (``def``/``class``/``async`` after any decorators, as in libcst), or the
# first small statement after the indentation. ``else``/``finally`` have no ``ast`` node.
_AST_PLACED = (
    cst.SimpleStatementLine,
    cst.FunctionDef,
    cst.ClassDef,
    cst.If,
    cst.For,
    cst.While,
    cst.Try,
    cst.TryStar,
    cst.With,
    cst.Match,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
)


def _ast_start(chain: tuple[cst.CSTNode, ...], tree: ast.Module) -> tuple[int, int] | None:
    """Return the 0-based line and UTF-8 column where ``chain[-1]`` starts, by ``ast``.

    An ``else`` clause has no ``ast`` node: it sits at its statement's column, on the
    line above its first statement's leading lines (or on that statement's line when
    the clause is written on one line).
    """
    node = chain[-1]
    if not isinstance(node, cst.Else):
        located = _ast_node(chain, len(chain) - 1, tree)
        return located.lineno - 1, located.col_offset  # type: ignore[attr-defined]
    owner = _ast_node(chain, len(chain) - 2, tree)
    first = owner.orelse[0]  # type: ignore[attr-defined]
    decorators = getattr(first, "decorator_list", None)
    line = (decorators[0] if decorators else first).lineno - 1
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        statement = body.body[0]
        if getattr(statement, "decorators", ()) and statement.decorators[0].leading_lines:  # type: ignore[attr-defined]
            return None  # comments between decorators: not worth counting here
        line -= len(getattr(statement, "leading_lines", ())) + 1
    return line, owner.col_offset  # type: ignore[attr-defined]


def _ast_node(chain: tuple[cst.CSTNode, ...], upto: int, tree: ast.Module) -> ast.AST:
    """Follow ``chain`` through the ``ast`` tree to the counterpart of ``chain[upto]``.

    ``chain[upto]`` is a statement of a body, an ``except`` handler, a ``case`` or an
    ``elif`` branch; a statement stands for the first small statement of its line.
    """
    statements: Sequence[cst.CSTNode] = chain[0].body  # type: ignore[attr-defined]
    body: list[ast.stmt] = tree.body
    current: ast.AST = tree
    for depth in range(1, upto + 1):
        node, parent = chain[depth], chain[depth - 1]
        if isinstance(parent, (cst.Module, cst.IndentedBlock)):
            current = body[_block_index(statements, node)]
        elif isinstance(node, cst.IndentedBlock):
            if getattr(parent, "body", None) is not node:
                raise KeyError("the chain skips a level")
            statements = node.body
            body = _ast_body_for(parent, current)
            continue
        else:
            clause = _ast_clause(parent, node, current)
            if clause is None:
                continue  # ``else``/``finally``: the block below picks the ``ast`` list
            current = clause
        if depth == upto:
            return current
    raise KeyError("the chain does not end at a statement or clause")


def _ast_clause(parent: cst.CSTNode, node: cst.CSTNode, current: ast.AST) -> ast.AST | None:
    """Return the ``ast`` node of a clause of ``parent`` (None for ``else``/``finally``)."""
    if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
        return current.handlers[list(parent.handlers).index(node)]  # type: ignore[attr-defined, no-any-return]
    if isinstance(node, cst.MatchCase):
        return current.cases[list(parent.cases).index(node)]  # type: ignore[attr-defined, no-any-return]
    if isinstance(node, cst.If) and getattr(parent, "orelse", None) is node:
        return current.orelse[0]  # type: ignore[attr-defined, no-any-return]
    if node is getattr(parent, "orelse", None) or node is getattr(parent, "finalbody", None):
        return None
    # Paths recorded by rules may skip levels: following one would be a guess.
    raise KeyError("the chain skips a level")


def _ast_body_for(owner: cst.CSTNode, current: ast.AST) -> list[ast.stmt]:
    if isinstance(owner, cst.Else):
        return current.orelse  # type: ignore[attr-defined]
    if isinstance(owner, cst.Finally):
        return current.finalbody  # type: ignore[attr-defined]
    return current.body  # type: ignore[attr-defined]

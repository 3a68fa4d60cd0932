"""BP101 cognitive-complexity: functions harder to follow than the limit allows.

The score follows SonarSource's Cognitive Complexity white paper (G. Ann Campbell,
2017): +1 for each break in the linear flow, plus the nesting level for structures that
nest, plus one per sequence of like boolean operators and per recursive call. It is
counted in the engine's single traversal: a frame is opened on an outermost ``def`` and
every ``visit_*`` / ``leave_*`` event adds to it, so no function subtree is walked twice.
:func:`function_metrics` drives the same counter over one function for the hover.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import libcst as cst
from radon.complexity import cc_visit
from radon.metrics import mi_rank, mi_visit

from precepts.findings import Position, Range
from precepts.rule import Example, Option, Related, Rule
from precepts.walker import Walker

# The body of these nodes sits one nesting level deeper than the node (B2).
_NESTING_OWNERS = (
    cst.If,
    cst.Else,
    cst.For,
    cst.While,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.MatchCase,
)
# Nodes whose range starts with the keyword that costs.
_KEYWORD_NODES = (*_NESTING_OWNERS[:-1], cst.Match)
_RECEIVERS = frozenset({"self", "cls"})


@dataclass(frozen=True)
class Increment:
    """One addition to a function's cognitive complexity.

    Attributes:
        node: The node that costs: the statement of a keyword (``if``, ``for``, ``else``…),
            the ``IfExp`` of a ternary, the ``And``/``Or`` operator, or the called
            expression of a recursive call.
        keyword: What the reader sees (``if``, ``elif``, ``and``, ``recursion``…).
        nesting: The nesting part of the increment (0 for flat increments).
        path: The walker's path to (or just above) ``node`` when it was counted, so that
            placing the increment later renders as little as possible.
    """

    node: cst.CSTNode
    keyword: str
    nesting: int = 0
    path: tuple[cst.CSTNode, ...] = field(default=(), compare=False, repr=False)

    @property
    def points(self) -> int:
        """The increment's value: 1 plus the nesting part."""
        return 1 + self.nesting

    @property
    def label(self) -> str:
        """The text of the related location: ``+1`` or ``+3 (nesting 2)``."""
        if self.nesting:
            return f"+{self.points} (nesting {self.nesting})"
        return "+1"


@dataclass(frozen=True)
class FunctionMetrics:
    """What the hover shows for a function.

    Attributes:
        name: The function's name.
        cognitive: Its cognitive complexity.
        increments: Each increment, in source order.
        cyclomatic: radon's cyclomatic complexity (None: not measured, see
            :func:`radon_metrics`).
        maintainability: radon's maintainability index (0–100, higher is better).
        maintainability_rank: radon's rank of that index (``A``, ``B`` or ``C``).
    """

    name: str
    cognitive: int
    increments: tuple[Increment, ...]
    cyclomatic: int | None
    maintainability: float | None
    maintainability_rank: str | None


@dataclass
class _Frame:
    """The increments of one outermost function, collected while it is walked."""

    node: cst.FunctionDef
    increments: list[Increment] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(increment.points for increment in self.increments)


class _CognitiveCounter(cst.BatchableCSTVisitor):
    """Counts cognitive complexity from traversal events (shared by the rule and the hover).

    Subclasses provide ``context`` (anything with the walker's ``ancestors`` list) and
    receive each finished outermost function in :meth:`_finished`.
    """

    context: object
    _root: _Frame | None = None
    _nesting = 0

    def _finished(self, frame: _Frame) -> None:
        """Receive the counted frame of an outermost function (overridden)."""

    @property
    def _ancestors(self) -> list[cst.CSTNode]:
        return self.context.ancestors  # type: ignore[attr-defined, no-any-return]

    def _in_class_body(self) -> bool:
        # While a def is visited its parent is the class's IndentedBlock.
        ancestors = self._ancestors
        return len(ancestors) >= 2 and isinstance(ancestors[-2], cst.ClassDef)

    def _add(
        self,
        node: cst.CSTNode,
        keyword: str,
        *,
        nested: bool = True,
        visiting: cst.CSTNode | None = None,
    ) -> None:
        """Count ``node``; ``visiting`` is the node being visited when it is not ``node``."""
        assert self._root is not None
        path = (*self._ancestors, visiting) if visiting is not None else tuple(self._ancestors)
        nesting = self._nesting if nested else 0
        self._root.increments.append(Increment(node, keyword, nesting, path))

    # Functions, classes and blocks: where frames open and nesting changes.

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Open a frame on an outermost function; remember every def for recursion."""
        if self._root is None:
            self._root = _Frame(node)
            self._nesting = 0
            self._saved: list[int] = []
            self._defs: list[tuple[str, bool]] = []
        self._defs.append((node.name.value, self._in_class_body()))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Close the frame when its outermost function ends."""
        if self._root is None:
            return
        self._defs.pop()
        if self._root.node is node:
            frame, self._root = self._root, None
            self._finished(frame)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        """Enter a block: its nesting depends on the statement that owns it."""
        self._enter_block()

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        """Leave a block, restoring the nesting of its owner."""
        self._leave_block()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        """Enter a one-line block (``if x: return``)."""
        self._enter_block()

    def leave_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        """Leave a one-line block."""
        self._leave_block()

    def _enter_block(self) -> None:
        if self._root is None:
            return
        self._saved.append(self._nesting)
        self._nesting = self._block_nesting(self._ancestors[-1])

    def _leave_block(self) -> None:
        if self._root is not None:
            self._nesting = self._saved.pop()

    def _block_nesting(self, owner: cst.CSTNode) -> int:
        if isinstance(owner, _NESTING_OWNERS):
            return self._nesting + 1
        if isinstance(owner, cst.ClassDef):
            return 0  # a class starts afresh, even inside a function
        if isinstance(owner, cst.FunctionDef):
            # The reported function and methods start at 0; a nested def is one level in.
            assert self._root is not None
            is_method = self._defs[-1][1]
            return 0 if owner is self._root.node or is_method else self._nesting + 1
        return self._nesting  # try, finally, with: no nesting (white paper)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        """A lambda's body is one level deeper (it is a nested function)."""
        if self._root is not None:
            self._nesting += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        """Leave a lambda."""
        if self._root is not None:
            self._nesting -= 1

    # Increments.

    def visit_If(self, node: cst.If) -> None:
        """``if`` costs 1 + nesting; ``elif`` (an ``If`` in ``orelse``) costs 1."""
        if self._root is None:
            return
        parent = self._ancestors[-1]
        if isinstance(parent, cst.If) and parent.orelse is node:
            self._add(node, "elif", nested=False)
        else:
            self._add(node, "if")

    def visit_Else(self, node: cst.Else) -> None:
        """``else`` of an ``if``, a loop or a ``try`` costs 1."""
        if self._root is not None:
            self._add(node, "else", nested=False)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        """A ternary costs 1 + nesting and nests what it contains."""
        if self._root is not None:
            self._add(node, "if")
            self._nesting += 1

    def leave_IfExp(self, node: cst.IfExp) -> None:
        """Leave a ternary."""
        if self._root is not None:
            self._nesting -= 1

    def visit_For(self, node: cst.For) -> None:
        """``for`` and ``async for`` cost 1 + nesting."""
        if self._root is not None:
            self._add(node, "async for" if node.asynchronous else "for")

    def visit_While(self, node: cst.While) -> None:
        """``while`` costs 1 + nesting."""
        if self._root is not None:
            self._add(node, "while")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        """``except`` costs 1 + nesting."""
        if self._root is not None:
            self._add(node, "except")

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        """``except*`` costs 1 + nesting."""
        if self._root is not None:
            self._add(node, "except")

    def visit_Match(self, node: cst.Match) -> None:
        """A whole ``match`` costs 1 + nesting once, like a ``switch``."""
        if self._root is not None:
            self._add(node, "match")

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        """The first operator of a chain costs 1, and so does each change of operator."""
        if self._root is None or isinstance(self._ancestors[-1], cst.BooleanOperation):
            return  # an inner link of a chain counted from its outermost operation
        previous: type | None = None
        for operator in _chain_operators(node):
            if type(operator) is not previous:
                keyword = "and" if isinstance(operator, cst.And) else "or"
                self._add(operator, keyword, nested=False, visiting=node)
                previous = type(operator)

    def visit_Call(self, node: cst.Call) -> None:
        """A direct call of the enclosing function (``f()``, ``self.f()``) costs 1."""
        if self._root is None:
            return
        name, is_method = self._defs[-1]
        func = node.func
        if is_method:
            recursive = (
                isinstance(func, cst.Attribute)
                and func.attr.value == name
                and isinstance(func.value, cst.Name)
                and func.value.value in _RECEIVERS
            )
        else:
            recursive = isinstance(func, cst.Name) and func.value == name
        if recursive:
            self._add(func, "recursion", nested=False, visiting=node)


def _chain_operators(node: cst.BooleanOperation) -> list[cst.BaseBooleanOp]:
    """Return the operators of a flattened ``and``/``or`` chain in source order.

    Parentheses do not break the chain (``a and (b and c)`` is one sequence); ``not``
    and any other expression do. Only the chain's own operations are descended.
    """
    operators: list[cst.BaseBooleanOp] = []
    pending: list[cst.BaseExpression | cst.BaseBooleanOp] = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, cst.BooleanOperation):
            # Pushed in reverse so that the left side comes out first.
            pending.extend((item.right, item.operator, item.left))
        elif isinstance(item, (cst.And, cst.Or)):
            operators.append(item)
    return operators


class _LocalContext:
    """The little a walker needs when it walks one function outside a check."""

    def __init__(self, ancestors: list[cst.CSTNode]) -> None:
        self.ancestors = ancestors
        self.current_statement = -1


class _MetricsCounter(_CognitiveCounter):
    """Counts one function for :func:`function_metrics`."""

    scope = "statement"

    def __init__(self, context: _LocalContext) -> None:
        super().__init__()
        self.context = context
        self.frame: _Frame | None = None

    def _finished(self, frame: _Frame) -> None:
        self.frame = frame


def radon_metrics(source: str) -> tuple[int | None, float | None, str | None]:
    """Measure one function's source with radon.

    radon parses with the running interpreter's ``ast``: a function written in newer
    syntax than it knows (a 3.12 f-string under 3.11) is not measured, and the cognitive
    complexity, which precepts counts on libcst's tree, stands alone.

    Args:
        source: The function's code (indented or not).

    Returns:
        Cyclomatic complexity, maintainability index and its rank (all None when the
        interpreter cannot parse the function).
    """
    code = textwrap.dedent(source)
    try:
        blocks = cc_visit(code)
    except SyntaxError:
        return None, None, None
    cyclomatic = blocks[0].complexity if blocks else 1
    maintainability = float(mi_visit(code, True))
    return cyclomatic, round(maintainability, 2), mi_rank(maintainability)


def _enclosing_class(func: cst.FunctionDef, module: cst.Module) -> cst.ClassDef | None:
    """Find the class whose body holds ``func`` directly, looking at statements only."""
    pending: list[tuple[cst.CSTNode, cst.ClassDef | None]] = [(module, None)]
    while pending:
        node, owner = pending.pop()
        for child in _statements_in(node):
            if child is func:
                return owner
            pending.append((child, child if isinstance(child, cst.ClassDef) else None))
    return None


def _statements_in(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Return the compound statements and clauses directly below a statement."""
    found: list[cst.CSTNode] = []
    for name in ("body", "orelse", "handlers", "finalbody", "cases"):
        value = getattr(node, name, None)
        if isinstance(value, cst.BaseSuite):
            value = value.body
        if isinstance(value, cst.CSTNode):
            value = [value]
        if isinstance(value, (list, tuple)):
            found.extend(
                v
                for v in value
                if not isinstance(v, (cst.SimpleStatementLine, cst.BaseSmallStatement))
            )
    return found


def function_metrics(func: cst.FunctionDef, module: cst.Module) -> FunctionMetrics:
    """Compute the hover metrics of one function (it is scored as if it were outermost).

    Args:
        func: The function.
        module: The module that holds it (for its code style and enclosing class).

    Returns:
        The function's cognitive complexity with its increments, and radon's metrics.

    Raises:
        RuntimeError: When the counter fails on this function.
    """
    owner = _enclosing_class(func, module)
    # Seeding the class and its block lets the counter see that ``func`` is a method.
    ancestors: list[cst.CSTNode] = [owner, owner.body] if owner is not None else []
    context = _LocalContext(ancestors)
    counter = _MetricsCounter(context)
    walker = Walker([counter], context)  # type: ignore[list-item, arg-type]
    walker.walk(func)
    if walker.failures or counter.frame is None:
        errors = list(walker.failures.values())
        raise RuntimeError(f"cannot count {func.name.value}") from (errors[0] if errors else None)
    cyclomatic, maintainability, rank = radon_metrics(module.code_for_node(func))
    frame = counter.frame
    return FunctionMetrics(
        func.name.value,
        frame.score,
        tuple(frame.increments),
        cyclomatic,
        maintainability,
        rank,
    )


class Locator(Protocol):
    """Places nodes: ``RuleContext`` in a check, a position table in the hover."""

    def range_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Range:
        """Return the node's range (``path``: its ancestors, when known)."""
        ...

    def start_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Position:
        """Return where the node starts."""
        ...


def increment_range(increment: Increment, locator: Locator) -> Range:
    """Return the range of an increment's keyword or operator.

    Args:
        increment: The increment.
        locator: Places nodes (``RuleContext``, for example).

    Returns:
        The keyword's range (the whole node when it cannot be narrowed).
    """
    node = increment.node
    path = increment.path or None
    if isinstance(node, cst.IfExp):
        return _ternary_keyword(node, lambda part: locator.range_of(part, path))
    if not isinstance(node, _KEYWORD_NODES):
        return locator.range_of(node, path)  # operators and recursive calls are already tight
    width = len(increment.keyword)
    if isinstance(node, cst.For) and node.asynchronous is not None:
        width = len("async") + len(node.asynchronous.whitespace_after.value) + len("for")
    # Only the keyword is shown: its start is enough, and placing a long ``if`` by its
    # start does not render its body.
    start = locator.start_of(node, path)
    return Range.of(start.line, start.column, start.line, start.column + width)


def _ternary_keyword(node: cst.IfExp, range_of: Callable[[cst.CSTNode], Range]) -> Range:
    """Locate the ``if`` of ``a if b else c``: after ``a``, its closing parens and spaces."""
    end = range_of(node.body).end
    gaps: list[cst.BaseParenthesizableWhitespace] = [
        paren.whitespace_before for paren in node.body.rpar
    ]
    gaps.append(node.whitespace_before_if)
    column = end.column + len(node.body.rpar)
    for gap in gaps:
        if not isinstance(gap, cst.SimpleWhitespace) or "\n" in gap.value:
            return range_of(node)  # the keyword is on another line: show the ternary
        column += len(gap.value)
    return Range.of(end.line, column, end.line, column + 2)


class CognitiveComplexity(_CognitiveCounter, Rule):
    """Flags functions whose cognitive complexity exceeds the limit."""

    code = "BP101"
    name = "cognitive-complexity"
    family = "python"
    section = "Core Principles"
    message = "Cognitive complexity is too high"
    summary = (
        "A function whose cognitive complexity (SonarSource's definition) is above "
        "`max-complexity` (15). The finding sits on the function's name; each increment "
        "is listed as a related location on its keyword or operator, with its value and "
        "nesting. Counted: +1 for `if`, `elif`, `else` (of an `if`, a loop or a `try`), "
        "a ternary, `for`/`async for`, `while`, `except`, a `match` (once, like a "
        "`switch`), each sequence of like boolean operators (`a and b and c or d` is +2; "
        "parentheses do not break a sequence, `not` does) and each direct recursive call "
        "(`f()`, or `self.f()`/`cls.f()` in a method). `if`, ternaries, loops, `except` "
        "and `match` also add their nesting level, which grows inside those structures, "
        "inside `case` and `else` bodies, nested functions and lambdas."
    )
    why = (
        "The standard caps cognitive complexity at 15. The score tracks how hard code is to "
        "read rather than how many paths it has: nesting costs more than sequence, so a "
        "deep pyramid of `if`s scores high while a flat series of guard clauses does not. "
        "High scores predict bugs and slow reviews; splitting the function into named "
        "helpers is the usual cure."
    )
    leaves_alone = (
        "Functions at or under the limit. `try`, `finally` and `with` add nothing (nor do "
        "they nest). Comprehensions add nothing of their own: their `for`/`if` clauses are "
        "a declarative shorthand read in one go, though ternaries and boolean sequences "
        "inside them count. Nested functions and lambdas are not reported on their own: "
        "they add to the function around them, one nesting level deeper. Methods are "
        "reported one by one, and a class body starts again at nesting 0. `break` and "
        "`continue` cost nothing (Python has no labelled jumps)."
    )
    options = {"max-complexity": Option(15, "The highest cognitive complexity allowed.")}
    bad = (
        Example(
            "def reserve_stock(orders: list[dict], stock: dict[str, int], strict: bool) -> int:\n"
            '    """Reserve stock for every line of the open orders."""\n'
            "    reserved = 0\n"
            "    for order in orders:\n"
            '        if order["cancelled"]:\n'
            "            continue\n"
            '        for line in order["lines"]:\n'
            '            if line["sku"] not in stock:\n'
            "                if strict:\n"
            "                    return -1\n"
            "                continue\n"
            '            if stock[line["sku"]] >= line["qty"] and not order["on_hold"]:\n'
            '                stock[line["sku"]] -= line["qty"]\n'
            "                reserved += 1\n"
            '            elif strict or order["partial"]:\n'
            "                return -1\n"
            "    return reserved\n",
            line=1,
        ),
    )
    good = (
        Example(
            "def can_reserve(order: dict, line: dict, stock: dict[str, int]) -> bool:\n"
            '    """Tell whether the stock can serve an order line now."""\n'
            '    return stock.get(line["sku"], 0) >= line["qty"] and not order["on_hold"]\n'
            "\n"
            "\n"
            "def reserve_stock(orders: list[dict], stock: dict[str, int], strict: bool) -> int:\n"
            '    """Reserve stock for every line of the open orders."""\n'
            "    reserved = 0\n"
            "    for order in orders:\n"
            '        if order["cancelled"]:\n'
            "            continue\n"
            '        for line in order["lines"]:\n'
            "            if can_reserve(order, line, stock):\n"
            '                stock[line["sku"]] -= line["qty"]\n'
            "                reserved += 1\n"
            '            elif strict or (order["partial"] and line["sku"] in stock):\n'
            "                return -1\n"
            "    return reserved\n"
        ),
    )

    def _finished(self, frame: _Frame) -> None:
        """Report the function when its score is over the limit."""
        limit = self.option("max-complexity")
        score = frame.score
        if score <= limit:
            return
        func = frame.node
        cyclomatic, maintainability, rank = radon_metrics(self.context.code_for(func))
        related = [
            Related(increment_range(increment, self.context), increment.label)
            for increment in frame.increments
        ]
        self.report(
            func.name,
            f"Cognitive complexity of `{func.name.value}` is {score} (limit {limit})",
            related=related,
            data={
                "cognitive": score,
                "limit": limit,
                "cyclomatic": cyclomatic,
                "maintainability": maintainability,
                "maintainability_rank": rank,
            },
        )

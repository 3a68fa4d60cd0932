"""BP104 pep8-whitespace: missing whitespace around operators, after commas and colons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst

from precepts.findings import Position, Range, TextEdit
from precepts.rule import Change, Example, InsertAfter, InsertBefore, Rule

# Binding strength of binary operators (PEP 8 lets the tighter ones go unspaced inside
# a spaced looser one: ``x*2 - 1``, ``hypot2 = x*x + y*y``).
_PRIORITY: dict[type[cst.BaseBinaryOp], int] = {
    cst.BitOr: 1,
    cst.BitXor: 2,
    cst.BitAnd: 3,
    cst.LeftShift: 4,
    cst.RightShift: 4,
    cst.Add: 5,
    cst.Subtract: 5,
    cst.Multiply: 6,
    cst.MatrixMultiply: 6,
    cst.Divide: 6,
    cst.FloorDivide: 6,
    cst.Modulo: 6,
    cst.Power: 7,
}
_SPACE = " "


def _missing(whitespace: object) -> bool:
    # A ParenthesizedWhitespace (a line break inside brackets) counts as whitespace.
    return isinstance(whitespace, cst.SimpleWhitespace) and not whitespace.value


def _gaps(operator: Any) -> tuple[bool, bool]:
    # Every operator node carries its own whitespace (the base classes do not declare it).
    return _missing(operator.whitespace_before), _missing(operator.whitespace_after)


def _priority(node: cst.BinaryOperation) -> int:
    return _PRIORITY.get(type(node.operator), 0)


def _side(before: bool, after: bool) -> str:
    if before and after:
        return "around"
    return "before" if before else "after"


class Pep8Whitespace(Rule):
    """Flags missing whitespace that PEP 8 requires."""

    code = "BP104"
    name = "pep8-whitespace"
    family = "python"
    section = "PEP 8 Compliance"
    message = "Missing whitespace"
    summary = (
        "Missing whitespace around `=` in assignments (and around the `=` of an annotated "
        "default, `x: int = 0`), around comparison, boolean, augmented-assignment, walrus "
        "and binary operators, around the return arrow (`)->dict`), after the `:` of an "
        "annotation or a dict entry, and after commas. One finding per token."
    )
    why = (
        "PEP 8 asks for a single space on both sides of these operators and after commas: "
        "`user=get_user(userId)` and `def f(a,b)->dict:` are harder to scan, and code "
        "that follows one layout reads (and diffs) the same everywhere."
    )
    leaves_alone = (
        "The `=` of keyword arguments and of unannotated defaults (`f(x=1)`, "
        "`def f(x=0)`, where PEP 8 wants no spaces); unary operators (`-x`, `not x`); the "
        "power operator written tight (`x**2`); a tight operator inside a spaced operator "
        "that binds more loosely, or a tight parenthesised operand of a spaced operator "
        "(PEP 8's `x = x*2 - 1`, `c = (a+b) * (a-b)`); slice bounds and slice colons "
        "(`a[x+1:]`, `ham[lower+offset : upper+offset]`); trailing commas and commas "
        "followed by a line break; everything inside f-strings (formatters leave their "
        "contents alone). Extra whitespace is left to the formatter."
    )
    fix_description = "Inserts the missing space(s)."
    bad = (
        Example(
            "def scale(value: float, factor: float) -> float:\n"
            '    """Scale a value."""\n'
            "    result=value * factor\n"
            "    return result\n",
            line=3,
            fixed="def scale(value: float, factor: float) -> float:\n"
            '    """Scale a value."""\n'
            "    result = value * factor\n"
            "    return result\n",
        ),
        Example(
            "def total(prices: list[float],tax_rate: float=0.2)->float:\n"
            '    """Add up prices, tax included."""\n'
            "    if len(prices)==0:\n"
            "        return 0.0\n"
            "    return sum(prices)*(1 + tax_rate)\n",
            line=1,
            fixed="def total(prices: list[float], tax_rate: float = 0.2) -> float:\n"
            '    """Add up prices, tax included."""\n'
            "    if len(prices) == 0:\n"
            "        return 0.0\n"
            "    return sum(prices) * (1 + tax_rate)\n",
        ),
    )
    good = (
        Example(
            "def total(prices: list[float], tax_rate: float = 0.2) -> float:\n"
            '    """Add up prices, tax included."""\n'
            "    if len(prices) == 0:\n"
            "        return 0.0\n"
            "    return sum(prices) * (1 + tax_rate)\n"
        ),
        Example(
            "def hypotenuse_squared(x: float, y: float) -> float:\n"
            '    """Square of the hypotenuse (PEP 8 lets tighter operators go unspaced)."""\n'
            "    return x*x + y*y\n"
            "\n"
            "\n"
            "def middle(items: list[int], offset: int = 1) -> list[int]:\n"
            '    """Drop the edges of a list."""\n'
            "    return items[offset : len(items)-offset]\n"
        ),
    )

    def setup(self) -> None:
        """Start outside any f-string, with no operator allowed to be tight."""
        self._fstrings = 0
        # Binary operations allowed to be tight (slice bounds, PEP 8's priority rule).
        self._tight_ok: set[int] = set()

    # ------------------------------------------------------------------ f-strings

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Enter an f-string: its contents are not checked."""
        self._fstrings += 1

    def leave_FormattedString(self, node: cst.FormattedString) -> None:
        """Leave an f-string."""
        self._fstrings -= 1

    # ------------------------------------------------------------------ operators

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        """Check a binary operator, honouring PEP 8's priority rule and slices."""
        if self._fstrings:
            return
        operator = node.operator
        before, after = _gaps(operator)
        tight = before and after
        accepted = tight and (isinstance(operator, cst.Power) or id(node) in self._tight_ok)
        self._exempt_operands(node, accepted, spaced=not before and not after)
        if not accepted:
            self._check_operator(operator)

    def _exempt_operands(self, node: cst.BinaryOperation, accepted: bool, spaced: bool) -> None:
        # Operands that may stay tight. Once this operator is spaced (as it is, or as its
        # fix makes it), tighter-binding operands may stay tight; an accepted tight
        # operator extends that to a run of like operators (`x*2*y - 1`). Deciding from
        # the fixed form keeps the fix idempotent: `a*b*c` is fixed in one go.
        for operand in (node.left, node.right):
            if not isinstance(operand, cst.BinaryOperation):
                continue
            if accepted and _priority(operand) >= _priority(node):
                self._tight_ok.add(id(operand))
            elif not accepted and _priority(operand) > _priority(node):
                self._tight_ok.add(id(operand))  # `x*2 - 1`, and `x*2-1` once fixed
            elif spaced and operand.lpar:
                self._tight_ok.add(id(operand))  # `(a+b) * (a-b)`

    def visit_Slice(self, node: cst.Slice) -> None:
        """Let slice bounds be tight (PEP 8: ``ham[lower+offset : upper+offset]``)."""
        for bound in (node.lower, node.upper, node.step):
            if isinstance(bound, cst.BinaryOperation):
                self._tight_ok.add(id(bound))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """Check comparison operators (``==``, ``<``, ``in``, ``is not``…)."""
        if not self._fstrings:
            for target in node.comparisons:
                self._check_operator(target.operator)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        """Check ``and`` / ``or``."""
        if not self._fstrings:
            self._check_operator(node.operator)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """Check ``+=`` and friends."""
        self._check_operator(node.operator)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Check ``x: int = 0``: after the colon and around the ``=``."""
        self._check_annotation_colon(node.annotation)
        if isinstance(node.equal, cst.AssignEqual):
            self._check_operator(node.equal, "=")

    def visit_Param(self, node: cst.Param) -> None:
        """Check an annotated parameter: after the colon and around its default's ``=``."""
        if node.annotation is None or self._fstrings:
            return  # an unannotated default is written tight (`x=0`)
        self._check_annotation_colon(node.annotation)
        if isinstance(node.equal, cst.AssignEqual):
            self._check_operator(node.equal, "=")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Check the return arrow."""
        returns = node.returns
        if returns is None:
            return
        before = _missing(returns.whitespace_before_indicator)
        after = _missing(returns.whitespace_after_indicator)
        if not (before or after) or not isinstance(
            returns.whitespace_after_indicator, cst.SimpleWhitespace
        ):
            return
        start = self.context.range_of(returns).start
        arrow = start.column - len(returns.whitespace_after_indicator.value) - 2
        where = Range.of(start.line, arrow, start.line, arrow + 2)
        self._report_token("->", where, before, after)

    def visit_Assign(self, node: cst.Assign) -> None:
        """Check the ``=`` of each assignment target."""
        for target in node.targets:
            before = _missing(target.whitespace_before_equal)
            after = _missing(target.whitespace_after_equal)
            if before or after:
                end = self.context.range_of(target).end
                column = end.column + len(target.whitespace_before_equal.value)
                self._report_token(
                    "=", Range.of(end.line, column, end.line, column + 1), before, after
                )

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        """Check the walrus operator."""
        before, after = (
            _missing(node.whitespace_before_walrus),
            _missing(node.whitespace_after_walrus),
        )
        if self._fstrings or not (before or after):
            return
        if before:
            start = self.context.range_of(node.target).end
        else:
            value = self._outer_start(node.value)
            if value is None:
                return
            start = Position(value.line, value.column - 2)
        self._report_token(
            ":=", Range(start, Position(start.line, start.column + 2)), before, after
        )

    # ------------------------------------------------------------------ commas and colons

    def visit_Call(self, node: cst.Call) -> None:
        """Check the commas between arguments."""
        self._check_commas(node.args)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check the commas between base classes and keywords."""
        self._check_commas([*node.bases, *node.keywords])

    def visit_Parameters(self, node: cst.Parameters) -> None:
        """Check the commas between parameters (``/`` and ``*`` markers included)."""
        items: list[cst.CSTNode] = [*node.posonly_params]
        if isinstance(node.posonly_ind, cst.ParamSlash):
            items.append(node.posonly_ind)
        items.extend(node.params)
        if isinstance(node.star_arg, (cst.Param, cst.ParamStar)):
            items.append(node.star_arg)
        items.extend(node.kwonly_params)
        if node.star_kwarg is not None:
            items.append(node.star_kwarg)
        self._check_commas(items)

    def visit_List(self, node: cst.List) -> None:
        """Check the commas of a list display."""
        self._check_commas(node.elements)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        """Check the commas of a tuple."""
        self._check_commas(node.elements)

    def visit_Set(self, node: cst.Set) -> None:
        """Check the commas of a set display."""
        self._check_commas(node.elements)

    def visit_Dict(self, node: cst.Dict) -> None:
        """Check the commas and the colons of a dict display."""
        self._check_commas(node.elements)
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self._check_dict_colon(element.whitespace_after_colon, element.value)

    def visit_MatchMappingElement(self, node: cst.MatchMappingElement) -> None:
        """Check the colon of a mapping pattern entry."""
        self._check_dict_colon(node.whitespace_after_colon, node.pattern)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        """Check the colon of a dict comprehension."""
        self._check_dict_colon(node.whitespace_after_colon, node.value)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Check the commas of a subscript (``dict[str, int]``)."""
        self._check_commas(node.slice)

    def visit_Import(self, node: cst.Import) -> None:
        """Check the commas of ``import a, b``."""
        self._check_commas(node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        """Check the commas of ``from m import a, b``."""
        if not isinstance(node.names, cst.ImportStar):
            self._check_commas(node.names)

    def visit_With(self, node: cst.With) -> None:
        """Check the commas between context managers."""
        self._check_commas(node.items)

    def visit_Global(self, node: cst.Global) -> None:
        """Check the commas of ``global a, b``."""
        self._check_commas(node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        """Check the commas of ``nonlocal a, b``."""
        self._check_commas(node.names)

    def visit_Assert(self, node: cst.Assert) -> None:
        """Check the comma before an assertion's message."""
        if node.msg is not None and isinstance(node.comma, cst.Comma):
            self._check_comma(node.comma)

    def visit_MatchList(self, node: cst.MatchList) -> None:
        """Check the commas of a list pattern."""
        self._check_commas(node.patterns)

    def visit_MatchTuple(self, node: cst.MatchTuple) -> None:
        """Check the commas of a tuple pattern."""
        self._check_commas(node.patterns)

    def visit_MatchClass(self, node: cst.MatchClass) -> None:
        """Check the commas of a class pattern."""
        self._check_commas([*node.patterns, *node.kwds])

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        """Check the commas of a mapping pattern (a ``**rest`` follows the last entry)."""
        self._check_commas(node.elements, last_is_trailing=node.rest is None)

    # ------------------------------------------------------------------ helpers

    def _check_operator(self, operator: Any, token: str | None = None) -> None:
        before, after = _gaps(operator)
        if not (before or after):
            return
        text = token or " ".join(self.context.code_for(operator).split())
        changes: list[Change] = []
        if before:
            changes.append(InsertBefore(operator, _SPACE))
        if after:
            changes.append(InsertAfter(operator, _SPACE))
        side = _side(before, after)
        self.report(
            operator,
            f"Missing whitespace {side} `{text}`",
            fix=self.fix(f"Add whitespace {side} `{text}`", *changes),
        )

    def _report_token(self, token: str, where: Range, before: bool, after: bool) -> None:
        changes: list[Change] = []
        if before:
            changes.append(TextEdit(Range(where.start, where.start), _SPACE))
        if after:
            changes.append(TextEdit(Range(where.end, where.end), _SPACE))
        side = _side(before, after)
        self.report(
            where,
            f"Missing whitespace {side} `{token}`",
            fix=self.fix(f"Add whitespace {side} `{token}`", *changes),
        )

    def _check_annotation_colon(self, annotation: cst.Annotation) -> None:
        if not _missing(annotation.whitespace_after_indicator):
            return
        start = self.context.range_of(annotation).start
        colon = Range.of(start.line, start.column - 1, start.line, start.column)
        self._report_token(":", colon, before=False, after=True)

    def _check_dict_colon(
        self, whitespace: object, value: cst.BaseExpression | cst.MatchPattern
    ) -> None:
        if self._fstrings or not _missing(whitespace):
            return
        start = self._outer_start(value)
        if start is not None:
            colon = Range.of(start.line, start.column - 1, start.line, start.column)
            self._report_token(":", colon, before=False, after=True)

    def _check_commas(self, items: Sequence[cst.CSTNode], last_is_trailing: bool = True) -> None:
        if self._fstrings:
            return
        # The last item's comma is a trailing comma (`(1,)`, `f(a,)`): nothing follows it.
        for item in items[:-1] if last_is_trailing else items:
            comma = getattr(item, "comma", None)
            if isinstance(comma, cst.Comma):
                self._check_comma(comma)

    def _check_comma(self, comma: cst.Comma) -> None:
        if _missing(comma.whitespace_after):
            self.report(
                comma,
                "Missing whitespace after `,`",
                fix=self.fix("Add a space after `,`", InsertAfter(comma, _SPACE)),
            )

    def _outer_start(self, node: cst.BaseExpression | cst.MatchPattern) -> Position | None:
        # A node's range excludes its own parentheses; step back over them when they sit
        # on the node's line.
        start = self.context.range_of(node).start
        parens = "".join(self.context.code_for(paren) for paren in node.lpar)
        if "\n" in parens or "\r" in parens:
            return None
        return Position(start.line, start.column - len(parens))

"""Syntax that needs a given Python version, found in a libcst tree.

One table of features (walrus, positional-only parameters, ``match``, ``except*``, PEP
695 generics and ``type`` aliases, PEP 701 f-strings, PEP 696 defaults, PEP 758 bare
``except A, B:``, PEP 750 t-strings, ...) serves two readers: the syntax judge, which
accepts a text the running interpreter rejects when newer syntax explains the
rejection, and BP002, which reports syntax newer than the project's target version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from precepts.versions import PythonVersion


@dataclass(frozen=True)
class Feature:
    """A piece of syntax and the first Python version that accepts it.

    Attributes:
        name: How the docs and messages call it (plural, as in "… need Python 3.12").
        version: The first version that parses it.
        pep: The PEP that introduced it (0 when none).
    """

    name: str
    version: PythonVersion
    pep: int


WALRUS = Feature("assignment expressions (`:=`)", (3, 8), 572)
POSITIONAL_ONLY = Feature("positional-only parameters (`/`)", (3, 8), 570)
PARENTHESIZED_WITH = Feature("parenthesized context managers", (3, 9), 617)
RELAXED_DECORATOR = Feature("decorators that are arbitrary expressions", (3, 9), 614)
MATCH = Feature("`match` statements", (3, 10), 634)
EXCEPT_STAR = Feature("`except*` clauses", (3, 11), 654)
STAR_UNPACKING = Feature("star-unpacking in subscripts and annotations (`[*Ts]`)", (3, 11), 646)
TYPE_PARAMETERS = Feature("type parameter lists (`def f[T]`, `class C[T]`)", (3, 12), 695)
TYPE_ALIAS = Feature("`type` statements", (3, 12), 695)
FSTRING_SYNTAX = Feature(
    "f-strings that reuse their quotes or hold backslashes, comments or line breaks",
    (3, 12),
    701,
)
TYPE_PARAMETER_DEFAULT = Feature("type parameter defaults (`[T = int]`)", (3, 13), 696)
UNPARENTHESIZED_EXCEPT = Feature(
    "`except` clauses naming several types without parentheses", (3, 14), 758
)
TEMPLATE_STRING = Feature('template strings (`t"..."`)', (3, 14), 750)

FEATURES: tuple[Feature, ...] = (
    WALRUS,
    POSITIONAL_ONLY,
    PARENTHESIZED_WITH,
    RELAXED_DECORATOR,
    MATCH,
    EXCEPT_STAR,
    STAR_UNPACKING,
    TYPE_PARAMETERS,
    TYPE_ALIAS,
    FSTRING_SYNTAX,
    TYPE_PARAMETER_DEFAULT,
    UNPARENTHESIZED_EXCEPT,
    TEMPLATE_STRING,
)

Found = tuple[Feature, cst.CSTNode]


def _walrus(node: cst.NamedExpr) -> Found | None:
    return WALRUS, node


def _positional_only(node: cst.Parameters) -> Found | None:
    slash = node.posonly_ind
    if isinstance(slash, cst.ParamSlash):
        return POSITIONAL_ONLY, slash
    return (POSITIONAL_ONLY, node) if node.posonly_params else None


def _parenthesized_with(node: cst.With) -> Found | None:
    if isinstance(node.lpar, cst.LeftParen) and node.items:
        return PARENTHESIZED_WITH, node.items[0]
    return None


def _relaxed_decorator(node: cst.Decorator) -> Found | None:
    return None if _classic_decorator(node.decorator) else (RELAXED_DECORATOR, node.decorator)


def _match(node: cst.Match) -> Found | None:
    return MATCH, node.subject


def _except_star(node: cst.TryStar) -> Found | None:
    return EXCEPT_STAR, node.handlers[0]


def _star_index(node: cst.Index) -> Found | None:
    return (STAR_UNPACKING, node) if node.star == "*" else None


def _star_annotation(node: cst.Annotation) -> Found | None:
    if isinstance(node.annotation, cst.StarredElement):
        return STAR_UNPACKING, node.annotation
    return None


def _type_parameters(node: cst.FunctionDef | cst.ClassDef) -> Found | None:
    params = node.type_parameters
    return (TYPE_PARAMETERS, params) if params is not None else None


def _type_alias(node: cst.TypeAlias) -> Found | None:
    return TYPE_ALIAS, node


def _type_parameter_default(node: cst.TypeParam) -> Found | None:
    return (TYPE_PARAMETER_DEFAULT, node) if node.default is not None else None


def _fstring(node: cst.FormattedString) -> Found | None:
    return (FSTRING_SYNTAX, node) if _needs_pep701(node) else None


def _unparenthesized_except(node: cst.ExceptHandler) -> Found | None:
    kind = node.type
    if isinstance(kind, cst.Tuple) and not kind.lpar:
        return UNPARENTHESIZED_EXCEPT, kind
    return None


def _template_string(node: cst.TemplatedString) -> Found | None:
    return TEMPLATE_STRING, node


# Node type → what asks whether that node needs a newer Python (BP002 visits these types).
_CHECKS: dict[type[cst.CSTNode], Callable[[Any], Found | None]] = {
    cst.NamedExpr: _walrus,
    cst.Parameters: _positional_only,
    cst.With: _parenthesized_with,
    cst.Decorator: _relaxed_decorator,
    cst.Match: _match,
    cst.TryStar: _except_star,
    cst.Index: _star_index,
    cst.Annotation: _star_annotation,
    cst.FunctionDef: _type_parameters,
    cst.ClassDef: _type_parameters,
    cst.TypeAlias: _type_alias,
    cst.TypeParam: _type_parameter_default,
    cst.FormattedString: _fstring,
    cst.ExceptHandler: _unparenthesized_except,
    cst.TemplatedString: _template_string,
}
FEATURE_NODES: tuple[type[cst.CSTNode], ...] = tuple(_CHECKS)

_RENDER = cst.Module(body=[])


def feature_of(node: cst.CSTNode) -> Found | None:
    """Return the version-bound feature ``node`` itself uses, with the node to report.

    Only the node's own syntax counts; its children are asked separately.

    Args:
        node: Any libcst node.

    Returns:
        (feature, node to place the finding on), or None.
    """
    check = _CHECKS.get(type(node))
    return check(node) if check is not None else None


def newest_feature(module: cst.Module) -> Feature | None:
    """Return the feature of ``module`` that needs the newest Python, if any.

    Args:
        module: A parsed module.

    Returns:
        The feature, or None when the module uses none of the table.
    """
    scan = _Scan()
    module.visit(scan)
    return max(scan.found, key=lambda feature: feature.version, default=None)


def uses_newer_than(module: cst.Module, version: PythonVersion) -> bool:
    """Tell whether ``module`` uses a feature newer than ``version`` (stops at the first).

    Args:
        module: A parsed module.
        version: The version to compare with (the running interpreter's).

    Returns:
        True when some feature needs a newer Python.
    """
    scan = _Scan(newer_than=version)
    try:
        module.visit(scan)
    except _FoundNewer:
        return True
    return False


class _FoundNewer(Exception):
    """Ends a scan at the first feature newer than asked (no need to walk on)."""


class _Scan(cst.CSTVisitor):
    """Collects every feature of a tree (the judge's slow path only)."""

    def __init__(self, newer_than: PythonVersion | None = None) -> None:
        super().__init__()
        self.found: list[Feature] = []
        self.newer_than = newer_than

    def on_visit(self, node: cst.CSTNode) -> bool:
        found = feature_of(node)
        if found is not None:
            if self.newer_than is not None and found[0].version > self.newer_than:
                raise _FoundNewer
            self.found.append(found[0])
        return True


def _classic_decorator(expression: cst.BaseExpression) -> bool:
    """Tell whether a decorator is what Python 3.8 allows: a dotted name, maybe called."""
    if isinstance(expression, cst.Call):
        expression = expression.func
    while isinstance(expression, cst.Attribute):
        expression = expression.value
    return isinstance(expression, cst.Name) and not _parenthesized(expression)


def _parenthesized(node: cst.BaseExpression) -> bool:
    return bool(getattr(node, "lpar", ()))


def _needs_pep701(node: cst.FormattedString) -> bool:
    """Tell whether an f-string uses what only PEP 701's grammar (3.12) allows.

    Before 3.12 an f-string was first read as a plain string, so its expressions could
    not contain its own quote, a backslash or a ``#``, nor (single-quoted) a line break.
    """
    quote = node.start.lstrip("rRfFbBuU")
    triple = len(quote) == 3
    return _parts_need_pep701(node.parts, quote, triple)


def _parts_need_pep701(
    parts: Sequence[cst.BaseFormattedStringContent], quote: str, triple: bool
) -> bool:
    return any(
        isinstance(part, cst.FormattedStringExpression)
        and _expression_needs_pep701(part, quote, triple)
        for part in parts
    )


def _expression_needs_pep701(part: cst.FormattedStringExpression, quote: str, triple: bool) -> bool:
    whole = _RENDER.code_for_node(part)
    if quote in whole or "\\" in _RENDER.code_for_node(part.expression):
        return True
    if not triple and ("\n" in whole or "\r" in whole):
        return True
    # A ``#`` inside a nested string was always allowed; a comment was not.
    if _has_comment(part.expression):
        return True
    return bool(part.format_spec) and _parts_need_pep701(part.format_spec or (), quote, triple)


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> bool:
        self.found = True
        return False


def _has_comment(node: cst.CSTNode) -> bool:
    finder = _CommentFinder()
    node.visit(finder)
    return finder.found

"""Syntax that needs a given Python version, found in a libcst tree.

One table of features (walrus, positional-only parameters, ``match``, ``except*``, PEP
695 generics and ``type`` aliases, PEP 701 f-strings, PEP 696 defaults, PEP 758 bare
``except A, B:``, PEP 750 t-strings, ...) serves two readers: the syntax judge, which
accepts a text the running interpreter rejects when newer syntax explains the
rejection, and BP002, which reports syntax newer than the project's target version.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

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
    TYPE_PARAMETERS,
    TYPE_ALIAS,
    FSTRING_SYNTAX,
    TYPE_PARAMETER_DEFAULT,
    UNPARENTHESIZED_EXCEPT,
    TEMPLATE_STRING,
)

# The node types whose presence can need a newer Python (what BP002 and the scan visit).
FEATURE_NODES: tuple[type[cst.CSTNode], ...] = (
    cst.NamedExpr,
    cst.Parameters,
    cst.With,
    cst.Decorator,
    cst.Match,
    cst.TryStar,
    cst.FunctionDef,
    cst.ClassDef,
    cst.TypeAlias,
    cst.TypeParam,
    cst.FormattedString,
    cst.ExceptHandler,
    cst.TemplatedString,
)

_RENDER = cst.Module(body=[])


def features_of(node: cst.CSTNode) -> Iterator[tuple[Feature, cst.CSTNode]]:
    """Yield the version-bound features ``node`` itself uses, with the node to report.

    Only the node's own syntax counts; its children are asked separately.

    Args:
        node: Any libcst node.

    Yields:
        (feature, node to place the finding on).
    """
    if isinstance(node, cst.NamedExpr):
        yield WALRUS, node
    elif isinstance(node, cst.Parameters):
        if node.posonly_params or isinstance(node.posonly_ind, cst.ParamSlash):
            slash = node.posonly_ind
            yield POSITIONAL_ONLY, slash if isinstance(slash, cst.ParamSlash) else node
    elif isinstance(node, cst.With):
        if isinstance(node.lpar, cst.LeftParen) and node.items:
            yield PARENTHESIZED_WITH, node.items[0]
    elif isinstance(node, cst.Decorator):
        if not _classic_decorator(node.decorator):
            yield RELAXED_DECORATOR, node.decorator
    elif isinstance(node, cst.Match):
        yield MATCH, node.subject
    elif isinstance(node, cst.TryStar):
        yield EXCEPT_STAR, node.handlers[0]
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        if node.type_parameters is not None:
            yield TYPE_PARAMETERS, node.type_parameters
    else:
        yield from _expression_features(node)


def _expression_features(node: cst.CSTNode) -> Iterator[tuple[Feature, cst.CSTNode]]:
    if isinstance(node, cst.TypeAlias):
        yield TYPE_ALIAS, node
    elif isinstance(node, cst.TypeParam):
        if node.default is not None:
            yield TYPE_PARAMETER_DEFAULT, node
    elif isinstance(node, cst.FormattedString):
        if _needs_pep701(node):
            yield FSTRING_SYNTAX, node
    elif isinstance(node, cst.ExceptHandler):
        kind = node.type
        if isinstance(kind, cst.Tuple) and not kind.lpar:
            yield UNPARENTHESIZED_EXCEPT, kind
    elif isinstance(node, cst.TemplatedString):
        yield TEMPLATE_STRING, node


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


class _Scan(cst.CSTVisitor):
    """Collects every feature of a tree (the judge's slow path only)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[Feature] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, FEATURE_NODES):
            self.found.extend(feature for feature, _ in features_of(node))
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
    for part in parts:
        if not isinstance(part, cst.FormattedStringExpression):
            continue
        code = _RENDER.code_for_node(part.expression)
        whole = _RENDER.code_for_node(part)
        if quote in whole or "\\" in code or "#" in code:
            return True
        if not triple and ("\n" in whole or "\r" in whole):
            return True
        if part.format_spec and _parts_need_pep701(part.format_spec, quote, triple):
            return True
    return False

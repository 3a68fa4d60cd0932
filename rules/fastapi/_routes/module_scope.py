"""What the module rules (BP309, BP310) ask of a whole module or of another one.

An owner's kind from the enclosing functions alone, a summarized node's range, a router's
``prefix=`` and whether another module registers a health route.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range
from precepts.rules.fastapi._routes.apps import _local_kind, imported_module
from precepts.rules.fastapi._routes.paths import is_health
from precepts.rules.fastapi._routes.values import (
    ROUTE_METHODS,
    keyword_value,
    positional,
    short,
    string_value,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.crossfile import Parsed


def local_owner_kind(context: RuleContext, owner: cst.BaseExpression) -> str | None:
    """Tell what an owner is from the enclosing functions alone (a factory's ``app``).

    Module rules keep this in their per-statement summaries: it depends on the statement
    only, while what a module-level name is depends on the facts of the moment.

    Args:
        context: The rule context.
        owner: The expression a route or router is registered on.

    Returns:
        ``app``, ``router`` or None when the functions around say nothing.
    """
    if not isinstance(owner, cst.Name):
        return None
    for node in reversed(context.ancestors):
        if isinstance(node, cst.FunctionDef):
            kind = _local_kind(context, node, owner.value)
            if kind is not None:
                return kind
    return None


def summary_range(context: RuleContext, index: int, node: cst.CSTNode) -> Range:
    """Return a summarized node's range, or its statement's start when it is gone.

    Args:
        context: The rule context.
        index: The top-level statement the summary came from (a hint for the search).
        node: The node.

    Returns:
        The range.
    """
    positions = context.positions
    try:
        return positions.range_of(node, index)
    except KeyError:
        line = positions.first_line(index)
        return Range.of(line, 0, line, 0)


def router_prefix(context: RuleContext, router: str) -> str | None:
    """Return the ``prefix=`` of the ``APIRouter(...)`` a name is bound to, here or elsewhere.

    Args:
        context: The rule context.
        router: The router as written at the include (``users.router``, ``api_router``).

    Returns:
        The prefix ("" when it has none), or None when it cannot be known.
    """
    facts = context.facts
    value = facts.values.get(router) if "." not in router else None
    if value is None and router.split(".", 1)[0] in facts.imports:
        parsed = imported_module(context, router)
        if parsed is not None:
            facts = parsed.facts
            value = facts.values.get(short(router))
    if not isinstance(value, cst.Call) or short(facts.qualify(value.func)) != "APIRouter":
        return None
    prefix = keyword_value(value, "prefix")
    return "" if prefix is None else string_value(prefix)


def module_has_health(parsed: Parsed) -> bool:
    """Tell whether another module registers a health route (``@router.get("/health")``).

    Args:
        parsed: The module.

    Returns:
        True when one of its route decorators, or a router prefix, is a health path.
    """
    for node in _calls(parsed.module):
        name = short(dotted_name(node.func))
        if name == "APIRouter":
            path = string_value(keyword_value(node, "prefix"))
        elif isinstance(node.func, cst.Attribute) and name in ROUTE_METHODS | {"add_api_route"}:
            path = string_value(positional(node, 0) or keyword_value(node, "path"))
        else:
            continue
        if path is not None and is_health(path):
            return True
    return False


def _calls(module: cst.Module) -> Iterator[cst.Call]:
    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.Call] = []

        def visit_Call(self, node: cst.Call) -> None:
            self.found.append(node)

    finder = _Finder()
    module.visit(finder)
    yield from finder.found

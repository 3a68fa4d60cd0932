"""Which functions are route handlers, and on which app or router they are registered.

A route is a function decorated with ``@<app or router>.<method>(path, ...)`` or
registered with ``<owner>.add_api_route(path, function, ...)`` at the module's top level.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.fastapi._routes.apps import _block_smalls, module_kind, owner_kind
from precepts.rules.fastapi._routes.cache import _cache
from precepts.rules.fastapi._routes.values import (
    ROUTE_METHODS,
    keyword_value,
    positional,
    status_number,
    string_value,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext


@dataclass(frozen=True)
class Route:
    """One registration of a route handler.

    Attributes:
        function: The handler.
        call: The decorator call (or the ``add_api_route`` call).
        owner: The app or router it is registered on, as written.
        kind: ``app`` or ``router``.
        method: ``get``, ``post``... ``api_route``, ``websocket``.
        path: The path template when it is a literal, else None.
    """

    function: cst.FunctionDef
    call: cst.Call
    owner: str
    kind: str
    method: str
    path: str | None

    def keyword(self, name: str) -> cst.BaseExpression | None:
        """Return the value of a keyword argument of the registration, or None.

        Args:
            name: The keyword (``response_model``).

        Returns:
            Its value.
        """
        return keyword_value(self.call, name)

    @property
    def status_code(self) -> int | None:
        """The ``status_code=`` as a number (``status.HTTP_204_NO_CONTENT`` → 204)."""
        return status_number(self.keyword("status_code"))


def routes_of(context: RuleContext, function: cst.FunctionDef) -> tuple[Route, ...]:
    """Return every registration of a function as a route handler (usually one).

    Args:
        context: The rule context (the walker must stand on or in the function's parent).
        function: The function.

    Returns:
        Its routes; empty for a function that is not a route handler.
    """
    cache = _cache(context)
    found = cache.routes.get(id(function))
    if found is None:
        found = tuple(_decorated_routes(context, function)) + _api_routes(context, function)
        cache.routes[id(function)] = found
    return found


def _decorated_routes(context: RuleContext, function: cst.FunctionDef) -> Iterator[Route]:
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        method = call.func.attr.value
        if method not in ROUTE_METHODS:
            continue
        owner = dotted_name(call.func.value)
        kind = owner_kind(context, call.func.value) if owner else None
        if owner is None or kind is None:
            continue
        path = string_value(positional(call, 0) or keyword_value(call, "path"))
        yield Route(function, call, owner, kind, method, path)


def _api_routes(context: RuleContext, function: cst.FunctionDef) -> tuple[Route, ...]:
    """Routes registered with ``owner.add_api_route(path, function)`` at the top level."""
    cache = _cache(context)
    if cache.api_routes is None:
        cache.api_routes = {}
        # Searched once per check, not per function: a 10 MB file has 100,000 of them.
        if "add_api_route" not in context.text:
            return ()
        for call, owner in _top_level_calls(context.module.body, "add_api_route"):
            endpoint = positional(call, 1) or keyword_value(call, "endpoint")
            if isinstance(endpoint, cst.Name):
                cache.api_routes.setdefault(endpoint.value, []).append((call, owner))
    routes = []
    for call, owner in cache.api_routes.get(function.name.value, ()):
        kind = module_kind(context, owner)
        if kind is not None:
            path = string_value(positional(call, 0) or keyword_value(call, "path"))
            routes.append(Route(function, call, owner, kind, "api_route", path))
    return tuple(routes)


def _top_level_calls(
    statements: Sequence[cst.BaseStatement], method: str
) -> Iterator[tuple[cst.Call, str]]:
    """``x.method(...)`` expression statements of a block: (call, ``x``)."""
    for small in _block_smalls(statements):
        value = small.value if isinstance(small, cst.Expr) else None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            owner = dotted_name(value.func.value)
            if value.func.attr.value == method and owner is not None:
                yield value, owner


def route_of(context: RuleContext, function: cst.FunctionDef) -> Route | None:
    """Return a function's first route registration, or None.

    Args:
        context: The rule context.
        function: The function.

    Returns:
        The route.
    """
    routes = routes_of(context, function)
    return routes[0] if routes else None


def enclosing_route(context: RuleContext) -> Route | None:
    """Return the route whose handler holds the node being visited (innermost function).

    Args:
        context: The rule context.

    Returns:
        The route, or None outside a route handler.
    """
    ancestors = context.ancestors
    for index in range(len(ancestors) - 1, -1, -1):
        node = ancestors[index]
        if isinstance(node, cst.FunctionDef):
            return route_of(context, node)
        if isinstance(node, (cst.ClassDef, cst.Lambda)):
            return None
    return None

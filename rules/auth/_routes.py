"""FastAPI route handlers, as the authentication rules need them (small and self-contained).

A function is a route handler when a decorator is ``@<app or router>.<method>(path)``
(``get``, ``post``, ``put``, ``patch``, ``delete``, ``options``, ``head``, ``trace``,
``api_route``, ``websocket``) and the module uses FastAPI (imports it, or the receiver
is one of its ``FastAPI()``/``APIRouter()`` names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name
from precepts.rules.sql._sqlcst import string_value

_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "options", "head", "trace", "api_route",
     "websocket"}
)  # fmt: skip
# ``{name}`` (FastAPI) and ``{name:path}`` placeholders of a route's path.
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")


@dataclass(frozen=True)
class Route:
    """A route handler's decorator, as far as the rules care.

    Attributes:
        method: The decorator's method (``get``, ``websocket``...).
        path: The path template, when it is a literal.
        path_params: The names of its ``{placeholders}``.
        dependencies: True when the decorator declares ``dependencies=[...]``.
    """

    method: str
    path: str | None
    path_params: frozenset[str]
    dependencies: bool = False


def _uses_fastapi(facts: ModuleFacts) -> bool:
    return any(target.split(".", 1)[0] == "fastapi" for target in facts.imports.values())


def route_of(function: cst.FunctionDef, facts: ModuleFacts) -> Route | None:
    """Return the route a function handles, or None when it is not a route handler.

    Args:
        function: A function definition.
        facts: The module's facts.

    Returns:
        The route.
    """
    for decorator in function.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
            route = _route(call, call.func, facts)
            if route is not None:
                return route
    return None


def _route(call: cst.Call, func: cst.Attribute, facts: ModuleFacts) -> Route | None:
    """The route of one ``@router.get(path)`` decorator, or None."""
    method = func.attr.value
    if method not in _METHODS:
        return None
    receiver = dotted_name(func.value)
    known = receiver in facts.apps or receiver in facts.routers
    if not known and not _uses_fastapi(facts):
        return None
    path_arg = next((a.value for a in call.args if a.keyword is None), None)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "path":
            path_arg = arg.value
    path = string_value(path_arg) if path_arg is not None else None
    params = frozenset(_PLACEHOLDER.findall(path)) if path else frozenset()
    declared = any(a.keyword is not None and a.keyword.value == "dependencies" for a in call.args)
    return Route(method, path, params, declared)

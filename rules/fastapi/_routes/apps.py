"""Which names are apps and routers: ``FastAPI(...)``, ``APIRouter(...)`` and their factories.

A name is an app when it is bound to ``FastAPI(...)`` under any alias, to the result of a
factory of this module that builds one, a parameter annotated ``FastAPI``, or a name
imported from a project module where it is one (through :mod:`precepts.crossfile`); a
router likewise for ``APIRouter``. A name defined nowhere falls back to its spelling.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.fastapi._routes.cache import _cache
from precepts.rules.fastapi._routes.values import APP, ROUTER, short

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.crossfile import Parsed


def _kind_of_type(context: RuleContext, node: cst.BaseExpression | None) -> str | None:
    """``FastAPI`` → app, ``APIRouter`` → router (a call, an annotation, under any alias)."""
    if isinstance(node, cst.Call):
        node = node.func
    name = short(context.facts.qualify(node)) if node is not None else ""
    if name == "FastAPI":
        return APP
    if name == "APIRouter":
        return ROUTER
    return None


def _local_kind(context: RuleContext, function: cst.FunctionDef, name: str) -> str | None:
    """What ``name`` is inside a function: a parameter annotated, or a local assignment."""
    for param in (*function.params.params, *function.params.kwonly_params):
        if param.name.value == name and param.annotation is not None:
            return _kind_of_type(context, param.annotation.annotation)
    for small in _block_smalls(function.body):
        value = _assigned_to(small, name)
        if value is not None:
            return _kind_of_type(context, value) or _factory_result(context, value)
    return None


def _assigned_to(small: cst.CSTNode, name: str) -> cst.BaseExpression | None:
    """The value of ``name = value`` / ``name: T = value``, else None."""
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        targets = [small.target]
    else:
        return None
    if any(isinstance(t, cst.Name) and t.value == name for t in targets):
        return small.value
    return None


def _block_smalls(body: cst.BaseSuite | Sequence[cst.BaseStatement]) -> Iterator[cst.CSTNode]:
    """The small statements of a block's simple lines (``x = 1; y = 2`` gives two)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else body
    if not isinstance(statements, Sequence):
        return
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body


def _factories(context: RuleContext) -> dict[str, str | None]:
    """Top-level functions of the module that build an app or a router."""
    cache = _cache(context)
    if cache.factories is None:
        cache.factories = {}
        for statement in context.module.body:
            if isinstance(statement, cst.FunctionDef):
                cache.factories[statement.name.value] = _builds(context, statement)
    return cache.factories


def _builds(context: RuleContext, function: cst.FunctionDef) -> str | None:
    if function.returns is not None:
        kind = _kind_of_type(context, function.returns.annotation)
        if kind is not None:
            return kind
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return):
        value = last.body[0].value
        if isinstance(value, cst.Name):
            return _local_kind(context, function, value.value)
        return _kind_of_type(context, value)
    return None


def _factory_result(context: RuleContext, value: cst.BaseExpression) -> str | None:
    """``create_app()`` with ``create_app`` a factory of this module → app."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return _factories(context).get(value.func.value)
    return None


def owner_kind(context: RuleContext, owner: cst.BaseExpression) -> str | None:
    """Tell whether an expression is an app or a router where the walker stands.

    Args:
        context: The rule context (its ancestors give the enclosing functions).
        owner: The expression a route is registered on (``app``, ``users.router``).

    Returns:
        ``app``, ``router`` or None.
    """
    name = dotted_name(owner)
    if name is None:
        return None
    if "." not in name:
        for node in reversed(context.ancestors):
            if isinstance(node, cst.FunctionDef):
                kind = _local_kind(context, node, name)
                if kind is not None:
                    return kind
    return module_kind(context, name)


def module_kind(context: RuleContext, name: str) -> str | None:
    """Tell whether a module-level name (or an imported module's attribute) is an app.

    Args:
        context: The rule context.
        name: A dotted name (``app``, ``users.router``).

    Returns:
        ``app``, ``router`` or None.
    """
    cache = _cache(context)
    key = (0, name)
    if key not in cache.kinds:
        cache.kinds[key] = _module_kind(context, name)
    return cache.kinds[key]


def _module_kind(context: RuleContext, name: str) -> str | None:
    facts = context.facts
    if name in facts.apps:
        return APP
    if name in facts.routers:
        return ROUTER
    value = facts.values.get(name)
    if value is not None:
        return _kind_of_type(context, value) or _factory_result(context, value)
    head = name.split(".", 1)[0]
    if head in facts.imports:
        found = _imported_kind(context, name)
        if found is not None:
            return found
    elif head in facts.defined:
        return None
    return _kind_by_spelling(name)


def _kind_by_spelling(name: str) -> str | None:
    last = short(name).lower()
    if last in {"app", "application"} or last.endswith("_app"):
        return APP
    if last.endswith("router"):
        return ROUTER
    return None


def _imported_kind(context: RuleContext, name: str) -> str | None:
    parsed = imported_module(context, name)
    if parsed is None:
        return None
    last = short(name)
    if last in parsed.facts.apps:
        return APP
    if last in parsed.facts.routers:
        return ROUTER
    return None


@lru_cache(maxsize=2048)
def _name_expression(name: str) -> cst.BaseExpression:
    """Parse a dotted name once: modules' queries ask about the same bases every check."""
    return cst.parse_expression(name)


def imported_module(context: RuleContext, name: str) -> Parsed | None:
    """Return the project module that defines an imported name (through jedi, cached).

    Args:
        context: The rule context.
        name: The name as written here (``users.router``, ``router``).

    Returns:
        The defining module, or None (a library, or not found).
    """
    qualified = context.facts.qualify(_name_expression(name))
    if not qualified or qualified.split(".", 1)[0] in {"fastapi", "starlette"}:
        return None
    from precepts.crossfile import default_service  # lazy: jedi only when needed

    return default_service().find_binding(Path(context.path), qualified)

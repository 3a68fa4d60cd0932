"""What is an ORM query, and what it selects.

A chain rooted at ``session.query/execute/scalars/scalar/get`` (both the 1.x ``Query``
API and 2.0 ``select()`` + ``execute``), or a Flask-SQLAlchemy ``Model.query``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.sqlalchemy._orm.bindings import lookup
from precepts.rules.sqlalchemy._orm.sessions import session_method
from precepts.rules.sqlalchemy._orm.vocabulary import (
    QUERY_METHODS,
    SELECT_FUNCTIONS,
    method_of,
    receiver_of,
    short_name,
    unwrap_await,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext


@dataclass(frozen=True)
class Query:
    """A query chain found under an expression.

    Attributes:
        root: The call that starts it (``db.query(User)``, ``session.execute(stmt)``) or
            the ``Model.query`` attribute of Flask-SQLAlchemy.
        method: The session method (``query``, ``execute``...) or ``query`` for
            ``Model.query``.
        calls: The method calls of the chain, outermost first (the last is the root).
    """

    root: cst.CSTNode
    method: str
    calls: tuple[cst.Call, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        """The method names of the chain, outermost first."""
        return tuple(method_of(call) or "" for call in self.calls)

    @property
    def legacy(self) -> bool:
        """True for a 1.x ``session.query(...)`` chain (it has ``.count()``)."""
        return self.method == "query"


def query_of(context: RuleContext, node: cst.BaseExpression, depth: int = 0) -> Query | None:
    """Find the ORM query chain an expression belongs to.

    ``db.query(User).filter(...).first()`` and ``(await session.execute(stmt)).scalars()``
    both give their chain; a name bound to a chain (``q = db.query(User)``) is followed
    once.

    Args:
        context: The rule context.
        node: The outermost expression of the chain.
        depth: Recursion guard for names.

    Returns:
        The query, or None when the expression is not rooted at a session or model.
    """
    calls: list[cst.Call] = []
    current: cst.BaseExpression = unwrap_await(node)
    while isinstance(current, (cst.Call, cst.Attribute)):
        if isinstance(current, cst.Attribute):
            if current.attr.value == "query" and _is_model_name(context, current.value):
                return Query(current, "query", tuple(calls))  # Flask-SQLAlchemy
            current = current.value
            continue
        calls.append(current)
        method = session_method(context, current, QUERY_METHODS)
        if method is not None:
            return Query(current, method, tuple(calls))
        if not isinstance(current.func, cst.Attribute):
            return None
        current = unwrap_await(current.func.value)
    if isinstance(current, cst.Name) and depth < 2:
        return _query_through_name(context, current.value, calls, depth)
    return None


def _query_through_name(
    context: RuleContext, name: str, calls: list[cst.Call], depth: int
) -> Query | None:
    """``q = db.query(User)`` … ``q.filter(...).first()``: continue the chain at ``q``."""
    for binding in lookup(context, name):
        if binding.kind == "assign" and binding.value is not None:
            inner = query_of(context, binding.value, depth + 1)
            if inner is not None:
                return Query(inner.root, inner.method, tuple(calls) + inner.calls)
    return None


def _is_model_name(context: RuleContext, node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in context.facts.models


def _select_entities(
    context: RuleContext, statement: cst.BaseExpression | None, depth: int = 0
) -> list[cst.BaseExpression]:
    """Return the entities of a ``select(...)`` chain (following a name once)."""
    current = unwrap_await(statement) if statement is not None else None
    while isinstance(current, cst.Call):
        if short_name(dotted_name(current.func)) in SELECT_FUNCTIONS:
            # select(User) and the chained form select_from(...).select(...) alike
            return [a.value for a in current.args if a.keyword is None and not a.star]
        current = receiver_of(current)
    if isinstance(current, cst.Name) and depth < 2:
        values = [b.value for b in lookup(context, current.value) if b.kind == "assign"]
        if values and values[0] is not None:
            return _select_entities(context, values[0], depth + 1)
    return []


def entities_of(context: RuleContext, query: Query) -> list[cst.BaseExpression]:
    """Return what a query selects: ``query(User)`` → ``[User]``, ``select(User.id)``...

    Args:
        context: The rule context.
        query: A query chain.

    Returns:
        The entity expressions (empty when unknown).
    """
    root = query.root
    if isinstance(root, cst.Attribute):  # Model.query
        return [root.value]
    assert isinstance(root, cst.Call)
    positional = [a.value for a in root.args if a.keyword is None and not a.star]
    if query.method == "query":
        return positional
    if query.method in {"get", "get_one"}:
        return positional[:1]
    return _select_entities(context, positional[0] if positional else None)


def is_aggregate(context: RuleContext, query: Query) -> bool:
    """Tell whether a query selects only aggregates (``func.count()``), without GROUP BY.

    Such a query returns exactly one row, so ``.first()`` is never None.

    Args:
        context: The rule context.
        query: The query.

    Returns:
        True for an aggregate-only query.
    """
    entities = entities_of(context, query)
    if not entities or "group_by" in query.methods:
        return False
    for entity in entities:
        entity = _strip_label(entity)
        if not isinstance(entity, cst.Call):
            return False
        called = context.facts.qualify(entity.func) or ""
        if "func." not in f".{called}" and short_name(called) not in {"count", "max", "min"}:
            return False
    return True


def _strip_label(node: cst.BaseExpression) -> cst.BaseExpression:
    while method_of(node) in {"label", "scalar_subquery"}:
        node = receiver_of(node)  # type: ignore[arg-type, assignment]
    return node


def is_all_result(context: RuleContext, node: cst.BaseExpression) -> Query | None:
    """Tell whether an expression is a whole result set: ``q.all()``, ``session.scalars(...)``.

    Args:
        context: The rule context.
        node: An expression.

    Returns:
        The query when it is one.
    """
    node = unwrap_await(node)
    method = method_of(node)
    if method in {"all", "fetchall"}:
        return query_of(context, node)
    if method == "scalars" and isinstance(node, cst.Call):
        query = query_of(context, node)
        if query is not None and query.root is node:
            return query
    return None

"""The words the SQLAlchemy rules know, and small readers of calls and names.

The vocabulary: the usual names of sessions and session factories, the annotations
that declare a session, the packages whose ``Session`` is not a database session, the
session and result methods that run or start a query; and the few helpers every other
module of :mod:`precepts.rules.sqlalchemy._orm` uses to read an expression
(``x.m(...)``'s method, receiver and arguments, whether a name looks like a class).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from precepts.facts import dotted_name

# Names that hold a session when nothing else is known about them (the fallback).
SESSION_NAMES = frozenset({"db", "session", "db_session", "dbsession", "sess"})
# Callables that return a new session (besides ``facts.session_factories``).
SESSION_FACTORY_NAMES = frozenset(
    {
        "Session",
        "AsyncSession",
        "SessionLocal",
        "AsyncSessionLocal",
        "TestingSessionLocal",
        "SessionFactory",
        "session_factory",
        "async_session_factory",
        "async_session_maker",
        "async_session",
    }
)
# Annotations that mean "a SQLAlchemy session" (short names; aliases of
# ``Annotated[Session, Depends(get_db)]`` are usually called ``SessionDep``).
SESSION_ANNOTATIONS = frozenset(
    {"Session", "AsyncSession", "scoped_session", "async_scoped_session", "SessionDep"}
)
# Packages whose ``Session``-like objects are not database sessions.
NOT_DATABASE = frozenset(
    {
        "requests",
        "aiohttp",
        "httpx",
        "urllib3",
        "niquests",
        "boto3",
        "botocore",
        "aiobotocore",
        "tensorflow",
        "tf",
        "flask",
        "werkzeug",
        "starlette",
        "paramiko",
        "neo4j",
        "pymongo",
        "motor",
        "redis",
        "onnxruntime",
    }
)
# Session methods that run a query (BP202) and the ones that start a query chain.
QUERY_METHODS = frozenset(
    {"query", "execute", "scalars", "scalar", "get", "get_one", "stream", "stream_scalars"}
)
# Methods of a result or query that return one row or None (BP206).
MAYBE_NONE_METHODS = frozenset({"first", "one_or_none", "scalar_one_or_none"})
# Methods whose result is one model instance (BP205 reads the entity through them).
ONE_ROW_METHODS = frozenset(
    {"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "get", "get_one"}
)
# ``sqlalchemy`` callables that build SELECT statements.
SELECT_FUNCTIONS = frozenset({"select", "select_from"})

_EMPTY: frozenset[str] = frozenset()
# Alembic / Flask-Migrate revision files (``alembic/versions/``, ``db_migrations/versions/``).
_MIGRATION = re.compile(r"(^|/)[^/]*(alembic|migrations?)/versions/")


def is_migration(path: str) -> bool:
    """Tell whether a file is a migration revision (its models are past schemas).

    Args:
        path: The file's path.

    Returns:
        True under ``alembic/versions/``, ``migrations/versions/`` and the like.
    """
    return bool(_MIGRATION.search(path.replace("\\", "/")))


def short_name(name: str | None) -> str:
    """Return the last part of a dotted name (empty for None).

    Args:
        name: ``a.b.C`` or None.

    Returns:
        ``C``.
    """
    return name.rsplit(".", 1)[-1] if name else ""


def unwrap_await(node: cst.BaseExpression) -> cst.BaseExpression:
    """Return the awaited expression of ``await x`` (``x`` itself otherwise).

    Args:
        node: An expression.

    Returns:
        The expression without ``await``.
    """
    while isinstance(node, cst.Await):
        node = node.expression
    return node


def method_of(call: cst.BaseExpression) -> str | None:
    """Return ``m`` for a call ``x.m(...)``, None for anything else.

    Args:
        call: An expression.

    Returns:
        The method name.
    """
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
        return call.func.attr.value
    return None


def receiver_of(call: cst.Call) -> cst.BaseExpression | None:
    """Return ``x`` for a call ``x.m(...)``.

    Args:
        call: A call.

    Returns:
        The receiver, or None when the call is not a method call.
    """
    return call.func.value if isinstance(call.func, cst.Attribute) else None


def first_arg(call: cst.Call) -> cst.BaseExpression | None:
    """Return the first positional argument of a call.

    Args:
        call: A call.

    Returns:
        The argument's value, or None.
    """
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """Return the keyword argument ``name=`` of a call.

    Args:
        call: A call.
        name: The keyword.

    Returns:
        The argument, or None.
    """
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def is_class_like(node: cst.BaseExpression | None) -> bool:
    """Tell whether an expression names a class by convention (``User``, ``models.User``).

    Args:
        node: An expression.

    Returns:
        True for a CapWords name or attribute.
    """
    name = short_name(dotted_name(node)) if node is not None else ""
    return bool(name) and name[0].isupper() and not name.isupper()


def names_in(node: cst.CSTNode) -> Iterator[str]:
    """Yield every ``Name`` used in a subtree.

    Args:
        node: Any node.

    Yields:
        The names, in no particular order.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current.value
        stack.extend(current.children)


def mentions_attribute(node: cst.CSTNode, attributes: frozenset[str]) -> bool:
    """Tell whether a subtree reads one of ``attributes`` (``x.in_``).

    Args:
        node: Any node.
        attributes: Attribute names.

    Returns:
        True when one is used.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Attribute) and current.attr.value in attributes:
            return True
        stack.extend(current.children)
    return False

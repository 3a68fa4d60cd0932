"""The words the FastAPI rules know and small readers of calls and literals.

Route methods, the two owner kinds (``app``, ``router``), a dotted name's last part, a
call's keyword and positional arguments, string literals, HTTP status numbers, the
import a fix extends and whether a module uses FastAPI at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name

if TYPE_CHECKING:
    from precepts.context import RuleContext

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"}
)
APP, ROUTER = "app", "router"


def short(name: str | None) -> str:
    """Return the last part of a dotted name ("" for None).

    Args:
        name: A dotted name.

    Returns:
        Its last part.
    """
    return name.rsplit(".", 1)[-1] if name else ""


def keyword_value(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """Return the value of a call's keyword argument, or None.

    Args:
        call: The call.
        name: The keyword.

    Returns:
        The value.
    """
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    """Return a call's positional argument, or None.

    Args:
        call: The call.
        index: 0-based position.

    Returns:
        The argument's value.
    """
    found = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return found[index] if index < len(found) else None


def string_value(node: cst.BaseExpression | None) -> str | None:
    """Return the text of a string literal (concatenations included), else None.

    Args:
        node: An expression.

    Returns:
        The string, or None for anything that is not a plain literal.
    """
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return None if left is None or right is None else left + right
    return None


def status_number(node: cst.BaseExpression | None) -> int | None:
    """Return the HTTP status an expression names (``404``, ``status.HTTP_404_NOT_FOUND``).

    Args:
        node: An expression.

    Returns:
        The number, or None.
    """
    if isinstance(node, cst.Integer):
        return int(node.value)
    match = re.match(r"HTTP_(\d{3})_", short(dotted_name(node)))
    return int(match.group(1)) if match else None


def last_from_import(context: RuleContext, source: str) -> cst.ImportAlias | None:
    """Return the last name of the first top-level ``from <source> import a, b`` (``b``).

    Fixes that need one more name from a module append it there (``, status``). A
    module query: ask it through ``context.module_query``.

    Args:
        context: The rule context.
        source: The imported module (``fastapi``, ``pydantic``).

    Returns:
        The alias to insert after, or None when the module has no such import.
    """
    for statement in context.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and dotted_name(small.module) == source
                and not isinstance(small.names, cst.ImportStar)
                and small.names
            ):
                return small.names[-1]
    return None


def uses_fastapi(context: RuleContext) -> bool:
    """Tell whether the module imports anything from FastAPI or Starlette.

    Args:
        context: The rule context.

    Returns:
        True when it does.
    """
    return any(
        v.split(".", 1)[0] in {"fastapi", "starlette"} for v in context.facts.imports.values()
    )

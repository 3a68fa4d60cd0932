"""Reads of one claim (``claims["sub"]``, ``claims.get("role")``) and how they are used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import is_class_like

# What the standard's "Common JWT Fields Reference" gives for optional claims: the
# default of ``.get`` (None: ``.get("x")`` without a default).
OPTIONAL_CLAIM_DEFAULTS: dict[str, str | None] = {
    "role": '"user"',
    "permissions": "[]",
    "first_name": '""',
    "last_name": '""',
    "desired_name": None,
    "type": '"access"',
    "email": None,
}


@dataclass(frozen=True)
class ClaimRead:
    """One read of a claim.

    Attributes:
        node: The whole read (the subscript or the ``.get`` call).
        receiver: The dict read from.
        key: The claim's name.
        indexed: True for ``x["key"]``, False for ``x.get("key", ...)``.
    """

    node: cst.BaseExpression
    receiver: cst.BaseExpression
    key: str
    indexed: bool


def claim_read(node: cst.CSTNode) -> ClaimRead | None:
    """Recognise ``x["key"]`` and ``x.get("key"[, default])``.

    Args:
        node: A subscript or a call.

    Returns:
        The read, or None.
    """
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            key = string_value(index.value)
            if key is not None:
                return ClaimRead(node, node.value, key, True)
        return None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "get"
        and 1 <= len(node.args) <= 2
        and node.args[0].keyword is None
    ):
        key = string_value(node.args[0].value)
        if key is not None:
            return ClaimRead(node, node.func.value, key, False)
    return None


def is_store(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether a subscript is written or deleted rather than read.

    Args:
        node: The subscript.
        ancestors: The nodes above it.

    Returns:
        True for ``x["k"] = v``, ``x["k"] += v`` and ``del x["k"]``.
    """
    parent = ancestors[-1] if ancestors else None
    if isinstance(parent, cst.AssignTarget) and parent.target is node:
        return True
    if isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node:
        return True
    return isinstance(parent, cst.Del)


def _is_id_name(name: str | None) -> bool:
    return bool(name) and (name == "id" or name.endswith("_id") or name.endswith("Id"))  # type: ignore[union-attr]


def _target_is_id(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return _is_id_name(target.value)
    if isinstance(target, cst.Attribute):
        return _is_id_name(target.attr.value)
    return False


def _is_id_column(node: cst.BaseExpression) -> bool:
    """``User.id``/``Post.owner_id``: a column of a class (a plain ``x_id`` name may be a str)."""
    return (
        isinstance(node, cst.Attribute)
        and _is_id_name(node.attr.value)
        and is_class_like(node.value)
    )


def is_converted(ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether the value is the argument of a conversion (``int(...)``, ``UUID(...)``).

    Args:
        ancestors: The nodes above the value.

    Returns:
        True when a call converts it.
    """
    if len(ancestors) < 2 or not isinstance(ancestors[-1], cst.Arg):
        return False
    call = ancestors[-2]
    name = dotted_name(call.func) if isinstance(call, cst.Call) else None
    return bool(name) and name.rsplit(".", 1)[-1] in {"int", "UUID", "str", "ObjectId"}  # type: ignore[union-attr]


def used_as_database_id(node: cst.CSTNode, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether a value is used as a database id.

    The uses the standard names: assigned to ``*_id`` (a name, an attribute, or through
    ``setattr(obj, "x_id", v)``), passed as ``*_id=``, compared with an ``id`` column
    (``User.id == v``; a plain name such as ``installation_id`` may hold a string), or
    the key of ``session.get(Model, v)``.

    Args:
        node: The value.
        ancestors: The nodes above it.

    Returns:
        True for a database id use.
    """
    parent = ancestors[-1] if ancestors else None
    if isinstance(parent, (cst.Assign, cst.AnnAssign)):
        return _assigned_to_id(parent, node)
    if isinstance(parent, cst.Arg):
        return _argument_is_id(parent, ancestors[-2] if len(ancestors) >= 2 else None)
    if isinstance(parent, cst.ComparisonTarget) and len(ancestors) >= 2:
        comparison = ancestors[-2]
        if isinstance(comparison, cst.Comparison) and isinstance(
            parent.operator, (cst.Equal, cst.NotEqual)
        ):
            return _is_id_column(comparison.left)
    if isinstance(parent, cst.Comparison) and parent.left is node:
        return any(
            isinstance(t.operator, (cst.Equal, cst.NotEqual)) and _is_id_column(t.comparator)
            for t in parent.comparisons
        )
    return False


def _assigned_to_id(statement: cst.Assign | cst.AnnAssign, node: cst.CSTNode) -> bool:
    if statement.value is not node:
        return False
    if isinstance(statement, cst.Assign):
        return any(_target_is_id(t.target) for t in statement.targets)
    return _target_is_id(statement.target)


def _argument_is_id(arg: cst.Arg, call: cst.CSTNode | None) -> bool:
    if arg.keyword is not None:
        return _is_id_name(arg.keyword.value)
    if not isinstance(call, cst.Call):
        return False
    positional = [a for a in call.args if a.keyword is None and not a.star]
    name = dotted_name(call.func)
    if name == "setattr" and len(positional) == 3 and positional[2] is arg:
        return _is_id_name(string_value(positional[1].value))
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "get":
        return len(positional) == 2 and positional[1] is arg and is_class_like(positional[0].value)
    return False

"""The edit that makes names of ``typing`` available to a fix (``Any``, ``Dict``)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from precepts.context import RuleContext
from precepts.facts import dotted_name
from precepts.rule import Change, InsertBefore, Replace


def _typing_import(statement: cst.BaseStatement) -> cst.ImportFrom | None:
    """A one-line ``from typing import a, b`` (not parenthesized, not starred)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if (
        isinstance(small, cst.ImportFrom)
        and not small.relative
        and small.module is not None
        and dotted_name(small.module) == "typing"
        and not isinstance(small.names, cst.ImportStar)
        and small.lpar is None
    ):
        return small
    return None


def _anchor(body: Sequence[cst.BaseStatement]) -> cst.BaseStatement | None:
    """The first statement after the module docstring and ``__future__`` imports."""
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future(body[index]):
        index += 1
    return body[index] if index < len(body) else None


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_future(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and any(
            isinstance(s, cst.ImportFrom) and s.module is not None
            and dotted_name(s.module) == "__future__"
            for s in statement.body
        )
    )  # fmt: skip


def _missing(context: RuleContext, names: Sequence[str]) -> list[str] | None:
    """The names not imported from ``typing`` yet (None when one is bound otherwise)."""
    imports = context.facts.imports
    missing = []
    for name in names:
        bound = imports.get(name)
        if bound == f"typing.{name}":
            continue
        if bound is not None or name in context.facts.defined:
            return None
        missing.append(name)
    return missing


def typing_names(context: RuleContext, names: Sequence[str]) -> list[Change] | None:
    """Return the changes that import ``names`` from ``typing`` (none when all are there).

    An existing one-line ``from typing import ...`` is extended (names sorted); otherwise
    a new import goes after the module docstring and ``__future__`` imports.

    Args:
        context: The rule context.
        names: Names of ``typing`` the fix uses.

    Returns:
        The changes, or None when a name is bound to something else.
    """
    missing = _missing(context, names)
    if not missing:
        return missing
    body = context.module.body
    for statement in body:
        existing = _typing_import(statement)
        if existing is not None:
            have = [dotted_name(alias.name) or "" for alias in existing.names]  # type: ignore[union-attr]
            if any(alias.asname for alias in existing.names):  # type: ignore[union-attr]
                break
            every = sorted({*have, *missing})
            aliases = [cst.ImportAlias(name=cst.Name(name)) for name in every]
            return [Replace(existing, existing.with_changes(names=aliases))]
    anchor = _anchor(body)
    if anchor is None:
        return None
    text = f"from typing import {', '.join(sorted(missing))}\n"
    if not _is_import(anchor):
        text += "\n"  # a blank line between the imports and the code
    return [InsertBefore(anchor, text, whole_line=True)]


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )

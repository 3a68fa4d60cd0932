"""Which loops repeat a statement.

``for``/``while`` bodies and comprehensions, with the loops that do not count (fixed
literals, batching helpers) and the code inside a loop that does not run once per row
(``except`` handlers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.sqlalchemy._orm.bindings import _target_names
from precepts.rules.sqlalchemy._orm.vocabulary import _EMPTY, short_name

if TYPE_CHECKING:
    from precepts.context import RuleContext


@dataclass(frozen=True)
class Loop:
    """A loop around the node being visited.

    Attributes:
        node: The ``for``/``while`` statement or the comprehension.
        kind: ``for``, ``while`` or ``comprehension``.
        iterable: What a ``for`` or comprehension iterates over.
        target: The loop variable(s).
    """

    node: cst.CSTNode
    kind: str
    iterable: cst.BaseExpression | None
    target: cst.BaseExpression | None


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def enclosing_loops(context: RuleContext, node: cst.CSTNode) -> list[Loop]:
    """Return the loops that repeat the node being visited, innermost first.

    Only loops of the same function count; the iterable of a ``for`` and of a
    comprehension's first ``for`` is evaluated once and is not inside the loop.

    Args:
        context: The rule context.
        node: The node being visited (the ancestors are above it).

    Returns:
        The loops.
    """
    ancestors = [*context.ancestors, node]
    loops: list[Loop] = []
    for index in range(len(ancestors) - 2, -1, -1):
        current = ancestors[index]
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            break
        loop = _loop_over(current, ancestors[index + 1 : index + 3])
        if loop is not None:
            loops.append(loop)
    return loops


def _loop_over(node: cst.CSTNode, path: Sequence[cst.CSTNode]) -> Loop | None:
    """Return ``node`` as a loop when the path below it (child, grandchild) repeats."""
    child = path[0]
    if isinstance(node, cst.For):
        return Loop(node, "for", node.iter, node.target) if child is node.body else None
    if isinstance(node, cst.While):
        repeated = child is node.body or child is node.test
        return Loop(node, "while", None, None) if repeated else None
    if isinstance(node, _COMPREHENSIONS):
        first = node.for_in
        grandchild = path[1] if len(path) > 1 else None
        if child is first and (grandchild is first.iter or grandchild is first.target):
            return None  # the first iterable is evaluated once
        return Loop(node, "comprehension", first.iter, first.target)
    return None


def in_error_path(context: RuleContext, loop: Loop) -> bool:
    """Tell whether the node being visited is in an ``except`` handler inside ``loop``.

    Such code runs when an iteration fails, not once per row.

    Args:
        context: The rule context.
        loop: The innermost loop around the node.

    Returns:
        True inside a handler.
    """
    for ancestor in reversed(context.ancestors):
        if ancestor is loop.node:
            return False
        if isinstance(ancestor, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return True
    return False


def is_fixed_literal(context: RuleContext, iterable: cst.BaseExpression | None) -> bool:
    """Tell whether a loop iterates over a fixed literal (``("a", "b")``, ``range(3)``).

    Args:
        context: The rule context.
        iterable: The loop's iterable.

    Returns:
        True for a literal tuple/list/set, a module constant bound to one, or a ``range``
        of integer literals or constants (``range(MAX_RETRIES)``).
    """
    if isinstance(iterable, (cst.Tuple, cst.List, cst.Set)):
        return True
    if isinstance(iterable, cst.Name):
        value = context.facts.values.get(iterable.value)
        return isinstance(value, (cst.Tuple, cst.List, cst.Set))
    if isinstance(iterable, cst.Call) and dotted_name(iterable.func) == "range":
        return all(_is_constant_count(arg.value) for arg in iterable.args)
    return False


def _is_constant_count(node: cst.BaseExpression) -> bool:
    """``3``, ``MAX_RETRIES``, ``self.CREATE_RETRIES``: a count fixed by the code."""
    if isinstance(node, cst.Integer):
        return True
    name = short_name(dotted_name(node))
    return bool(name) and name.isupper()


_BATCH_WORDS = ("chunk", "batch", "page")


def is_batching(loop: Loop) -> bool:
    """Tell whether a loop walks batches rather than rows.

    ``for chunk in chunks(ids, n)``, ``batched(...)``, ``range(0, n, size)``, a loop over
    or into a name saying so (``for batch in id_batches``), and a ``while`` loop that
    slices its work (``chunk = ids[:size]``).

    Args:
        loop: A loop.

    Returns:
        True for a batching loop.
    """
    if loop.kind == "while":
        return _slices_in_body(loop.node)
    # ``for batch in ...`` / ``for chunk in id_chunks``, but not ``for row in batch``.
    if any(word in name.lower() for name in loop_target_names(loop) for word in _BATCH_WORDS):
        return True
    iterable_name = short_name(dotted_name(loop.iterable)).lower()
    if any(f"{word}s" in iterable_name or f"{word}es" in iterable_name for word in _BATCH_WORDS):
        return True
    iterable = loop.iterable
    if not isinstance(iterable, cst.Call):
        return False
    called = short_name(dotted_name(iterable.func)).lower()
    if called == "range":
        return len(iterable.args) == 3
    if called in {"enumerate", "zip"} and iterable.args:
        inner = Loop(loop.node, loop.kind, iterable.args[0].value, None)
        return is_batching(inner)
    return any(word in called for word in _BATCH_WORDS) or called in {"grouper", "partition_all"}


def _slices_in_body(loop: cst.CSTNode) -> bool:
    body = getattr(loop, "body", None)
    if not isinstance(body, cst.IndentedBlock):
        return False
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and _has_slice(small.value):
                    return True
    return False


def _has_slice(value: cst.BaseExpression) -> bool:
    values = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
    return any(
        isinstance(v, cst.Subscript) and any(isinstance(e.slice, cst.Slice) for e in v.slice)
        for v in values
    )


def is_real_loop(context: RuleContext, loop: Loop) -> bool:
    """Tell whether a loop repeats its body over data (not a literal, not batches).

    Args:
        context: The rule context.
        loop: A loop.

    Returns:
        True when it may run many times over rows or ids.
    """
    return not is_fixed_literal(context, loop.iterable) and not is_batching(loop)


def loop_target_names(loop: Loop) -> frozenset[str]:
    """Return the names a loop binds.

    Args:
        loop: A loop.

    Returns:
        The names.
    """
    if loop.target is None:
        return _EMPTY
    return frozenset(n.value for n in _target_names(loop.target))

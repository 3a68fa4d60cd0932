"""What a function's body does, collected during the single traversal.

:class:`FunctionBodyRule` attributes ``return``/``yield``/``raise`` nodes to the
innermost function being walked and hands each function's :class:`BodyFacts` to its
subclass, so no function body is scanned twice; the raise helpers tell which exception
a ``raise`` names and whether a local handler catches it.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Rule


@dataclass(frozen=True)
class RaisedException:
    """An exception a function raises directly.

    Attributes:
        name: The exception as written (``ValueError``, ``errors.NotFound``).
        message: Its literal message, when the raise passes a plain string.
    """

    name: str
    message: str | None


@dataclass
class BodyFacts:
    """What a function's own body does (nested functions and classes excluded).

    Attributes:
        returns_value: A ``return`` with a value other than ``None``.
        yields: A ``yield`` or ``yield from`` (the function is a generator).
        raises: Exceptions raised directly and not caught in the same function.
    """

    returns_value: bool = False
    yields: bool = False
    raises: list[RaisedException] = field(default_factory=list)


class FunctionBodyRule(Rule):
    """Base of rules that need :class:`BodyFacts` about the functions they check.

    Subclasses implement :meth:`check_function`, called when a function has been
    walked completely. Lambdas and class bodies are barriers: what happens inside them
    is not attributed to the enclosing function.
    """

    def setup(self) -> None:
        """Start with no function, lambda or class being walked."""
        # One frame per function, lambda or class being walked (None for the barriers).
        self._frames: list[BodyFacts | None] = []

    def check_function(self, node: cst.FunctionDef, facts: BodyFacts) -> None:
        """Check a function once its body has been walked.

        Args:
            node: The function.
            facts: What its own body does.
        """

    def _push(self, frame: BodyFacts | None) -> None:
        self._frames.append(frame)

    def _top(self) -> BodyFacts | None:
        return self._frames[-1] if self._frames else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Start collecting facts for a function."""
        self._push(BodyFacts())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Hand the function's facts to :meth:`check_function`."""
        facts = self._frames.pop()
        if facts is not None:
            self.check_function(node, facts)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        """Keep what happens in a lambda out of the enclosing function."""
        self._push(None)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        """Leave a lambda."""
        self._frames.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Keep what happens in a class body out of the enclosing function."""
        self._push(None)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Leave a class body."""
        self._frames.pop()

    def visit_Return(self, node: cst.Return) -> None:
        """Record a ``return`` with a value."""
        frame = self._top()
        if frame is not None and node.value is not None and not _is_none(node.value):
            frame.returns_value = True

    def visit_Yield(self, node: cst.Yield) -> None:
        """Record a ``yield``."""
        frame = self._top()
        if frame is not None:
            frame.yields = True

    def visit_Raise(self, node: cst.Raise) -> None:
        """Record an exception raised directly and not caught in the same function."""
        frame = self._top()
        if frame is None:
            return
        raised = raised_exception(node)
        if raised is None or _caught_locally(raised.name, self.context.ancestors):
            return
        if all(known.name != raised.name for known in frame.raises):
            frame.raises.append(raised)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def raised_exception(node: cst.Raise) -> RaisedException | None:
    """Return the exception a ``raise`` statement raises, when it names a class.

    ``raise`` alone and ``raise error`` (a variable, so a re-raise) give None: only
    ``raise Name`` / ``raise Name(...)`` with a CapWords class name count.

    Args:
        node: The raise statement.

    Returns:
        The exception, or None.
    """
    exc = node.exc
    message = None
    if isinstance(exc, cst.Call):
        message = _literal_message(exc)
        exc = exc.func
    name = dotted_name(exc)
    if name is None or not name.rsplit(".", 1)[-1][:1].isupper():
        return None
    return RaisedException(name, message)


def _literal_message(call: cst.Call) -> str | None:
    if not call.args or call.args[0].keyword is not None:
        return None
    value = call.args[0].value
    if not isinstance(value, cst.SimpleString) or "b" in value.prefix.lower():
        return None
    text = value.evaluated_value
    return text if isinstance(text, str) else None


def _caught_locally(name: str, ancestors: Sequence[cst.CSTNode]) -> bool:
    # Walk up to the enclosing function: a raise inside the body of a ``try`` whose
    # handler catches it does not leave the function.
    child: cst.CSTNode | None = None
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body:
            if any(_handler_catches(handler.type, name) for handler in ancestor.handlers):
                return True
        child = ancestor
    return False


def _handler_catches(caught: cst.BaseExpression | None, name: str) -> bool:
    if caught is None:
        return True
    if isinstance(caught, cst.Tuple):
        return any(_handler_catches(element.value, name) for element in caught.elements)
    written = dotted_name(caught)
    if written is None:
        return False
    short, raised = written.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1]
    if short in {raised, "Exception", "BaseException"}:
        return True
    # Builtin hierarchy (``except LookupError`` catches ``KeyError``).
    parent, child = getattr(builtins, short, None), getattr(builtins, raised, None)
    return (
        isinstance(parent, type)
        and isinstance(child, type)
        and issubclass(parent, BaseException)
        and issubclass(child, parent)
    )

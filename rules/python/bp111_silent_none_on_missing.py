"""BP111 silent-none-on-missing: a lookup that may find nothing, returned as if it could not."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.fastapi import _routes

# Methods that return None when no row matches.
_EMPTY_HANDED = frozenset({"first", "one_or_none", "scalar_one_or_none"})
# Receivers of ``.get(...)`` that look up rows (``session.get(User, 1)``), unlike dicts.
_SESSION_NAMES = frozenset({"session", "db", "query", "sess", "db_session", "async_session"})
# Return annotations under which returning None is part of the contract.
_NONE_ALLOWED = frozenset({"Optional", "Any", "object", "None", "NoReturn", "Never"})
_SKIP, _STRICT, _LOOSE = "skip", "strict", "loose"
# Statements that leave an ``if x is None:`` body before the code after it runs.
_EXITS = (cst.Raise, cst.Return, cst.Continue, cst.Break)


@dataclass
class _Frame:
    """What is known about the function being walked."""

    node: cst.FunctionDef
    kind: str
    unchecked: dict[str, str] = field(default_factory=dict)
    returns: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    generator: bool = False


class SilentNoneOnMissing(Rule):
    """Flags functions that promise a value but return a lookup that may be None."""

    code = "BP111"
    name = "silent-none-on-missing"
    family = "python"
    section = "Error Handling & Validation"
    message = "This function may return None silently when nothing is found"
    summary = (
        "A function annotated to return a non-Optional type that returns `None`, or the "
        "result of `.first()`, `.one_or_none()`, `.scalar_one_or_none()` or "
        "`session.get(...)` (directly, or through a variable with no `if x is None:` / "
        "`if not x:` check that raises or returns before the `return`). A public function "
        "with no return annotation that returns such a lookup unchecked is flagged too: it "
        'is exactly the standard\'s "Silent failures" ❌, whose `get_user(user_id)` has no '
        "annotation."
    )
    why = (
        "A lookup that finds nothing returns None. When the function's contract says it "
        "returns a `User`, the None travels on until something far away fails with "
        "`AttributeError: 'NoneType' object has no attribute ...`, or worse, until a None is "
        "serialised as a valid answer. Raise a specific not-found error where the absence is "
        "detected, or say `Optional[User]` / `User | None` so callers and type checkers must "
        "handle it."
    )
    leaves_alone = (
        "Functions annotated `Optional[...]`, `X | None`, `Union[..., None]`, `None`, `Any` or "
        "`object`; generators; `.get(...)` on anything that does not look like a session or "
        "query (`settings.get(key)` on a dict is fine); variables checked with `if x is None:` "
        "/ `if not x:` (raising or returning), `assert x is not None`, or returned inside "
        "`if x:`. Private (`_x`) unannotated helpers and unannotated functions of tests, "
        "whose contract is unknown, and literal `return None` in unannotated functions. "
        "FastAPI route handlers returning a lookup are BP305's (unhandled-missing-resource), "
        "which asks for the 404 a route needs."
    )
    bad = (
        Example(
            "from sqlalchemy import select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def find_user(session: Session, email: str) -> User:\n"
            '    """Load the user with this email."""\n'
            "    return session.scalars(select(User).where(User.email == email)).first()\n",
            line=9,
        ),
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def get_user(session: Session, user_id: int) -> User:\n"
            '    """Load a user by id."""\n'
            "    user = session.get(User, user_id)\n"
            "    return user\n",
            line=9,
        ),
    )
    good = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "class UserNotFoundError(LookupError):\n"
            '    """No user has this id."""\n'
            "\n"
            "\n"
            "def get_user(session: Session, user_id: int) -> User:\n"
            '    """Load a user by id."""\n'
            "    user = session.get(User, user_id)\n"
            "    if user is None:\n"
            "        raise UserNotFoundError(user_id)\n"
            "    return user\n"
        ),
        Example(
            "from sqlalchemy import select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def find_user(session: Session, email: str) -> User | None:\n"
            '    """Load the user with this email, if there is one."""\n'
            "    return session.scalars(select(User).where(User.email == email)).first()\n"
        ),
    )

    def setup(self) -> None:
        """Start with no enclosing function."""
        self._frames: list[_Frame] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Enter a function: decide how strict its return contract is."""
        self._frames.append(_Frame(node, self._contract(node)))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Leave a function: report its silent returns (generators may return bare)."""
        frame = self._frames.pop()
        if frame.generator:
            return
        returns = frame.returns
        if returns and _routes.route_of(self.context, node) is not None:
            # A route handing back a lookup is BP305's (with the 404 it needs): one finding.
            returns = [
                (where, message) for where, message in returns if isinstance(where, cst.Return)
            ]
        for where, message in returns:
            self.report(where, message)

    def visit_Yield(self, node: cst.Yield) -> None:
        """Remember that the function is a generator."""
        if self._frames:
            self._frames[-1].generator = True

    def visit_Assign(self, node: cst.Assign) -> None:
        """Track variables bound to a lookup (and forget rebound ones)."""
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Track annotated variables bound to a lookup."""
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_If(self, node: cst.If) -> None:
        """An ``if x is None: raise/return`` checks ``x`` for the code after it."""
        if not self._frames or not _terminates(node.body):
            return
        unchecked = self._frames[-1].unchecked
        for name in _none_tests(node.test):
            unchecked.pop(name, None)

    def visit_Assert(self, node: cst.Assert) -> None:
        """An ``assert x is not None`` checks ``x``."""
        if self._frames:
            for name in _value_tests(node.test):
                self._frames[-1].unchecked.pop(name, None)

    def visit_Return(self, node: cst.Return) -> None:
        """Record a return that may hand back None."""
        if not self._frames or self._frames[-1].kind == _SKIP:
            return
        frame = self._frames[-1]
        value = node.value
        if value is None or _is_none(value):
            if frame.kind == _STRICT:
                frame.returns.append((node, self._strict_message(frame, None)))
            return
        found = _lookup(value)
        if found is None and isinstance(value, cst.Name) and value.value in frame.unchecked:
            if not self._guarded(value.value):
                found = frame.unchecked[value.value]
        if found is not None:
            message = (
                self._strict_message(frame, found)
                if frame.kind == _STRICT
                else self._loose_message(frame, found)
            )
            frame.returns.append((value, message))

    def _contract(self, node: cst.FunctionDef) -> str:
        if node.returns is None:
            public = not node.name.value.startswith("_")
            return _LOOSE if public and not self.context.is_test else _SKIP
        return _SKIP if self._allows_none(node.returns.annotation) else _STRICT

    def _allows_none(self, annotation: cst.BaseExpression) -> bool:
        if isinstance(annotation, cst.SimpleString):
            return _string_allows_none(annotation)
        if isinstance(annotation, cst.BinaryOperation):
            return self._allows_none(annotation.left) or self._allows_none(annotation.right)
        if isinstance(annotation, cst.Subscript):
            head = _short(self.context.facts.qualify(annotation.value))
            if head == "Union":
                return any(self._allows_none(arg) for arg in _subscript_args(annotation))
            if head == "Annotated":
                return any(self._allows_none(arg) for arg in _subscript_args(annotation)[:1])
            return head in _NONE_ALLOWED
        return _short(self.context.facts.qualify(annotation)) in _NONE_ALLOWED

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not self._frames or not isinstance(target, cst.Name):
            return
        unchecked = self._frames[-1].unchecked
        found = _lookup(value)
        if found is None:
            unchecked.pop(target.value, None)
        else:
            unchecked[target.value] = found

    def _guarded(self, name: str) -> bool:
        # ``if user: return user`` (or ``if user is not None:``) returns a checked value.
        below: cst.CSTNode | None = None
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.FunctionDef):
                return False
            if isinstance(ancestor, cst.If) and ancestor.body is below:
                if name in _value_tests(ancestor.test):
                    return True
            below = ancestor
        return False

    def _strict_message(self, frame: _Frame, found: str | None) -> str:
        returns = frame.node.returns
        annotation = self.context.code_for(returns.annotation) if returns else "?"
        what = f"the result of `{found}`, which is None when nothing is found" if found else "None"
        return (
            f"`{frame.node.name.value}` is annotated `-> {annotation}` but returns {what}: "
            f"raise a not-found error, or annotate `{self._optional(annotation)}`"
        )

    def _loose_message(self, frame: _Frame, found: str) -> str:
        return (
            f"`{frame.node.name.value}` returns the result of `{found}` unchecked: callers "
            "silently get None when nothing is found; raise a not-found error, or annotate "
            f"the return `{self._optional('...')}`"
        )

    def _optional(self, annotation: str) -> str:
        # ``X | None`` needs Python 3.10 at run time (PEP 604): older targets get Optional.
        if self.context.target_version >= (3, 10):
            return f"{annotation} | None"
        return f"Optional[{annotation}]"


def _short(name: str | None) -> str:
    return name.rsplit(".", 1)[-1] if name else ""


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _subscript_args(node: cst.Subscript) -> list[cst.BaseExpression]:
    args = []
    for element in node.slice:
        if isinstance(element.slice, cst.Index):
            args.append(element.slice.value)
    return args


def _string_allows_none(node: cst.SimpleString) -> bool:
    # A quoted annotation: judge its words rather than parsing it again.
    text = str(node.evaluated_value)
    return any(word in text for word in ("None", "Optional", "Any"))


def _lookup(node: cst.BaseExpression) -> str | None:
    """Describe a call that returns None when nothing matches (``.first()``), else None."""
    if isinstance(node, cst.Await):
        node = node.expression
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    method = node.func.attr.value
    if method in _EMPTY_HANDED and not node.args:
        return f".{method}()"
    if method == "get" and _session_like(node.func.value):
        receiver = dotted_name(node.func.value)
        return f"{receiver}.get()" if receiver else ".get()"
    return None


def _session_like(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Call):
        # ``db.query(User).get(1)``
        return isinstance(node.func, cst.Attribute) and node.func.attr.value == "query"
    name = dotted_name(node)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return last in _SESSION_NAMES or last.endswith(("session", "_db"))


def _terminates(body: cst.BaseSuite) -> bool:
    """Tell whether an ``if`` body ends the function or the loop (raise/return/continue)."""
    lines = [body] if isinstance(body, cst.SimpleStatementSuite) else body.body
    for line in lines:
        if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if any(isinstance(s, _EXITS) for s in line.body):
                return True
    return False


def _none_tests(test: cst.BaseExpression) -> set[str]:
    """Names a test is true for when they are None (``not x``, ``x is None``, ``or``)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return _none_tests(test.left) | _none_tests(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _names(test.expression)
    return _compared_with_none(test, (cst.Is, cst.Equal))


def _value_tests(test: cst.BaseExpression) -> set[str]:
    """Names a test is only true for when they are not None (``x``, ``x is not None``)."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _value_tests(test.left) | _value_tests(test.right)
    if isinstance(test, cst.Call) and dotted_name(test.func) == "isinstance" and test.args:
        return _names(test.args[0].value)
    return _names(test) or _compared_with_none(test, (cst.IsNot, cst.NotEqual))


def _compared_with_none(
    test: cst.BaseExpression, operators: tuple[type[cst.BaseCompOp], ...]
) -> set[str]:
    """Return ``{x}`` for ``x <operator> None`` with one of ``operators``, else nothing."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return set()
    target = test.comparisons[0]
    if isinstance(target.operator, operators) and _is_none(target.comparator):
        return _names(test.left)
    return set()


def _names(node: cst.BaseExpression) -> set[str]:
    return {node.value} if isinstance(node, cst.Name) else set()

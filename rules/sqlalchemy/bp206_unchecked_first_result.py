"""BP206 unchecked-first-result: using a ``.first()`` result without a ``None`` check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability
from precepts.rule import Example, FixSpec, InsertAfter, Option, Rule
from precepts.rules.fastapi import _routes
from precepts.rules.sqlalchemy import _orm

if TYPE_CHECKING:
    from precepts.context import RuleContext

# Names known not to be None on a path: name → True (checked) / False (unchecked).
State = dict[str, bool]

_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route"}
)
_USE_MESSAGE = (
    "`{name}` may be None (the query can find no row): check `if {name} is None:` or "
    "`assert {name} is not None` before using it"
)
# Calls that never return (``abort(404)`` in Flask, ``pytest.fail``, ``sys.exit``).
_NO_RETURN = frozenset({"abort", "fail", "exit", "_exit", "skip"})


@dataclass(frozen=True)
class _Tracked:
    """Where a possibly-None result was assigned."""

    line: cst.SimpleStatementLine | None
    entity: str


class UncheckedFirstResult(Rule):
    """Flags attribute access on ``.first()``/``.one_or_none()``/``session.get()`` results."""

    code = "BP206"
    name = "unchecked-first-result"
    family = "sqlalchemy"
    section = "Type Assertions After Queries"
    message = "A query result that may be None is used without a `None` check"
    summary = (
        "Attribute access (read or write) on a variable assigned from `.first()`, "
        "`.one_or_none()`, `.scalar_one_or_none()`, `session.get(Model, ...)`, "
        "`query.get(...)` or `session.scalar(select(Model)...)`, with no check on the "
        "way: `if x is None: raise/return`, `if not x: raise/return/continue`, `assert x is "
        "not None`, `assert x`; uses inside `if x:` / `if x is not None:` / `x and x.attr` / "
        "`x.attr if x else ...` count as checked. Also `.first().attr` chained directly."
    )
    why = (
        "These calls return None when no row matches. `user.hashed_password` on a None "
        "fails far from the cause with `AttributeError: 'NoneType' object has no attribute` "
        "(a 500 instead of a 404), and the type checker reports `Optional` member access on "
        "every such line. An explicit check documents the missing case and narrows the type."
    )
    leaves_alone = (
        "Results that are only passed on or returned (the caller checks them); aggregate "
        "queries (`query(func.count(...)).first()` always returns a row); `.one()` / "
        "`.scalar_one()` (they raise instead of returning None); test files (a None fails "
        "the test anyway; option `check-tests`). Module-level scripts are not followed "
        "across statements."
    )
    fix_description = (
        "Inserts `assert x is not None` after the assignment; in a FastAPI route "
        "(`@app.get`/`@router.post`...) inserts `if x is None: raise "
        'HTTPException(status_code=404, detail="User not found")` instead, importing '
        "`HTTPException` from `fastapi` when the module already imports from it."
    )
    fix_applicability = Applicability.UNSAFE
    options = {"check-tests": Option(False, "Also check test files.")}
    bad = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def email_of(db: Session, user_id: int) -> str:\n"
            '    """Return a user\'s email."""\n'
            "    user = db.query(User).filter(User.id == user_id).first()\n"
            "    # the email is what the caller needs\n"
            "    return str(user.email)\n",
            line=10,
            fixed="from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def email_of(db: Session, user_id: int) -> str:\n"
            '    """Return a user\'s email."""\n'
            "    user = db.query(User).filter(User.id == user_id).first()\n"
            "    assert user is not None\n"
            "    # the email is what the caller needs\n"
            "    return str(user.email)\n",
        ),
    )
    good = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.errors import UserNotFoundError\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def email_of(db: Session, user_id: int) -> str:\n"
            '    """Return a user\'s email.\n'
            "\n"
            "    Args:\n"
            "        db: The session.\n"
            "        user_id: The user's id.\n"
            "\n"
            "    Returns:\n"
            "        The email.\n"
            "\n"
            "    Raises:\n"
            "        UserNotFoundError: When there is no such user.\n"
            '    """\n'
            "    user = db.query(User).filter(User.id == user_id).first()\n"
            "    if user is None:\n"
            "        raise UserNotFoundError(user_id)\n"
            "    return str(user.email)\n"
        ),
    )

    def setup(self) -> None:
        """Start a file with no function to analyse."""
        self._pending: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        """Note functions that hold a possibly-None result; flag ``.first().attr``."""
        if _orm.method_of(node) not in _CANDIDATES or not self._active():
            return
        entity = self.maybe_none(node)
        if entity is None:
            return
        parent = self.context.parent
        if isinstance(parent, cst.Attribute) and parent.value is node:
            self.report(parent, "The query may return None: check the result before using it")
            return
        function = _orm.enclosing_function(self.context)
        if function is not None:
            self._pending.add(id(function))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Follow the function's flow when it holds a possibly-None result."""
        if id(node) in self._pending:
            self._pending.discard(id(node))
            _Flow(self, node).run()

    def _active(self) -> bool:
        return not self.context.is_test or bool(self.option("check-tests"))

    def maybe_none(self, call: cst.BaseExpression) -> str | None:
        """Return the entity name (or "") when ``call`` may return None, else None.

        Args:
            call: An expression (``await`` allowed).

        Returns:
            The model's name, "" when unknown, or None when the value cannot be None.
        """
        return maybe_none_entity(self.context, call)

    # -- reporting ------------------------------------------------------------------

    def flag(
        self, name: str, use: cst.CSTNode, tracked: _Tracked, function: cst.FunctionDef
    ) -> None:
        """Report an unchecked use of ``name``, with the fix for its assignment.

        Args:
            name: The variable.
            use: The attribute access (or `setattr`/`getattr` call).
            tracked: Where it was assigned.
            function: The function analysed.
        """
        self.report(use, _USE_MESSAGE.format(name=name), fix=self._fix(name, tracked, function))

    def _fix(self, name: str, tracked: _Tracked, function: cst.FunctionDef) -> FixSpec | None:
        line = tracked.line
        if line is None or len(line.body) != 1:
            return None
        if _is_route(self, function):
            raise_fix = self._raise_fix(name, tracked, line)
            if raise_fix is not None:
                return raise_fix
        return self.fix(
            f"Insert `assert {name} is not None`",
            InsertAfter(line, f"assert {name} is not None", whole_line=True),
        )

    def _raise_fix(
        self, name: str, tracked: _Tracked, line: cst.SimpleStatementLine
    ) -> FixSpec | None:
        facts = self.context.facts
        changes: list[InsertAfter] = []
        if "HTTPException" in facts.imports:
            exception = "HTTPException"
        else:
            module_alias = next((k for k, v in facts.imports.items() if v == "fastapi"), None)
            if module_alias is not None:
                exception = f"{module_alias}.HTTPException"
            else:
                last_alias = self.context.module_query(_routes.last_from_import, "fastapi")
                if last_alias is None:
                    return None
                exception = "HTTPException"
                changes.append(InsertAfter(last_alias, ", HTTPException"))
        status = facts.imports.get("status", "")
        code = "status.HTTP_404_NOT_FOUND" if status.endswith(".status") else "404"
        detail = f"{tracked.entity or 'Resource'} not found"
        indent = self.context.module.default_indent
        text = (
            f'if {name} is None:\n{indent}raise {exception}(status_code={code}, detail="{detail}")'
        )
        changes.append(InsertAfter(line, text, whole_line=True))
        return self.fix(f"Raise a 404 when `{name}` is None", *changes)


_CANDIDATES = _orm.MAYBE_NONE_METHODS | {"get", "scalar"}


def maybe_none_entity(context: RuleContext, call: cst.BaseExpression) -> str | None:
    """Return the entity name (or "") when a query call may return None, else None.

    Shared with BP305, which reports the same results when a route returns them.

    Args:
        context: The rule context.
        call: An expression (``await`` allowed).

    Returns:
        The model's name, "" when unknown, or None when the value cannot be None.
    """
    call = _orm.unwrap_await(call)
    method = _orm.method_of(call)
    if method not in _CANDIDATES:
        return None
    query = _orm.query_of(context, call)
    if query is None or _orm.is_aggregate(context, query):
        return None
    entities = _orm.entities_of(context, query)
    first = entities[0] if entities else None
    if not _may_be_none(method, call, query, first):  # type: ignore[arg-type]
        return None
    return _orm.short_name(dotted_name(first)) if len(entities) == 1 else ""


def _may_be_none(
    method: str, call: cst.Call, query: _orm.Query, first: cst.BaseExpression | None
) -> bool:
    """Tell whether a single-row method of a query returns None on no row."""
    if method in _orm.MAYBE_NONE_METHODS:
        return True
    if method == "get":
        # session.get(Model, id), or the 1.x query(Model).get(id)
        if query.root is call:
            return _orm.is_class_like(first)
        return query.legacy
    # scalar(): None when it selects a model that may be missing (not a count).
    return _orm.is_class_like(first)


def _is_route(rule: Rule, function: cst.FunctionDef) -> bool:
    facts = rule.context.facts
    fastapi = any(v.split(".", 1)[0] == "fastapi" for v in facts.imports.values())
    for decorator in function.decorators:
        target = decorator.decorator
        if not isinstance(target, cst.Call) or not isinstance(target.func, cst.Attribute):
            continue
        owner = dotted_name(target.func.value) or ""
        if target.func.attr.value not in _ROUTE_METHODS:
            continue
        if owner in facts.apps or owner in facts.routers:
            return True
        if fastapi and owner in {"app", "router"}:
            return True
    return False


# ----------------------------------------------------------------------------------
# Flow


def _positive(test: cst.BaseExpression) -> frozenset[str]:
    """Names that are not None when ``test`` is true."""
    if isinstance(test, cst.Name):
        return frozenset({test.value})
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _negative(test.expression)
    if isinstance(test, cst.BooleanOperation):
        left, right = _positive(test.left), _positive(test.right)
        return left | right if isinstance(test.operator, cst.And) else left & right
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, (cst.IsNot, cst.NotEqual)) and _is_none(target.comparator):
            return _name_set(test.left)
    if isinstance(test, cst.Call) and dotted_name(test.func) == "isinstance" and test.args:
        return _name_set(test.args[0].value)
    return frozenset()


def _negative(test: cst.BaseExpression) -> frozenset[str]:
    """Names that are not None when ``test`` is false."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _positive(test.expression)
    if isinstance(test, cst.BooleanOperation):
        left, right = _negative(test.left), _negative(test.right)
        return left | right if isinstance(test.operator, cst.Or) else left & right
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        if isinstance(target.operator, (cst.Is, cst.Equal)) and _is_none(target.comparator):
            return _name_set(test.left)
    return frozenset()


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _name_set(node: cst.BaseExpression) -> frozenset[str]:
    return frozenset({node.value}) if isinstance(node, cst.Name) else frozenset()


def _mark(state: State, names: frozenset[str]) -> State:
    if not names & state.keys():
        return state
    return {name: checked or name in names for name, checked in state.items()}


def _merge(outcomes: Sequence[tuple[State, bool]]) -> tuple[State, bool]:
    """Join the states of branches; a name is checked only if every live branch checked it."""
    live = [state for state, ended in outcomes if not ended]
    if not live:
        return outcomes[0][0], True
    names = set().union(*live)
    return {name: all(state.get(name, True) for state in live) for name in names}, False


def _suite(suite: cst.BaseSuite | None) -> Sequence[cst.CSTNode]:
    if isinstance(suite, cst.IndentedBlock):
        return suite.body
    if isinstance(suite, cst.SimpleStatementSuite):
        return suite.body
    return ()


class _Flow:
    """Walks one function's statements in order, tracking which results are checked."""

    def __init__(self, rule: UncheckedFirstResult, function: cst.FunctionDef) -> None:
        self.rule = rule
        self.function = function
        self.tracked: dict[str, _Tracked] = {}
        self.reported: set[str] = set()
        self.line: cst.SimpleStatementLine | None = None

    def run(self) -> None:
        """Analyse the whole body."""
        self.block(_suite(self.function.body), {})

    def block(self, statements: Sequence[cst.CSTNode], state: State) -> tuple[State, bool]:
        """Walk statements in order; stop at one that always leaves the block."""
        for statement in statements:
            state, ended = self.statement(statement, state)
            if ended:
                return state, True
        return state, False

    def statement(self, node: cst.CSTNode, state: State) -> tuple[State, bool]:
        """Walk one statement."""
        if isinstance(node, cst.SimpleStatementLine):
            self.line = node
            outcome = self.block(node.body, state)
            self.line = None
            return outcome
        if isinstance(node, cst.If):
            return self.if_statement(node, state)
        if isinstance(node, (cst.For, cst.While)):
            self.expression(node.iter if isinstance(node, cst.For) else node.test, state)
            after, _ = self.block(_suite(node.body), dict(state))
            merged, _ = _merge([(state, False), (after, False)])
            if node.orelse is not None:
                return self.block(_suite(node.orelse.body), merged)
            return merged, False
        if isinstance(node, cst.With):
            for item in node.items:
                self.expression(item.item, state)
            return self.block(_suite(node.body), state)
        if isinstance(node, (cst.Try, cst.TryStar)):
            return self.try_statement(node, state)
        if isinstance(node, cst.Match):
            self.expression(node.subject, state)
            cases = [self.block(_suite(case.body), dict(state)) for case in node.cases]
            return _merge([*cases, (state, False)])
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return state, False
        return self.small(node, state)

    def if_statement(self, node: cst.If, state: State) -> tuple[State, bool]:
        """Walk both branches with what the test proves, then join them."""
        self.expression(node.test, state)
        body = self.block(_suite(node.body), _mark(state, _positive(node.test)))
        negative = _mark(state, _negative(node.test))
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            other = self.if_statement(orelse, negative)
        elif orelse is not None:
            other = self.block(_suite(orelse.body), negative)
        else:
            other = (negative, False)
        return _merge([body, other])

    def try_statement(self, node: cst.Try | cst.TryStar, state: State) -> tuple[State, bool]:
        """Walk a ``try``: the body, each handler from the state before, then ``finally``."""
        body = self.block(_suite(node.body), state)
        if node.orelse is not None and not body[1]:
            body = self.block(_suite(node.orelse.body), body[0])
        handlers = [self.block(_suite(h.body), dict(state)) for h in node.handlers]
        merged = _merge([body, *handlers])
        if node.finalbody is not None:
            final = self.block(_suite(node.finalbody.body), merged[0])
            return final[0], merged[1] or final[1]
        return merged

    def small(self, node: cst.CSTNode, state: State) -> tuple[State, bool]:
        """Walk a small statement: uses first, then what it binds or proves."""
        if isinstance(node, (cst.Assign, cst.AnnAssign)):
            return self.assignment(node, state), False
        if isinstance(node, cst.Assert):
            self.expression(node.test, state)
            return _mark(state, _positive(node.test)), False
        if isinstance(node, (cst.Return, cst.Raise)):
            for child in node.children:
                self.expression(child, state)
            return state, True
        if isinstance(node, (cst.Continue, cst.Break)):
            return state, True
        if isinstance(node, cst.Expr):
            self.expression(node.value, state)
            return state, _never_returns(node.value)
        for child in node.children:
            self.expression(child, state)
        return state, False

    def assignment(self, node: cst.Assign | cst.AnnAssign, state: State) -> State:
        """Record a possibly-None result, or forget a name rebound to something else."""
        value = node.value
        if value is not None:
            self.expression(value, state)
        targets = (
            [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        )
        state = dict(state)
        for target in targets:
            if isinstance(target, cst.Name):
                entity = self.rule.maybe_none(value) if value is not None else None
                if entity is not None:
                    state[target.value] = False
                    self.tracked[target.value] = _Tracked(self.line, entity)
                else:
                    state.pop(target.value, None)
            else:
                self.expression(target, state)
        return state

    def expression(
        self, node: cst.CSTNode, state: State, guarded: frozenset[str] = frozenset()
    ) -> None:
        """Report attribute access on unchecked names in an expression."""
        if not state or all(state.values()):
            return
        name = _used_object(node)
        if name is not None and state.get(name) is False and name not in guarded:
            self.use(name, node)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            return
        if isinstance(node, (cst.BooleanOperation, cst.IfExp)):
            self.guarded_expression(node, state, guarded)
            return
        if isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            return  # runs later, if at all
        for child in node.children:
            self.expression(child, state, guarded)

    def guarded_expression(
        self, node: cst.BooleanOperation | cst.IfExp, state: State, guarded: frozenset[str]
    ) -> None:
        """``x and x.a`` / ``x.a if x else d``: the right side runs only when ``x`` is set."""
        if isinstance(node, cst.IfExp):
            self.expression(node.test, state, guarded)
            self.expression(node.body, state, guarded | _positive(node.test))
            self.expression(node.orelse, state, guarded | _negative(node.test))
            return
        self.expression(node.left, state, guarded)
        is_and = isinstance(node.operator, cst.And)
        proved = _positive(node.left) if is_and else _negative(node.left)
        self.expression(node.right, state, guarded | proved)

    def use(self, name: str, node: cst.Attribute | cst.Call) -> None:
        """Report the first unchecked use of a name."""
        if name in self.reported:
            return
        self.reported.add(name)
        tracked = self.tracked.get(name)
        if tracked is not None:
            self.rule.flag(name, node, tracked, self.function)


def _used_object(node: cst.CSTNode) -> str | None:
    """Return ``x`` when ``node`` fails on ``x = None``, else None.

    That is ``x.a``, ``setattr(x, "a", v)`` and ``getattr(x, "a")``.

    ``setattr`` counts because BP205's own fix writes it and must not hide the missing
    check; ``getattr`` with a default does not fail on None, so it is no use of ``x``.
    """
    if isinstance(node, cst.Attribute):
        return node.value.value if isinstance(node.value, cst.Name) else None
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
        return None
    wanted = {"setattr": 3, "getattr": 2}.get(node.func.value)
    args = node.args
    if wanted is None or len(args) != wanted or any(a.keyword or a.star for a in args):
        return None
    first = args[0].value
    return first.value if isinstance(first, cst.Name) else None


def _never_returns(value: cst.BaseExpression) -> bool:
    value = _orm.unwrap_await(value)
    if not isinstance(value, cst.Call):
        return False
    return _orm.short_name(dotted_name(value.func)) in _NO_RETURN

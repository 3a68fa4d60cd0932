"""BP305 unhandled-missing-resource: a route returns a query result that may be None."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule
from precepts.rules.fastapi import _routes
from precepts.rules.sqlalchemy.bp206_unchecked_first_result import maybe_none_entity

_MESSAGE = (
    "This route returns `{what}`, which is None when no row matches: raise "
    "`HTTPException(status_code=status.HTTP_404_NOT_FOUND)` first"
)


class UnhandledMissingResource(Rule):
    """Flags routes that hand a possibly-None query result to the client unchecked."""

    code = "BP305"
    name = "unhandled-missing-resource"
    family = "fastapi"
    section = "Route Handlers"
    message = (
        "This route returns a query result that is None when no row matches: raise a 404 first"
    )
    summary = (
        "In a route handler: `return` of a `.first()`/`.one_or_none()`/"
        "`.scalar_one_or_none()`/`session.get(Model, id)`/`query.get(id)` result, directly "
        "or through a variable, or that variable passed on (`UserResponse.model_validate"
        "(user)`), with no `None` check of it anywhere in the handler."
    )
    why = (
        "FastAPI turns a returned None into `null` (or a 500 when a response model "
        "validates it) instead of the 404 the client needs; the standard's handlers check "
        "the result and raise `HTTPException(status_code=status.HTTP_404_NOT_FOUND)`."
    )
    leaves_alone = (
        "Results whose attributes are used (`user.email`): BP206 reports those, with a fix "
        "that inserts the 404, so one spot gets one finding; results tested anywhere in the "
        "handler (`if not user:`, `if user is None:`, `assert user`, `user or ...`) or "
        "handed to a helper whose result is dropped (`_raise_if_not_found(user)`); "
        "aggregates and `.one()`; functions that are not route handlers (BP111 reports "
        "those; in a route, BP305 takes the place of BP111's finding on the same `return`)."
    )
    bad = (
        Example(
            "from fastapi import APIRouter, Depends\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.database import get_db\n"
            "from app.models import User\n"
            "from app.schemas import UserResponse\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int, db: Session = Depends(get_db)) -> UserResponse:\n"
            '    """Return one user."""\n'
            "    return db.query(User).filter(User.id == user_id).first()\n",
            line=14,
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter, Depends, HTTPException, status\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.database import get_db\n"
            "from app.models import User\n"
            "from app.schemas import UserResponse\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int, db: Session = Depends(get_db)) -> UserResponse:\n"
            '    """Return one user."""\n'
            "    user = db.get(User, user_id)\n"
            "    if user is None:\n"
            "        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)\n"
            "    return user\n"
        ),
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Follow a route handler's possibly-None results to its returns."""
        if self.context.is_test or _routes.route_of(self.context, node) is None:
            return
        scan = _Scan(self)
        node.body.visit(scan)
        for value in scan.direct:
            self.report(value, _MESSAGE.format(what=self.context.code_for(value).strip()))
        for name, uses in scan.uses.items():
            if name in scan.tracked and name not in scan.tested and name not in scan.attributed:
                for use in uses:
                    self.report(use, _MESSAGE.format(what=name))
                    break


class _Scan(cst.CSTVisitor):
    """Collects, in one handler: possibly-None results, their tests, uses and returns."""

    def __init__(self, rule: UnhandledMissingResource) -> None:
        self.rule = rule
        self.tracked: set[str] = set()
        self.tested: set[str] = set()
        self.attributed: set[str] = set()
        self.uses: dict[str, list[cst.CSTNode]] = {}
        self.direct: list[cst.BaseExpression] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        if maybe_none_entity(self.rule.context, node.value) is None:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.tracked.add(target.target.value)

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if value is None:
            return
        if maybe_none_entity(self.rule.context, value) is not None:
            self.direct.append(value)
        elif isinstance(value, cst.Name):
            self.uses.setdefault(value.value, []).append(value)
        elif isinstance(value, cst.Call):
            for arg in value.args:
                if isinstance(arg.value, cst.Name):
                    self.uses.setdefault(arg.value.value, []).append(arg.value)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name):
            self.attributed.add(node.value.value)

    def visit_Expr(self, node: cst.Expr) -> None:
        # ``_raise_if_not_found(asset, "...")``: a call whose result is dropped checks.
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if isinstance(value, cst.Call):
            for arg in value.args:
                if isinstance(arg.value, cst.Name):
                    self.tested.add(arg.value.value)

    def visit_If(self, node: cst.If) -> None:
        self._tested(node.test)

    def visit_While(self, node: cst.While) -> None:
        self._tested(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._tested(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._tested(node.test)

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        self._tested(node.left)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(node.value, cst.Name):
            self.attributed.add(node.value.value)

    def _tested(self, test: cst.BaseExpression) -> None:
        for name in _names(test):
            self.tested.add(name)


def _names(node: cst.CSTNode) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    found: list[str] = []
    for child in node.children:
        found.extend(_names(child))
    return found

"""BP401 jwt-user-typed-as-model: claims from a dependency annotated as the ``User`` model."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Replace, Rule
from precepts.rules.auth._claims import (
    claims_scope,
    dependency_of,
    depends_call,
    split_annotation,
)
from precepts.rules.auth._imports import typing_names
from precepts.rules.sqlalchemy._orm import is_class_like


class JwtUserTypedAsModel(Rule):
    """Flags ``current_user: User = Depends(get_current_user)`` when the dependency gives claims."""

    code = "BP401"
    name = "jwt-user-typed-as-model"
    family = "auth"
    section = "JWT Token Handling (Critical), JWT Field Access Checklist"
    message = "This dependency returns JWT claims (a dict), not a model: annotate `Dict[str, Any]`"
    summary = (
        "A parameter annotated with a class (`current_user: User = Depends(get_current_user)`, "
        "`Annotated[User, Depends(...)]`, `Security(...)`) whose dependency returns a JWT "
        "claims dict: `jwt.decode(...)`, a claims `TypedDict`, or a `dict`/`Dict[...]` "
        "annotation on a user or token function. The dependency is looked up in this module "
        "or in another module of the workspace."
    )
    why = (
        "The annotation promises attributes (`current_user.id`) that a dict does not have: "
        "type checkers and editors trust it, and the route fails at run time with "
        "`AttributeError`. Annotating the claims as `Dict[str, Any]` makes every access go "
        'through the claim names (`int(current_user["sub"])`).'
    )
    leaves_alone = (
        "Dependencies that really return the model (annotated `-> User`, or returning a "
        "query result), and dependencies whose definition cannot be found (a library, a "
        "module outside the workspace): then nothing is said rather than guessed."
    )
    fix_description = (
        "Replaces the class with `Dict[str, Any]` (inside `Annotated[...]` only the type) "
        "and imports `Any` and `Dict` from `typing` when they are missing."
    )
    bad = (
        Example(
            "from typing import Any, Dict\n"
            "\n"
            "import jwt\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def get_current_user(token: str) -> Dict[str, Any]:\n"
            '    """Decode the bearer token."""\n'
            '    return jwt.decode(token, "", algorithms=["HS256"])\n'
            "\n"
            "\n"
            "def whoami(current_user: User = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user."""\n'
            '    return int(current_user["sub"])\n',
            line=14,
            fixed="from typing import Any, Dict\n"
            "\n"
            "import jwt\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def get_current_user(token: str) -> Dict[str, Any]:\n"
            '    """Decode the bearer token."""\n'
            '    return jwt.decode(token, "", algorithms=["HS256"])\n'
            "\n"
            "\n"
            "def whoami(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user."""\n'
            '    return int(current_user["sub"])\n',
        ),
    )
    good = (
        Example(
            "from fastapi import Depends\n"
            "\n"
            "from app.models import User\n"
            "from app.security import get_current_user\n"
            "\n"
            "\n"
            "def whoami(current_user: User = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user (the dependency cannot be found)."""\n'
            "    return current_user.id\n"
        ),
    )

    def visit_Param(self, node: cst.Param) -> None:
        """Check a parameter whose value comes from ``Depends(...)``."""
        if node.annotation is None:
            return
        annotation = node.annotation.annotation
        core, annotated = split_annotation(annotation)
        dependency = depends_call(node.default) or annotated
        if dependency is None or core is None or not is_class_like(core):
            return
        scope = claims_scope(self.context)
        if scope.annotation_kind(core) != "other":
            return
        target = dependency_of(dependency)
        if target is None or scope.callable_returns(target) is not True:
            return
        name = dotted_name(core)
        message = (
            f"`{dotted_name(target)}` returns JWT claims (a dict), not `{name}`: annotate "
            "`Dict[str, Any]`"
        )
        imports = typing_names(self.context, ("Any", "Dict"))
        where = _in_source(annotation, core)  # a string annotation is reported whole
        fix = None
        if imports is not None and where is core:
            fix = self.fix("Annotate `Dict[str, Any]`", Replace(core, "Dict[str, Any]"), *imports)
        self.report(where, message, fix=fix)


def _in_source(annotation: cst.BaseExpression, core: cst.BaseExpression) -> cst.BaseExpression:
    """Return ``core`` when it is a node of the source (not parsed from a string annotation)."""
    stack: list[cst.CSTNode] = [annotation]
    while stack:
        node = stack.pop()
        if node is core:
            return core
        stack.extend(node.children)
    return annotation

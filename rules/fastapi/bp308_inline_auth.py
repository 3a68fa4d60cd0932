"""BP308 inline-auth: a route that authenticates or opens a session in its own body."""

from __future__ import annotations

import re

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Option, Rule
from precepts.rules.fastapi import _routes

_AUTH_HEADER = "authorization"
_SESSION_FACTORY = re.compile(r"^(SessionLocal|AsyncSessionLocal|async_session(_maker)?)$")


# The first lines of the edge cases below: a route for their handler.
_ME = 'from fastapi import APIRouter, Request\nrouter = APIRouter()\n@router.get("/me")\n'


class InlineAuth(Rule):
    """Flags authentication and database sessions done by hand inside route handlers."""

    code = "BP308"
    name = "inline-auth"
    family = "fastapi"
    section = "Dependency Injection"
    message = "This route does a dependency's work in its body"
    summary = (
        "In a route handler's body: reading the `Authorization` header "
        '(`request.headers.get("authorization")`, `request.headers["Authorization"]`), '
        "calling a token verifier (`verify_token`, `decode_token`, `jwt.decode`...; the "
        "`verifiers` option), or opening a session with `SessionLocal()` (a session "
        "factory of the module, or one named like it) instead of `Depends(get_db)`."
    )
    why = (
        "Authentication copied into every handler drifts: one copy forgets the expiry "
        "check, another the inactive user. A `get_current_user` dependency does it once, "
        "shows in the OpenAPI security scheme and is replaced in tests with "
        "`dependency_overrides`; `Depends(get_db)` likewise closes every session it opens."
    )
    leaves_alone = (
        "The dependency functions themselves (`get_current_user`, `get_db`: they are no "
        "routes), handlers that depend on them, tokens the client sends as data "
        "(`jwt.decode(form_data.token)` on a body field: a token exchange, not the caller's "
        "login) and test files. One finding per route (the first such spot)."
    )
    options = {
        "verifiers": Option(
            [
                "verify_token",
                "decode_token",
                "decode_access_token",
                "verify_access_token",
                "verify_jwt",
                "decode_jwt",
                "jwt.decode",
            ],
            "Calls that verify a token (a dotted name matches its last parts).",
        ),
    }
    bad = (
        Example(
            "from fastapi import APIRouter, Request\n"
            "\n"
            "from app.security import verify_token\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/me")\n'
            "def me(request: Request) -> dict[str, str]:\n"
            '    """Return the caller\'s claims."""\n'
            '    token = request.headers.get("authorization", "")\n'
            "    return verify_token(token)\n",
            line=11,
        ),
    )
    good = (
        Example(
            "from typing import Annotated, Any\n"
            "\n"
            "from fastapi import APIRouter, Depends, Header\n"
            "\n"
            "from app.security import verify_token\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            "def get_current_user(authorization: Annotated[str, Header()]) -> dict[str, Any]:\n"
            '    """Return the verified claims of the caller."""\n'
            "    return verify_token(authorization)\n"
            "\n"
            "\n"
            '@router.get("/me")\n'
            "def me(\n"
            "    user: Annotated[dict[str, Any], Depends(get_current_user)],\n"
            ") -> dict[str, Any]:\n"
            '    """Return the caller\'s claims."""\n'
            "    return user\n"
        ),
    )
    bad_cases = (
        Example(
            _ME + 'def me(request: Request):\n    return request.headers["Authorization"]\n', line=5
        ),
        Example(
            _ME + 'def me(token: str):\n    return jwt.decode(token, KEY, algorithms=["HS256"])\n',
            line=5,
        ),
        Example(_ME + "def me():\n    db = SessionLocal()\n    return db\n", line=5),
        Example(
            _ME + "def me(request: Request):\n"
            '    auth = request.headers.get("authorization")\n'
            "    return verify_token(auth)\n",
            line=5,
        ),
    )
    good_cases = (
        "def get_current_user(request: Request):\n"
        '    return verify_token(request.headers["Authorization"])',  # the dependency itself
        "def get_db():\n"
        "    db = SessionLocal()\n"
        "    try:\n"
        "        yield db\n"
        "    finally:\n"
        "        db.close()",
        _ME + "def me(user = Depends(get_current_user)):\n    return user",
        _ME + "def me(form_data: TokenForm):\n"  # a token sent as data
        '    return jwt.decode(form_data.token, KEY, algorithms=["HS256"])',
        # Test files are left alone, the header subscript too (it once fired there).
        Example(
            _ME + 'def me(request: Request):\n    return request.headers["Authorization"]\n',
            path="tests/test_me.py",
        ),
    )

    def setup(self) -> None:
        """Split the verifier names once per file."""
        self._verifiers = [tuple(v.split(".")) for v in self.option("verifiers")]
        self._reported: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        """Report a token verifier or a session factory called in a route."""
        name = dotted_name(node.func)
        if name is None or self.context.is_test:
            return
        what = self._what(name, node)
        if what is not None and not self._reads_body_token(node):
            self._flag(node, what)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Report ``request.headers["Authorization"]`` in a route."""
        if self.context.is_test:
            return  # test apps read the header inline, as the calls above may
        if _is_headers(node.value) and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and _is_auth_key(index.value):
                self._flag(
                    node,
                    "reads the `Authorization` header itself: depend on "
                    "`Depends(get_current_user)`",
                )

    def _what(self, name: str, node: cst.Call) -> str | None:
        parts = tuple(name.split("."))
        if any(parts[-len(v) :] == v for v in self._verifiers):
            return f"verifies the token itself (`{name}`): depend on `Depends(get_current_user)`"
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "get"
            and _is_headers(node.func.value)
        ):
            key = _routes.positional(node, 0)
            if key is not None and _is_auth_key(key):
                return (
                    "reads the `Authorization` header itself: depend on `Depends(get_current_user)`"
                )
        if "." not in name and (
            name in self.context.facts.session_factories or _SESSION_FACTORY.match(name)
        ):
            return f"opens its own session (`{name}()`): depend on `Depends(get_db)`"
        return None

    def _reads_body_token(self, node: cst.Call) -> bool:
        """``jwt.decode(form_data.token)``: a token the client sent as data, not its login."""
        first = _routes.positional(node, 0)
        if not isinstance(first, cst.Attribute) or not isinstance(first.value, cst.Name):
            return False
        route = _routes.enclosing_route(self.context)
        if route is None:
            return False
        owner = first.value.value
        return any(
            p.node.name.value == owner and p.source == "body"
            for p in _routes.params_of(self.context, route)
        )

    def _flag(self, node: cst.CSTNode, what: str) -> None:
        route = _routes.enclosing_route(self.context)
        if route is None or id(route.function) in self._reported:
            return
        self._reported.add(id(route.function))
        self.report(node, f"This route {what}")


def _is_headers(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "headers"


def _is_auth_key(node: cst.BaseExpression) -> bool:
    text = _routes.string_value(node)
    return text is not None and text.lower() == _AUTH_HEADER

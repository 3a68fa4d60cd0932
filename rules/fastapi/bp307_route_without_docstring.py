"""BP307 route-without-docstring: a route handler with no docstring."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from precepts.findings import Applicability, Position, Range, TextEdit
from precepts.rule import Example, FixSpec, Rule
from precepts.rules.fastapi import _routes

if TYPE_CHECKING:
    from precepts.context import RuleContext


# The first lines of the edge cases below: a router to register routes on.
_ROUTER = "from fastapi import APIRouter\nrouter = APIRouter()\n"


class RouteWithoutDocstring(Rule):
    """Flags route handlers without a docstring (their OpenAPI description)."""

    code = "BP307"
    name = "route-without-docstring"
    family = "fastapi"
    section = "Route Handlers"
    message = (
        "This route has no docstring: FastAPI shows it as the endpoint's description in "
        "the API docs"
    )
    summary = "A route handler (any method, on an app or a router) whose body has no docstring."
    why = (
        "FastAPI turns the handler's docstring into the OpenAPI description: without one, "
        "the interactive docs show a bare path and clients guess what the endpoint does, "
        "what it returns and when it fails. The standard's ❌ 'No documentation' is this."
    )
    leaves_alone = (
        "Routes that set `description=` in their registration, functions that are not route "
        "handlers (BP107 covers those) and test files."
    )
    fix_description = (
        'Inserts a one-line placeholder docstring (`"""Handle GET /users/{id}."""`) as '
        "the first statement of the body, to be rewritten by a person (unsafe)."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int) -> dict[str, int]:\n"
            "    # the id is all we know\n"
            '    return {"id": user_id}\n',
            line=7,
            fixed="from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int) -> dict[str, int]:\n"
            '    """Handle GET /users/{user_id}."""\n'
            "    # the id is all we know\n"
            '    return {"id": user_id}\n',
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int) -> dict[str, int]:\n"
            '    """Return one user by id."""\n'
            '    return {"id": user_id}\n'
        ),
    )
    bad_cases = (
        Example(
            _ROUTER
            + '@router.get("/users/{user_id}")\ndef user(user_id: int) -> dict:\n    return {}\n',
            line=4,
            fixed=_ROUTER + '@router.get("/users/{user_id}")\n'
            "def user(user_id: int) -> dict:\n"
            '    """Handle GET /users/{user_id}."""\n'
            "    return {}\n",
        ),
        Example(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            '@app.delete("/users/{user_id}")\n'
            "async def delete(user_id: int) -> None:\n"
            "    pass\n",
            line=4,
        ),
    )
    good_cases = (
        _ROUTER + '@router.get("/users", description="List the users.")\n'
        "def users() -> list:\n"
        "    return []",
        "def helper() -> int:\n    return 1",  # not a route: BP107's
        Example(
            _ROUTER + '@router.get("/users")\ndef users() -> list:\n    return []\n',
            path="tests/test_api.py",
        ),
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Report a route handler without a docstring."""
        if self.context.is_test or node.get_docstring() is not None:
            return
        route = _routes.route_of(self.context, node)
        if route is None or route.keyword("description") is not None:
            return
        self.report(node.name, fix=self._fix(node, route))

    def _fix(self, node: cst.FunctionDef, route: _routes.Route) -> FixSpec | None:
        body = node.body
        if not isinstance(body, cst.IndentedBlock) or not body.body:
            return None
        method = "WEBSOCKET" if route.method == "websocket" else route.method.upper()
        if method == "API_ROUTE":
            method = "requests to"
        where = route.path if route.path is not None else f"`{node.name.value}`"
        text = f"Handle {method} {where}".replace("\\", "\\\\").replace('"""', "'''")
        docstring = f'"""{text.rstrip(".")}."""'
        return self.fix(
            "Insert a placeholder docstring", _first_line(self.context, body, docstring)
        )


def _first_line(context: RuleContext, body: cst.IndentedBlock, docstring: str) -> TextEdit:
    """Insert on the line after the ``def`` header, above the body's leading comments."""
    first = body.body[0]
    start = context.start_of(first).line - len(first.leading_lines)
    line = context.lines.line_text(context.start_of(first).line)
    indent = line[: len(line) - len(line.lstrip())]
    newline = context.module.default_newline
    return TextEdit(Range(Position(start, 0), Position(start, 0)), f"{indent}{docstring}{newline}")

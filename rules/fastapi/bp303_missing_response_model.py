"""BP303 missing-response-model: a route that declares neither response model nor type."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.fastapi import _routes

# The first lines of the edge cases below: a router to register routes on.
_ROUTER = "from fastapi import APIRouter\nrouter = APIRouter()\n"


class MissingResponseModel(Rule):
    """Flags routes without ``response_model=`` and without a return annotation."""

    code = "BP303"
    name = "missing-response-model"
    family = "fastapi"
    section = "Route Handlers"
    message = (
        "This route declares no response model: add `response_model=...` or a return "
        "annotation so FastAPI filters, validates and documents what it returns"
    )
    summary = (
        "A route handler (`@router.get(...)`, `@app.post(...)`, `add_api_route(...)`) with "
        "neither `response_model=` in its registration nor a return annotation."
    )
    why = (
        "The response model is what keeps sensitive fields (a password hash) out of the "
        "response, what validates the output and what the OpenAPI docs show; without it "
        "clients see an untyped object and a refactor can leak columns silently."
    )
    leaves_alone = (
        "Routes with `response_model=` (also `response_model=None`, an explicit choice), a "
        "return annotation, `response_class=`, `status_code=204`, a handler that returns "
        "a `Response` subclass (`JSONResponse(...)`, `RedirectResponse(...)`, "
        "`StreamingResponse(...)`...), websocket routes and routes hidden from the schema "
        "(`include_in_schema=False`)."
    )
    bad = (
        Example(
            "from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int):\n"
            '    """Return one user."""\n'
            '    return {"id": user_id}\n',
            line=7,
            also=("BP106",),
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter, status\n"
            "from fastapi.responses import RedirectResponse\n"
            "\n"
            "from app.schemas import UserResponse\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/users/{user_id}")\n'
            "def get_user(user_id: int) -> UserResponse:\n"
            '    """Return one user."""\n'
            "    return UserResponse(id=user_id)\n"
            "\n"
            "\n"
            '@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)\n'
            "def delete_user(user_id: int) -> None:\n"
            '    """Delete one user."""\n'
            "\n"
            "\n"
            '@router.get("/home")\n'
            "def home() -> RedirectResponse:\n"
            '    """Send the browser to the docs."""\n'
            '    return RedirectResponse("/docs")\n'
        ),
    )
    bad_cases = (
        Example(_ROUTER + '@router.get("/users")\ndef users():\n    return []\n', line=4),
        Example(
            _ROUTER
            + '@router.post("/users", status_code=201)\nasync def create():\n    return {}\n',
            line=4,
        ),
        Example(
            "from fastapi import FastAPI\n"
            "app = FastAPI()\n"
            "def users():\n"
            "    return []\n"
            'app.add_api_route("/users", users)\n',
            line=3,
        ),
    )
    good_cases = (
        _ROUTER
        + '@router.get("/users", response_model=list[UserOut])\ndef users():\n    return []',
        _ROUTER + '@router.get("/users", response_model=None)\ndef users():\n    return []',
        _ROUTER + '@router.delete("/users/{user_id}", status_code=204)\ndef delete(user_id: int):\n'
        "    pass",
        _ROUTER + '@router.get("/page", response_class=HTMLResponse)\ndef page():\n    return ""',
        "from fastapi.responses import RedirectResponse\n"
        + _ROUTER
        + '@router.get("/old")\ndef old():\n    return RedirectResponse("/new")',
        _ROUTER + '@router.websocket("/ws")\nasync def ws(socket):\n    pass',
        _ROUTER
        + '@router.get("/internal", include_in_schema=False)\ndef internal():\n    return {}',
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Report a route handler that declares nothing about its response."""
        if node.returns is not None:
            return
        routes = _routes.routes_of(self.context, node)
        if not routes or any(_declares_response(route) for route in routes):
            return
        if _returns_response(node):
            return
        self.report(node.name)


def _declares_response(route: _routes.Route) -> bool:
    if route.method == "websocket":
        return True
    if route.keyword("response_model") is not None or route.keyword("response_class"):
        return True
    if dotted_name(route.keyword("include_in_schema")) == "False":
        return True
    return route.status_code == 204


class _ReturnsResponse(cst.CSTVisitor):
    """Finds ``return SomethingResponse(...)`` in a function (not in nested ones)."""

    def __init__(self) -> None:
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call) and _routes.short(dotted_name(value.func)).endswith(
            "Response"
        ):
            self.found = True


def _returns_response(function: cst.FunctionDef) -> bool:
    finder = _ReturnsResponse()
    function.body.visit(finder)
    return finder.found

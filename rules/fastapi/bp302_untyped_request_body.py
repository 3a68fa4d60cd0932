"""BP302 untyped-request-body: a body parameter typed ``dict``/``Any`` or not at all."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule
from precepts.rules.fastapi import _routes

_MESSAGE = (
    "The request body is read into an untyped `{name}`: declare a Pydantic model "
    "(`{name}: UserCreate`) so FastAPI validates it and documents it"
)


# The first lines of the edge cases below: a route for their handler.
_ROUTE = 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.post("/items/{item_id}")\n'


class UntypedRequestBody(Rule):
    """Flags route parameters that FastAPI reads from the body without a schema."""

    code = "BP302"
    name = "untyped-request-body"
    family = "fastapi"
    section = "Request/Response Schemas, Route Handlers"
    message = (
        "The request body is read into an untyped parameter: declare a Pydantic model so "
        "FastAPI validates it and documents it"
    )
    summary = (
        "A route handler parameter that FastAPI reads from the request body and whose type "
        "says nothing about it: `dict`, `Dict[...]`, `Mapping`, `Any`, a list of those, or no "
        "annotation with an explicit `Body()`/`Form()`. Parameters are classified as "
        "FastAPI does: names of the path template are path parameters, a `Depends`/"
        "`Security`/`Query`/`Header`/`Cookie`/`Path`/`Body`/`Form`/`File` marker (as default "
        "or inside `Annotated[...]`) decides, `Request`/`Response`/`BackgroundTasks`/"
        "`WebSocket` are injected, a mapping, sequence or class is read from the body."
    )
    why = (
        "An untyped body is accepted as any JSON: nothing is validated (missing fields and "
        "wrong types reach the database code), the OpenAPI schema shows an empty object, and "
        "handlers grow `data.get(...)` checks. A Pydantic schema validates, documents and "
        "types the body in one place."
    )
    leaves_alone = (
        "Path and query scalars, dependencies (`Depends(...)`, also in `Annotated`), "
        "`Request`/`BackgroundTasks` and friends, bodies typed with a model, and unannotated "
        "or `Any` parameters without a marker: FastAPI reads those from the query string, "
        "not the body (BP106 asks for their type hints)."
    )
    bad = (
        Example(
            "from fastapi import APIRouter\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.post("/users")\n'
            "def create_user(payload: dict) -> dict:\n"
            '    """Create a user."""\n'
            "    return payload\n",
            line=7,
        ),
    )
    good = (
        Example(
            "from typing import Annotated\n"
            "\n"
            "from fastapi import APIRouter, Depends, Request\n"
            "\n"
            "from app.deps import get_settings\n"
            "from app.schemas import UserCreate, UserResponse\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.post("/users/{team}")\n'
            "def create_user(\n"
            "    team: str,\n"
            "    payload: UserCreate,\n"
            "    request: Request,\n"
            "    settings: Annotated[dict, Depends(get_settings)],\n"
            "    dry_run: bool = False,\n"
            ") -> UserResponse:\n"
            '    """Create a user in a team."""\n'
            "    return UserResponse(team=team, email=payload.email)\n"
        ),
    )
    bad_cases = (
        Example(_ROUTE + "def f(item_id: int, data: Dict[str, Any]): ...\n", line=4),
        Example(_ROUTE + "def f(item_id: int, data: list[dict]): ...\n", line=4),
        Example(_ROUTE + "def f(item_id: int, data=Body(...)): ...\n", line=4),
        Example(
            _ROUTE + "def f(item_id: int, data: Annotated[Mapping[str, str], Body()]): ...\n",
            line=4,
        ),
        Example(_ROUTE + "def f(item_id: int, data: Any = Body(...)): ...\n", line=4),
    )
    good_cases = (
        _ROUTE + "def f(item_id: int, q: str | None = None): ...",  # query scalar
        _ROUTE + "def f(item_id: int, data: ItemCreate): ...",  # a model
        _ROUTE + "def f(item_id: int, data: Any): ...",  # no marker: the query string
        _ROUTE + "def f(item_id: int, settings: Annotated[dict, Depends(get_settings)]): ...",
        "def f(item_id: int, data: dict): ...",  # not a route
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Report the untyped body parameters of a route handler."""
        route = _routes.route_of(self.context, node)
        if route is None or route.method == "websocket":
            return
        for param in _routes.params_of(self.context, route):
            if param.source == "body" and _routes.untyped_body_type(self.context, param.annotation):
                name = param.node.name.value
                self.report(param.node, _MESSAGE.format(name=name))

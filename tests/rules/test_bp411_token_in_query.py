"""BP411 token-in-query: credentials FastAPI reads from the query string."""

from __future__ import annotations

from tests.rules._auth import lines

CODE = """\
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Header, Query, WebSocket
from fastapi.security import APIKeyQuery

router = APIRouter()
api_key_query = APIKeyQuery(name="api-key")


@router.get("/a")
def a(token: str, access_token: Optional[str] = None, apiKey: str = Query(...)) -> None:
    pass


@router.websocket("/ws")
async def ws(websocket: WebSocket, token: Annotated[str, Query()]) -> None:
    pass


@router.get("/reset/{token}")
def reset(token: str, api_key: str = Header(...), jwt: str = Depends(scheme)) -> None:
    pass


@router.post("/b")
def b(token: TokenBody, refresh_token: Annotated[str, Header()]) -> None:
    pass


def helper(token: str) -> None:
    pass
"""


def test_query_tokens() -> None:
    assert lines(CODE, "BP411") == [7, 11, 11, 11, 16]


def test_routes_that_authenticate_otherwise() -> None:
    code = """\
from fastapi import APIRouter, Depends

router = APIRouter()


@router.get("/logs", dependencies=[Depends(requires_access)])
def logs(token: str | None = None) -> None:
    pass


@router.get("/page")
def page(token: str, user: dict = Depends(get_current_user)) -> None:
    pass
"""
    assert lines(code, "BP411") == []


def test_flask_module_is_not_fastapi() -> None:
    code = (
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        '@app.get("/a")\ndef a(token):\n    pass\n'
    )
    assert lines(code, "BP411") == []

from __future__ import annotations

from tests.rules._fastapi import lines


def test_bodies_fastapi_reads_untyped():
    code = """
    from typing import Any, Dict, Optional
    from fastapi import APIRouter as R, Body, Form
    import fastapi as fa

    router = R()

    @router.post("/a")
    def a(payload: dict) -> None: ...

    @router.post("/b")
    def b(payload: Dict[str, Any]) -> None: ...

    @router.post("/c")
    def c(payload=Body(...)) -> None: ...

    @router.post("/d")
    def d(payload: Optional[dict] = None) -> None: ...

    @router.post("/e")
    def e(items: list[dict]) -> None: ...

    @router.post("/f")
    def f(payload: Any = fa.Body(...)) -> None: ...
    """
    assert lines(code, "BP302") == [9, 12, 15, 18, 21, 24]


def test_what_fastapi_does_not_read_from_the_body():
    code = """
    from typing import Annotated, Any
    from fastapi import APIRouter, BackgroundTasks, Depends, Header, Query, Request

    from app.deps import get_settings
    from app.schemas import UserCreate

    router = APIRouter()

    @router.post("/things/{thing}")
    def a(
        thing: dict,
        request: Request,
        tasks: BackgroundTasks,
        settings: Annotated[dict, Depends(get_settings)],
        other: dict = Depends(get_settings),
        filters: Annotated[dict, Query()] = None,
        token: str = Header(...),
        raw=None,
        anything: Any = None,
        body: UserCreate = None,
        *args,
        **kwargs,
    ) -> None: ...

    def not_a_route(payload: dict) -> None: ...

    @router.websocket("/ws")
    async def ws(data: dict) -> None: ...
    """
    assert lines(code, "BP302") == []


def test_routes_on_an_imported_router():
    code = """
    from app.api import users

    @users.router.post("/x")
    def x(payload: dict) -> None: ...
    """
    assert lines(code, "BP302") == [5]

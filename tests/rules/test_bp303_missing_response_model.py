from __future__ import annotations

from tests.rules._fastapi import lines


def test_routes_that_declare_nothing():
    code = """
    from fastapi import APIRouter, FastAPI

    app = FastAPI()
    router = APIRouter()

    @router.get("/a")
    def a():
        return {"a": 1}

    @app.post("/b", status_code=201)
    async def b():
        return {"b": 1}

    def c():
        return 1

    app.add_api_route("/c", c)
    """
    assert lines(code, "BP303") == [8, 12, 15]


def test_declared_responses_are_fine():
    code = """
    from fastapi import APIRouter, status
    from fastapi.responses import HTMLResponse, JSONResponse

    from app.schemas import Out

    router = APIRouter()

    @router.get("/a", response_model=Out)
    def a():
        return {}

    @router.get("/b", response_model=None)
    def b():
        return {}

    @router.get("/c", response_class=HTMLResponse)
    def c():
        return "<p>"

    @router.delete("/d", status_code=204)
    def d():
        pass

    @router.delete("/e", status_code=status.HTTP_204_NO_CONTENT)
    def e():
        pass

    @router.get("/f")
    async def f():
        return JSONResponse({})

    @router.get("/g")
    def g() -> Out:
        return Out()

    @router.get("/h", include_in_schema=False)
    def h():
        return {}

    @router.websocket("/ws")
    async def ws(socket):
        pass
    """
    assert lines(code, "BP303") == []

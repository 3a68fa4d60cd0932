from __future__ import annotations

from tests.rules._fastapi import lines


def test_auth_and_sessions_done_in_routes():
    code = """
    import jwt
    from fastapi import APIRouter, Request

    from app.db import SessionLocal
    from app.security import verify_token

    router = APIRouter()

    @router.get("/a")
    def a(request: Request) -> None:
        header = request.headers["Authorization"]

    @router.get("/b")
    def b(token: str) -> None:
        jwt.decode(token, "k", algorithms=["HS256"])

    @router.get("/c")
    def c() -> None:
        with SessionLocal() as db:
            db.execute("select 1")

    @router.get("/d")
    def d(request: Request) -> None:
        claims = verify_token(request.headers.get("authorization"))
    """
    assert lines(code, "BP308") == [12, 16, 20, 25]


def test_dependencies_and_body_tokens_are_left_alone():
    code = """
    from typing import Annotated
    import jwt
    from fastapi import APIRouter, Depends, Header, Request

    from app.db import SessionLocal
    from app.schemas import TokenExchange
    from app.security import verify_token

    router = APIRouter()

    def get_current_user(authorization: Annotated[str, Header()]) -> dict:
        return verify_token(authorization)

    def get_db():
        db = SessionLocal()
        try:
            yield db
        finally:
            db.close()

    @router.get("/me")
    def me(user: Annotated[dict, Depends(get_current_user)], request: Request) -> dict:
        agent = request.headers.get("user-agent")
        return user

    @router.post("/exchange")
    def exchange(form: TokenExchange) -> dict:
        return jwt.decode(form.token, options={"verify_signature": False})
    """
    assert lines(code, "BP308") == []

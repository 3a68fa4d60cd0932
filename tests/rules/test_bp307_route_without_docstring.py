from __future__ import annotations

from tests.helpers import check
from tests.rules._fastapi import fixed, lines


def test_routes_without_docstrings():
    code = """
    from fastapi import APIRouter as R, FastAPI

    app = FastAPI()
    router = R()

    @router.get("/a")
    def a() -> None:
        pass

    @app.websocket("/ws")
    async def ws(socket) -> None:
        pass

    @router.get("/documented")
    def b() -> None:
        \"\"\"Documented.\"\"\"

    @router.get("/described", description="Said here.")
    def c() -> None:
        pass

    def plain() -> None:
        pass
    """
    assert lines(code, "BP307") == [8, 12]


def test_fix_goes_above_leading_comments_and_keeps_indentation():
    code = """
    from fastapi import APIRouter

    router = APIRouter()

    class Views:
        pass

    def build(router: APIRouter) -> None:
        @router.post("/items/{item_id}")
        async def create(item_id: int) -> None:
            # comment
            return None
    """
    assert fixed(code, "BP307").endswith(
        "    async def create(item_id: int) -> None:\n"
        '        """Handle POST /items/{item_id}."""\n'
        "        # comment\n"
        "        return None\n"
    )


def test_one_finding_per_route_handler_not_bp107_too():
    code = (
        '"""Routes."""\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n'
        '@router.get("/users")\ndef list_users() -> list[str]:\n    return []\n\n\n'
        "def helper() -> None:\n    pass\n"
    )
    found = {(f.code, f.range.start.line) for f in check(code, select=["BP107", "BP307"]).findings}
    assert found == {("BP307", 8), ("BP107", 12)}

from __future__ import annotations

from pathlib import Path

from tests.rules._fastapi import fresh_crossfile, lines, project_lines, write_project

__all__ = ["fresh_crossfile"]


def test_routes_on_the_app_under_aliases_and_factories():
    code = """
    import fastapi as fa
    from fastapi import FastAPI as Api

    app = fa.FastAPI()
    other = Api()

    @app.get("/users")
    def a() -> None: ...

    @other.post("/items")
    def b() -> None: ...

    def create_app() -> fa.FastAPI:
        made = fa.FastAPI()

        @made.put("/things")
        def c() -> None: ...

        return made

    def register(server: fa.FastAPI) -> None:
        @server.delete("/x")
        def d() -> None: ...
    """
    assert lines(code, "BP301") == [8, 11, 17, 23]


def test_health_root_routers_and_tests_are_left_alone():
    code = """
    from fastapi import APIRouter as R, FastAPI

    app = FastAPI()
    api = R()

    @app.get("/")
    def root() -> None: ...

    @app.get("/health")
    def health() -> None: ...

    @api.get("/users")
    def users() -> None: ...

    @app.get(HEALTH_PATH)
    def health_by_name() -> None: ...

    @app.middleware("http")
    async def mw(request, call_next): ...
    """
    assert lines(code, "BP301") == []
    assert (
        lines(
            'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/x")\ndef x(): ...\n',
            "BP301",
            path="tests/test_api.py",
        )
        == []
    )


def test_app_imported_from_another_module(tmp_path: Path, fresh_crossfile: None):
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\n\nserver = FastAPI()\n",
            "app/routes.py": """
                from fastapi import APIRouter
                router = APIRouter()
            """,
            "app/views.py": """
                from app.main import server
                from app.routes import router

                @server.get("/a")
                def a() -> None: ...

                @router.get("/b")
                def b() -> None: ...
            """,
        },
    )
    assert project_lines(tmp_path, "app/views.py", "BP301") == [5]


def test_add_api_route_on_the_app():
    code = """
    from fastapi import FastAPI

    app = FastAPI()

    def listing() -> list[str]:
        return []

    app.add_api_route("/listing", listing)
    """
    assert lines(code, "BP301") == [9]

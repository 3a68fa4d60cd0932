from __future__ import annotations

from pathlib import Path

from tests.rules._fastapi import fixed, fresh_crossfile, lines, project_lines, write_project

__all__ = ["fresh_crossfile"]


def test_app_with_routers_and_no_health():
    code = """
    import fastapi as fa

    from app.api import users

    app = fa.FastAPI()
    app.include_router(users.router)
    """
    assert lines(code, "BP310") == [6]


def test_factory_app_and_its_fix():
    code = """
    from fastapi import FastAPI as Api

    from app.api import users


    def create_app() -> Api:
        made = Api(title="x")
        made.include_router(users.router)
        return made
    """
    assert lines(code, "BP310") == [8]
    assert fixed(code, "BP310").endswith(
        '    made = Api(title="x")\n'
        "\n"
        "\n"
        '    @made.get("/health", tags=["health"])\n'
        "    def health_check() -> dict[str, str]:\n"
        '        """Report that the service is up (for the orchestrator\'s probes)."""\n'
        '        return {"status": "healthy"}\n'
        "    made.include_router(users.router)\n"
        "    return made\n"
    )


def test_health_present_or_no_service():
    with_health = """
    from fastapi import FastAPI

    from app.api import users

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> None: ...

    app.include_router(users.router)
    """
    no_router = "from fastapi import FastAPI\n\napp = FastAPI()\n"
    health_router = """
    from fastapi import FastAPI

    from app.api import health, users

    app = FastAPI()
    app.include_router(health.router, prefix="/health")
    app.include_router(users.router)
    """
    named_path = """
    from fastapi import FastAPI

    from app.api import users

    def create(health_path: str = "/health") -> FastAPI:
        app = FastAPI()

        @app.get(health_path)
        def ok() -> bool:
            return True

        app.include_router(users.router)
        return app
    """
    sub_app = """
    from fastapi import FastAPI

    from app.api import users

    class Manager:
        def sub_app(self) -> FastAPI:
            app = FastAPI()
            app.include_router(users.router)
            return app
    """
    for code in (with_health, no_router, health_router, named_path, sub_app):
        assert lines(code, "BP310") == [], code
    assert lines(_test_app_source(), "BP310", path="tests/test_app.py") == []


def _test_app_source() -> str:
    return "from fastapi import FastAPI\nfrom x import r\napp = FastAPI()\napp.include_router(r)\n"


def test_health_in_a_router_of_another_module(tmp_path: Path, fresh_crossfile: None):
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/probes.py": """
                from fastapi import APIRouter
                router = APIRouter()

                @router.get("/health")
                def health() -> None: ...
            """,
            "app/users.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
            "app/main.py": """
                from fastapi import FastAPI

                from app import probes, users

                app = FastAPI()
                app.include_router(probes.router)
                app.include_router(users.router)
            """,
            "app/bare.py": """
                from fastapi import FastAPI

                from app import users

                app = FastAPI()
                app.include_router(users.router)
            """,
        },
    )
    assert project_lines(tmp_path, "app/main.py", "BP310") == []
    assert project_lines(tmp_path, "app/bare.py", "BP310") == [6]

from __future__ import annotations

from pathlib import Path

from tests.rules._fastapi import fresh_crossfile, lines, project_lines, write_project

__all__ = ["fresh_crossfile"]

_ROUTER = 'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="{prefix}")\n'


def test_unversioned_mounts_on_the_app():
    code = """
    import fastapi as fa
    from fastapi import APIRouter as R

    from app.api import items

    PREFIX = "/api"
    local = R(prefix="/users")
    versioned = R(prefix="/v2/users")

    app = fa.FastAPI()
    app.include_router(items.router, prefix="/items")
    app.include_router(local, prefix=PREFIX)
    app.include_router(local, prefix="/api/v1")
    app.include_router(versioned, prefix="/api")

    @app.get("/orders")
    def orders() -> None: ...

    def create_app() -> fa.FastAPI:
        made = fa.FastAPI()
        made.include_router(items.router, prefix="/things")
        return made
    """
    assert lines(code, "BP309") == [12, 13, 17, 22]


def test_left_alone():
    code = """
    from fastapi import APIRouter, FastAPI

    from app.core.config import settings
    from app.api import health, items

    router = APIRouter()
    app = FastAPI()
    app.include_router(health.router, prefix="/health")
    app.include_router(items.router, prefix=settings.API_PREFIX)
    app.include_router(items.router, prefix=f"{settings.API_V1_STR}/items")
    app.include_router(items.router)
    router.include_router(items.router, prefix="/nested")

    @app.get("/")
    def root() -> None: ...

    @app.get("/api/health")
    def health_check() -> None: ...

    @app.get("/robots.txt")
    def robots() -> None: ...

    @app.get("/{path:path}", include_in_schema=False)
    def spa() -> None: ...

    @router.get("/users")
    def users() -> None: ...
    """
    assert lines(code, "BP309") == []


def test_router_prefix_read_from_another_module(tmp_path: Path, fresh_crossfile: None):
    write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/users.py": _ROUTER.format(prefix="/v1/users"),
            "app/api/orders.py": _ROUTER.format(prefix="/orders"),
            "app/main.py": """
                from fastapi import FastAPI

                from app.api import orders, users

                app = FastAPI()
                app.include_router(users.router, prefix="/api")
                app.include_router(orders.router)
            """,
        },
    )
    assert project_lines(tmp_path, "app/main.py", "BP309") == [8]

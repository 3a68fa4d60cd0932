"""BP301 routes-on-app: route decorators on the ``FastAPI()`` app itself."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Option, Rule
from precepts.rules.fastapi import _routes

# The first lines of the edge cases below: an app to register routes on.
_APP = "from fastapi import FastAPI\napp = FastAPI()\n"


class RoutesOnApp(Rule):
    """Flags routes registered on the app instead of an ``APIRouter``."""

    code = "BP301"
    name = "routes-on-app"
    family = "fastapi"
    section = "API Structure"
    message = (
        "Route registered on the FastAPI app itself: put it in an `APIRouter` module and "
        "include the router with `app.include_router(...)`"
    )
    summary = (
        "A route decorator (`@app.get`, `@app.post`, ..., `@app.api_route`, "
        "`@app.websocket`) or `app.add_api_route(...)` on a `FastAPI()` instance, under any "
        "import alias, also when the app comes from a factory function of the module or "
        "is imported from another module of the project."
    )
    why = (
        "The standard keeps `main.py` to building the app (middleware, routers) and puts "
        "endpoints in routers per resource under `app/api/v1/`: a main module that grows "
        "endpoints becomes the monolith of its ❌ example, cannot be versioned per router "
        "and mixes unrelated resources in one file."
    )
    leaves_alone = (
        "Health and root endpoints (`/`, `/health`, `/healthz`, `/ping`, `/metrics`... see "
        "the `allowed-paths` option; a path held in a name mentioning health, like "
        "`health_check_path`, counts), routes on an `APIRouter`, and test files (test apps "
        "declare their routes inline)."
    )
    options = {
        "allowed-paths": Option(
            ["/", "/health", "/healthz", "/livez", "/readyz", "/ping", "/metrics"],
            "Paths that may be registered on the app directly.",
        ),
    }
    bad = (
        Example(
            "from fastapi import FastAPI\n"
            "\n"
            "app = FastAPI()\n"
            "\n"
            "\n"
            '@app.get("/api/v1/users")\n'
            "def list_users() -> list[str]:\n"
            '    """List the users."""\n'
            '    return ["ada"]\n',
            line=6,
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter, FastAPI\n"
            "\n"
            "router = APIRouter()\n"
            "app = FastAPI()\n"
            "\n"
            "\n"
            '@router.get("/users")\n'
            "def list_users() -> list[str]:\n"
            '    """List the users."""\n'
            '    return ["ada"]\n'
            "\n"
            "\n"
            '@app.get("/health")\n'
            "def health() -> dict[str, str]:\n"
            '    """Report that the service is up."""\n'
            '    return {"status": "healthy"}\n'
            "\n"
            "\n"
            'app.include_router(router, prefix="/api/v1")\n'
        ),
    )
    bad_cases = (
        Example(_APP + '@app.post("/users")\ndef create(): ...\n', line=3),
        Example(_APP + '@app.websocket("/ws")\nasync def ws(): ...\n', line=3),
        Example(_APP + 'def list_users(): ...\napp.add_api_route("/users", list_users)\n', line=4),
        Example(
            "from fastapi import FastAPI as Api\n"
            "api = Api()\n"
            '@api.api_route("/items", methods=["GET"])\n'
            "def items(): ...\n",
            line=3,
        ),
    )
    good_cases = (
        _APP + '@app.get("/healthz")\ndef healthz(): ...',
        _APP + '@app.get("/")\ndef root(): ...',
        _APP + 'health_check_path = "/status"\n@app.get(health_check_path)\ndef status(): ...',
        "from fastapi import APIRouter\n"
        "router = APIRouter()\n"
        '@router.post("/users")\n'
        "def create(): ...",
        Example(_APP + '@app.post("/users")\ndef create(): ...\n', path="tests/test_app.py"),
    )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Report each registration of the function on an app."""
        if self.context.is_test:
            return
        allowed = {p.rstrip("/") for p in self.option("allowed-paths")}
        for route in _routes.routes_of(self.context, node):
            if route.kind != _routes.APP:
                continue
            if route.path is not None and route.path.rstrip("/") in allowed:
                continue
            path = _routes.positional(route.call, 0)
            if (
                route.path is None
                and path is not None
                and "health" in self.context.code_for(path).lower()
            ):
                continue  # ``@app.get(health_check_path)``: the name tells
            self.report(route.call)

"""BP309 unversioned-api: API paths mounted on the app without a version segment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule, joined_parts
from precepts.rules.fastapi import _routes


@dataclass(frozen=True)
class _Mount:
    """An ``include_router`` call or an app route seen in one top-level statement.

    Attributes:
        node: Where to report (the include call, or the route's path).
        owner: What it is registered on, as written.
        local_kind: What the owner is by the functions around (a factory's app), or None.
        router: The included router as written ("" for a route).
        prefix: The include's ``prefix=`` (or the route's path), None when absent.
    """

    node: cst.CSTNode
    owner: str
    local_kind: str | None
    router: str
    prefix: cst.BaseExpression | None


# The first lines of the edge cases below: an app to register routes on.
_APP = "from fastapi import FastAPI\napp = FastAPI()\n"


class UnversionedApi(Rule):
    """Flags routers and routes mounted on the app under a path without ``/vN``."""

    code = "BP309"
    name = "unversioned-api"
    family = "fastapi"
    section = "API Versioning"
    message = (
        "This API path has no version segment: mount it under `/api/v1/...` so a "
        "`/api/v2` can change it without breaking clients"
    )
    summary = (
        "`app.include_router(router, prefix=...)` where the path the router ends up under "
        "(the include's prefix followed by the router's own `APIRouter(prefix=...)`, read "
        "from the module that defines it) has no version segment (`/v1`, `/api/v2`), and "
        'routes registered on the app itself (`@app.get("/users")`) whose path has none.'
    )
    why = (
        "Clients depend on paths. Without a version in them, every incompatible change is a "
        "breaking change for everyone at once; with `/v1` and `/v2` side by side, old "
        "clients keep working while new ones move, as the standard's versioning section "
        "shows."
    )
    leaves_alone = (
        "Health, docs and root paths (`/`, `/health`, `/api/health`, `/docs`, "
        "`/openapi.json`, `/metrics`, `/version`, files at the root like `/robots.txt`...), "
        "routes hidden from the schema (`include_in_schema=False`: pages, fallbacks), "
        "prefixes that cannot be read statically (`settings.API_PREFIX`; a "
        "name or f-string mentioning a version counts as versioned), routers included into "
        "other routers (their mount point is decided by the app), an `APIRouter(prefix=...)` "
        "on its own (it is judged where an app includes it, with the include's prefix in "
        "front) and test files."
    )
    bad = (
        Example(
            "from fastapi import FastAPI\n"
            "\n"
            "from app.api import users\n"
            "\n"
            "app = FastAPI()\n"
            'app.include_router(users.router, prefix="/users")\n'
            "\n"
            "\n"
            '@app.get("/health")\n'
            "def health() -> dict[str, str]:\n"
            '    """Report that the service is up."""\n'
            '    return {"status": "healthy"}\n',
            line=6,
        ),
    )
    good = (
        Example(
            "from fastapi import FastAPI\n"
            "\n"
            "from app.api import health, users\n"
            "\n"
            "app = FastAPI()\n"
            'app.include_router(users.router, prefix="/api/v1/users")\n'
            'app.include_router(health.router, prefix="/health")\n'
        ),
    )
    bad_cases = (
        Example(_APP + 'app.include_router(router, prefix="/api/users")\n', line=3),
        Example(_APP + '@app.get("/users")\ndef users(): ...\n', line=3),
        Example(
            "from fastapi import APIRouter, FastAPI\n"
            "app = FastAPI()\n"
            'router = APIRouter(prefix="/users")\n'
            "app.include_router(router)\n",
            line=4,
        ),
    )
    good_cases = (
        _APP + 'app.include_router(router, prefix="/api/v2/orders")',
        _APP + "app.include_router(router, prefix=settings.API_PREFIX)",  # not static
        _APP + 'app.include_router(router, prefix=f"/api/{API_VERSION}")',
        _APP + '@app.get("/robots.txt")\ndef robots(): ...',
        _APP + '@app.get("/home", include_in_schema=False)\ndef home(): ...',
        _APP + '@app.get("/api/health")\ndef health(): ...',
        "from fastapi import APIRouter\n"
        "outer = APIRouter()\n"
        'outer.include_router(router, prefix="/users")',  # mounted by the app
    )
    scope = "module"
    summary_parts = True

    def setup(self) -> None:
        """Start with nothing seen."""
        self._seen: list[_Mount] = []

    def visit_Call(self, node: cst.Call) -> None:
        """Note an ``include_router`` call."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "include_router":
            return
        owner = dotted_name(func.value)
        router = dotted_name(_routes.positional(node, 0) or _routes.keyword_value(node, "router"))
        if owner is None or router is None:
            return
        local = _routes.local_owner_kind(self.context, func.value)
        self._seen.append(_Mount(node, owner, local, router, _routes.keyword_value(node, "prefix")))

    def visit_Decorator(self, node: cst.Decorator) -> None:
        """Note a route registered with a literal path."""
        call = node.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        if call.func.attr.value not in _routes.ROUTE_METHODS:
            return
        owner = dotted_name(call.func.value)
        path = _routes.positional(call, 0) or _routes.keyword_value(call, "path")
        if owner is None or path is None:
            return
        if dotted_name(_routes.keyword_value(call, "include_in_schema")) == "False":
            return  # a page or a fallback, not part of the API
        local = _routes.local_owner_kind(self.context, call.func.value)
        self._seen.append(_Mount(path, owner, local, "", path))

    def end_statement(self) -> tuple[_Mount, ...] | None:
        """Return what the statement mounted, and forget it.

        Returns:
            Its mounts, or None.
        """
        seen, self._seen = tuple(self._seen), []
        return seen or None

    @classmethod
    def combine(cls, parts: Sequence[tuple[_Mount, ...] | None]) -> tuple[_Mount, ...] | None:
        """Every part's mounts, in order.

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        return joined_parts(parts)

    def finish(self, summaries: Sequence[tuple[_Mount, ...] | None]) -> None:
        """Report the mounts on an app whose path carries no version.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        if self.context.is_test:
            return
        for index, summary in enumerate(summaries):
            for mount in summary or ():
                kind = mount.local_kind or _routes.module_kind(self.context, mount.owner)
                if kind == _routes.APP and self._unversioned(mount):
                    self.report(_routes.summary_range(self.context, index, mount.node))

    def _unversioned(self, mount: _Mount) -> bool:
        context = self.context
        prefix = _routes.path_text(context, mount.prefix) if mount.prefix is not None else ""
        if prefix is None:
            return _routes.is_versioned(context, mount.prefix) is False
        if not mount.router:
            return not (
                _routes.is_operational(prefix) or _routes.is_versioned(context, mount.prefix)
            )
        if prefix and _routes.is_operational(prefix):
            return False
        own = _routes.router_prefix(context, mount.router)
        if own is None:
            return bool(prefix) and not _routes.is_versioned(context, mount.prefix)
        full = prefix.rstrip("/") + "/" + own.lstrip("/")
        return not _routes.is_operational(full) and not _routes.has_version(full)

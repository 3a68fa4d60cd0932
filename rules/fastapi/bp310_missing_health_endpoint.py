"""BP310 missing-health-endpoint: an app that registers routers but has no ``/health``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability
from precepts.rule import Example, FixSpec, InsertAfter, Option, Rule
from precepts.rules.fastapi import _routes

_HANDLER = (
    "\n"
    "\n"
    '@{app}.get("/health", tags=["health"])\n'
    "def health_check() -> dict[str, str]:\n"
    '    """Report that the service is up (for the orchestrator\'s probes)."""\n'
    '    return {{"status": "healthy"}}'
)


@dataclass(frozen=True)
class _Seen:
    """What one top-level statement holds that BP310 cares about.

    Attributes:
        apps: ``FastAPI(...)`` calls, each with the statement line that binds it to a name
            (None when it is not a plain ``name = FastAPI(...)``) and the name.
        includes: Routers included (as written).
        health: True when a health route or health router is registered.
        handed: Functions the app is passed to (``init_routers(app)``): they may add routes.
    """

    apps: tuple[tuple[cst.Call, cst.SimpleStatementLine | None, str], ...]
    includes: tuple[str, ...]
    health: bool
    handed: tuple[str, ...] = ()


class MissingHealthEndpoint(Rule):
    """Flags an app module that mounts routers and never answers ``/health``."""

    code = "BP310"
    name = "missing-health-endpoint"
    family = "fastapi"
    section = "Service Architecture"
    message = (
        "This service has no health check: add a `/health` route so the orchestrator can probe it"
    )
    summary = (
        "A module that creates a `FastAPI(...)` app (at the top level or in a factory "
        "function) and registers routers with `include_router(...)`, but registers no "
        "health route: none of its routes, `add_api_route` calls or include prefixes is a "
        "health path (`/health`, `/healthz`, `/livez`, `/readyz`, `/ping`...), and none of "
        "the routers it includes from other project modules declares one."
    )
    why = (
        "Load balancers, Kubernetes probes and the deploy pipeline decide whether an "
        "instance gets traffic from its health endpoint: a service without one is either "
        "never probed or probed on a business route, which is slow and fails for the wrong "
        "reasons. The standard requires one per service."
    )
    leaves_alone = (
        "Test apps (test files), modules that build an app without routers (a tiny demo), "
        "apps built in a class's method (a component's sub-application), health routes "
        "whose path is a name mentioning health (`@app.get(health_check_path)`), and apps "
        "whose health route lives in another module: in an included router, or added by a "
        "function the app is passed to (`init_core_routers(app)`; when that module cannot "
        "be read, a function named like a router registrar is given the benefit of the "
        "doubt)."
    )
    fix_description = (
        'Adds a `@app.get("/health")` handler returning `{"status": "healthy"}` right '
        "after the statement that creates the app (unsafe: a real check may need the "
        "database)."
    )
    fix_applicability = Applicability.UNSAFE
    options = {
        "check-imported-routers": Option(
            True, "Look for the health route in included routers of other modules."
        ),
    }
    bad = (
        Example(
            "from fastapi import FastAPI\n"
            "\n"
            "from app.api.v1 import users\n"
            "\n"
            'app = FastAPI(title="Users")\n'
            "\n"
            'app.include_router(users.router, prefix="/api/v1/users")\n',
            line=5,
            fixed="from fastapi import FastAPI\n"
            "\n"
            "from app.api.v1 import users\n"
            "\n"
            'app = FastAPI(title="Users")\n'
            "\n"
            "\n"
            '@app.get("/health", tags=["health"])\n'
            "def health_check() -> dict[str, str]:\n"
            '    """Report that the service is up (for the orchestrator\'s probes)."""\n'
            '    return {"status": "healthy"}\n'
            "\n"
            'app.include_router(users.router, prefix="/api/v1/users")\n',
        ),
    )
    good = (
        Example(
            "from fastapi import FastAPI\n"
            "\n"
            "from app.api.v1 import users\n"
            "\n"
            'app = FastAPI(title="Users")\n'
            "\n"
            "\n"
            '@app.get("/health", tags=["health"])\n'
            "def health_check() -> dict[str, str]:\n"
            '    """Report that the service is up."""\n'
            '    return {"status": "healthy"}\n'
            "\n"
            "\n"
            'app.include_router(users.router, prefix="/api/v1/users")\n'
        ),
    )
    scope = "module"
    summary_parts = True

    def setup(self) -> None:
        """Start with nothing seen."""
        self._apps: list[tuple[cst.Call, cst.SimpleStatementLine | None, str]] = []
        self._includes: list[str] = []
        self._health = False
        self._handed: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        """Note an app, an included router, a health route or a function given the app."""
        qualified = self.context.facts.call_name(node) or ""
        if _routes.short(qualified) == "FastAPI" and qualified.split(".", 1)[0] in {
            "fastapi",
            "FastAPI",
        }:
            if not any(isinstance(a, cst.ClassDef) for a in self.context.ancestors):
                # An app built in a method is a component's sub-application, not a service.
                self._apps.append((node, *self._binding(node)))
            return
        self._note_handed(node)
        func = node.func
        if isinstance(func, cst.Attribute):
            self._note_registration(node, func.attr.value)

    def _note_handed(self, node: cst.Call) -> None:
        called = dotted_name(node.func)
        if called is not None and any(
            isinstance(arg.value, cst.Name) and arg.value.value in {"app", "application"}
            for arg in node.args
        ):
            self._handed.append(called)

    def _note_registration(self, node: cst.Call, method: str) -> None:
        path = _routes.positional(node, 0) or _routes.keyword_value(node, "path")
        if method == "include_router":
            router = dotted_name(path or _routes.keyword_value(node, "router"))
            prefix = _routes.string_value(_routes.keyword_value(node, "prefix"))
            if prefix is not None and _routes.is_health(prefix):
                self._health = True
            elif router is not None:
                self._includes.append(router)
        elif method in _routes.ROUTE_METHODS | {"add_api_route", "mount"} and path is not None:
            text = _routes.string_value(path)
            if text is None:
                # ``@app.get(health_check_path)``: the name tells.
                text = "/health" if "health" in self.context.code_for(path).lower() else ""
            self._health = self._health or _routes.is_health(text)

    def _binding(self, node: cst.Call) -> tuple[cst.SimpleStatementLine | None, str]:
        ancestors = self.context.ancestors
        if len(ancestors) >= 2 and isinstance(ancestors[-1], (cst.Assign, cst.AnnAssign)):
            assign, line = ancestors[-1], ancestors[-2]
            target = assign.targets[0].target if isinstance(assign, cst.Assign) else assign.target
            if (
                isinstance(line, cst.SimpleStatementLine)
                and len(line.body) == 1
                and isinstance(target, cst.Name)
            ):
                return line, target.value
        return None, ""

    def end_statement(self) -> _Seen | None:
        """Return what the statement held, and forget it.

        Returns:
            The summary, or None when it holds nothing of interest.
        """
        seen = _Seen(tuple(self._apps), tuple(self._includes), self._health, tuple(self._handed))
        self.setup()
        return seen if seen.apps or seen.includes or seen.health or seen.handed else None

    @classmethod
    def combine(cls, parts: Sequence[_Seen | None]) -> _Seen | None:
        """Every part's apps, includes and handed functions; a health route in any.

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        seen = [part for part in parts if part is not None]
        if not seen:
            return None
        return _Seen(
            tuple(app for part in seen for app in part.apps),
            tuple(router for part in seen for router in part.includes),
            any(part.health for part in seen),
            tuple(name for part in seen for name in part.handed),
        )

    def finish(self, summaries: Sequence[_Seen | None]) -> None:
        """Report the first app when routers are included and no health route exists.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        present = [(index, s) for index, s in enumerate(summaries) if s is not None]
        apps = [(index, app) for index, s in present for app in s.apps]
        includes = [router for _, s in present for router in s.includes]
        if self.context.is_test or not apps or not includes:
            return
        if any(s.health for _, s in present) or self._health_elsewhere(includes):
            return
        if self._registered_elsewhere([name for _, s in present for name in s.handed]):
            return
        index, (call, line, name) = apps[0]
        self.report(
            _routes.summary_range(self.context, index, call), fix=self._fix(index, line, name)
        )

    def _health_elsewhere(self, includes: list[str]) -> bool:
        if not self.option("check-imported-routers"):
            return False
        for router in includes:
            if router.split(".", 1)[0] not in self.context.facts.imports:
                continue
            parsed = _routes.imported_module(self.context, router)
            if parsed is not None and _routes.module_has_health(parsed):
                return True
        return False

    def _registered_elsewhere(self, handed: list[str]) -> bool:
        """The app is passed to a function of the project that registers routers on it."""
        for name in handed:
            head = name.split(".", 1)[0]
            if head not in self.context.facts.imports:
                continue
            parsed = _routes.imported_module(self.context, name)
            if parsed is not None:
                if _routes.module_has_health(parsed):
                    return True
            elif "rout" in name.lower():
                return True  # cannot be read: ``init_core_routers(app)`` may add /health
        return False

    def _fix(self, index: int, line: cst.SimpleStatementLine | None, name: str) -> FixSpec | None:
        if line is None:
            return None
        try:
            self.context.positions.range_of(line, index)
        except KeyError:
            return None  # a summary kept from an earlier parse: the next check offers it
        return self.fix(
            "Add a `/health` route", InsertAfter(line, _HANDLER.format(app=name), whole_line=True)
        )

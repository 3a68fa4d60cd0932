"""BP112 module-mixes-concerns: routes, ORM models and database logic in one module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range, RelatedLocation
from precepts.rule import Example, Option, Rule
from precepts.text import count_line_breaks

_ROUTE, _MODEL, _QUERY = "route", "model", "query"
_ALL_CONCERNS = frozenset({_ROUTE, _MODEL, _QUERY})
_ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "websocket"}
)
_ROUTE_OWNERS = frozenset({"app", "router", "api", "bp", "blueprint"})
# Session methods that query or change the database: the "business logic" concern.
_DB_METHODS = frozenset(
    {
        "query",
        "execute",
        "scalars",
        "scalar",
        "add",
        "add_all",
        "commit",
        "delete",
        "flush",
        "merge",
        "refresh",
        "get",
    }
)
_SESSION_NAMES = frozenset({"session", "db", "sess", "db_session", "conn", "connection"})
_LABELS = {_ROUTE: "route handler", _MODEL: "ORM model", _QUERY: "database query"}


@dataclass(frozen=True)
class StatementConcerns:
    """What one top-level statement contributes: its concerns and where each first shows.

    Attributes:
        kinds: The concerns found (route, model, query).
        first: (concern, node) for the first node of each concern, in walk order.
    """

    kinds: frozenset[str]
    first: tuple[tuple[str, cst.CSTNode], ...]


class ModuleMixesConcerns(Rule):
    """Flags a module that holds route handlers, ORM models and database logic together."""

    code = "BP112"
    name = "module-mixes-concerns"
    family = "python"
    section = "Code Organization"
    message = (
        "This module mixes route handlers, ORM models and database logic: move the models to "
        "`app/models`, the queries to a service in `app/services`, and keep the routes thin"
    )
    summary = (
        "A module that declares route handlers (functions decorated with `@app.get`, "
        "`@router.post`, ...), ORM models (classes deriving from a declarative base, or "
        "declaring `__tablename__`) and "
        "database logic (`session.query`, `session.execute`/`scalars`, `.add`, `.commit`, "
        '...) all at once: the standard\'s "All logic in one file" ❌. Reported once, on the '
        "first route, with the first model and query as related locations."
    )
    why = (
        "When HTTP handling, persistence and business rules share a file, none of them can be "
        "tested or reused alone: testing a rule means starting the web app, and changing a "
        "table means touching the routes. The standard's layout keeps models in "
        "`app/models`, logic in services (`app/services/user_service.py`) and routes in "
        "routers that only translate HTTP to service calls."
    )
    leaves_alone = (
        "Modules with only one or two of the three concerns (a router calling a service, a "
        "service using models), small scripts and prototypes shorter than `min-lines` lines "
        "(default 30, blank lines included), and test files, which legitimately build an app, "
        "models and data side by side."
    )
    options = {
        "min-lines": Option(30, "Modules shorter than this many lines are left alone."),
    }
    bad = (
        Example(
            "from fastapi import APIRouter, Depends\n"
            "from sqlalchemy import String, select\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column\n"
            "\n"
            "from app.database import get_db\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            "class Base(DeclarativeBase):\n"
            '    """Declarative base of the models."""\n'
            "\n"
            "\n"
            "class Order(Base):\n"
            '    """A customer\'s order."""\n'
            "\n"
            '    __tablename__ = "orders"\n'
            "\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    customer: Mapped[str] = mapped_column(String(100))\n"
            "    total_cents: Mapped[int] = mapped_column(default=0)\n"
            "\n"
            "\n"
            "def order_total(session: Session, customer: str) -> int:\n"
            '    """Add up what a customer has ordered, in cents."""\n'
            "    orders = session.scalars(select(Order).where(Order.customer == customer))\n"
            "    return sum(order.total_cents for order in orders)\n"
            "\n"
            "\n"
            '@router.get("/v1/customers/{customer}/total")\n'
            "def customer_total(customer: str, session: Session = Depends(get_db)) -> int:\n"
            '    """Return what a customer has ordered in total, in cents."""\n'
            "    return order_total(session, customer)\n",
            line=31,
        ),
    )
    good = (
        Example(
            "from fastapi import APIRouter, Depends\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.database import get_db\n"
            "from app.services.orders import order_total\n"
            "\n"
            "router = APIRouter()\n"
            "\n"
            "\n"
            '@router.get("/v1/customers/{customer}/total")\n'
            "def customer_total(customer: str, session: Session = Depends(get_db)) -> int:\n"
            '    """Return what a customer has ordered in total, in cents."""\n'
            "    return order_total(session, customer)\n"
        ),
    )
    scope = "module"
    summary_parts = True

    def setup(self) -> None:
        """Start with no concern seen in the current top-level statement."""
        self._kinds: frozenset[str] = frozenset()
        self._first: tuple[tuple[str, cst.CSTNode], ...] = ()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Note a route handler."""
        if _ROUTE not in self._kinds and any(self._is_route(d) for d in node.decorators):
            self._add(_ROUTE, node.name)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Note an ORM model class."""
        if _MODEL in self._kinds or len(self.context.ancestors) != 1 or self.context.replaying:
            return  # only top-level classes are models (and the class's own walk notes it)
        info = self.context.facts.models.get(node.name.value)
        if (info is not None and info.node is node) or _has_tablename(node):
            self._add(_MODEL, node.name)

    def visit_Call(self, node: cst.Call) -> None:
        """Note a session call that queries or writes."""
        if _QUERY in self._kinds or not isinstance(node.func, cst.Attribute):
            return
        if node.func.attr.value in _DB_METHODS and _session_like(node.func.value):
            self._add(_QUERY, node)

    def end_statement(self) -> StatementConcerns | None:
        """Return the concerns of the statement just walked, and forget them.

        Returns:
            The statement's concerns, or None when it has none.
        """
        if not self._kinds:
            return None
        summary = StatementConcerns(self._kinds, self._first)
        self._kinds, self._first = frozenset(), ()
        return summary

    @classmethod
    def combine(cls, parts: Sequence[StatementConcerns | None]) -> StatementConcerns | None:
        """Every concern of the parts, with the first node of each, as one walk notes them.

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        kinds: frozenset[str] = frozenset()
        first: list[tuple[str, cst.CSTNode]] = []
        for part in parts:
            for kind, node in part.first if part else ():
                if kind not in kinds:
                    kinds |= {kind}
                    first.append((kind, node))
        return StatementConcerns(kinds, tuple(first)) if kinds else None

    def finish(self, summaries: Sequence[StatementConcerns | None]) -> None:
        """Report once when the module holds all three concerns and is not a small script.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        if self.context.is_test:
            return
        firsts: dict[str, tuple[int, cst.CSTNode]] = {}
        for index, summary in enumerate(summaries):
            for kind, node in summary.first if summary else ():
                firsts.setdefault(kind, (index, node))
        if firsts.keys() != _ALL_CONCERNS or self._line_count() < self.option("min-lines"):
            return
        related = [
            RelatedLocation(self._range(*firsts[kind]), f"first {_LABELS[kind]}")
            for kind in (_MODEL, _QUERY)
        ]
        self.report(self._range(*firsts[_ROUTE]), related=related)

    def _add(self, kind: str, node: cst.CSTNode) -> None:
        self._kinds = self._kinds | {kind}
        self._first = (*self._first, (kind, node))

    def _is_route(self, decorator: cst.Decorator) -> bool:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return False
        if call.func.attr.value not in _ROUTE_METHODS:
            return False
        owner = dotted_name(call.func.value)
        if owner is None:
            return False
        facts = self.context.facts
        return (
            owner in facts.apps
            or owner in facts.routers
            or owner in _ROUTE_OWNERS
            or owner.endswith(("_router", "_app"))
        )

    def _line_count(self) -> int:
        text = self.context.text
        return count_line_breaks(text) + (0 if text.endswith(("\n", "\r")) else 1)

    def _range(self, index: int, node: cst.CSTNode) -> Range:
        # The statement index is a hint that spares a search through the module. A node
        # that is no longer part of the module (a summary kept from an earlier parse)
        # falls back to the start of its statement.
        positions = self.context.positions
        try:
            return positions.range_of(node, index)
        except KeyError:
            line = positions.first_line(index)
            return Range.of(line, 0, line, 0)


def _session_like(node: cst.BaseExpression) -> bool:
    name = dotted_name(node)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1].lower()
    return last in _SESSION_NAMES or last.endswith(("session", "_db"))


def _has_tablename(node: cst.ClassDef) -> bool:
    """Tell whether a class body assigns ``__tablename__`` (a model of an imported base)."""
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else []
            if any(isinstance(t, cst.Name) and t.value == "__tablename__" for t in targets):
                return True
    return False

"""BP112 module-mixes-concerns: what it flags and what it leaves alone."""

from __future__ import annotations

from precepts.registry import all_rules
from tests.helpers import check

RULE = all_rules()["BP112"]
MIXED = RULE.bad[0].code
ROUTER_ONLY = RULE.good[0].code


def _findings(code: str, path: str = "app/example.py", **options: object) -> list:
    result = check(code, path=path, select=["BP112"], options={"BP112": options})
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def test_reported_once_on_the_first_route_with_related_locations() -> None:
    second_route = (
        '\n\n@router.get("/v1/customers/{customer}/orders")\n'
        "def customer_orders(customer: str, session: Session = Depends(get_db)) -> int:\n"
        '    """Count the orders."""\n'
        "    return len(list(session.scalars(select(Order))))\n"
    )
    (finding,) = _findings(MIXED + second_route)
    assert finding.range.start.line == RULE.bad[0].line - 1
    assert [r.message for r in finding.related] == ["first ORM model", "first database query"]
    assert [r.range.start.line + 1 for r in finding.related] == [14, 26]


def test_two_concerns_are_not_enough() -> None:
    assert _findings(ROUTER_ONLY) == []
    without_route = MIXED.split("@router.get")[0]
    assert _findings(without_route, **{"min-lines": 0}) == []
    without_query = MIXED.replace("session.scalars(", "list(")
    assert _findings(without_query) == []


def test_short_scripts_and_tests_are_left_alone() -> None:
    assert _findings(MIXED, **{"min-lines": 100}) == []
    assert _findings(MIXED, path="tests/test_orders.py") == []
    assert len(_findings(MIXED, **{"min-lines": 0})) == 1


def test_model_of_an_imported_base_is_recognised_by_its_tablename() -> None:
    code = """\
from fastapi import APIRouter

from app.database import Base, SessionLocal

router = APIRouter()


class Order(Base):
    __tablename__ = "orders"


@router.post("/v1/orders")
def create_order() -> None:
    with SessionLocal() as session:
        session.add(Order())
        session.commit()
"""
    (finding,) = _findings(code, **{"min-lines": 0})
    assert finding.range.start.line == 12


def test_routes_on_an_app_and_legacy_queries_count() -> None:
    code = """\
from fastapi import FastAPI
from sqlalchemy.orm import declarative_base

app = FastAPI()
Base = declarative_base()


class User(Base):
    __tablename__ = "users"


@app.get("/users")
def users(db=None):
    return db.query(User).all()
"""
    (finding,) = _findings(code, **{"min-lines": 0})
    assert finding.range.start.line == 12


def test_set_add_and_dict_get_are_not_database_logic() -> None:
    code = MIXED.replace(
        "orders = session.scalars(select(Order).where(Order.customer == customer))",
        "seen.add(customer)\n    orders = cache.get(customer)",
    )
    assert _findings(code) == []

"""Generated FastAPI/SQLAlchemy-style modules for the latency benchmark and tests.

``backend_module(lines)`` repeats a ~250-line block (an enum, ORM models, pydantic
schemas, services, async CRUD, a retry decorator, a service class with ``match``, routes
with ``Depends``, try/except/finally) with renamed identifiers. ``class_module(lines)``
is one class of the requested size (a repository with many methods). Both contain a
realistic share of what the standard flags.
"""

from __future__ import annotations

HEADER = '''"""Generated backend module for benchmarks."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Dict, List, Optional

import requests
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, create_engine, text
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker

logger = logging.getLogger(__name__)
Base = declarative_base()
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine)
router = APIRouter(prefix="/v1")
app = FastAPI()

try:
    import orjson
except ImportError:  # pragma: no cover
    orjson = None

if os.environ.get("DEBUG"):
    LOG_LEVEL = "DEBUG"
else:
    LOG_LEVEL = "INFO"


def get_db():
    """Yield a session."""
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()

'''

BLOCK = '''
class Status{n}(str, Enum):
    """Status of an order."""

    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"


class Customer{n}(Base):
    """A customer."""

    __tablename__ = "customers_{n}"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    name = Column(String, nullable=True)
    active = Column(Boolean, default=True)
    created_at = Column(DateTime, default=datetime.utcnow)
    orders = relationship("Order{n}", back_populates="customer")


class Order{n}(Base):
    """An order."""

    __tablename__ = "orders_{n}"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers_{n}.id"), nullable=False)
    total_cents = Column(Integer, nullable=False, default=0)
    status = Column(String(20), nullable=False, default="pending")
    customer = relationship("Customer{n}", back_populates="orders")


class OrderCreate{n}(BaseModel):
    """What a client sends to create an order."""

    customer_id: int
    total_cents: int = Field(ge=0)
    note: Optional[str] = None


class OrderOut{n}(BaseModel):
    """What the API returns for an order."""

    id: int
    customer_id: int
    total_cents: int
    status: str


@dataclass
class OrderSummary{n}:
    """Totals of a customer's orders."""

    count: int
    total_cents: int


def find_customer_{n}(db: Session, email: str) -> Optional[Customer{n}]:
    """Return the customer with this email, if any."""
    return db.query(Customer{n}).filter(Customer{n}.email == email).first()


def order_summary_{n}(db: Session, customer_id: int) -> OrderSummary{n}:
    """Add up a customer's orders."""
    orders = db.query(Order{n}).filter(Order{n}.customer_id == customer_id).all()
    total = 0
    for order in orders:
        if order.status == Status{n}.PAID or order.status == Status{n}.SHIPPED:
            total += order.total_cents
    return OrderSummary{n}(len(orders), total)


def legacy_report_{n}(db, customer_id, include_history=False):
    result = []
    orders = db.query(Order{n}).filter(Order{n}.customer_id == customer_id).all()
    for order in orders:
        if order.status != None:
            if include_history:
                for line in range(order.total_cents):
                    if line % 2 == 0 and line > 10 or line < 3:
                        result.append(line)
            else:
                result.append(order.id)
    print(f"report for {{customer_id}}: {{len(result)}} rows")
    return result


def retry_{n}(times: int = 3):
    """Retry a function a few times."""

    def decorate(func):
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(times):
                try:
                    return func(*args, **kwargs)
                except Exception:
                    logger.warning("attempt %s failed", attempt)
            raise RuntimeError("giving up")

        return wrapper

    return decorate


@retry_{n}(times=2)
def fetch_rates_{n}(currency: str) -> Dict[str, Any]:
    """Fetch exchange rates."""
    response = requests.get(f"https://rates.example.com/{{currency}}", timeout=10)
    return response.json()


class OrderService{n}:
    """Business logic around orders."""

    def __init__(self, db: Session) -> None:
        """Bind the service to a session."""
        self.db = db

    def create(self, data: OrderCreate{n}) -> Order{n}:
        """Create an order."""
        order = Order{n}(customer_id=data.customer_id, total_cents=data.total_cents)
        self.db.add(order)
        self.db.commit()
        return order

    def describe(self, order: Order{n}) -> str:
        """Describe an order's status."""
        match order.status:
            case "pending":
                return "waiting for payment"
            case "paid":
                return "paid"
            case _:
                return "done"

    def largest(self, limit: int = 10) -> List[Order{n}]:
        """Return the largest orders."""
        if (count := self.db.query(Order{n}).count()) == 0:
            return []
        sql = text("SELECT * FROM orders_{n} ORDER BY total_cents DESC LIMIT :limit")
        rows = self.db.execute(sql, {{"limit": min(limit, count)}}).fetchall()
        return [Order{n}(**dict(row)) for row in rows]


@router.get("/customers/{{customer_id}}/orders", response_model=List[OrderOut{n}])
def list_orders_{n}(customer_id: int, db: Session = Depends(get_db)) -> List[Order{n}]:
    """List a customer's orders."""
    customer = db.get(Customer{n}, customer_id)
    if customer is None:
        raise HTTPException(status_code=404, detail="no such customer")
    return list(customer.orders)


@router.post("/orders", response_model=OrderOut{n})
async def create_order_{n}(data: OrderCreate{n}, db: Session = Depends(get_db)) -> Order{n}:
    """Create an order."""
    try:
        return OrderService{n}(db).create(data)
    except ValueError as error:
        logger.info("bad order: %s", error)
        raise HTTPException(status_code=422, detail=str(error)) from error
    finally:
        logger.debug("create_order done")


def import_orders_{n}(db: Session, rows: List[Dict[str, Any]]) -> int:
    """Import orders from rows."""
    count = 0
    for row in rows:
        order = Order{n}(**row)  # type: ignore[arg-type]
        db.add(order)
        count += 1
    db.commit()
    return count
'''

METHOD = '''
    def method_{n}(self, customer_id: int, limit: int = 10) -> List[Dict[str, Any]]:
        """Return a page of orders for a customer."""
        rows = self.db.query(self.model).filter(self.model.customer_id == customer_id).all()
        result = []
        for row in rows[:limit]:
            if row.status == "paid" and row.total_cents > 0:
                result.append({{"id": row.id, "total": row.total_cents}})
            elif row.status == None:
                logger.info("order %s has no status", row.id)
        return result

    def legacy_{n}(self, customer_id, include_history=False):
        data = self.db.execute(text(f"SELECT * FROM orders WHERE id = {{customer_id}}"))
        if include_history:
            print("history")
        return data
'''


def backend_module(lines: int = 5000) -> str:
    """Return a generated backend module of about ``lines`` lines.

    Args:
        lines: The wanted size.

    Returns:
        The source.
    """
    parts = [HEADER]
    total = HEADER.count("\n")
    n = 0
    while total < lines:
        block = BLOCK.format(n=n)
        parts.append(block)
        total += block.count("\n")
        n += 1
    return "".join(parts)


def class_module(lines: int = 1000) -> str:
    """Return a module holding one repository class of about ``lines`` lines.

    Args:
        lines: The wanted size of the class.

    Returns:
        The source.
    """
    head = HEADER + '\n\nclass OrderRepository:\n    """Queries about orders."""\n\n'
    head += "    def __init__(self, db: Session, model: Any) -> None:\n"
    head += '        """Bind the repository."""\n        self.db = db\n        self.model = model\n'
    parts = [head]
    total = 0
    n = 0
    while total < lines:
        method = METHOD.format(n=n)
        parts.append(method)
        total += method.count("\n")
        n += 1
    return "".join(parts)

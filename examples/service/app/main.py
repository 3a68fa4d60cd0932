"""All logic in one file: routes, a model and queries together (BP112), routes on the app."""

from fastapi import Depends, FastAPI
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import Session

from app.database import Base, SessionLocal

app = FastAPI()


class Coupon(Base):
    """A discount coupon."""

    __tablename__ = "coupons"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)


def get_db() -> Session:
    """Open a session for a request."""
    return SessionLocal()


@app.get("/coupons/{code}")
def read_coupon(code: str, db: Session = Depends(get_db)) -> dict:
    """Look a coupon up."""
    coupon = db.query(Coupon).filter(Coupon.code == code).first()
    return {"id": coupon.id, "code": coupon.code}


def price(order: dict, user: dict, coupon: dict | None, region: str) -> float:
    """Compute a price with too many branches (BP101)."""
    total = 0.0
    for item in order["items"]:
        if item["qty"] > 0:
            if item.get("discount"):
                if user.get("vip") and region == "EU" or region == "UK":
                    total += item["price"] * item["qty"] * 0.8
                elif coupon is not None:
                    total += item["price"] * item["qty"] * (1 - coupon["rate"])
                else:
                    total += item["price"] * item["qty"]
            else:
                while item["qty"] > 100:
                    item["qty"] -= 1
                    if item["qty"] % 10 == 0:
                        total -= 1
        else:
            try:
                total += item["refund"]
            except KeyError:
                if user.get("strict"):
                    raise
    return total if total > 0 else 0.0

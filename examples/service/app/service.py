"""Business logic with the classic mistakes of the data layer and of logging."""

import logging

from sqlalchemy.orm import Session

from app.models import Order, User

logger = logging.getLogger(__name__)


def order_totals(db: Session, user_ids: list[int]) -> dict[int, int]:
    """Count each user's orders, one query per user (BP202, N+1)."""
    totals = {}
    for user_id in user_ids:
        totals[user_id] = db.query(Order).filter(Order.user_id == user_id).count()
    return totals


def find_by_domain(db: Session, domain: str) -> list[User]:
    """Search users by e-mail domain with a leading wildcard (BP203)."""
    return db.query(User).filter(User.email.like(f"%{domain}")).all()


def active_users(db: Session) -> list[User]:
    """Fetch everything, then filter in Python (BP207)."""
    return [u for u in db.query(User).all() if u.is_active]


def deactivate(db: Session, user_id: int) -> None:
    """Deactivate a user: unchecked first(), direct attribute writes (BP206, BP205)."""
    user = db.query(User).filter(User.id == user_id).first()
    user.is_active = False
    for order in user.orders:
        order.status = "cancelled"
        db.commit()
    logger.info(f"Deactivated user {user_id}")


def get_user(db: Session, user_id: int) -> User:
    """Return the user or None, silently (BP111)."""
    return db.query(User).filter(User.id == user_id).first()


def export_report(path: str, rows: list[dict]) -> None:
    """Write a report without an encoding, swallowing errors (BP606, BP109)."""
    try:
        with open(path, "w") as handle:
            for row in rows:
                handle.write(str(row))
    except Exception:
        pass


def processOrder(order, strict=False):
    if order == None:
        raise Exception("no order")
    print("processing", order)
    return order

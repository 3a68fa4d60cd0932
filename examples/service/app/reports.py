"""Reporting helpers: BP104 (whitespace), BP108 (docstring args), BP505 (schema), BP001."""

from sqlalchemy import text
from sqlalchemy.orm import Session

REPORTS_TABLE = """
CREATE TABLE reports (
    id SERIAL PRIMARY KEY,
    owner_email VARCHAR(255),
    is_public BOOLEAN,
    created_at TIMESTAMP
)
"""


def monthly_total(db: Session, month: int, year: int) -> int:
    """Sum the order amounts of one month.

    Args:
        db: The session.
        month: The month, 1 to 12.

    Returns:
        The total in cents.
    """
    total=db.execute(
        text("SELECT SUM(amount) FROM orders WHERE month = :month AND year = :year"),
        {"month": month, "year": year},
    ).scalar()
    return int(total or 0)  # noqa: BP105

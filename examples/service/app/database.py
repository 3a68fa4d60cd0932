"""Engine and sessions: BP503 (no pool settings), BP204 (unmanaged session)."""

from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

from app.config import DATABASE_URL

engine = create_engine(DATABASE_URL)
SessionLocal = sessionmaker(bind=engine)
Base = declarative_base()


def count_rows(table: str) -> int:
    """Count the rows of a table with raw SQL (BP501, BP504)."""
    session = SessionLocal()
    rows = session.execute(f"SELECT * FROM {table}").fetchall()
    return len(rows)

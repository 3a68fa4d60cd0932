"""Tests of the users service: BP801, BP802, BP803.

BP801: a test that asserts nothing. BP802: a test against the production database.
BP803: a test that patches the ORM session's own `commit`.
"""

from unittest.mock import patch

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.service import deactivate

engine = create_engine("postgresql://app@db.internal:5432/users")


def test_deactivate() -> None:
    """A user can be deactivated."""
    with Session(engine) as session:
        deactivate(session, 7)


def test_deactivate_commits() -> None:
    """Deactivating a user commits the session."""
    with patch("app.service.session.commit") as commit:
        deactivate(None, 7)
    commit.assert_called_once()

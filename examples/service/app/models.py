"""Models without constraints: BP201."""

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from app.database import Base


class User(Base):
    """A customer."""

    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String)
    is_active = Column(Boolean)
    created_at = Column(DateTime)


class Order(Base):
    """An order placed by a customer."""

    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    status = Column(String(20), nullable=False, default="new")
    note = Column(String(200), nullable=True)

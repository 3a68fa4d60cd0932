from __future__ import annotations

from tests.rules._sqla import fixed, lines

HEADER = """
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declarative_base, mapped_column
Base = declarative_base()
"""


def test_every_missing_constraint_is_listed_on_one_finding():
    from tests.helpers import check

    result = check(
        HEADER + "class U(Base):\n    __tablename__ = 'u'\n    email = Column(String)\n",
        select=["BP201"],
    )
    (finding,) = result.findings
    assert "without a length" in finding.message
    assert "nullable" in finding.message
    assert "unique" in finding.message


def test_leaves_alone_primary_keys_and_complete_columns():
    code = (
        HEADER
        + """
class U(Base):
    __tablename__ = "u"
    id = Column(Integer, primary_key=True)
    email = Column(String(255), unique=True, nullable=False)
    active = Column(Boolean, server_default="true", nullable=False)
    created_at = Column(DateTime, default=func.now(), nullable=False)
    updated_at = Column(DateTime, default=func.now(), onupdate=func.now(), nullable=False)
"""
    )
    assert lines(code, "BP201") == []


def test_typed_models_are_not_asked_for_nullable_but_for_the_rest():
    code = (
        HEADER
        + """
class TBase(DeclarativeBase):
    pass
class U(TBase):
    __tablename__ = "u"
    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column()
    name: Mapped[str] = mapped_column(String)
"""
    )
    assert lines(code, "BP201") == [12, 13]


def test_unique_in_table_args_counts_even_when_composite():
    code = (
        HEADER
        + """
from sqlalchemy import UniqueConstraint
class U(Base):
    __tablename__ = "u"
    __table_args__ = (UniqueConstraint("tenant_id", "username"),)
    username = Column(String(30), nullable=False)
"""
    )
    assert lines(code, "BP201") == []


def test_models_through_imported_base_and_flask_and_snippets():
    code = """
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Column, String
from app.db import Base
db = SQLAlchemy()
class A(Base):
    __tablename__ = "a"
    email = Column(String(20), nullable=False)
class B(db.Model):
    name = db.Column(db.String(20))
class C(UndefinedBase):
    __tablename__ = "c"
    name = Column(String(20))
class Mixin:
    email = Column(String)
"""
    assert lines(code, "BP201") == [8, 10, 13]


def test_core_tables_are_left_alone():
    code = HEADER + 't = Table("t", Base.metadata, Column("email", String))\n'
    assert lines(code, "BP201") == []


def test_fix_adds_nullable_and_onupdate_only_when_that_is_all():
    code = (
        HEADER
        + """
class U(Base):
    __tablename__ = "u"
    flag = Column(Boolean, default=False)
    updated_at = Column(
        DateTime,
        default=func.now(),
    )
    other = Column(Integer)
"""
    )
    result = fixed(code, "BP201")
    assert "flag = Column(Boolean, default=False, nullable=False)" in result
    assert "default=func.now(), nullable=False, onupdate=func.now()," in result
    assert "other = Column(Integer)\n" in result  # ambiguous: no fix


def test_primary_keys_in_table_args_and_migration_snapshots():
    code = (
        HEADER
        + """
from sqlalchemy import PrimaryKeyConstraint
class U(Base):
    __tablename__ = "u"
    experiment_id = Column(Integer, autoincrement=True)
    key = Column(String(20))
    __table_args__ = (PrimaryKeyConstraint("experiment_id", "key"),)
"""
    )
    assert lines(code, "BP201") == []
    bad = HEADER + "class U(Base):\n    __tablename__ = 'u'\n    email = Column(String)\n"
    assert lines(bad, "BP201", path="app/alembic/versions/0001_init.py") == []
    assert lines(bad, "BP201", path="app/models.py") == [7]

"""BP407 plaintext-password: passwords stored without a hash."""

from __future__ import annotations

from tests.rules._auth import lines

CODE = """\
import bcrypt
from argon2 import PasswordHasher
from passlib.context import CryptContext
from sqlalchemy.orm import DeclarativeBase

pwd_context = CryptContext(schemes=["bcrypt"])
ph = PasswordHasher()


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"


def stores(user, data, form) -> None:
    user.password = data.password
    setattr(user, "password", form["password"])
    db.add(User(email=data.email, password=data.password))
    user.hashed_password = data.password.get_secret_value()
    plain = data.password
    create(hashed_password=plain)


def hashes(user, data, password: str) -> None:
    user.password = pwd_context.hash(data.password)
    user.hashed_password = bcrypt.hashpw(data.password.encode(), bcrypt.gensalt())
    user.password_hash = ph.hash(data.password)
    hashed = hash_password(data.password)
    user.hashed_password = hashed
    db.add(User(email=data.email, password=get_password_hash(data.password)))
    UserCreate(email=data.email, password=data.password)
    login(password=data.password)
    self.password = password
    settings.password = data.password
    user.password = password
"""


def test_plaintext_stores() -> None:
    assert lines(CODE, "BP407") == [19, 20, 21, 22, 24]


def test_tests_are_left_alone() -> None:
    assert lines(CODE, "BP407", path="tests/test_users.py") == []

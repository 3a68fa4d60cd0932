from __future__ import annotations

from tests.rules._sqla import fixed, lines

MODEL = """
from dataclasses import dataclass
from pydantic import BaseModel
from sqlalchemy import Column, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, declarative_base, mapped_column
Base = declarative_base()
class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String(20), nullable=False, unique=True)
    count = Column(Integer, nullable=False)
    def full(self):
        return self.email
class TBase(DeclarativeBase):
    pass
class Typed(TBase):
    __tablename__ = "t"
    id: Mapped[int] = mapped_column(primary_key=True)
class Schema(BaseModel):
    email: str
@dataclass
class Data:
    email: str
"""
START = MODEL.count("\n") + 1


def test_instances_from_both_query_styles_and_constructors():
    code = (
        MODEL
        + """
def f(db, i):
    a = db.query(User).filter(User.id == i).one()
    x: int = a.id
    a.email = "x"
    a.count += 1
    for row in db.query(User).all():
        row.email = "y"
    b = User(email="a")
    b.email = "b"
    c = db.get(User, 1)
    c.email = "c"
    d = db.scalars(select(User)).one()
    d.email = "d"
    send(a.email)
"""
    )
    found = [line - START for line in lines(code, "BP205")]
    assert found == [3, 4, 5, 7, 9, 11, 13, 14]


def test_leaves_alone_typed_models_pydantic_dataclasses_and_conversions():
    code = (
        MODEL
        + """
def f(db, t: Typed, s: Schema, d: Data, u: User):
    t.id = 1
    y: int = t.id
    s.email = "x"
    e: str = s.email
    d.email = "x"
    method = u.full
    text: str = str(u.email)
    print(u.email)
    plain = u.email
    copy = User(email=u.email)
class Other(Base):
    __tablename__ = "o"
    id = Column(Integer, primary_key=True)
    def reset(self):
        self.id = 3
"""
    )
    assert lines(code, "BP205") == []


def test_the_call_argument_check_can_be_switched_off():
    from tests.helpers import check

    code = MODEL + "def f(u: User):\n    send(u.email)\n"
    result = check(code, select=["BP205"], options={"BP205": {"call-arguments": False}})
    assert result.findings == []


def test_fixes_keep_formatting_and_comments():
    code = (
        MODEL
        + """
def f(u: User, v: int) -> None:
    u.email = (  # c1
        "x"  # c2
    )
    u.count -= v + 2
    n: int = u.count  # c3
    notify(u.email, email=u.email)
"""
    )
    result = fixed(code, "BP205")
    assert (
        result[len(MODEL) :]
        == """
def f(u: User, v: int) -> None:
    setattr(u, "email", (  # c1
        "x"  # c2
    ))
    setattr(u, "count", getattr(u, "count") - (v + 2))
    n: int = getattr(u, "count")  # c3
    notify(getattr(u, "email"), email=getattr(u, "email"))
"""
    )


def test_undefined_models_of_snippets_are_judged_by_use():
    code = """
def build(db_user: User, request: ChangeRequest) -> None:
    user_id: int = db_user.id
    value: str = request.value
def update(db, user_id: int, data: UserUpdate):
    row = db.query(Account).filter(Account.id == user_id).first()
    if row is None:
        return
    row.email = data.email
"""
    assert lines(code, "BP205") == [3, 9]


def test_unions_and_sql_construction_are_left_alone():
    code = (
        MODEL
        + """
def f(model: User | Typed, u: User):
    model.email = "x"
    stmt = select(User).where(equal(u.email, "x"))
"""
    )
    assert lines(code, "BP205") == []

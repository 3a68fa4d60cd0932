from __future__ import annotations

from tests.rules._sqla import fixed, lines


def test_checks_that_count():
    code = """
    def a(db, i):
        u = db.query(User).filter(User.id == i).first()
        if u is None:
            raise NotFound()
        return u.name
    def b(db, i):
        u = db.get(User, i)
        if not u:
            return None
        return u.name
    def c(db, i):
        u = db.scalars(select(User)).first()
        assert u
        return u.name
    def d(db, i):
        u = db.execute(select(User)).scalar_one_or_none()
        if u:
            print(u.name)
        if u is not None and u.active:
            return u.name if u else None
        return u and u.name
    def e(db, i):
        u = db.query(User).get(i)
        return u
    def f(db, i):
        u = db.query(User).first()
        if u is None:
            u = User()
        return u.name
    def g(db):
        r = db.query(func.count(User.id)).first()
        return r.total
    def h(db, ids):
        for i in ids:
            u = db.get(User, i)
            if u is None:
                continue
            u.seen = True
    def k(db):
        u = db.query(User).one()
        return u.name
    def m(db, i):
        u = db.get(User, i)
        if u is None or not u.active:
            abort(404)
        return u.name
    """
    assert lines(code, "BP206") == []


def test_unchecked_uses():
    code = """
    def a(db, i):
        u = db.query(User).filter(User.id == i).first()
        return u.name
    def b(db, i):
        u = db.get(User, i)
        if u is None:
            log()
        return u.name
    def c(db, i):
        u = db.scalars(select(User)).first()
        u.name = "x"
    def d(db, i):
        return db.query(User).first().name
    async def e(session: AsyncSession, i):
        u = await session.get(User, i)
        try:
            pass
        except ValueError:
            pass
        return u.name
    def f(db, i):
        u = db.scalar(select(User).where(User.id == i))
        if u.active or u is None:
            pass
    """
    assert lines(code, "BP206") == [4, 9, 12, 14, 21, 24]


def test_one_finding_per_variable_and_tests_are_left_alone():
    code = """
    def a(db):
        u = db.query(User).first()
        print(u.name, u.email)
    """
    assert lines(code, "BP206") == [4]
    assert lines(code, "BP206", path="tests/test_users.py") == []


ROUTE = """
from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

router = APIRouter()


@router.get("/users/{user_id}")
async def get_user(user_id: int, db: Session = Depends(get_db)) -> dict:
    \"\"\"Get a user.\"\"\"
    db_user = db.query(User).filter(User.id == user_id).first()  # look it up
    # keep this comment
    return {"email": db_user.email}
"""


def test_route_fix_raises_404_and_adds_the_import():
    assert fixed(ROUTE, "BP206") == ROUTE.replace(
        "APIRouter, Depends\n", "APIRouter, Depends, HTTPException\n"
    ).replace(
        "# look it up\n",
        "# look it up\n    if db_user is None:\n"
        '        raise HTTPException(status_code=404, detail="User not found")\n',
    )


def test_route_fix_uses_status_constants_when_imported():
    code = ROUTE.replace("APIRouter, Depends\n", "APIRouter, Depends, HTTPException, status\n")
    assert "status_code=status.HTTP_404_NOT_FOUND" in fixed(code, "BP206")


def test_route_fix_falls_back_to_assert_without_fastapi_import():
    code = ROUTE.replace("from fastapi import APIRouter, Depends\n", "")
    result = fixed(code, "BP206")
    assert "assert db_user is not None\n    # keep this comment" in result
    assert "HTTPException" not in result


def test_setattr_and_getattr_are_uses():
    # setattr/getattr fail on None as attribute access does; getattr with a default does not.
    code = """
    def a(db, i):
        u = db.get(User, i)
        setattr(u, "name", "x")
    def b(db, i):
        u = db.get(User, i)
        return getattr(u, "name")
    def c(db, i):
        u = db.get(User, i)
        return getattr(u, "name", None)
    def d(db, i):
        u = db.get(User, i)
        if u is None:
            return None
        setattr(u, "name", "x")
    """
    assert lines(code, "BP206") == [4, 7]


def test_bp205_fix_keeps_the_bp206_finding_where_it_was():
    # Seen in open-webui: BP205's setattr rewrite moved BP206 to a later line (issue 17).
    code = """
    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import declarative_base
    Base = declarative_base()
    class Message(Base):
        __tablename__ = "messages"
        id = Column(Integer, primary_key=True)
        content = Column(String)
        data = Column(String)
    async def update(db, id, content):
        message = await db.get(Message, id)
        message.content = content
        message.data = message.data if message.data else {}
        await db.commit()
    """
    before = lines(code, "BP206")
    rewritten = fixed(code, "BP205")
    assert 'setattr(message, "content", content)' in rewritten
    assert before == [12]
    assert lines(rewritten, "BP206") == before

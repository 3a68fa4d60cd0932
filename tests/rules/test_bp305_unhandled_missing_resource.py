from __future__ import annotations

from tests.helpers import check
from tests.rules._fastapi import lines

_HEAD = """
from fastapi import APIRouter, Depends, HTTPException

from app.db import get_db
from app.models import User

router = APIRouter()
"""


def test_returned_results_that_may_be_none():
    code = (
        _HEAD
        + """
@router.get("/a/{i}")
def a(i: int, db=Depends(get_db)):
    return db.query(User).filter(User.id == i).first()

@router.get("/b/{i}")
async def b(i: int, db=Depends(get_db)):
    user = await db.get(User, i)
    return user

@router.get("/c/{i}")
def c(i: int, db=Depends(get_db)):
    user = db.query(User).get(i)
    return UserOut.model_validate(user)
"""
    )
    assert lines(code, "BP305") == [11, 16, 21]


def test_checked_results_and_other_functions():
    code = (
        _HEAD
        + """
@router.get("/a/{i}")
def a(i: int, db=Depends(get_db)):
    user = db.get(User, i)
    if user is None:
        raise HTTPException(status_code=404)
    return user

@router.get("/b/{i}")
def b(i: int, db=Depends(get_db)):
    user = db.get(User, i)
    raise_if_missing(user)
    return user

@router.get("/c")
def c(db=Depends(get_db)):
    return db.query(User).all()

def helper(db, i):
    return db.get(User, i)

@router.get("/d/{i}")
def d(i: int, db=Depends(get_db)):
    user = db.get(User, i)
    return user or {}
"""
    )
    assert lines(code, "BP305") == []


def test_one_finding_per_spot_with_bp206_and_bp111():
    code = (
        _HEAD
        + """
@router.get("/a/{i}")
def a(i: int, db=Depends(get_db)) -> dict:
    user = db.get(User, i)
    return {"name": user.name}

@router.get("/b/{i}")
def b(i: int, db=Depends(get_db)) -> User:
    return db.query(User).filter(User.id == i).first()
"""
    )
    import textwrap

    result = check(textwrap.dedent(code), select=["BP111", "BP206", "BP305"])
    spots = [(f.range.start.line + 1, f.code) for f in result.findings]
    assert spots == [(12, "BP206"), (16, "BP305")]

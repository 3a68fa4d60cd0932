"""BP403 jwt-sub-not-converted: ``sub`` used as a database id without ``int()``."""

from __future__ import annotations

from pathlib import Path

from tests.rules._auth import fixed, lines, workspace

CODE = """\
import jwt


def uses(token: str) -> None:
    payload = jwt.decode(token, "", algorithms=["HS256"])
    user_id = payload["sub"]
    post.author_id = payload["sub"]
    setattr(post, "owner_id", payload.get("sub"))
    db.query(User).filter(User.id == payload["sub"])
    create(owner_id=payload["sub"])
    session.get(User, payload["sub"])
    logger.info("user %s", payload["sub"])
    user_id = int(payload["sub"])
    same = payload["sub"] != installation_id
    body = {"id": 1}
    item_id = body["sub"]
"""


def test_database_id_uses() -> None:
    assert lines(CODE, "BP403") == [6, 7, 8, 9, 10, 11]


def test_fix_wraps_in_int() -> None:
    out = fixed(CODE, "BP403")
    assert 'post.author_id = int(payload["sub"])' in out
    assert 'setattr(post, "owner_id", int(payload.get("sub")))' in out
    assert lines(out, "BP403") == []


def test_claims_from_another_module(tmp_path: Path) -> None:
    app = workspace(tmp_path)
    code = """\
from typing import Annotated

from fastapi import Depends

import app.security as security


def a(user: Annotated[dict, Depends(security.get_current_user)]) -> None:
    post.owner_id = user["sub"]
"""
    assert lines(code, "BP403", str(app / "routes.py")) == [9]

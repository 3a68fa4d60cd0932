"""BP410 role-based-authorization: role comparisons that answer 403."""

from __future__ import annotations

from pathlib import Path

from tests.rules._auth import lines, workspace

CODE = """\
from http import HTTPStatus

from fastapi import HTTPException, status


def checks(user, current_user, form_data, claims) -> None:
    if user.role != "admin":
        raise HTTPException(403)
    if current_user.role not in ("admin", "owner"):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="no")
    if "admin" not in user.roles and not owner:
        raise HTTPException(HTTPStatus.FORBIDDEN)
    if form_data.role != "admin":
        raise HTTPException(403)
    if user.role == "admin":
        show_everything()
    if user.role != "admin":
        raise HTTPException(404)
    if claims["role"] != "admin":
        raise HTTPException(403)
"""


def test_role_checks() -> None:
    assert lines(CODE, "BP410") == [7, 9, 11]


def test_claims_role_from_another_module(tmp_path: Path) -> None:
    app = workspace(tmp_path)
    code = """\
from fastapi import Depends, HTTPException

from app.security import get_current_user


def admin(claims: dict = Depends(get_current_user)) -> None:
    if claims.get("role") != "admin":
        raise HTTPException(403)
"""
    assert lines(code, "BP410", str(app / "routes.py")) == [7]

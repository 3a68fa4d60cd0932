"""BP404 jwt-optional-claim-indexed: optional claims read with ``[...]``."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import check
from tests.rules._auth import fixed, lines, workspace

CODE = """\
from typing import Any, Dict

from fastapi import Depends


def route(claims: Dict[str, Any] = Depends(get_current_user)) -> None:
    role = claims["role"]
    perms = claims["permissions"]
    name = claims["desired_name"]
    kind = claims['type']
    sub, email, exp = claims["sub"], claims["email"], claims["exp"]
    if "first_name" in claims:
        first = claims["first_name"]
    claims["role"] = "x"
"""


def test_optional_claims_and_their_defaults() -> None:
    assert lines(CODE, "BP404") == [7, 8, 9, 10]
    out = fixed(CODE, "BP404")
    assert 'claims.get("role", "user")' in out
    assert 'claims.get("permissions", [])' in out
    assert 'claims.get("desired_name")' in out
    assert "claims.get('type', \"access\")" in out


def test_email_when_the_option_lists_it() -> None:
    options = {"BP404": {"optional-claims": ["email"]}}
    result = check(CODE, select=["BP404"], options=options)
    assert [f.range.start.line + 1 for f in result.findings] == [11]


def test_dicts_that_are_not_claims() -> None:
    code = """\
def f(row: dict, settings: dict) -> str:
    return row["role"] + settings["type"]
"""
    assert lines(code, "BP404") == []


def test_claims_from_another_module(tmp_path: Path) -> None:
    app = workspace(tmp_path)
    code = """\
from app.security import get_current_user as current


def f(token: str) -> str:
    user = current(token)
    return user["role"]
"""
    assert lines(code, "BP404", str(app / "routes.py")) == [6]

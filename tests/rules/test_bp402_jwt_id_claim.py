"""BP402 jwt-id-claim: ``claims["id"]`` on JWT claims, and dicts that are not claims."""

from __future__ import annotations

from pathlib import Path

from tests.rules._auth import fixed, lines, workspace

ROUTE = """\
from typing import Any, Dict

from fastapi import Depends


def update(current_user: Dict[str, Any] = Depends(get_current_user)) -> None:
    db_resource.updated_by_id = current_user["id"]
    log(current_user.get("id"))
"""


def test_standard_dependency_idiom_and_fixes() -> None:
    assert lines(ROUTE, "BP402") == [7, 8]
    out = fixed(ROUTE, "BP402")
    assert 'db_resource.updated_by_id = int(current_user["sub"])' in out
    assert 'log(current_user["sub"])' in out


def test_one_spot_one_finding_after_the_fix() -> None:
    out = fixed(ROUTE, "BP402")
    assert lines(out, "BP402") == [] and lines(out, "BP403") == []


def test_decode_aliases_and_helpers() -> None:
    code = """\
from jose import jwt as jose_jwt
from jwt import decode as pyjwt_decode


def a(token: str) -> int:
    payload = pyjwt_decode(token, "", algorithms=["HS256"])
    return payload["user_id"]


def b(token: str) -> int:
    claims = jose_jwt.decode(token, "", algorithms=["HS256"])
    return _owner(claims)


def _owner(data):
    return data["uid"]
"""
    assert lines(code, "BP402") == [7, 16]


def test_annotated_alias_of_a_dependency() -> None:
    code = """\
from typing import Annotated

from fastapi import Depends

CurrentUser = Annotated[dict, Depends(get_current_user)]


def route(user: CurrentUser) -> str:
    return user["id"]
"""
    assert lines(code, "BP402") == [9]


def test_dicts_that_are_not_claims() -> None:
    code = """\
from typing import Any

from fastapi import Depends


def get_settings() -> dict:
    return {"id": 1}


def a(body: dict[str, Any], row: dict, settings: dict = Depends(get_settings)) -> int:
    body["id"] = 2
    return body["id"] + row["id"] + settings["id"]


def b(user: User = Depends(get_current_user)) -> int:
    return user["id"]
"""
    assert lines(code, "BP402") == []


def test_claims_from_another_module(tmp_path: Path) -> None:
    app = workspace(tmp_path)
    code = """\
from fastapi import Depends

from app.security import get_current_user, get_profile


def a(user: dict = Depends(get_current_user)) -> int:
    return user["id"]


def b(profile: dict = Depends(get_profile)) -> int:
    return profile["id"]
"""
    assert lines(code, "BP402", str(app / "routes.py")) == [7]

"""BP401 jwt-user-typed-as-model: claims dependencies annotated as a model."""

from __future__ import annotations

from pathlib import Path

from tests.rules._auth import fixed, lines, workspace

LOCAL = """\
import jwt as pyjwt
from fastapi import Depends

from app.models import User


def get_current_user(token: str):
    payload = pyjwt.decode(token, "", algorithms=["HS256"])
    return payload


def whoami(current_user: User = Depends(get_current_user)) -> int:
    return int(current_user["sub"])
"""


def test_local_dependency_returning_a_decode_through_an_alias() -> None:
    assert lines(LOCAL, "BP401") == [12]


def test_fix_annotates_dict_and_adds_the_typing_import() -> None:
    out = fixed(LOCAL, "BP401")
    assert "from typing import Any, Dict\n" in out
    assert "current_user: Dict[str, Any] = Depends(get_current_user)" in out


def test_annotated_and_security() -> None:
    code = """\
from typing import Annotated, Any

from fastapi import Depends, Security
from jose import jwt


def get_current_user(token: str) -> dict[str, Any]:
    return jwt.decode(token, "", algorithms=["HS256"])


def a(user: Annotated["User", Depends(get_current_user)]) -> None:
    pass


def b(user: User = Security(get_current_user, scopes=["x"])) -> None:
    pass
"""
    assert lines(code, "BP401") == [11, 15]
    out = fixed(code, "BP401")
    assert 'Annotated["User", Depends' in out  # a string annotation is not rewritten
    assert "user: Dict[str, Any] = Security(" in out
    assert "from typing import Annotated, Any, Dict\n" in out


def test_dependency_returning_the_model_is_left_alone() -> None:
    code = """\
from fastapi import Depends


def get_current_user(token: str) -> User:
    return load(token)


def whoami(current_user: User = Depends(get_current_user)) -> int:
    return current_user.id
"""
    assert lines(code, "BP401") == []


def test_unknown_dependency_says_nothing() -> None:
    code = """\
from fastapi import Depends

from somewhere_else import get_current_user


def whoami(current_user: User = Depends(get_current_user)) -> int:
    return current_user.id
"""
    assert lines(code, "BP401") == []


def test_claims_from_another_module(tmp_path: Path) -> None:
    app = workspace(tmp_path)
    code = """\
from fastapi import Depends

from app.models import User
from app.security import get_current_user, get_profile


def whoami(current_user: User = Depends(get_current_user)) -> int:
    return 1


def profile(current_user: User = Depends(get_profile)) -> int:
    return 1
"""
    assert lines(code, "BP401", str(app / "routes.py")) == [7]

"""BP405 jwt-without-expiry: payloads built in the function that never get ``exp``."""

from __future__ import annotations

from tests.rules._auth import lines

CODE = """\
import jwt as pyjwt
from authlib.jose import jwt as authlib_jwt
from jose import jwt


def literal(user_id: int) -> str:
    return pyjwt.encode({"sub": str(user_id)}, KEY)


def built(user_id: int) -> str:
    payload = dict(sub=str(user_id))
    payload["role"] = "user"
    return jwt.encode(payload, KEY)


def authlib(user_id: int) -> bytes:
    return authlib_jwt.encode({"alg": "RS256"}, {"sub": "1"}, KEY)


def later_exp(user_id: int) -> str:
    payload = {"sub": str(user_id)}
    payload.update({"exp": soon()})
    return jwt.encode(payload, KEY)


def kw_exp(user_id: int) -> str:
    payload = {"sub": str(user_id)}
    payload.update(exp=soon())
    return jwt.encode(payload, KEY)


def setdefault_exp(user_id: int) -> str:
    payload = {"sub": str(user_id)}
    payload.setdefault("exp", soon())
    return jwt.encode(payload, KEY)


def from_param(data: dict) -> str:
    return jwt.encode(data, KEY)


def copied(data: dict) -> str:
    to_encode = data.copy()
    return jwt.encode(to_encode, KEY)


def merged(data: dict) -> str:
    return jwt.encode({**data, "sub": "1"}, KEY)


def self_test() -> None:
    token = jwt.encode({"some": "payload"}, KEY)
    jwt.decode(token, KEY, algorithms=["HS256"])
"""


def test_payloads_without_exp() -> None:
    assert lines(CODE, "BP405") == [7, 13, 17]


def test_tests_are_left_alone() -> None:
    assert lines(CODE, "BP405", path="tests/test_tokens.py") == []

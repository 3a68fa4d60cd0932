"""BP406 jwt-verification-disabled: PyJWT, python-jose and authlib decodes."""

from __future__ import annotations

from tests.rules._auth import lines

CODE = """\
import jwt as pyjwt
from authlib.jose import jwt as authlib_jwt
from jose import jwt


def checks(token: str, id_token: str, tokens: dict, opts: dict) -> None:
    pyjwt.decode(old, verify=False)
    pyjwt.decode(other, KEY, options={"verify_signature": False}, algorithms=["HS256"])
    pyjwt.decode(token, KEY)
    jwt.decode(token, KEY)
    pyjwt.decode(id_token, KEY, algorithms=["RS256"], audience="web")
    jwt.decode(tokens["id_token"], KEY, algorithms=["RS256"])
    authlib_jwt.decode(id_token, KEY)
    pyjwt.decode(token, KEY, algorithms=["HS256"])
    pyjwt.decode(token, KEY, ["HS256"])
    pyjwt.decode(id_token, KEY, algorithms=["RS256"], audience="web", issuer="me")
    pyjwt.decode(token, KEY, options=opts, algorithms=["HS256"])
    pyjwt.decode(token, **opts)
    authlib_jwt.decode(id_token, KEY, claims_options={"iss": {"value": "me"}})


def peek(token: str) -> dict:
    issuer = pyjwt.decode(token, options={"verify_signature": False})["iss"]
    return pyjwt.decode(token, keys[issuer], algorithms=["RS256"], audience="a", issuer=issuer)
"""


def test_disabled_checks() -> None:
    assert lines(CODE, "BP406") == [7, 8, 9, 10, 11, 12, 13]


def test_tests_build_tokens() -> None:
    assert lines(CODE, "BP406", path="tests/test_auth.py") == []

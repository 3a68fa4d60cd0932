"""BP412 unauthorized-401-without-challenge: the fix and its layouts."""

from __future__ import annotations

from tests.rules._auth import fixed, lines

CODE = """\
from http import HTTPStatus

from fastapi import HTTPException as HTTPError, status
from starlette.exceptions import HTTPException


def checks() -> None:
    raise HTTPError(401)
    raise HTTPException(HTTPStatus.UNAUTHORIZED, "no")
    raise HTTPError(status_code=401, headers={"X": "1"})
    raise HTTPError(
        status_code=status.HTTP_401_UNAUTHORIZED)
    raise HTTPError(status_code=401, headers=HEADERS)
    raise HTTPError(status_code=403)
    raise HTTPError(401, headers={"www-authenticate": "Bearer"})
"""


def test_401_without_challenge() -> None:
    assert lines(CODE, "BP412") == [8, 9, 10, 11]


def test_fix_keeps_the_layout() -> None:
    out = fixed(CODE, "BP412")
    assert 'raise HTTPError(401, headers={"WWW-Authenticate": "Bearer"})' in out
    assert (
        'HTTPException(HTTPStatus.UNAUTHORIZED, "no", headers={"WWW-Authenticate": "Bearer"})'
        in out
    )
    expected = (
        '        status_code=status.HTTP_401_UNAUTHORIZED,\n        headers={"WWW-Authenticate"'
    )
    assert expected in out
    assert lines(out, "BP412") == [10]  # a literal headers dict without the key: no fix
    assert fixed(out, "BP412") == out

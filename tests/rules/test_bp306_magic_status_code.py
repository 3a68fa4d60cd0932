from __future__ import annotations

from tests.rules._fastapi import fixed, lines


def test_bare_numbers_in_http_exceptions():
    code = """
    import fastapi as fa
    from fastapi import HTTPException as HE
    from starlette.exceptions import HTTPException

    def f() -> None:
        raise HE(status_code=404)

    def g() -> None:
        raise fa.HTTPException(403, "no")

    def h() -> None:
        raise HTTPException(status_code=422)
    """
    assert lines(code, "BP306") == [7, 10, 13]


def test_left_alone():
    code = """
    from fastapi import HTTPException, status
    from http import HTTPStatus

    class MyError(Exception): ...

    def f() -> None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND)

    def g() -> None:
        raise HTTPException(HTTPStatus.FORBIDDEN)

    def h() -> None:
        raise MyError(404)

    def k() -> None:
        raise HTTPException(status_code=999)
    """
    assert lines(code, "BP306") == []
    assert (
        lines(
            "from fastapi import HTTPException\nraise HTTPException(404)\n",
            "BP306",
            path="tests/test_x.py",
        )
        == []
    )


def test_fix_reuses_an_alias_of_status():
    code = """
    from fastapi import HTTPException
    from fastapi import status as st

    def f() -> None:
        raise HTTPException(status_code=404,  # gone
                            detail="x")
    """
    assert fixed(code, "BP306") == (
        "\nfrom fastapi import HTTPException\nfrom fastapi import status as st\n\n"
        "def f() -> None:\n    raise HTTPException(status_code=st.HTTP_404_NOT_FOUND,  # gone\n"
        '                        detail="x")\n'
    )


def test_fix_through_the_module_alias_and_a_new_import():
    code = """
    import fastapi as fa

    def f() -> None:
        raise fa.HTTPException(409)
    """
    assert "fa.HTTPException(fa.status.HTTP_409_CONFLICT)" in fixed(code, "BP306")
    code = """
    from __future__ import annotations

    from starlette.exceptions import HTTPException

    def f() -> None:
        raise HTTPException(401)
    """
    assert fixed(code, "BP306") == (
        "\nfrom __future__ import annotations\n\n"
        "from starlette.exceptions import HTTPException\nfrom fastapi import status\n\n"
        "def f() -> None:\n    raise HTTPException(status.HTTP_401_UNAUTHORIZED)\n"
    )

"""BP111 silent-none-on-missing: what it flags and what it leaves alone."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check


def _lines(code: str, path: str = "app/example.py") -> list[int]:
    result = check(textwrap.dedent(code), path=path, select=["BP111"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    "value",
    [
        "session.get(User, uid)",
        "self.session.get(User, uid)",
        "db.get(User, uid)",
        "db.query(User).get(uid)",
        "User.query.get(uid)",
        "session.query(User).filter(User.id == uid).first()",
        "session.scalars(select(User)).first()",
        "session.execute(select(User)).scalar_one_or_none()",
        "session.query(User).one_or_none()",
        "await session.get(User, uid)",
        "None",
    ],
)
def test_non_optional_function_returning_a_lookup_is_flagged(value: str) -> None:
    code = f"async def load(session, uid: int) -> User:\n    return {value}\n"
    assert _lines(code) == [2]


@pytest.mark.parametrize(
    "annotation",
    [
        "Optional[User]",
        "typing.Optional[User]",
        "User | None",
        "None | User",
        "Union[User, None]",
        "'User | None'",
        "'Optional[User]'",
        "Any",
        "object",
        "None",
        "Annotated[Optional[User], 'doc']",
    ],
)
def test_optional_contracts_are_left_alone(annotation: str) -> None:
    code = f"def load(session, uid: int) -> {annotation}:\n    return session.get(User, uid)\n"
    assert _lines(code) == []


@pytest.mark.parametrize(
    "value",
    ["settings.get('key')", "mapping.get(key, 0)", "cache.get(uid)", "session.scalars(q).one()"],
)
def test_dict_get_and_one_are_left_alone(value: str) -> None:
    assert _lines(f"def load(uid: int) -> str:\n    return {value}\n") == []


def test_variable_checked_before_return_is_left_alone() -> None:
    code = """\
    def by_id(uid: int) -> User:
        user = session.get(User, uid)
        if user is None:
            raise NotFoundError(uid)
        return user

    def by_email(email: str) -> User:
        user = session.query(User).filter(User.email == email).first()
        if not user:
            raise NotFoundError(email)
        return user

    def asserted(uid: int) -> User:
        user = session.get(User, uid)
        assert user is not None
        return user

    def guarded(uid: int) -> User:
        user = session.get(User, uid)
        if user:
            return user
        raise NotFoundError(uid)

    def rebound(uid: int) -> User:
        user = session.get(User, uid)
        user = user or User(id=uid)
        return user

    def either(a: int, b: int) -> User:
        first = session.get(User, a)
        second = session.get(User, b)
        if first is None or second is None:
            raise NotFoundError(a)
        return second
    """
    assert _lines(code) == []


def test_variable_returned_unchecked_is_flagged() -> None:
    code = """\
    def by_id(uid: int) -> User:
        user = session.get(User, uid)
        log(user)
        return user

    def checked_too_late(uid: int, fast: bool) -> User:
        user: User = session.get(User, uid)
        if fast:
            return user
        if user is None:
            raise NotFoundError(uid)
        return user
    """
    assert _lines(code) == [4, 9]


def test_literal_none_in_a_non_optional_function_is_flagged() -> None:
    code = """\
    def ratio(a: int, b: int) -> float:
        if b == 0:
            return None
        return a / b
    """
    assert _lines(code) == [3]


def test_generators_may_return_bare() -> None:
    code = """\
    def rows(limit: int) -> Iterator[int]:
        if limit == 0:
            return
        yield 1
    """
    assert _lines(code) == []


def test_unannotated_public_function_returning_a_lookup_is_flagged() -> None:
    # The standard's "Silent failures" ❌ snippet has no annotation at all.
    code = """\
    def get_user(user_id):
        user = db.session.query(User).filter(User.id == user_id).first()
        return user

    def nothing(user_id):
        return None
    """
    assert _lines(code) == [3]


def test_unannotated_private_helpers_and_tests_are_left_alone() -> None:
    code = "def _load(uid):\n    return session.get(User, uid)\n"
    assert _lines(code) == []
    code = "def load(uid):\n    return session.get(User, uid)\n"
    assert _lines(code, path="tests/test_users.py") == []


def test_nested_functions_have_their_own_contract() -> None:
    code = """\
    def outer(uid: int) -> User | None:
        user = session.get(User, uid)

        def inner() -> User:
            return session.get(User, uid)

        return user
    """
    assert _lines(code) == [5]


def test_message_names_the_function_and_annotation() -> None:
    code = "def load(uid: int) -> User:\n    return session.get(User, uid)\n"
    (finding,) = check(code, select=["BP111"]).findings
    assert "`load` is annotated `-> User`" in finding.message
    assert "`session.get()`" in finding.message


def test_continue_in_a_loop_counts_as_a_check() -> None:
    code = """\
    def first_active(ids: list[int]) -> User:
        for uid in ids:
            user = session.get(User, uid)
            if user is None:
                continue
            return user
        raise NotFoundError(ids)
    """
    assert _lines(code) == []

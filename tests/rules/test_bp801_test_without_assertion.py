"""BP801 test-without-assertion: the assertion styles of real test suites count."""

from __future__ import annotations

import pytest

from tests.helpers import finding_lines


def _findings(code: str, path: str = "tests/test_orders.py") -> list[int]:
    return finding_lines(code, path, "BP801")


@pytest.mark.parametrize(
    "body",
    [
        "eq_(context.name, 'alembic_version')",  # sqlalchemy.testing / nose.tools
        "is_(row, None)",
        "ne_(a, b)",
        "in_('x', names)",
        "ok_(valid)",
        "flexmock(Cache).should_receive('fetch').once()",  # verified when the test ends
        "flexmock(Cache).should_receive('fetch').and_return(1).times(2)",
        "flexmock(Getter).should_receive('current').never()",
        "verify(mailer).send(order)",  # mockito
    ],
)
def test_assertion_styles_of_real_suites_count(body: str) -> None:
    code = f"""
    def test_something(context, names, row, a, b, valid, mailer, order):
        {body}
    """
    assert _findings(code) == []


@pytest.mark.parametrize(
    "body",
    [
        "User.id.in_(ids)",  # SQL, not a check: `in_` as a method builds a clause
        "query.filter(User.name.is_(None))",
        "flexmock(Cache).should_receive('fetch')",  # no count expected: checks nothing
        "len(path) == 2",  # a comparison whose result is dropped
    ],
)
def test_look_alikes_that_check_nothing_are_reported(body: str) -> None:
    code = f"""
    def test_something(User, ids, query, path):
        {body}
    """
    assert _findings(code) == [1]


def test_smoke_tests_are_reported() -> None:
    # "Just for coverage": the test runs the code and proves only that it did not raise.
    code = """
    def test_dummy_webhook():
        new_subscription(body={"username": "rick"}, token="Bearer 123")


    def test_pool_size_connect():
        backend = Backend("postgres://localhost/db?min_size=1")
        backend.connect()
        backend.disconnect()
    """
    assert _findings(code) == [1, 5]


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        ('@pytest.mark.skip(reason="needs anyio")', []),
        ("@pytest.mark.skip", []),
        ('@unittest.skip("later")', []),
        # a condition may let it run: it is judged as any test
        ('@pytest.mark.skipif(sys.platform == "win32", reason="posix")', [6]),
    ],
)
def test_tests_that_always_skip_are_left_alone(decorator: str, expected: list[int]) -> None:
    code = f"""
    import sys
    import unittest

    import pytest
    {decorator}
    def test_missing_dependency():
        pass
    """
    assert _findings(code) == expected

"""BP106 missing-type-hints: what it flags, what it leaves alone, and the `-> None` fix."""

from __future__ import annotations

import textwrap

from tests.helpers import check, fix_all


def run(source: str, path: str = "app/example.py", **options: object):
    result = check(textwrap.dedent(source), path=path, select=["BP106"], options={"BP106": options})
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


def messages(source: str, path: str = "app/example.py", **options: object) -> list[str]:
    return [f.message for f in run(source, path, **options)]


def fixed(source: str) -> str:
    source = textwrap.dedent(source)
    return fix_all(source, run(source))


def test_parameters_are_reported_together_with_related_locations():
    findings = run("def f(a, *args, b: int, **kw) -> None:\n    pass\n")
    assert [f.message for f in findings] == [
        "Missing type hints on parameters `a`, `*args`, `**kw` of `f`"
    ]
    assert [r.range.start.column for r in findings[0].related] == [6, 10, 26]
    assert findings[0].fix is None


def test_return_is_reported_apart_and_fixed():
    source = "def f(a: int):\n    x = a\n"
    assert messages(source) == ["Missing return type hint on `f`"]
    assert fixed(source) == "def f(a: int) -> None:\n    x = a\n"


def test_fix_finds_the_parenthesis_of_multiline_and_one_line_headers():
    assert fixed("def f(\n    a: int,\n):  # note\n\n    # why\n    x = a\n") == (
        "def f(\n    a: int,\n) -> None:  # note\n\n    # why\n    x = a\n"
    )
    assert fixed("def f(a: int) : x = a\n") == "def f(a: int) -> None : x = a\n"
    assert fixed("async def f() -> None:\n    @dec\n    async def g():\n        await h()\n") == (
        "async def f() -> None:\n    @dec\n    async def g() -> None:\n        await h()\n"
    )


def test_no_fix_when_the_function_returns_yields_or_is_a_stub():
    for source in (
        "def f():\n    return 1\n",
        "def f():\n    yield 1\n",
        "def f():\n    pass\n",
        "def f():\n    ...\n",
        "def f():\n    raise NotImplementedError\n",
        "from abc import abstractmethod\nclass A:\n    @abstractmethod\n    def f(self):\n"
        "        self.x = 1\n",
    ):
        findings = run(source)
        assert findings and all(f.fix is None for f in findings), source


def test_returns_of_nested_functions_and_lambdas_do_not_count():
    source = """\
    def outer():
        def inner() -> int:
            return 1
        key = lambda: 2
        inner()
    """
    assert fixed(source).startswith("def outer() -> None:")


def test_methods():
    source = """\
    class A:
        def __init__(self, x: int):
            self.x = x

        def m(self, y: int) -> int:
            return y

        @classmethod
        def c(cls) -> None:
            pass

        @staticmethod
        def s(self) -> None:
            pass

        def __exit__(self, *exc: object):
            self.x = 0
    """
    assert messages(source) == [
        "Missing type hints on parameter `self` of `s`",
        "Missing return type hint on `__exit__`",
    ]


def test_tests_and_fixtures_are_left_alone_by_default():
    source = """\
    import pytest

    @pytest.fixture(scope="module")
    def db():
        return 1

    def test_it(db, monkeypatch):
        def fake(self, node):
            return None

        monkeypatch.setattr(db, "run", fake)

    class TestThing:
        def setUp(self):
            pass

        def test_x(self, db):
            pass

    def helper(value):
        return value
    """
    found = messages(source, path="tests/test_thing.py")
    assert found == [
        "Missing type hints on parameter `value` of `helper`",
        "Missing return type hint on `helper`",
    ]
    assert len(messages(source, path="tests/test_thing.py", **{"ignore-tests": False})) == 10


def test_test_names_outside_test_files_are_checked():
    assert messages("def test_it(db):\n    pass\n") == [
        "Missing type hints on parameter `db` of `test_it`",
        "Missing return type hint on `test_it`",
    ]


def test_lambdas_are_left_alone():
    assert run("key = lambda item: item\n") == []

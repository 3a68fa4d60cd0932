"""BP110 generic-exception-raised: what it flags and what it leaves alone."""

from __future__ import annotations

import pytest

from tests.helpers import check


def _lines(code: str) -> list[int]:
    result = check(code, select=["BP110"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    "statement",
    [
        "raise Exception('failed')",
        "raise Exception",
        "raise BaseException('failed')",
        "raise builtins.Exception('failed')",
        "raise Exception('failed') from error",
    ],
)
def test_generic_exception_is_flagged(statement: str) -> None:
    assert _lines(f"import builtins\n\n{statement}\n") == [3]


@pytest.mark.parametrize(
    "code",
    [
        "try:\n    work()\nexcept Exception as error:\n    raise error\n",
        "try:\n    work()\nexcept Exception:\n    raise\n",
        "raise ValueError('bad value')\n",
        "class NotFoundError(Exception):\n    pass\n\nraise NotFoundError('user')\n",
        "from app.errors import Exception\n\nraise Exception('domain error')\n",
        "raise errors.Exception('domain error')\n",
    ],
)
def test_reraise_and_specific_classes_are_left_alone(code: str) -> None:
    assert _lines(code) == []


def test_finding_covers_the_raised_expression() -> None:
    result = check("def f():\n    raise Exception('x')\n", select=["BP110"])
    (finding,) = result.findings
    assert (finding.range.start.line, finding.range.start.column) == (1, 10)


def test_tests_may_simulate_failures_with_a_plain_exception() -> None:
    code = "def test_failure(monkeypatch):\n    def boom():\n        raise Exception('down')\n"
    result = check(code, path="tests/test_db.py", select=["BP110"])
    assert result.findings == []

"""A fix is offered only when the fixed file parses, checked on the smallest region."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from precepts import fixes
from precepts.context import RuleContext
from precepts.findings import Applicability, Fix, Range, TextEdit
from tests.helpers import check, fix_all

ELIF = (
    "def f(row, logger):\n"
    "    if row.status == 1:\n"
    "        pass\n"
    "    elif row.status == None:\n"
    '        logger.info("no status")\n'
    + "".join(f"\n\ndef g{i}():\n    return {i}\n" for i in range(50))
)


@pytest.fixture
def parsed_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = fixes._parses

    def spy(text: str) -> bool:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(fixes, "_parses", spy)
    return seen


def test_a_fix_in_an_elif_branch_is_checked_on_the_branch_alone(parsed_texts: list[str]):
    result = check(ELIF, select=("BP105",))
    [finding] = result.findings
    assert finding.fix is not None
    # One parse, of the branch (as an ``if``), not of the 200-line file.
    assert len(parsed_texts) == 1
    assert parsed_texts[0].startswith("if row.status is None:")
    assert fix_all(ELIF, result.findings) == ELIF.replace("== None", "is None")


def _context(text: str) -> RuleContext:
    return RuleContext("m.py", text, cst.parse_module(text), ast.parse(text))


def test_a_fix_that_would_not_parse_is_refused(parsed_texts: list[str]):
    text = "x = 1\nif x:\n    y = 2\n"
    broken = Fix("break it", (TextEdit(Range.of(2, 4, 2, 5), "("),), Applicability.SAFE)
    assert not fixes.fix_parses(_context(text), broken)
    # The innermost statement failed, then its top-level statement, then (before
    # refusing) the whole file.
    assert parsed_texts == ["( = 2\n", "if x:\n    ( = 2\n", "x = 1\nif x:\n    ( = 2\n"]


def test_a_fix_across_statements_is_checked_statement_by_statement(parsed_texts: list[str]):
    # An import edited at the top and a use far below: each top-level statement is
    # parsed with its own edits, never the whole 400-line file.
    filler = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(100))
    text = "from fastapi import APIRouter\n\n\n" + filler + "def g():\n    return 404\n"
    last = text.count("\n") - 1
    fix = Fix(
        "use status",
        (
            TextEdit(Range.of(0, 29, 0, 29), ", status"),
            TextEdit(Range.of(last, 11, last, 14), "status.HTTP_404_NOT_FOUND"),
        ),
        Applicability.SAFE,
    )
    assert fixes.fix_parses(_context(text), fix)
    assert parsed_texts == [
        "from fastapi import APIRouter, status\n",
        "return status.HTTP_404_NOT_FOUND\n",
    ]


def test_a_fix_that_parses_is_checked_once(parsed_texts: list[str]):
    text = "x = 1\nif x:\n    y = 2\n"
    fine = Fix("rename", (TextEdit(Range.of(2, 4, 2, 5), "z"),), Applicability.SAFE)
    assert fixes.fix_parses(_context(text), fine)
    assert parsed_texts == ["z = 2\n"]  # the innermost statement, dedented

"""Bad input never raises: it becomes one clear BP000, and broken rules are isolated."""

from __future__ import annotations

import time

import libcst as cst
import pytest

from precepts.config import Settings
from precepts.engine import Checker, RuleSet, check_text
from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.text import ColumnUnit
from tests.helpers import check, codes


def test_syntax_error_is_one_bp000_at_the_error():
    result = check("x = 1\ny = = 2\nz = 3\n")
    assert codes(result) == ["BP000"]
    where = result.findings[0].range
    assert (where.start.line, where.start.column) == (1, 4)
    assert "SyntaxError" in result.findings[0].message


def test_unclosed_bracket_points_at_the_bracket():
    result = check("def f() -> None:\n    d = foo(]\n")
    assert codes(result) == ["BP000"]
    assert result.findings[0].range.start.line == 1


def test_empty_and_blank_files_are_valid_modules():
    for text in ("", "\n\n", "   \n", "# only a comment\n"):
        result = check(text, select=["BP0"])
        assert result.findings == [] and result.module is not None


def test_nul_bytes_give_a_clear_bp000():
    result = check_text(b"x = 1\x00\x00\x01", "bin.py")
    assert codes(result) == ["BP000"]
    assert "NUL" in result.findings[0].message


def test_invalid_utf8_gives_a_clear_bp000():
    result = check_text(b"name = '\xff\xfe caf\xe9'\n", "latin.py")
    assert codes(result) == ["BP000"]
    assert "UTF-8" in result.findings[0].message


def test_coding_cookie_is_honoured():
    source = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    result = check_text(source, "latin.py", Settings(select=("BP0",)))
    assert result.findings == [] and "café" in result.text


def test_crlf_tabs_and_emoji_columns():
    source = 'def f() -> None:\r\n\t"""Doc."""\r\n\tx = "😀"; y = x == None\r\n'
    result = check(source, select=["BP105"])
    (finding,) = result.findings
    assert finding.range.start.line == 2
    line = source.split("\r\n")[2]
    column = finding.range.start.column
    assert line[column:].startswith("x == None")
    assert finding.range.start.column_in(ColumnUnit.UTF16, line) == column + 1
    assert finding.range.start.column_in(ColumnUnit.UTF8, line) == column + 3


class _Explodes(Rule):
    code = "ZZ999"
    name = "explodes"
    family = "test"
    section = "None"
    message = "boom"
    summary = "Raises on every comparison."
    why = "To prove isolation."
    bad = (Example("x == None\n", line=1),)
    good = (Example("x = 1\n"),)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        raise RuntimeError("rule bug")


def test_a_rule_that_raises_is_isolated():
    settings = Settings(select=("BP105",))
    base = RuleSet.from_settings(settings)
    ruleset = RuleSet(
        base.rules + ((_Explodes, {}, Severity.ERROR),),
        base.codes | {"ZZ999"},
        {**base.severities, "ZZ999": Severity.ERROR},
    )
    result = Checker(ruleset).check("def f(a: int) -> bool:\n    return a == None\n", "m.py")
    assert codes(result) == ["BP105"]  # the other rule still reports
    (error,) = result.errors
    assert error.code == "ZZ999" and error.path == "m.py" and "rule bug" in error.error


def test_deeply_nested_code_does_not_crash():
    source = "x = " + "(" * 200 + "1" + ")" * 200 + "\n"
    result = check(source)
    assert all(f.code == "BP000" for f in result.findings) or result.module is not None


@pytest.mark.slow
def test_a_10_mb_file_completes():
    chunk = (
        "def handler_{n}(value: int) -> int:\n"
        '    """Return the value doubled."""\n'
        "    total = value * 2\n"
        "    return total\n\n\n"
    )
    parts = []
    size = 0
    n = 0
    while size < 10 * 1024 * 1024:
        piece = chunk.format(n=n)
        parts.append(piece)
        size += len(piece)
        n += 1
    source = "".join(parts)
    started = time.perf_counter()
    result = check(source)
    elapsed = time.perf_counter() - started
    print(f"\n10 MB ({n} functions, {source.count(chr(10))} lines) checked in {elapsed:.1f} s")
    assert result.module is not None and not result.errors

"""The incremental document: what it re-parses and re-checks, and what it reports."""

from __future__ import annotations

import sys
from pathlib import Path

import libcst as cst
import pytest

from precepts.config import Settings
from precepts.engine import Checker, RuleSet
from precepts.incremental.buffer import TextBuffer, split_keep_ends
from precepts.incremental.document import IncrementalDocument
from precepts.incremental.leaves import BROKEN, Split
from precepts.text import LineIndex
from tests.engine.editing import canonical, plain, verify
from tests.helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import backend_module, class_module  # noqa: E402

PATH = "app/service.py"
ALL = RuleSet.from_settings(Settings(), Path(PATH))
FEW = RuleSet.from_settings(Settings(select=("BP105", "BP101", "BP000", "BP001")), Path(PATH))


def _open(text: str, ruleset: RuleSet = ALL, **options: int) -> IncrementalDocument:
    document = IncrementalDocument(text, PATH, ruleset, **options)
    document.check()
    return document


def _full(text: str, ruleset: RuleSet = ALL) -> list[tuple]:
    return canonical(Checker(ruleset).check(text, PATH).findings)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "# only a comment\n",
        "x = 1",
        "x = 1\r\ny = 2\r\n",
        "if x:\n  y = 1\nelse:\n    y = 2\n",
        "class A:\n\tdef f(self):\n\t\treturn self == None\n",
        '"""Doc."""\n\nfrom __future__ import annotations\n',
    ],
)
def test_opening_equals_a_full_check(text: str) -> None:
    document = _open(text)
    assert canonical(document.check().findings) == _full(text)


@pytest.mark.parametrize(
    "name", ["precepts/config.py", "precepts/noqa.py", "rules/python/bp105_none_comparison.py"]
)
def test_opening_a_real_file_builds_the_full_parse(name: str) -> None:
    text = (REPO / name).read_text()
    document = _open(text, FEW, chunk_lines=40, split_lines=20)
    module = plain(document.layout().module)
    assert module.code == text
    assert module.deep_equals(cst.parse_module(text))
    assert canonical(document.check().findings) == _full(text, FEW)


def test_the_buffer_applies_edits_like_a_string() -> None:
    text = "a\r\nb\rc\nd\f e\u2028f\n"
    buffer = TextBuffer(text)
    buffer.replace((1, 1), (3, 1), "X\r")
    index = LineIndex(text)
    expected = text[: index.offset(1, 1)] + "X\r" + text[index.offset(3, 1) :]
    assert buffer.text == expected
    assert buffer.lines == split_keep_ends(expected)


def test_editing_a_method_of_a_big_class_reparses_only_around_it() -> None:
    text = class_module(1000)
    document = _open(text, FEW)
    split = next(top for top in document.tops if isinstance(top, Split))
    assert len(split.children) > 50
    line = (
        text.splitlines().index(
            "    def method_20(self, customer_id: int, limit: int = 10) -> List[Dict[str, Any]]:"
        )
        + 3
    )
    before = document.stats.region_lines, document.stats.leaves_checked
    document.edit((line, 8), (line, 8), "# ")
    result = document.check()
    parsed = document.stats.region_lines - before[0]
    checked = document.stats.leaves_checked - before[1]
    assert parsed < 60  # the method and its two neighbours, not the 1,000-line class
    assert checked <= 3  # the edited method (and the class head), nothing else
    assert canonical(result.findings) == _full(document.text, FEW)


def test_an_unchanged_statement_keeps_its_node_and_findings() -> None:
    text = backend_module(600)
    document = _open(text, FEW)
    layout = document.layout()
    kept = {id(leaf.node) for leaf in layout.leaves if leaf.node is not None}
    line = (
        text.splitlines().index("def legacy_report_1(db, customer_id, include_history=False):") + 2
    )
    document.edit((line, 4), (line, 4), "x = 1\n    ")
    document.check()
    after = {id(leaf.node) for leaf in document.layout().leaves if leaf.node is not None}
    assert len(kept - after) <= 3  # only the edited statement and its neighbours were re-parsed


def test_a_syntax_error_is_confined_to_its_statement() -> None:
    text = "def a(x):\n    return x == None\n\n\ndef b(y):\n    return y == None\n"
    document = _open(text, FEW)
    document.edit((1, 11), (1, 11), "(")
    result = document.check()
    codes = [(f.code, f.range.start.line) for f in result.findings]
    assert ("BP105", 5) in codes
    assert [line for code, line in codes if code == "BP000"] == [1]
    assert [leaf.state for leaf in document.layout().leaves].count(BROKEN) == 1
    verify(document, FEW)
    document.edit((1, 11), (1, 12), "")
    assert _full(document.text, FEW) == canonical(document.check().findings)


def test_an_unclosed_string_later_closed_far_away_parses_again() -> None:
    text = "x = 1\n\n\ny = 2\n\n\nz = 3\n"
    document = _open(text, FEW)
    document.edit((0, 4), (0, 5), '"""')
    verify(document, FEW)
    document.edit((6, 4), (6, 5), '"""')  # x = """ ... z = """ is one string now
    assert verify(document, FEW) == "valid"


def test_a_rule_that_raises_is_reported_and_the_others_still_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from precepts.rules.python.bp101_cognitive_complexity import CognitiveComplexity

    def explode(self: object, node: cst.FunctionDef) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(CognitiveComplexity, "visit_FunctionDef", explode)
    document = _open("def f(x):\n    return x == None\n", FEW)
    result = document.check()
    assert [f.code for f in result.findings] == ["BP105"]
    assert [e.code for e in result.errors] == ["BP101"]


def test_changing_an_import_rechecks_only_statements_that_read_it() -> None:
    text = backend_module(600)
    document = _open(text, ALL)
    checked = document.stats.leaves_checked
    line = text.splitlines().index("import requests")
    document.edit((line, 7), (line, 15), "httpx")
    result = document.check()
    assert document.stats.leaves_checked - checked < len(document.layout().leaves) / 2
    assert canonical(result.findings) == _full(document.text, ALL)


def test_dropping_the_tree_keeps_the_findings_and_parses_again_on_demand() -> None:
    text = backend_module(300)
    document = _open(text, FEW)
    findings = canonical(document.check().findings)
    document.drop_tree()
    assert not document.has_tree
    document.edit((0, 0), (0, 0), "# header\n")
    result = document.check()
    assert document.has_tree
    assert canonical(result.findings) == _full(document.text, FEW)
    assert len(result.findings) == len(findings)


def test_work_yields_between_slices_and_survives_edits_in_between() -> None:
    text = backend_module(2000)
    document = IncrementalDocument(text, PATH, FEW, chunk_lines=200)
    steps = document.work()
    next(steps)
    next(steps)
    document.edit((0, 0), (0, 0), "# first line\n")
    for _ in steps:
        pass
    assert canonical(document.check().findings) == _full(document.text, FEW)


def test_a_binary_file_is_one_syntax_error() -> None:
    document = _open("x = 1\n\x00\x01\x02")
    assert [f.code for f in document.check().findings] == ["BP000"]
    assert "binary" in document.check().findings[0].message


_ROUTES = "from fastapi import HTTPException\n\n\n" + "".join(
    f'def item_{i}() -> None:\n    """Refuse."""\n    raise HTTPException(status_code=403)\n\n\n'
    for i in range(40)
)
BP306 = RuleSet.from_settings(Settings(select=("BP306",)), Path(PATH))


def test_a_fix_that_edits_an_import_is_not_recomputed_by_edits_elsewhere() -> None:
    # Each route's fix adds `status` to the fastapi import: it reaches another statement,
    # but only that statement (and where it stands) matters, not every other one.
    document = _open(_ROUTES, BP306)
    assert len(document.check().findings) == 40
    last = _ROUTES.count("\n") - 3  # the last raise
    before = document.stats.leaves_checked
    document.edit((last, 4), (last, 4), "x = 1\n    ")
    findings = document.check().findings
    assert document.stats.leaves_checked - before == 1
    assert canonical(findings) == _full(document.text, BP306)


def test_a_fix_that_edits_an_import_follows_the_import() -> None:
    document = _open(_ROUTES, BP306)
    # A new line above the import moves it (and every route) down; a second fastapi
    # import changes which one the fix extends.
    document.edit((0, 0), (0, 0), "# header\n")
    assert canonical(document.check().findings) == _full(document.text, BP306)
    document.edit((1, 0), (1, 0), "from fastapi import Depends\n")
    assert canonical(document.check().findings) == _full(document.text, BP306)
    document.edit((1, 0), (2, 0), "")
    assert canonical(document.check().findings) == _full(document.text, BP306)


def test_a_line_typed_between_an_import_and_its_fixes_moves_them_unchecked() -> None:
    # Each route's fix extends the import on line 0; a line added or removed between the
    # two moves the fix's import edit instead of checking every route again.
    document = _open(_ROUTES, BP306)
    for start, end, inserted in (((1, 0), (1, 0), "\n\n"), ((1, 0), (3, 0), "")):
        before = document.stats.leaves_checked
        document.edit(start, end, inserted)
        findings = document.check().findings
        assert document.stats.leaves_checked - before <= 1
        assert canonical(findings) == _full(document.text, BP306)
        assert len(findings) == 40
        for finding in findings:
            assert finding.fix is not None
            assert 0 in {edit.range.start.line for edit in finding.fix.edits}

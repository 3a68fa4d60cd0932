"""Every Python version's syntax, whatever interpreter runs precepts; ``target-version``."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from precepts import syntax
from precepts.config import ConfigError, Settings, clear_caches, load_settings
from precepts.engine import check_text
from precepts.versions import NEWEST, lowest_allowed, parse_target
from tests.engine.syntax_corpus import CORPUS
from tests.helpers import check, fix_all

NAMES = sorted(CORPUS)
RUNNING = sys.version_info[:2]


@pytest.mark.parametrize("name", NAMES)
def test_each_feature_is_checked_in_full(name: str):
    """Under the newest target: the known finding, no syntax error, nothing newer."""
    case = CORPUS[name]
    result = check(case.source, target_version=NEWEST)
    assert not result.errors, [e.trace for e in result.errors]
    found = [(f.code, f.range.start.line + 1, f.range.start.column) for f in result.findings]
    assert case.finding in found
    assert not [f for f in result.findings if f.code in ("BP000", "BP002")], found


@pytest.mark.parametrize("name", NAMES)
def test_fixes_are_offered_in_newer_syntax(name: str):
    case = CORPUS[name]
    result = check(case.source, select=["BP105"])
    (finding,) = result.findings
    assert finding.fix is not None, "a fix that parses was dropped"
    fixed = fix_all(case.source, [finding])
    assert "is None" in fixed and syntax.parses(fixed)
    assert not check(fixed, select=["BP105"]).findings


def test_the_interpreter_cannot_parse_part_of_the_corpus():
    # Without this the corpus would not exercise the fallback path on this interpreter.
    newer = [name for name, case in CORPUS.items() if case.version > RUNNING]
    if RUNNING < NEWEST:
        assert newer
        for name in newer:
            assert syntax.judge(CORPUS[name].source).tree is None, name


@pytest.mark.parametrize("name", NAMES)
def test_target_version_reports_newer_syntax_and_keeps_the_rest(name: str):
    case = CORPUS[name]
    old = check(case.source, target_version=(3, 10))
    new = check(case.source, target_version=(3, 14))
    assert not [f for f in new.findings if f.code == "BP002"]
    newer_syntax = [f for f in old.findings if f.code == "BP002"]
    assert bool(newer_syntax) == (case.version > (3, 10))
    for finding in newer_syntax:
        assert "this project targets 3.10" in finding.message
        assert "need Python 3.1" in finding.message
    assert case.finding[0] in {f.code for f in old.findings}  # the other findings stay


def test_target_message_names_the_feature_and_both_versions():
    result = check('"""M."""\n\ntype UserId = int\n', target_version=(3, 10))
    (finding,) = [f for f in result.findings if f.code == "BP002"]
    assert finding.message == "`type` statements need Python 3.12; this project targets 3.10"
    assert (finding.range.start.line, finding.range.start.column) == (2, 0)


def test_pep701_is_told_from_older_fstrings():
    older = '"""M."""\n\nx = 1\nprint(f"{x!r:>10} {\'#\' * x} {x:{x}}")\n'
    newer = '"""M."""\n\nx = [1]\nprint(f"{\'\\n\'.join(map(str, x))}")\n'
    assert not [f for f in check(older, target_version=(3, 8)).findings if f.code == "BP002"]
    assert [f for f in check(newer, target_version=(3, 8)).findings if f.code == "BP002"]


def test_real_errors_stay_errors():
    # libcst accepts an assignment to a call; CPython rightly rejects it.
    result = check("f() = 1\n")
    assert [f.code for f in result.findings] == ["BP000"]
    # Newer syntax and a real error later: the error is reported where it is.
    broken = "type Pair = tuple[int, int]\n\n\ndef f(:\n    pass\n"
    (finding,) = [f for f in check(broken).findings if f.code == "BP000"]
    assert finding.range.start.line >= 3  # libcst places it at the broken `def` or after


def test_judge_agrees_with_the_interpreter_on_what_it_parses():
    for text in ("x = 1\n", "def f(a, /):\n    pass\n", "match x:\n    case 1:\n        pass\n"):
        parsed = syntax.judge(text)
        assert parsed.tree is not None and parsed.problem is None
    assert syntax.judge("def f(:\n").problem is not None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.10", (3, 10)),
        (">=3.9,<4", (3, 9)),
        (">3.10", (3, 10)),
        ("~=3.11", (3, 11)),
        ("==3.12.*", (3, 12)),
        (">=3.6", (3, 8)),
        ("<3.11,>=3.10", (3, 10)),
        ("<3.8", None),
        ("!=3.8.*, >=3.8", (3, 9)),
        ("", None),
    ],
)
def test_lowest_allowed(spec: str, expected: tuple[int, int] | None):
    assert lowest_allowed(spec) == expected


def test_parse_target():
    assert parse_target("py38") == (3, 8)
    assert parse_target("PY314") == (3, 14)
    assert parse_target("py37") is None
    assert parse_target("3.12") is None


def _project(tmp_path: Path, pyproject: str) -> Path:
    clear_caches()
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(pyproject), encoding="utf-8")
    module = tmp_path / "app" / "m.py"
    module.parent.mkdir()
    module.write_text('"""M."""\n\ntype UserId = int\n', encoding="utf-8")
    return module


def _targets(module: Path, settings: Settings) -> list[str]:
    found = check_text(module.read_text(), str(module), settings).findings
    return [f.message for f in found if f.code == "BP002"]


def test_requires_python_is_the_default_target(tmp_path: Path):
    module = _project(
        tmp_path, '[project]\nname = "x"\nrequires-python = ">=3.10"\n[tool.precepts]\n'
    )
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.target_for(module) == (3, 10)
    assert _targets(module, settings) == [
        "`type` statements need Python 3.12; this project targets 3.10"
    ]


def test_requires_python_counts_without_a_precepts_table(tmp_path: Path):
    module = _project(tmp_path, '[project]\nname = "x"\nrequires-python = ">=3.11"\n')
    assert Settings().target_for(module) == (3, 11)


def test_target_version_wins_over_requires_python(tmp_path: Path):
    module = _project(
        tmp_path,
        '[project]\nname = "x"\nrequires-python = ">=3.10"\n'
        '[tool.precepts]\ntarget-version = "py312"\n',
    )
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.target_for(module) == (3, 12)
    assert _targets(module, settings) == []


def test_without_anything_the_target_is_the_newest(tmp_path: Path):
    module = _project(tmp_path, '[project]\nname = "x"\n')
    assert Settings().target_for(module) == NEWEST


def test_a_bad_target_version_is_a_configuration_error(tmp_path: Path):
    _project(tmp_path, '[tool.precepts]\ntarget-version = "py27"\n')
    with pytest.raises(ConfigError, match="target-version"):
        load_settings(tmp_path / "pyproject.toml")

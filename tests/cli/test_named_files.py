"""What is Python (issue 17): files named on the command line or by ``--stdin-filename``.

A named ``.py``/``.pyi`` file, a file ``extend-include`` matches and a script without a
suffix whose shebang runs Python are checked as Python; ``pyproject.toml``, ``setup.cfg``
and ``.coveragerc`` go to the file rules (BP804) and nothing else; any other file is
skipped with one warning line, gets no findings and no edits. A fix is written only when
the fixed text still parses as the file's kind.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from precepts.cli.main import main
from precepts.cli.runner import Job, run_job
from precepts.config import Settings, clear_caches
from precepts.engine import Checker, RuleSet
from precepts.findings import Fix, Range, TextEdit

PYPROJECT = '[project]\nname = "orders"  # the service\n'
NOT_PYTHON = {
    "data.json": '{"total": 1}\n',
    "README.md": "# Orders\n\nThe orders service.\n",
    "notes.txt": "x = 1\n",
    "deploy": "#!/bin/sh\necho deploy\n",
}
SCRIPT = "#!/usr/bin/env python3\nimport os\nif os.environ.get('X') == None:\n    pass\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clear_caches()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for name, text in NOT_PYTHON.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "manage").write_text(SCRIPT, encoding="utf-8")
    yield tmp_path
    clear_caches()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def _codes_by_file(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in out.splitlines():
        parts = line.split(" ")
        if len(parts) > 1 and parts[0].count(":") == 3:
            found.setdefault(parts[0].split(":")[0], set()).add(parts[1])
    return found


@pytest.mark.parametrize("name", sorted(NOT_PYTHON))
def test_other_files_are_skipped_with_one_warning(tree: Path, capsys, name: str) -> None:
    status, out, err = _run(capsys, "--fix", "--unsafe-fixes", name)
    assert status == 0
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and name in warnings[0]
    assert "No files to check." in err
    assert "BP" not in out  # no findings at all
    assert (tree / name).read_text(encoding="utf-8") == NOT_PYTHON[name]


def test_pyproject_gets_only_the_file_rules(tree: Path, capsys) -> None:
    status, out, err = _run(capsys, "pyproject.toml", "data.json")
    assert status == 1
    assert _codes_by_file(out) == {"pyproject.toml": {"BP804"}}  # no BP107, no BP000
    assert err.count("warning:") == 1 and "data.json" in err


def test_fix_on_pyproject_keeps_it_toml_and_touches_nothing_else(tree: Path, capsys) -> None:
    status, out, _ = _run(capsys, "--fix", "--unsafe-fixes", "pyproject.toml", "data.json")
    assert status == 0, out
    fixed = (tree / "pyproject.toml").read_text(encoding="utf-8")
    assert fixed.startswith(PYPROJECT)  # the comment and layout are kept
    assert "[tool.coverage.run]\nbranch = true\n" in fixed
    assert "[tool.coverage.report]\nfail_under = 80\n" in fixed
    assert '"""' not in fixed
    assert (tree / "data.json").read_text(encoding="utf-8") == NOT_PYTHON["data.json"]


def test_script_without_suffix_is_python_when_its_shebang_says_so(tree: Path, capsys) -> None:
    status, out, err = _run(capsys, "--select", "BP105", "manage", "deploy")
    assert status == 1
    assert _codes_by_file(out) == {"manage": {"BP105"}}
    assert "deploy skipped: no suffix and no Python shebang" in err


@pytest.mark.parametrize(
    "shebang",
    [
        "#!/usr/bin/python3.12",
        "#!/usr/bin/env python",
        "#! /usr/local/bin/python3",
        "#!/usr/bin/env -S python3 -u",
    ],
)
def test_python_shebangs(tmp_path: Path, monkeypatch, capsys, shebang: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tool").write_text(f"{shebang}\nx = 1 == None\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--select", "BP105", "tool")
    assert status == 1 and "tool:2:" in out


def test_extend_include_makes_a_suffix_python(tree: Path, capsys) -> None:
    (tree / "precepts.toml").write_text('extend-include = ["*.txt"]\n', encoding="utf-8")
    (tree / "notes.txt").write_text("x = 1 == None\n", encoding="utf-8")
    status, out, err = _run(capsys, "--select", "BP105", "notes.txt")
    assert status == 1 and "notes.txt:1:" in out and "warning" not in err
    (tree / "sub").mkdir()
    (tree / "sub" / "more.txt").write_text("y = 2 == None\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--select", "BP105", "sub")
    assert "sub/more.txt:1:" in out  # folders find them too


def test_stdin_with_a_non_python_name(tree: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"total": 1}\n'))
    status, out, err = _run(capsys, "--stdin-filename", "data.json")
    assert status == 0 and "BP" not in out
    assert err.count("warning:") == 1 and "No files to check." in err


def test_stdin_fix_with_a_non_python_name_hands_the_text_on(tree: Path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("[project]\n"))
    status, out, _ = _run(capsys, "--fix", "--stdin-filename", "Cargo.toml")
    assert status == 0 and out == "[project]\n"


def test_stdin_named_pyproject_is_checked_by_the_file_rules(tree: Path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PYPROJECT))
    status, out, _ = _run(capsys, "--stdin-filename", "pyproject.toml")
    assert status == 1 and _codes_by_file(out) == {"pyproject.toml": {"BP804"}}


def test_stdin_script_name_reads_the_shebang_from_the_text(tree: Path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SCRIPT))
    status, out, _ = _run(capsys, "--select", "BP105", "--stdin-filename", "runner")
    assert status == 1 and "runner:3:" in out


def test_folders_find_the_configuration_files(tree: Path, capsys) -> None:
    (tree / "app").mkdir()
    (tree / "app" / "setup.cfg").write_text("[metadata]\nname = app\n", encoding="utf-8")
    status, out, err = _run(capsys, "--select", "BP804")
    found = _codes_by_file(out)
    assert found == {"pyproject.toml": {"BP804"}, "app/setup.cfg": {"BP804"}}
    assert "warning" not in err  # files found in folders are never warned about


class _BreaksToml(Checker):
    """A checker whose only finding carries a fix that breaks the TOML it fixes."""

    def check(self, source, path="<memory>"):  # type: ignore[no-untyped-def]
        result = super().check(source, path)
        if result.findings and "BP804" in {f.code for f in result.findings}:
            bad = Fix("break it", (TextEdit(Range.of(0, 0, 0, 0), '"""Pyproject."""\n'),))
            result.findings = [replace(result.findings[0], fix=bad)]
        return result


def test_a_fix_that_breaks_the_file_is_not_written(tree: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        "precepts.cli.runner.checker_for",
        lambda settings, path: _BreaksToml(RuleSet.from_settings(settings, path)),
    )
    outcome = run_job(Job("pyproject.toml", Settings(root=tree), fix=True))
    assert (tree / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT
    assert not outcome.written and outcome.report.fixed == 0
    assert [f.code for f in outcome.report.findings] == ["BP804"]  # still reported
    assert any("does not parse" in note and "TOML" in note for note in outcome.notes)


def test_the_warning_for_a_broken_fix_reaches_stderr(tree: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(
        "precepts.cli.runner.checker_for",
        lambda settings, path: _BreaksToml(RuleSet.from_settings(settings, path)),
    )
    status, out, err = _run(capsys, "--fix", "pyproject.toml")
    assert status == 1 and "BP804" in out
    assert "fixes to pyproject.toml not applied" in err
    assert (tree / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from precepts.cli.main import main
from tests.cli.conftest import BAD, CLEAN


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_exit_codes(project: Path, capsys):
    assert run(capsys, "check", "app/clean.py")[0] == 0
    status, out, _ = run(capsys, "check")
    assert status == 1
    assert "app/bad.py:3:8: BP105 [*]" in out
    assert "Found 1 finding." in out
    status, _, err = run(capsys, "check", "nope/")
    assert status == 2 and "no such file" in err


def test_config_error_exits_2_and_names_file_and_key(project: Path, capsys):
    (project / "pyproject.toml").write_text("[tool.precepts]\nselekt = []\n", encoding="utf-8")
    status, _, err = run(capsys, "check")
    assert status == 2
    assert "pyproject.toml" in err and "selekt" in err


def test_fix_applies_safe_fixes_and_exits_clean(project: Path, capsys):
    status, out, _ = run(capsys, "check", "--fix")
    assert status == 0
    assert "Fixed 1 finding." in out
    assert "if user is None:" in (project / "app" / "bad.py").read_text(encoding="utf-8")


def test_diff_shows_without_writing(project: Path, capsys):
    status, out, _ = run(capsys, "check", "--diff")
    assert status == 0
    assert "-    if user == None:" in out and "+    if user is None:" in out
    assert (project / "app" / "bad.py").read_text(encoding="utf-8") == BAD


def test_select_and_ignore(project: Path, capsys):
    assert run(capsys, "check", "--ignore", "BP105")[0] == 0
    assert run(capsys, "check", "--select", "BP0")[0] == 0
    status, _, err = run(capsys, "check", "--select", "XX9")
    assert status == 2 and "XX9" in err


def test_statistics(project: Path, capsys):
    status, out, _ = run(capsys, "check", "--statistics")
    assert status == 1
    assert "BP105" in out and "none-comparison" in out and out.strip().startswith("1")


def test_json_matches_ruffs_schema(project: Path, capsys):
    status, out, _ = run(capsys, "check", "--output-format", "json")
    assert status == 1
    (item,) = json.loads(out)
    assert item["code"] == "BP105"
    assert item["location"] == {"row": 3, "column": 8}
    assert item["end_location"] == {"row": 3, "column": 20}
    assert item["noqa_row"] == 3
    assert item["filename"] == str((project / "app" / "bad.py").resolve())
    fix = item["fix"]
    assert fix["applicability"] == "safe"
    assert fix["edits"][0]["content"] == "user is None"
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.fail("ruff is part of the test extra and must be installed")
    (project / "r.py").write_text("import os\n", encoding="utf-8")
    ruff_out = subprocess.run(
        [ruff, "check", "--isolated", "--select", "F401", "--output-format", "json", "r.py"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    (ruff_item,) = json.loads(ruff_out)
    assert set(ruff_item) <= set(item), f"ruff keys missing: {set(ruff_item) - set(item)}"
    assert set(ruff_item["fix"]) == set(fix)
    assert set(ruff_item["fix"]["edits"][0]) == set(fix["edits"][0])
    assert set(ruff_item["location"]) == set(item["location"])


def test_sarif_2_1_0(project: Path, capsys):
    status, out, _ = run(capsys, "check", "--output-format", "sarif")
    assert status == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "precepts"
    assert [r["id"] for r in driver["rules"]] == ["BP105"]
    (result,) = run_["results"]
    assert result["ruleId"] == "BP105" and result["level"] == "warning"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 8, "endLine": 3, "endColumn": 20}
    assert result["message"]["text"]


def test_github_annotations(project: Path, capsys):
    _, out, _ = run(capsys, "check", "--output-format", "github")
    assert out.startswith("::warning title=precepts (BP105),file=app/bad.py,line=3,col=8,")


def test_full_format_shows_source_and_fix(project: Path, capsys):
    _, out, _ = run(capsys, "check", "--output-format", "full")
    assert "    if user == None:" in out and "^^^^" in out and "help (safe fix)" in out


def test_exclude_gitignore_and_symlinks(project: Path, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105"]\nexclude = ["generated/"]\n', encoding="utf-8"
    )
    for folder in ("generated", "ignored", ".venv"):
        (project / folder).mkdir()
        (project / folder / "x.py").write_text(BAD, encoding="utf-8")
    (project / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (project / "link").symlink_to(project / "generated")
    _, out, _ = run(capsys, "check", "--output-format", "concise")
    assert "app/bad.py" in out
    for folder in ("generated", "ignored", ".venv", "link"):
        assert f"{folder}/x.py" not in out
    _, out, _ = run(capsys, "check", "--no-gitignore")
    assert "ignored/x.py" in out


def test_parallel_run_matches_serial(project: Path, capsys):
    for i in range(12):
        (project / "app" / f"m{i}.py").write_text(BAD if i % 2 else CLEAN, encoding="utf-8")
    _, serial, _ = run(capsys, "check", "--jobs", "1", "--output-format", "json")
    _, parallel, _ = run(capsys, "check", "--jobs", "2", "--output-format", "json")
    assert json.loads(serial) == json.loads(parallel)
    assert len(json.loads(serial)) == 7


def test_rule_error_exits_2(project: Path, capsys, monkeypatch):
    import precepts.rules.python.bp105_none_comparison as bp105

    def broken(self, node):
        raise RuntimeError("boom")

    monkeypatch.setattr(bp105.NoneComparison, "visit_Comparison", broken)
    status, _, err = run(capsys, "check", "--jobs", "1")
    assert status == 2
    assert "rule BP105 (none-comparison) failed on" in err and "boom" in err


def test_stdin(project: Path, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(BAD))
    status, out, _ = run(capsys, "check", "--stdin-filename", "app/from_stdin.py")
    assert status == 1 and "app/from_stdin.py:3:8" in out


def test_real_console_script(project: Path):
    exe = Path(sys.executable).parent / "precepts"
    proc = subprocess.run([str(exe), "check", "app"], capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "BP105" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "precepts", "check", "app/clean.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr

"""`precepts check` with a baseline: writing, matching after edits, updating, its file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from precepts.baseline import Baseline, BaselineError, fingerprint
from precepts.cli.main import main
from precepts.findings import Finding, Range, Severity
from tests.cli.conftest import BAD

PAD = "".join(f"# line {n}\n" for n in range(10))
SECOND = BAD.replace("describe", "portray")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["check", "--no-cache", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_a_written_baseline_hides_everything_then_only_new_findings_count(project: Path, capsys):
    (project / "app" / "more.py").write_text(BAD, encoding="utf-8")
    status, _, err = run(capsys, "--write-baseline")
    assert status == 0 and "Wrote 2 findings" in err
    assert (project / "precepts-baseline.json").is_file()
    status, out, _ = run(capsys)
    assert status == 0
    assert "All checks passed!" in out
    assert "2 findings hidden by the baseline precepts-baseline.json" in out
    # Ten lines on top of every file: nothing becomes new.
    for name in ("bad.py", "more.py", "clean.py"):
        path = project / "app" / name
        path.write_text(PAD + path.read_text(encoding="utf-8"), encoding="utf-8")
    status, out, _ = run(capsys)
    assert status == 0, out
    # A second copy of the same mistake in a file is new; the first stays accepted.
    bad = project / "app" / "bad.py"
    bad.write_text(bad.read_text(encoding="utf-8") + "\n\n" + SECOND, encoding="utf-8")
    status, out, _ = run(capsys)
    assert status == 1
    assert out.count("BP105") == 1 and "app/bad.py:20:8: BP105" in out
    assert "Found 1 finding." in out and "2 findings hidden" in out


def test_no_baseline_shows_everything(project: Path, capsys):
    run(capsys, "--write-baseline")
    status, out, _ = run(capsys, "--no-baseline")
    assert status == 1 and "app/bad.py:3:8: BP105" in out and "hidden" not in out


def test_a_changed_finding_is_new(project: Path, capsys):
    run(capsys, "--write-baseline")
    bad = project / "app" / "bad.py"
    bad.write_text(BAD.replace("user == None", "user.id == None"), encoding="utf-8")
    status, out, _ = run(capsys)
    assert status == 1 and "BP105" in out


def test_update_removes_fixed_findings_and_never_adds(project: Path, capsys):
    (project / "app" / "more.py").write_text(BAD, encoding="utf-8")
    run(capsys, "--write-baseline")
    (project / "app" / "more.py").write_text(BAD.replace("== None", "is None"), encoding="utf-8")
    (project / "app" / "new.py").write_text(SECOND, encoding="utf-8")
    status, out, err = run(capsys, "--update-baseline")
    assert "Removed 1 fixed findings" in err
    assert status == 1 and "app/new.py:3:8: BP105" in out  # the new one is still reported
    data = json.loads((project / "precepts-baseline.json").read_text(encoding="utf-8"))
    assert sorted(data["files"]) == ["app/bad.py"]
    # What was fixed and comes back is new.
    (project / "app" / "more.py").write_text(BAD, encoding="utf-8")
    status, out, _ = run(capsys)
    assert "app/more.py:3:8: BP105" in out


def test_update_without_a_baseline_is_an_error(project: Path, capsys):
    status, _, err = run(capsys, "--update-baseline")
    assert status == 2 and "no baseline to update" in err


def test_the_file_is_sorted_stable_json_with_a_schema(project: Path, capsys):
    (project / "app" / "a.py").write_text(BAD + "\n\n" + SECOND, encoding="utf-8")
    run(capsys, "--write-baseline")
    path = project / "precepts-baseline.json"
    first = path.read_bytes()
    data = json.loads(first)
    assert data["schema"] == "precepts-baseline" and data["version"] == 1
    assert list(data["files"]) == sorted(data["files"]) == ["app/a.py", "app/bad.py"]
    entries = data["files"]["app/a.py"]
    assert all(set(e) == {"code", "count", "fingerprint"} for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["code"], e["fingerprint"]))
    # The same mistake twice (`user == None`) is one entry counted twice.
    assert len(entries) == 1 and entries[0]["count"] == 2
    run(capsys, "--write-baseline")
    assert path.read_bytes() == first
    assert first.endswith(b"}\n") and b"\n      {" in first  # one entry per line


def test_writing_for_some_paths_keeps_the_entries_of_others(project: Path, capsys):
    (project / "app" / "more.py").write_text(BAD, encoding="utf-8")
    run(capsys, "--write-baseline")
    (project / "app" / "more.py").write_text(BAD + "\n\n" + SECOND, encoding="utf-8")
    run(capsys, "--write-baseline", "app/more.py")
    data = json.loads((project / "precepts-baseline.json").read_text(encoding="utf-8"))
    assert sorted(data["files"]) == ["app/bad.py", "app/more.py"]
    assert data["files"]["app/more.py"][0]["count"] == 2
    # A deleted file leaves the baseline on the next write.
    (project / "app" / "bad.py").unlink()
    run(capsys, "--write-baseline", "app/more.py")
    data = json.loads((project / "precepts-baseline.json").read_text(encoding="utf-8"))
    assert sorted(data["files"]) == ["app/more.py"]


def test_the_configured_baseline_and_an_explicit_file(project: Path, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105", "BP0"]\nbaseline = "ci/accepted.json"\n',
        encoding="utf-8",
    )
    run(capsys, "--write-baseline")
    assert (project / "ci" / "accepted.json").is_file()
    assert not (project / "precepts-baseline.json").exists()
    assert run(capsys)[0] == 0
    run(capsys, "--write-baseline", "other.json")
    assert (project / "other.json").is_file()


def test_a_bad_baseline_value_in_the_configuration_is_an_error(project: Path, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105"]\nbaseline = 3\n', encoding="utf-8"
    )
    status, _, err = run(capsys)
    assert status == 2 and "baseline" in err


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"schema": "other", "version": 1, "files": {}}',
        '{"schema": "precepts-baseline", "version": 99, "files": {}}',
        '{"schema": "precepts-baseline", "version": 1, "files": {"a.py": [{"code": 1}]}}',
        '{"schema": "precepts-baseline", "version": 1, "files": {"a.py": '
        '[{"code": "BP105", "fingerprint": "x", "count": 0}]}}',
    ],
)
def test_a_malformed_baseline_is_an_error(project: Path, capsys, content: str):
    (project / "precepts-baseline.json").write_text(content, encoding="utf-8")
    status, _, err = run(capsys)
    assert status == 2 and "precepts-baseline.json" in err
    with pytest.raises(BaselineError):
        Baseline.load(project / "precepts-baseline.json")


def test_machine_formats_list_only_new_findings(project: Path, capsys):
    run(capsys, "--write-baseline")
    (project / "app" / "new.py").write_text(SECOND, encoding="utf-8")
    status, out, _ = run(capsys, "--output-format", "json")
    assert status == 1
    assert [item["filename"].endswith("new.py") for item in json.loads(out)] == [True]


def test_fingerprints_ignore_position_and_whitespace_but_not_code():
    def finding(line: int, column: int, end: int) -> Finding:
        return Finding("BP105", "x", "m", Severity.WARNING, Range.of(line, column, line, end))

    lines = ["if a == None:", "    if  a ==  None:", "if b == None:"]
    first = fingerprint(finding(0, 3, 12), lines)
    assert first == fingerprint(finding(1, 8, 18), lines)
    assert first != fingerprint(finding(2, 3, 12), lines)
    # A finding at a point is known by its message, wherever it is.
    assert fingerprint(finding(0, 0, 0), lines) == fingerprint(finding(2, 0, 0), lines)
    other = Finding("BP105", "x", "other", Severity.WARNING, Range.of(0, 0, 0, 0))
    assert fingerprint(other, lines) != fingerprint(finding(0, 0, 0), lines)
    # So is one about the whole file, anchored on its whole first line.
    assert fingerprint(finding(0, 0, 13), lines) == fingerprint(finding(0, 0, 0), lines)
    assert fingerprint(finding(0, 0, 12), lines) != fingerprint(finding(0, 0, 0), lines)


def test_a_missing_module_docstring_stays_accepted_below_new_lines(project: Path, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP107"]\n', encoding="utf-8"
    )
    path = project / "app" / "clean.py"
    path.write_text("import os\n\nPATH = os.sep\n", encoding="utf-8")
    assert run(capsys, "--no-baseline", "app/clean.py")[0] == 1
    run(capsys, "--write-baseline")
    path.write_text(PAD + path.read_text(encoding="utf-8"), encoding="utf-8")
    status, out, _ = run(capsys)
    assert status == 0, out

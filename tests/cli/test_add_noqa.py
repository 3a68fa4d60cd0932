"""`precepts check --add-noqa`: the right line, merged directives, code that still parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from precepts.cli.add_noqa import noqa_edits
from precepts.cli.main import main
from precepts.fixes import apply_edits
from tests.cli.conftest import BAD


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["check", "--no-cache", *args])
    out, _ = capsys.readouterr()
    return status, out


def test_adds_comments_then_the_check_is_clean(project: Path, capsys):
    status, out = run(capsys, "--add-noqa")
    assert status == 0 and "Added 1 `noqa` code on 1 line in 1 file." in out
    text = (project / "app" / "bad.py").read_text(encoding="utf-8")
    assert "    if user == None:  # noqa: BP105\n" in text
    assert run(capsys)[0] == 0
    status, out = run(capsys, "--add-noqa")
    assert "Added 0 `noqa` codes" in out


def test_merges_with_existing_comments_and_directives(project: Path, capsys):
    source = (
        "def f(a: object, b: object) -> bool:\n"
        '    """F."""\n'
        "    x = a == None  # noqa: E501\n"
        "    y = b == None  # keep me\n"
        "    return x and y\n"
    )
    (project / "app" / "bad.py").write_text(source, encoding="utf-8")
    run(capsys, "--add-noqa")
    text = (project / "app" / "bad.py").read_text(encoding="utf-8")
    assert "    x = a == None  # noqa: E501, BP105\n" in text
    assert "    y = b == None  # keep me  # noqa: BP105\n" in text
    assert run(capsys)[0] == 0


def test_several_codes_on_one_line_are_one_directive(project: Path, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105", "BP102"]\n', encoding="utf-8"
    )
    (project / "app" / "bad.py").write_text(
        "def f(userId: object) -> bool:\n    return userId == None\n", encoding="utf-8"
    )
    status, out = run(capsys, "--add-noqa")
    assert "Added 2 `noqa` codes on 2 lines" in out
    text = (project / "app" / "bad.py").read_text(encoding="utf-8")
    assert "def f(userId: object) -> bool:  # noqa: BP102\n" in text
    assert "    return userId == None  # noqa: BP105\n" in text
    assert run(capsys)[0] == 0


def test_a_line_ending_in_a_backslash_gets_nothing(project: Path, capsys):
    source = "def f(a: object, b: object) -> bool:\n    return a == None and \\\n        b\n"
    (project / "app" / "bad.py").write_text(source, encoding="utf-8")
    status, out = run(capsys, "--add-noqa")
    assert "Added 0 `noqa` codes" in out and "1 finding could not be silenced" in out
    assert (project / "app" / "bad.py").read_text(encoding="utf-8") == source


def test_a_file_with_a_syntax_error_is_left_alone(project: Path, capsys):
    (project / "app" / "broken.py").write_text("def f(:\n", encoding="utf-8")
    run(capsys, "--add-noqa")
    assert (project / "app" / "broken.py").read_text(encoding="utf-8") == "def f(:\n"
    assert "noqa" in (project / "app" / "bad.py").read_text(encoding="utf-8")


def test_multi_line_strings_take_the_comment_on_their_last_line():
    text = 'query = f"""\nSELECT {x}\nFROM t\n"""\nother = 1\n'
    edits, added, skipped = noqa_edits(text, [(1, "BP501"), (0, "BP999")])
    assert (added, skipped) == (2, 0)
    assert apply_edits(text, edits) == (
        'query = f"""\nSELECT {x}\nFROM t\n"""  # noqa: BP501, BP999\nother = 1\n'
    )


def test_a_multi_line_statement_keeps_parsing():
    text = "value = call(\n    a == None,\n    b,\n)\n"
    edits, added, _ = noqa_edits(text, [(1, "BP105"), (0, "BP106")])
    assert added == 2
    assert apply_edits(text, edits) == (
        "value = call(  # noqa: BP106\n    a == None,  # noqa: BP105\n    b,\n)\n"
    )


def test_keeps_the_line_endings_and_encoding(project: Path, capsys):
    path = project / "app" / "bad.py"
    path.write_bytes(BAD.replace("\n", "\r\n").encode("utf-8"))
    run(capsys, "--add-noqa")
    assert b"    if user == None:  # noqa: BP105\r\n" in path.read_bytes()

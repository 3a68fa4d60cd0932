"""BP606 open-without-encoding: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check, fix_all

HEADER = "import codecs\nimport io\nimport pathlib\nfrom pathlib import Path\n\n"


def _run(code: str):
    result = check(code, select=["BP606"])
    assert not result.errors, [e.trace for e in result.errors]
    return result


@pytest.mark.parametrize(
    ("call", "fixed"),
    [
        ('open("a.txt")', 'open("a.txt", encoding="utf-8")'),
        ('open("a.txt", "w")', 'open("a.txt", "w", encoding="utf-8")'),
        ('open("a.txt", mode="a")', 'open("a.txt", mode="a", encoding="utf-8")'),
        ('open("a.txt",)', 'open("a.txt", encoding="utf-8",)'),
        ('io.open("a.txt", "r")', 'io.open("a.txt", "r", encoding="utf-8")'),
        ('codecs.open("a.txt", "r")', 'codecs.open("a.txt", "r", encoding="utf-8")'),
        ('Path("a.txt").open()', 'Path("a.txt").open(encoding="utf-8")'),
        ('pathlib.Path("a").open("w")', 'pathlib.Path("a").open("w", encoding="utf-8")'),
        ('(Path("a") / "b").open()', '(Path("a") / "b").open(encoding="utf-8")'),
        ('Path.home().joinpath("b").open()', 'Path.home().joinpath("b").open(encoding="utf-8")'),
        ('Path("a").parent.open()', 'Path("a").parent.open(encoding="utf-8")'),
        ("report.read_text()", 'report.read_text(encoding="utf-8")'),
        ("report.read_text( )", 'report.read_text( encoding="utf-8")'),
        ('report.write_text("x")', 'report.write_text("x", encoding="utf-8")'),
    ],
)
def test_fix_adds_the_encoding(call: str, fixed: str) -> None:
    code = f"{HEADER}{call}\n"
    result = _run(code)
    (finding,) = result.findings
    assert finding.fix is not None
    assert fix_all(code, result.findings) == f"{HEADER}{fixed}\n"


def test_fix_keeps_one_argument_per_line() -> None:
    code = HEADER + textwrap.dedent(
        """\
        def save() -> None:
            with open(
                "a.txt",
                "w",
            ) as f:
                pass
        """
    )
    result = _run(code)
    assert fix_all(code, result.findings) == code.replace(
        '"w",\n', '"w",\n        encoding="utf-8",\n'
    )


@pytest.mark.parametrize(
    "call",
    [
        'open("a.bin", "rb")',
        'open("a.bin", mode="wb")',
        'open("a.bin", "r+b")',
        'open("a.txt", mode)',
        'open("a.txt", encoding="latin-1")',
        'open("a.txt", "r", -1, "utf-8")',
        'open("a.txt", **options)',
        "open(*args)",
        'codecs.open("a.txt", "r", "utf-8")',
        'Path("a").open("rb")',
        'Path("a").open("r", -1, "utf-8")',
        'report.read_text("utf-8")',
        'report.write_text("x", "utf-8")',
        'report.read_text(encoding="utf-8")',
        'os.open("a", os.O_RDONLY)',
        'webbrowser.open("https://example.com")',
        'zipfile.ZipFile("a.zip").open("member")',
        'tarfile.open("a.tar")',
        'archive.open("member")',
        'Image.open("a.png")',
        'importlib.resources.read_text("pkg", "data.txt")',
    ],
)
def test_left_alone(call: str) -> None:
    imports = "import importlib.resources\nimport os\nimport tarfile\nimport webbrowser\n"
    code = f"{imports}import zipfile\n{HEADER}{call}\n"
    assert _run(code).findings == []


def test_path_names_are_tracked_through_assignments_and_annotations() -> None:
    code = textwrap.dedent(
        """\
        from pathlib import Path

        def f(config: Path, other: str, maybe: Path | None, old: "Path") -> None:
            config.open()
            other.open()
            maybe.open()
            old.open()
            local = Path("x")
            local.open()
            local = other
            local.open()
            typed: Path = make()
            typed.open()
            for item in config.glob("*.txt"):
                item.open()

        def g(config) -> None:
            config.open()
        """
    )
    assert [f.range.start.line + 1 for f in _run(code).findings] == [4, 6, 7, 9, 13, 15]


def test_finding_sits_on_the_function_name() -> None:
    (finding,) = _run(f'{HEADER}Path("a").read_text()\n').findings
    assert (finding.range.start.line, finding.range.start.column) == (5, 10)


TEMP_HEADER = "import tempfile\nfrom tempfile import NamedTemporaryFile as NTF\n\n"


@pytest.mark.parametrize(
    ("call", "fixed"),
    [
        ('tempfile.NamedTemporaryFile("w")', 'tempfile.NamedTemporaryFile("w", encoding="utf-8")'),
        ('tempfile.TemporaryFile("w+")', 'tempfile.TemporaryFile("w+", encoding="utf-8")'),
        (
            'tempfile.SpooledTemporaryFile(mode="w")',
            'tempfile.SpooledTemporaryFile(mode="w", encoding="utf-8")',
        ),
        ('NTF(mode="r+", suffix=".json")', 'NTF(mode="r+", suffix=".json", encoding="utf-8")'),
    ],
)
def test_text_mode_temporary_files_are_flagged_and_fixed(call: str, fixed: str):
    code = f"{TEMP_HEADER}f = {call}\n"
    result = _run(code)
    assert [f.range.start.line + 1 for f in result.findings] == [4]
    assert fix_all(code, result.findings) == f"{TEMP_HEADER}f = {fixed}\n"


@pytest.mark.parametrize(
    "call",
    [
        "tempfile.NamedTemporaryFile()",  # the default mode is binary
        'tempfile.NamedTemporaryFile("wb")',
        "tempfile.TemporaryFile(suffix='.bin')",
        "tempfile.SpooledTemporaryFile(1024, 'w')",  # that 'w' *is* the mode: flagged below
        'tempfile.NamedTemporaryFile("w", encoding="utf-8")',
        'tempfile.NamedTemporaryFile("w", -1, "utf-8")',
        "tempfile.mkstemp()",
        'other.NamedTemporaryFile("w")',
    ],
)
def test_binary_or_encoded_temporary_files_are_left_alone(call: str):
    code = f"{TEMP_HEADER}f = {call}\n"
    found = [f.range.start.line + 1 for f in _run(code).findings]
    assert found == ([4] if "1024, 'w'" in call else [])


def test_text_io_wrapper_without_encoding():
    code = (
        "import io\nfrom io import TextIOWrapper\n\n"
        "w = io.TextIOWrapper(raw, line_buffering=True)\nv = TextIOWrapper(raw)\n"
    )
    result = _run(code)
    assert [f.range.start.line + 1 for f in result.findings] == [4, 5]
    fixed = fix_all(code, result.findings)
    assert 'io.TextIOWrapper(raw, line_buffering=True, encoding="utf-8")' in fixed
    assert _run('import io\nw = io.TextIOWrapper(raw, "utf-8")\n').findings == []

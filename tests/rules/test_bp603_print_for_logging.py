"""BP603 print-for-logging: what it flags, what it leaves alone, and its fix."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check, fix_all

LOGGER = "import logging\n\nlogger = logging.getLogger(__name__)\n"


def _run(code: str, path: str = "app/example.py"):
    result = check(textwrap.dedent(code), path=path, select=["BP603"])
    assert not result.errors, [e.trace for e in result.errors]
    return result


def _lines(code: str, path: str = "app/example.py") -> list[int]:
    return [f.range.start.line + 1 for f in _run(code, path).findings]


@pytest.mark.parametrize(
    ("call", "fixed"),
    [
        ("print(name)", "logger.info(name)"),
        ("print('50%')", "logger.info('50%')"),
        ('print("created user", name)', 'logger.info("created user %s", name)'),
        ('print("done:", 50, "%")', 'logger.info("done: %s %%", 50)'),
        ('print("%s", value)', 'logger.info("%%s %s", value)'),
        ('print("a", "b")', 'logger.info("a b")'),
    ],
)
def test_fix_uses_the_module_logger(call: str, fixed: str) -> None:
    code = f"{LOGGER}\n\ndef run(name: str, value: int) -> None:\n    {call}\n"
    result = _run(code)
    (finding,) = result.findings
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"
    assert fix_all(code, result.findings) == code.replace(call, fixed)


@pytest.mark.parametrize(
    "call", ["print(x, end='')", "print(x, file=sys.stderr)", "print(*items)", "print()"]
)
def test_no_fix_with_keywords_or_unpacking(call: str) -> None:
    code = f"import sys\n{LOGGER}\n{call}\n"
    (finding,) = _run(code).findings
    assert finding.fix is None


def test_no_fix_without_a_module_logger() -> None:
    (finding,) = _run("print('hello')\n").findings
    assert finding.fix is None


def test_other_logger_names_are_used() -> None:
    code = "import logging\n\nlog = logging.getLogger(__name__)\nprint(x)\n"
    result = _run(code)
    assert fix_all(code, result.findings).endswith("log.info(x)\n")


def test_entry_points_are_left_alone() -> None:
    code = """\
    import click
    import typer

    app = typer.Typer()

    def main():
        print("main")

    def cli():
        def helper():
            print("nested in cli")

    @click.command()
    def run():
        print("click")

    @app.command()
    def hello():
        print("typer")

    def safe_print(message):
        print(message)

    if __name__ == "__main__":
        print("done")

    if "__main__" == __name__:
        print("done")
    """
    assert _lines(code) == []


def test_writing_to_a_file_is_not_logging() -> None:
    assert _lines("with open('r.txt', 'w') as out:\n    print('x', file=out)\n") == []
    assert _lines("import sys\nprint('x', file=sys.stderr)\n") == [2]


def test_tests_main_modules_and_shadowed_print_are_left_alone() -> None:
    assert _lines("print('x')\n", path="tests/test_app.py") == []
    assert _lines("print('x')\n", path="app/__main__.py") == []
    assert _lines("from rich import print\n\nprint('x')\n") == []


def test_application_code_is_flagged() -> None:
    code = """\
    print("module level")

    def handler():
        print("in a handler")

    if DEBUG:
        print("debugging")
    """
    assert _lines(code) == [1, 4, 7]

"""The shared-scope predicates of ``benchmarks/peer_scope.py`` (issue 16)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from peer_scope import (  # noqa: E402
    broad_except,
    docstring_args,
    http_timeout,
    secrets,
    sql_injection,
)


@dataclass
class Found:
    path: str
    line: int
    message: str = ""


HANDLERS = """\
try:
    work()
except Exception:
    value = None
try:
    work()
except Exception:
    logger.exception("failed")
try:
    work()
except Exception as error:
    logger.warning("failed: %s", error, exc_info=True)
try:
    work()
except:
    pass
"""


@pytest.mark.parametrize(("line", "kept"), [(3, True), (7, False), (11, False), (15, False)])
def test_broad_except_keeps_handlers_that_hide_the_traceback(
    tmp_path: Path, line: int, kept: bool
) -> None:
    path = tmp_path / "handlers.py"
    path.write_text(HANDLERS, encoding="utf-8")
    assert broad_except(Found(str(path), line)) is kept


def test_sql_injection_leaves_out_statements_without_bound_parameters() -> None:
    assert sql_injection(Found("x.py", 1, "SQL built with an f-string from `name`: pass ..."))
    assert not sql_injection(
        Found("x.py", 1, "SQL built from `table`: `CREATE` takes no bound parameters: ...")
    )


@pytest.mark.parametrize(
    ("message", "kept"),
    [
        ("Hardcoded secret in `DB_PASSWORD`: read it", True),
        ("Hardcoded secret in `settings.jwt_secret`: read it", True),
        ("Hardcoded secret in `headers['auth_token']`: read it", True),
        ("Hardcoded secret in `api_key`: read it", False),
        ("Hardcoded fallback for secret `SECRET_KEY`: production runs with it", False),
    ],
)
def test_secrets_keeps_password_token_and_secret_names(message: str, kept: bool) -> None:
    assert secrets(Found("x.py", 1, message)) is kept


def test_docstring_args_keeps_docstrings_with_an_args_section(tmp_path: Path) -> None:
    path = tmp_path / "docs.py"
    path.write_text(
        'def a(x, y):\n    """Do.\n\n    Args:\n        x: X.\n    """\n\n\n'
        'def b(x):\n    """Do.\n\n    Returns:\n        Y.\n    """\n',
        encoding="utf-8",
    )
    assert docstring_args(Found(str(path), 2))
    assert not docstring_args(Found(str(path), 10))


def test_http_timeout_keeps_requests_that_wait_forever() -> None:
    assert http_timeout(
        Found("x.py", 1, "HTTP request without `timeout=`: ... hold this call forever")
    )
    assert not http_timeout(Found("x.py", 1, "HTTP request without `timeout=`: httpx's default"))

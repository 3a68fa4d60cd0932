"""Helpers shared by the SQLAlchemy rule tests."""

from __future__ import annotations

import textwrap

from tests.helpers import check, fix_all


def lines(code: str, code_name: str, path: str = "app/example.py") -> list[int]:
    """Return the 1-based lines where ``code_name`` fires on the dedented ``code``."""
    result = check(textwrap.dedent(code), path=path, select=[code_name])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings if f.code == code_name]


def fixed(code: str, code_name: str, path: str = "app/example.py") -> str:
    """Apply every fix of ``code_name`` to the dedented ``code``."""
    text = textwrap.dedent(code)
    result = check(text, path=path, select=[code_name])
    return fix_all(text, result.findings)

"""Helpers for the authentication rule tests: findings by line, and a small workspace."""

from __future__ import annotations

from pathlib import Path

from precepts.crossfile import default_service
from tests.helpers import check, fix_all

SECURITY = """\
from typing import Any, Dict

import jwt


def get_current_user(token: str) -> Dict[str, Any]:
    return jwt.decode(token, "", algorithms=["HS256"])


def get_profile(token: str) -> dict:
    return {"id": 1, "name": token}
"""


def lines(code: str, rule: str, path: str = "app/example.py") -> list[int]:
    """Return the 1-based lines where ``rule`` fires."""
    result = check(code, path=path, select=[rule])
    assert not result.errors, [e.describe() for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


def fixed(code: str, rule: str, path: str = "app/example.py") -> str:
    """Return the text after applying ``rule``'s fixes."""
    result = check(code, path=path, select=[rule])
    return fix_all(code, result.findings)


def workspace(tmp_path: Path) -> Path:
    """A project whose ``app/security.py`` holds a claims dependency; returns ``app/``."""
    default_service().clear()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'w'\n", encoding="utf-8")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "security.py").write_text(SECURITY, encoding="utf-8")
    return app

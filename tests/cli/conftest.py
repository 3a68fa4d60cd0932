from __future__ import annotations

from pathlib import Path

import pytest

from precepts.config import clear_caches

BAD = (
    "def describe(user: object) -> str:\n"
    '    """Describe a user."""\n'
    "    if user == None:\n"
    '        return "nobody"\n'
    '    return "somebody"\n'
)
CLEAN = 'def describe(user: object) -> str:\n    """Describe a user."""\n    return "somebody"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny project that checks only BP105/BP000/BP001, in the current directory."""
    clear_caches()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105", "BP0"]\n', encoding="utf-8"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bad.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "app" / "clean.py").write_text(CLEAN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    clear_caches()

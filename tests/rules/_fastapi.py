"""Helpers shared by the FastAPI rule tests: snippets, and projects of several modules."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from precepts.crossfile import default_service
from tests.helpers import check
from tests.rules._sqla import fixed, lines

__all__ = ["fixed", "fresh_crossfile", "lines", "project_lines", "write_project"]


def write_project(root: Path, files: dict[str, str]) -> None:
    """Write a project (a ``pyproject.toml`` marks its root) with the given modules."""
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def project_lines(root: Path, module: str, rule: str) -> list[int]:
    """Check one module of a project on disk and return where ``rule`` fires."""
    path = root / module
    result = check(path.read_text(encoding="utf-8"), path=str(path), select=[rule])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings if f.code == rule]


@pytest.fixture
def fresh_crossfile() -> Iterator[None]:
    """Forget cross-file answers before and after a test (projects live in tmp dirs)."""
    default_service().clear()
    yield
    default_service().clear()

"""Helpers shared by the FastAPI rule tests: snippets, and projects of several modules."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from precepts.crossfile import default_service
from tests.helpers import check, fix_all


def lines(code: str, rule: str, path: str = "app/example.py") -> list[int]:
    """Return the 1-based lines where ``rule`` fires on the dedented ``code``."""
    result = check(textwrap.dedent(code), path=path, select=[rule])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings if f.code == rule]


def fixed(code: str, rule: str, path: str = "app/example.py") -> str:
    """Apply every fix of ``rule`` (unsafe ones too) to the dedented ``code``."""
    text = textwrap.dedent(code)
    return fix_all(text, check(text, path=path, select=[rule]).findings)


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

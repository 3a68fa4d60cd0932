"""Shared helpers for the test suite."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from precepts.config import Settings
from precepts.engine import CheckResult, check_text
from precepts.filekinds import FileKind, config_kind, parses_as
from precepts.findings import Finding
from precepts.fixes import apply_edits, select_fixes

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
STANDARD = SHARED / "standards" / "backend-standards.md"

# Examples and the standard's snippets are snippets, not modules: BP107's
# module-docstring requirement is switched off for them (BP107's own examples switch it
# back on through their options).
SNIPPET_OPTIONS = {"BP107": {"module-docstring": False}}


def require_standard() -> Path:
    """Return the standard's path; fail loudly in CI when it is missing."""
    import pytest

    if not STANDARD.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the standard is missing: {STANDARD}")
        pytest.skip(f"the standard is not beside the checkout ({STANDARD})")
    return STANDARD


def check(
    code: str,
    path: str = "app/example.py",
    select: Iterable[str] = ("ALL",),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    **settings: Any,
) -> CheckResult:
    """Check a snippet with every rule (or a selection)."""
    config = Settings(select=tuple(select), rule_options=dict(options or {}), **settings)
    return check_text(code, path, config)


def finding_lines(code: str, path: str, rule: str) -> list[int]:
    """Check a dedented snippet with one rule; return its findings' 0-based start lines."""
    result = check(textwrap.dedent(code), path=path, select=[rule])
    assert not result.errors, [e.trace for e in result.errors]
    return [finding.range.start.line for finding in result.findings]


def codes(result: CheckResult) -> list[str]:
    """Return the codes found, in file order."""
    return [f.code for f in result.findings]


def fix_all(text: str, findings: Iterable[Finding], unsafe: bool = True) -> str:
    """Apply every non-conflicting fix of ``findings`` to ``text``."""
    edits = [edit for fix in select_fixes(list(findings), unsafe) for edit in fix.edits]
    return apply_edits(text, edits)


def parses_like(path: str, text: str) -> bool:
    """Tell whether ``text`` parses as what ``path`` is checked as (Python, TOML, INI)."""
    return parses_as(config_kind(path) or FileKind.PYTHON, text)

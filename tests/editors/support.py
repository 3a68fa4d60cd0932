"""Shared helpers for the editor tests: sample workspaces, tools and subprocesses.

The sample files are kept here as strings, not as ``.py`` files in the repository, so
that the deliberate violations in them are not linted by ruff or precepts itself.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"
ARTIFACTS = REPO / "test-artifacts"
VENV_BIN = Path(sys.executable).parent

# One finding: BP105 (``== None``) on line 13, with a safe fix to ``is None``.
SAMPLE = '''"""A sample module."""


def is_missing(value: object) -> bool:
    """Tell whether a value is missing.

    Args:
        value: The value.

    Returns:
        True when the value is None.
    """
    return value == None
'''
SAMPLE_FIXED_LINE = "    return value is None"

# Three findings with safe fixes: BP105 twice and BP606 (open without encoding).
FIXALL = '''"""Fix-all sample."""


def both_missing(first: object, second: object) -> bool:
    """Tell whether both values are missing.

    Args:
        first: One value.
        second: Another value.

    Returns:
        True when both are None.
    """
    return first == None and second == None


def read_text(path: str) -> str:
    """Read a text file.

    Args:
        path: The file.

    Returns:
        Its text.
    """
    with open(path) as handle:
        return handle.read()
'''
FIXALL_FIXED_LINES = (
    "    return first is None and second is None",
    '    with open(path, encoding="utf-8") as handle:',
)

# One BP105, for editor.codeActionsOnSave.
ONSAVE = SAMPLE.replace("A sample module", "Saved with fixes")

# BP105 and BP606: ignoring BP105 through the editor's settings must leave BP606.
IGNORED = FIXALL.replace("Fix-all sample", "Settings sample")

SAMPLES = {
    "sample.py": SAMPLE,
    "fixall.py": FIXALL,
    "onsave.py": ONSAVE,
    "ignored.py": IGNORED,
}

# Only the rules the samples exercise, so that new rules do not change what they report.
PYPROJECT = (
    '[project]\nname = "editor-sample"\nversion = "0"\n\n'
    '[tool.precepts]\nselect = ["BP0", "BP105", "BP606", "BP804"]\n'
)


def make_workspace(root: Path) -> Path:
    """Write a small project with the sample files.

    Args:
        root: An empty (or missing) directory to fill.

    Returns:
        The project directory (``root`` itself).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    for name, text in SAMPLES.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def precepts_executable() -> Path:
    """Return the ``precepts`` console script of the environment running the tests.

    Returns:
        Its path.
    """
    candidate = VENV_BIN / "precepts"
    if candidate.exists():
        return candidate
    found = shutil.which("precepts")
    if not found:
        pytest.fail("no precepts executable next to the test interpreter nor on PATH")
    return Path(found)


def path_with_precepts() -> str:
    """Return a PATH on which ``precepts`` resolves to the environment under test.

    Returns:
        The PATH value.
    """
    return os.pathsep.join([str(precepts_executable().parent), os.environ.get("PATH", "")])


def require_tool(path: str | Path, what: str) -> Path:
    """Return a tool's path, failing (not skipping) when it is missing.

    A missing editor is an installation problem that ``editors/setup.sh`` must fix, so
    the test fails and says how to fix it.

    Args:
        path: An absolute path or a program name looked up on PATH.
        what: A description for the failure message.

    Returns:
        The tool's absolute path.
    """
    resolved = Path(path) if os.path.isabs(path) else shutil.which(str(path))
    if resolved is None or not Path(resolved).exists():
        pytest.fail(f"{what} is not installed ({path}); run editors/setup.sh")
    return Path(resolved)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    Returns:
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Completed:
    """What a subprocess did.

    Attributes:
        args: The command line.
        returncode: Its exit status.
        stdout: Its standard output.
        stderr: Its standard error.
    """

    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        """Return a readable account for failure messages.

        Returns:
            The command, status and (the end of) both streams.
        """
        return (
            f"$ {' '.join(map(str, self.args))}\nexit status {self.returncode}\n"
            f"--- stdout\n{self.stdout[-6000:]}\n--- stderr\n{self.stderr[-6000:]}"
        )


def run(
    args: Sequence[str | Path],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Completed:
    """Run a command to completion, capturing its output.

    Args:
        args: The command line.
        timeout: Seconds before it is killed (the test then fails).
        env: Extra environment variables.
        cwd: The working directory.

    Returns:
        What it did.
    """
    full_env = {**os.environ, **(env or {})}
    argv = [str(arg) for arg in args]
    try:
        done = subprocess.run(
            argv,
            env=full_env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        out = error.stdout.decode() if isinstance(error.stdout, bytes) else error.stdout or ""
        err = error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr or ""
        pytest.fail(f"timed out after {timeout}s: {argv}\n--- stdout\n{out}\n--- stderr\n{err}")
    return Completed(argv, done.returncode, done.stdout, done.stderr)


def read_json(path: Path, done: Completed) -> Any:
    """Read the JSON report an editor script wrote, failing with context when absent.

    Args:
        path: The report.
        done: The run that should have written it.

    Returns:
        The decoded JSON.
    """
    if not path.exists():
        pytest.fail(f"the editor wrote no report at {path}\n{done.describe()}")
    return json.loads(path.read_text(encoding="utf-8"))


def run_editor(
    args: Sequence[str | Path], *, cwd: Path, report: Path, env: Mapping[str, str]
) -> dict[str, Any]:
    """Run an editor's headless test script and return the report it must finish.

    The editor finds ``precepts`` (the environment under test) on PATH, never an
    activated virtualenv.

    Args:
        args: The editor's command line.
        cwd: The workspace it opens.
        report: Where the script writes its JSON report.
        env: The script's own variables (report path, scenario, ...).

    Returns:
        The report (the test fails when the run failed or the script did not finish).
    """
    done = run(
        args, timeout=120, cwd=cwd, env={"PATH": path_with_precepts(), "VIRTUAL_ENV": "", **env}
    )
    result = read_json(report, done)
    assert done.returncode == 0 and result.get("done"), f"{result.get('error')}\n{done.describe()}"
    return result  # type: ignore[no-any-return]


def codes(diagnostics: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the rule codes of reported diagnostics, sorted.

    Args:
        diagnostics: Diagnostics as the editor scripts report them (with a ``code``).

    Returns:
        The codes.
    """
    return sorted(str(d.get("code")) for d in diagnostics)


def assert_rule_hover(text: str | None, code: str = "BP105") -> None:
    """Check that a hover explains a rule with the standard's ✅/❌ examples.

    Args:
        text: The hover text the editor received or displayed.
        code: The rule code that must be named.
    """
    assert text, "the editor got no hover"
    assert code in text, f"the hover does not name {code}:\n{text}"
    assert "✅" in text, f"the hover has no ✅ example:\n{text}"
    assert "❌" in text, f"the hover has no ❌ example:\n{text}"

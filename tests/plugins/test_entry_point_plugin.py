"""A third-party package adds a rule through the ``precepts.rules`` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = Path(__file__).parent / "acme_plugin"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
        capture_output=True,
    )
    return target


def _precepts(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "precepts", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_plugin_rule_is_listed_and_runs(plugin_path: Path, tmp_path: Path):
    listed = _precepts(plugin_path, "rules", "--output-format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    codes = [rule["code"] for rule in json.loads(listed.stdout)]
    assert "ACME101" in codes and "BP105" in codes

    (tmp_path / "strings.py").write_text('MESSAGE = "TODO: say hello"\n', encoding="utf-8")
    checked = _precepts(plugin_path, "check", "--select", "ACME", "strings.py", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert "strings.py:1:11: ACME101" in checked.stdout


def test_without_the_plugin_the_code_is_unknown(tmp_path: Path):
    checked = _precepts(tmp_path, "check", "--select", "ACME", ".", cwd=tmp_path)
    assert checked.returncode == 2 and "ACME" in checked.stderr

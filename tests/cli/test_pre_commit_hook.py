"""The hooks of .pre-commit-hooks.yaml, run by pre-commit itself on a sample repository.

pre-commit clones this project (a temporary git copy of the working tree, so the test
sees uncommitted work too), pip-installs it into a fresh environment from that local
path (dependencies come from the package index) and runs the hooks on the sample's
files. Slow (a new environment is built), so it runs with ``-m slow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# What a pip install of the project needs (pyproject.toml maps server/ and rules/ into
# the precepts package).
SHIPPED = ("precepts", "rules", "server", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
BAD = 'def describe(user: object) -> str:\n    """Describe."""\n    return user == None\n'

pytestmark = pytest.mark.slow


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def _hook_repository(target: Path) -> str:
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".precepts_cache")
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-qm", "hooks")
    return _git(target, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("pre-commit")
    rev = _hook_repository(base / "hooks")
    sample = base / "sample"
    sample.mkdir()
    config = {
        "repos": [
            {
                "repo": str(base / "hooks"),
                "rev": rev,
                "hooks": [{"id": "precepts"}, {"id": "precepts-fix"}],
            }
        ]
    }
    (sample / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (sample / "pyproject.toml").write_text(
        '[tool.precepts]\nselect = ["BP105"]\n', encoding="utf-8"
    )
    _git(sample, "init", "-q")
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "home")}
    return base, sample, env


def _run_hook(sample: Path, env: dict[str, str], hook: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"]
    return subprocess.run(command, cwd=sample, env=env, capture_output=True, text=True)


def _stage(sample: Path, text: str) -> None:
    (sample / "service.py").write_text(text, encoding="utf-8")
    _git(sample, "add", "-A")


def test_check_hook_fails_on_a_finding_and_passes_when_clean(setup):
    _, sample, env = setup
    _stage(sample, BAD)
    failed = _run_hook(sample, env, "precepts")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "service.py:3:12: BP105" in failed.stdout
    _stage(sample, BAD.replace("== None", "is None"))
    passed = _run_hook(sample, env, "precepts")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_rewrites_the_file(setup):
    _, sample, env = setup
    _stage(sample, BAD)
    result = _run_hook(sample, env, "precepts-fix")
    # pre-commit fails a hook that changed files, so that the fix gets reviewed.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert (sample / "service.py").read_text(encoding="utf-8") == BAD.replace("== None", "is None")

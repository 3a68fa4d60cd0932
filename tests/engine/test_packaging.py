"""Packaging: one namespaced import package, and imports a type checker can resolve."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("precepts-*.whl")
    return built


def test_wheel_installs_only_the_precepts_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"precepts", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "precepts/rules/python/bp105_none_comparison.py" in names
    assert any(name.startswith("precepts/server/") for name in names)
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "precepts = precepts.cli.main:main" in entry_points


def test_type_checker_resolves_imports_in_the_checkout(tmp_path: Path):
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists():
        pytest.fail("mypy is part of the test extra and must be installed")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from precepts.rules.python.bp105_none_comparison import NoneComparison\n"
        "from precepts.engine import check_text\n"
        "import precepts.server\n"
        "reveal_type(NoneComparison.code)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            str(mypy),
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--no-incremental",
            str(probe),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    # An unresolved import would be silently typed Any: "str" proves mypy found the rule.
    assert re.search(r'Revealed type is "(builtins\.)?str"', proc.stdout), proc.stdout + proc.stderr
    assert "Cannot find implementation or library stub" not in proc.stdout

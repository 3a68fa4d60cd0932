"""BP804 coverage-target-missing: floors set where real projects set them."""

from __future__ import annotations

import pytest

from precepts.rules.testing._coverage import PytestOptions, load_toml, script_options
from tests.helpers import check

PROJECT = '[project]\nname = "svc"\n\n'


def _messages(text: str) -> list[str]:
    result = check(text, path="svc/pyproject.toml", select=["BP804"])
    assert not result.errors, [e.trace for e in result.errors]
    return [finding.message for finding in result.findings]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # hatch's scripts (fastapi-users keeps its floor here)
        (
            '[tool.hatch.envs.default.scripts]\ntest = "pytest --cov=app --cov-fail-under=100"\n',
            PytestOptions(100.0, False),
        ),
        # poe with a list of commands, the floor given to `coverage report`
        (
            "[tool.poe.tasks]\n"
            'cover = ["coverage run -m pytest", "coverage report --fail-under 90"]\n',
            PytestOptions(90.0, False),
        ),
        (
            '[tool.pdm.scripts]\ntest = "pytest --cov --cov-branch --cov-fail-under 85"\n',
            PytestOptions(85.0, True),
        ),
        # a `--fail-under` of another tool is not coverage's
        ('[tool.poe.tasks]\nlint = "interrogate --fail-under=80 app"\n', PytestOptions()),
        ("[tool.ruff]\nline-length = 100\n", PytestOptions()),
    ],
)
def test_scripts_are_read(table: str, expected: PytestOptions) -> None:
    data = load_toml(PROJECT + table)
    assert data is not None
    assert script_options(data) == expected


def test_floor_in_a_script_leaves_only_branch_coverage_missing() -> None:
    text = PROJECT + '[tool.hatch.envs.default.scripts]\ntest = "pytest --cov-fail-under=100"\n'
    assert _messages(text) == ["Coverage target missing: no `branch = true`"]


def test_floor_and_branch_in_a_script_are_enough() -> None:
    text = PROJECT + (
        '[tool.hatch.envs.default.scripts]\ntest = "pytest --cov-branch --cov-fail-under=100"\n'
    )
    assert _messages(text) == []


def test_low_floor_in_a_script_does_not_count() -> None:
    text = PROJECT + '[tool.hatch.envs.default.scripts]\ntest = "pytest --cov-fail-under=50"\n'
    assert _messages(text) == [
        "No coverage target: configure coverage with `fail_under = 80` and `branch = true`"
    ]


def test_addopts_wins_over_scripts() -> None:
    # pytest-cov applies addopts to every run; a script's floor is only the fallback.
    text = PROJECT + (
        '[tool.pytest.ini_options]\naddopts = "--cov-fail-under=60"\n\n'
        '[tool.hatch.envs.default.scripts]\ntest = "pytest --cov-fail-under=100 --cov-branch"\n'
    )
    assert _messages(text) == ["Coverage target missing: no `fail_under`"]

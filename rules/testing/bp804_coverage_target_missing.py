"""BP804 coverage-target-missing: a project that sets no coverage floor or no branch coverage."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from precepts.filekinds import FileKind
from precepts.filerule import FileRule
from precepts.findings import Applicability, Range
from precepts.rule import Example, FixSpec, Option
from precepts.rules.testing._config_edit import Setting, header_line, key_line, plan_edits
from precepts.rules.testing._coverage import (
    Coverage,
    PytestOptions,
    coverage_in,
    effective_source,
    is_project_file,
    pytest_options,
)

_TOML_PREFIX = "tool.coverage."
# Where a project's settings go when it configures coverage nowhere yet.
_HOMES = ("pyproject.toml", "setup.cfg")
# Headers a finding about a project without any coverage settings sits on.
_PROJECT_TABLES = {"pyproject.toml": ("project", "tool.poetry"), "setup.cfg": ("metadata",)}


@dataclass(frozen=True)
class _Gap:
    """What is missing or too weak.

    Attributes:
        floor: The configured ``fail_under``: None when missing, else its value (NaN when
            it is not a number); not set when the floor is fine.
        floor_ok: True when the floor meets the target.
        branch: The configured ``branch``: None when missing; not set when it is on.
        branch_ok: True when branch coverage is on.
    """

    floor: float | None
    floor_ok: bool
    branch: bool | None
    branch_ok: bool


def _gap(coverage: Coverage | None, pytest: PytestOptions, target: int) -> _Gap:
    floor = coverage.fail_under if coverage else None
    by_pytest = pytest.fail_under is not None and pytest.fail_under >= target
    floor_ok = by_pytest or (floor is not None and not math.isnan(floor) and floor >= target)
    branch = coverage.branch if coverage else None
    return _Gap(floor, floor_ok, branch, bool(branch) or pytest.branch)


class CoverageTargetMissing(FileRule):
    """Flags the file that configures coverage when it sets no floor or no branch coverage."""

    code = "BP804"
    name = "coverage-target-missing"
    family = "testing"
    section = "Coverage Targets"
    message = "Set a coverage floor (`fail_under` at least 80) and branch coverage"
    summary = (
        "The file coverage.py takes its settings from (the first of `.coveragerc`, "
        "`setup.cfg` and `tox.ini` with `[coverage:*]` sections, `pyproject.toml` with "
        "`[tool.coverage.*]` tables, as coverage.py searches them) when its report sets no "
        "`fail_under` of at least `fail-under` (80) or its run does not set `branch = true`. "
        "When no file configures coverage, the project's `pyproject.toml` (else its "
        "`setup.cfg`) is flagged. `--cov-fail-under=N` and `--cov-branch` in pytest's "
        "`addopts` count, as pytest-cov applies them, and so do they (or `coverage report "
        "--fail-under=N`) in the task runner scripts `pyproject.toml` defines (hatch, poe, "
        "pdm, taskipy). The finding sits on the file itself: "
        "precepts checks `pyproject.toml`, `setup.cfg` and `.coveragerc` when they are named "
        "on the command line, found in a checked folder, or opened in the editor."
    )
    why = (
        "Without `fail_under`, coverage only reports: a change that deletes half the tests "
        "passes CI. Line coverage alone counts an `if` without its `else` as covered, so "
        "the error path of a handler can stay untested at 100 %. A floor with branch "
        "coverage makes the test suite's reach a checked property of every change."
    )
    leaves_alone = (
        "A `pyproject.toml` that only configures tools (no `[project]`, `[build-system]`, "
        "`[tool.poetry]`, `[tool.pytest]` or `[tool.coverage]`) and a `setup.cfg` without "
        "`[metadata]`, `[options]`, `[tool:pytest]` or coverage sections: they are not a "
        "project's test settings. A file whose coverage settings are shadowed by a file "
        "coverage.py reads first (the finding goes to that one). Files that do not parse "
        "(their own tools report those)."
    )
    fix_description = (
        "Adds the missing settings: `branch = true` under `[tool.coverage.run]` and "
        "`fail_under = 80` under `[tool.coverage.report]` (`[coverage:run]`/`[coverage:report]` "
        "in `setup.cfg`, `[run]`/`[report]` in a `.coveragerc` that writes them so), creating "
        "the tables beside the file's other coverage tables and keeping its comments and "
        "layout. A lower `fail_under` or a `branch = false` already written is a choice the "
        "team made: it is reported, not rewritten."
    )
    fix_applicability = Applicability.SAFE
    options = {
        "fail-under": Option(80, "The lowest `fail_under` accepted, and the value the fix writes.")
    }
    files = frozenset({"pyproject.toml", "setup.cfg", ".coveragerc"})
    bad = (
        Example(
            '[project]\nname = "orders-service"\nversion = "1.4.0"\n',
            line=1,
            path="service/pyproject.toml",
            fixed=(
                '[project]\nname = "orders-service"\nversion = "1.4.0"\n'
                "\n[tool.coverage.run]\nbranch = true\n"
                "\n[tool.coverage.report]\nfail_under = 80\n"
            ),
        ),
        Example(
            '[project]\nname = "orders-service"\n\n'
            "[tool.coverage.run]\n"
            'source = ["app"]  # measure the service only\n'
            "\n"
            "[tool.coverage.report]\n"
            "show_missing = true\n",
            line=7,
            path="service/pyproject.toml",
            fixed=(
                '[project]\nname = "orders-service"\n\n'
                "[tool.coverage.run]\n"
                'source = ["app"]  # measure the service only\n'
                "branch = true\n"
                "\n"
                "[tool.coverage.report]\n"
                "show_missing = true\n"
                "fail_under = 80\n"
            ),
        ),
        Example(
            "[metadata]\nname = orders-service\n\n[coverage:run]\nsource = app\n",
            line=4,
            path="service/setup.cfg",
            fixed=(
                "[metadata]\nname = orders-service\n\n[coverage:run]\nsource = app\nbranch = True\n"
                "\n[coverage:report]\nfail_under = 80\n"
            ),
        ),
        Example(
            "[run]\nbranch = True\n\n[report]\nshow_missing = True\n",
            line=4,
            path="service/.coveragerc",
            fixed="[run]\nbranch = True\n\n[report]\nshow_missing = True\nfail_under = 80\n",
        ),
        Example(
            '[project]\nname = "orders-service"\n\n'
            "[tool.hatch.envs.default.scripts]\n"
            'test = "pytest --cov=app --cov-fail-under=100"\n',
            line=1,
            path="service/pyproject.toml",
            fixed=(
                '[project]\nname = "orders-service"\n\n'
                "[tool.hatch.envs.default.scripts]\n"
                'test = "pytest --cov=app --cov-fail-under=100"\n'
                "\n[tool.coverage.run]\nbranch = true\n"
            ),
        ),
    )
    good = (
        Example(
            '[project]\nname = "orders-service"\n\n'
            "[tool.coverage.run]\n"
            "branch = true\n"
            'source = ["app"]\n'
            "\n"
            "[tool.coverage.report]\n"
            "fail_under = 85\n"
            "show_missing = true\n",
            path="service/pyproject.toml",
        ),
        Example(
            "[metadata]\nname = orders-service\n\n"
            "[coverage:run]\nbranch = True\nsource = app/\n\n"
            "[coverage:report]\nprecision = 2\nfail_under = 80\n",
            path="service/setup.cfg",
        ),
        Example(
            '[project]\nname = "orders-service"\n\n'
            "[tool.pytest.ini_options]\n"
            'addopts = "--cov=app --cov-branch --cov-fail-under=90"\n',
            path="service/pyproject.toml",
        ),
        Example(
            '[project]\nname = "orders-service"\n\n'
            "[tool.poe.tasks]\n"
            'test = "coverage run --branch -m pytest"\n'
            'cover = "coverage report --fail-under=90"\n'
            "\n[tool.coverage.run]\nbranch = true\n",
            path="service/pyproject.toml",
        ),
        Example("[tool.ruff]\nline-length = 100\n", path="service/pyproject.toml"),
    )

    def check(self) -> None:
        """Report the file coverage.py reads when its floor or branch coverage is missing."""
        context = self.context
        own = context.name

        def read(name: str) -> str | None:
            return context.text if name == own else context.sibling(name)

        source = effective_source(read)
        if source is None:
            home = next((n for n in _HOMES if _is_project(read, n)), None)
            if home != own:
                return
            coverage = None
        elif source[0] != own:
            return
        else:
            coverage = source[1]
        target = self.option("fail-under")
        gap = _gap(coverage, pytest_options(read), target)
        if gap.floor_ok and gap.branch_ok:
            return
        self.report_at(
            self._where(coverage, gap),
            self._message(coverage, gap, target),
            fix=self._fix(coverage, gap, target),
        )

    def _where(self, coverage: Coverage | None, gap: _Gap) -> Range:
        context = self.context
        text, kind = context.text, context.kind
        line = None
        if coverage is None:
            tables = _PROJECT_TABLES.get(context.name, ())
            line = next((n for t in tables if (n := header_line(text, kind, t)) is not None), None)
        elif not gap.floor_ok and gap.floor is not None and coverage.report_table:
            line = key_line(text, kind, coverage.report_table, "fail_under")
        if line is None and coverage is not None:
            for table in (coverage.report_table, coverage.run_table):
                if table is not None and line is None:
                    line = header_line(text, kind, table)
        return context.line_range(line or 0)

    @staticmethod
    def _message(coverage: Coverage | None, gap: _Gap, target: int) -> str:
        if coverage is None and not gap.floor_ok and not gap.branch_ok:
            return (
                f"No coverage target: configure coverage with `fail_under = {target}` and "
                "`branch = true`"
            )
        parts = []
        if not gap.floor_ok:
            parts.append(
                "no `fail_under`"
                if gap.floor is None
                else f"`fail_under` is {_shown(gap.floor)}, below {target}"
            )
        if not gap.branch_ok:
            parts.append("branch coverage is off" if gap.branch is False else "no `branch = true`")
        return f"Coverage target missing: {'; '.join(parts)}"

    def _fix(self, coverage: Coverage | None, gap: _Gap, target: int) -> FixSpec | None:
        if (not gap.branch_ok and gap.branch is not None) or (
            not gap.floor_ok and gap.floor is not None
        ):
            return None  # a weaker value is written down: the team's call, not the fix's
        context = self.context
        prefix, run, report = _tables(coverage, context.kind)
        settings = []
        if not gap.branch_ok:
            settings.append(Setting(run, "branch", "true" if prefix == _TOML_PREFIX else "True"))
        if not gap.floor_ok:
            settings.append(Setting(report, "fail_under", str(target)))
        edits = plan_edits(
            context.text, context.kind, settings, prefix, _reads_right(context.name, gap, target)
        )
        if edits is None:
            return None
        return self.fix("Add the coverage settings", *edits)


def _tables(coverage: Coverage | None, kind: FileKind) -> tuple[str, str, str]:
    """Return the prefix of coverage's tables and the run and report tables to write to."""
    if coverage is None:
        prefix = _TOML_PREFIX if kind is FileKind.TOML else "coverage:"
        return prefix, f"{prefix}run", f"{prefix}report"
    prefix = coverage.prefix
    return (
        prefix,
        coverage.run_table or f"{prefix}run",
        coverage.report_table or f"{prefix}report",
    )


def _shown(value: float) -> str:
    if math.isnan(value):
        return "not a number"
    return f"{value:g}"


def _is_project(read: Callable[[str], str | None], name: str) -> bool:
    text = read(name)
    return text is not None and is_project_file(name, text)


def _reads_right(name: str, gap: _Gap, target: int) -> Callable[[str], bool]:
    def check(fixed: str) -> bool:
        coverage = coverage_in(name, fixed)
        if coverage is None:
            return False
        fixed_gap = _gap(coverage, PytestOptions(), target)
        return (gap.floor_ok or fixed_gap.floor_ok) and (gap.branch_ok or fixed_gap.branch_ok)

    return check

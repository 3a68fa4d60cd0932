"""Where a project configures coverage.py, and what it asks for (BP804).

coverage.py reads the first of ``.coveragerc`` (when it exists), ``setup.cfg`` and
``tox.ini`` (when they have ``[coverage:*]`` sections) and ``pyproject.toml`` (when it has
``[tool.coverage.*]`` tables) in the directory it runs in; pytest-cov adds
``--cov-fail-under=N`` and ``--cov-branch`` from pytest's ``addopts``, and a project's
task runner scripts in ``pyproject.toml`` may pass them (or ``coverage report
--fail-under``). Values are read with the file's own parser (``tomllib``,
``configparser``), never with patterns.
"""

from __future__ import annotations

import configparser
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# coverage.py's order of precedence.
SEARCH_ORDER = (".coveragerc", "setup.cfg", "tox.ini", "pyproject.toml")
_TRUE = frozenset({"1", "yes", "true", "on"})
_FALSE = frozenset({"0", "no", "false", "off"})


@dataclass(frozen=True)
class Coverage:
    """What one file says about coverage.

    Attributes:
        branch: ``[run] branch`` (None when unset).
        fail_under: ``[report] fail_under`` (None when unset; NaN when not a number).
        run_table: The name of the run table as written (``tool.coverage.run``,
            ``coverage:run``, ``run``), or None when it is absent.
        report_table: The same for the report table.
        prefix: How the file names coverage's tables (``tool.coverage.``,
            ``coverage:`` or ``""``), for tables the fix adds.
    """

    branch: bool | None
    fail_under: float | None
    run_table: str | None
    report_table: str | None
    prefix: str


@dataclass(frozen=True)
class PytestOptions:
    """The coverage options pytest-cov takes from pytest's ``addopts``."""

    fail_under: float | None = None
    branch: bool = False


def load_toml(text: str) -> dict[str, Any] | None:
    """Parse a TOML text (None when it is not valid TOML).

    Args:
        text: The text.

    Returns:
        The data, or None.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


def load_ini(text: str) -> configparser.RawConfigParser | None:
    """Parse an INI text as coverage.py does, without interpolation (None when invalid).

    Args:
        text: The text.

    Returns:
        The parser, or None.
    """
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float("nan")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        # An INI value keeps what follows it on the line: `80  # the floor`.
        for marker in (" #", "\t#", " ;", "\t;"):
            value = value.split(marker, 1)[0]
        try:
            return float(value.strip())
        except ValueError:
            return float("nan")
    return float("nan")


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.split("#", 1)[0].split(";", 1)[0].strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return False


def toml_coverage(data: Mapping[str, Any]) -> Coverage | None:
    """Read ``[tool.coverage.*]`` from parsed ``pyproject.toml`` data.

    Args:
        data: The parsed file.

    Returns:
        The settings, or None when the file says nothing about coverage.
    """
    tool = data.get("tool")
    coverage = tool.get("coverage") if isinstance(tool, Mapping) else None
    if not isinstance(coverage, Mapping):
        return None
    run = coverage.get("run")
    report = coverage.get("report")
    run = run if isinstance(run, Mapping) else None
    report = report if isinstance(report, Mapping) else None
    return Coverage(
        branch=_flag(run["branch"]) if run is not None and "branch" in run else None,
        fail_under=(
            _number(report["fail_under"]) if report is not None and "fail_under" in report else None
        ),
        run_table="tool.coverage.run" if run is not None else None,
        report_table="tool.coverage.report" if report is not None else None,
        prefix="tool.coverage.",
    )


def _section(parser: configparser.RawConfigParser, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if parser.has_section(name)), None)


def ini_coverage(parser: configparser.RawConfigParser, own_file: bool) -> Coverage | None:
    """Read coverage's sections from an INI file.

    Args:
        parser: The parsed file.
        own_file: True for ``.coveragerc``, where sections may drop the ``coverage:``
            prefix; False for ``setup.cfg`` and ``tox.ini``.

    Returns:
        The settings, or None when the file has no coverage section (a ``.coveragerc``
        always counts).
    """
    run = _section(parser, ("coverage:run", "run") if own_file else ("coverage:run",))
    report = _section(parser, ("coverage:report", "report") if own_file else ("coverage:report",))
    has_any = any(name.startswith("coverage:") for name in parser.sections())
    if not (own_file or has_any or run or report):
        return None
    branch = parser.get(run, "branch") if run and parser.has_option(run, "branch") else None
    floor = (
        parser.get(report, "fail_under")
        if report and parser.has_option(report, "fail_under")
        else None
    )
    # New tables follow the file's own style: ``.coveragerc`` may drop the prefix.
    prefix = "coverage:" if has_any or not own_file else ""
    return Coverage(
        branch=_flag(branch) if branch is not None else None,
        fail_under=_number(floor) if floor is not None else None,
        run_table=run,
        report_table=report,
        prefix=prefix,
    )


def _addopts_options(addopts: Any) -> PytestOptions:
    if isinstance(addopts, list):
        words = [str(word) for word in addopts]
    elif isinstance(addopts, str):
        try:
            words = shlex.split(addopts, comments=True)
        except ValueError:
            words = addopts.split()
    else:
        return PytestOptions()
    floor = None
    for index, word in enumerate(words):
        if word.startswith("--cov-fail-under="):
            floor = _number(word.split("=", 1)[1])
        elif word == "--cov-fail-under" and index + 1 < len(words):
            floor = _number(words[index + 1])
    return PytestOptions(floor, "--cov-branch" in words)


def _merged(first: PytestOptions, second: PytestOptions) -> PytestOptions:
    return PytestOptions(
        first.fail_under if first.fail_under is not None else second.fail_under,
        first.branch or second.branch,
    )


def _command_options(command: str) -> PytestOptions:
    """Read a floor and branch coverage from one command line of a project's scripts.

    ``pytest --cov-fail-under=100 --cov-branch`` and ``coverage report --fail-under=90``
    set them; other commands say nothing.
    """
    if "--cov" not in command and "--fail-under" not in command:
        return PytestOptions()
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        words = command.split()
    found = _addopts_options(words)
    if found.fail_under is not None or not {"coverage", "report"} <= set(words):
        return found
    for index, word in enumerate(words):
        if word.startswith("--fail-under="):
            return PytestOptions(_number(word.split("=", 1)[1]), found.branch)
        if word == "--fail-under" and index + 1 < len(words):
            return PytestOptions(_number(words[index + 1]), found.branch)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def script_options(data: Mapping[str, Any]) -> PytestOptions:
    """Read a floor and branch coverage from the scripts ``pyproject.toml`` defines.

    Task runners keep the test command in the file (``[tool.hatch.envs.*.scripts]``,
    ``[tool.poe.tasks]``, ``[tool.pdm.scripts]``, ``[tool.taskipy.tasks]``): a
    ``--cov-fail-under=100`` there is the project's floor as much as one in ``addopts``.

    Args:
        data: The parsed file.

    Returns:
        The first floor found, and whether any command turns branch coverage on.
    """
    tool = data.get("tool")
    if not isinstance(tool, Mapping):
        return PytestOptions()
    found = PytestOptions()
    for name, table in tool.items():
        if name in {"coverage", "pytest"}:
            continue  # read as coverage's and pytest's own settings
        for command in _strings(table):
            found = _merged(found, _command_options(command))
    return found


def pytest_options(read: Callable[[str], str | None]) -> PytestOptions:
    """Read pytest-cov's options from pytest's ``addopts`` and the project's scripts.

    Args:
        read: Returns the text of a file of the directory by name (None when missing).

    Returns:
        The options found; ``addopts`` first, then the scripts of ``pyproject.toml``.
    """
    text = read("pyproject.toml")
    data = load_toml(text) if text is not None else None  # parsed once for both readers
    scripts = script_options(data) if data is not None else PytestOptions()
    return _merged(_addopts_in(read, data), scripts)


def _addopts_in(
    read: Callable[[str], str | None], pyproject: Mapping[str, Any] | None
) -> PytestOptions:
    """Read pytest-cov's options from the ``addopts`` of the directory's pytest configuration.

    pytest reads the first of ``pytest.ini``, ``pyproject.toml`` (``[tool.pytest.ini_options]``),
    ``tox.ini`` (``[pytest]``) and ``setup.cfg`` (``[tool:pytest]``) that configures it.

    Args:
        read: Returns the text of a file of the directory by name (None when missing).
        pyproject: The parsed ``pyproject.toml`` (None when missing or invalid).

    Returns:
        The options found (none when pytest is not configured here).
    """
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest")):
        text = read(name)
        parser = load_ini(text) if text is not None else None
        if parser is not None and parser.has_section(section):
            return _addopts_options(parser.get(section, "addopts", fallback=""))
    options = (pyproject or {}).get("tool", {}).get("pytest", {}).get("ini_options")
    if isinstance(options, Mapping):
        return _addopts_options(options.get("addopts"))
    text = read("setup.cfg")
    parser = load_ini(text) if text is not None else None
    if parser is not None and parser.has_section("tool:pytest"):
        return _addopts_options(parser.get("tool:pytest", "addopts", fallback=""))
    return PytestOptions()


def coverage_in(name: str, text: str) -> Coverage | None:
    """Read what a file of the search order says about coverage.

    Args:
        name: Its name (one of :data:`SEARCH_ORDER`).
        text: Its text.

    Returns:
        The settings, or None when it says nothing (or does not parse).
    """
    if name == "pyproject.toml":
        data = load_toml(text)
        return toml_coverage(data) if data is not None else None
    parser = load_ini(text)
    if parser is None:
        return None
    return ini_coverage(parser, own_file=name == ".coveragerc")


def effective_source(read: Callable[[str], str | None]) -> tuple[str, Coverage] | None:
    """Find the file coverage.py takes its settings from, as it does.

    Args:
        read: Returns the text of a file of the directory by name (None when missing).

    Returns:
        (file name, its settings), or None when no file configures coverage.
    """
    for name in SEARCH_ORDER:
        text = read(name)
        if text is None:
            continue
        found = coverage_in(name, text)
        if found is not None:
            return name, found
    return None


def is_project_file(name: str, text: str) -> bool:
    """Tell whether a ``pyproject.toml``/``setup.cfg`` describes a Python project.

    A ``pyproject.toml`` that only configures tools (``[tool.ruff]``, ``[tool.precepts]``)
    is not where a project's test settings live.

    Args:
        name: ``pyproject.toml`` or ``setup.cfg``.
        text: Its text.

    Returns:
        True for a project's packaging or test configuration.
    """
    if name == "pyproject.toml":
        data = load_toml(text) or {}
        tool = data.get("tool") if isinstance(data.get("tool"), Mapping) else {}
        return bool(
            {"project", "build-system"} & data.keys()
            or {"poetry", "pytest", "coverage"} & tool.keys()
        )
    parser = load_ini(text)
    if parser is None:
        return False
    sections = set(parser.sections())
    return bool({"metadata", "options", "tool:pytest"} & sections) or any(
        section.startswith("coverage:") for section in sections
    )

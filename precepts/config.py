"""Configuration: ``[tool.precepts]`` in ``pyproject.toml`` or a ``precepts.toml``.

The nearest configuration file above a checked file applies to it. A configuration is
validated completely before anything is checked: an unknown key, an unknown rule code or
a value of the wrong type raises :class:`ConfigError`, naming the file and the key.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import pathspec

from precepts.findings import Severity
from precepts.registry import all_rules
from precepts.rule import Rule
from precepts.versions import (
    KNOWN,
    NEWEST,
    PythonVersion,
    lowest_allowed,
    parse_target,
    target_name,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILES = ("precepts.toml", "pyproject.toml")
_LIST_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude", "extend-include")
_KNOWN_KEYS = frozenset(
    {
        *_LIST_KEYS,
        "per-file-ignores",
        "severity",
        "rules",
        "unsafe-fixes",
        "docs-url",
        "target-version",
        "baseline",
        "cache-dir",
    }
)


class ConfigError(Exception):
    """The configuration cannot be used.

    Attributes:
        path: The file at fault (None for command-line or client settings).
        key: The offending key, dotted (``rules.BP101.max-complexity``).
    """

    def __init__(self, path: Path | None, key: str, problem: str) -> None:
        """Describe the error.

        Args:
            path: The configuration file.
            key: The offending key.
            problem: What is wrong.
        """
        where = str(path) if path else "settings"
        super().__init__(f"{where}: `{key}`: {problem}")
        self.path = path
        self.key = key
        self.problem = problem


def _selector_matches(selector: str, rule: type[Rule]) -> bool:
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    return rule.code.startswith(selector.upper()) or rule.name == selector


@dataclass(frozen=True)
class Settings:
    """A validated configuration.

    Attributes:
        path: The file it was read from (None for defaults).
        root: The directory relative paths and globs are resolved against.
        select: Selectors of enabled rules (codes, prefixes, names or ``ALL``).
        extend_select: Selectors added to ``select``.
        ignore: Selectors removed from the selection.
        exclude: Gitignore-style patterns of files not to check.
        per_file_ignores: Pattern → selectors ignored in matching files.
        severity: Code → severity override.
        rule_options: Code → option values.
        unsafe_fixes: Whether unsafe fixes may be applied and offered.
        target_version: The Python the project targets (``target-version``, else the
            lowest its ``requires-python`` allows); None: found per file, see
            :meth:`target_for`.
        baseline: The baseline file, relative to the configuration's directory.
        cache_dir: The result cache's directory, relative to the configuration's directory.
        extend_include: Gitignore-style patterns of files that are Python although their
            name does not end in ``.py``/``.pyi`` (ruff's ``extend-include``).
    """

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    severity: Mapping[str, Severity] = field(default_factory=dict)
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    unsafe_fixes: bool = False
    target_version: PythonVersion | None = None
    baseline: str | None = None
    cache_dir: str | None = None
    extend_include: tuple[str, ...] = ()

    def with_overrides(
        self,
        select: Iterable[str] | None = None,
        extend_select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        unsafe_fixes: bool | None = None,
    ) -> Settings:
        """Return a copy with command-line or client overrides applied (and validated).

        Args:
            select: Replaces ``select`` when given.
            extend_select: Added to ``extend_select``.
            ignore: Added to ``ignore``.
            unsafe_fixes: Replaces ``unsafe_fixes`` when given.

        Returns:
            The new settings.
        """
        changed = replace(
            self,
            select=tuple(select) if select is not None else self.select,
            extend_select=self.extend_select + tuple(extend_select or ()),
            ignore=self.ignore + tuple(ignore or ()),
            unsafe_fixes=self.unsafe_fixes if unsafe_fixes is None else unsafe_fixes,
        )
        for key, values in (
            ("select", changed.select),
            ("extend-select", changed.extend_select),
            ("ignore", changed.ignore),
        ):
            _check_selectors(None, key, values)
        return changed

    def target_for(self, path: Path | None = None) -> PythonVersion:
        """Return the Python version code is judged by (see :mod:`precepts.versions`).

        Args:
            path: The file checked; without a configured target, the ``requires-python``
                of the nearest ``pyproject.toml`` above it decides.

        Returns:
            The target version (the newest known when nothing says).
        """
        if self.target_version is not None:
            return self.target_version
        if path is None:
            return NEWEST
        start = path if path.is_dir() else path.parent
        return _requires_python_near(start.resolve()) or NEWEST

    def relative(self, path: Path) -> str:
        """Return ``path`` relative to the settings' root, with ``/`` separators.

        Args:
            path: A file path.

        Returns:
            The relative path (the absolute one when outside the root).
        """
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    def is_excluded(self, path: Path) -> bool:
        """Tell whether ``exclude`` matches ``path``.

        Args:
            path: A file or directory path.

        Returns:
            True when excluded.
        """
        if not self.exclude:
            return False
        relative = self.relative(path)
        return _spec(self.exclude).match_file(relative) or (
            path.is_dir() and _spec(self.exclude).match_file(relative + "/")
        )

    def is_included(self, path: Path) -> bool:
        """Tell whether ``extend-include`` makes ``path`` a Python file.

        Args:
            path: A file path.

        Returns:
            True when a pattern matches it.
        """
        return bool(self.extend_include) and _spec(self.extend_include).match_file(
            self.relative(path)
        )

    def enabled_codes(self, path: Path | None = None) -> frozenset[str]:
        """Return the codes of the rules enabled for a file.

        Args:
            path: The file (for ``per-file-ignores``); None ignores those.

        Returns:
            The enabled codes.
        """
        ignored = list(self.ignore)
        if path is not None and self.per_file_ignores:
            relative = self.relative(path)
            for pattern, selectors in self.per_file_ignores.items():
                if _spec((pattern,)).match_file(relative):
                    ignored.extend(selectors)
        return _enabled(tuple(self.select) + tuple(self.extend_select), tuple(ignored))

    def options_for(self, code: str) -> Mapping[str, Any]:
        """Return the configured options of one rule.

        Args:
            code: The rule code.

        Returns:
            Option name → value (only those set).
        """
        return self.rule_options.get(code, {})

    def severity_of(self, rule: type[Rule]) -> Severity:
        """Return the effective severity of a rule.

        Args:
            rule: The rule class.

        Returns:
            The configured severity, or the rule's default.
        """
        return self.severity.get(rule.code, rule.severity)


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


@lru_cache(maxsize=256)
def _enabled(selected: tuple[str, ...], ignored: tuple[str, ...]) -> frozenset[str]:
    rules = all_rules().values()
    codes = {r.code for r in rules if any(_selector_matches(s, r) for s in selected)}
    return frozenset(
        code for code in codes if not any(_selector_matches(s, all_rules()[code]) for s in ignored)
    )


def _check_selectors(path: Path | None, key: str, values: Any) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ConfigError(path, key, "expected a list of strings")
    rules = all_rules().values()
    for value in values:
        if not any(_selector_matches(value, rule) for rule in rules):
            raise ConfigError(path, key, f"unknown rule code or prefix {value!r}")
    return tuple(values)


def _check_list(path: Path | None, key: str, values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(path, key, "expected a list of strings")
    return tuple(values)


def _parse_severity(path: Path | None, table: Any) -> dict[str, Severity]:
    if not isinstance(table, dict):
        raise ConfigError(path, "severity", 'expected a table of CODE = "error|warning|…"')
    result = {}
    rules = all_rules()
    for code, value in table.items():
        if code.upper() not in rules:
            raise ConfigError(path, f"severity.{code}", "unknown rule code")
        try:
            result[code.upper()] = Severity(value)
        except ValueError:
            choices = ", ".join(s.value for s in Severity)
            raise ConfigError(path, f"severity.{code}", f"expected one of {choices}") from None
    return result


def _parse_rule_options(path: Path | None, table: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(path, "rules", "expected a table of rule tables")
    rules = all_rules()
    result: dict[str, dict[str, Any]] = {}
    for code, options in table.items():
        rule = rules.get(code.upper())
        if rule is None:
            raise ConfigError(path, f"rules.{code}", "unknown rule code")
        if not isinstance(options, dict):
            raise ConfigError(path, f"rules.{code}", "expected a table of options")
        for name, value in options.items():
            option = rule.options.get(name)
            if option is None:
                known = ", ".join(rule.options) or "none"
                raise ConfigError(
                    path, f"rules.{code}.{name}", f"unknown option (options: {known})"
                )
            if not option.accepts(value):
                expected = type(option.default).__name__
                raise ConfigError(path, f"rules.{code}.{name}", f"expected {expected}")
        result[rule.code] = dict(options)
    return result


def _parse_per_file_ignores(path: Path | None, table: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict):
        raise ConfigError(path, "per-file-ignores", "expected a table of glob = [codes]")
    return {
        pattern: _check_selectors(path, f"per-file-ignores.{pattern}", codes)
        for pattern, codes in table.items()
    }


def _file_paths(path: Path | None, table: Mapping[str, Any]) -> dict[str, str]:
    """Validate the keys that name files: ``baseline`` and ``cache-dir``."""
    values = {}
    for key in ("baseline", "cache-dir"):
        if key in table:
            if not isinstance(table[key], str) or not table[key]:
                raise ConfigError(path, key, "expected a file path (a non-empty string)")
            values[key.replace("-", "_")] = table[key]
    return values


def settings_from_table(table: Mapping[str, Any], path: Path | None, root: Path) -> Settings:
    """Validate a ``[tool.precepts]`` table (or client settings) into :class:`Settings`.

    Args:
        table: The raw table.
        path: The file it came from, for messages.
        root: The directory globs are relative to.

    Returns:
        The settings.

    Raises:
        ConfigError: On the first problem found.
    """
    if not isinstance(table, Mapping):
        raise ConfigError(path, "tool.precepts", "expected a table")
    for key in table:
        if key not in _KNOWN_KEYS:
            raise ConfigError(path, key, f"unknown key (known: {', '.join(sorted(_KNOWN_KEYS))})")
    values: dict[str, Any] = {}
    for key in ("select", "extend-select", "ignore"):
        if key in table:
            values[key.replace("-", "_")] = _check_selectors(path, key, table[key])
    exclude = _check_list(path, "exclude", table.get("exclude", []))
    exclude += _check_list(path, "extend-exclude", table.get("extend-exclude", []))
    include = _check_list(path, "extend-include", table.get("extend-include", []))
    unsafe = table.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise ConfigError(path, "unsafe-fixes", "expected true or false")
    target = table.get("target-version")
    if target is not None:
        parsed = parse_target(target) if isinstance(target, str) else None
        if parsed is None:
            known = ", ".join(target_name(version) for version in KNOWN)
            raise ConfigError(path, "target-version", f"expected one of {known}")
        values["target_version"] = parsed
    elif path is not None:
        values["target_version"] = _requires_python_near(path.parent.resolve())
    docs_url = table.get("docs-url", "")
    if not isinstance(docs_url, str):
        raise ConfigError(path, "docs-url", "expected a string")
    values.update(_file_paths(path, table))
    return Settings(
        path=path,
        root=root,
        exclude=exclude,
        extend_include=include,
        per_file_ignores=_parse_per_file_ignores(path, table.get("per-file-ignores", {})),
        severity=_parse_severity(path, table.get("severity", {})),
        rule_options=_parse_rule_options(path, table.get("rules", {})),
        unsafe_fixes=unsafe,
        **values,
    )


def read_table(path: Path) -> dict[str, Any] | None:
    """Read the precepts table of a configuration file.

    Args:
        path: ``precepts.toml`` or ``pyproject.toml``.

    Returns:
        The table, or None for a ``pyproject.toml`` without ``[tool.precepts]``.

    Raises:
        ConfigError: When the file cannot be read or is not valid TOML.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, "(file)", f"cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, "(file)", f"invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("precepts")
        return table if table is not None else None
    return data


def load_settings(path: Path) -> Settings:
    """Load and validate one configuration file.

    Args:
        path: The file.

    Returns:
        Its settings (defaults when a ``pyproject.toml`` has no precepts table).
    """
    table = read_table(path)
    return settings_from_table(table or {}, path, path.parent)


def find_config(start: Path) -> Path | None:
    """Find the configuration file that applies to ``start``.

    ``precepts.toml`` wins over ``pyproject.toml`` in the same directory; a
    ``pyproject.toml`` counts only when it has a ``[tool.precepts]`` table.

    Args:
        start: A file or directory.

    Returns:
        The nearest configuration file above it, or None.
    """
    directory = start if start.is_dir() else start.parent
    return _find_in(directory.resolve())


@lru_cache(maxsize=1024)
def _find_in(directory: Path) -> Path | None:
    for candidate in (directory, *directory.parents):
        dedicated = candidate / "precepts.toml"
        if dedicated.is_file():
            return dedicated
        project = candidate / "pyproject.toml"
        if project.is_file() and _has_precepts_table(project):
            return project
    return None


def _has_precepts_table(path: Path) -> bool:
    try:
        return read_table(path) is not None
    except ConfigError:
        return True  # a broken pyproject must be reported, not skipped


@lru_cache(maxsize=1024)
def _requires_python_near(directory: Path) -> PythonVersion | None:
    """Return the lowest version allowed by the nearest ``pyproject.toml``'s ``requires-python``."""
    for candidate in (directory, *directory.parents):
        project = candidate / "pyproject.toml"
        if not project.is_file():
            continue
        try:
            data = tomllib.loads(project.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # a broken pyproject is reported where it is read as configuration
        requires = data.get("project", {}).get("requires-python")
        return lowest_allowed(requires) if isinstance(requires, str) else None
    return None


def clear_caches() -> None:
    """Forget discovered configuration files (after a config file changed)."""
    _find_in.cache_clear()
    _requires_python_near.cache_clear()

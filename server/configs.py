"""Configuration files as the server sees them: found per file, reloaded when they change.

Each document is governed by the nearest ``precepts.toml`` / ``pyproject.toml`` with a
``[tool.precepts]`` table (as on the command line), or by the editor's ``configPath``.
Loaded files are cached with their modification time, so an edited file is read again
on the next check even when the editor does not report file changes. A file that does
not load never stops the server: its error is reported once (see
:class:`ConfigProblem`) and its last good settings stay in force.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from precepts.config import ConfigError, Settings, clear_caches, find_config, load_settings
from precepts.server.settings import ClientSettings, describe_override_error

log = logging.getLogger(__name__)

CONFIG_NAMES = ("pyproject.toml", "precepts.toml")

_KEY_PART = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY_PART)
_TOML_POSITION = re.compile(r"at line (\d+), column (\d+)")


@dataclass(frozen=True)
class ConfigProblem:
    """A configuration file that cannot be used.

    Attributes:
        path: The file.
        message: What is wrong.
        line: The 0-based line of the offending key (0 when unknown).
    """

    path: Path
    message: str
    line: int


def _dotted(text: str) -> str:
    return ".".join(part.strip("\"'") for part in _PART.findall(text))


def key_line(text: str, key: str, table: str = "") -> int:
    """Find the line of a dotted key in a TOML text (best effort).

    Args:
        text: The file's text.
        key: The key, relative to ``table`` (``rules.BP101.max-complexity``).
        table: The table the key lives in (``tool.precepts`` in a pyproject.toml).

    Returns:
        The 0-based line of the key, or of its nearest enclosing table or inline table
        (0 when nothing matches).
    """
    target = f"{table}.{key}" if table else key
    best, best_length = 0, -1
    current = ""
    for number, line in enumerate(text.splitlines()):
        header = _HEADER.match(line)
        if header:
            current = _dotted(header.group(1))
            candidate = current
        else:
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            name = _dotted(assign.group(1))
            candidate = f"{current}.{name}" if current else name
        matches = target == candidate or target.startswith(candidate + ".")
        if matches and len(candidate) > best_length:
            best, best_length = number, len(candidate)
    return best


def problem_of(error: ConfigError) -> ConfigProblem:
    """Describe a configuration error, locating the offending key in the file.

    Args:
        error: The error (its ``path`` must be set).

    Returns:
        The problem.
    """
    path = error.path or Path()
    position = _TOML_POSITION.search(error.problem)
    if position:
        return ConfigProblem(path, str(error), int(position.group(1)) - 1)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ConfigProblem(path, str(error), 0)
    table = "tool.precepts" if path.name == "pyproject.toml" else ""
    return ConfigProblem(path, str(error), key_line(text, error.key, table))


def _stamp(path: Path) -> tuple[int, int]:
    """Return what tells a file changed: modification time and size."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


class ConfigStore:
    """Loads configuration files, remembers the last good settings of each, reports errors.

    Attributes:
        problems: Files that do not load, with their problem.
    """

    def __init__(
        self,
        on_problem: Callable[[Path, ConfigProblem | None], None],
        on_setting_error: Callable[[str], None],
    ) -> None:
        """Create an empty store.

        Args:
            on_problem: Called when a file starts or stops failing (None: fixed).
            on_setting_error: Called with a message when an editor setting is unusable
                (each time it is used: the caller says it once).
        """
        self._on_problem = on_problem
        self._on_setting_error = on_setting_error
        self._loaded: dict[Path, tuple[tuple[int, int], Settings]] = {}
        self._good: dict[Path, Settings] = {}
        self.problems: dict[Path, ConfigProblem] = {}

    def invalidate(self) -> None:
        """Forget found and loaded files (after a configuration file changed)."""
        clear_caches()
        self._loaded.clear()

    def config_for(
        self, file: Path | None, folder: Path | None, client: ClientSettings
    ) -> Path | None:
        """Return the configuration file that governs a document.

        Args:
            file: The document's path (None for an unsaved document).
            folder: Its workspace folder.
            client: The editor's settings (``configPath`` wins).

        Returns:
            The file, or None for defaults.
        """
        if client.config_path:
            path = Path(client.config_path).expanduser()
            if not path.is_absolute() and folder is not None:
                path = folder / path
            return path
        start = file if file is not None else folder
        return find_config(start) if start is not None else None

    def settings_for(
        self, file: Path | None, folder: Path | None, client: ClientSettings
    ) -> Settings:
        """Return the effective settings of a document.

        Args:
            file: The document's path (None for an unsaved document).
            folder: Its workspace folder.
            client: The editor's settings.

        Returns:
            The settings: the configuration file's (its last good ones when it is
            broken) with the editor's settings applied.
        """
        config = self.config_for(file, folder, client)
        if config is None:
            root = folder or (file.parent if file is not None else Path.cwd())
            base = Settings(root=root)
        else:
            base = self._load(config)
        settings, errors = client.apply(base)
        for error in errors:
            self._on_setting_error(describe_override_error(error))
        return settings

    def _load(self, config: Path) -> Settings:
        stamp = _stamp(config)
        cached = self._loaded.get(config)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            settings = load_settings(config)
        except ConfigError as error:
            settings = self._good.get(config) or Settings(root=config.parent)
            self._report(config, problem_of(error))
        else:
            self._good[config] = settings
            self._report(config, None)
        self._loaded[config] = (stamp, settings)
        return settings

    def _report(self, config: Path, problem: ConfigProblem | None) -> None:
        previous = self.problems.get(config)
        if problem == previous:
            return
        if problem is None:
            del self.problems[config]
            log.info("configuration %s loads again", config)
        else:
            self.problems[config] = problem
            log.warning("invalid configuration: %s", problem.message)
        self._on_problem(config, problem)

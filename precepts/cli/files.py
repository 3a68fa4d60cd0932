"""Which files a ``precepts check`` run covers.

Directories are walked without following symbolic links; well-known tool and build
directories are skipped, as are paths matched by ``exclude`` in the configuration that
governs them and by ``.gitignore`` files. A folder yields its Python files (``.py``,
``.pyi``, and names the configuration's ``extend-include`` adds) and the configuration
files the file rules read (``pyproject.toml``, ``setup.cfg``, ``.coveragerc``).

A file named explicitly on the command line is checked even when excluded, as ruff
does, but only when it is one of those kinds: a ``.py``/``.pyi`` file, a file
``extend-include`` matches, a script without a suffix whose shebang runs Python, or one
of the configuration files (which only the file rules read). Any other named file is
skipped with a warning: ``[project]`` or ``{"total": 1}`` parse as Python expressions,
and checking them as Python would report (and "fix") nonsense.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pathspec

from precepts.config import Settings
from precepts.filekinds import CONFIG_FILES, FileKind, kind_of_name
from precepts.filerule import FileRule
from precepts.registry import all_rules

ALWAYS_SKIPPED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".eggs",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        "site-packages",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
    }
)
PYTHON_SUFFIXES = (".py", ".pyi")
# Enough of a file to read its shebang line.
_HEAD_BYTES = 256
Skipped = Callable[[Path, str], None]


class GitIgnores:
    """The ``.gitignore`` rules met while walking down from a root."""

    def __init__(self) -> None:
        """Start with no rules."""
        self._specs: dict[Path, pathspec.PathSpec | None] = {}

    def _spec(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self._specs:
            ignore_file = directory / ".gitignore"
            spec = None
            if ignore_file.is_file():
                try:
                    lines = ignore_file.read_text(encoding="utf-8").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except (OSError, UnicodeDecodeError):
                    spec = None
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: Path, is_dir: bool, root: Path) -> bool:
        """Tell whether a ``.gitignore`` between ``root`` and ``path`` ignores ``path``.

        Args:
            path: The candidate path.
            is_dir: Whether it is a directory.
            root: Where the walk started.

        Returns:
            True when ignored.
        """
        directory = path.parent
        while True:
            spec = self._spec(directory)
            if spec is not None:
                relative = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
            if directory == root or directory.parent == directory:
                return False
            directory = directory.parent


def file_rules_read(settings: Settings, path: Path) -> bool:
    """Tell whether an enabled file rule reads this configuration file.

    Args:
        settings: The settings governing it.
        path: A ``pyproject.toml``, ``setup.cfg`` or ``.coveragerc``.

    Returns:
        True when some file rule enabled for it reads files of its name.
    """
    enabled = settings.enabled_codes(path)
    rules = all_rules()
    return any(
        code in rules and issubclass(rules[code], FileRule) and path.name in rules[code].files
        for code in enabled
    )


def _head(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def named_kind(path: Path, settings: Settings, text: str | None = None) -> FileKind:
    """Classify a file named explicitly (command line or ``--stdin-filename``).

    Args:
        path: The name given.
        settings: The settings governing it (for ``extend-include``).
        text: Its text when it is already known (standard input); else the file's first
            bytes are read when its name has no suffix.

    Returns:
        Python, TOML or INI (a configuration file for the file rules), or OTHER.
    """
    head = text if text is not None else (_head(path) if not path.suffix else None)
    kind = kind_of_name(path, head)
    if kind is FileKind.OTHER and settings.is_included(path):
        return FileKind.PYTHON
    return kind


def describe_skip(path: Path) -> str:
    """Say why a named file is not checked (the warning's text).

    Args:
        path: The file.

    Returns:
        One line.
    """
    why = "no suffix and no Python shebang" if not path.suffix else "not a Python file"
    return (
        f"warning: {path} skipped: {why} (`extend-include` in the configuration makes "
        "such files Python)"
    )


def discover(
    paths: list[Path],
    settings_for: Callable[[Path], Settings],
    respect_gitignore: bool = True,
    skipped: Skipped | None = None,
) -> Iterator[Path]:
    """Yield the files to check under ``paths``, each once, in a stable order.

    Args:
        paths: Files and directories from the command line.
        settings_for: Returns the :class:`Settings` governing a path.
        respect_gitignore: Whether ``.gitignore`` files are honoured.
        skipped: Told about each named file that is not checked, with the reason.

    Yields:
        File paths.
    """
    seen: set[Path] = set()
    ignores = GitIgnores()
    for given in paths:
        if given.is_file():
            found: Iterator[Path] = _named(given, settings_for(given), skipped)
        else:
            found = _walk(given, settings_for, ignores if respect_gitignore else None)
        for path in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield path


def _named(path: Path, settings: Settings, skipped: Skipped | None) -> Iterator[Path]:
    """Yield a file named on the command line when it is of a kind precepts checks."""
    if named_kind(path, settings) is not FileKind.OTHER:
        yield path
    elif skipped is not None:
        skipped(path, describe_skip(path))


def _walk(
    root: Path, settings_for: Callable[[Path], Settings], ignores: GitIgnores | None
) -> Iterator[Path]:
    absolute_root = root.resolve()
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(directory)
        settings: Settings = settings_for(here)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if _keep_directory(here / name, name, settings, ignores, absolute_root)
        )
        for name in sorted(filenames):
            path = here / name
            if _wanted(path, settings) and not (
                settings.is_excluded(path)
                or (ignores is not None and ignores.ignored(path.resolve(), False, absolute_root))
            ):
                yield path


def _wanted(path: Path, settings: Settings) -> bool:
    """Tell whether a file found in a folder is checked: Python, or read by a file rule."""
    if path.name in CONFIG_FILES:
        return file_rules_read(settings, path)
    return path.name.endswith(PYTHON_SUFFIXES) or settings.is_included(path)


def _keep_directory(
    path: Path, name: str, settings: Settings, ignores: GitIgnores | None, root: Path
) -> bool:
    if name in ALWAYS_SKIPPED or name.endswith(".egg-info") or path.is_symlink():
        return False
    if settings.is_excluded(path):
        return False
    return not (ignores is not None and ignores.ignored(path.resolve(), True, root))

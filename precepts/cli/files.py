"""Which files a ``precepts check`` run covers.

Directories are walked without following symbolic links; well-known tool and build
directories are skipped, as are paths matched by ``exclude`` in the configuration that
governs them and by ``.gitignore`` files. A file named explicitly on the command line is
always checked, as ruff does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pathspec

from precepts.config import Settings

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


def discover(
    paths: list[Path], settings_for: Callable[[Path], Settings], respect_gitignore: bool = True
) -> Iterator[Path]:
    """Yield the Python files to check under ``paths``, each once, in a stable order.

    Args:
        paths: Files and directories from the command line.
        settings_for: Returns the :class:`Settings` governing a path.
        respect_gitignore: Whether ``.gitignore`` files are honoured.

    Yields:
        File paths.
    """
    seen: set[Path] = set()
    ignores = GitIgnores()
    for given in paths:
        if given.is_file():
            resolved = given.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield given
            continue
        for found in _walk(given, settings_for, ignores if respect_gitignore else None):
            resolved = found.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield found


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
            if not name.endswith(PYTHON_SUFFIXES):
                continue
            path = here / name
            if settings.is_excluded(path):
                continue
            if ignores is not None and ignores.ignored(path.resolve(), False, absolute_root):
                continue
            yield path


def _keep_directory(
    path: Path, name: str, settings: Settings, ignores: GitIgnores | None, root: Path
) -> bool:
    if name in ALWAYS_SKIPPED or name.endswith(".egg-info") or path.is_symlink():
        return False
    if settings.is_excluded(path):
        return False
    return not (ignores is not None and ignores.ignored(path.resolve(), True, root))

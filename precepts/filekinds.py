"""What kind of file a path names: Python, a configuration file the file rules read, or other.

precepts checks Python, and a few configuration files that its file rules
(:class:`precepts.filerule.FileRule`) read: ``pyproject.toml`` (TOML), ``setup.cfg`` and
``.coveragerc`` (INI). Every other file is none of its business. The kind decides which
rules run on a file, and what a fixed text must still parse as before it is written:
Python by the engine's judge (:mod:`precepts.syntax`), TOML by ``tomllib``, INI by
``configparser``.
"""

from __future__ import annotations

import configparser
import re
import sys
from enum import Enum
from pathlib import PurePath

from precepts import syntax

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class FileKind(str, Enum):
    """How precepts reads a file."""

    PYTHON = "python"
    TOML = "toml"
    INI = "ini"
    OTHER = "other"


# The configuration files file rules read, by exact name, with the syntax of each.
CONFIG_FILES: dict[str, FileKind] = {
    "pyproject.toml": FileKind.TOML,
    "setup.cfg": FileKind.INI,
    ".coveragerc": FileKind.INI,
}
PYTHON_SUFFIXES = (".py", ".pyi")
# `#!/usr/bin/env python3`, `#!/usr/bin/python3.12`, `#!/usr/bin/env -S python -u`,
# `#!/opt/venv/bin/pypy3`: an interpreter whose name is python or pypy, any version.
_SHEBANG = re.compile(r"^#!.*?(?:^|[/\s])(?:python|pypy)(?:\d+(?:\.\d+)*)?(?:\s|$)")


def config_kind(path: str | PurePath) -> FileKind | None:
    """Return the syntax of a configuration file that file rules read, by its name.

    Args:
        path: A file path.

    Returns:
        TOML or INI for ``pyproject.toml``, ``setup.cfg``, ``.coveragerc``; None otherwise.
    """
    return CONFIG_FILES.get(PurePath(path).name)


def has_python_shebang(text: str) -> bool:
    """Tell whether a text starts with a ``#!`` line that runs a Python interpreter.

    Args:
        text: The file's text (only its first line is read).

    Returns:
        True for ``#!/usr/bin/env python3`` and the like.
    """
    first = text.split("\n", 1)[0].rstrip("\r")
    return bool(_SHEBANG.match(first))


def kind_of_name(path: str | PurePath, head: str | None = None) -> FileKind:
    """Classify a file named explicitly (on the command line or by ``--stdin-filename``).

    Args:
        path: Its path.
        head: The start of its text, read only for a name without a suffix (a script:
            Python when its shebang runs Python). None: such a file is not Python.

    Returns:
        Its kind; the configuration's ``extend-include`` is not consulted here
        (see :meth:`precepts.config.Settings.is_included`).
    """
    pure = PurePath(path)
    kind = config_kind(pure)
    if kind is not None:
        return kind
    if pure.suffix in PYTHON_SUFFIXES:
        return FileKind.PYTHON
    if not pure.suffix and head is not None and has_python_shebang(head):
        return FileKind.PYTHON
    return FileKind.OTHER


def parse_error(kind: FileKind, text: str) -> str | None:
    """Say why ``text`` does not parse as ``kind`` (None when it does).

    Args:
        kind: The kind the file was read as.
        text: Its (fixed) text.

    Returns:
        The reason, or None when the text parses.
    """
    if kind is FileKind.PYTHON:
        return None if syntax.parses(text) else "it is not valid Python"
    if kind is FileKind.TOML:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            return f"it is not valid TOML ({error})"
        return None
    if kind is FileKind.INI:
        return ini_error(text)
    return "precepts does not write to files that are not Python or its configuration files"


def ini_error(text: str) -> str | None:
    """Say why ``text`` does not load with ``configparser`` (None when it does).

    Args:
        text: An INI text (``setup.cfg``, ``.coveragerc``).

    Returns:
        The reason, or None.
    """
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"it is not valid INI ({first})"
    return None


def parses_as(kind: FileKind, text: str) -> bool:
    """Tell whether ``text`` parses as ``kind``.

    Args:
        kind: The file's kind.
        text: Its text.

    Returns:
        True when it parses (never for :attr:`FileKind.OTHER`).
    """
    return parse_error(kind, text) is None

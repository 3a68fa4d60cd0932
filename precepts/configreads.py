"""Where a project reads its configuration: the workspace-level facts behind BP608.

BP608 (settings-without-basesettings) concludes over many modules: configuration read
with ``os.getenv`` calls scattered across modules, instead of through one settings
module. Its findings sit on the calls of one file, but whether they are findings depends
on the other files: is there a settings module (a ``BaseSettings`` subclass, or a module
the others import their settings from), and how many modules read the environment?

The facts come from a *text scan* of each file (regular expressions over imports,
class headers and environment reads), not from a parse: the scan covers every file of
a workspace and must cost little, and it only decides whether a project's reads are
scattered. The findings themselves come from the parsed file being checked.

Who provides the files:

* the CLI scans the files it checks before checking them, and hands the result to each
  file's check (:attr:`ConfigIndex.scope`);
* the language server scans the workspace's files on a worker thread, lazily (on the
  first question) and again after a save; a question asked meanwhile gets the last
  answer (None before the first), and the server re-checks the open documents when an
  answer arrives (:meth:`ConfigIndex.serve`);
* a plain check of one text (tests, ``check_text``) has neither: the rule then concludes
  over that one file.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from precepts.context import is_test_path

# Variables of the operating system or the tool chain, not of a service's configuration.
SYSTEM_VARIABLES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "USERNAME",
        "USERPROFILE",
        "LOGNAME",
        "SHELL",
        "TERM",
        "TMPDIR",
        "TEMP",
        "TMP",
        "PWD",
        "LANG",
        "TZ",
        "PYTHONPATH",
        "PYTHONHASHSEED",
        "PYTHONUNBUFFERED",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CI",
        "COLUMNS",
        "LINES",
        "NO_COLOR",
        "FORCE_COLOR",
        "APPDATA",
        "LOCALAPPDATA",
        "PROGRAMFILES",
        "SYSTEMROOT",
        "COMSPEC",
        "DISPLAY",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "HOSTNAME",
        "PYTEST_CURRENT_TEST",
    }
)
_SYSTEM_PREFIXES = ("LC_", "XDG_", "PYTHON", "GITHUB_", "RUNNER_")
_MAX_BYTES = 2_000_000  # larger files are data, not settings

# ``getenv("X"`` / ``environ.get("X"`` / ``environ["X"]`` not followed by ``=`` (a write).
_READ = re.compile(
    r"""\b(?:getenv\s*\(|environ\s*\.\s*get\s*\(|environ\s*\[)\s*(?P<key>["'][^"'\n]*["'])?"""
)
_WRITE_AFTER = re.compile(r"""["'][^"'\n]*["']\s*\]\s*=(?!=)""")
_CLASS = re.compile(r"(?m)^[ \t]*class\s+\w+\s*\((?P<bases>[^)]*)\)")
_TOP_ENV_BINDING = re.compile(
    r"(?m)^[A-Za-z_]\w*\s*(?::[^=\n]*)?=(?!=)[^\n]*\b(?:getenv|environ)\b"
)
_FROM_IMPORT = re.compile(
    r"(?m)^[ \t]*from\s+(?P<module>\.*[\w.]*)\s+import\s+(?P<names>\([^)]*\)|[^\n#]*)"
)
_IMPORT = re.compile(r"(?m)^[ \t]*import\s+(?P<modules>[^\n#]+)")


def is_system_variable(name: str) -> bool:
    """Tell whether an environment variable belongs to the system, not the service.

    Args:
        name: The variable's name.

    Returns:
        True for ``PATH``, ``HOME``, ``LC_*``, ``XDG_*`` and the like.
    """
    return name in SYSTEM_VARIABLES or name.startswith(_SYSTEM_PREFIXES)


@dataclass(frozen=True)
class FileScan:
    """What the text of one file says about its configuration.

    Attributes:
        reads: How many configuration variables it reads from the environment.
        settings_class: True when it defines a settings class (a base named ``...Settings``).
        env_bindings: True when it binds top-level names from the environment.
        imports: ``(module, names)`` per ``from module import names``, ``(module, ())``
            per ``import module``; relative modules keep their dots.
    """

    reads: int
    settings_class: bool
    env_bindings: bool
    imports: tuple[tuple[str, tuple[str, ...]], ...]


def scan_text(text: str) -> FileScan:
    """Scan one file's text.

    Args:
        text: The source.

    Returns:
        Its configuration facts.
    """
    reads = 0
    for match in _READ.finditer(text):
        key = match.group("key")
        if key is not None and is_system_variable(key[1:-1]):
            continue
        if key is not None and _WRITE_AFTER.match(text, match.start("key")):
            continue
        reads += 1
    settings = any(
        base.strip().rsplit(".", 1)[-1].endswith("Settings")
        for match in _CLASS.finditer(text)
        for base in match.group("bases").split(",")
    )
    imports: list[tuple[str, tuple[str, ...]]] = []
    for match in _FROM_IMPORT.finditer(text):
        names = match.group("names").strip("() \t\n\\")
        found = (part.split(" as ")[0].strip() for part in names.replace("\n", " ").split(","))
        imports.append((match.group("module"), tuple(n for n in found if n)))
    for match in _IMPORT.finditer(text):
        for part in match.group("modules").split(","):
            module = part.split(" as ")[0].strip()
            if module:
                imports.append((module, ()))
    return FileScan(reads, settings, bool(_TOP_ENV_BINDING.search(text)), tuple(imports))


@dataclass(frozen=True)
class ConfigSpread:
    """Where a set of files reads configuration.

    Attributes:
        settings_modules: Resolved paths of the settings modules: those defining a
            settings class, and those binding names from the environment that another
            file imports.
        reading_modules: Resolved paths of the other (non-test) files that read
            configuration from the environment.
    """

    settings_modules: frozenset[str]
    reading_modules: frozenset[str]


def _dotted_suffixes(path: Path) -> list[str]:
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    parts = [part for part in parts if part.isidentifier()]
    return [".".join(parts[index:]) for index in range(len(parts))]


def _imported_targets(path: Path, scan: FileScan) -> Iterable[str | Path]:
    """Yield what a file imports: dotted names (absolute) or paths (relative imports)."""
    for module, names in scan.imports:
        stripped = module.lstrip(".")
        dots = len(module) - len(stripped)
        if dots:
            base = path.parent
            for _ in range(dots - 1):
                base = base.parent
            target = base.joinpath(*stripped.split(".")) if stripped else base
            yield target
            for name in names:
                yield target / name
            continue
        yield stripped
        for name in names:
            yield f"{stripped}.{name}"


def spread_of(files: Iterable[Path]) -> ConfigSpread:
    """Scan files and conclude where they read configuration.

    Args:
        files: The files (unreadable ones are skipped).

    Returns:
        The settings modules and the other modules reading the environment.
    """
    scans: dict[Path, FileScan] = {}
    for path in files:
        text = _read(path)
        if text is not None:
            scans[path.resolve()] = scan_text(text)
    settings = {path for path, scan in scans.items() if scan.settings_class}
    settings |= _imported_bindings(scans)
    reading = {
        path
        for path, scan in scans.items()
        if scan.reads and path not in settings and not is_test_path(str(path))
    }
    return ConfigSpread(frozenset(map(str, settings)), frozenset(map(str, reading)))


def _imported_bindings(scans: dict[Path, FileScan]) -> set[Path]:
    """Return the modules binding names from the environment that another file imports.

    Such a module is the project's settings module, written without a settings class.
    Imports are matched by dotted name (``app.config`` is ``.../app/config.py``) or, for
    relative imports, by path.
    """
    by_name: dict[str, set[Path]] = {}
    by_path: dict[Path, Path] = {}
    for path in (p for p, scan in scans.items() if scan.env_bindings and not scan.settings_class):
        for suffix in _dotted_suffixes(path):
            by_name.setdefault(suffix, set()).add(path)
        stem = path.with_suffix("")
        by_path[stem.parent if stem.name == "__init__" else stem] = path
    imported: set[Path] = set()
    if by_name:
        for path, scan in scans.items():
            for target in _imported_targets(path, scan):
                imported.update(_resolve(target, by_name, by_path) - {path})
    return imported


def _resolve(
    target: str | Path, by_name: dict[str, set[Path]], by_path: dict[Path, Path]
) -> set[Path]:
    """Return the candidate modules an import target may be."""
    if isinstance(target, Path):
        return {by_path[target]} if target in by_path else set()
    return by_name.get(target, set())


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


class ConfigIndex:
    """The configuration facts of the files being checked, wherever they come from."""

    def __init__(self) -> None:
        """Start with no files known (a plain check concludes over its one file)."""
        self._lock = threading.Lock()
        #: Set by the CLI: the facts of the files it checks.
        self.scope: ConfigSpread | None = None
        self._lister: Callable[[], list[Path]] | None = None
        self._on_answer: Callable[[], None] | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._answer: ConfigSpread | None = None
        self._stale = True
        self._running = False

    @property
    def serving(self) -> bool:
        """True in the language server (answers come from the workspace scan)."""
        return self._lister is not None

    def serve(self, lister: Callable[[], list[Path]], on_answer: Callable[[], None]) -> None:
        """Answer from the workspace's files, scanned on a worker thread.

        Args:
            lister: Returns the workspace's Python files (called on the worker thread).
            on_answer: Called on the worker thread after each new answer.
        """
        with self._lock:
            self._lister, self._on_answer = lister, on_answer
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="precepts-config")
            self._stale = True

    def close(self) -> None:
        """Stop serving (pending scans are dropped)."""
        with self._lock:
            worker, self._worker = self._worker, None
            self._lister = self._on_answer = None
        if worker is not None:
            worker.shutdown(wait=False, cancel_futures=True)

    def invalidate(self) -> None:
        """Note that files changed: the next question starts a new scan."""
        with self._lock:
            self._stale = True

    def spread(self) -> ConfigSpread | None:
        """Return the facts to conclude with, never waiting for a scan.

        Returns:
            The CLI's scope, or the server's last answer (None before the first one, or
            outside both, where the caller concludes over its own file).
        """
        if self.scope is not None:
            return self.scope
        with self._lock:
            if self._worker is not None and self._stale and not self._running:
                self._stale, self._running = False, True
                self._worker.submit(self._scan)
            return self._answer

    def _scan(self) -> None:
        lister = self._lister
        try:
            answer = spread_of(lister()) if lister is not None else None
        finally:
            with self._lock:
                self._running = False
        with self._lock:
            changed = answer != self._answer
            self._answer = answer
            callback = self._on_answer
        if changed and callback is not None:
            callback()


_default = ConfigIndex()


def default_index() -> ConfigIndex:
    """Return the process-wide index.

    Returns:
        The shared :class:`ConfigIndex`.
    """
    return _default

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
from precepts.filekinds import CONFIG_FILES

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
# Prefixes of variables set by CI providers, runtimes and other tools' own conventions.
_SYSTEM_PREFIXES = (
    "LC_",
    "XDG_",
    "PYTHON",
    "CI_",
    "GITHUB_",
    "RUNNER_",
    "GITLAB_",
    "BITBUCKET_",
    "CIRCLE",
    "TRAVIS",
    "JENKINS_",
    "BUILDKITE",
    "BUILD_",
    "KUBERNETES_",
    "AWS_LAMBDA_",
    "LD_",
    "OTEL_",
    # Machine-learning libraries' caches and devices.
    "HF_",
    "TRANSFORMERS_",
    "SENTENCE_TRANSFORMERS_",
    "TORCH_",
    "CUDA_",
    "NVIDIA_",
    "OMP_",
    "TOKENIZERS_",
    # Agents and servers reading their own variables (Datadog, uvicorn, gunicorn).
    "DD_",
    "UVICORN_",
    "GUNICORN_",
    "WEB_CONCURRENCY",
)
# Module names (a file's stem, or a package on its path) that say "the settings module".
_SETTINGS_NAMES = frozenset(
    {"settings", "config", "configs", "conf", "configuration", "env", "environment", "envs"}
)
_MAX_BYTES = 2_000_000  # larger files are data, not settings

# ``getenv("X"`` / ``environ.get("X"`` / ``environ["X"]`` not followed by ``=`` (a write).
_READ = re.compile(
    r"""\b(?:getenv\s*\(|environ\s*\.\s*get\s*\(|environ\s*\[)\s*(?P<key>["'][^"'\n]*["'])?"""
)
_WRITE_AFTER = re.compile(r"""["'][^"'\n]*["']\s*\]\s*=(?!=)""")
# A variable the project sets itself: ``environ["X"] = ...``, ``environ.setdefault("X"``,
# ``putenv("X"``, or a key of a literal dict (``env={"X": ...}`` handed to a child).
_WRITTEN = re.compile(
    r"""environ\s*\[\s*["'](?P<a>[A-Za-z_][\w]*)["']\s*\]\s*=(?!=)"""
    r"""|(?:setdefault|putenv)\s*\(\s*["'](?P<b>[A-Za-z_][\w]*)["']"""
    r"""|["'](?P<c>[A-Z_][A-Z0-9_]*)["']\s*:(?!\s*[\]\)])"""
)
_CLASS = re.compile(r"(?m)^[ \t]*class\s+\w+\s*\((?P<bases>[^)]*)\)")
_TOP_ENV_BINDING = re.compile(
    r"(?m)^(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=)[^\n]*\b(?:getenv|environ)\b"
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
    return (
        name in SYSTEM_VARIABLES
        or name.startswith(_SYSTEM_PREFIXES)
        or name.startswith("_")  # private: a parent process passing context to a child
        or name.startswith("IS_")  # a fact about where it runs (IS_K8S_POD), not a setting
        or "_IS_" in name
        or name == "DO_NOT_TRACK"
    )


def is_settings_path(path: str | Path) -> bool:
    """Tell whether a file's name says it is a settings module.

    ``settings.py``, ``config.py``, ``app_config.py``, ``env.py`` or any module of a
    ``settings``/``config``/``configuration`` package.

    Args:
        path: The file.

    Returns:
        True for a settings module by name.
    """
    parts = Path(path).with_suffix("").parts
    if not parts:
        return False
    stem = parts[-1].lower()
    last = stem.rsplit("_", 1)[-1]
    packages = {part.lower() for part in parts[-4:-1]}
    return stem in _SETTINGS_NAMES or last in _SETTINGS_NAMES or bool(packages & _SETTINGS_NAMES)


@dataclass(frozen=True)
class FileScan:
    """What the text of one file says about its configuration.

    Attributes:
        reads: How many configuration variables it reads from the environment.
        settings_class: True when it defines a settings class (a base named ``...Settings``).
        env_bindings: The top-level names it binds from the environment.
        imports: ``(module, names)`` per ``from module import names``, ``(module, ())``
            per ``import module``; relative modules keep their dots.
        written: Environment variables it sets (for a child process, or itself).
    """

    reads: int
    settings_class: bool
    env_bindings: frozenset[str]
    imports: tuple[tuple[str, tuple[str, ...]], ...]
    written: frozenset[str] = frozenset()


def scan_text(text: str) -> FileScan:
    """Scan one file's text.

    Args:
        text: The source.

    Returns:
        Its configuration facts.
    """
    # Most files never touch the environment: two substring tests spare the regexes.
    touches = "environ" in text or "getenv" in text or "putenv" in text
    reads = _count_reads(text) if touches else 0
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
    bindings: frozenset[str] = frozenset()
    written: frozenset[str] = frozenset()
    if touches:
        bindings = frozenset(m.group("name") for m in _TOP_ENV_BINDING.finditer(text))
    if touches or "env" in text:  # ``env={"X": ...}`` handed to a child process
        written = frozenset(
            next(name for name in match.groups() if name) for match in _WRITTEN.finditer(text)
        )
    return FileScan(reads, settings, bindings, tuple(imports), written)


def _count_reads(text: str) -> int:
    reads = 0
    for match in _READ.finditer(text):
        key = match.group("key")
        # Only reads of a named variable are configuration (a computed key is machinery:
        # templating, saving and restoring the environment, a secrets backend).
        if key is None or is_system_variable(key[1:-1]):
            continue
        if not _WRITE_AFTER.match(text, match.start("key")):
            reads += 1
    return reads


@dataclass(frozen=True)
class ConfigSpread:
    """Where a set of files reads configuration.

    Attributes:
        settings_modules: Resolved paths of the settings modules: those defining a
            settings class or named so (:func:`is_settings_path`), and those binding names
            from the environment that another file imports.
        reading_modules: Resolved paths of the other (non-test) files that read
            configuration from the environment.
        primary: The settings module to point the others to, if there is one.
        written: Variables the files set themselves: context a process hands to its
            children (a run's id), not configuration.
    """

    settings_modules: frozenset[str]
    reading_modules: frozenset[str]
    primary: str | None = None
    written: frozenset[str] = frozenset()


def _dotted_suffixes(path: Path) -> list[str]:
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    parts = [part for part in parts if part.isidentifier()]
    return [".".join(parts[index:]) for index in range(len(parts))]


def _module_key(path: Path, module: str) -> str | Path:
    """Turn an imported module into a lookup key: a dotted name, or a path when relative."""
    stripped = module.lstrip(".")
    dots = len(module) - len(stripped)
    if not dots:
        return stripped
    base = path.parent
    for _ in range(dots - 1):
        base = base.parent
    return base.joinpath(*stripped.split(".")) if stripped else base


def spread_of(files: Iterable[Path]) -> ConfigSpread:
    """Scan files and conclude where they read configuration.

    Args:
        files: The files (unreadable ones are skipped).

    Returns:
        The settings modules and the other modules reading the environment.
    """
    scans: dict[Path, FileScan] = {}
    for path in files:
        if path.name in CONFIG_FILES:
            continue  # a configuration file found beside the code: not Python
        text = _read(path)
        if text is not None:
            scans[path.resolve()] = scan_text(text)
    declared = {p for p, scan in scans.items() if scan.settings_class or is_settings_path(p)}
    imported = _imported_bindings(scans)
    settings = declared | set(imported)
    reading = {
        path
        for path, scan in scans.items()
        if scan.reads and path not in settings and not is_test_path(str(path))
    }

    # The module to point to: one named as the settings module (the top-level one first),
    # one defining a settings class, or the one most imported from.
    def rank(path: Path) -> tuple[bool, bool, int, str]:
        named, defines = is_settings_path(path), scans[path].settings_class
        return (not (named and defines), not named, len(path.parts), str(path))

    ranked = sorted(declared, key=rank)
    ranked += sorted(imported, key=lambda p: (-imported[p], str(p)))
    primary = str(ranked[0]) if ranked else None
    written = frozenset().union(*(scan.written for scan in scans.values()))
    return ConfigSpread(
        frozenset(map(str, settings)), frozenset(map(str, reading)), primary, written
    )


def _imported_bindings(scans: dict[Path, FileScan]) -> dict[Path, int]:
    """Return the modules whose environment-bound names other files import, and how often.

    Such a module (``DATABASE_URL = os.getenv(...)`` that others import with ``from
    app.config import DATABASE_URL``) is the project's settings module, written without
    a settings class. Imports are matched by dotted name (``app.config`` is
    ``.../app/config.py``) or, for relative imports, by path.
    """
    lookup = _BindingModules(scans)
    counts: dict[Path, int] = {}
    if not lookup.by_name:
        return counts
    for path, scan in scans.items():
        for module, names in scan.imports:
            for target in lookup.find(path, module) - {path}:
                if scans[target].env_bindings.intersection(names):
                    counts[target] = counts.get(target, 0) + 1
    return counts


class _BindingModules:
    """The modules binding names from the environment, by dotted name and by path."""

    def __init__(self, scans: dict[Path, FileScan]) -> None:
        self.by_name: dict[str, set[Path]] = {}
        self.by_path: dict[Path, Path] = {}
        for path in (p for p, scan in scans.items() if scan.env_bindings):
            for suffix in _dotted_suffixes(path):
                self.by_name.setdefault(suffix, set()).add(path)
            stem = path.with_suffix("")
            self.by_path[stem.parent if stem.name == "__init__" else stem] = path

    def find(self, importer: Path, module: str) -> set[Path]:
        """Return the modules an import in ``importer`` may refer to."""
        key = _module_key(importer, module)
        if isinstance(key, Path):
            return {self.by_path[key]} if key in self.by_path else set()
        return self.by_name.get(key, set())


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
        self._asked = False

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
        """Note that files changed: scan again (at once if a question was ever asked).

        Before the first question nothing is scanned: the workspace is scanned only for
        a server whose files BP608 checks.
        """
        with self._lock:
            self._stale = True
            if self._asked:
                self._start()

    def _start(self) -> None:
        """Start a scan unless one is running (the lock is held)."""
        if self._worker is not None and self._stale and not self._running:
            self._stale, self._running = False, True
            self._worker.submit(self._scan)

    def spread(self) -> ConfigSpread | None:
        """Return the facts to conclude with, never waiting for a scan.

        Returns:
            The CLI's scope, or the server's last answer (None before the first one, or
            outside both, where the caller concludes over its own file).
        """
        if self.scope is not None:
            return self.scope
        with self._lock:
            self._asked = True
            self._start()
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
            self._start()  # files changed during the scan: once more
        if changed and callback is not None:
            callback()


_default = ConfigIndex()


def default_index() -> ConfigIndex:
    """Return the process-wide index.

    Returns:
        The shared :class:`ConfigIndex`.
    """
    return _default

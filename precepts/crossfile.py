"""Facts about classes defined in other modules of the workspace, found with jedi.

Some rules must know what an imported name is (``from app.models import User``: is
``User`` a SQLAlchemy model, and is it typed with ``Mapped[...]``?). This module answers
with jedi, which reads source with parso and never imports or executes project code
(``load_unsafe_extensions=False`` also keeps it from loading the project's compiled
extensions). It is a small service independent of rules, shared by the engine's rules
and the language server:

* one ``jedi.Project`` per project root (the nearest directory above the file holding
  ``pyproject.toml`` or ``.git``);
* answers are cached per file and modification time: jedi's answer per importing file,
  the parsed defining module per defining file, so a warm lookup costs two dictionary
  accesses and an edit of either file is seen;
* jedi is not thread-safe, so every call into it holds one lock;
* it is lazy: nothing is imported or computed until a rule asks, and rules ask only
  when a name used like a model cannot be decided from the module itself;
* in the language server it is *deferred* (:meth:`CrossFile.defer`): a question not
  answered yet returns the last known answer (or None) at once and is answered on one
  worker thread, so jedi never runs on the keystroke path; when an answer arrives,
  :attr:`CrossFile.generation` grows and the server re-checks what asked.
"""

from __future__ import annotations

import contextlib
import pickle
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst

from precepts.facts import ModuleFacts, compute_facts, dotted_name, is_typed_model

if TYPE_CHECKING:
    import jedi

_ROOT_MARKERS = ("pyproject.toml", ".git")
_MAX_DEPTH = 6  # base-class chains followed across modules


@dataclass(frozen=True)
class ClassInfo:
    """What is known about a class defined in a project module.

    Attributes:
        name: The class name where it is defined.
        path: The file that defines it.
        line: Its 1-based line there.
        is_model: True for a SQLAlchemy mapped class.
        typed: True when the model declares its columns with ``Mapped[...]`` /
            ``mapped_column`` (static type checkers then see real types).
        is_declarative_base: True for a declarative base (``Base``) rather than a model.
    """

    name: str
    path: Path
    line: int
    is_model: bool
    typed: bool
    is_declarative_base: bool = False


@dataclass(frozen=True)
class FunctionInfo:
    """What is known about a function defined in a project module.

    Attributes:
        name: The function name where it is defined.
        path: The file that defines it.
        line: Its 1-based line there.
        returns: The code of its return annotation (``Dict[str, Any]``), or None.
    """

    name: str
    path: Path
    line: int
    returns: str | None


@dataclass(frozen=True)
class Parsed:
    """A module read from disk.

    Attributes:
        facts: Its module facts.
        module: Its libcst tree.
        text: Its source text.
    """

    facts: ModuleFacts
    module: cst.Module
    text: str


# What jedi and parso raise on odd code or a damaged cache (besides jedi.InternalError,
# which needs jedi imported); an EOFError / UnpicklingError comes from parso's on-disk
# cache when another process is half-way through writing the same entry.
_JEDI_FAILURES: tuple[type[Exception], ...] = (
    AttributeError,
    EOFError,
    LookupError,
    OSError,
    RecursionError,
    TypeError,
    ValueError,
    pickle.UnpicklingError,
)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def split_qualified(qualified: str) -> tuple[str, str] | None:
    """Split ``pkg.mod.Name`` / ``.mod.Name`` / ``..Name`` into module and name.

    Args:
        qualified: A qualified name as :attr:`precepts.facts.ModuleFacts.imports` gives it.

    Returns:
        ``(module, name)`` ready for ``from module import name``, or None.
    """
    stripped = qualified.lstrip(".")
    dots = qualified[: len(qualified) - len(stripped)]
    if "." in stripped:
        module, _, name = stripped.rpartition(".")
        return f"{dots}{module}", name
    if dots:
        # ``from . import User`` is recorded as ``..User``: the last dot is the separator.
        return dots[:-1] or ".", stripped
    return None


class CrossFile:
    """Finds class definitions across the project with jedi, lazily and cached."""

    def __init__(self) -> None:
        """Create an empty service (nothing is loaded until the first question)."""
        self._lock = threading.RLock()
        self._projects: dict[Path, jedi.Project] = {}
        self._roots: dict[Path, Path | None] = {}
        self._packages: dict[tuple[Path, str], bool] = {}
        self._facts: dict[tuple[Path, int], Parsed | None] = {}
        self._gotos: dict[tuple[Path, int, str], tuple[Path, str] | None] = {}
        # Deferred mode (the language server): the last answer per question, questions
        # being answered, and who to tell when an answer arrives.
        self._latest: dict[object, object] = {}
        self._keys: dict[object, object] = {}  # question → the key of its kept answer
        self._pending: set[object] = set()
        self._on_answer: Callable[[], None] | None = None
        self._worker: ThreadPoolExecutor | None = None
        #: Grows whenever a deferred answer arrives (cached findings that asked go stale).
        self.generation = 0
        #: Called whenever a rule asks something (the server notes which statements ask).
        self.observer: Callable[[], None] | None = None
        # The files whose content answers depended on, while :meth:`recording`.
        self._reads: set[Path] | None = None

    # -- deferred mode ----------------------------------------------------------------

    def defer(self, on_answer: Callable[[], None]) -> None:
        """Never block the caller: answer unknown questions on a worker thread.

        Args:
            on_answer: Called (on the worker thread) after each answer arrives.
        """
        with self._lock:
            self._on_answer = on_answer
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="precepts-jedi")

    def close(self) -> None:
        """Stop the worker thread (pending questions are dropped)."""
        with self._lock:
            worker, self._worker, self._on_answer = self._worker, None, None
        if worker is not None:
            worker.shutdown(wait=False, cancel_futures=True)

    def _cached(
        self,
        cache: dict,  # type: ignore[type-arg]
        key: object,
        latest: object,
        compute: Callable[[], object],
    ) -> object:
        """Return a cached answer, computing it now or (deferred) on the worker thread."""
        with self._lock:
            if key in cache:
                return cache[key]
            worker = self._worker
            if worker is not None:
                if key not in self._pending:
                    self._pending.add(key)
                    worker.submit(self._answer, cache, key, latest, compute)
                return self._latest.get(latest)
        value = compute()
        with self._lock:
            self._store(cache, key, latest, value)
        return value

    def _store(
        self,
        cache: dict,  # type: ignore[type-arg]
        key: object,
        latest: object,
        value: object,
    ) -> None:
        """Keep one answer per question: a file's older versions leave (under the lock).

        Keys carry the file's modification time, so without this every save would add an
        entry (a whole parsed module for ``module_facts``) for the life of the server.
        """
        previous = self._keys.get(latest)
        if previous is not None and previous != key:
            cache.pop(previous, None)
        self._keys[latest] = key
        cache[key] = value
        self._latest[latest] = value

    def _answer(
        self,
        cache: dict,  # type: ignore[type-arg]
        key: object,
        latest: object,
        compute: Callable[[], object],
    ) -> None:
        try:
            value = compute()
        except Exception:  # a question that cannot be answered is answered with None
            value = None
        with self._lock:
            self._store(cache, key, latest, value)
            self._pending.discard(key)
            self.generation += 1
            callback = self._on_answer
        if callback is not None:
            callback()

    def _observed(self) -> None:
        observer = self.observer
        if observer is not None:
            observer()

    @contextlib.contextmanager
    def recording(self) -> Iterator[set[Path]]:
        """Collect the files whose content the answers given meanwhile depend on.

        The command line's result cache keys a file's findings by these files too, so an
        edit of a model's module re-checks the modules that import it. A module that
        does not exist is collected as well: creating it can change an answer.

        Yields:
            The set that fills up until the block ends.
        """
        reads: set[Path] = set()
        with self._lock:
            previous, self._reads = self._reads, reads
        try:
            yield reads
        finally:
            with self._lock:
                self._reads = previous

    def _note_read(self, *paths: Path) -> None:
        with self._lock:
            if self._reads is not None:
                self._reads.update(paths)

    # -- project layout -------------------------------------------------------------

    def project_root(self, path: str | Path) -> Path | None:
        """Return the nearest directory above ``path`` with ``pyproject.toml`` or ``.git``.

        Args:
            path: A file of the project (it need not exist yet).

        Returns:
            The root, or None outside any project.
        """
        start = Path(path).resolve().parent
        with self._lock:
            if start in self._roots:
                return self._roots[start]
            found = None
            for directory in (start, *start.parents):
                if any((directory / marker).exists() for marker in _ROOT_MARKERS):
                    found = directory
                    break
            self._roots[start] = found
            return found

    def is_project_module(self, path: str | Path, qualified: str) -> bool:
        """Tell whether an import target is a module of the project (not a library).

        Relative imports always are; an absolute one is when its top package is a
        directory or module at the project root, under ``src/``, or beside the file.

        Args:
            path: The importing file.
            qualified: The imported name (``app.models.User``, ``.models.User``).

        Returns:
            True for a project module.
        """
        if qualified.startswith("."):
            return True
        root = self.project_root(path)
        if root is None:
            return False
        top = qualified.split(".", 1)[0]
        key = (root, top)
        with self._lock:
            cached = self._packages.get(key)
        if cached is not None:
            return cached
        here = Path(path).resolve().parent
        places = (root, root / "src", here)
        found = any((p / top).is_dir() or (p / f"{top}.py").is_file() for p in places)
        with self._lock:
            self._packages[key] = found
        return found

    def _project(self, root: Path) -> jedi.Project:
        import jedi  # lazy: jedi costs ~0.1 s to import

        project = self._projects.get(root)
        if project is None:
            extra = [str(root / "src")] if (root / "src").is_dir() else []
            project = jedi.Project(root, added_sys_path=extra, load_unsafe_extensions=False)
            self._projects[root] = project
        return project

    # -- parsed modules -------------------------------------------------------------

    def module_facts(self, path: Path) -> Parsed | None:
        """Parse a module from disk (cached per modification time) and compute its facts.

        Args:
            path: A Python file.

        Returns:
            Its facts, tree and text, or None when it cannot be read or parsed.
        """
        self._note_read(path)
        key = (path, _mtime(path))
        return self._cached(  # type: ignore[return-value]
            self._facts, key, ("facts", path), lambda: self._parse_module(path)
        )

    @staticmethod
    def _parse_module(path: Path) -> Parsed | None:
        try:
            text = path.read_bytes().decode("utf-8")
            module = cst.parse_module(text)
        except (OSError, cst.ParserSyntaxError, UnicodeDecodeError, RecursionError):
            return None
        return Parsed(compute_facts(module), module, text)

    # -- classes --------------------------------------------------------------------

    def find_class(
        self, path: str | Path, name: str, qualified: str | None = None, _depth: int = 0
    ) -> ClassInfo | None:
        """Find the class that ``name`` refers to in the module at ``path``.

        Args:
            path: The file that uses the name.
            name: The name as used there (``User``).
            qualified: What the name is imported as (``app.models.User``); read from the
                file on disk when omitted.
            _depth: Recursion guard for base classes in other modules.

        Returns:
            The class info, or None when the name is not a class of the project.
        """
        if _depth == 0:
            self._observed()
        path = Path(path).resolve()
        if qualified is None:
            parsed = self.module_facts(path)
            if parsed is None:
                return None
            facts = parsed.facts
            local = _local_class(path, parsed, name)
            if local is not None or name not in facts.imports:
                return local
            qualified = facts.imports[name]
        if not self.is_project_module(path, qualified) or _depth >= _MAX_DEPTH:
            return None
        definition = self._goto(path, qualified)
        if definition is None:
            return None
        # Described afresh each time from the defining module's facts, which are cached
        # per modification time: an edit there is seen without re-asking jedi.
        def_path, def_name = definition
        return self._describe(def_path, def_name, _depth)

    def _goto(
        self, path: Path, qualified: str, kinds: frozenset[str] = frozenset({"class", "statement"})
    ) -> tuple[Path, str] | None:
        if self._reads is not None:
            self._note_read(*self._module_files(path, qualified))
        key = (path, _mtime(path), qualified, kinds)
        return self._cached(  # type: ignore[return-value]
            self._gotos,
            key,
            ("goto", path, qualified, kinds),
            lambda: self._ask_jedi(path, qualified, kinds),
        )

    def _module_files(self, path: Path, qualified: str) -> list[Path]:
        """Return the files that may define the module ``qualified`` names a member of."""
        parts = split_qualified(qualified)
        root = self.project_root(path)
        if parts is None or root is None:
            return []
        module = parts[0]
        stripped = module.lstrip(".")
        dots = len(module) - len(stripped)
        if dots:
            ancestors = (path.parent, *path.parent.parents)
            bases = [ancestors[dots - 1]] if dots <= len(ancestors) else []
        else:
            bases = [root, root / "src", path.parent]
        relative = Path(*stripped.split(".")) if stripped else Path()
        files = []
        for base in bases:
            package = base / relative
            files.append(package / "__init__.py")
            if stripped:
                files.append(package.with_suffix(".py"))
        return files

    def find_function(
        self, path: str | Path, name: str, qualified: str | None = None
    ) -> FunctionInfo | None:
        """Find the function that ``name`` refers to in the module at ``path``.

        This is how a rule learns what a function imported from another module returns
        (``get_current_user`` returning ``Dict[str, Any]``), without running anything.

        Args:
            path: The file that uses the name.
            name: The name as used there.
            qualified: What the name is imported as; read from the file on disk when
                omitted (a function of the same module is then found too).

        Returns:
            The function info, or None when it is not a function of the project.
        """
        self._observed()
        path = Path(path).resolve()
        if qualified is None:
            parsed = self.module_facts(path)
            if parsed is None:
                return None
            local = _local_function(path, parsed, name)
            if local is not None or name not in parsed.facts.imports:
                return local
            qualified = parsed.facts.imports[name]
        if not self.is_project_module(path, qualified):
            return None
        definition = self._goto(path, qualified, frozenset({"function"}))
        if definition is None:
            return None
        def_path, def_name = definition
        parsed = self.module_facts(def_path)
        return None if parsed is None else _local_function(def_path, parsed, def_name)

    def find_binding(self, path: str | Path, qualified: str) -> Parsed | None:
        """Find the project module that defines an imported name, or that is the name.

        ``from app.api import users`` (a module) and ``from app.api.users import router``
        (a value) both lead to ``app/api/users.py``; a rule then reads that module's facts
        (is ``router`` an ``APIRouter``, with which prefix?) without running anything.

        Args:
            path: The importing file.
            qualified: The imported name (``app.api.users``, ``.users.router``).

        Returns:
            The defining module, parsed, or None when it is not a module of the project.
        """
        self._observed()
        path = Path(path).resolve()
        if not self.is_project_module(path, qualified):
            return None
        definition = self._goto(
            path, qualified, frozenset({"statement", "module", "class", "function"})
        )
        return None if definition is None else self.module_facts(definition[0])

    def _ask_jedi(
        self,
        path: Path,
        qualified: str,
        kinds: frozenset[str] = frozenset({"class", "statement"}),
    ) -> tuple[Path, str] | None:
        parts = split_qualified(qualified)
        root = self.project_root(path)
        if parts is None or root is None:
            return None
        module, name = parts
        # A two-line script instead of the real file: the answer does not depend on the
        # editor buffer, and the script is trivial to parse.
        code = f"from {module} import {name}\n{name}\n"
        with self._lock:
            names = self._goto_with_retry(code, path, root)
        if names is None:
            return None
        for found in names:
            module_path = found.module_path
            if module_path is not None and found.type in kinds:
                return Path(module_path), found.name
        return None

    def _goto_with_retry(self, code: str, path: Path, root: Path) -> list[Any] | None:
        """Ask jedi where ``code``'s last line goes, once more if the first attempt fails.

        Args:
            code: The two-line script to ask about.
            path: The file the script pretends to be (for relative imports).
            root: The project root whose ``jedi.Project`` answers.

        Returns:
            jedi's names, or None when jedi could not answer twice in a row.
        """
        import jedi

        for _attempt in range(2):
            try:
                script = jedi.Script(code, path=path, project=self._project(root))
                return list(script.goto(2, 0, follow_imports=True))
            except _JEDI_FAILURES + (jedi.InternalError,):
                # A retry succeeds once the other process has finished writing.
                continue
        return None

    def _describe(self, path: Path, name: str, depth: int) -> ClassInfo | None:
        parsed = self.module_facts(path)
        if parsed is None:
            return None
        facts, module = parsed.facts, parsed.module
        local = _local_class(path, parsed, name)
        if local is None or local.is_model or local.is_declarative_base:
            return local
        # A class whose base is imported (``class User(Base)`` with ``Base`` from
        # another module, or a model subclassing another module's model).
        node = _class_node(module, name)
        if node is None:
            return local
        for arg in node.bases:
            base = dotted_name(arg.value)
            head = base.split(".", 1)[0] if base else ""
            if head not in facts.imports:
                continue
            parent = self.find_class(path, head, facts.qualify(arg.value), depth + 1)
            if parent is not None and (parent.is_model or parent.is_declarative_base):
                typed = is_typed_model(node) or (parent.is_model and parent.typed)
                return ClassInfo(name, path, local.line, True, typed)
        return local

    def clear(self) -> None:
        """Forget every cached answer and project (for tests and workspace changes)."""
        with self._lock:
            self._projects.clear()
            self._roots.clear()
            self._packages.clear()
            self._facts.clear()
            self._gotos.clear()
            self._latest.clear()
            self._keys.clear()
            self._pending.clear()


def _class_node(module: cst.Module, name: str) -> cst.ClassDef | None:
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return statement
    return None


def _local_function(path: Path, parsed: Parsed, name: str) -> FunctionInfo | None:
    for statement in parsed.module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            returns = statement.returns
            annotation = (
                parsed.module.code_for_node(returns.annotation) if returns is not None else None
            )
            line = parsed.text.count("\n", 0, parsed.text.find(f"def {name}")) + 1
            return FunctionInfo(name, path, line, annotation)
    return None


def _line_of(text: str, name: str) -> int:
    """Return the 1-based line of ``class name`` / ``name = ...`` at the top level (0: none)."""
    escaped = re.escape(name)
    match = re.search(rf"(?m)^(?:class\s+{escaped}\b|{escaped}\s*[:=])", text)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def _local_class(path: Path, parsed: Parsed, name: str) -> ClassInfo | None:
    facts, text = parsed.facts, parsed.text
    if name in facts.declarative_bases:
        return ClassInfo(name, path, _line_of(text, name), False, False, True)
    model = facts.models.get(name)
    if model is not None:
        return ClassInfo(name, path, _line_of(text, name), True, model.typed)
    if _class_node(parsed.module, name) is None:
        return None
    return ClassInfo(name, path, _line_of(text, name), False, False)


_default: CrossFile | None = None
_default_lock = threading.Lock()


def default_service() -> CrossFile:
    """Return the process-wide service (created on first use).

    Returns:
        The shared :class:`CrossFile`.
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = CrossFile()
        return _default

"""Facts about a module that several rules need, computed once per module.

The facts come from a shallow scan of the module's top-level statements and class
headers, not from a full traversal, so they cost little: imports and their aliases
(including those under a top-level ``if TYPE_CHECKING:`` or ``try:``), the names bound
at the top level and their last values, which classes are SQLAlchemy models (and
whether they are typed with ``Mapped[...]``/``mapped_column``), the FastAPI apps and
routers, session factories and logger names.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

_DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.ext.declarative.DeclarativeBase",
    }
)
_DECLARATIVE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
        "sqlalchemy.orm.registry.generate_base",
    }
)
_LOGGER_FACTORIES = frozenset(
    {"logging.getLogger", "structlog.get_logger", "structlog.getLogger", "loguru.logger"}
)
_SESSION_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.orm.scoped_session",
        "sqlalchemy.ext.asyncio.async_scoped_session",
    }
)
_SCOPED_SESSIONS = frozenset({"scoped_session", "async_scoped_session"})
# Class attributes that make a class a mapped model when it also has a non-model base
# imported from elsewhere (``class User(Base)`` with ``from app.db import Base``).
_COLUMN_FACTORIES = frozenset({"Column", "mapped_column"})
_BUILTIN_NAMES = frozenset(dir(builtins))


def dotted_name(node: cst.BaseExpression | None) -> str | None:
    """Return ``a.b.c`` for a Name/Attribute chain, or None for anything else.

    Args:
        node: An expression.

    Returns:
        The dotted name, or None.
    """
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _import_alias_name(alias: cst.ImportAlias) -> str | None:
    return dotted_name(alias.name)


@dataclass
class ModelInfo:
    """What is known about one SQLAlchemy model class.

    Attributes:
        name: The class name.
        typed: True when its columns are declared with ``Mapped[...]``.
        node: The class definition.
    """

    name: str
    typed: bool
    node: cst.ClassDef


@dataclass
class ModuleFacts:
    """Module-wide facts shared by rules.

    Attributes:
        imports: Local name → fully qualified name (``sa`` → ``sqlalchemy``).
        declarative_bases: Local names of declarative base classes.
        models: Model class name → info.
        apps: Names bound to ``FastAPI(...)``.
        routers: Names bound to ``APIRouter(...)``.
        loggers: Names bound to a logger factory.
        session_factories: Names bound to ``sessionmaker(...)`` and friends.
        scoped_sessions: The subset of ``session_factories`` bound to ``scoped_session(...)``
            (a registry: calling it returns the thread's session, ``remove()`` ends it).
        flask_dbs: Names bound to Flask-SQLAlchemy's ``SQLAlchemy(...)`` (``db.Model`` is a
            declarative base, ``db.session`` a session).
        functions: Top-level function names.
        defined: Every name bound at the top level (imports, classes, functions,
            assignment targets), to tell an undefined name from a local one.
        values: Top-level name → the value last assigned to it.
        closed_in_finally: Names whose ``.close()`` is called in the ``finally:`` of a
            top-level ``try`` statement.
    """

    imports: dict[str, str] = field(default_factory=dict)
    declarative_bases: set[str] = field(default_factory=set)
    models: dict[str, ModelInfo] = field(default_factory=dict)
    apps: set[str] = field(default_factory=set)
    routers: set[str] = field(default_factory=set)
    loggers: set[str] = field(default_factory=set)
    session_factories: set[str] = field(default_factory=set)
    scoped_sessions: set[str] = field(default_factory=set)
    flask_dbs: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)
    values: dict[str, cst.BaseExpression] = field(default_factory=dict)
    closed_in_finally: set[str] = field(default_factory=set)

    def qualify(self, node: cst.BaseExpression | None) -> str | None:
        """Resolve a Name/Attribute chain through the imports.

        ``sa.Column`` with ``import sqlalchemy as sa`` gives ``sqlalchemy.Column``; a
        name that was not imported is returned as written.

        Args:
            node: The expression.

        Returns:
            The qualified dotted name, or None when ``node`` is not a name chain.
        """
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        target = self.imports.get(head)
        if target is None:
            return name
        return f"{target}.{rest}" if rest else target

    def call_name(self, node: cst.CSTNode) -> str | None:
        """Return the qualified name of the function a ``Call`` calls.

        Args:
            node: Any node.

        Returns:
            The qualified name, or None when ``node`` is not a call of a name chain.
        """
        if isinstance(node, cst.Call):
            return self.qualify(node.func)
        return None

    def is_model_instance_type(self, annotation: cst.BaseExpression | None) -> bool:
        """Tell whether an annotation names a model class of this module.

        Args:
            annotation: The annotation expression.

        Returns:
            True for a known model.
        """
        name = dotted_name(annotation)
        return name is not None and name.rsplit(".", 1)[-1] in self.models


def _nested_blocks(statement: cst.BaseStatement) -> Iterator[cst.BaseSuite]:
    """Yield the blocks of a top-level ``if``/``try`` (imports under ``TYPE_CHECKING``)."""
    if isinstance(statement, cst.If):
        yield statement.body
        orelse = statement.orelse
        while orelse is not None:
            yield orelse.body
            orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    elif isinstance(statement, cst.Try):
        yield statement.body
        for handler in statement.handlers:
            yield handler.body
        if statement.orelse is not None:
            yield statement.orelse.body


def _block_lines(block: cst.BaseSuite) -> list[cst.SimpleStatementLine]:
    if not isinstance(block, cst.IndentedBlock):
        return []
    return [inner for inner in block.body if isinstance(inner, cst.SimpleStatementLine)]


def _import_entries(statement: cst.BaseStatement) -> Iterator[tuple[str, str, bool]]:
    """Yield (local name, qualified name, overrides an earlier binding) per import."""
    if isinstance(statement, (cst.If, cst.Try)):
        # One level down only: ``if TYPE_CHECKING:`` and ``try: import x`` blocks.
        for block in _nested_blocks(statement):
            for inner in _block_lines(block):
                yield from _import_entries(inner)
        return
    if not isinstance(statement, cst.SimpleStatementLine):
        return
    for small in statement.body:
        if isinstance(small, cst.Import):
            yield from _plain_import_entries(small)
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            yield from _from_import_entries(small)


def _alias_local(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def _plain_import_entries(small: cst.Import) -> Iterator[tuple[str, str, bool]]:
    for alias in small.names:
        full = _import_alias_name(alias)
        if full is None:
            continue
        local = _alias_local(alias)
        if local is not None:
            yield local, full, True
        else:
            # ``import a.b`` binds ``a`` without overriding an ``a`` imported earlier.
            head = full.split(".")[0]
            yield head, head, False


def _from_import_entries(small: cst.ImportFrom) -> Iterator[tuple[str, str, bool]]:
    module = dotted_name(small.module) if small.module else ""
    dots = "." * len(small.relative)
    prefix = f"{dots}{module}" if module else dots
    for alias in small.names:  # type: ignore[union-attr]
        name = _import_alias_name(alias)
        if name is None:
            continue
        local = _alias_local(alias) or name
        yield local, (f"{prefix}.{name}" if prefix else name), True


def _assignments(statement: cst.BaseStatement) -> Iterator[tuple[str, cst.BaseExpression]]:
    if not isinstance(statement, cst.SimpleStatementLine):
        return
    for small in statement.body:
        if isinstance(small, cst.Assign) and small.value is not None:
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            targets = [small.target]
        else:
            continue
        for target in targets:
            if isinstance(target, cst.Name):
                yield target.value, small.value  # type: ignore[misc]


def _bind(facts: ModuleFacts, name: str, called: str) -> None:
    """Record what ``name = called(...)`` makes of ``name`` (an app, a logger, ...)."""
    short = called.rsplit(".", 1)[-1]
    if called in _DECLARATIVE_FACTORIES or short == "declarative_base":
        facts.declarative_bases.add(name)
    elif short == "FastAPI":
        facts.apps.add(name)
    elif short == "APIRouter":
        facts.routers.add(name)
    elif called in _LOGGER_FACTORIES or short in {"getLogger", "get_logger"}:
        facts.loggers.add(name)
    elif short in _SCOPED_SESSIONS:
        facts.session_factories.add(name)
        facts.scoped_sessions.add(name)
    elif called in _SESSION_FACTORIES or short in {"sessionmaker", "async_sessionmaker"}:
        facts.session_factories.add(name)
    elif called in {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy_lite.SQLAlchemy"}:
        facts.flask_dbs.add(name)


def _defined_names(statement: cst.BaseStatement) -> tuple[str, ...]:
    if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
        return (statement.name.value,)
    names: set[str] = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets = [small.target]
            for target in targets:
                _add_target_names(target, names)
    return tuple(names)


def _add_target_names(target: cst.BaseExpression, into: set[str]) -> None:
    if isinstance(target, cst.Name):
        into.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _add_target_names(element.value, into)
    elif isinstance(target, cst.StarredElement):
        _add_target_names(target.value, into)


def _closed_in_finally(statement: cst.BaseStatement) -> tuple[str, ...]:
    if not isinstance(statement, cst.Try) or statement.finalbody is None:
        return ()
    names = []
    for inner in _block_lines(statement.finalbody.body):
        for small in inner.body:
            name = _closed_name(small)
            if name is not None:
                names.append(name)
    return tuple(names)


def _closed_name(small: cst.BaseSmallStatement) -> str | None:
    """``x.close()`` / ``await x.close()`` / ``x.remove()`` → ``x``."""
    value = small.value if isinstance(small, cst.Expr) else None
    if isinstance(value, cst.Await):
        value = value.expression
    if not isinstance(value, cst.Call) or not isinstance(value.func, cst.Attribute):
        return None
    receiver = value.func.value
    if value.func.attr.value in {"close", "remove"} and isinstance(receiver, cst.Name):
        return receiver.value
    return None


def _annotation_is_mapped(annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Subscript):
        base = dotted_name(annotation.value)
        return bool(base) and base.rsplit(".", 1)[-1] == "Mapped"  # type: ignore[union-attr]
    return False


def _class_attributes(node: cst.ClassDef) -> Iterator[cst.BaseSmallStatement]:
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body


def is_typed_model(node: cst.ClassDef) -> bool:
    """Tell whether a model class declares columns with ``Mapped[...]``/``mapped_column``.

    Args:
        node: The class definition.

    Returns:
        True for a typed (2.0-style) model body.
    """
    for small in _class_attributes(node):
        if isinstance(small, cst.AnnAssign) and _annotation_is_mapped(small.annotation.annotation):
            return True
        value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
        if isinstance(value, cst.Call):
            called = dotted_name(value.func)
            if called and called.rsplit(".", 1)[-1] == "mapped_column":
                return True
    return False


def _looks_mapped(node: cst.ClassDef) -> bool:
    """Tell whether a class body declares a table: ``__tablename__`` or column attributes."""
    for small in _class_attributes(node):
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
        else:
            continue
        if any(isinstance(t, cst.Name) and t.value == "__tablename__" for t in targets):
            return True
        if _is_column_call(small.value):
            return True
    return False


def _is_column_call(value: cst.BaseExpression | None) -> bool:
    if not isinstance(value, cst.Call):
        return False
    called = dotted_name(value.func)
    return bool(called) and called.rsplit(".", 1)[-1] in _COLUMN_FACTORIES  # type: ignore[union-attr]


class StatementFacts:
    """What one top-level statement contributes to the module facts.

    Everything here depends on the statement alone, so a caller that keeps these per
    statement (the language server, between edits) recomputes only the statements that
    changed; :func:`compute_facts` then folds them in order, which is cheap.
    """

    __slots__ = ("_flags", "bases", "bindings", "closed", "defined", "function", "imports", "node")

    def __init__(self, statement: cst.BaseStatement) -> None:
        """Scan one top-level statement.

        Args:
            statement: The statement.
        """
        self.node = statement
        self.imports = tuple(_import_entries(statement))
        self.bindings = tuple(
            (name, value, dotted_name(value.func) if isinstance(value, cst.Call) else None)
            for name, value in _assignments(statement)
        )
        self.defined = _defined_names(statement)
        self.closed = _closed_in_finally(statement)
        self.function = statement.name.value if isinstance(statement, cst.FunctionDef) else None
        # Each base's dotted name (bases that are not name chains can make nothing a model).
        self.bases: tuple[str, ...] = ()
        if isinstance(statement, cst.ClassDef):
            found = (dotted_name(arg.value) for arg in statement.bases)
            self.bases = tuple(name for name in found if name is not None)
        self._flags: tuple[bool, bool] | None = None

    def flags(self) -> tuple[bool, bool]:
        """Return (typed model body, looks mapped) for a class, computed on first use."""
        if self._flags is None:
            node = self.node
            assert isinstance(node, cst.ClassDef)
            self._flags = (is_typed_model(node), _looks_mapped(node))
        return self._flags

    def apply(self, facts: ModuleFacts) -> None:
        """Add this statement's contribution to facts built from the statements before it.

        Args:
            facts: The facts so far (updated in place).
        """
        imports = facts.imports
        for local, full, override in self.imports:
            if override:
                imports[local] = full
            else:
                imports.setdefault(local, full)
        for name, value, func in self.bindings:
            facts.values[name] = value
            if func is not None:
                _bind(facts, name, _qualify_dotted(func, imports))
        facts.defined.update(self.defined)
        facts.closed_in_finally.update(self.closed)
        if self.function is not None:
            facts.functions.add(self.function)
        if isinstance(self.node, cst.ClassDef):
            self._apply_class(facts, self.node)

    def _apply_class(self, facts: ModuleFacts, node: cst.ClassDef) -> None:
        name = node.name.value
        foreign_base = False
        for base in self.bases:
            kind = _base_kind(base, facts)
            if kind == "declarative":
                facts.declarative_bases.add(name)
                return
            if kind == "model":
                parent = facts.models.get(base.rsplit(".", 1)[-1])
                typed = self.flags()[0] or bool(parent and parent.typed)
                facts.models[name] = ModelInfo(name, typed, node)
                return
            foreign_base = foreign_base or kind == "foreign"
        if foreign_base and self.flags()[1]:
            facts.models[name] = ModelInfo(name, self.flags()[0], node)


def _qualify_dotted(name: str, imports: dict[str, str]) -> str:
    """:meth:`ModuleFacts.qualify` for a dotted name already extracted."""
    head, _, rest = name.partition(".")
    target = imports.get(head)
    if target is None:
        return name
    return f"{target}.{rest}" if rest else target


def _base_kind(base: str, facts: ModuleFacts) -> str | None:
    """Classify a base class: ``declarative`` base, a ``model``, ``foreign`` or None.

    A ``foreign`` base is imported from another module (``from app.db import Base``), a
    Flask-SQLAlchemy ``db.Model`` of an imported ``db``, or defined nowhere (a snippet,
    a star import): the class body decides then.

    Args:
        base: The base's dotted name as written.
        facts: The facts of the statements before the class.

    Returns:
        The kind, or None for a base that says nothing (a builtin, a local class).
    """
    qualified = _qualify_dotted(base, facts.imports)
    short = qualified.rsplit(".", 1)[-1]
    if qualified in _DECLARATIVE_BASES or short in {"DeclarativeBase", "DeclarativeBaseNoMeta"}:
        return "declarative"
    head = base.split(".", 1)[0]
    if short in facts.declarative_bases or short in facts.models:
        return "model"
    if short == "Model" and head in facts.flask_dbs:
        return "model"
    if head in facts.imports or (head not in facts.defined and head not in _BUILTIN_NAMES):
        return "foreign"
    return None


def compute_facts(
    module: cst.Module, scans: dict[cst.BaseStatement, StatementFacts] | None = None
) -> ModuleFacts:
    """Scan a module's top level for the shared facts.

    Args:
        module: The parsed module.
        scans: Statement → its scan, reused and filled in (libcst nodes hash by identity,
            so an unchanged statement is found again); None to scan every statement.

    Returns:
        The facts.
    """
    facts = ModuleFacts()
    for statement in module.body:
        scanned = scans.get(statement) if scans is not None else None
        if scanned is None:
            scanned = StatementFacts(statement)
            if scans is not None:
                scans[statement] = scanned
        scanned.apply(facts)
    facts.defined.update(facts.imports)
    return facts

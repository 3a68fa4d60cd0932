"""What the SQLAlchemy rules need to know about code: sessions, queries, models, loops.

One place decides, for every rule of the family:

* **which names are bound to what** in the function being checked (:class:`Bindings`,
  one shallow scan per function, cached for the whole check);
* **what is a session**: ``Session``/``AsyncSession``/``scoped_session`` annotations,
  ``Depends(get_db)``-style defaults, values made by a session factory
  (``facts.session_factories``, ``SessionLocal()``, ``sessionmaker(...)()``), ``with
  SessionLocal() as s``, Flask-SQLAlchemy's ``db.session``, and, when nothing is known
  about a name, the usual names (``db``, ``session``, ``db_session``);
* **what is a query**: a chain rooted at ``session.query/execute/scalars/scalar/get``
  (both the 1.x ``Query`` API and 2.0 ``select()`` + ``execute``), or a
  Flask-SQLAlchemy ``Model.query``;
* **what is a model and a model instance**, and whether the model is typed with
  ``Mapped[...]``: local classes from :mod:`precepts.facts`, classes imported from other
  modules of the project through :mod:`precepts.crossfile` (jedi, lazily, only when a
  name is used like a model and cannot be decided locally), and names that are not
  defined at all (the standard's snippets) from how the module uses them;
* **which loops repeat a statement**: ``for``/``while`` bodies and comprehensions, with
  the loops that do not count (fixed literals, batching helpers).
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from weakref import WeakKeyDictionary

import libcst as cst

from precepts.facts import dotted_name

if TYPE_CHECKING:
    from precepts.context import RuleContext

# --------------------------------------------------------------------------------------
# Vocabulary

# Names that hold a session when nothing else is known about them (the fallback).
SESSION_NAMES = frozenset({"db", "session", "db_session", "dbsession", "sess"})
# Callables that return a new session (besides ``facts.session_factories``).
SESSION_FACTORY_NAMES = frozenset(
    {
        "Session",
        "AsyncSession",
        "SessionLocal",
        "AsyncSessionLocal",
        "TestingSessionLocal",
        "SessionFactory",
        "session_factory",
        "async_session_factory",
        "async_session_maker",
        "async_session",
    }
)
# Annotations that mean "a SQLAlchemy session" (short names; aliases of
# ``Annotated[Session, Depends(get_db)]`` are usually called ``SessionDep``).
SESSION_ANNOTATIONS = frozenset(
    {"Session", "AsyncSession", "scoped_session", "async_scoped_session", "SessionDep"}
)
# Packages whose ``Session``-like objects are not database sessions.
NOT_DATABASE = frozenset(
    {
        "requests",
        "aiohttp",
        "httpx",
        "urllib3",
        "niquests",
        "boto3",
        "botocore",
        "aiobotocore",
        "tensorflow",
        "tf",
        "flask",
        "werkzeug",
        "starlette",
        "paramiko",
        "neo4j",
        "pymongo",
        "motor",
        "redis",
        "onnxruntime",
    }
)
# Session methods that run a query (BP202) and the ones that start a query chain.
QUERY_METHODS = frozenset(
    {"query", "execute", "scalars", "scalar", "get", "get_one", "stream", "stream_scalars"}
)
# Methods of a result or query that return one row or None (BP206).
MAYBE_NONE_METHODS = frozenset({"first", "one_or_none", "scalar_one_or_none"})
# Methods whose result is one model instance (BP205 reads the entity through them).
ONE_ROW_METHODS = frozenset(
    {"first", "one", "one_or_none", "scalar_one", "scalar_one_or_none", "get", "get_one"}
)
# ``sqlalchemy`` callables that build SELECT statements.
SELECT_FUNCTIONS = frozenset({"select", "select_from"})

_EMPTY: frozenset[str] = frozenset()
# Alembic / Flask-Migrate revision files (``alembic/versions/``, ``db_migrations/versions/``).
_MIGRATION = re.compile(r"(^|/)[^/]*(alembic|migrations?)/versions/")


def is_migration(path: str) -> bool:
    """Tell whether a file is a migration revision (its models are past schemas).

    Args:
        path: The file's path.

    Returns:
        True under ``alembic/versions/``, ``migrations/versions/`` and the like.
    """
    return bool(_MIGRATION.search(path.replace("\\", "/")))


def short_name(name: str | None) -> str:
    """Return the last part of a dotted name (empty for None).

    Args:
        name: ``a.b.C`` or None.

    Returns:
        ``C``.
    """
    return name.rsplit(".", 1)[-1] if name else ""


def unwrap_await(node: cst.BaseExpression) -> cst.BaseExpression:
    """Return the awaited expression of ``await x`` (``x`` itself otherwise).

    Args:
        node: An expression.

    Returns:
        The expression without ``await``.
    """
    while isinstance(node, cst.Await):
        node = node.expression
    return node


def method_of(call: cst.BaseExpression) -> str | None:
    """Return ``m`` for a call ``x.m(...)``, None for anything else.

    Args:
        call: An expression.

    Returns:
        The method name.
    """
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute):
        return call.func.attr.value
    return None


def receiver_of(call: cst.Call) -> cst.BaseExpression | None:
    """Return ``x`` for a call ``x.m(...)``.

    Args:
        call: A call.

    Returns:
        The receiver, or None when the call is not a method call.
    """
    return call.func.value if isinstance(call.func, cst.Attribute) else None


def first_arg(call: cst.Call) -> cst.BaseExpression | None:
    """Return the first positional argument of a call.

    Args:
        call: A call.

    Returns:
        The argument's value, or None.
    """
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """Return the keyword argument ``name=`` of a call.

    Args:
        call: A call.
        name: The keyword.

    Returns:
        The argument, or None.
    """
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def is_class_like(node: cst.BaseExpression | None) -> bool:
    """Tell whether an expression names a class by convention (``User``, ``models.User``).

    Args:
        node: An expression.

    Returns:
        True for a CapWords name or attribute.
    """
    name = short_name(dotted_name(node)) if node is not None else ""
    return bool(name) and name[0].isupper() and not name.isupper()


def names_in(node: cst.CSTNode) -> Iterator[str]:
    """Yield every ``Name`` used in a subtree.

    Args:
        node: Any node.

    Yields:
        The names, in no particular order.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current.value
        stack.extend(current.children)


def mentions_attribute(node: cst.CSTNode, attributes: frozenset[str]) -> bool:
    """Tell whether a subtree reads one of ``attributes`` (``x.in_``).

    Args:
        node: Any node.
        attributes: Attribute names.

    Returns:
        True when one is used.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Attribute) and current.attr.value in attributes:
            return True
        stack.extend(current.children)
    return False


# --------------------------------------------------------------------------------------
# Bindings: what each name of a function is bound to


@dataclass(frozen=True)
class Binding:
    """One way a name gets its value.

    Attributes:
        kind: ``param``, ``assign``, ``with``, ``for``, ``def`` or ``import``.
        value: The default (param), the value (assign), the context expression (with)
            or the iterable (for).
        annotation: The annotation, when there is one.
        node: The statement or parameter that binds it.
    """

    kind: str
    value: cst.BaseExpression | None
    annotation: cst.BaseExpression | None
    node: cst.CSTNode


@dataclass
class Bindings:
    """The names bound in one function (or the module), with every binding of each."""

    names: dict[str, list[Binding]] = field(default_factory=dict)

    def of(self, name: str) -> list[Binding]:
        """Return the bindings of ``name`` (empty when it is not bound here).

        Args:
            name: A local name.

        Returns:
            Its bindings, in source order.
        """
        return self.names.get(name, [])

    def add(self, name: str, binding: Binding) -> None:
        """Record a binding.

        Args:
            name: The name bound.
            binding: How.
        """
        self.names.setdefault(name, []).append(binding)


def child_blocks(statement: cst.CSTNode) -> Iterator[Sequence[cst.BaseStatement]]:
    """Yield the statement lists nested in a compound statement (not in nested defs).

    Args:
        statement: A statement.

    Yields:
        Each block's statements, in source order.
    """
    suites: list[cst.BaseSuite | None] = []
    if isinstance(statement, (cst.If, cst.For, cst.While)):
        suites.append(statement.body)
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            yield [orelse]
        elif orelse is not None:
            suites.append(orelse.body)
    elif isinstance(statement, cst.With):
        suites.append(statement.body)
    elif isinstance(statement, (cst.Try, cst.TryStar)):
        suites.append(statement.body)
        suites.extend(handler.body for handler in statement.handlers)
        suites.append(statement.orelse.body if statement.orelse else None)
        suites.append(statement.finalbody.body if statement.finalbody else None)
    elif isinstance(statement, cst.Match):
        suites.extend(case.body for case in statement.cases)
    for suite in suites:
        if isinstance(suite, cst.IndentedBlock):
            yield suite.body
        elif isinstance(suite, cst.SimpleStatementSuite):
            yield _suite_lines(suite)


def _suite_lines(suite: cst.SimpleStatementSuite) -> list[cst.BaseStatement]:
    # ``if x: a; b`` on one line: expose its small statements through a synthetic line
    # only for scanning (never reported: the small statements are the real nodes).
    return [cst.SimpleStatementLine(body=suite.body)]


def body_statements(node: cst.FunctionDef | cst.Module) -> Sequence[cst.BaseStatement]:
    """Return the statements of a function body or module.

    Args:
        node: A function or the module.

    Returns:
        Its top-level statements.
    """
    if isinstance(node, cst.Module):
        return node.body
    body = node.body
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return _suite_lines(body)  # type: ignore[arg-type]


def _target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _bind_all(into: Bindings, target: cst.BaseExpression, binding: Binding) -> None:
    for name in _target_names(target):
        into.add(name.value, binding)


def _scan_small(small: cst.BaseSmallStatement, into: Bindings) -> None:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            # ``a, b = f()``: the value of each name is unknown.
            value = small.value if isinstance(target.target, cst.Name) else None
            _bind_all(into, target.target, Binding("assign", value, None, small))
    elif isinstance(small, cst.AnnAssign):
        annotation = small.annotation.annotation
        _bind_all(into, small.target, Binding("assign", small.value, annotation, small))
    elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
        small.names, cst.ImportStar
    ):
        for alias in small.names:
            local = alias.asname.name if alias.asname else alias.name
            _bind_all(into, local, Binding("import", None, None, small))  # type: ignore[arg-type]


def _scan_compound(statement: cst.BaseStatement, into: Bindings) -> None:
    if isinstance(statement, cst.For):
        _bind_all(into, statement.target, Binding("for", statement.iter, None, statement))
    elif isinstance(statement, cst.With):
        for item in statement.items:
            if item.asname is not None:
                binding = Binding("with", item.item, None, statement)
                _bind_all(into, item.asname.name, binding)  # type: ignore[arg-type]
    for block in child_blocks(statement):
        _scan_statements(block, into)


def _scan_statements(statements: Iterable[cst.BaseStatement], into: Bindings) -> None:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _scan_small(small, into)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            into.add(statement.name.value, Binding("def", None, None, statement))
        else:
            _scan_compound(statement, into)


def _function_bindings(function: cst.FunctionDef) -> Bindings:
    bindings = Bindings()
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            every.append(extra)
    for param in every:
        annotation = param.annotation.annotation if param.annotation else None
        bindings.add(param.name.value, Binding("param", param.default, annotation, param))
    _scan_statements(body_statements(function), bindings)
    return bindings


def function_bindings(function: cst.FunctionDef) -> Bindings:
    """Scan a function's parameters and body for its bindings (not cached).

    For functions outside the module being checked (another module of the workspace);
    :func:`bindings_of` caches the scan for the module being checked.

    Args:
        function: The function.

    Returns:
        Its bindings.
    """
    return _function_bindings(function)


@dataclass
class _Cache:
    """Per-check memo shared by every SQLAlchemy rule."""

    bindings: dict[int, Bindings] = field(default_factory=dict)
    query_entities: frozenset[str] | None = None
    model_kinds: dict[str, str | None] = field(default_factory=dict)


_CACHES: WeakKeyDictionary[RuleContext, _Cache] = WeakKeyDictionary()


def _cache(context: RuleContext) -> _Cache:
    cache = _CACHES.get(context)
    if cache is None:
        cache = _CACHES[context] = _Cache()
    return cache


def enclosing_function(context: RuleContext) -> cst.FunctionDef | None:
    """Return the innermost function around the node being visited.

    Args:
        context: The rule context (its ancestor stack).

    Returns:
        The function, or None at module or class level.
    """
    for node in reversed(context.ancestors):
        if isinstance(node, cst.FunctionDef):
            return node
        if isinstance(node, cst.ClassDef):
            return None
    return None


def bindings_of(context: RuleContext, function: cst.FunctionDef | None) -> Bindings:
    """Return the bindings of a function (or of the module for None), computed once.

    Args:
        context: The rule context.
        function: The function, or None for the module level.

    Returns:
        The bindings.
    """
    cache = _cache(context)
    key = id(function) if function is not None else 0
    found = cache.bindings.get(key)
    if found is None:
        if function is None:
            found = Bindings()
            for name, value in context.facts.values.items():
                found.add(name, Binding("assign", value, None, value))
        else:
            found = _function_bindings(function)
        cache.bindings[key] = found
    return found


def current_bindings(context: RuleContext) -> Bindings:
    """Return the bindings of the function around the node being visited.

    Args:
        context: The rule context.

    Returns:
        The bindings (module bindings at the top level).
    """
    return bindings_of(context, enclosing_function(context))


def lookup(context: RuleContext, name: str, bindings: Bindings | None = None) -> list[Binding]:
    """Return how ``name`` is bound where the visitor stands: locally, else at module level.

    Args:
        context: The rule context.
        name: A name.
        bindings: The local bindings, when the caller already has them.

    Returns:
        The bindings (empty when the name is bound nowhere in this module).
    """
    local = (bindings or current_bindings(context)).of(name)
    if local:
        return local
    return bindings_of(context, None).of(name)


# --------------------------------------------------------------------------------------
# Sessions

Verdict = Literal["yes", "no", "unknown"]


def _unwrap_annotation(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """Strip ``Optional[X]``, ``X | None``, ``Annotated[X, ...]`` and string quotes."""
    for _ in range(5):  # nested wrappers are few; a bound keeps odd input cheap
        inner = _unwrap_once(annotation)
        if inner is None:
            break
        annotation = inner
    return annotation


def _unwrap_once(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    if isinstance(annotation, cst.Subscript):
        base = short_name(dotted_name(annotation.value))
        inner = annotation.slice[0].slice if annotation.slice else None
        if base in {"Optional", "Annotated"} and isinstance(inner, cst.Index):
            return inner.value
        return None
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation.left, annotation.right
        if isinstance(right, cst.Name) and right.value == "None":
            return left
        if isinstance(left, cst.Name) and left.value == "None":
            return right
        return None  # A | B: not one class
    if isinstance(annotation, cst.SimpleString):
        return _parse_string_annotation(annotation)
    return None


def _parse_string_annotation(annotation: cst.SimpleString) -> cst.BaseExpression | None:
    text = annotation.evaluated_value
    try:
        return cst.parse_expression(text) if isinstance(text, str) else None
    except cst.ParserSyntaxError:
        return None


def _qualified(context: RuleContext, node: cst.BaseExpression) -> str | None:
    return context.facts.qualify(node)


def _is_foreign(qualified: str | None) -> bool:
    return bool(qualified) and qualified.split(".", 1)[0] in NOT_DATABASE  # type: ignore[union-attr]


def annotation_verdict(context: RuleContext, annotation: cst.BaseExpression) -> Verdict:
    """Tell whether an annotation declares a SQLAlchemy session.

    Args:
        context: The rule context.
        annotation: The annotation.

    Returns:
        ``yes``/``no`` (any other annotation says what the name is not).
    """
    inner = _unwrap_annotation(annotation)
    qualified = _qualified(context, inner)
    if qualified is None or _is_foreign(qualified):
        return "no"
    short = short_name(qualified)
    if short in SESSION_ANNOTATIONS or short.endswith(("Session", "SessionDep")):
        return "yes"
    alias = context.facts.values.get(short)
    if alias is not None and alias is not annotation:
        return annotation_verdict(context, alias)
    return "no"


def _depends_verdict(context: RuleContext, default: cst.BaseExpression) -> Verdict:
    if not isinstance(default, cst.Call) or short_name(dotted_name(default.func)) != "Depends":
        return "unknown"
    dependency = short_name(dotted_name(first_arg(default))).lower()
    return "yes" if "db" in dependency or "session" in dependency else "no"


def is_session_factory(context: RuleContext, func: cst.BaseExpression) -> bool:
    """Tell whether calling ``func`` opens a new session (``SessionLocal``, ``Session``).

    Args:
        context: The rule context.
        func: The callee.

    Returns:
        True for a session factory.
    """
    if isinstance(func, cst.Call):  # sessionmaker(...)()
        return short_name(context.facts.call_name(func)) in {"sessionmaker", "async_sessionmaker"}
    qualified = _qualified(context, func)
    if qualified is None or _is_foreign(qualified):
        return False
    short = short_name(qualified)
    facts = context.facts
    return (
        short in facts.session_factories
        or short in SESSION_FACTORY_NAMES
        or short.endswith("SessionLocal")
    )


def value_verdict(context: RuleContext, value: cst.BaseExpression, depth: int = 0) -> Verdict:
    """Tell whether a value is a session.

    Args:
        context: The rule context.
        value: The assigned value, ``with`` item or default.
        depth: Recursion guard for aliases.

    Returns:
        ``yes``, ``no`` or ``unknown``.
    """
    value = unwrap_await(value)
    if isinstance(value, (cst.Name, cst.Attribute)):
        return "yes" if depth < 3 and is_session(context, value, depth + 1) else "unknown"
    if not isinstance(value, cst.Call):
        return "no"
    return _call_verdict(context, value, depth)


def _call_verdict(context: RuleContext, value: cst.Call, depth: int) -> Verdict:
    func = value.func
    if is_session_factory(context, func):
        return "yes"
    qualified = _qualified(context, func) or ""
    if _is_foreign(qualified):
        return "no"
    short = short_name(qualified).lower()
    if isinstance(func, cst.Attribute) and short in {"begin", "begin_nested"}:
        # ``with SessionLocal.begin() as session`` / ``with session.begin():``
        inner = func.value
        if is_session_factory(context, inner) or is_session(context, inner, depth + 1):
            return "yes"
    argument = first_arg(value)
    if short == "next" and isinstance(argument, cst.Call):  # db = next(get_db())
        short = short_name(dotted_name(argument.func)).lower()
    if "session" in short or short in {"get_db", "get_database"}:
        return "yes"
    return "no"


def binding_verdict(context: RuleContext, binding: Binding, depth: int = 0) -> Verdict:
    """Tell whether a binding makes its name a session.

    Args:
        context: The rule context.
        binding: One binding of the name.
        depth: Recursion guard.

    Returns:
        ``yes``, ``no`` or ``unknown``.
    """
    if binding.kind in {"def", "import", "for"}:
        return "unknown" if binding.kind != "def" else "no"
    if binding.annotation is not None:
        return annotation_verdict(context, binding.annotation)
    if binding.kind == "param":
        return _depends_verdict(context, binding.value) if binding.value else "unknown"
    if binding.value is None:
        return "unknown"
    return value_verdict(context, binding.value, depth)


def is_session(context: RuleContext, node: cst.BaseExpression, depth: int = 0) -> bool:
    """Tell whether an expression is a SQLAlchemy session.

    Args:
        context: The rule context (for the bindings around the node being visited).
        node: The expression (a name, ``self.session``, ``db.session``...).
        depth: Recursion guard for aliases.

    Returns:
        True when it is one (by binding, by annotation, or by its usual name).
    """
    if isinstance(node, cst.Name):
        return _name_is_session(context, node.value, depth)
    if isinstance(node, cst.Attribute):
        return _attribute_is_session(context, node)
    return False


def _name_is_session(context: RuleContext, name: str, depth: int) -> bool:
    verdicts = [binding_verdict(context, b, depth) for b in lookup(context, name)]
    if "yes" in verdicts:
        return True
    if verdicts and "unknown" not in verdicts:
        return False
    qualified = context.facts.imports.get(name)
    if qualified is not None and _is_foreign(qualified):
        return False
    return name in SESSION_NAMES


def _attribute_is_session(context: RuleContext, node: cst.Attribute) -> bool:
    attr = node.attr.value.lstrip("_")
    owner = node.value
    if isinstance(owner, cst.Name):
        if owner.value in context.facts.flask_dbs:
            return attr == "session"
        if owner.value in {"request", "req", "response", "client"}:
            return False  # request.session is Starlette's cookie dict
    return attr in SESSION_NAMES


def session_method(context: RuleContext, call: cst.Call, methods: frozenset[str]) -> str | None:
    """Return ``m`` when ``call`` is ``<session>.m(...)`` with ``m`` in ``methods``.

    Args:
        context: The rule context.
        call: A call.
        methods: The method names of interest (checked first: it is cheap).

    Returns:
        The method name, or None.
    """
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in methods:
        return None
    if func.attr.value == "get" and not is_class_like(first_arg(call)):
        return None  # session.get(Model, id); a dict-like "session" gets a key
    if not is_session(context, func.value):
        return None
    return func.attr.value


# --------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class Query:
    """A query chain found under an expression.

    Attributes:
        root: The call that starts it (``db.query(User)``, ``session.execute(stmt)``) or
            the ``Model.query`` attribute of Flask-SQLAlchemy.
        method: The session method (``query``, ``execute``...) or ``query`` for
            ``Model.query``.
        calls: The method calls of the chain, outermost first (the last is the root).
    """

    root: cst.CSTNode
    method: str
    calls: tuple[cst.Call, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        """The method names of the chain, outermost first."""
        return tuple(method_of(call) or "" for call in self.calls)

    @property
    def legacy(self) -> bool:
        """True for a 1.x ``session.query(...)`` chain (it has ``.count()``)."""
        return self.method == "query"


def query_of(context: RuleContext, node: cst.BaseExpression, depth: int = 0) -> Query | None:
    """Find the ORM query chain an expression belongs to.

    ``db.query(User).filter(...).first()`` and ``(await session.execute(stmt)).scalars()``
    both give their chain; a name bound to a chain (``q = db.query(User)``) is followed
    once.

    Args:
        context: The rule context.
        node: The outermost expression of the chain.
        depth: Recursion guard for names.

    Returns:
        The query, or None when the expression is not rooted at a session or model.
    """
    calls: list[cst.Call] = []
    current: cst.BaseExpression = unwrap_await(node)
    while isinstance(current, (cst.Call, cst.Attribute)):
        if isinstance(current, cst.Attribute):
            if current.attr.value == "query" and _is_model_name(context, current.value):
                return Query(current, "query", tuple(calls))  # Flask-SQLAlchemy
            current = current.value
            continue
        calls.append(current)
        method = session_method(context, current, QUERY_METHODS)
        if method is not None:
            return Query(current, method, tuple(calls))
        if not isinstance(current.func, cst.Attribute):
            return None
        current = unwrap_await(current.func.value)
    if isinstance(current, cst.Name) and depth < 2:
        return _query_through_name(context, current.value, calls, depth)
    return None


def _query_through_name(
    context: RuleContext, name: str, calls: list[cst.Call], depth: int
) -> Query | None:
    """``q = db.query(User)`` … ``q.filter(...).first()``: continue the chain at ``q``."""
    for binding in lookup(context, name):
        if binding.kind == "assign" and binding.value is not None:
            inner = query_of(context, binding.value, depth + 1)
            if inner is not None:
                return Query(inner.root, inner.method, tuple(calls) + inner.calls)
    return None


def _is_model_name(context: RuleContext, node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in context.facts.models


def _select_entities(
    context: RuleContext, statement: cst.BaseExpression | None, depth: int = 0
) -> list[cst.BaseExpression]:
    """Return the entities of a ``select(...)`` chain (following a name once)."""
    current = unwrap_await(statement) if statement is not None else None
    while isinstance(current, cst.Call):
        if short_name(dotted_name(current.func)) in SELECT_FUNCTIONS:
            # select(User) and the chained form select_from(...).select(...) alike
            return [a.value for a in current.args if a.keyword is None and not a.star]
        current = receiver_of(current)
    if isinstance(current, cst.Name) and depth < 2:
        values = [b.value for b in lookup(context, current.value) if b.kind == "assign"]
        if values and values[0] is not None:
            return _select_entities(context, values[0], depth + 1)
    return []


def entities_of(context: RuleContext, query: Query) -> list[cst.BaseExpression]:
    """Return what a query selects: ``query(User)`` → ``[User]``, ``select(User.id)``...

    Args:
        context: The rule context.
        query: A query chain.

    Returns:
        The entity expressions (empty when unknown).
    """
    root = query.root
    if isinstance(root, cst.Attribute):  # Model.query
        return [root.value]
    assert isinstance(root, cst.Call)
    positional = [a.value for a in root.args if a.keyword is None and not a.star]
    if query.method == "query":
        return positional
    if query.method in {"get", "get_one"}:
        return positional[:1]
    return _select_entities(context, positional[0] if positional else None)


def is_aggregate(context: RuleContext, query: Query) -> bool:
    """Tell whether a query selects only aggregates (``func.count()``), without GROUP BY.

    Such a query returns exactly one row, so ``.first()`` is never None.

    Args:
        context: The rule context.
        query: The query.

    Returns:
        True for an aggregate-only query.
    """
    entities = entities_of(context, query)
    if not entities or "group_by" in query.methods:
        return False
    for entity in entities:
        entity = _strip_label(entity)
        if not isinstance(entity, cst.Call):
            return False
        called = context.facts.qualify(entity.func) or ""
        if "func." not in f".{called}" and short_name(called) not in {"count", "max", "min"}:
            return False
    return True


def _strip_label(node: cst.BaseExpression) -> cst.BaseExpression:
    while method_of(node) in {"label", "scalar_subquery"}:
        node = receiver_of(node)  # type: ignore[arg-type, assignment]
    return node


def is_all_result(context: RuleContext, node: cst.BaseExpression) -> Query | None:
    """Tell whether an expression is a whole result set: ``q.all()``, ``session.scalars(...)``.

    Args:
        context: The rule context.
        node: An expression.

    Returns:
        The query when it is one.
    """
    node = unwrap_await(node)
    method = method_of(node)
    if method in {"all", "fetchall"}:
        return query_of(context, node)
    if method == "scalars" and isinstance(node, cst.Call):
        query = query_of(context, node)
        if query is not None and query.root is node:
            return query
    return None


# --------------------------------------------------------------------------------------
# Models and model instances

ModelKind = Literal["legacy", "typed"]


def _module_query_entities(context: RuleContext) -> frozenset[str]:
    """Names used as query entities anywhere in the module (``query(X)``, ``select(X)``).

    Only needed for names defined nowhere (the standard's snippets), so it is computed
    lazily, once, from the ``ast`` tree.
    """
    cache = _cache(context)
    if cache.query_entities is None:
        calls = (n for n in ast.walk(context.ast_module) if isinstance(n, ast.Call) and n.args)
        cache.query_entities = frozenset(
            name for name in map(_ast_entity, calls) if name and name[:1].isupper()
        )
    return cache.query_entities


def _ast_entity(call: ast.Call) -> str | None:
    """``db.query(User)`` / ``select(User)`` / ``session.get(User, 1)`` → ``User``."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = call.args[0]
    if called in {"query", "select", "get", "get_one"} and isinstance(first, ast.Name):
        return first.id
    return None


def model_kind(
    context: RuleContext, node: cst.BaseExpression | None, holder: str = ""
) -> ModelKind | None:
    """Tell whether a class expression names a SQLAlchemy model, and how it is declared.

    Local classes come from the module facts. A class imported from another module of
    the project is looked up with jedi (lazily, cached). A name defined nowhere in the
    module (as in the standard's snippets) counts as a legacy model when the module
    queries it (``db.query(User)``, ``select(User)``) or when it annotates a ``db_*``
    name, the standard's naming for ORM instances.

    Args:
        context: The rule context.
        node: The class expression (``User``, ``models.User``).
        holder: The name of the variable or parameter it annotates, if any.

    Returns:
        ``legacy`` (``Column(...)`` attributes), ``typed`` (``Mapped[...]``) or None
        when it is not a model or cannot be told.
    """
    name = dotted_name(unwrap_await(node)) if node is not None else None
    if not name:
        return None
    facts = context.facts
    short = short_name(name)
    local = facts.models.get(short) if "." not in name else None
    if local is not None:
        return "typed" if local.typed else "legacy"
    head = name.split(".", 1)[0]
    if head in facts.imports:
        return _imported_model_kind(context, name)
    if head in facts.defined or head in _BUILTIN_NAMES:
        return None
    # Defined nowhere: a snippet. Decide from how the module uses the name.
    if not is_class_like(node):
        return None
    if short in _module_query_entities(context) or holder.startswith("db_"):
        return "legacy"
    return None


_BUILTIN_NAMES = frozenset(dir(builtins))


def _imported_model_kind(context: RuleContext, name: str) -> ModelKind | None:
    cache = _cache(context)
    if name in cache.model_kinds:
        return cache.model_kinds[name]  # type: ignore[return-value]
    head, _, rest = name.partition(".")
    target = context.facts.imports.get(head, head)
    qualified = f"{target}.{rest}" if rest else target
    result: ModelKind | None = None
    if qualified.split(".", 1)[0] not in NOT_DATABASE | {"sqlalchemy", "pydantic", "typing"}:
        from precepts.crossfile import default_service  # lazy: jedi only when needed

        service = default_service()
        path = Path(context.path)
        if service.is_project_module(path, qualified):
            info = service.find_class(path, short_name(name), qualified)
            if info is not None and info.is_model:
                result = "typed" if info.typed else "legacy"
    cache.model_kinds[name] = result
    return result


def _one_row_entity(context: RuleContext, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The model a single-row query returns (``db.query(User)...first()`` → ``User``)."""
    value = unwrap_await(value)
    method = method_of(value)
    if method not in ONE_ROW_METHODS and method not in {"scalar"}:
        return None
    query = query_of(context, value)
    if query is None:
        return None
    entities = entities_of(context, query)
    return entities[0] if len(entities) == 1 else None


def _many_rows_entity(
    context: RuleContext, value: cst.BaseExpression, depth: int = 0
) -> cst.BaseExpression | None:
    """The model a loop iterates over (``for u in db.query(User).all()`` → ``User``)."""
    value = unwrap_await(value)
    query = query_of(context, value) if isinstance(value, cst.Call) else None
    if query is not None and method_of(value) in {"all", "scalars", None}:
        entities = entities_of(context, query)
        return entities[0] if len(entities) == 1 else None
    if query is None and isinstance(value, cst.Name) and depth < 2:
        for binding in lookup(context, value.value):
            if binding.kind == "assign" and binding.value is not None:
                return _many_rows_entity(context, binding.value, depth + 1)
    return None


def instance_class(
    context: RuleContext, name: str, bindings: Bindings | None = None
) -> cst.BaseExpression | None:
    """Return the class a variable holds an instance of, when its bindings say so.

    Known from ``x = session.query(Model)...first()/one()/get()``, ``session.get(Model,
    ...)``, ``x = Model(...)``, an annotation ``x: Model`` (``Optional`` too), a parameter
    annotated with the class, and ``for x in <query of Model>``. Bindings that disagree
    give None.

    Args:
        context: The rule context.
        name: The variable.
        bindings: The local bindings, when the caller has them.

    Returns:
        The class expression, or None.
    """
    found: cst.BaseExpression | None = None
    for binding in lookup(context, name, bindings):
        candidate = _binding_class(context, binding)
        if candidate is None:
            if binding.kind in {"param", "assign", "with", "for"} and binding.value is not None:
                if binding.annotation is None:
                    return None  # also bound to something else
            continue
        if found is not None and dotted_name(found) != dotted_name(candidate):
            return None
        found = candidate
    return found


def _binding_class(context: RuleContext, binding: Binding) -> cst.BaseExpression | None:
    if binding.annotation is not None:
        inner = _unwrap_annotation(binding.annotation)
        return inner if is_class_like(inner) else None
    value = binding.value
    if value is None or binding.kind == "param":
        return None
    if binding.kind == "for":
        return _many_rows_entity(context, value)
    value = unwrap_await(value)
    if isinstance(value, cst.Call) and is_class_like(value.func):
        return value.func
    return _one_row_entity(context, value)


# --------------------------------------------------------------------------------------
# Loops


@dataclass(frozen=True)
class Loop:
    """A loop around the node being visited.

    Attributes:
        node: The ``for``/``while`` statement or the comprehension.
        kind: ``for``, ``while`` or ``comprehension``.
        iterable: What a ``for`` or comprehension iterates over.
        target: The loop variable(s).
    """

    node: cst.CSTNode
    kind: str
    iterable: cst.BaseExpression | None
    target: cst.BaseExpression | None


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)


def enclosing_loops(context: RuleContext, node: cst.CSTNode) -> list[Loop]:
    """Return the loops that repeat the node being visited, innermost first.

    Only loops of the same function count; the iterable of a ``for`` and of a
    comprehension's first ``for`` is evaluated once and is not inside the loop.

    Args:
        context: The rule context.
        node: The node being visited (the ancestors are above it).

    Returns:
        The loops.
    """
    ancestors = [*context.ancestors, node]
    loops: list[Loop] = []
    for index in range(len(ancestors) - 2, -1, -1):
        current = ancestors[index]
        if isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            break
        loop = _loop_over(current, ancestors[index + 1 : index + 3])
        if loop is not None:
            loops.append(loop)
    return loops


def _loop_over(node: cst.CSTNode, path: Sequence[cst.CSTNode]) -> Loop | None:
    """Return ``node`` as a loop when the path below it (child, grandchild) repeats."""
    child = path[0]
    if isinstance(node, cst.For):
        return Loop(node, "for", node.iter, node.target) if child is node.body else None
    if isinstance(node, cst.While):
        repeated = child is node.body or child is node.test
        return Loop(node, "while", None, None) if repeated else None
    if isinstance(node, _COMPREHENSIONS):
        first = node.for_in
        grandchild = path[1] if len(path) > 1 else None
        if child is first and (grandchild is first.iter or grandchild is first.target):
            return None  # the first iterable is evaluated once
        return Loop(node, "comprehension", first.iter, first.target)
    return None


def in_error_path(context: RuleContext, loop: Loop) -> bool:
    """Tell whether the node being visited is in an ``except`` handler inside ``loop``.

    Such code runs when an iteration fails, not once per row.

    Args:
        context: The rule context.
        loop: The innermost loop around the node.

    Returns:
        True inside a handler.
    """
    for ancestor in reversed(context.ancestors):
        if ancestor is loop.node:
            return False
        if isinstance(ancestor, (cst.ExceptHandler, cst.ExceptStarHandler)):
            return True
    return False


def is_fixed_literal(context: RuleContext, iterable: cst.BaseExpression | None) -> bool:
    """Tell whether a loop iterates over a fixed literal (``("a", "b")``, ``range(3)``).

    Args:
        context: The rule context.
        iterable: The loop's iterable.

    Returns:
        True for a literal tuple/list/set, a module constant bound to one, or a ``range``
        of integer literals or constants (``range(MAX_RETRIES)``).
    """
    if isinstance(iterable, (cst.Tuple, cst.List, cst.Set)):
        return True
    if isinstance(iterable, cst.Name):
        value = context.facts.values.get(iterable.value)
        return isinstance(value, (cst.Tuple, cst.List, cst.Set))
    if isinstance(iterable, cst.Call) and dotted_name(iterable.func) == "range":
        return all(_is_constant_count(arg.value) for arg in iterable.args)
    return False


def _is_constant_count(node: cst.BaseExpression) -> bool:
    """``3``, ``MAX_RETRIES``, ``self.CREATE_RETRIES``: a count fixed by the code."""
    if isinstance(node, cst.Integer):
        return True
    name = short_name(dotted_name(node))
    return bool(name) and name.isupper()


_BATCH_WORDS = ("chunk", "batch", "page")


def is_batching(loop: Loop) -> bool:
    """Tell whether a loop walks batches rather than rows.

    ``for chunk in chunks(ids, n)``, ``batched(...)``, ``range(0, n, size)``, a loop over
    or into a name saying so (``for batch in id_batches``), and a ``while`` loop that
    slices its work (``chunk = ids[:size]``).

    Args:
        loop: A loop.

    Returns:
        True for a batching loop.
    """
    if loop.kind == "while":
        return _slices_in_body(loop.node)
    # ``for batch in ...`` / ``for chunk in id_chunks``, but not ``for row in batch``.
    if any(word in name.lower() for name in loop_target_names(loop) for word in _BATCH_WORDS):
        return True
    iterable_name = short_name(dotted_name(loop.iterable)).lower()
    if any(f"{word}s" in iterable_name or f"{word}es" in iterable_name for word in _BATCH_WORDS):
        return True
    iterable = loop.iterable
    if not isinstance(iterable, cst.Call):
        return False
    called = short_name(dotted_name(iterable.func)).lower()
    if called == "range":
        return len(iterable.args) == 3
    if called in {"enumerate", "zip"} and iterable.args:
        inner = Loop(loop.node, loop.kind, iterable.args[0].value, None)
        return is_batching(inner)
    return any(word in called for word in _BATCH_WORDS) or called in {"grouper", "partition_all"}


def _slices_in_body(loop: cst.CSTNode) -> bool:
    body = getattr(loop, "body", None)
    if not isinstance(body, cst.IndentedBlock):
        return False
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and _has_slice(small.value):
                    return True
    return False


def _has_slice(value: cst.BaseExpression) -> bool:
    values = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
    return any(
        isinstance(v, cst.Subscript) and any(isinstance(e.slice, cst.Slice) for e in v.slice)
        for v in values
    )


def is_real_loop(context: RuleContext, loop: Loop) -> bool:
    """Tell whether a loop repeats its body over data (not a literal, not batches).

    Args:
        context: The rule context.
        loop: A loop.

    Returns:
        True when it may run many times over rows or ids.
    """
    return not is_fixed_literal(context, loop.iterable) and not is_batching(loop)


def loop_target_names(loop: Loop) -> frozenset[str]:
    """Return the names a loop binds.

    Args:
        loop: A loop.

    Returns:
        The names.
    """
    if loop.target is None:
        return _EMPTY
    return frozenset(n.value for n in _target_names(loop.target))

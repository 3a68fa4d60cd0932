"""Which names are bound to what in the function being checked.

One shallow scan per function (:class:`Bindings`), cached for the whole check; the
cache (:func:`_cache`) also holds what :mod:`.models` memoises per check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from precepts.context import RuleContext


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


def _cache(context: RuleContext) -> _Cache:
    return context.memo(_Cache, _Cache)


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

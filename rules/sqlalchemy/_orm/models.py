"""What is a model and a model instance, and whether the model is typed.

``Mapped[...]`` or not: local classes from :mod:`precepts.facts`, classes imported from
other modules of the project through :mod:`precepts.crossfile` (jedi, lazily, only when
a name is used like a model and cannot be decided locally), and names that are not
defined at all (the standard's snippets) from how the module uses them.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.sqlalchemy._orm.bindings import Binding, Bindings, _cache, lookup
from precepts.rules.sqlalchemy._orm.queries import entities_of, query_of
from precepts.rules.sqlalchemy._orm.sessions import _unwrap_annotation
from precepts.rules.sqlalchemy._orm.vocabulary import (
    NOT_DATABASE,
    ONE_ROW_METHODS,
    is_class_like,
    method_of,
    short_name,
    unwrap_await,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext

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

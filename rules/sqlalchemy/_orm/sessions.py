"""What is a SQLAlchemy session.

``Session``/``AsyncSession``/``scoped_session`` annotations, ``Depends(get_db)``-style
defaults, values made by a session factory (``facts.session_factories``,
``SessionLocal()``, ``sessionmaker(...)()``), ``with SessionLocal() as s``,
Flask-SQLAlchemy's ``db.session``, and, when nothing is known about a name, the usual
names (``db``, ``session``, ``db_session``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.sqlalchemy._orm.bindings import Binding, lookup
from precepts.rules.sqlalchemy._orm.vocabulary import (
    NOT_DATABASE,
    SESSION_ANNOTATIONS,
    SESSION_FACTORY_NAMES,
    SESSION_NAMES,
    first_arg,
    is_class_like,
    short_name,
    unwrap_await,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext

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

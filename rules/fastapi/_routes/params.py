"""Where FastAPI reads each parameter of a route handler from, and what its types say.

Parameters are classified as ``fastapi.dependencies.utils`` does: a name of the path
template is a path parameter, a marker (``Depends``, ``Query``, ``Body``...) in the default
or in ``Annotated[...]`` decides, ``Request``-like types are injected, a complex type (a
mapping, a sequence, a model) is read from the body and anything else from the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.rules.fastapi._routes.paths import path_params
from precepts.rules.fastapi._routes.values import short

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.rules.fastapi._routes.routes import Route

_MARKERS = {
    "Depends": "dependency",
    "Security": "dependency",
    "Header": "header",
    "Cookie": "cookie",
    "Query": "query",
    "Path": "path",
    "Body": "body",
    "Form": "body",
    "File": "body",
}
_INJECTED = frozenset(
    {"Request", "WebSocket", "HTTPConnection", "Response", "BackgroundTasks", "SecurityScopes"}
)
_SCALARS = frozenset(
    {
        "int",
        "float",
        "str",
        "bool",
        "bytes",
        "UUID",
        "datetime",
        "date",
        "time",
        "timedelta",
        "Decimal",
        "Any",
        "object",
        "Literal",
        "EmailStr",
        "HttpUrl",
        "AnyUrl",
        "SecretStr",
    }
)
_UNION_WRAPPERS = frozenset({"Optional", "Union"})
UNTYPED_BODY = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "Any", "object", "OrderedDict", "defaultdict"}
)
_SEQUENCES = frozenset(
    {"list", "List", "set", "Set", "frozenset", "FrozenSet", "tuple", "Tuple", "Sequence"}
)


@dataclass(frozen=True)
class Param:
    """A route parameter as FastAPI reads it.

    Attributes:
        node: The parameter.
        source: ``path``, ``query``, ``body``, ``header``, ``cookie``, ``dependency`` or
            ``injected`` (``Request``, ``BackgroundTasks``...).
        annotation: Its type with ``Annotated[...]`` removed (None when unannotated).
    """

    node: cst.Param
    source: str
    annotation: cst.BaseExpression | None


def params_of(context: RuleContext, route: Route) -> list[Param]:
    """Classify a handler's parameters as FastAPI does.

    Args:
        context: The rule context.
        route: The route.

    Returns:
        One entry per named parameter (``*args``/``**kwargs`` are not parameters).
    """
    in_path = path_params(route.path)
    params = route.function.params
    return [
        _classify(context, param, in_path)
        for param in (*params.posonly_params, *params.params, *params.kwonly_params)
    ]


def _classify(context: RuleContext, param: cst.Param, in_path: frozenset[str]) -> Param:
    annotation = param.annotation.annotation if param.annotation is not None else None
    marker = None
    if annotation is not None:
        annotation, marker = _unannotate(context, annotation)
    if marker is None and isinstance(param.default, cst.Call):
        marker = _marker(context, param.default)
    if param.name.value in in_path:
        return Param(param, "path", annotation)
    if marker is not None:
        return Param(param, marker, annotation)
    if annotation is None:
        return Param(param, "query", None)
    name = short(context.facts.qualify(_subscripted(annotation)))
    if name in _INJECTED:
        return Param(param, "injected", annotation)
    return Param(param, "body" if is_complex(context, annotation) else "query", annotation)


def _marker(context: RuleContext, call: cst.Call) -> str | None:
    return _MARKERS.get(short(context.facts.qualify(call.func)))


def _subscripted(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.value if isinstance(node, cst.Subscript) else node


def _elements(node: cst.Subscript) -> list[cst.BaseExpression]:
    return [element.slice.value for element in node.slice if isinstance(element.slice, cst.Index)]


def _unannotate(
    context: RuleContext, annotation: cst.BaseExpression
) -> tuple[cst.BaseExpression, str | None]:
    """``Annotated[T, Depends(f)]`` → (T, "dependency"); anything else → (it, None)."""
    if isinstance(annotation, cst.Subscript):
        if short(context.facts.qualify(annotation.value)) == "Annotated":
            parts = _elements(annotation)
            if parts:
                marks = (_marker(context, p) for p in parts[1:] if isinstance(p, cst.Call))
                return parts[0], next((m for m in marks if m is not None), None)
    return annotation, None


def union_members(context: RuleContext, node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Split ``Optional[X]``, ``Union[X, Y]`` and ``X | None`` into their members.

    Args:
        context: The rule context.
        node: A type.

    Returns:
        The members (the type itself when it is no union), ``None`` left out.
    """
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return union_members(context, node.left) + union_members(context, node.right)
    if isinstance(node, cst.Subscript):
        if short(context.facts.qualify(node.value)) in _UNION_WRAPPERS:
            members: list[cst.BaseExpression] = []
            for part in _elements(node):
                members.extend(union_members(context, part))
            return members
    if isinstance(node, cst.Name) and node.value == "None":
        return []
    return [node]


def is_complex(context: RuleContext, node: cst.BaseExpression) -> bool:
    """Tell whether FastAPI reads a parameter of this type from the body.

    Args:
        context: The rule context.
        node: The type.

    Returns:
        True for a mapping, a sequence, a model or any class that is not a scalar.
    """
    for member in union_members(context, node):
        name = short(context.facts.qualify(_subscripted(member)))
        if isinstance(member, cst.SimpleString) or name in _SCALARS or not name:
            continue
        if name in UNTYPED_BODY or name in _SEQUENCES or name[:1].isupper():
            return True
    return False


def untyped_body_type(context: RuleContext, node: cst.BaseExpression | None) -> bool:
    """Tell whether a body type says nothing: none, ``dict``, ``Dict[...]``, ``Any``.

    Args:
        context: The rule context.
        node: The type (None when unannotated).

    Returns:
        True when FastAPI cannot validate what it reads.
    """
    if node is None:
        return True
    for member in union_members(context, node):
        name = short(context.facts.qualify(_subscripted(member)))
        if name in UNTYPED_BODY:
            return True
        if name in _SEQUENCES and isinstance(member, cst.Subscript):
            parts = _elements(member)
            if parts and untyped_body_type(context, parts[0]):
                return True
    return False

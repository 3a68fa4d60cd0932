"""What the FastAPI rules share: apps, routers, route handlers, parameters and schemas.

Everything is decided here once per module (cached on the rule context) so the ten
BP3xx rules agree:

* an *app* is a name bound to ``FastAPI(...)`` (under any alias), a name bound to a
  factory of this module that builds one (``app = create_app()``), a parameter annotated
  ``FastAPI``, or a name imported from a project module where it is one (asked through
  :mod:`precepts.crossfile`, which never imports workspace code); a *router* likewise for
  ``APIRouter``. A name defined nowhere falls back to its spelling (``app``, ``*_router``):
  that is how the standard's snippets are read;
* a *route* is a function decorated with ``@<app or router>.<method>(path, ...)`` or
  registered with ``<owner>.add_api_route(path, function, ...)``;
* its parameters are classified as FastAPI classifies them (``fastapi.dependencies.utils``):
  a name of the path template is a path parameter, a marker (``Depends``, ``Query``,
  ``Body``...) in the default or in ``Annotated[...]`` decides, ``Request``-like types are
  injected, a complex type (a mapping, a sequence, a model) is read from the body and
  anything else (a scalar, ``Any``, no annotation) from the query string;
* a *Pydantic model* is a class deriving from ``BaseModel``/``BaseSettings``/``SQLModel``
  (without ``table=True``) here or in another project module; its name says whether it is a
  request schema (``UserCreate``) or a response schema (``UserResponse``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.crossfile import Parsed

ROUTE_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket"}
)
APP, ROUTER = "app", "router"
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
_PYDANTIC_BASES = frozenset({"BaseModel", "GenericModel", "RootModel"})
_SETTINGS_BASES = frozenset({"BaseSettings"})
_PATH_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?}")
_REQUEST_SCHEMA = re.compile(
    r"(Create|Update|Patch|In|Input|Request|Payload|Form|Register|Signup|SignUp|Body)$"
)
_RESPONSE_SCHEMA = re.compile(
    r"(Response|Out|Output|Read|Public|View|Info|Detail|Details|Result|Results|Summary)$"
)
_VERSION = re.compile(r"(^|/)v\d+[A-Za-z0-9.]*(/|$)")
_VERSION_HINT = re.compile(r"v\d|version|api_v", re.IGNORECASE)
# First path segments that carry no API and need no version (health, docs, root).
OPERATIONAL_SEGMENTS = frozenset(
    {
        "health",
        "healthz",
        "healthcheck",
        "livez",
        "readyz",
        "ready",
        "live",
        "liveness",
        "readiness",
        "ping",
        "docs",
        "redoc",
        "openapi.json",
        "metrics",
        "favicon.ico",
        "version",
        "static",
        ".well-known",
        "oauth",
    }
)
HEALTH_SEGMENTS = frozenset(
    {"health", "healthz", "healthcheck", "livez", "readyz", "liveness", "readiness", "ping"}
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


@dataclass(frozen=True)
class Route:
    """One registration of a route handler.

    Attributes:
        function: The handler.
        call: The decorator call (or the ``add_api_route`` call).
        owner: The app or router it is registered on, as written.
        kind: ``app`` or ``router``.
        method: ``get``, ``post``... ``api_route``, ``websocket``.
        path: The path template when it is a literal, else None.
    """

    function: cst.FunctionDef
    call: cst.Call
    owner: str
    kind: str
    method: str
    path: str | None

    def keyword(self, name: str) -> cst.BaseExpression | None:
        """Return the value of a keyword argument of the registration, or None.

        Args:
            name: The keyword (``response_model``).

        Returns:
            Its value.
        """
        return keyword_value(self.call, name)

    @property
    def status_code(self) -> int | None:
        """The ``status_code=`` as a number (``status.HTTP_204_NO_CONTENT`` → 204)."""
        return status_number(self.keyword("status_code"))


@dataclass
class _Cache:
    routes: dict[int, tuple[Route, ...]] = field(default_factory=dict)
    kinds: dict[tuple[int, str], str | None] = field(default_factory=dict)
    factories: dict[str, str | None] | None = None
    api_routes: dict[str, list[tuple[cst.Call, str]]] | None = None


def _cache(context: RuleContext) -> _Cache:
    return context.memo(_Cache, _Cache)


def short(name: str | None) -> str:
    """Return the last part of a dotted name ("" for None).

    Args:
        name: A dotted name.

    Returns:
        Its last part.
    """
    return name.rsplit(".", 1)[-1] if name else ""


def keyword_value(call: cst.Call, name: str) -> cst.BaseExpression | None:
    """Return the value of a call's keyword argument, or None.

    Args:
        call: The call.
        name: The keyword.

    Returns:
        The value.
    """
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    """Return a call's positional argument, or None.

    Args:
        call: The call.
        index: 0-based position.

    Returns:
        The argument's value.
    """
    found = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    return found[index] if index < len(found) else None


def string_value(node: cst.BaseExpression | None) -> str | None:
    """Return the text of a string literal (concatenations included), else None.

    Args:
        node: An expression.

    Returns:
        The string, or None for anything that is not a plain literal.
    """
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left), string_value(node.right)
        return None if left is None or right is None else left + right
    return None


def status_number(node: cst.BaseExpression | None) -> int | None:
    """Return the HTTP status an expression names (``404``, ``status.HTTP_404_NOT_FOUND``).

    Args:
        node: An expression.

    Returns:
        The number, or None.
    """
    if isinstance(node, cst.Integer):
        return int(node.value)
    match = re.match(r"HTTP_(\d{3})_", short(dotted_name(node)))
    return int(match.group(1)) if match else None


def path_text(context: RuleContext, node: cst.BaseExpression | None) -> str | None:
    """Return a path literal, also through a module constant (``PREFIX = "/api/v1"``).

    Args:
        context: The rule context.
        node: The expression.

    Returns:
        The path, or None when it is not known statically.
    """
    text = string_value(node)
    if text is None and isinstance(node, cst.Name):
        text = string_value(context.facts.values.get(node.value))
    return text


def is_versioned(context: RuleContext, node: cst.BaseExpression | None) -> bool | None:
    """Tell whether a path expression holds a version segment (``/v1``, ``/api/v2``).

    Args:
        context: The rule context.
        node: The path (a literal, a constant, an f-string).

    Returns:
        True or False, or None when the path cannot be known (``settings.API_PREFIX``).
    """
    text = path_text(context, node)
    if text is not None:
        return bool(_VERSION.search(text))
    if node is None:
        return False
    # ``f"{settings.API_V1_STR}/users"``, ``API_VERSION + "/x"``: the name tells.
    if _VERSION_HINT.search(context.code_for(node)):
        return True
    return None


def has_version(path: str) -> bool:
    """Tell whether a path text holds a version segment.

    Args:
        path: A path.

    Returns:
        True for ``/api/v1/users``.
    """
    return bool(_VERSION.search(path))


def is_operational(path: str) -> bool:
    """Tell whether a path is the root, a health check or the docs.

    Args:
        path: A path.

    Returns:
        True for ``/``, ``/health``, ``/docs``...
    """
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) == 1 and "." in segments[0] and "{" not in segments[0]:
        return True  # a file at the root: /robots.txt, /llms.txt, /opensearch.xml
    if len(segments) > 1 and segments[0].lower() == "api":
        segments = segments[1:]  # /api/health, /api/version
    return not segments or segments[0].lower() in OPERATIONAL_SEGMENTS


def is_health(path: str) -> bool:
    """Tell whether a path is a health check (``/health``, ``/healthz``, ``/api/health``).

    Args:
        path: A path.

    Returns:
        True for a health route.
    """
    return any(s.lower() in HEALTH_SEGMENTS for s in path.split("/") if s)


def path_params(path: str | None) -> frozenset[str]:
    """Return the parameter names of a path template.

    Args:
        path: ``/users/{user_id}``.

    Returns:
        ``{"user_id"}``.
    """
    return frozenset(_PATH_PARAM.findall(path or ""))


def last_import_from(context: RuleContext, source: str) -> cst.ImportAlias | None:
    """Return :func:`last_from_import` of the context's module (a module query).

    Args:
        context: The rule context.
        source: The imported module.

    Returns:
        The alias to insert after, or None.
    """
    return last_from_import(context.module, source)


def last_from_import(module: cst.Module, source: str) -> cst.ImportAlias | None:
    """Return the last name of the first top-level ``from <source> import a, b`` (``b``).

    Fixes that need one more name from a module append it there (``, status``).

    Args:
        module: The module.
        source: The imported module (``fastapi``, ``pydantic``).

    Returns:
        The alias to insert after, or None when the module has no such import.
    """
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and dotted_name(small.module) == source
                and not isinstance(small.names, cst.ImportStar)
                and small.names
            ):
                return small.names[-1]
    return None


def uses_fastapi(context: RuleContext) -> bool:
    """Tell whether the module imports anything from FastAPI or Starlette.

    Args:
        context: The rule context.

    Returns:
        True when it does.
    """
    return any(
        v.split(".", 1)[0] in {"fastapi", "starlette"} for v in context.facts.imports.values()
    )


# -- apps and routers -------------------------------------------------------------------


def _kind_of_type(context: RuleContext, node: cst.BaseExpression | None) -> str | None:
    """``FastAPI`` → app, ``APIRouter`` → router (a call, an annotation, under any alias)."""
    if isinstance(node, cst.Call):
        node = node.func
    name = short(context.facts.qualify(node)) if node is not None else ""
    if name == "FastAPI":
        return APP
    if name == "APIRouter":
        return ROUTER
    return None


def _local_kind(context: RuleContext, function: cst.FunctionDef, name: str) -> str | None:
    """What ``name`` is inside a function: a parameter annotated, or a local assignment."""
    for param in (*function.params.params, *function.params.kwonly_params):
        if param.name.value == name and param.annotation is not None:
            return _kind_of_type(context, param.annotation.annotation)
    for small in _block_smalls(function.body):
        value = _assigned_to(small, name)
        if value is not None:
            return _kind_of_type(context, value) or _factory_result(context, value)
    return None


def _assigned_to(small: cst.CSTNode, name: str) -> cst.BaseExpression | None:
    """The value of ``name = value`` / ``name: T = value``, else None."""
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        targets = [small.target]
    else:
        return None
    if any(isinstance(t, cst.Name) and t.value == name for t in targets):
        return small.value
    return None


def _block_smalls(body: cst.BaseSuite | Sequence[cst.BaseStatement]) -> Iterator[cst.CSTNode]:
    """The small statements of a block's simple lines (``x = 1; y = 2`` gives two)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else body
    if not isinstance(statements, Sequence):
        return
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body


def _factories(context: RuleContext) -> dict[str, str | None]:
    """Top-level functions of the module that build an app or a router."""
    cache = _cache(context)
    if cache.factories is None:
        cache.factories = {}
        for statement in context.module.body:
            if isinstance(statement, cst.FunctionDef):
                cache.factories[statement.name.value] = _builds(context, statement)
    return cache.factories


def _builds(context: RuleContext, function: cst.FunctionDef) -> str | None:
    if function.returns is not None:
        kind = _kind_of_type(context, function.returns.annotation)
        if kind is not None:
            return kind
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return):
        value = last.body[0].value
        if isinstance(value, cst.Name):
            return _local_kind(context, function, value.value)
        return _kind_of_type(context, value)
    return None


def _factory_result(context: RuleContext, value: cst.BaseExpression) -> str | None:
    """``create_app()`` with ``create_app`` a factory of this module → app."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        return _factories(context).get(value.func.value)
    return None


def owner_kind(context: RuleContext, owner: cst.BaseExpression) -> str | None:
    """Tell whether an expression is an app or a router where the walker stands.

    Args:
        context: The rule context (its ancestors give the enclosing functions).
        owner: The expression a route is registered on (``app``, ``users.router``).

    Returns:
        ``app``, ``router`` or None.
    """
    name = dotted_name(owner)
    if name is None:
        return None
    if "." not in name:
        for node in reversed(context.ancestors):
            if isinstance(node, cst.FunctionDef):
                kind = _local_kind(context, node, name)
                if kind is not None:
                    return kind
    return module_kind(context, name)


def module_kind(context: RuleContext, name: str) -> str | None:
    """Tell whether a module-level name (or an imported module's attribute) is an app.

    Args:
        context: The rule context.
        name: A dotted name (``app``, ``users.router``).

    Returns:
        ``app``, ``router`` or None.
    """
    cache = _cache(context)
    key = (0, name)
    if key not in cache.kinds:
        cache.kinds[key] = _module_kind(context, name)
    return cache.kinds[key]


def _module_kind(context: RuleContext, name: str) -> str | None:
    facts = context.facts
    if name in facts.apps:
        return APP
    if name in facts.routers:
        return ROUTER
    value = facts.values.get(name)
    if value is not None:
        return _kind_of_type(context, value) or _factory_result(context, value)
    head = name.split(".", 1)[0]
    if head in facts.imports:
        found = _imported_kind(context, name)
        if found is not None:
            return found
    elif head in facts.defined:
        return None
    return _kind_by_spelling(name)


def _kind_by_spelling(name: str) -> str | None:
    last = short(name).lower()
    if last in {"app", "application"} or last.endswith("_app"):
        return APP
    if last.endswith("router"):
        return ROUTER
    return None


def _imported_kind(context: RuleContext, name: str) -> str | None:
    parsed = imported_module(context, name)
    if parsed is None:
        return None
    last = short(name)
    if last in parsed.facts.apps:
        return APP
    if last in parsed.facts.routers:
        return ROUTER
    return None


def imported_module(context: RuleContext, name: str) -> Parsed | None:
    """Return the project module that defines an imported name (through jedi, cached).

    Args:
        context: The rule context.
        name: The name as written here (``users.router``, ``router``).

    Returns:
        The defining module, or None (a library, or not found).
    """
    qualified = context.facts.qualify(cst.parse_expression(name))
    if not qualified or qualified.split(".", 1)[0] in {"fastapi", "starlette"}:
        return None
    from precepts.crossfile import default_service  # lazy: jedi only when needed

    return default_service().find_binding(Path(context.path), qualified)


# -- routes ------------------------------------------------------------------------------


def routes_of(context: RuleContext, function: cst.FunctionDef) -> tuple[Route, ...]:
    """Return every registration of a function as a route handler (usually one).

    Args:
        context: The rule context (the walker must stand on or in the function's parent).
        function: The function.

    Returns:
        Its routes; empty for a function that is not a route handler.
    """
    cache = _cache(context)
    found = cache.routes.get(id(function))
    if found is None:
        found = tuple(_decorated_routes(context, function)) + _api_routes(context, function)
        cache.routes[id(function)] = found
    return found


def _decorated_routes(context: RuleContext, function: cst.FunctionDef) -> Iterator[Route]:
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            continue
        method = call.func.attr.value
        if method not in ROUTE_METHODS:
            continue
        owner = dotted_name(call.func.value)
        kind = owner_kind(context, call.func.value) if owner else None
        if owner is None or kind is None:
            continue
        path = string_value(positional(call, 0) or keyword_value(call, "path"))
        yield Route(function, call, owner, kind, method, path)


def _api_routes(context: RuleContext, function: cst.FunctionDef) -> tuple[Route, ...]:
    """Routes registered with ``owner.add_api_route(path, function)`` at the top level."""
    if "add_api_route" not in context.text:
        return ()
    cache = _cache(context)
    if cache.api_routes is None:
        cache.api_routes = {}
        for call, owner in _top_level_calls(context.module.body, "add_api_route"):
            endpoint = positional(call, 1) or keyword_value(call, "endpoint")
            if isinstance(endpoint, cst.Name):
                cache.api_routes.setdefault(endpoint.value, []).append((call, owner))
    routes = []
    for call, owner in cache.api_routes.get(function.name.value, ()):
        kind = module_kind(context, owner)
        if kind is not None:
            path = string_value(positional(call, 0) or keyword_value(call, "path"))
            routes.append(Route(function, call, owner, kind, "api_route", path))
    return tuple(routes)


def _top_level_calls(
    statements: Sequence[cst.BaseStatement], method: str
) -> Iterator[tuple[cst.Call, str]]:
    """``x.method(...)`` expression statements of a block: (call, ``x``)."""
    for small in _block_smalls(statements):
        value = small.value if isinstance(small, cst.Expr) else None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            owner = dotted_name(value.func.value)
            if value.func.attr.value == method and owner is not None:
                yield value, owner


def route_of(context: RuleContext, function: cst.FunctionDef) -> Route | None:
    """Return a function's first route registration, or None.

    Args:
        context: The rule context.
        function: The function.

    Returns:
        The route.
    """
    routes = routes_of(context, function)
    return routes[0] if routes else None


def enclosing_route(context: RuleContext) -> Route | None:
    """Return the route whose handler holds the node being visited (innermost function).

    Args:
        context: The rule context.

    Returns:
        The route, or None outside a route handler.
    """
    ancestors = context.ancestors
    for index in range(len(ancestors) - 1, -1, -1):
        node = ancestors[index]
        if isinstance(node, cst.FunctionDef):
            return route_of(context, node)
        if isinstance(node, (cst.ClassDef, cst.Lambda)):
            return None
    return None


# -- parameters --------------------------------------------------------------------------


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


# -- Pydantic models ---------------------------------------------------------------------


def pydantic_models(context: RuleContext) -> dict[str, str]:
    """Return the module's Pydantic classes: name → ``model`` or ``settings``.

    Args:
        context: The rule context.

    Returns:
        Every top-level class deriving (here or in another project module) from
        ``BaseModel``, ``BaseSettings`` or a non-table ``SQLModel``.
    """
    return context.module_query(_pydantic_models)


def _pydantic_models(context: RuleContext) -> dict[str, str]:
    models: dict[str, str] = {}
    for statement in context.module.body:
        if isinstance(statement, cst.ClassDef):
            kind = _class_kind(context, statement, models)
            if kind is not None:
                models[statement.name.value] = kind
    return models


def _class_kind(context: RuleContext, node: cst.ClassDef, known: dict[str, str]) -> str | None:
    if any(
        kw.keyword is not None and kw.keyword.value == "table" and dotted_name(kw.value) == "True"
        for kw in node.keywords
    ):
        return None
    for arg in node.bases:
        qualified = context.facts.qualify(_subscripted(arg.value)) or ""
        name = short(qualified)
        root = qualified.split(".", 1)[0]
        if name in _SETTINGS_BASES:
            return "settings"
        if name in _PYDANTIC_BASES and root in {"pydantic", "pydantic_settings", name}:
            return "model"
        if name == "SQLModel":
            return "model"
        if name in known:
            return known[name]
        kind = _imported_class_kind(context, dotted_name(arg.value))
        if kind is not None:
            return kind
    return None


def _imported_class_kind(context: RuleContext, name: str | None) -> str | None:
    """A base class imported from a project module: is it a Pydantic model there?"""
    if not name or name.split(".", 1)[0] not in context.facts.imports:
        return None
    parsed = imported_module(context, name)
    if parsed is None:
        return None
    found = (
        statement
        for statement in parsed.module.body
        if isinstance(statement, cst.ClassDef) and statement.name.value == short(name)
    )
    definition = next(found, None)
    for arg in definition.bases if definition is not None else ():
        base = short(dotted_name(_subscripted(arg.value)))
        if base in _SETTINGS_BASES:
            return "settings"
        if base in _PYDANTIC_BASES or base == "SQLModel":
            return "model"
    return None


def schema_role(name: str) -> str | None:
    """Tell from its name whether a schema is read from requests or sent in responses.

    Args:
        name: The class name.

    Returns:
        ``request``, ``response`` or None when the name does not say.
    """
    if _REQUEST_SCHEMA.search(name):
        return "request"
    if _RESPONSE_SCHEMA.search(name):
        return "response"
    return None


# -- module rules ------------------------------------------------------------------------


def local_owner_kind(context: RuleContext, owner: cst.BaseExpression) -> str | None:
    """Tell what an owner is from the enclosing functions alone (a factory's ``app``).

    Module rules keep this in their per-statement summaries: it depends on the statement
    only, while what a module-level name is depends on the facts of the moment.

    Args:
        context: The rule context.
        owner: The expression a route or router is registered on.

    Returns:
        ``app``, ``router`` or None when the functions around say nothing.
    """
    if not isinstance(owner, cst.Name):
        return None
    for node in reversed(context.ancestors):
        if isinstance(node, cst.FunctionDef):
            kind = _local_kind(context, node, owner.value)
            if kind is not None:
                return kind
    return None


def summary_range(context: RuleContext, index: int, node: cst.CSTNode) -> Range:
    """Return a summarized node's range, or its statement's start when it is gone.

    Args:
        context: The rule context.
        index: The top-level statement the summary came from (a hint for the search).
        node: The node.

    Returns:
        The range.
    """
    positions = context.positions
    try:
        return positions.range_of(node, index)
    except KeyError:
        line = positions.first_line(index)
        return Range.of(line, 0, line, 0)


def router_prefix(context: RuleContext, router: str) -> str | None:
    """Return the ``prefix=`` of the ``APIRouter(...)`` a name is bound to, here or elsewhere.

    Args:
        context: The rule context.
        router: The router as written at the include (``users.router``, ``api_router``).

    Returns:
        The prefix ("" when it has none), or None when it cannot be known.
    """
    facts = context.facts
    value = facts.values.get(router) if "." not in router else None
    if value is None and router.split(".", 1)[0] in facts.imports:
        parsed = imported_module(context, router)
        if parsed is not None:
            facts = parsed.facts
            value = facts.values.get(short(router))
    if not isinstance(value, cst.Call) or short(facts.qualify(value.func)) != "APIRouter":
        return None
    prefix = keyword_value(value, "prefix")
    return "" if prefix is None else string_value(prefix)


def module_has_health(parsed: Parsed) -> bool:
    """Tell whether another module registers a health route (``@router.get("/health")``).

    Args:
        parsed: The module.

    Returns:
        True when one of its route decorators, or a router prefix, is a health path.
    """
    for node in _calls(parsed.module):
        name = short(dotted_name(node.func))
        if name == "APIRouter":
            path = string_value(keyword_value(node, "prefix"))
        elif isinstance(node.func, cst.Attribute) and name in ROUTE_METHODS | {"add_api_route"}:
            path = string_value(positional(node, 0) or keyword_value(node, "path"))
        else:
            continue
        if path is not None and is_health(path):
            return True
    return False


def _calls(module: cst.Module) -> Iterator[cst.Call]:
    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.Call] = []

        def visit_Call(self, node: cst.Call) -> None:
            self.found.append(node)

    finder = _Finder()
    module.visit(finder)
    yield from finder.found

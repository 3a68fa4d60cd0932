"""What the FastAPI rules share: apps, routers, route handlers, parameters and schemas.

Everything is decided here once per module (cached on the rule context) so the ten
BP3xx rules agree. One module a question:

* :mod:`.values`: **the words the rules know** (route methods, ``app``/``router``) and
  small readers of calls and literals (keyword and positional arguments, strings, HTTP
  status numbers, the import a fix extends);
* :mod:`.paths`: **what a path says**: its text (also through a module constant), its
  version segment, whether it is operational (health, docs, root) or a health check;
* :mod:`.cache`: what the helpers remember for one check;
* :mod:`.apps`: **which names are apps and routers**: a name bound to ``FastAPI(...)``
  (under any alias), a name bound to a factory of this module that builds one
  (``app = create_app()``), a parameter annotated ``FastAPI``, or a name imported from a
  project module where it is one (asked through :mod:`precepts.crossfile`, which never
  imports workspace code); a *router* likewise for ``APIRouter``. A name defined nowhere
  falls back to its spelling (``app``, ``*_router``): that is how the standard's snippets
  are read;
* :mod:`.routes`: **which functions are routes**: a function decorated with
  ``@<app or router>.<method>(path, ...)`` or registered with
  ``<owner>.add_api_route(path, function, ...)``;
* :mod:`.params`: **where each parameter is read from**, as FastAPI classifies them
  (``fastapi.dependencies.utils``): a name of the path template is a path parameter, a
  marker (``Depends``, ``Query``, ``Body``...) in the default or in ``Annotated[...]``
  decides, ``Request``-like types are injected, a complex type (a mapping, a sequence, a
  model) is read from the body and anything else (a scalar, ``Any``, no annotation) from
  the query string;
* :mod:`.models`: **which classes are Pydantic models**: a class deriving from
  ``BaseModel``/``BaseSettings``/``SQLModel`` (without ``table=True``) here or in another
  project module; its name says whether it is a request schema (``UserCreate``) or a
  response schema (``UserResponse``);
* :mod:`.module_scope`: what the module rules ask of a whole module or of another one.

Callers keep one import, ``from precepts.rules.fastapi import _routes``, and reach
every public name of the modules above as ``_routes.<name>``.
"""

from precepts.rules.fastapi._routes.apps import imported_module, module_kind, owner_kind
from precepts.rules.fastapi._routes.models import pydantic_models, schema_role
from precepts.rules.fastapi._routes.module_scope import (
    local_owner_kind,
    module_has_health,
    router_prefix,
    summary_range,
)
from precepts.rules.fastapi._routes.params import (
    UNTYPED_BODY,
    Param,
    is_complex,
    params_of,
    union_members,
    untyped_body_type,
)
from precepts.rules.fastapi._routes.paths import (
    HEALTH_SEGMENTS,
    OPERATIONAL_SEGMENTS,
    has_version,
    is_health,
    is_operational,
    is_versioned,
    path_params,
    path_text,
)
from precepts.rules.fastapi._routes.routes import Route, enclosing_route, route_of, routes_of
from precepts.rules.fastapi._routes.values import (
    APP,
    ROUTE_METHODS,
    ROUTER,
    keyword_value,
    last_from_import,
    positional,
    short,
    status_number,
    string_value,
    uses_fastapi,
)

__all__ = [
    "APP",
    "HEALTH_SEGMENTS",
    "OPERATIONAL_SEGMENTS",
    "ROUTER",
    "ROUTE_METHODS",
    "UNTYPED_BODY",
    "Param",
    "Route",
    "enclosing_route",
    "has_version",
    "imported_module",
    "is_complex",
    "is_health",
    "is_operational",
    "is_versioned",
    "keyword_value",
    "last_from_import",
    "local_owner_kind",
    "module_has_health",
    "module_kind",
    "owner_kind",
    "params_of",
    "path_params",
    "path_text",
    "positional",
    "pydantic_models",
    "route_of",
    "router_prefix",
    "routes_of",
    "schema_role",
    "short",
    "status_number",
    "string_value",
    "summary_range",
    "union_members",
    "untyped_body_type",
    "uses_fastapi",
]

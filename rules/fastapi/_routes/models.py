"""Which classes are Pydantic models, and whether a schema serves requests or responses.

A Pydantic model is a class deriving from ``BaseModel``/``BaseSettings``/``SQLModel``
(without ``table=True``) here or in another project module; its name says whether it is a
request schema (``UserCreate``) or a response schema (``UserResponse``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.fastapi._routes.apps import imported_module
from precepts.rules.fastapi._routes.params import _subscripted
from precepts.rules.fastapi._routes.values import short

if TYPE_CHECKING:
    from precepts.context import RuleContext

_PYDANTIC_BASES = frozenset({"BaseModel", "GenericModel", "RootModel"})
_SETTINGS_BASES = frozenset({"BaseSettings"})
_REQUEST_SCHEMA = re.compile(
    r"(Create|Update|Patch|In|Input|Request|Payload|Form|Register|Signup|SignUp|Body)$"
)
_RESPONSE_SCHEMA = re.compile(
    r"(Response|Out|Output|Read|Public|View|Info|Detail|Details|Result|Results|Summary)$"
)


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
    # Many classes share a base (every ORM model derives from ``Base``): ask once a check.
    return context.memo((_imported_class_kind, name), lambda: _kind_in_project(context, name))


def _kind_in_project(context: RuleContext, name: str) -> str | None:
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

"""What a route path says: its literal text, its version, whether it is operational.

A path is read from a literal or a module constant; a version segment (``/v1``), the
operational prefixes (health, docs, root) and the ``{placeholders}`` of a template are
told from its text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from precepts.rules.fastapi._routes.values import string_value

if TYPE_CHECKING:
    from precepts.context import RuleContext

_PATH_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?}")
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

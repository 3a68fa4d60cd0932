"""``HTTPException`` calls and their status codes, for the authorization rules."""

from __future__ import annotations

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name

_HTTP_EXCEPTIONS = frozenset(
    {
        "HTTPException",
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    }
)


# ``http.HTTPStatus`` members the authorization rules care about.
_PHRASES = {"UNAUTHORIZED": 401, "FORBIDDEN": 403}


def is_http_exception(facts: ModuleFacts, call: cst.Call) -> bool:
    """Tell whether a call builds FastAPI's (or Starlette's) ``HTTPException``.

    Args:
        facts: The module's facts.
        call: A call.

    Returns:
        True for ``HTTPException(...)`` under any import alias.
    """
    return facts.qualify(call.func) in _HTTP_EXCEPTIONS


def status_of(call: cst.Call) -> int | None:
    """Return the status code of ``HTTPException(401)``, ``status.HTTP_401_...``, ``HTTPStatus``.

    Args:
        call: The ``HTTPException`` call.

    Returns:
        The code, or None when it is not a literal or a ``status`` constant.
    """
    value = _status_argument(call)
    if isinstance(value, cst.Integer):
        return int(value.value)
    name = dotted_name(value) if value is not None else None
    return _status_of_name(name) if name is not None else None


def _status_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The first positional argument, or ``status_code=``."""
    value = None
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            value = arg.value if value is None else value
        elif arg.keyword is not None and arg.keyword.value == "status_code":
            value = arg.value
    return value


def _status_of_name(name: str) -> int | None:
    """``status.HTTP_401_UNAUTHORIZED`` → 401, ``HTTPStatus.FORBIDDEN`` → 403."""
    owner, _, last = name.rpartition(".")
    if last in _PHRASES and owner.endswith("HTTPStatus"):
        return _PHRASES[last]
    parts = last.split("_")
    if len(parts) >= 2 and parts[0] == "HTTP" and parts[1].isdigit():
        return int(parts[1])
    return None

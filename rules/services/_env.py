"""Reads of the process environment and settings classes, shared by BP607 and BP608."""

from __future__ import annotations

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name

# Functions (qualified) that read one environment variable.
_ENV_FUNCTIONS = frozenset({"os.getenv", "os.environ.get", "posix.getenv", "os.getenvb"})
_ENVIRON = frozenset({"os.environ", "os.environb"})


def env_read(facts: ModuleFacts, node: cst.CSTNode) -> cst.BaseExpression | None:
    """Tell whether a node reads one environment variable, and return the variable's key.

    ``os.getenv(key, ...)``, ``os.environ.get(key, ...)`` and ``os.environ[key]`` (as a
    value), under any import alias (``from os import environ, getenv``).

    Args:
        facts: The module's facts.
        node: Any node.

    Returns:
        The key expression, or None when the node is not such a read.
    """
    if isinstance(node, cst.Call):
        if _qualified(facts, node.func) not in _ENV_FUNCTIONS or not node.args:
            return None
        first = node.args[0]
        return None if first.star else first.value
    if isinstance(node, cst.Subscript) and _qualified(facts, node.value) in _ENVIRON:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return node.slice[0].slice.value
    return None


def is_env_call(facts: ModuleFacts, node: cst.Call) -> bool:
    """Tell whether a call reads the environment (``os.getenv``, ``os.environ.get``).

    Args:
        facts: The module's facts.
        node: The call.

    Returns:
        True for an environment read.
    """
    return _qualified(facts, node.func) in _ENV_FUNCTIONS


def _qualified(facts: ModuleFacts, node: cst.BaseExpression) -> str | None:
    name = dotted_name(node)
    if name is None or name.split(".", 1)[0] not in facts.imports:
        return None
    return facts.qualify(node)


def is_settings_class(node: cst.ClassDef) -> bool:
    """Tell whether a class is a settings class (a ``BaseSettings`` subclass, or named so).

    A subclass of a project's own settings base (``class Settings(AppSettings)``) counts
    when the base's name ends in ``Settings``.

    Args:
        node: The class.

    Returns:
        True for a settings class.
    """
    for arg in node.bases:
        name = dotted_name(arg.value)
        if name is not None and (name.rsplit(".", 1)[-1].endswith("Settings")):
            return True
    return False


def string_value(node: cst.BaseExpression) -> str | None:
    """Return a plain string literal's value, or None.

    Args:
        node: An expression.

    Returns:
        The value.
    """
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None

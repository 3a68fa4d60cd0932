"""What the password rules share: which values are plaintext passwords, which calls hash."""

from __future__ import annotations

import libcst as cst

from precepts.context import RuleContext
from precepts.facts import dotted_name
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import current_bindings, short_name, unwrap_await

_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "pass"})
# Words that say a value is already transformed (a hash, a digest, a ciphertext).
_TRANSFORMED_WORDS = frozenset(
    {"hash", "hashed", "digest", "encrypted", "crypt", "hashpw", "salt", "salted", "enc"}
)
# Words that say a password name is something else (a policy, a flag, a form field).
_NOT_VALUE_WORDS = frozenset(
    {"length", "len", "min", "max", "policy", "field", "reset", "token", "url", "required",
     "expired", "expires", "changed", "set", "enabled", "label", "regex", "pattern", "mode",
     "hint", "strength", "confirm", "confirmation", "auth", "login", "manager", "type"}
)  # fmt: skip
# The hashing helpers the standard names, and their usual spellings.
HASH_FUNCTIONS = frozenset(
    {
        "hash_password",
        "get_password_hash",
        "make_password",
        "generate_password_hash",
        "hashpw",
        "hash",
        "encrypt_password",
    }
)


def is_password_name(name: str | None) -> bool:
    """Tell whether a name holds a plaintext password (``password``, ``new_password``).

    Args:
        name: An identifier or key.

    Returns:
        True for a password's name that does not say it is hashed.
    """
    if not name:
        return False
    words = name_words(name)
    if not words or words[-1] not in _PASSWORD_WORDS - {"pass"}:
        return False
    return not (set(words) & (_TRANSFORMED_WORDS | _NOT_VALUE_WORDS))


def is_hashed_name(name: str | None) -> bool:
    """Tell whether a name is meant to hold a password hash (``hashed_password``).

    Args:
        name: An identifier or keyword.

    Returns:
        True when it names a hash of a password.
    """
    if not name:
        return False
    words = set(name_words(name))
    return bool(words & {"password", "passwd", "pwd"}) and bool(words & _TRANSFORMED_WORDS)


def _named(node: cst.BaseExpression) -> str | None:
    """The name a value is read under: ``password``, ``data.password``, ``d["password"]``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        if node.attr.value == "data" and isinstance(node.value, cst.Attribute):
            return node.value.attr.value  # WTForms: form.password.data
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        return string_value(index.value) if isinstance(index, cst.Index) else None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return _named_by_call(node, node.func)
    return None


def _named_by_call(node: cst.Call, func: cst.Attribute) -> str | None:
    """``password.get_secret_value()`` (pydantic) and ``data.get("password")``."""
    if func.attr.value == "get_secret_value":
        return _named(func.value)
    if func.attr.value == "get" and node.args:
        return string_value(node.args[0].value)
    return None


def is_plain_password(
    context: RuleContext, node: cst.BaseExpression, depth: int = 0, *, parameters: bool = False
) -> bool:
    """Tell whether a value is a plaintext password.

    An attribute or key called ``password`` (``data.password``, ``form["password"]``,
    ``password.get_secret_value()``), a local name assigned from one, or a name called
    so that is bound nowhere (a snippet). A value assigned from any call (a hash) is not
    plaintext, and neither is a ``password`` parameter: its caller may pass the hash.

    Args:
        context: The rule context (the bindings around the walker).
        node: The value.
        depth: Recursion guard.
        parameters: Count a parameter called ``password`` too (what is hashed, not stored).

    Returns:
        True for a plaintext password.
    """
    node = unwrap_await(node)
    if isinstance(node, cst.Name) and depth < 3:
        bindings = current_bindings(context).of(node.value)
        values = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
        if values:
            return all(
                is_plain_password(context, value, depth + 1, parameters=parameters)
                for value in values
            )
        if bindings and not (parameters and any(b.kind == "param" for b in bindings)):
            return False  # a parameter, a loop variable: what it holds is not known here
    return is_password_name(_named(node))


def mentions_password(context: RuleContext, node: cst.CSTNode) -> bool:
    """Tell whether a plaintext password is part of an expression (``password.encode()``).

    Args:
        context: The rule context.
        node: An argument.

    Returns:
        True when a password value appears in it.
    """
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute, cst.Subscript)) and is_plain_password(
            context, current, parameters=True
        ):
            return True
        if isinstance(current, cst.Call) and _is_hash_call(current):
            continue  # a hash of the password is not the password
        stack.extend(current.children)
    return False


def _is_hash_call(call: cst.Call) -> bool:
    name = short_name(dotted_name(call.func))
    return name in HASH_FUNCTIONS or "hash" in name_words(name)

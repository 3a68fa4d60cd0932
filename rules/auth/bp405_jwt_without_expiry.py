"""BP405 jwt-without-expiry: a token signed from a payload that never gets ``exp``."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.auth._claims import is_jwt_decode, jwt_call_kind
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import current_bindings, enclosing_function

# What a payload is known to be: it has ``exp``, it lacks it, or nothing can be said.
_HAS, _LACKS, _UNKNOWN = "has", "lacks", "unknown"


def _payload_arg(call: cst.Call, library: str) -> cst.BaseExpression | None:
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in {"payload", "claims"}:
            return arg.value
    index = 1 if library == "authlib" else 0  # authlib: encode(header, payload, key)
    return positional[index] if len(positional) > index else None


def _literal_verdict(value: cst.BaseExpression) -> str:
    """Whether a dict built in place has ``exp``: a literal or ``dict(k=v)``."""
    if isinstance(value, cst.Dict):
        return _dict_verdict(value)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
        if value.func.value == "dict":
            if any(arg.keyword is None for arg in value.args):
                return _UNKNOWN
            names = {arg.keyword.value for arg in value.args if arg.keyword is not None}
            return _HAS if "exp" in names else _LACKS
    return _UNKNOWN


def _dict_verdict(value: cst.Dict) -> str:
    keys = []
    for element in value.elements:
        if not isinstance(element, cst.DictElement):
            return _UNKNOWN  # ``{**other}``
        keys.append(string_value(element.key))
    if "exp" in keys:
        return _HAS
    return _UNKNOWN if None in keys else _LACKS


def _nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _mutation_verdict(node: cst.CSTNode, name: str) -> str | None:
    """What one node of the function does to ``name``: adds ``exp``, or unknown."""
    if isinstance(node, cst.Subscript) and _is_name(node.value, name):
        return _key_verdict(node)
    if isinstance(node, cst.AugAssign) and _is_name(node.target, name):
        return _literal_verdict(node.value) if isinstance(node.value, cst.Dict) else _UNKNOWN
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if _is_name(node.func.value, name):
            return _method_verdict(node, node.func.attr.value)
    return None


def _key_verdict(node: cst.Subscript) -> str | None:
    """``payload["exp"]`` has it; ``payload[key]`` may be anything."""
    index = node.slice[0].slice if len(node.slice) == 1 else None
    key = string_value(index.value) if isinstance(index, cst.Index) else None
    if key == "exp":
        return _HAS
    return None if key else _UNKNOWN


def _method_verdict(node: cst.Call, method: str) -> str | None:
    """``payload.setdefault("exp", ...)`` / ``payload.update(...)``."""
    if method == "setdefault" and node.args:
        return _HAS if string_value(node.args[0].value) == "exp" else None
    if method != "update":
        return None
    if any(arg.keyword is not None and arg.keyword.value == "exp" for arg in node.args):
        return _HAS
    verdicts = [_literal_verdict(arg.value) for arg in node.args if arg.keyword is None]
    if _HAS in verdicts:
        return _HAS
    return _UNKNOWN if _UNKNOWN in verdicts else None


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


class JwtWithoutExpiry(Rule):
    """Flags ``jwt.encode`` of a payload that never gets an ``exp`` claim."""

    code = "BP405"
    name = "jwt-without-expiry"
    family = "auth"
    section = "Authentication & Authorization"
    severity = Severity.ERROR
    message = "JWT signed without an `exp` claim: the token never expires"
    summary = (
        "`jwt.encode(payload, ...)` (PyJWT, python-jose; authlib's `jwt.encode(header, "
        "payload, key)`) where the payload is built in the function — a dict literal or "
        '`dict(...)`, then `payload["exp"] = ...`, `payload.update(...)` or '
        "`payload.setdefault(...)` anywhere in the function — and never gets an `exp` key."
    )
    why = (
        "A token without `exp` is valid forever: a leaked or stolen token cannot be "
        "revoked by waiting, and logging out means nothing. The standard gives every access "
        'token an expiry (`to_encode.update({"exp": expire})`).'
    )
    leaves_alone = (
        "A token decoded again in the same function (a self-test of the keys, never handed "
        "out). Payloads that are not built in the function (a parameter, a copy of one, a model's "
        "`.dict()`), payloads merged from other dicts (`{**claims}`, `update(extra)`) where "
        "`exp` may come from elsewhere, non-literal keys, and tests."
    )
    bad = (
        Example(
            "import os\n"
            "\n"
            "import jwt\n"
            "\n"
            "\n"
            "def create_token(user_id: int) -> str:\n"
            '    """Sign a token for a user."""\n'
            '    return jwt.encode({"sub": str(user_id)}, os.environ["SECRET_KEY"])\n',
            line=8,
        ),
    )
    good = (
        Example(
            "import os\n"
            "from datetime import datetime, timedelta, timezone\n"
            "\n"
            "from jose import jwt\n"
            "\n"
            "\n"
            "def create_access_token(data: dict) -> str:\n"
            '    """Sign an access token that expires in 15 minutes."""\n'
            "    to_encode = data.copy()\n"
            "    expire = datetime.now(timezone.utc) + timedelta(minutes=15)\n"
            '    to_encode.update({"exp": expire})\n'
            '    return jwt.encode(to_encode, os.environ["SECRET_KEY"], algorithm="HS256")\n'
        ),
        Example(
            "import os\n"
            "from datetime import datetime, timedelta, timezone\n"
            "\n"
            "import jwt\n"
            "\n"
            "\n"
            "def create_token(user_id: int) -> str:\n"
            '    """Sign a token for a user."""\n'
            '    payload = {"sub": str(user_id)}\n'
            '    payload["exp"] = datetime.now(timezone.utc) + timedelta(hours=1)\n'
            '    return jwt.encode(payload, os.environ["SECRET_KEY"])\n'
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``jwt.encode(...)``."""
        func = node.func
        if not isinstance(func, (cst.Attribute, cst.Name)) or self.context.is_test:
            return
        last = func.attr.value if isinstance(func, cst.Attribute) else func.value
        if last != "encode":
            return
        kind = jwt_call_kind(self.context.facts, node)
        if kind is None or kind[1] != "encode":
            return
        payload = _payload_arg(node, kind[0])
        if payload is not None and self._verdict(payload) == _LACKS and not self._round_trip(node):
            self.report(node)

    def _round_trip(self, node: cst.Call) -> bool:
        """``token = jwt.encode(...)`` decoded again in the same function: a key self-test."""
        parent = self.context.parent
        function = enclosing_function(self.context)
        if not isinstance(parent, cst.Assign) or function is None:
            return False
        names = {t.target.value for t in parent.targets if isinstance(t.target, cst.Name)}
        facts = self.context.facts
        for inner in _nodes(function.body):
            if isinstance(inner, cst.Call) and is_jwt_decode(facts, inner) and inner.args:
                first = inner.args[0].value
                if isinstance(first, cst.Name) and first.value in names:
                    return True
        return False

    def _verdict(self, payload: cst.BaseExpression) -> str:
        if not isinstance(payload, cst.Name):
            return _literal_verdict(payload)
        function = enclosing_function(self.context)
        if function is None:
            return _UNKNOWN
        bindings = current_bindings(self.context).of(payload.value)
        if not bindings or any(b.kind != "assign" or b.value is None for b in bindings):
            return _UNKNOWN
        verdicts = {_literal_verdict(b.value) for b in bindings}  # type: ignore[arg-type]
        if verdicts != {_LACKS}:
            return _HAS if _HAS in verdicts and _UNKNOWN not in verdicts else _UNKNOWN
        for node in _nodes(function.body):
            verdict = _mutation_verdict(node, payload.value)
            if verdict is not None:
                return verdict
        return _LACKS

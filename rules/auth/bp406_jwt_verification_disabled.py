"""BP406 jwt-verification-disabled: decoding a JWT without checking what makes it trustworthy."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.auth._claims import jwt_call_kind
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import enclosing_function, keyword

_DECODES = frozenset({"decode", "decode_complete"})
_UNVERIFIED = "JWT decoded with "


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _signature_off(options: cst.BaseExpression) -> bool:
    """``options={"verify_signature": False}`` written as a literal."""
    if isinstance(options, cst.Dict):
        return any(
            isinstance(e, cst.DictElement)
            and string_value(e.key) == "verify_signature"
            and _is_false(e.value)
            for e in options.elements
        )
    if isinstance(options, cst.Call) and getattr(options.func, "value", None) == "dict":
        return any(
            arg.keyword is not None and arg.keyword.value == "verify_signature"
            and _is_false(arg.value)
            for arg in options.args
        )  # fmt: skip
    return False


def _mentions_id_token(node: cst.BaseExpression) -> bool:
    """The decoded value is an OIDC ID token (``id_token``, ``token["id_token"]``)."""
    if isinstance(node, cst.Name):
        return node.value == "id_token"
    if isinstance(node, cst.Attribute):
        return node.attr.value == "id_token"
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        return isinstance(index, cst.Index) and string_value(index.value) == "id_token"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        first = node.args[0].value if node.args else None
        return node.func.attr.value == "get" and string_value(first) == "id_token"
    return False


class JwtVerificationDisabled(Rule):
    """Flags JWT decodes that skip signature, algorithm, audience or issuer checks."""

    code = "BP406"
    name = "jwt-verification-disabled"
    family = "auth"
    section = "OpenID Connect (OIDC) for Authentication, Security Checklist"
    severity = Severity.ERROR
    message = "JWT decoded without verification"
    summary = (
        "A JWT decode (PyJWT `jwt.decode`/`decode_complete`, python-jose `jwt.decode`, any "
        'alias) with `verify=False`, with `options={"verify_signature": False}`, or '
        "without `algorithms=`; and an OIDC ID-token decode (`id_token`, "
        '`token["id_token"]`) without `audience=` and `issuer=` (authlib: without '
        "`claims_options=`)."
    )
    why = (
        "An unverified token is just JSON anyone can write: skipping the signature lets a "
        "client sign in as anyone. Without `algorithms=` the token's own header picks the "
        "algorithm (the `none` and HS/RS confusion attacks). An ID token issued for another "
        "client or by another issuer is a valid signature for the wrong audience: the "
        "standard's checklist requires both checks."
    )
    leaves_alone = (
        "An unverified peek at a token that the same function then decodes with "
        "verification (reading `iss` to pick the provider's keys). Decodes that pass their "
        "options or keyword arguments through variables or "
        "`**kwargs` (nothing can be said), `jwt.get_unverified_header`, and tests (which "
        "build tokens)."
    )
    bad = (
        Example(
            "import jwt\n"
            "\n"
            "\n"
            "def claims_of(token: str) -> dict:\n"
            '    """Read a token\'s claims."""\n'
            '    return jwt.decode(token, options={"verify_signature": False})\n',
            line=6,
        ),
        Example(
            "import os\n"
            "\n"
            "from jose import jwt\n"
            "\n"
            "\n"
            "def claims_of(token: str) -> dict:\n"
            '    """Read a token\'s claims."""\n'
            '    return jwt.decode(token, os.environ["SECRET_KEY"])\n',
            line=8,
        ),
        Example(
            "import jwt\n"
            "\n"
            "\n"
            "def identity(id_token: str, key: str) -> dict:\n"
            '    """Read an OIDC ID token."""\n'
            '    return jwt.decode(id_token, key, algorithms=["RS256"])\n',
            line=6,
        ),
    )
    good = (
        Example(
            "import os\n"
            "\n"
            "import jwt\n"
            "\n"
            "\n"
            "def identity(id_token: str, key: str) -> dict:\n"
            '    """Read an OIDC ID token."""\n'
            "    return jwt.decode(\n"
            "        id_token,\n"
            "        key,\n"
            '        algorithms=["RS256"],\n'
            '        audience=os.environ["OIDC_CLIENT_ID"],\n'
            '        issuer=os.environ["OIDC_ISSUER"],\n'
            "    )\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check a JWT decode."""
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if last not in _DECODES or self.context.is_test:
            return
        kind = jwt_call_kind(self.context.facts, node)
        if kind is None or kind[1] not in _DECODES:
            return
        if any(arg.star == "**" for arg in node.args):
            return
        message = self._problem(node, kind[0])
        if message is not None and not (message.startswith(_UNVERIFIED) and self._peek(node)):
            self.report(node, message)

    def _peek(self, node: cst.Call) -> bool:
        """The same token is decoded again, verified, in the function: this is a peek."""
        function = enclosing_function(self.context)
        if function is None or not node.args:
            return False
        code = self.context.code_for
        token = code(node.args[0].value)
        stack: list[cst.CSTNode] = [function.body]
        while stack:
            inner = stack.pop()
            stack.extend(inner.children)
            if not isinstance(inner, cst.Call) or inner is node or not inner.args:
                continue
            kind = jwt_call_kind(self.context.facts, inner)
            if kind is None or kind[1] not in _DECODES or code(inner.args[0].value) != token:
                continue
            problem = self._problem(inner, kind[0])
            if problem is None or not problem.startswith(_UNVERIFIED):
                return True
        return False

    def _problem(self, node: cst.Call, library: str) -> str | None:
        verify = keyword(node, "verify")
        if verify is not None and _is_false(verify.value):
            return f"{_UNVERIFIED}`verify=False`: the signature is not checked"
        options = keyword(node, "options")
        if options is not None and _signature_off(options.value):
            return f"{_UNVERIFIED}`verify_signature: False`: anyone can forge this token"
        if library != "authlib" and keyword(node, "algorithms") is None:
            positional = [a for a in node.args if a.keyword is None and not a.star]
            if len(positional) < 3:  # PyJWT and jose take algorithms third
                return "JWT decoded without `algorithms=`: the token's header picks the algorithm"
        return self._id_token_problem(node, library, options)

    def _id_token_problem(
        self, node: cst.Call, library: str, options: cst.Arg | None
    ) -> str | None:
        token = node.args[0].value if node.args and node.args[0].keyword is None else None
        if token is None or not _mentions_id_token(token):
            return None
        if library == "authlib":
            if keyword(node, "claims_options") is None:
                return "ID token decoded without `claims_options=`: audience and issuer unchecked"
            return None
        missing = [name for name in ("audience", "issuer") if keyword(node, name) is None]
        if missing and options is None:
            listed = " and ".join(f"`{name}=`" for name in missing)
            return f"ID token decoded without {listed}: a token for another client passes"
        return None

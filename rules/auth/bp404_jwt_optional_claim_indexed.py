"""BP404 jwt-optional-claim-indexed: optional claims read with ``[...]`` instead of ``.get``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import libcst as cst

from precepts.rule import Example, Option, Replace, Rule
from precepts.rules.auth._access import OPTIONAL_CLAIM_DEFAULTS, claim_read, is_store
from precepts.rules.auth._claims import is_claims
from precepts.rules.sql._sqlcst import string_value


def _guarded(
    key: str, receiver: str, ancestors: Sequence[cst.CSTNode], code: Callable[[cst.CSTNode], str]
) -> bool:
    """Tell whether an enclosing ``if`` tests ``"key" in receiver`` first."""
    for node in ancestors:
        test = node.test if isinstance(node, (cst.If, cst.IfExp, cst.While)) else None
        if test is None:
            continue
        for part in _parts(test):
            if (
                isinstance(part, cst.Comparison)
                and string_value(part.left) == key
                and any(isinstance(t.operator, cst.In) for t in part.comparisons)
                and code(part.comparisons[0].comparator) == receiver
            ):
                return True
    return False


def _parts(test: cst.BaseExpression) -> list[cst.BaseExpression]:
    parts: list[cst.BaseExpression] = []
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        else:
            parts.append(node)
    return parts


# The first lines of the edge cases below: a function given a token's claims.
_CLAIMS = (
    "from fastapi import Depends\n"
    "from app.auth import get_current_user\n"
    "def f(claims: dict = Depends(get_current_user)):\n"
)


class JwtOptionalClaimIndexed(Rule):
    """Flags optional claims read by indexing."""

    code = "BP404"
    name = "jwt-optional-claim-indexed"
    family = "auth"
    section = "Common JWT Fields Reference, JWT Field Access Checklist"
    message = "Optional JWT claim read with `[...]`: use `.get()` with the standard's default"
    summary = (
        'Direct indexing of an optional claim of a JWT claims dict: `claims["role"]`, '
        '`["permissions"]`, `["first_name"]`, `["last_name"]`, `["desired_name"]`, '
        '`["type"]` (and `["email"]` when the option lists it).'
    )
    why = (
        "Optional claims are missing from some tokens (a service token has no name, an old "
        "token no permissions): indexing raises `KeyError` and turns a valid request into a "
        "500. The standard's table gives each optional claim its `.get()` default."
    )
    leaves_alone = (
        "Required claims (`sub`, `exp`, `iat`, and `email` by default, as the standard's "
        'table reads it with `[...]`), reads guarded by `if "role" in claims:`, writes, and '
        "dicts that are not claims."
    )
    fix_description = (
        'Replaces the index with `.get()` and the standard\'s default: `.get("role", '
        '"user")`, `.get("permissions", [])`, `.get("first_name", "")`, `.get("last_name", '
        '"")`, `.get("desired_name")`, `.get("type", "access")`; other claims listed in the '
        "option get no default."
    )
    options = {
        "optional-claims": Option(
            ["role", "permissions", "first_name", "last_name", "desired_name", "type"],
            "Claims that a token may lack (add `email` when your tokens may omit it).",
        )
    }
    bad = (
        Example(
            "from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def role_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> str:\n"
            '    """Return the role of the signed-in user."""\n'
            '    return current_user["role"]\n',
            line=10,
            fixed="from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def role_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> str:\n"
            '    """Return the role of the signed-in user."""\n'
            '    return current_user.get("role", "user")\n',
        ),
    )
    good = (
        Example(
            "from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def name_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> str:\n"
            '    """Return the display name of the signed-in user."""\n'
            '    first = current_user.get("first_name", "")\n'
            '    if "role" in current_user:\n'
            "        first = f\"{first} ({current_user['role']})\"\n"
            '    return current_user.get("desired_name") or first or current_user["email"]\n'
        ),
    )
    bad_cases = (
        Example(
            _CLAIMS + '    return claims["permissions"]\n',
            line=4,
            fixed=_CLAIMS + '    return claims.get("permissions", [])\n',
        ),
        Example(_CLAIMS + '    return claims["first_name"]\n', line=4),
        Example(_CLAIMS + '    return claims["type"]\n', line=4),
        Example(
            _CLAIMS + '    return claims["email"]\n',
            line=4,
            options={"optional-claims": ["role", "email"]},
        ),
    )
    good_cases = (
        _CLAIMS + '    return claims["sub"]',
        _CLAIMS + '    return claims["email"]',  # required unless the option lists it
        _CLAIMS + '    return claims["exp"] - claims["iat"]',
        _CLAIMS + '    if "role" in claims:\n        return claims["role"]',
        _CLAIMS + '    claims["role"] = "admin"',  # a write
        'def f(row: dict):\n    return row["role"]',  # not claims
    )

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Check ``claims["role"]`` and the other optional claims."""
        read = claim_read(node)
        if read is None or read.key not in self.option("optional-claims"):
            return
        ancestors = self.context.ancestors
        if is_store(node, ancestors) or not is_claims(self.context, read.receiver):
            return
        receiver = self.context.code_for(read.receiver)
        if _guarded(read.key, receiver, ancestors, self.context.code_for):
            return
        default = OPTIONAL_CLAIM_DEFAULTS.get(read.key)
        key = self.context.code_for(node.slice[0].slice.value)  # type: ignore[attr-defined]
        new = f"{receiver}.get({key}, {default})" if default else f"{receiver}.get({key})"
        self.report(
            node,
            f'Optional JWT claim `"{read.key}"` read with `[...]`: use `{new}`',
            fix=self.fix(f"Use `{new}`", Replace(node, new)),
        )

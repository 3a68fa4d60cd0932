"""BP410 role-based-authorization: access decided by comparing a role, not OAuth2 scopes."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name
from precepts.rule import Example, Rule
from precepts.rules.auth._access import claim_read
from precepts.rules.auth._claims import AUTH_WORDS, is_claims
from precepts.rules.auth._http import is_http_exception, status_of
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sql._sqlcst import string_value

_ROLE_NAMES = frozenset({"role", "roles", "user_role", "user_roles", "role_name"})
# Words of a receiver that is the caller (``user.role``, ``current_user.role``), not data
# being validated (``form_data.role``).
_CALLER_WORDS = AUTH_WORDS | {"me", "current", "account", "member", "actor", "requester",
                               "admin", "caller"}  # fmt: skip


def _strings(node: cst.BaseExpression) -> bool:
    """A string literal, or a literal list/tuple/set of them."""
    if string_value(node) is not None:
        return True
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return bool(node.elements) and all(string_value(e.value) is not None for e in node.elements)
    return False


def _parts(test: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BooleanOperation):
            stack.extend((node.left, node.right))
        elif isinstance(node, cst.UnaryOperation):
            stack.append(node.expression)
        else:
            yield node


def _forbidden(block: cst.BaseSuite, facts: ModuleFacts) -> bool:
    """The block raises ``HTTPException(403)`` (or, with FastAPI, a ``*Forbidden*``) at once."""
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    for statement in statements:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            continue
        raised = [s for s in statement.body if isinstance(s, cst.Raise) and s.exc is not None]
        if raised:
            return _raises_forbidden(raised[0].exc, facts)  # type: ignore[arg-type]
    return False


def _raises_forbidden(exc: cst.BaseExpression, facts: ModuleFacts) -> bool:
    call = exc if isinstance(exc, cst.Call) else None
    if call is not None and is_http_exception(facts, call):
        return status_of(call) == 403
    name = dotted_name(call.func if call is not None else exc) or ""
    forbidden = "Forbidden" in name or "PermissionDenied" in name
    return forbidden and _uses_fastapi(facts)


def _uses_fastapi(facts: ModuleFacts) -> bool:
    return any(target.split(".", 1)[0] == "fastapi" for target in facts.imports.values())


class RoleBasedAuthorization(Rule):
    """Flags ``if user.role != "admin": raise HTTPException(403)``."""

    code = "BP410"
    name = "role-based-authorization"
    family = "auth"
    section = "OAuth2 for Authorization, Security Checklist"
    message = (
        "Authorization by role comparison: require an OAuth2 scope with "
        "`Security(..., scopes=[...])`"
    )
    summary = (
        'An `if` that compares the caller\'s role with a literal (`user.role != "admin"`, '
        '`current_user["role"] in ("admin", "owner")`, `"admin" in user.roles`) and '
        "answers 403 (`raise HTTPException(403)`, `status.HTTP_403_FORBIDDEN`, a "
        "`*Forbidden*` exception in a module that uses FastAPI), in routes and their "
        "dependencies alike."
    )
    why = (
        "Role checks spread a hard-coded list of who may do what across the routes: adding "
        "a role or splitting a permission means editing every route, and tokens cannot be "
        "narrowed to less than the user's whole role. The standard asks for OAuth2 scopes "
        "(`users:read`, `users:write`) declared on the route with `Security(...)` and checked "
        "in one dependency."
    )
    leaves_alone = (
        "Role comparisons that do not answer 403 (showing or hiding data), roles of "
        'something other than the caller (`form_data.role != "admin"` validating input).'
    )
    bad = (
        Example(
            "from fastapi import Depends, HTTPException, status\n"
            "\n"
            "from app.auth import get_current_user\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def require_admin(user: User = Depends(get_current_user)) -> User:\n"
            '    """Let only administrators through."""\n'
            '    if user.role != "admin":\n'
            "        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)\n"
            "    return user\n",
            line=9,
        ),
    )
    good = (
        Example(
            "from fastapi import Security\n"
            "\n"
            "from app.auth import TokenData, get_current_user_with_scopes\n"
            "\n"
            "\n"
            "def require_admin(\n"
            '    user: TokenData = Security(get_current_user_with_scopes, scopes=["admin:all"]),\n'
            ") -> TokenData:\n"
            '    """Let only tokens with the admin scope through."""\n'
            "    return user\n"
        ),
    )

    def visit_If(self, node: cst.If) -> None:
        """Check an ``if`` that compares a role and answers 403."""
        facts = self.context.facts
        comparison = next((p for p in _parts(node.test) if self._role_comparison(p)), None)
        if comparison is not None and _forbidden(node.body, facts):
            self.report(comparison)

    def _role_comparison(self, node: cst.BaseExpression) -> bool:
        if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
            return False
        target = node.comparisons[0]
        if isinstance(target.operator, (cst.In, cst.NotIn)) and string_value(node.left):
            return self._caller_role(target.comparator)
        if isinstance(target.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)):
            return _strings(target.comparator) and self._caller_role(node.left)
        return False

    def _caller_role(self, node: cst.BaseExpression) -> bool:
        """``user.role``, ``current_user["role"]``, ``claims.get("roles")``."""
        if isinstance(node, cst.Attribute):
            if node.attr.value not in _ROLE_NAMES:
                return False
            owner = dotted_name(node.value)
            return bool(owner) and bool(_CALLER_WORDS & set(name_words(owner.rsplit(".", 1)[-1])))
        read = claim_read(node)
        if read is None or read.key not in _ROLE_NAMES:
            return False
        return is_claims(self.context, read.receiver)

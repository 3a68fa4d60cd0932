"""BP402 jwt-id-claim: the user id read from claims as ``id``/``user_id`` instead of ``sub``."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Replace, Rule
from precepts.rules.auth._access import (
    ClaimRead,
    claim_read,
    is_converted,
    is_store,
    used_as_database_id,
)
from precepts.rules.auth._claims import is_claims

_ID_KEYS = frozenset({"id", "user_id", "userId", "uid"})


class JwtIdClaim(Rule):
    """Flags ``claims["id"]``: tokens carry the user id in ``sub``."""

    code = "BP402"
    name = "jwt-id-claim"
    family = "auth"
    section = "Correct JWT Field Access, JWT Token Handling (Critical)"
    message = 'JWT claims carry the user id in `"sub"`, not `"id"`'
    summary = (
        '`claims["id"]`, `claims.get("id")`, `claims["user_id"]` (also `uid`, `userId`) on '
        "a JWT claims dict: the value of `jwt.decode(...)`, a dependency such as "
        "`get_current_user` that returns claims (in this module or another of the "
        "workspace), or a name bound to them (`current_user: Dict[str, Any] = "
        "Depends(get_current_user)`, `payload = jwt.decode(...)`, a claims parameter of a "
        "helper)."
    )
    why = (
        'RFC 7519 names the subject of a token `"sub"`; a token has no `"id"` claim, so '
        '`current_user["id"]` raises `KeyError` (or `.get("id")` quietly gives None) on '
        "every request. It is the mistake the standard's JWT section was written against."
    )
    leaves_alone = (
        "Dicts that are not claims: JSON bodies, settings, row mappings, a dependency "
        'annotated as a model or returning one; writes (`payload["id"] = ...`).'
    )
    fix_description = (
        'Reads `"sub"` instead: `int(claims["sub"])` where the value is used as a database '
        "id (assigned to `*_id`, passed as `*_id=`, compared with an `id` column), "
        '`claims["sub"]` elsewhere.'
    )
    bad = (
        Example(
            "from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def owner_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user."""\n'
            '    owner_id = current_user["id"]\n'
            "    return owner_id\n",
            line=10,
            fixed="from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def owner_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user."""\n'
            '    owner_id = int(current_user["sub"])\n'
            "    return owner_id\n",
        ),
        Example(
            "import jwt\n"
            "\n"
            "\n"
            "def token_owner(token: str, key: str) -> str:\n"
            '    """Return who a token belongs to."""\n'
            '    payload = jwt.decode(token, key, algorithms=["HS256"])\n'
            '    return payload.get("user_id")\n',
            line=7,
            fixed="import jwt\n"
            "\n"
            "\n"
            "def token_owner(token: str, key: str) -> str:\n"
            '    """Return who a token belongs to."""\n'
            '    payload = jwt.decode(token, key, algorithms=["HS256"])\n'
            '    return payload["sub"]\n',
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
            "def owner_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the id of the signed-in user."""\n'
            '    return int(current_user["sub"])\n'
        ),
        Example(
            "from typing import Any\n"
            "\n"
            "\n"
            "def item_id(body: dict[str, Any]) -> int:\n"
            '    """Return the id of a JSON body (not claims)."""\n'
            '    return int(body["id"])\n'
        ),
    )

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Check ``claims["id"]``."""
        read = claim_read(node)
        if read is not None and read.key in _ID_KEYS:
            if not is_store(node, self.context.ancestors):
                self._check(read)

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``claims.get("id")``."""
        read = claim_read(node)
        if read is not None and read.key in _ID_KEYS:
            self._check(read)

    def _check(self, read: ClaimRead) -> None:
        if not is_claims(self.context, read.receiver):
            return
        ancestors = self.context.ancestors
        receiver = self.context.code_for(read.receiver)
        sub = f'{receiver}["sub"]'
        if used_as_database_id(read.node, ancestors) and not is_converted(ancestors):
            sub = f"int({sub})"
        message = f'JWT claims carry the user id in `"sub"`, not `"{read.key}"`'
        self.report(read.node, message, fix=self.fix(f"Read `{sub}`", Replace(read.node, sub)))

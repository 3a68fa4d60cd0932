"""BP403 jwt-sub-not-converted: the string ``sub`` claim used as an integer database id."""

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

# The first lines of the edge cases below: a function given a token's claims.
_CLAIMS = (
    "from fastapi import Depends\n"
    "from app.auth import get_current_user\n"
    "def f(claims: dict = Depends(get_current_user)):\n"
)


class JwtSubNotConverted(Rule):
    """Flags ``claims["sub"]`` used as a database id without ``int(...)``."""

    code = "BP403"
    name = "jwt-sub-not-converted"
    family = "auth"
    section = "JWT Field Access Checklist, Correct JWT Field Access"
    message = 'JWT `"sub"` is a string: convert it with `int(...)` before using it as an id'
    summary = (
        '`claims["sub"]` (or `claims.get("sub")`) of a JWT claims dict used as a database '
        "id without conversion: assigned to a name or attribute ending in `_id`, passed as "
        '`*_id=`, given to `setattr(obj, "x_id", ...)`, compared with an `id` column '
        '(`User.id == claims["sub"]`), or the key of `session.get(Model, ...)`.'
    )
    why = (
        'The subject claim is always a string (`"15"`), while integer primary and foreign '
        "keys expect an int: the comparison never matches, or the database driver rejects "
        "the value at run time."
    )
    leaves_alone = (
        'String uses of `"sub"` (logging, messages, `str(...)`), values already converted '
        "(`int(...)`, `UUID(...)`), and dicts that are not claims."
    )
    fix_description = 'Wraps the read in `int(...)`: `int(claims["sub"])`.'
    bad = (
        Example(
            "from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def author_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the author id of a new post."""\n'
            '    author_id = current_user["sub"]\n'
            "    return author_id\n",
            line=10,
            fixed="from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "\n"
            "def author_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the author id of a new post."""\n'
            '    author_id = int(current_user["sub"])\n'
            "    return author_id\n",
        ),
    )
    good = (
        Example(
            "import logging\n"
            "from typing import Any, Dict\n"
            "\n"
            "from fastapi import Depends\n"
            "\n"
            "from app.auth import get_current_user\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def author_of(current_user: Dict[str, Any] = Depends(get_current_user)) -> int:\n"
            '    """Return the author id of a new post."""\n'
            '    logger.info("post by %s", current_user["sub"])\n'
            '    return int(current_user["sub"])\n'
        ),
    )
    bad_cases = (
        Example(
            _CLAIMS + '    user_id = claims["sub"]\n',
            line=4,
            fixed=_CLAIMS + '    user_id = int(claims["sub"])\n',
        ),
        Example(_CLAIMS + '    return session.get(User, claims.get("sub"))\n', line=4),
        Example(_CLAIMS + '    return select(User).where(User.id == claims["sub"])\n', line=4),
        Example(_CLAIMS + '    return Post(author_id=claims["sub"])\n', line=4),
        Example(_CLAIMS + '    setattr(post, "owner_id", claims["sub"])\n', line=4),
    )
    good_cases = (
        _CLAIMS + '    logger.info("user %s", claims["sub"])',
        _CLAIMS + '    subject = str(claims["sub"])',
        _CLAIMS + '    user_id = UUID(claims["sub"])',
        'def f(row: dict):\n    user_id = row["sub"]',  # not claims
    )

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Check ``claims["sub"]``."""
        read = claim_read(node)
        if read is not None and read.key == "sub" and not is_store(node, self.context.ancestors):
            self._check(read)

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``claims.get("sub")``."""
        read = claim_read(node)
        if read is not None and read.key == "sub":
            self._check(read)

    def _check(self, read: ClaimRead) -> None:
        ancestors = self.context.ancestors
        if is_converted(ancestors) or not used_as_database_id(read.node, ancestors):
            return
        if not is_claims(self.context, read.receiver):
            return
        code = f"int({self.context.code_for(read.node)})"
        self.report(read.node, fix=self.fix(f"Convert with `{code}`", Replace(read.node, code)))

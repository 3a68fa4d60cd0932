"""BP412 unauthorized-401-without-challenge: a 401 without ``WWW-Authenticate``."""

from __future__ import annotations

import libcst as cst

from precepts.context import RuleContext
from precepts.findings import Position, Range, TextEdit
from precepts.rule import Example, Rule
from precepts.rules.auth._http import is_http_exception, status_of
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import keyword

_HEADER = '{"WWW-Authenticate": "Bearer"}'


def _header_edit(context: RuleContext, call: cst.Call) -> TextEdit:
    """Insert ``headers=...`` after the last argument, laid out like the arguments."""
    last = call.args[-1]
    end = context.range_of(last.value).end
    comma = last.comma
    multiline = any(
        isinstance(arg.comma, cst.Comma)
        and isinstance(arg.comma.whitespace_after, cst.ParenthesizedWhitespace)
        for arg in call.args
    ) or isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace)
    if isinstance(comma, cst.Comma):
        # After the trailing comma: ``detail="x",`` is followed by the new argument.
        end = Position(end.line, end.column + len(context.code_for(comma.whitespace_before)) + 1)
    if multiline:
        start = context.range_of(last.value).start
        line = context.lines.line_text(start.line)
        indent = line[: len(line) - len(line.lstrip())]
        text = f"\n{indent}headers={_HEADER}"
        text = text + "," if isinstance(comma, cst.Comma) else "," + text
    else:
        text = f" headers={_HEADER}" if isinstance(comma, cst.Comma) else f", headers={_HEADER}"
    return TextEdit(Range(end, end), text)


class UnauthorizedWithoutChallenge(Rule):
    """Flags ``HTTPException(status_code=401)`` without a ``WWW-Authenticate`` header."""

    code = "BP412"
    name = "unauthorized-401-without-challenge"
    family = "auth"
    section = "OAuth2 for Authorization, Security Checklist"
    message = '401 response without `headers={"WWW-Authenticate": ...}`'
    summary = (
        "`HTTPException(status_code=401, ...)` (also `HTTPException(401)` and "
        "`status.HTTP_401_UNAUTHORIZED`; FastAPI's or Starlette's) without a `headers=` "
        "argument, or with a literal `headers` dict that has no `WWW-Authenticate` key."
    )
    why = (
        "RFC 7235 requires a 401 to carry a `WWW-Authenticate` challenge saying how to "
        "authenticate (`Bearer`, and with OAuth2 the missing scopes); clients and proxies "
        "rely on it, and the standard's checklist asks for it on every 401."
    )
    leaves_alone = (
        "Other status codes (403 is authorization: no challenge), `headers=` given as a "
        "variable or with the key, and exceptions built from `**kwargs`."
    )
    fix_description = (
        'Adds `headers={"WWW-Authenticate": "Bearer"}` as the last argument, on its own '
        "line when the arguments are one per line (a trailing comma is kept)."
    )
    bad = (
        Example(
            "from fastapi import HTTPException, status\n"
            "\n"
            "\n"
            "def reject() -> None:\n"
            '    """Refuse a request without valid credentials."""\n'
            "    raise HTTPException(\n"
            "        status_code=status.HTTP_401_UNAUTHORIZED,\n"
            '        detail="Could not validate credentials",\n'
            "    )\n",
            line=6,
            fixed="from fastapi import HTTPException, status\n"
            "\n"
            "\n"
            "def reject() -> None:\n"
            '    """Refuse a request without valid credentials."""\n'
            "    raise HTTPException(\n"
            "        status_code=status.HTTP_401_UNAUTHORIZED,\n"
            '        detail="Could not validate credentials",\n'
            '        headers={"WWW-Authenticate": "Bearer"},\n'
            "    )\n",
        ),
        Example(
            "from http import HTTPStatus\n"
            "\n"
            "from fastapi import HTTPException\n"
            "\n"
            "\n"
            "def reject() -> None:\n"
            '    """Refuse a request without valid credentials."""\n'
            '    raise HTTPException(status_code=HTTPStatus.UNAUTHORIZED, detail="No token")\n',
            line=8,
            fixed="from http import HTTPStatus\n"
            "\n"
            "from fastapi import HTTPException\n"
            "\n"
            "\n"
            "def reject() -> None:\n"
            '    """Refuse a request without valid credentials."""\n'
            '    raise HTTPException(status_code=HTTPStatus.UNAUTHORIZED, detail="No token", '
            'headers={"WWW-Authenticate": "Bearer"})\n',
        ),
    )
    good = (
        Example(
            "from fastapi import HTTPException, status\n"
            "\n"
            "\n"
            "def reject() -> None:\n"
            '    """Refuse a request without valid credentials."""\n'
            "    raise HTTPException(\n"
            "        status_code=status.HTTP_401_UNAUTHORIZED,\n"
            '        detail="Could not validate credentials",\n'
            '        headers={"WWW-Authenticate": "Bearer"},\n'
            "    )\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check ``HTTPException(401, ...)``."""
        if not isinstance(node.func, (cst.Name, cst.Attribute)) or not node.args:
            return
        if not is_http_exception(self.context.facts, node) or status_of(node) != 401:
            return
        if any(arg.star for arg in node.args):
            return
        headers = keyword(node, "headers")
        if headers is None:
            fix = self.fix(
                'Add `headers={"WWW-Authenticate": "Bearer"}`', _header_edit(self.context, node)
            )
            self.report(node, fix=fix)
        elif isinstance(headers.value, cst.Dict) and not any(
            isinstance(e, cst.DictElement)
            and (string_value(e.key) or "").lower() == "www-authenticate"
            for e in headers.value.elements
        ):
            self.report(node, "401 response whose headers have no `WWW-Authenticate` challenge")

"""BP306 magic-status-code: ``HTTPException(404)`` with a bare number."""

from __future__ import annotations

from http import HTTPStatus

import libcst as cst

from precepts.context import RuleContext
from precepts.rule import Change, Example, FixSpec, InsertAfter, Replace, Rule
from precepts.rules.fastapi import _routes

# Names every Starlette release has (newer ones also accept the newer RFC 9110 names).
_RENAMED = {
    413: "REQUEST_ENTITY_TOO_LARGE",
    414: "REQUEST_URI_TOO_LONG",
    416: "REQUESTED_RANGE_NOT_SATISFIABLE",
    422: "UNPROCESSABLE_ENTITY",
}
_EXCEPTIONS = frozenset({"HTTPException", "WebSocketException"})


def constant_name(code: int) -> str | None:
    """Return the ``status`` constant of an HTTP status code (404 → ``HTTP_404_NOT_FOUND``).

    Args:
        code: The number.

    Returns:
        The constant's name, or None for a number that is no HTTP status.
    """
    try:
        phrase = _RENAMED.get(code) or HTTPStatus(code).name
    except ValueError:
        return None
    return f"HTTP_{code}_{phrase}"


class MagicStatusCode(Rule):
    """Flags bare status numbers in ``HTTPException``."""

    code = "BP306"
    name = "magic-status-code"
    family = "fastapi"
    section = "Route Handlers"
    message = "Use the `status.HTTP_…` constant instead of a bare status number"
    summary = (
        "`HTTPException(status_code=404)` or `HTTPException(403, ...)` (FastAPI's or "
        "Starlette's, under any alias) with an integer literal as the status."
    )
    why = (
        "`status.HTTP_404_NOT_FOUND` says what the number means where it is raised, is "
        "found by a search for the condition, and a typo in it is a name error instead of a "
        "wrong status sent to clients. The standard's handlers always use the constants."
    )
    leaves_alone = (
        "Status codes that are already names, numbers that are no HTTP status, other "
        "exceptions and test files."
    )
    fix_description = (
        "Replaces the number with `status.HTTP_…` and imports `status` from `fastapi` when "
        "the module does not have it yet (an existing alias, `from fastapi import status as "
        "st`, or `import fastapi`, is used instead); comments and formatting are kept."
    )
    bad = (
        Example(
            "from fastapi import HTTPException\n"
            "\n"
            "\n"
            "def forbid() -> None:\n"
            '    """Refuse the request."""\n'
            '    raise HTTPException(status_code=403, detail="Forbidden")  # not yours\n',
            line=6,
            fixed="from fastapi import HTTPException, status\n"
            "\n"
            "\n"
            "def forbid() -> None:\n"
            '    """Refuse the request."""\n'
            '    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Forbidden")'
            "  # not yours\n",
        ),
    )
    good = (
        Example(
            "from fastapi import HTTPException, status\n"
            "\n"
            "\n"
            "def forbid() -> None:\n"
            '    """Refuse the request."""\n'
            "    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN)\n"
        ),
    )
    bad_cases = (
        Example("from fastapi import HTTPException\nraise HTTPException(404)\n", line=2),
        Example(
            "from starlette.exceptions import HTTPException as E\nraise E(status_code=409)\n",
            line=2,
        ),
        Example(
            'import fastapi\nraise fastapi.HTTPException(401, detail="Sign in")\n',
            line=2,
            fixed="import fastapi\n"
            'raise fastapi.HTTPException(fastapi.status.HTTP_401_UNAUTHORIZED, detail="Sign in")\n',
        ),
    )
    good_cases = (
        "from fastapi import HTTPException, status\nraise HTTPException(status.HTTP_404_NOT_FOUND)",
        "from fastapi import HTTPException\nraise HTTPException(status_code=code)",
        "raise ValueError(404)",  # not an HTTP exception
        "from fastapi import HTTPException\nraise HTTPException(status_code=42)",  # no status
        Example(
            "from fastapi import HTTPException\nraise HTTPException(404)\n",
            path="tests/test_users.py",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Report an ``HTTPException`` raised with a literal status number."""
        if self.context.is_test:
            return
        qualified = self.context.facts.call_name(node) or ""
        if _routes.short(qualified) not in _EXCEPTIONS:
            return
        if qualified.split(".", 1)[0] not in {"fastapi", "starlette", _routes.short(qualified)}:
            return
        number = _routes.keyword_value(node, "status_code") or _routes.positional(node, 0)
        if not isinstance(number, cst.Integer):
            return
        constant = constant_name(int(number.value))
        if constant is None:
            return
        self.report(number, fix=self._fix(number, constant))

    def _fix(self, number: cst.Integer, constant: str) -> FixSpec | None:
        prefix, changes = self._status_prefix()
        if prefix is None:
            return None
        return self.fix(
            f"Use `{prefix}.{constant}`", Replace(number, f"{prefix}.{constant}"), *changes
        )

    def _status_prefix(self) -> tuple[str | None, list[Change]]:
        """How ``status`` is reached here, and the import to add when it is not."""
        imports = self.context.facts.imports
        for local, full in imports.items():
            if full in {"fastapi.status", "starlette.status"}:
                return local, []
        for local, full in imports.items():
            if full == "fastapi":
                return f"{local}.status", []
        if "status" in self.context.facts.defined:
            return None, []  # the name is taken by something else
        last = self.context.module_query(_routes.last_from_import, "fastapi")
        if last is not None:
            return "status", [InsertAfter(last, ", status")]
        last_line = self.context.module_query(_last_import)
        if last_line is None:
            return None, []
        return "status", [InsertAfter(last_line, "from fastapi import status", whole_line=True)]


def _last_import(context: RuleContext) -> cst.SimpleStatementLine | None:
    found = None
    for statement in context.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            found = statement
    return found


def _import_statements(module: cst.Module) -> list[cst.BaseSmallStatement]:
    return [
        small
        for statement in module.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, (cst.Import, cst.ImportFrom))
    ]

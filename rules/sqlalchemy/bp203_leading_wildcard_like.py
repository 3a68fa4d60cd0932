"""BP203 leading-wildcard-like: ``LIKE '%…'`` patterns, which no B-tree index can serve."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule
from precepts.rules.sql import _sqlcst, _sqltext
from precepts.rules.sqlalchemy import _orm

_LIKE_METHODS = frozenset({"like", "ilike", "not_like", "notlike", "not_ilike", "notilike"})
_LIKE_KEYWORDS = frozenset({"LIKE", "ILIKE"})
# Clauses that name the table whose rows a statement scans.
_TABLE_CLAUSES = frozenset({"FROM", "UPDATE", "JOIN"})


class LeadingWildcardLike(Rule):
    """Flags LIKE patterns that start with ``%``."""

    code = "BP203"
    name = "leading-wildcard-like"
    family = "sqlalchemy"
    section = "Query Patterns, Query Optimization"
    message = (
        "`LIKE` pattern starts with `%`: no index can be used, every row is scanned; "
        "search by prefix (`'abc%'`), or use full-text search or a trigram index"
    )
    summary = (
        "`.like()`/`.ilike()` (and `not_like`/`not_ilike`) whose pattern starts with `%`: a "
        'string literal, an f-string (`f"%{term}%"`), a concatenation (`"%" + term`) or a '
        "local variable assigned one of these; and `LIKE '%…'` / `ILIKE '%…'` in SQL text."
    )
    why = (
        "A B-tree index orders values by their first characters, so it can answer "
        "`email LIKE 'ann%'` by a range scan but not `email LIKE '%ann%'`: the database "
        "reads every row and compares it. That is invisible on a small table and a full "
        "table scan on every keystroke of a search box in production. Search by prefix, or "
        "use a trigram index (`pg_trgm`) or full-text search when a substring search is "
        "really needed."
    )
    leaves_alone = (
        "Patterns with a fixed prefix (`'abc%'`, `f\"{prefix}%\"`); patterns that are "
        "parameters or come from elsewhere (their content is unknown); `%` inside SQL "
        "string literals that are not the operand of `LIKE`; SQL statements that read no "
        "table (`SELECT VERSION() LIKE '%MariaDB%'` has no `FROM`: there is nothing to "
        "scan). Note: the standard's own "
        'Query Patterns ✅ example `search_active_users` uses `ilike(f"%{email_pattern}%")`'
        " while its ❌ example flags the same pattern with `like`; the rule follows the ❌ "
        "(and practices.md) and flags both."
    )
    bad = (
        Example(
            "from sqlalchemy import select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def search_users(db: Session, term: str) -> list[User]:\n"
            '    """Find users whose email contains a term."""\n'
            '    query = select(User).where(User.email.ilike(f"%{term}%"))\n'
            "    return list(db.scalars(query))\n",
            line=9,
        ),
        Example(
            "from sqlalchemy import text\n"
            "\n"
            "DOMAIN_USERS = text(\"SELECT id FROM users WHERE email LIKE '%@example.com'\")\n",
            line=3,
        ),
    )
    good = (
        Example(
            "from sqlalchemy import select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def search_users(db: Session, prefix: str) -> list[User]:\n"
            '    """Find users whose email starts with a prefix (an index range scan)."""\n'
            '    query = select(User).where(User.email.ilike(f"{prefix}%"))\n'
            "    return list(db.scalars(query))\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Flag ``.like()``/``.ilike()`` with a leading-wildcard pattern."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _LIKE_METHODS:
            return
        pattern = _orm.first_arg(node)
        if pattern is not None and self._leading_wildcard(pattern, 0):
            self.report(node)

    def _leading_wildcard(self, pattern: cst.BaseExpression, depth: int) -> bool:
        """Tell whether a pattern expression visibly starts with ``%``."""
        if isinstance(pattern, cst.BinaryOperation) and isinstance(pattern.operator, cst.Add):
            return self._leading_wildcard(pattern.left, depth)
        if isinstance(pattern, cst.Name) and depth < 2:
            bindings = _orm.lookup(self.context, pattern.value)
            if len(bindings) != 1 or bindings[0].kind != "assign" or bindings[0].value is None:
                return False
            return self._leading_wildcard(bindings[0].value, depth + 1)
        template = _sqlcst.template_of(pattern)
        return template is not None and template.text.startswith("%")

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Flag ``LIKE '%…'`` in SQL text."""
        self._check_sql(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Flag ``LIKE '%…'`` in an SQL f-string."""
        self._check_sql(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Flag ``LIKE '%…'`` in implicitly concatenated SQL text."""
        self._check_sql(node)

    def _check_sql(self, node: cst.BaseExpression) -> None:
        text = _sqlcst.sql_text(node, self.context)
        if text is None or "%" not in text:
            return
        for statement in _sqltext.split_statements(_sqltext.sql_tokens(text)):
            if _reads_table(statement) and _has_leading_wildcard(statement):
                self.report(node)
                return


def _reads_table(statement: list[_sqltext.Token]) -> bool:
    """Tell whether a statement reads rows of a table (``SELECT VERSION() LIKE …`` does not)."""
    return any(token.kind == "word" and token.key in _TABLE_CLAUSES for token in statement)


def _has_leading_wildcard(statement: list[_sqltext.Token]) -> bool:
    for index, token in enumerate(statement[:-1]):
        if token.kind == "word" and token.key in _LIKE_KEYWORDS:
            operand = statement[index + 1]
            if operand.kind == "string" and _literal_body(operand.text).startswith("%"):
                return True
    return False


def _literal_body(literal: str) -> str:
    """Return the content of an SQL string literal (``E'%x'`` → ``%x``)."""
    quote = literal.find("'")
    return literal[quote + 1 :] if quote >= 0 else ""

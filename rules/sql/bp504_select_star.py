"""BP504 select-star: ``SELECT *`` in SQL text."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule
from precepts.rules.sql._sqlcst import sql_text, string_range
from precepts.rules.sql._sqltext import select_star, sql_tokens


class SelectStar(Rule):
    """Flags queries that select every column."""

    code = "BP504"
    name = "select-star"
    family = "sql"
    section = "Query Optimization"
    message = "`SELECT *`: name the columns the code uses"
    summary = (
        "`SELECT *` (and `SELECT t.*`) in SQL text: strings passed to `text()`, "
        "`execute()`, `read_sql()` and the like, and strings anywhere else that are SQL "
        "statements (not messages, docstrings or help texts)."
    )
    why = (
        "`SELECT *` reads and ships every column, including large ones the code never "
        "uses, prevents index-only scans, and silently changes what the code receives when "
        "a column is added, dropped or reordered."
    )
    leaves_alone = (
        "`COUNT(*)` and other `*` arguments, `EXISTS (SELECT * ...)` (the planner ignores "
        "that select list), prose that merely mentions `SELECT *`, docstrings and strings "
        "passed to logging, `print` or exceptions, and expected values in tests: a string "
        "in an `assert` statement or passed to an `assert…` call "
        '(`assert_compile(stmt, "SELECT * FROM t")`) describes SQL, it does not run it.'
    )
    bad = (
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def list_users(session: Session) -> list:\n"
            '    """Return every user row."""\n'
            '    return list(session.execute(text("SELECT * FROM users")))\n',
            line=7,
        ),
    )
    good = (
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def list_users(session: Session) -> list:\n"
            '    """Return the id and email of every user."""\n'
            '    return list(session.execute(text("SELECT id, email FROM users")))\n'
            "\n"
            "\n"
            "def count_users(session: Session) -> int:\n"
            '    """Count the users."""\n'
            '    return session.execute(text("SELECT COUNT(*) FROM users")).scalar_one()\n'
        ),
    )
    bad_cases = (
        'rows = session.execute(text("SELECT * FROM users"))',
        'query = "SELECT u.* FROM users u JOIN orders o ON o.user_id = u.id"',
        'events = pd.read_sql("select * from events", engine)',
        'cursor.execute(f"SELECT * FROM {table}")',
    )
    good_cases = (
        'query = "SELECT COUNT(*) FROM users"',
        'query = "SELECT id FROM users WHERE EXISTS (SELECT * FROM orders WHERE user_id = id)"',
        'logger.warning("avoid SELECT * in reports")',
        'raise ValueError("SELECT * is not allowed here")',
        'help_text = "Never write SELECT * in production code."',
        Example('assert compiled == "SELECT * FROM users"\n', path="tests/test_sql.py"),
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check a string literal."""
        if "*" in node.value:
            self._check(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Check an f-string's literal text."""
        self._check(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check an implicitly concatenated string as a whole."""
        self._check(node)

    def _check(self, node: cst.BaseExpression) -> None:
        text = sql_text(node, self.context)
        if text is None or "*" not in text or _is_expected_value(self.context.ancestors):
            return
        for star in select_star(sql_tokens(text)):
            self.report(string_range(self.context, node, star.start, star.end))


def _is_expected_value(ancestors: list[cst.CSTNode]) -> bool:
    """Tell whether the string being visited is an expected value of a test assertion."""
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, cst.Assert):
            return True
        if isinstance(ancestor, cst.Call):
            func = ancestor.func
            name = (
                func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            )
            return isinstance(name, str) and name.lower().startswith("assert")
        if isinstance(ancestor, cst.BaseStatement):
            return False
    return False

"""BP502 credentials-in-dsn: a database URL literal that carries its password."""

from __future__ import annotations

import re

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.sql._sqlcst import is_outermost_string, string_value
from precepts.rules.sql._sqltext import HOLE

# Schemes of servers that take a password; sqlite has none.
_SCHEMES = frozenset(
    {
        "postgres", "postgresql", "pgsql", "mysql", "mariadb", "mssql", "oracle",
        "cockroachdb", "redshift", "snowflake", "clickhouse", "mongodb", "mongodb+srv",
        "redis", "rediss", "amqp", "amqps",
    }
)  # fmt: skip
_URL = re.compile(r"^\s*(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<userinfo>[^@/?#\s]*)@")
# A password position holding one of these is a template, not a password.
_PLACEHOLDER = re.compile(
    r"^(?:\$\{[^}]*\}|\$[A-Za-z_]\w*|\{[^}]*\}|%\([^)]*\)s|<[^>]*>|\*+|x+|X+)$"
)


def _embedded_password(text: str) -> str | None:
    """Return the literal password of a server DSN, or None."""
    match = _URL.match(text)
    if match is None:
        return None
    scheme = match.group("scheme").lower()
    if scheme not in _SCHEMES and scheme.split("+", 1)[0] not in _SCHEMES:
        return None
    _, colon, password = match.group("userinfo").partition(":")
    if not colon or not password or HOLE in password or _PLACEHOLDER.match(password):
        return None
    return password


class CredentialsInDsn(Rule):
    """Flags database URLs written with their password."""

    code = "BP502"
    name = "credentials-in-dsn"
    family = "sql"
    section = "Connection Management"
    severity = Severity.ERROR
    message = "Database URL with a hardcoded password: build it from settings (the environment)"
    summary = (
        "A string (or f-string) that is a database URL with a literal password: "
        "`postgresql://user:pass@host/db`, also with a driver (`mysql+pymysql://`, "
        "`postgresql+asyncpg://`), `mongodb://`, `redis://:pass@host` and other servers "
        "that take a password."
    )
    why = (
        "A password in source code is in every clone, fork, backup and CI log of the "
        "repository, and changing it needs a deploy. Reading the URL's parts from the "
        "environment (a `BaseSettings` class) keeps secrets out of git and lets each "
        "environment use its own."
    )
    leaves_alone = (
        'URLs whose password part is interpolated (`f"postgresql://{user}:{password}@..."`'
        "), templates in the password position (`${DB_PASSWORD}`, `{password}`, "
        "`%(password)s`, `<password>`, masks like `***`), URLs with a user but no "
        "password, sqlite URLs, strings that only mention a URL (help texts, messages), "
        "docstrings, and test files."
    )
    bad = (
        Example('DATABASE_URL = "postgresql://admin:password123@db.internal:5432/app"\n', line=1),
        Example(
            "from app.core.config import settings\n"
            "\n"
            'REDIS_URL = f"redis://:hunter2@{settings.REDIS_HOST}:6379/0"\n',
            line=3,
        ),
    )
    good = (
        Example(
            "from app.core.config import settings\n"
            "\n"
            "DATABASE_URL = (\n"
            '    f"postgresql://{settings.DB_USER}:{settings.DB_PASSWORD}"\n'
            '    f"@{settings.DB_HOST}:{settings.DB_PORT}/{settings.DB_NAME}"\n'
            ")\n"
        ),
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check a plain string literal."""
        if "://" in node.value and "@" in node.value:
            self._check(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Check an f-string (its literal parts may hold the password)."""
        self._check(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check an implicitly concatenated URL as a whole."""
        self._check(node)

    def _check(self, node: cst.BaseExpression) -> None:
        if self.context.is_test or not is_outermost_string(self.context):
            return
        text = string_value(node)
        if text is None or "://" not in text or "@" not in text:
            return
        if _embedded_password(text) is not None:
            self.report(node)

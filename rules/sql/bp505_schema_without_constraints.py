"""BP505 schema-without-constraints: ``CREATE TABLE`` text that leaves integrity to luck."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from precepts.context import RuleContext
from precepts.rule import Example, Option, Rule
from precepts.rules.sql._sqlcst import sql_text, string_range, string_value
from precepts.rules.sql._sqltext import (
    Token,
    closing_paren,
    split_statements,
    split_top_level,
    sql_tokens,
)
from precepts.rules.sqlalchemy._orm import enclosing_function

_TABLE_CONSTRAINTS = frozenset(
    {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE", "INDEX", "KEY", "LIKE"}
)
_BOOLEAN_TYPES = frozenset({"BOOLEAN", "BOOL"})
_SERIAL_TYPES = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8"})
_TEMPORARY = frozenset({"TEMP", "TEMPORARY"})


@dataclass
class _Column:
    """One column definition and the constraints written on it."""

    name: str
    type: str
    tokens: Sequence[Token]
    keys: frozenset[str]

    @property
    def has_default(self) -> bool:
        return bool({"DEFAULT", "GENERATED"} & self.keys) or self.type in _SERIAL_TYPES


@dataclass
class _Table:
    """A ``CREATE TABLE`` statement, read just far enough to judge its constraints."""

    name: str
    name_token: Token
    columns: list[_Column] = field(default_factory=list)
    unique: set[str] = field(default_factory=set)
    has_primary_key: bool = False


def _unquote(token: Token) -> str:
    return token.text.strip('"`').lower()


def _key_columns(tokens: Sequence[Token]) -> list[str]:
    """Column names in the first parenthesised list of a constraint."""
    for index, token in enumerate(tokens):
        if token.text == "(":
            inner = tokens[index + 1 : closing_paren(tokens, index)]
            return [_unquote(part[0]) for part in split_top_level(inner) if part]
    return []


def _read_element(table: _Table, element: Sequence[Token]) -> None:
    head = element[0]
    if head.kind == "word" and head.key in _TABLE_CONSTRAINTS:
        keys = {t.key for t in element if t.kind == "word"}
        columns = _key_columns(element)
        # `LIKE other INCLUDING ALL` copies the other table's keys.
        if "PRIMARY" in keys or head.key == "LIKE":
            table.has_primary_key = True
        if ("PRIMARY" in keys or "UNIQUE" in keys) and len(columns) == 1:
            table.unique.add(columns[0])
        return
    if head.kind not in ("word", "ident") or len(element) < 2:
        return
    keys = frozenset(t.key for t in element[2:] if t.kind == "word")
    column = _Column(_unquote(head), element[1].key, element, keys)
    table.columns.append(column)
    if "PRIMARY" in keys:
        table.has_primary_key = True
    if {"PRIMARY", "UNIQUE"} & keys:
        table.unique.add(column.name)


def _skip_words(tokens: Sequence[Token], index: int, words: frozenset[str]) -> int:
    while index < len(tokens) and tokens[index].kind == "word" and tokens[index].key in words:
        index += 1
    return index


def _create_table(statement: Sequence[Token]) -> _Table | None:
    if len(statement) < 4 or statement[0].key != "CREATE":
        return None
    index = _skip_words(statement, 1, frozenset({"OR", "REPLACE", "GLOBAL", "LOCAL", "UNLOGGED"}))
    if index < len(statement) and statement[index].key in _TEMPORARY:
        return None  # scratch tables: constraints are not the point
    if index >= len(statement) or statement[index].key != "TABLE":
        return None
    index = _skip_words(statement, index + 1, frozenset({"IF", "NOT", "EXISTS"}))
    name_at = index
    while index + 1 < len(statement) and statement[index + 1].text == ".":
        index += 2
        name_at = index
    if index + 1 >= len(statement) or statement[index + 1].text != "(":
        return None  # CREATE TABLE ... AS / PARTITION OF / LIKE
    table = _Table(_unquote(statement[name_at]), statement[name_at])
    body = statement[index + 2 : closing_paren(statement, index + 1)]
    for element in split_top_level(body):
        if element:
            _read_element(table, element)
    return table


def _unique_indexes(statement: Sequence[Token]) -> tuple[str, str] | None:
    """``CREATE UNIQUE INDEX ... ON table (column)`` → (table, column)."""
    keys = [t.key for t in statement[:3]]
    if keys[:3] != ["CREATE", "UNIQUE", "INDEX"]:
        return None
    for index, token in enumerate(statement):
        if token.key == "ON" and index + 1 < len(statement):
            at = _skip_words(statement, index + 1, frozenset({"ONLY"}))
            columns = _key_columns(statement[at:])
            if at < len(statement) and len(columns) == 1:
                return _unquote(statement[at]), columns[0]
    return None


def tables_of(text: str) -> list[_Table]:
    """Read the ``CREATE TABLE`` statements of SQL text (with unique indexes applied).

    Args:
        text: SQL text.

    Returns:
        The tables.
    """
    tables: list[_Table] = []
    indexes: list[tuple[str, str]] = []
    for statement in split_statements(sql_tokens(text)):
        table = _create_table(statement)
        if table is not None:
            tables.append(table)
            continue
        unique = _unique_indexes(statement)
        if unique is not None:
            indexes.append(unique)
    for table in tables:
        table.unique.update(column for name, column in indexes if name == table.name)
    return tables


class SchemaWithoutConstraints(Rule):
    """Flags ``CREATE TABLE`` statements that miss the constraints the standard requires."""

    code = "BP505"
    name = "schema-without-constraints"
    family = "sql"
    section = "Schema Design"
    message = "Table definition without the constraints the data needs"
    summary = (
        "In `CREATE TABLE` text (migrations, `op.execute()`, schema strings): a table "
        "without a PRIMARY KEY; identity columns (`email`, `username`) without UNIQUE "
        "(inline, as a table constraint, or through a `CREATE UNIQUE INDEX` in the same "
        "text); BOOLEAN columns without a DEFAULT; `created_at`/`updated_at` without a "
        "DEFAULT. This is the standard's ❌ schema: `email TEXT`, `status BOOLEAN`, "
        "`created_at TIMESTAMP`."
    )
    why = (
        "Constraints are the only integrity checks every writer obeys: without UNIQUE two "
        "accounts can share an email (a race between two sign-ups is enough), a BOOLEAN "
        "without a default is NULL for old rows so the flag has three states, and a "
        "timestamp without a default is only as reliable as every insert that remembers it."
    )
    leaves_alone = (
        "Other nullable columns (`phone VARCHAR(20)` is fine: optional data is optional), "
        "TEXT or VARCHAR without a length (PostgreSQL stores them alike), a table that the "
        "same function drops again in a later statement (a probe: `CREATE TABLE probe(id "
        "int)` then `DROP TABLE probe`), temporary "
        "tables, `CREATE TABLE ... AS SELECT`/`LIKE`/`PARTITION OF`, and prose."
    )
    options = {
        "unique-columns": Option(
            ["email", "username"], "Column names that identify a row and must be UNIQUE."
        ),
        "timestamp-columns": Option(
            ["created_at", "updated_at"], "Column names that need a DEFAULT."
        ),
    }
    bad = (
        Example(
            "from alembic import op\n"
            "\n"
            "\n"
            "def upgrade() -> None:\n"
            '    """Create the users table."""\n'
            '    op.execute("""\n'
            "        CREATE TABLE users (\n"
            "            id SERIAL PRIMARY KEY,\n"
            "            email VARCHAR(255) NOT NULL,\n"
            "            is_active BOOLEAN NOT NULL,\n"
            "            created_at TIMESTAMP NOT NULL\n"
            "        )\n"
            '    """)\n',
            line=9,
        ),
    )
    good = (
        Example(
            "from alembic import op\n"
            "\n"
            "\n"
            "def upgrade() -> None:\n"
            '    """Create the users table."""\n'
            '    op.execute("""\n'
            "        CREATE TABLE users (\n"
            "            id SERIAL PRIMARY KEY,\n"
            "            email VARCHAR(255) NOT NULL UNIQUE,\n"
            "            phone VARCHAR(20),\n"
            "            is_active BOOLEAN DEFAULT TRUE NOT NULL,\n"
            "            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n"
            "        )\n"
            '    """)\n'
        ),
    )
    bad_cases = (
        'op.execute("CREATE TABLE tags (name TEXT NOT NULL)")',  # no primary key
        'op.execute("CREATE TABLE users (id SERIAL PRIMARY KEY, username VARCHAR(50) NOT NULL)")',
        'op.execute("CREATE TABLE flags (id INT PRIMARY KEY, enabled BOOLEAN NOT NULL)")',
        'op.execute("CREATE TABLE events (id INT PRIMARY KEY, updated_at TIMESTAMP)")',
    )
    good_cases = (
        'op.execute("CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL, UNIQUE(email))")',
        'op.execute("CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL); '
        'CREATE UNIQUE INDEX ix_users_email ON users (email)")',
        'op.execute("CREATE TEMPORARY TABLE scratch (value TEXT)")',
        'op.execute("CREATE TABLE archive AS SELECT * FROM users")',
        'op.execute("CREATE TABLE contacts (id INT PRIMARY KEY, phone VARCHAR(20), note TEXT)")',
        "def probe():\n"
        '    op.execute("CREATE TABLE probe (id int)")\n'
        '    op.execute("DROP TABLE probe")',
        'message = "every CREATE TABLE needs a primary key"',  # prose
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check a string literal."""
        lowered = node.value.lower()
        if "create" in lowered and "table" in lowered:
            self._check(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Check an f-string's literal text."""
        self._check(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check an implicitly concatenated string as a whole."""
        self._check(node)

    def _check(self, node: cst.BaseExpression) -> None:
        text = sql_text(node, self.context)
        if text is None:
            return
        for table in tables_of(text):
            if _dropped_later(table.name, node, self.context):
                continue
            for start, end, message in self._problems(table):
                self.report(string_range(self.context, node, start, end), message)

    def _problems(self, table: _Table) -> Iterator[tuple[int, int, str]]:
        if not table.has_primary_key:
            token = table.name_token
            yield token.start, token.end, f"Table `{table.name}` has no PRIMARY KEY"
        unique_names = {name.lower() for name in self.option("unique-columns")}
        stamps = {name.lower() for name in self.option("timestamp-columns")}
        for column in table.columns:
            where = (column.tokens[0].start, column.tokens[-1].end)
            if column.name in unique_names and column.name not in table.unique:
                yield (*where, f"`{column.name}` identifies a row but has no UNIQUE constraint")
            if column.type in _BOOLEAN_TYPES and not column.has_default:
                yield (
                    *where,
                    f"BOOLEAN `{column.name}` has no DEFAULT: rows that omit it are NULL, "
                    "a third state",
                )
            if column.name in stamps and not column.has_default:
                yield (
                    *where,
                    f"`{column.name}` has no DEFAULT: set it in the database "
                    "(`DEFAULT CURRENT_TIMESTAMP`)",
                )


def _dropped_later(table: str, node: cst.BaseExpression, context: RuleContext) -> bool:
    """Tell whether the enclosing function drops ``table`` after creating it: a probe.

    Only a ``DROP TABLE`` in a later string counts: ``DROP TABLE IF EXISTS t; CREATE
    TABLE t (...)`` re-creates a schema and is still checked.
    """
    function = enclosing_function(context)
    if function is None:
        return False
    drop = re.compile(
        rf"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?[\"`\[]?{re.escape(table)}\b", re.IGNORECASE
    )
    own = {id(node), *(id(part) for part in m.findall(node, m.SimpleString()))}
    seen = False
    for string in m.findall(function.body, m.SimpleString()):
        if id(string) in own:
            seen = True
            continue
        value = string_value(string) if seen else None
        if value is not None and drop.search(value):
            return True
    return False

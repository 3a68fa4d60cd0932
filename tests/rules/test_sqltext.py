"""The SQL-in-strings helper shared by the BP5xx rules (and BP203)."""

from __future__ import annotations

import libcst as cst
import pytest

from precepts.rules.sql._sqlcst import string_value, template_of
from precepts.rules.sql._sqltext import (
    HOLE,
    looks_like_sql,
    select_star,
    split_statements,
    sql_tokens,
    value_holes,
)

# Strings found in real code that are not SQL, many of them SQL-flavoured on purpose.
NOT_SQL = [
    "",
    "Select * to pick all",
    "Select the files from the list",
    "select the files from the list",
    "Select a user",
    "Please select a user from the dropdown",
    "SELECT",
    "select",
    "Delete from cart",
    "delete from cart",
    "Update the record set for Bob",
    "update the set of users",
    "Insert into the database failed",
    "insert into the database",
    "Create a table for users",
    "create a table",
    "Drop it like it's hot",
    "drop table users",  # lower-case with no punctuation: prose can look like this
    "With love from Paris",
    "with regards, the team",
    "Run SELECT * FROM users to see them",
    "Use `SELECT * FROM users` in psql",
    "```sql\nSELECT * FROM users\n```",
    "# Query\n\nSELECT * FROM users",
    "SELECT * to pick every row",
    "SELECT * FROM users is slow, list the columns",
    "SELECT the files FROM the list of uploads",
    "Selected 3 users",
    "selection: all",
    "The quick brown fox jumps over the lazy dog",
    "Failed to update user 42",
    "Could not delete user: not found",
    "Created table users",
    "Explain the result",
    "Truncate the text to 80 characters",
    "merge conflict in app.py",
    "with open(path) as handle:",
    "update()",
    "select(User).where(User.id == 1)",
    "delete(User)",
    "SELECT INSERT UPDATE DELETE",
    "%s selected",
    "Selecting * from the menu",
    "Update available: 1.2.3",
    "Create account",
    "ALTER EGO",
    "DROP SHADOW",
    "WITH GREAT POWER",
    "select * from a list",
    "Delete from the cart: {item}",
    "Insert into {table} failed",
]

SQL = [
    "SELECT * FROM users",
    "SELECT id, email FROM users WHERE email = :email",
    "select id, email from users where email = %s",
    "SELECT 1",
    "SELECT now()",
    "SELECT u.id FROM users u JOIN posts p ON p.user_id = u.id",
    "SELECT COUNT(*) FROM users",
    "  -- comment\n  SELECT id FROM users",
    "(SELECT id FROM a) UNION (SELECT id FROM b)",
    "INSERT INTO users (email) VALUES (:email)",
    "insert into users (email, name) values (%s, %s)",
    "INSERT INTO audit SELECT * FROM staging",
    "UPDATE users SET name = :name WHERE id = :id",
    "update users set name = ? where id = ?",
    "DELETE FROM users WHERE id = :id",
    "DELETE FROM sessions",
    "WITH recent AS (SELECT id FROM users) SELECT id FROM recent",
    "CREATE TABLE users (id SERIAL PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS users (id SERIAL PRIMARY KEY)",
    "CREATE UNIQUE INDEX ix_users_email ON users (email)",
    "CREATE INDEX ON users (email)",
    "CREATE OR REPLACE VIEW active AS SELECT id FROM users",
    "ALTER TABLE users ADD COLUMN phone TEXT",
    "DROP TABLE IF EXISTS users CASCADE",
    "TRUNCATE TABLE users RESTART IDENTITY",
    "MERGE INTO users u USING staging s ON s.id = u.id WHEN MATCHED THEN DO NOTHING",
    "EXPLAIN ANALYZE SELECT id FROM users",
    f"SELECT * FROM users WHERE email = '{HOLE}'",
    f"SELECT {HOLE} FROM {HOLE}",
    "\n    SELECT id\n    FROM users\n    WHERE active\n",
]


@pytest.mark.parametrize("text", NOT_SQL)
def test_prose_is_not_sql(text: str) -> None:
    assert not looks_like_sql(text)


@pytest.mark.parametrize("text", SQL)
def test_sql_is_sql(text: str) -> None:
    assert looks_like_sql(text)


def test_tokens_keep_strings_and_drop_comments() -> None:
    tokens = sql_tokens("SELECT 'FROM x', $$ WHERE $$ -- FROM y\nFROM t /* WHERE */ WHERE a = :b")
    words = [t.key for t in tokens if t.kind == "word"]
    assert words == ["SELECT", "FROM", "T", "WHERE", "A"]
    assert [t.text for t in tokens if t.kind == "string"] == ["'FROM x'", "$$ WHERE $$"]
    assert [t.text for t in tokens if t.kind == "param"] == [":b"]


def test_tokens_params_casts_and_quoted_identifiers() -> None:
    tokens = sql_tokens('SELECT "select", x::int FROM t WHERE a = %(a)s AND b = %s AND c = $1')
    kinds = [(t.kind, t.text) for t in tokens]
    assert ("ident", '"select"') in kinds
    assert ("op", "::") in kinds
    assert [t.text for t in tokens if t.kind == "param"] == ["%(a)s", "%s", "$1"]


def test_escaped_quotes_stay_inside_the_string() -> None:
    tokens = sql_tokens("SELECT 'it''s FROM', E'a\\' FROM b' FROM t")
    assert [t.key for t in tokens if t.kind == "word"] == ["SELECT", "FROM", "T"]


def test_split_statements_ignores_semicolons_in_strings() -> None:
    statements = split_statements(sql_tokens("SELECT ';'; DELETE FROM t;;"))
    assert [[t.text for t in s] for s in statements] == [["SELECT", "';'"], ["DELETE", "FROM", "t"]]


def _expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ('"abc"', "abc"),
        ("'a\\nb'", "a\nb"),
        ("r'a\\nb'", "a\\nb"),
        ('"""\nSELECT 1\n"""', "\nSELECT 1\n"),
        ("u'x'", "x"),
        ('"a" "b"', "ab"),
        ('f"a{x}b"', f"a{HOLE}b"),
        ('f"{{x}} {y!r:>4}"', f"{{x}} {HOLE}"),
        ('rf"\\d{x}"', f"\\d{HOLE}"),
        ('"a" f"{x}" \'c\'', f"a{HOLE}c"),
        ("'\\x41\\u00e9\\N{BULLET}'", "Aé•"),
    ],
)
def test_string_value(code: str, value: str) -> None:
    assert string_value(_expr(code)) == value


def test_string_value_of_non_strings() -> None:
    assert string_value(_expr('b"abc"')) is None
    assert string_value(_expr("x")) is None
    assert string_value(_expr("1")) is None


@pytest.mark.parametrize(
    ("code", "text", "holes", "kind"),
    [
        ('"SELECT " + col + " FROM t"', f"SELECT {HOLE} FROM t", ["col"], "+"),
        ('"a = %s AND b = %s" % (x, y)', f"a = {HOLE} AND b = {HOLE}", ["x", "y"], "%"),
        ('"a = %(x)s, 100%%" % {"x": v}', f"a = {HOLE}, 100%", ["v"], "%"),
        ('"a = %s" % x', f"a = {HOLE}", ["x"], "%"),
        (
            '"{} {name} {0}".format(a, name=b)',
            f"{HOLE} {HOLE} {HOLE}",
            ["a", "b", "a"],
            ".format()",
        ),
        ('f"x = {a.b}"', f"x = {HOLE}", ["a.b"], "f-string"),
    ],
)
def test_templates(code: str, text: str, holes: list[str], kind: str) -> None:
    template = template_of(_expr(code))
    assert template is not None
    assert template.text == text
    assert [cst.Module([]).code_for_node(h) for h in template.holes if h is not None] == holes
    assert template.kind == kind


def test_percent_with_a_variable_cannot_pair_holes() -> None:
    template = template_of(_expr('"%s %s" % args'))
    assert template is not None and template.holes == (None, None)


def test_not_templates() -> None:
    assert template_of(_expr("a + b")) is None
    assert template_of(_expr("1 + 2")) is None
    assert template_of(_expr('"no placeholders" % x')) is None
    assert template_of(_expr("x.format(y)")) is None


@pytest.mark.parametrize(
    ("sql", "stars"),
    [
        ("SELECT * FROM users", 1),
        ("select u.* from users u", 1),
        ("SELECT DISTINCT * FROM users", 1),
        ("SELECT id FROM (SELECT * FROM users) AS sub", 1),
        ("SELECT COUNT(*) FROM users", 0),
        ("SELECT id FROM users WHERE EXISTS (SELECT * FROM posts)", 0),
        ("SELECT id, 2 * 3 FROM users", 0),
        ("SELECT '*' FROM users", 0),
        ("-- SELECT * FROM users\nSELECT id FROM users", 0),
    ],
)
def test_select_star(sql: str, stars: int) -> None:
    assert len(select_star(sql_tokens(sql))) == stars


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (f"SELECT id FROM t WHERE email = '{HOLE}'", {0: "quoted"}),
        (f"SELECT id FROM t WHERE name LIKE '%{HOLE}%'", {0: "in-string"}),
        (f"SELECT id FROM t WHERE id = {HOLE}", {0: "bare"}),
        (f"SELECT id FROM {HOLE} ORDER BY {HOLE}", {}),
        (
            f"INSERT INTO t (a, b) VALUES ({HOLE}, {HOLE}), ({HOLE}, 1)",
            {0: "bare", 1: "bare", 2: "bare"},
        ),
        (
            f"SELECT id FROM t WHERE id IN ({HOLE}) AND x BETWEEN {HOLE} AND {HOLE}",
            {0: "bare", 1: "bare", 2: "bare"},
        ),  # fmt: skip
        (f"SELECT f({HOLE}) FROM t WHERE a AND {HOLE}", {}),
    ],
)
def test_value_holes(sql: str, expected: dict[int, str]) -> None:
    assert value_holes(sql_tokens(sql)) == expected

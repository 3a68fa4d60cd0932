"""BP501 sql-injection: sinks, variables, standalone builds, allow-lists and the fix."""

from __future__ import annotations

import pytest

from tests.helpers import check, fix_all

HEADER = "from sqlalchemy import text\n\n\n"


def _bp501(code: str) -> list[tuple[int, str]]:
    result = check(code, select=["BP501"])
    assert not result.errors, [e.trace for e in result.errors]
    return [(f.range.start.line + 1, f.message) for f in result.findings]


def _fn(body: str, params: str = "session, email, user_id, table, col, sort, ids") -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return f"{HEADER}def run({params}):\n{indented}"


@pytest.mark.parametrize(
    "body",
    [
        "session.execute(text(f\"SELECT id FROM users WHERE email = '{email}'\"))",
        'session.execute(text("SELECT id FROM users WHERE id = " + user_id))',
        'session.execute(text("SELECT id FROM users WHERE id = %s" % user_id))',
        'session.execute(text("SELECT id FROM users WHERE id = {}".format(user_id)))',
        "cursor.execute(f\"DELETE FROM users WHERE email = '{email}'\")",
        'cursor.executemany(f"INSERT INTO {table} (a) VALUES (%s)", rows)',
        'conn.exec_driver_sql(f"SELECT id FROM {table}")',
        "await conn.fetchrow(f\"SELECT id FROM users WHERE email = '{email}'\")",
        'await database.fetch_all(query=f"SELECT id FROM {table}")',
        'pd.read_sql(f"SELECT id FROM {table}", conn)',
        'pd.read_sql_query(sql=f"SELECT id FROM {table}", con=conn)',
        'session.execute(text(f"SELECT id FROM users ORDER BY {sort}"))',
        'await session.execute(text(f"SELECT id FROM users ORDER BY {sort}"))',
        "session.execute(text(f\"SELECT id FROM users WHERE name LIKE '%{email}%'\"))",
    ],
)
def test_flags_sql_built_at_a_sink(body: str) -> None:
    assert [line for line, _ in _bp501(_fn(body))] == [5]


def test_flags_sql_built_in_a_variable_then_executed() -> None:
    code = _fn('query = f"SELECT id FROM {table}"\nreturn session.execute(text(query))')
    found = _bp501(code)
    assert [line for line, _ in found] == [6]
    assert "through `query`" in found[0][1]


def test_flags_augmented_sql() -> None:
    code = _fn(
        'query = "SELECT id FROM users WHERE 1 = 1"\n'
        'query += " AND id = " + user_id\n'
        "return cursor.execute(query)"
    )
    assert [line for line, _ in _bp501(code)] == [7]


def test_flags_a_standalone_sql_fstring_with_a_value_hole() -> None:
    code = "query = f\"SELECT * FROM users WHERE email LIKE '%{search_term}%'\"\n"
    assert [line for line, _ in _bp501(code)] == [1]


def test_standalone_and_sink_report_once() -> None:
    code = "query = f\"SELECT * FROM users WHERE email = '{email}'\"\nresults = db.execute(query)\n"
    assert [line for line, _ in _bp501(code)] == [1]


@pytest.mark.parametrize(
    "body",
    [
        'session.execute(text("SELECT id FROM users WHERE email = :email"), {"email": email})',
        'cursor.execute("SELECT id FROM users WHERE email = %s", (email,))',
        'cursor.execute("SELECT id FROM users WHERE email = ?", [email])',
        'session.execute(text(f"SELECT id FROM {TABLE}"))',
        'session.execute(text(f"SELECT id FROM {User.__tablename__}"))',
        'session.execute(text(f"SELECT id FROM {settings.SCHEMA}.users"))',
        'session.execute(text(f"SELECT id FROM users LIMIT {int(limit)}"))',
        'session.execute(text(f"SELECT id FROM users ORDER BY {SORTABLE[sort]}"))',
        "session.execute(text(f\"SELECT id FROM users ORDER BY {({'a': 'a'})[sort]}\"))",
        'order = "ASC" if asc else "DESC"\n'
        'session.execute(text(f"SELECT id FROM t ORDER BY id {order}"))',
        "if col not in ALLOWED:\n    raise ValueError(col)\n"
        'session.execute(text(f"SELECT {col} FROM t"))',
        'assert col in {"a", "b"}\nsession.execute(text(f"SELECT {col} FROM t"))',
        'for col in ("a", "b"):\n    session.execute(text(f"SELECT {col} FROM t"))',
        'marks = ", ".join(["%s"] * len(ids))\n'
        'cursor.execute(f"SELECT id FROM t WHERE id IN ({marks})", ids)',
        'cursor.execute("SELECT id FROM t WHERE id IN (%s)" % ", ".join("?" for _ in ids), ids)',
        'query = "SELECT id FROM users"\nsession.execute(text(query))',
        'session.execute(text(f"CREATE DATABASE {quote(session, table)}"))',
        'cursor.execute("DROP TABLE %s" % conn.dialect.identifier_preparer.quote(table))',
        "logger.info(f\"SELECT id FROM users WHERE email = '{email}'\")",
        "raise ValueError(f\"UPDATE users SET name = '{email}' failed\")",
        'executor.execute(f"rm -rf {table}")',
        'message = f"Deleted {user_id} users from the list"',
        'label = f"Select {col} from the menu"',
        'db.query(User).filter(User.email.ilike(f"%{email}%")).all()',
    ],
)
def test_leaves_alone(body: str) -> None:
    assert _bp501(_fn(body)) == []


def test_leaves_alone_dynamic_filters_built_from_literal_clauses() -> None:
    code = _fn(
        "clauses = []\n"
        "if email:\n"
        '    clauses.append("email = :email")\n'
        'clauses.extend(["active", "NOT deleted"])\n'
        'marks = ", ".join(f":id{i}" for i in range(len(ids)))\n'
        'sql = "SELECT id FROM users WHERE " + " AND ".join(clauses)\n'
        'sql += f" AND id IN ({marks})"\n'
        "return session.execute(text(sql), {})"
    )
    assert _bp501(code) == []


def test_flags_a_clause_list_that_takes_a_value() -> None:
    code = _fn(
        "clauses = []\n"
        "clauses.append(f\"email = '{email}'\")\n"
        'sql = "SELECT id FROM users WHERE " + " AND ".join(clauses)\n'
        "return session.execute(text(sql))"
    )
    assert [line for line, _ in _bp501(code)] == [8]


def test_a_module_level_binding_does_not_leak_into_other_statements() -> None:
    code = (
        'query = f"SELECT id FROM {table}"\n\n\n'
        "def run(session):\n    session.execute(text(query))\n"
    )
    assert _bp501(code) == []


def _fixed(code: str) -> str:
    result = check(code, select=["BP501"])
    return fix_all(code, result.findings)


def test_fix_quoted_and_bare_holes() -> None:
    code = _fn("session.execute(text(f\"SELECT id FROM t WHERE a = '{email}' AND b = {user.id}\"))")
    assert _fixed(code) == _fn(
        'session.execute(text("SELECT id FROM t WHERE a = :email AND b = :id"), '
        '{"email": email, "id": user.id})'
    )


def test_fix_reuses_a_parameter_and_renames_clashes() -> None:
    code = _fn(
        'session.execute(text(f"SELECT id FROM t WHERE a = {x.id} OR b = {y.id} OR c = {x.id}"))'
    )
    assert _fixed(code) == _fn(
        'session.execute(text("SELECT id FROM t WHERE a = :id OR b = :id_2 OR c = :id"), '
        '{"id": x.id, "id_2": y.id})'
    )


def test_fix_keeps_braces_and_raw_prefix() -> None:
    code = _fn("session.execute(text(rf\"SELECT '{{}}' FROM t WHERE a ~ '\\d' AND b = {email}\"))")
    assert _fixed(code) == _fn(
        "session.execute(text(r\"SELECT '{}' FROM t WHERE a ~ '\\d' AND b = :email\"), "
        '{"email": email})'
    )


@pytest.mark.parametrize(
    "body",
    [
        "session.execute(text(f\"SELECT id FROM t WHERE a LIKE '%{email}%'\"))",
        'session.execute(text(f"SELECT id FROM {table}"))',
        "session.execute(text(f\"SELECT id FROM t WHERE a = '{email.lower()}'\"))",
        "session.execute(text(f\"SELECT id FROM t WHERE a = '{email!r}'\"))",
        "session.execute(text(f\"SELECT id FROM t WHERE a = '{email}'\"), {})",
        "cursor.execute(f\"SELECT id FROM t WHERE a = '{email}'\")",
    ],
)
def test_no_fix_when_it_would_not_be_faithful(body: str) -> None:
    result = check(_fn(body), select=["BP501"])
    assert len(result.findings) == 1
    assert result.findings[0].fix is None


# --------------------------------------------------------------- values that are constants


@pytest.mark.parametrize(
    "code",
    [
        # an enum's own value, inside the enum
        "from enum import Enum\n\n\nclass Status(str, Enum):\n    DRAFT = 'draft'\n\n"
        "    def clause(self):\n"
        "        return text(f\"SELECT id FROM t WHERE status = '{self.value}'\")\n",
        # an enum member's value from outside
        "def default():\n    return text(f\"'{Status.DRAFT.value}'\")\n",
        # a class constant read through cls
        "class Cleaner:\n    _THRESHOLD = 5\n\n    @classmethod\n    def run(cls, session):\n"
        '        session.execute(text(f"DELETE FROM t WHERE n > {cls._THRESHOLD}"))\n',
        # module constants: Final, or bound once to a literal
        "from typing import Final\n\ntable: Final = 'users'\nlimit = 10\n\n\n"
        "def run(session):\n"
        '    session.execute(text(f"SELECT id FROM {table} LIMIT {limit}"))\n',
    ],
)
def test_constants_cannot_carry_input(code: str):
    assert _bp501(HEADER + code) == []


def test_self_value_outside_an_enum_is_still_a_value():
    code = HEADER + (
        "class Filter:\n    def clause(self, session):\n"
        "        session.execute(text(f\"SELECT id FROM t WHERE s = '{self.value}'\"))\n"
    )
    assert [line for line, _ in _bp501(code)] == [6]


def test_a_module_name_bound_to_a_call_is_not_a_constant():
    code = HEADER + (
        "table = os.environ['TABLE']\n\n\ndef run(session):\n"
        '    session.execute(text(f"SELECT id FROM {table}"))\n'
    )
    assert [line for line, _ in _bp501(code)] == [8]


def test_a_local_rebinding_hides_the_module_constant():
    code = HEADER + (
        "limit = 10\n\n\ndef run(session, request):\n    limit = request.args['n']\n"
        '    session.execute(text(f"SELECT id FROM t LIMIT {limit}"))\n'
    )
    assert [line for line, _ in _bp501(code)] == [9]


# --------------------------------------------------------------- statements without parameters


@pytest.mark.parametrize(
    ("statement", "advice"),
    [
        ("SET LOCAL TIME ZONE '{tz.key}'", "set_config('TimeZone', :value, true)"),
        ("SET search_path TO {schema}", "set_config('search_path', :value, false)"),
        ("SET LOCAL lock_timeout = '{timeout}s'", "set_config('lock_timeout', :value, true)"),
        ("PRAGMA key = '{password}'", "allow-list"),
    ],
)
def test_set_and_pragma_get_advice_that_works(statement: str, advice: str):
    code = _fn(f'session.execute(text(f"{statement}"))', "session, tz, schema, timeout, password")
    found = _bp501(code)
    assert len(found) == 1
    message = found[0][1]
    assert advice in message
    assert "bound parameters (`:name`" not in message


def test_set_gets_no_fix_that_would_fail_at_run_time():
    code = _fn("session.execute(text(f\"SET LOCAL TIME ZONE '{tz}'\"))", "session, tz")
    result = check(code, select=["BP501"])
    assert len(result.findings) == 1
    assert fix_all(code, result.findings) == code
    # the same shape in a SELECT is still rewritten
    select = _fn("session.execute(text(f\"SELECT 1 FROM t WHERE z = '{tz}'\"))", "session, tz")
    assert ":tz" in fix_all(select, check(select, select=["BP501"]).findings)


@pytest.mark.parametrize(
    ("statement", "advice"),
    [
        ("ALTER TABLE {table} DROP CONSTRAINT {name}", "`ALTER` takes no bound parameters"),
        ("DROP SCHEMA IF EXISTS {name} CASCADE", "quote_ident()"),
        ("CREATE INDEX idx_{name} ON t ({name})", "allow-list"),
        ("NOTIFY changes, '{payload}'", "pg_notify('channel', :payload)"),
    ],
)
def test_ddl_and_notify_get_advice_that_works(statement: str, advice: str):
    code = _fn(f'session.execute(text(f"{statement}"))', "session, table, name, payload")
    found = _bp501(code)
    assert len(found) == 1
    assert advice in found[0][1]
    result = check(code, select=["BP501"])
    assert fix_all(code, result.findings) == code  # nothing to rewrite into `:name`


def test_one_keyword_and_a_hole_is_not_sql_at_a_generic_sink():
    code = _fn('command = "exec " + command\nenv.execute(command, stdout=out)', "env, command, out")
    assert _bp501(code) == []
    # a real SQL sink still judges it
    strong = _fn('session.execute(text("EXEC " + proc))', "session, proc")
    assert len(_bp501(strong)) == 1


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        ('engine.connect().execute(f"DELETE FROM users WHERE id = {user_id}")', True),
        ('self.get_conn().execute(f"DELETE FROM users WHERE id = {user_id}")', True),
        ('runner().execute(f"SELECT id FROM users WHERE id = {user_id}")', True),
        # mlflow's scoring server: a shell line run by an environment, not SQL.
        ('self.prepare_env(path).execute("exec " + command)', False),
    ],
)
def test_a_call_receiver_is_a_database_only_when_it_names_one(body: str, flagged: bool) -> None:
    code = _fn(body, params="self, engine, runner, path, command, user_id")
    assert bool(_bp501(code)) is flagged

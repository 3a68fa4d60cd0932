"""BP505 schema-without-constraints, including the standard's ✅/❌ schemas."""

from __future__ import annotations

import pytest

from tests.helpers import check

# backend-standards.md, "Schema Design" (the ✅ and ❌ DDL, as Python strings).
GOOD_SCHEMA = """
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    username VARCHAR(100) NOT NULL UNIQUE,
    first_name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    phone VARCHAR(20),
    is_active BOOLEAN DEFAULT TRUE NOT NULL,
    is_verified BOOLEAN DEFAULT FALSE NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,

    CONSTRAINT email_format CHECK (email LIKE '%@%.%'),
    CONSTRAINT username_length CHECK (LENGTH(username) >= 3)
);

CREATE INDEX ix_users_email ON users(email);
CREATE INDEX ix_users_username ON users(username);
CREATE INDEX ix_users_created_at ON users(created_at);
CREATE INDEX ix_users_email_active ON users(email, is_active);

-- Audit trail
CREATE TABLE user_audit (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    action VARCHAR(50) NOT NULL,
    changed_fields JSONB,
    changed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX ix_user_audit_user_id ON user_audit(user_id);
CREATE INDEX ix_user_audit_changed_at ON user_audit(changed_at);
"""

BAD_SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT,  -- No uniqueness, no format validation
    username TEXT,  -- No constraints
    name TEXT,  -- Single field for multiple parts
    status BOOLEAN,  -- Ambiguous field name
    created_at TIMESTAMP
);
"""


def _bp505(code: str) -> list[tuple[int, str]]:
    result = check(code, select=["BP505"])
    assert not result.errors, [e.trace for e in result.errors]
    return [(f.range.start.line + 1, f.message) for f in result.findings]


def test_the_standards_good_schema_is_silent() -> None:
    assert _bp505(f"SCHEMA = '''{GOOD_SCHEMA}'''\n") == []


def test_the_standards_bad_schema_is_flagged_column_by_column() -> None:
    found = _bp505(f"SCHEMA = '''{BAD_SCHEMA}'''\n")
    assert [line for line, _ in found] == [4, 5, 7, 8]
    assert "email" in found[0][1] and "UNIQUE" in found[0][1]
    assert "username" in found[1][1]
    assert "BOOLEAN `status`" in found[2][1]
    assert "created_at" in found[3][1]


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE t (name TEXT NOT NULL)",
        "CREATE TABLE t (id INT, email TEXT, PRIMARY KEY (id))",
        "create table t (id serial primary key, flag bool)",
        "CREATE TABLE IF NOT EXISTS app.t (id SERIAL PRIMARY KEY, updated_at TIMESTAMPTZ)",
    ],
)
def test_flags(ddl: str) -> None:
    assert len(_bp505(f'op.execute("{ddl}")\n')) == 1


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE t (id SERIAL PRIMARY KEY, email TEXT, UNIQUE (email))",
        "CREATE TABLE t (id SERIAL PRIMARY KEY, email TEXT CONSTRAINT uq UNIQUE)",
        "CREATE TABLE t (email TEXT PRIMARY KEY)",
        "CREATE TABLE t (id SERIAL PRIMARY KEY, email TEXT); CREATE UNIQUE INDEX ix ON t (email)",
        "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, phone TEXT)",
        "CREATE TABLE t (id SERIAL PRIMARY KEY, created_at TIMESTAMP DEFAULT now())",
        "CREATE TEMP TABLE t (flag BOOLEAN)",
        "CREATE TABLE t AS SELECT id FROM users",
        "CREATE TABLE t (LIKE users INCLUDING ALL)",
    ],
)
def test_leaves_alone(ddl: str) -> None:
    assert _bp505(f'op.execute("{ddl}")\n') == []


def test_leaves_alone_prose() -> None:
    assert _bp505('HELP = "Create table users (the main one) before running this"\n') == []


PROBE = (
    "def can_write(conn) -> bool:\n"
    "    conn.execute(text('CREATE TABLE DB(id int)'))\n"
    "    conn.execute(text('DROP TABLE DB'))\n"
    "    return True\n"
)


def test_a_probe_table_dropped_later_in_the_function_is_left_alone() -> None:
    assert _bp505(PROBE) == []


def test_a_drop_before_the_create_or_in_another_function_does_not_excuse_it() -> None:
    recreate = (
        "def reset(conn) -> None:\n"
        "    conn.execute(text('DROP TABLE IF EXISTS db'))\n"
        "    conn.execute(text('CREATE TABLE db(id int)'))\n"
    )
    assert [line for line, _ in _bp505(recreate)] == [3]
    migration = (
        "def upgrade() -> None:\n"
        "    op.execute('CREATE TABLE db(id int)')\n"
        "\n"
        "\n"
        "def downgrade() -> None:\n"
        "    op.execute('DROP TABLE db')\n"
    )
    assert [line for line, _ in _bp505(migration)] == [2]

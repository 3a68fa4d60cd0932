"""BP504 select-star."""

from __future__ import annotations

import pytest

from tests.helpers import check


def _bp504(code: str) -> list[tuple[int, int]]:
    result = check(code, select=["BP504"])
    assert not result.errors, [e.trace for e in result.errors]
    return [(f.range.start.line + 1, f.range.start.column) for f in result.findings]


@pytest.mark.parametrize(
    "code",
    [
        'rows = session.execute(text("SELECT * FROM users"))\n',
        'rows = cursor.execute("select * from users where id = %s", (1,))\n',
        'QUERY = "SELECT * FROM users WHERE active"\n',
        'rows = pd.read_sql("SELECT u.* FROM users u", conn)\n',
        'rows = session.execute(text(f"SELECT * FROM {TABLE}"))\n',
        'QUERY = (\n    "SELECT * "\n    "FROM users"\n)\n',
        'rows = session.execute(text("select * from x"))\n',
    ],
)
def test_flags(code: str) -> None:
    assert len(_bp504(code)) == 1


def test_points_at_the_star() -> None:
    code = 'QUERY = """\n    SELECT *\n    FROM users\n"""\n'
    assert _bp504(code) == [(2, 11)]
    assert _bp504('Q = "SELECT * FROM t"\n') == [(1, 12)]


@pytest.mark.parametrize(
    "code",
    [
        'QUERY = "SELECT id, email FROM users"\n',
        'QUERY = "SELECT COUNT(*) FROM users"\n',
        'QUERY = "SELECT id FROM users u WHERE EXISTS (SELECT * FROM posts p WHERE p.u = u.id)"\n',
        'HELP = "Select * to pick all"\n',
        'HINT = "Run SELECT * FROM users to see them"\n',
        '"""Never write SELECT * FROM users."""\n',
        'logger.info("SELECT * FROM users took %s", elapsed)\n',
        'raise ValueError("SELECT * FROM users failed")\n',
        'parser.add_argument("--all", help="SELECT * FROM the table")\n',
        'GLOB = "*.py"\n',
        'rows = session.execute(text("SELECT 2 * 3"))\n',
    ],
)
def test_leaves_alone(code: str) -> None:
    assert _bp504(code) == []


def test_expected_values_in_test_assertions_are_left_alone() -> None:
    code = (
        'self.assert_compile(stmt, "SELECT DISTINCT * FROM foo")\n'
        'assert str(stmt) == "SELECT * FROM foo"\n'
        'self.assertEqual(render(q), "SELECT * FROM bar")\n'
        'rows = run(assert_ok, "SELECT * FROM users")\n'
    )
    # Only the last one runs the query: the string is an argument of `run`, not of
    # the `assert_ok` it is passed next to.
    assert _bp504(code) == [(4, 30)]

from __future__ import annotations

from tests.rules._sqla import lines


def test_leading_wildcards_in_like_calls():
    code = """
    def f(term):
        pattern = f"%{term}"
        User.email.like(pattern)
        User.email.ilike("%" + term + "%")
        User.email.like("%{}".format(term))
        User.name.not_ilike("%x")
        select(User).where(func.lower(User.name).like(f"%{term.lower()}%"))
    """
    assert lines(code, "BP203") == [4, 5, 6, 7, 8]


def test_leading_wildcards_in_sql_text():
    code = """
    def f(db, term):
        db.execute(text("SELECT id FROM users WHERE email LIKE '%@x.com'"))
        sql = f"SELECT id FROM users WHERE name ILIKE '%{term}%'"
    """
    assert lines(code, "BP203") == [3, 4]


def test_leaves_alone_fixed_prefixes_parameters_and_prose():
    code = """
    def f(db, term, pattern):
        User.email.like(f"{term}%")
        User.email.like(pattern)
        db.execute(text("SELECT id FROM users WHERE email LIKE :p"), {"p": "%x"})
        message = "Use LIKE '%x' carefully"
        sql = "SELECT id FROM users WHERE note = '%x'"
    """
    assert lines(code, "BP203") == []


def test_sql_that_reads_no_table_scans_nothing():
    code = """
    def f(cursor):
        cursor.execute("SELECT VERSION() LIKE '%MariaDB%'")
        cursor.execute("SELECT 1; SELECT id FROM users WHERE name LIKE '%x'")
        cursor.execute("UPDATE users SET flag = 1 WHERE name LIKE '%x'")
    """
    # Only the statements with a table (FROM, UPDATE) are flagged.
    assert lines(code, "BP203") == [4, 5]

from __future__ import annotations

from tests.rules._sqla import fixed, lines


def test_filtering_and_counting_in_python():
    code = """
    def a(db, session):
        x = [u for u in db.query(User).all() if u.active]
        y = [u for u in session.scalars(select(User)) if u.age > 18]
        rows = session.execute(select(User)).scalars().all()
        z = {u.id for u in rows if u.role == "admin" and not u.deleted}
        w = list(filter(lambda u: u.active, db.query(User).all()))
        n = len(session.scalars(select(User)).all())
        m = next(u for u in rows if u.id == 3)
    """
    assert lines(code, "BP207") == [3, 4, 6, 7, 8, 9]


def test_leaves_alone_python_only_conditions_and_projections():
    code = """
    def a(db, items, seen):
        x = [u for u in db.query(User).all() if allowed(u)]
        y = [u.email for u in db.query(User).all()]
        z = [u for u in items if u.active]
        w = [u for u in db.query(User).all() if u.tags[0] == 1]
        v = [u for u in db.query(User).all() if u not in seen]
        n = len(items)
    """
    assert lines(code, "BP207") == []


def test_module_level_rows():
    code = """
    all_users = db.query(User).all()
    active_users = [u for u in all_users if u.is_active]
    """
    assert lines(code, "BP207") == [3]


def test_count_fix_only_for_the_legacy_query_api():
    code = """
    def a(db):
        return len(db.query(User).filter(User.active.is_(True)).all())
    def b(db):
        return len(db.scalars(select(User)).all())
    """
    result = fixed(code, "BP207")
    assert "return db.query(User).filter(User.active.is_(True)).count()" in result
    assert "return len(db.scalars(select(User)).all())" in result


def test_rows_refiltered_inside_a_loop_are_an_algorithm_not_a_query():
    code = """
    def closure(db, seeds):
        rows = db.execute(select(Folder)).all()
        found = set(seeds)
        while True:
            children = {f.id for f in rows if f.parent_id in found}
            if children <= found:
                return found
            found |= children
    """
    assert lines(code, "BP207") == []

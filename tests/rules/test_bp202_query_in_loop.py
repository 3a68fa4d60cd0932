from __future__ import annotations

from tests.rules._sqla import lines


def test_both_query_styles_in_loops_and_comprehensions():
    code = """
    def f(db, ids):
        for i in ids:
            db.query(User).get(i)
            db.execute(select(User).where(User.id == i))
            db.scalars(select(User))
            db.scalar(select(User))
        users = [db.get(User, i) for i in ids]
        by_id = {i: db.scalar(select(User).where(User.id == i)) for i in ids}
        while ids:
            db.query(User).filter(User.id == ids.pop()).first()
    """
    assert lines(code, "BP202") == [4, 5, 6, 7, 8, 9, 11]


def test_async_sessions():
    code = """
    async def f(session: AsyncSession, ids):
        for i in ids:
            await session.execute(select(User).where(User.id == i))
        async for i in stream():
            await session.get(User, i)
    """
    assert lines(code, "BP202") == [4, 6]


def test_leaves_alone_literals_batches_and_pagination():
    code = """
    def f(session, ids, rows):
        for status in ("active", "pending"):
            session.query(User).filter(User.status == status).count()
        for attempt in range(3):
            session.execute(select(User))
        for chunk in chunks(ids, 100):
            session.query(User).filter(User.id.in_(chunk)).all()
        for start in range(0, len(ids), 500):
            session.execute(delete(User).where(User.id.in_(ids[start:start + 500])))
        for batch in batched(rows, 100):
            session.execute(insert(User), batch)
        offset = 0
        while True:
            page = session.query(User).offset(offset).limit(100).all()
            if not page:
                break
    """
    assert lines(code, "BP202") == []


def test_a_batching_loop_is_batching_whatever_the_filter_but_not_its_inner_loops():
    code = """
    def f(session, rows):
        for start in range(0, len(rows), 100):
            chunk = rows[start : start + 100]
            session.query(User).filter(or_(*[User.id == r for r in chunk])).all()
        while rows:
            chunk, rows = rows[:100], rows[100:]
            session.execute(select(User).where(User.id.in_(chunk)))
        for batch in id_batches:
            for user_id in batch:
                session.get(User, user_id)
    """
    assert lines(code, "BP202") == [11]


def test_lazy_queries_built_in_a_loop_are_not_run_there():
    code = """
    def f(session, keys):
        subqueries = []
        for key in keys:
            subqueries.append(session.query(Tag).filter(Tag.key == key).subquery())
            query = session.query(Tag).filter(Tag.key == key)
            rows = list(session.query(Tag).filter(Tag.key == key))
            for row in session.query(Tag).filter(Tag.key == key):
                pass
            count = session.query(Tag).filter(Tag.key == key).count()
    """
    assert lines(code, "BP202") == [7, 8, 10]


def test_iterables_run_once_and_nested_functions_are_not_in_the_loop():
    code = """
    def f(session, ids):
        for user in session.query(User).all():
            def later():
                return session.query(Post).all()
        names = [u.name for u in session.scalars(select(User))]
    """
    assert lines(code, "BP202") == []


def test_other_kinds_of_session_are_not_databases():
    code = """
    import requests

    def f(urls, cache, request):
        session = requests.Session()
        for url in urls:
            session.get(url)
            cache.get("k")
            request.session.get("user")
    """
    assert lines(code, "BP202") == []


def test_flask_sqlalchemy_model_query_and_session():
    code = """
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()
    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
    def f(ids):
        for i in ids:
            User.query.get(i)
            db.session.get(User, i)
    """
    assert lines(code, "BP202") == [8, 9]


def test_sqlalchemy_comparisons_in_loops_are_not_queries():
    code = """
    def f(session, flags):
        for flag in flags:
            condition = User.active == True
    """
    assert lines(code, "BP202") == []


def test_retry_loops_over_a_constant_count():
    code = """
    def f(session, name):
        for attempt in range(self.CREATE_RETRIES):
            session.query(Version).filter(Version.name == name).scalar()
        for attempt in range(MAX_RETRIES):
            session.execute(select(Version))
        for i in range(count):
            session.execute(select(Version))
    """
    assert lines(code, "BP202") == [8]


def test_queries_on_an_error_path_are_left_alone():
    code = """
    def f(session, rows):
        for row in rows:
            try:
                session.execute(update(Trace).values(seen=True))
            except IntegrityError:
                session.execute(select(Trace).where(Trace.id == row.id))
    """
    assert lines(code, "BP202") == [5]

from __future__ import annotations

from tests.rules._sqla import fixed, lines


def test_leaves_alone_managed_sessions():
    code = """
    import pytest
    from sqlalchemy.orm import scoped_session, sessionmaker

    SessionLocal = sessionmaker()
    Registry = scoped_session(SessionLocal)

    def with_block():
        with SessionLocal() as s:
            s.commit()

    def try_finally():
        s = SessionLocal()
        try:
            s.commit()
        finally:
            s.close()

    def factory():
        return SessionLocal()

    def begin_block():
        s = Session(engine)
        with s.begin():
            s.add(1)

    @pytest.fixture
    def fixture_session():
        s = SessionLocal()
        yield s
        s.close()

    class Repository:
        def __init__(self):
            self.session = SessionLocal()

    def scoped():
        s = Registry()
        s.query(User)

    def handed_over():
        return Repository(SessionLocal())

    async def asynchronous():
        async with async_session() as session:
            await session.commit()

    def only_a_factory():
        maker = sessionmaker(bind=engine)
    """
    assert lines(code, "BP204") == []


def test_unclosed_sessions():
    code = """
    SessionLocal = sessionmaker()

    def plain():
        s = SessionLocal()
        s.commit()
        s.close()

    def inline():
        return SessionLocal().query(User).all()

    def get_db():
        db = SessionLocal()
        yield db
        db.close()

    session = SessionLocal()
    """
    assert lines(code, "BP204") == [5, 10, 13, 17]


def test_module_level_session_closed_in_a_later_finally():
    code = """
    session = SessionLocal()
    try:
        run(session)
    finally:
        session.close()
    """
    assert lines(code, "BP204") == []


def test_fix_wraps_in_with_and_keeps_comments():
    code = """
    def get_db():
        db = SessionLocal()
        # hand it over
        yield db
        db.close()


    session = SessionLocal()
    user = User(email="user@example.com")
    session.add(user)
    session.commit()
    session.close()  # Might not execute if exception occurs
    """
    assert fixed(code, "BP204") == (
        "\n"
        "def get_db():\n"
        "    with SessionLocal() as db:\n"
        "        # hand it over\n"
        "        yield db\n"
        "\n"
        "\n"
        "with SessionLocal() as session:\n"
        '    user = User(email="user@example.com")\n'
        "    session.add(user)\n"
        "    session.commit()\n"
    )


def test_no_fix_when_the_session_escapes_or_strings_span_lines():
    code = '''
    def escapes():
        s = SessionLocal()
        s.add(1)
        return s.info

    def closure():
        s = SessionLocal()
        run(lambda: s.commit())

    def multiline():
        s = SessionLocal()
        s.execute(text("""
            SELECT 1
        """))
    '''
    assert lines(code, "BP204") == [3, 8, 12]
    text = fixed(code, "BP204")
    assert "with SessionLocal()" not in text


def test_migration_revisions_are_left_alone():
    code = """
    def upgrade():
        session = Session(bind=op.get_bind())
        session.query(Model).delete()
    """
    assert lines(code, "BP204", path="app/alembic/versions/0002_cleanup.py") == []
    assert lines(code, "BP204", path="app/db_migrations/versions/0002_cleanup.py") == []
    assert lines(code, "BP204", path="app/jobs/cleanup.py") == [3]

from __future__ import annotations

from tests.helpers import check
from tests.rules._sqla import lines


def test_commit_per_iteration():
    code = """
    def a(db, rows):
        for r in rows:
            db.add(r)
            db.commit()
    async def b(session: AsyncSession, rows):
        for r in rows:
            session.add(r)
            await session.commit()
    def c(db, rows):
        [db.commit() for r in rows]
    """
    assert lines(code, "BP208") == [5, 9, 11]


def test_adds_are_related_locations():
    code = "def a(db, rows):\n    for r in rows:\n        db.add(r)\n        db.commit()\n"
    (finding,) = check(code, select=["BP208"]).findings
    assert [r.range.start.line for r in finding.related] == [2]


def test_leaves_alone_single_commits_workers_batches_and_retries():
    code = """
    def a(db, rows, queue):
        for r in rows:
            db.add(r)
        db.commit()
        while True:
            job = queue.get()
            db.commit()
        for chunk in batched(rows, 100):
            db.add_all(chunk)
            db.commit()
        for attempt in range(3):
            db.commit()
        for r in rows:
            if r.ok:
                db.commit()
                break
        for r in rows:
            repo.commit()
    """
    assert lines(code, "BP208") == []


def test_commits_on_an_error_path_are_left_alone():
    code = """
    def a(db, rows):
        for r in rows:
            try:
                process(r)
            except ValueError:
                db.delete(r)
                db.commit()
    """
    assert lines(code, "BP208") == []

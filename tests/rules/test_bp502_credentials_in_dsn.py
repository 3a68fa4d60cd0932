"""BP502 credentials-in-dsn."""

from __future__ import annotations

import pytest

from tests.helpers import check


def _bp502(code: str, path: str = "app/db.py") -> list[int]:
    result = check(code, path=path, select=["BP502"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    "url",
    [
        '"postgresql://user:pass@localhost/db"',
        '"postgresql://admin:password123@localhost:5432/mydb"',
        '"postgres://u:p%40ss@db/app"',
        '"mysql+pymysql://root:root@127.0.0.1/app"',
        '"postgresql+asyncpg://app:s3cret@db:5432/app"',
        '"mongodb://admin:secret@mongo:27017"',
        '"mongodb+srv://admin:secret@cluster0.example.net"',
        '"redis://:hunter2@cache:6379/0"',
        '"amqp://guest:guest@rabbit:5672/"',
        'f"postgresql://user:pass@localhost/db"',
        'f"postgresql://app:s3cret@{host}/app"',
        '"postgresql://app:s3cret@" "db/app"',
        "'''postgresql://app:s3cret@db/app'''",
    ],
)
def test_flags(url: str) -> None:
    assert _bp502(f"DATABASE_URL = {url}\n") == [1]


@pytest.mark.parametrize(
    "url",
    [
        'f"postgresql://{settings.DB_USER}:{settings.DB_PASSWORD}@{settings.DB_HOST}/app"',
        'f"postgresql://app:{password}@db/app"',
        '"postgresql://app:${DB_PASSWORD}@db/app"',
        '"postgresql://app:{password}@db/app"',
        '"postgresql://app:%(password)s@db/app"',
        '"postgresql://app:<password>@db/app"',
        '"postgresql://app:***@db/app"',
        '"postgresql://app@db/app"',
        '"postgresql://app:@db/app"',
        '"postgresql://db:5432/app"',
        '"sqlite:///./app.db"',
        '"https://user:pass@example.com/"',
        '"Connect with postgresql://user:pass@host/db"',
        'os.environ["DATABASE_URL"]',
    ],
)
def test_leaves_alone(url: str) -> None:
    assert _bp502(f"DATABASE_URL = {url}\n") == []


def test_leaves_alone_docstrings_and_tests() -> None:
    assert _bp502('"""Use postgresql://user:pass@localhost/db locally."""\n') == []
    assert _bp502('URL = "postgresql://user:pass@localhost/db"\n', path="tests/conftest.py") == []

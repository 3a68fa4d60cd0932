"""BP802 test-touches-real-database: URLs found in real conftest files."""

from __future__ import annotations

import pytest

from tests.helpers import finding_lines


def _lines(code: str, path: str = "tests/conftest.py") -> list[int]:
    return finding_lines(code, path, "BP802")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://{user}:{password}@{host}:{port}/{database}",
        "cockroachdb+psycopg://{user}@{host}:{port}/{database}?{opts}",
        "mysql://%(user)s@%(host)s/%(database)s",
        "postgresql://app@db/{0}",
    ],
)
def test_url_templates_filled_by_a_fixture_are_left_alone(url: str) -> None:
    code = f'''
    import pytest


    @pytest.fixture(scope="session")
    def postgres_url(postgres_service):
        dsn = "{url}"
        return dsn.format(user=postgres_service.user, host=postgres_service.host)
    '''
    assert _lines(code) == []


def test_a_written_production_url_is_reported() -> None:
    code = """
    import pytest


    @pytest.fixture(scope="session")
    def postgres_url():
        dsn = "postgresql://app:secret@db.internal:5432/orders"
        return dsn
    """
    assert _lines(code) == [6]

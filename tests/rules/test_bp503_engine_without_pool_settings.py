"""BP503 engine-without-pool-settings."""

from __future__ import annotations

import pytest

from tests.helpers import check, fix_all

IMPORT = "from sqlalchemy import create_engine\n"


def _bp503(code: str, path: str = "app/db.py", **options: object) -> list[str]:
    result = check(code, path=path, select=["BP503"], options={"BP503": options})
    assert not result.errors, [e.trace for e in result.errors]
    return [f.message for f in result.findings]


def test_reports_pre_ping_and_sizing_separately() -> None:
    found = _bp503(IMPORT + "engine = create_engine(settings.DATABASE_URL)\n")
    assert len(found) == 2
    assert "pool_pre_ping" in found[0] and "pool sizing" in found[1]


def test_sizing_is_optional_by_configuration() -> None:
    code = IMPORT + "engine = create_engine(settings.DATABASE_URL)\n"
    assert len(_bp503(code, **{"require-pool-sizing": False})) == 1


@pytest.mark.parametrize(
    "code",
    [
        IMPORT + "engine = create_engine(url, pool_size=5)\n",
        IMPORT + "engine = create_engine(url, max_overflow=5, pool_pre_ping=False)\n",
        "import sqlalchemy as sa\nengine = sa.create_engine(url, pool_size=5)\n",
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "engine = create_async_engine(url, pool_size=5)\n",
        'engine = create_engine(f"postgresql://user:pass@localhost/db", pool_size=5)\n',
    ],
)
def test_flags_missing_pre_ping(code: str) -> None:
    assert len(_bp503(code)) == 1


@pytest.mark.parametrize(
    "code",
    [
        IMPORT + "engine = create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True)\n",
        IMPORT + 'engine = create_engine("sqlite:///./app.db")\n',
        IMPORT + 'engine = create_engine(url="sqlite://")\n',
        IMPORT + 'engine = create_engine(url, connect_args={"check_same_thread": False})\n',
        IMPORT + "from sqlalchemy.pool import NullPool\n"
        "engine = create_engine(url, poolclass=NullPool)\n",
        IMPORT + "engine = create_engine(url, poolclass=pool.StaticPool)\n",
        IMPORT + "engine = create_engine(url, **options)\n",
        "from app.db import create_engine\nengine = create_engine(url)\n",
    ],
)
def test_leaves_alone(code: str) -> None:
    assert _bp503(code) == []


def test_leaves_alone_tests() -> None:
    assert _bp503(IMPORT + "engine = create_engine(url)\n", path="tests/conftest.py") == []


def _fixed(code: str) -> str:
    return fix_all(code, check(code, path="app/db.py", select=["BP503"]).findings)


def test_fix_adds_pre_ping_before_a_trailing_comma() -> None:
    code = IMPORT + "engine = create_engine(\n    url,\n    pool_size=5,\n)\n"
    assert _fixed(code) == IMPORT + (
        "engine = create_engine(\n    url,\n    pool_size=5, pool_pre_ping=True,\n)\n"
    )


def test_fix_turns_false_into_true() -> None:
    code = IMPORT + "engine = create_engine(url, pool_size=5, pool_pre_ping=False)\n"
    assert _fixed(code) == IMPORT + "engine = create_engine(url, pool_size=5, pool_pre_ping=True)\n"


ONE_SHOT = IMPORT + (
    "def create_database(url: str) -> None:\n"
    "    engine = create_engine(url)\n"
    "    try:\n"
    "        with engine.begin() as conn:\n"
    "            conn.exec_driver_sql('CREATE DATABASE app')\n"
    "    finally:\n"
    "        engine.dispose()\n"
)


def test_leaves_a_one_shot_engine_alone() -> None:
    assert _bp503(ONE_SHOT) == []


def test_an_engine_disposed_elsewhere_is_still_flagged() -> None:
    # Disposed under another name, or in another function: the pool lives on.
    assert len(_bp503(ONE_SHOT.replace("engine.dispose()", "other.dispose()"))) == 2
    module_level = (
        IMPORT + "engine = create_engine(url)\n\ndef close() -> None:\n    engine.dispose()\n"
    )
    assert len(_bp503(module_level)) == 2


def test_leaves_an_engine_in_a_sqlite_branch_alone() -> None:
    code = IMPORT + (
        "def probe(url, dialect_name: str) -> None:\n"
        "    if dialect_name == 'sqlite':\n"
        "        engine = create_engine(url)\n"
        "    else:\n"
        "        engine = create_engine(url)\n"
    )
    found = _bp503(code)
    assert len(found) == 2  # the else branch only: pre-ping and sizing

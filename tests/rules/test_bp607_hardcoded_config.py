"""BP607 hardcoded-config: debug switches, service addresses and open CORS in code."""

from __future__ import annotations

import textwrap

import pytest

from precepts.rules.services.bp607_hardcoded_config import service_url
from tests.helpers import check


def _lines(code: str, path: str = "app/service.py") -> list[int]:
    result = check(textwrap.dedent(code), path=path, select=["BP607"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://admin@db.prod.acme.io:5432/app", True),  # any DSN host
        ("postgresql://admin:secret@localhost/app", False),  # BP502's: credentials in a DSN
        ("postgresql+asyncpg://user@localhost/app", True),
        ("redis://cache:6379/0", True),
        ("http://user-service/users/", True),  # a single-label service name
        ("http://localhost:8000", True),
        ("http://10.0.3.7/api", True),
        ("http://ollama.svc.cluster.local:11434", True),
        ("https://api.openai.com/v1", False),  # a public API
        ("https://docs.python.org/3/", False),
        ("http://example.com/path", False),  # a placeholder
        ("postgresql://user@db.example.com/app", False),
        ("sqlite:///app.db", False),  # no host
        ("http://{host}:{port}", False),
        ("see http://localhost:8000 for docs", False),  # prose
        ("http://0.0.0.0:8000", False),  # a bind address
    ],
)
def test_service_url(text: str, expected: bool) -> None:
    assert service_url(text) is expected


@pytest.mark.parametrize(
    "line",
    [
        "DEBUG = True",
        "debug: bool = True",
        'DATABASE_URL = "postgresql://admin@localhost:5432/mydb"',
        'REDIS_HOST = "redis"',
        "DB_PORT = 5432",
        'client = redis.Redis(host="cache", port=6379)',
        'app.add_middleware(CORSMiddleware, allow_origins=["*"])',
        'app.add_middleware(cors.CORSMiddleware, allow_origins="*")',
        'middleware = CORSMiddleware(app, allow_origins=("https://a.io", "*"))',
        'response = httpx.get(f"http://user-service/users/{user_id}", timeout=5)',
    ],
)
def test_flags(line: str) -> None:
    header = "import httpx\nimport redis\nfrom starlette.middleware import cors\n"
    header += "from starlette.middleware.cors import CORSMiddleware\n"
    assert _lines(f"{header}{line}\n") == [5]


@pytest.mark.parametrize(
    "line",
    [
        "DEBUG = False",
        'DATABASE_URL = os.getenv("DATABASE_URL", "postgresql://u@localhost/app")',
        'URL = os.environ.get("URL", "http://localhost:8000")',
        'URL = config.get("url", "http://localhost:8000")',
        'HOME = "https://docs.python.org/3/"',
        'DEFAULT_HOST = "127.0.0.1"',
        'uvicorn.run(app, host="0.0.0.0", port=8000)',
        'Connection(conn_id="redis_default", host="redis")',  # a record, not a client
        'parser.add_argument("--url", default="http://localhost:8000")',
        'local = url.startswith("http://localhost")',
        "app.add_middleware(CORSMiddleware, allow_origins=settings.ALLOWED_ORIGINS)",
        'own = f"http://127.0.0.1:{port}"',
        '"""Call http://localhost:8000/docs to try it."""',
    ],
)
def test_leaves_alone(line: str) -> None:
    header = "import os\n\nimport uvicorn\nfrom starlette.middleware.cors import CORSMiddleware\n"
    assert _lines(f"{header}{line}\n") == []


def test_debug_inside_a_function_is_not_module_configuration() -> None:
    assert _lines("def configure(app):\n    DEBUG = True\n    return DEBUG\n") == []


def test_settings_class_defaults_are_left_alone() -> None:
    code = """\
    from app.base import AppSettings
    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        DEBUG: bool = True
        USER_SERVICE_URL: str = "http://localhost:8001"
        REDIS_HOST: str = "redis"


    class WorkerSettings(AppSettings):
        BROKER_URL: str = "amqp://guest@rabbit//"
    """
    assert _lines(code) == []


def test_a_settings_module_keeps_its_default_addresses_but_not_debug() -> None:
    code = """\
    DEBUG = True
    OLLAMA_BASE_URL = "http://localhost:11434"
    REDIS_HOST = "redis"
    """
    assert _lines(code, path="app/config.py") == [1]
    assert _lines(code, path="app/settings/base.py") == [1]


def test_tests_are_left_alone() -> None:
    assert _lines('DEBUG = True\nURL = "http://localhost:8000"\n', path="tests/conftest.py") == []


def test_in_process_clients_and_record_hosts_are_left_alone() -> None:
    code = """\
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://mem/api")
    test = httpx.AsyncClient(app=app, base_url="http://testserver")
    seed = Connection(conn_id="grpc_default", host="grpc://localhost")
    """
    assert _lines(code) == []


def test_parameter_defaults_are_left_alone() -> None:
    code = """\
    import typer
    from pydantic import Field


    def login(url: str = typer.Option("http://localhost:7002", help="the server")) -> None:
        pass


    server: str = Field("http://localhost:7002")
    """
    assert _lines(code) == []

"""BP601 blocking-http-in-async: what it flags, and what it leaves alone."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check


def _lines(code: str, path: str = "app/service.py") -> list[int]:
    result = check(textwrap.dedent(code), path=path, select=["BP601"])
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("import requests", "requests.get(url, timeout=5)"),
        ("import requests as rq", "rq.post(url, json={}, timeout=5)"),
        ("from requests import get", "get(url, timeout=5)"),
        ("import requests", 'requests.request("GET", url, timeout=5)'),
        ("import httpx", "httpx.get(url)"),
        ("import httpx as hx", "hx.Client(timeout=5).get(url)"),
        ("import urllib.request", "urllib.request.urlopen(url, timeout=5)"),
        ("from urllib.request import urlopen as fetch", "fetch(url, timeout=5)"),
        ("from requests import Session", "Session().get(url, timeout=5)"),
    ],
)
def test_flags_blocking_calls_in_a_coroutine(imports: str, call: str) -> None:
    code = f"{imports}\n\n\nasync def handler(url):\n    return {call}\n"
    assert _lines(code) == [5]


def test_follows_clients_bound_in_the_function_and_at_module_level() -> None:
    code = """\
    import httpx
    import requests

    SESSION = requests.Session()


    async def handler(url):
        with httpx.Client(timeout=5) as client:
            client.get(url)
        local = requests.Session()
        local.post(url, timeout=5)
        SESSION.get(url, timeout=5)
    """
    assert _lines(code) == [9, 11, 12]


def test_a_rebound_name_is_no_longer_the_client() -> None:
    code = """\
    import requests

    session = requests.Session()


    async def handler(url, session_factory):
        session = session_factory()
        await session.get(url)
    """
    assert _lines(code) == []


@pytest.mark.parametrize(
    "body",
    [
        "await asyncio.to_thread(requests.get, url, timeout=5)",
        "await loop.run_in_executor(None, lambda: requests.get(url, timeout=5))",
        "await anyio.to_thread.run_sync(functools.partial(requests.get, url, timeout=5))",
        "await run_in_threadpool(requests.get, url, timeout=5)",
    ],
)
def test_calls_moved_to_a_thread_are_fine(body: str) -> None:
    code = f"import asyncio\nimport requests\n\n\nasync def handler(url, loop):\n    {body}\n"
    assert _lines(code) == []


def test_leaves_sync_functions_nested_defs_and_async_clients_alone() -> None:
    code = """\
    import aiohttp
    import httpx
    import requests


    def sync_route(url):
        return requests.get(url, timeout=5)


    async def handler(url):
        def fetch():
            return requests.get(url, timeout=5)

        async with httpx.AsyncClient(timeout=5) as client:
            await client.get(url)
        async with aiohttp.ClientSession() as session:
            await session.get(url, timeout=5)
        return fetch
    """
    assert _lines(code) == []


def test_a_local_name_that_is_not_the_library_is_left_alone() -> None:
    code = """\
    requests = {}


    async def handler(key):
        return requests.get(key)
    """
    assert _lines(code) == []


def test_tests_are_left_alone() -> None:
    code = "import requests\n\n\nasync def test_it(url):\n    requests.get(url, timeout=5)\n"
    assert _lines(code, path="tests/test_client.py") == []

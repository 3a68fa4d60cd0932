"""BP602 http-without-timeout: what it flags, its fix, and what it leaves alone."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import check, fix_all


def _run(code: str, path: str = "app/service.py"):
    result = check(textwrap.dedent(code), path=path, select=["BP602"])
    assert not result.errors, [e.trace for e in result.errors]
    return result


def _lines(code: str, path: str = "app/service.py") -> list[int]:
    return [f.range.start.line + 1 for f in _run(code, path).findings]


@pytest.mark.parametrize(
    ("imports", "call", "fixed"),
    [
        ("import requests", "requests.get(url)", "requests.get(url, timeout=10)"),
        ("import requests as rq", "rq.post(url, json={})", "rq.post(url, json={}, timeout=10)"),
        ("from requests import get", "get(url)", "get(url, timeout=10)"),
        ("import httpx", "httpx.put(url)", "httpx.put(url, timeout=10)"),
        ("import httpx", "httpx.Client().get(url)", "httpx.Client().get(url, timeout=10)"),
        (
            "import urllib.request",
            "urllib.request.urlopen(url)",
            "urllib.request.urlopen(url, timeout=10)",
        ),
        (
            "import aiohttp as ah",
            "ah.ClientSession().get(url)",
            "ah.ClientSession().get(url, timeout=ah.ClientTimeout(total=10))",
        ),
        (
            "import requests",
            "requests.Session().delete(url)",
            "requests.Session().delete(url, timeout=10)",
        ),
    ],
)
def test_flags_and_fixes_requests_without_timeout(imports: str, call: str, fixed: str) -> None:
    code = f"{imports}\n\nresponse = {call}\n"
    result = _run(code)
    (finding,) = result.findings
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"
    assert fix_all(code, result.findings) == f"{imports}\n\nresponse = {fixed}\n"


def test_fix_keeps_one_argument_per_line() -> None:
    code = textwrap.dedent(
        """\
        import requests

        response = requests.post(
            url,
            json=payload,
        )
        """
    )
    result = _run(code)
    assert fix_all(code, result.findings) == code.replace(
        "json=payload,\n", "json=payload,\n    timeout=10,\n"
    )


def test_a_client_default_timeout_covers_its_requests() -> None:
    code = """\
    import aiohttp
    import httpx


    async def handler(url):
        async with httpx.AsyncClient(timeout=httpx.Timeout(5)) as client:
            await client.get(url)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            await session.get(url)
        async with aiohttp.ClientSession() as session:
            await session.get(url, timeout=aiohttp.ClientTimeout(total=5))
            await session.post(url)
    """
    assert _lines(code) == [12]


def test_requests_sessions_have_no_default() -> None:
    code = """\
    import requests

    session = requests.Session()


    def handler(url):
        return session.get(url)
    """
    assert _lines(code) == [7]


@pytest.mark.parametrize(
    "call",
    [
        "requests.get(url, timeout=5)",
        "requests.get(url, **options)",
        "urllib.request.urlopen(url, None, 5)",
        "httpx.Client()",  # its requests are judged, not its creation
        "requests.Session()",
        "session.get(url)",  # an unknown object: not known to be a client
    ],
)
def test_leaves_alone(call: str) -> None:
    code = f"import httpx\nimport requests\nimport urllib.request\n\nx = {call}\n"
    assert _lines(code) == []


def test_tests_are_left_alone() -> None:
    assert _lines("import requests\n\nrequests.get(url)\n", path="tests/test_api.py") == []


def test_timeout_none_waits_forever() -> None:
    assert _lines("import requests\n\nrequests.get(url, timeout=None)\n") == [3]


def test_the_httpx_default_option() -> None:
    code = "import httpx\nimport requests\n\nhttpx.get(url)\nrequests.get(url)\n"
    options = {"BP602": {"httpx-default": True}}
    result = check(code, path="app/a.py", select=["BP602"], options=options)
    assert [f.range.start.line + 1 for f in result.findings] == [5]


@pytest.mark.parametrize(
    ("imports", "call", "says"),
    [
        ("import requests", "requests.get(url)", "forever"),
        ("import httpx", "httpx.get(url)", "five-second default"),
        ("import httpx", "httpx.get(url, timeout=None)", "forever"),
        ("import aiohttp", "aiohttp.ClientSession().get(url)", "five minutes"),
    ],
)
def test_the_message_says_how_long_the_call_can_wait(imports: str, call: str, says: str) -> None:
    (finding,) = _run(f"{imports}\n\n{call}\n").findings
    assert says in finding.message

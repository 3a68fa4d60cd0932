"""BP601 blocking-http-in-async: synchronous HTTP calls that stall the event loop."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example
from precepts.rules.services._http import HttpRule


class BlockingHttpInAsync(HttpRule):
    """Flags ``requests``/``urllib``/sync ``httpx`` calls inside ``async def``."""

    code = "BP601"
    name = "blocking-http-in-async"
    family = "services"
    section = "Inter-Service Communication"
    severity = Severity.WARNING
    message = (
        "Blocking HTTP call inside `async def`: it stalls the event loop; use "
        "`httpx.AsyncClient` or `aiohttp`, or run it with `asyncio.to_thread`"
    )
    summary = (
        "A synchronous HTTP request made directly in a coroutine: `requests.get/post/...`, "
        "`requests.Session()` methods, `urllib.request.urlopen`, `httpx.get/...` and "
        "`httpx.Client()` methods, under any import alias."
    )
    why = (
        "A coroutine runs on the event loop's only thread. A blocking request holds that "
        "thread until the other service answers, so every other request the process is "
        "serving waits too: one slow dependency turns into a stalled service. An async "
        "client (`httpx.AsyncClient`, `aiohttp.ClientSession`) yields to the loop while it "
        "waits."
    )
    leaves_alone = (
        "Calls handed to a worker thread: the function passed to `loop.run_in_executor`, "
        "`asyncio.to_thread`, `anyio.to_thread.run_sync` or Starlette's "
        "`run_in_threadpool` (and anything written inside those calls' arguments), code in "
        "a `lambda` or a nested plain `def` (it runs where it is called, not on the loop "
        "necessarily), synchronous functions (FastAPI runs `def` routes in a thread pool), "
        "async clients (`httpx.AsyncClient`, `aiohttp`). A client kept on `self` and used "
        "from another method is not followed."
    )
    bad = (
        Example(
            "import requests\n"
            "\n"
            "\n"
            "async def fetch_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            '    response = requests.get(f"{base_url}/users/{user_id}", timeout=5)\n'
            "    return response.json()\n",
            line=6,
        ),
    )
    good = (
        Example(
            "import httpx\n"
            "\n"
            "\n"
            "async def fetch_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            "    async with httpx.AsyncClient(timeout=5) as client:\n"
            '        response = await client.get(f"{base_url}/users/{user_id}")\n'
            "    return response.json()\n"
        ),
    )
    bad_cases = (
        Example(
            "import requests\nasync def f():\n    return requests.post(URL, json={}, timeout=5)\n",
            line=3,
        ),
        Example("import httpx\nasync def f():\n    return httpx.get(URL, timeout=5)\n", line=3),
        Example(
            "import requests as rq\n"
            "async def f():\n"
            "    with rq.Session() as s:\n"
            "        return s.get(URL, timeout=5)\n",
            line=4,
        ),
        Example(
            "from urllib.request import urlopen\n"
            "async def f():\n"
            "    return urlopen(URL, timeout=5)\n",
            line=3,
        ),
        Example(
            "import httpx\n"
            "async def f():\n"
            "    client = httpx.Client(timeout=5)\n"
            "    return client.get(URL)\n",
            line=4,
        ),
    )
    good_cases = (
        "import requests\ndef f():\n    return requests.get(URL, timeout=5)",  # a thread pool's
        "import asyncio, requests\n"
        "async def f():\n"
        "    return await asyncio.to_thread(requests.get, URL, timeout=5)",
        "import asyncio, requests\n"
        "async def f():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    return await loop.run_in_executor(None, lambda: requests.get(URL, timeout=5))",
        "import httpx\n"
        "async def f():\n"
        "    async with httpx.AsyncClient(timeout=5) as client:\n"
        "        return await client.get(URL)",
        "import requests\n"
        "async def f():\n"
        "    def fetch():\n"
        "        return requests.get(URL, timeout=5)\n"
        "    return fetch",
    )

    def check_call(self, node: cst.Call) -> None:
        """Flag a blocking request made directly in a coroutine."""
        if not self.in_coroutine or self.context.is_test:
            return
        call = self.http_call(node)
        if call is not None and call.blocking:
            self.report(call.where)

"""BP602 http-without-timeout: HTTP requests that can wait forever for an answer."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Applicability
from precepts.rule import Example, FixSpec, Option
from precepts.rules.services._calls import add_keyword
from precepts.rules.services._http import HttpCall, HttpRule, timeout_is_none

_SECONDS = 10


# What a request without ``timeout=`` waits for, where the library has a default of its own.
_DEFAULT_WAITS = {
    "httpx": "HTTP request without `timeout=`: httpx's five-second default, which the code "
    "does not show, decides how long it waits",
    "aiohttp": "HTTP request without `timeout=`: aiohttp's default lets a slow service hold "
    "this call for five minutes",
}


class HttpWithoutTimeout(HttpRule):
    """Flags HTTP requests sent without a timeout."""

    code = "BP602"
    name = "http-without-timeout"
    family = "services"
    section = "Inter-Service Communication"
    message = "HTTP request without `timeout=`: a slow service can hold this call forever"
    summary = (
        "A request sent with `requests` (functions and `Session` methods), "
        "`urllib.request.urlopen`, `httpx` (functions, and `Client`/`AsyncClient` methods "
        "when the client has no default timeout) or `aiohttp` (`ClientSession` methods when "
        "the session has no `timeout=`, `aiohttp.request`) without `timeout=`, under any "
        "import alias."
    )
    why = (
        "`requests` and `urllib` wait without limit by default (as does `timeout=None`); "
        "`aiohttp` waits five minutes; `httpx` gives up after five seconds, a default the "
        "code does not show (the standard asks for an explicit one; the `httpx-default` "
        "option accepts it). A dependency that accepts the connection and never answers "
        "then holds the caller's worker (or coroutine) until it is restarted, and a few "
        "such calls exhaust the service. An explicit timeout makes the failure fast and "
        "visible, where the retry logic of the standard's client can deal with it."
    )
    leaves_alone = (
        "Requests through a client created with a default timeout "
        "(`httpx.Client(timeout=10)`, `aiohttp.ClientSession(timeout=ClientTimeout(total=5))`), "
        "calls passing `timeout` (by keyword, positionally to `urlopen`, or possibly inside "
        "`**kwargs`), creating a client without a timeout (its requests are judged instead), "
        "clients the rule cannot see being created (kept on `self`, passed in as an argument: "
        "their type is unknown), tests."
    )
    fix_description = (
        f"Adds `timeout={_SECONDS}` (for `aiohttp`, "
        f"`timeout=aiohttp.ClientTimeout(total={_SECONDS})`). Unsafe: choose the value the "
        "call can afford; a request that used to succeed slowly now fails."
    )
    fix_applicability = Applicability.UNSAFE
    options = {
        "httpx-default": Option(
            False,
            "Accept httpx's own five-second default: leave httpx calls and clients without "
            "`timeout=` alone.",
        ),
    }
    bad = (
        Example(
            "import requests\n"
            "\n"
            "\n"
            "def get_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            '    response = requests.get(f"{base_url}/users/{user_id}")\n'
            "    return response.json()\n",
            line=6,
            fixed="import requests\n"
            "\n"
            "\n"
            "def get_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            f'    response = requests.get(f"{{base_url}}/users/{{user_id}}", timeout={_SECONDS})\n'
            "    return response.json()\n",
        ),
        Example(
            "import aiohttp\n"
            "\n"
            "\n"
            "async def get_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            "    async with aiohttp.ClientSession() as session:\n"
            '        async with session.get(f"{base_url}/users/{user_id}") as response:\n'
            "            return await response.json()\n",
            line=7,
            fixed="import aiohttp\n"
            "\n"
            "\n"
            "async def get_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            "    async with aiohttp.ClientSession() as session:\n"
            '        async with session.get(f"{base_url}/users/{user_id}", '
            f"timeout=aiohttp.ClientTimeout(total={_SECONDS})) as response:\n"
            "            return await response.json()\n",
        ),
    )
    good = (
        Example(
            "import httpx\n"
            "import requests\n"
            "\n"
            "\n"
            "def get_user(user_id: int, base_url: str) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            '    response = requests.get(f"{base_url}/users/{user_id}", timeout=5)\n'
            "    return response.json()\n"
            "\n"
            "\n"
            "async def get_order(order_id: int, base_url: str) -> dict:\n"
            '    """Fetch an order; the client\'s default timeout covers its requests."""\n'
            "    async with httpx.AsyncClient(timeout=5) as client:\n"
            '        response = await client.get(f"{base_url}/orders/{order_id}")\n'
            "    return response.json()\n"
        ),
    )

    def check_call(self, node: cst.Call) -> None:
        """Flag a request without a timeout."""
        if self.context.is_test:
            return
        call = self.http_call(node)
        if call is None or call.bounded:
            return
        if call.library == "httpx" and self.option("httpx-default"):
            return
        self.report(call.where, self._message(node, call.library), fix=self._fix(node, call))

    def _message(self, node: cst.Call, library: str) -> str:
        """Say how long the call can wait: only requests and urllib wait forever by default."""
        if timeout_is_none(node):
            return self.message
        return _DEFAULT_WAITS.get(library, self.message)

    def _fix(self, node: cst.Call, call: HttpCall) -> FixSpec | None:
        value = str(_SECONDS)
        if call.library == "aiohttp":
            module = self._module_alias("aiohttp")
            if module is not None:
                value = f"{module}.ClientTimeout(total={_SECONDS})"
        change = add_keyword(self.context, node, f"timeout={value}")
        return None if change is None else self.fix(f"Add `timeout={value}`", change)

    def _module_alias(self, module: str) -> str | None:
        """Return the local name a module is imported as (``import aiohttp as ah``)."""
        imports = self.context.facts.imports
        if imports.get(module) == module:
            return module
        for local, qualified in imports.items():
            if qualified == module:
                return local
        return None

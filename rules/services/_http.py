"""HTTP client libraries as BP601 and BP602 see them: request calls, clients, timeouts.

Known libraries: ``requests`` (module functions and ``Session``), ``urllib``
(``urlopen``), ``httpx`` (module functions, ``Client`` and ``AsyncClient``) and
``aiohttp`` (``ClientSession`` and ``aiohttp.request``), under any import alias. A client
is known when it is created in the call itself (``httpx.Client().get(...)``), bound to a
name in the enclosing function (``client = ...``, ``with ... as client``) or bound to a
name at the module's top level.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Rule
from precepts.rules.services._calls import keyword, unpacks

# Methods of a client, and module functions, that send a request.
_REQUEST_METHODS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
)
# Module → (library, blocks the thread) for module-level request functions.
_FUNCTION_MODULES = {
    "requests": ("requests", True),
    "requests.api": ("requests", True),
    "httpx": ("httpx", True),
    "aiohttp": ("aiohttp", False),
}
# Functions with a ``timeout`` that may be passed positionally: name → its index.
_URLLIB = {
    "urllib.request.urlopen": 2,
    "urllib2.urlopen": 2,
    "six.moves.urllib.request.urlopen": 2,
}
# Client constructors → (library, blocks the thread).
_CLIENTS = {
    "requests.Session": ("requests", True),
    "requests.session": ("requests", True),
    "requests.sessions.Session": ("requests", True),
    "httpx.Client": ("httpx", True),
    "httpx.AsyncClient": ("httpx", False),
    "aiohttp.ClientSession": ("aiohttp", False),
    "aiohttp.client.ClientSession": ("aiohttp", False),
}
_LIBRARIES = frozenset({"requests", "httpx", "aiohttp", "urllib", "urllib2"})
# Calls that run a function on a worker thread: what is inside them does not block the loop.
_OFFLOADERS = frozenset({"run_in_executor", "to_thread", "run_sync", "run_in_threadpool"})


@dataclass(frozen=True)
class Client:
    """An HTTP client object.

    Attributes:
        library: ``requests``, ``httpx`` or ``aiohttp``.
        blocking: True for a synchronous client (it blocks the thread it runs on).
        timeout: True when it was created with a default ``timeout=``.
    """

    library: str
    blocking: bool
    timeout: bool


@dataclass(frozen=True)
class HttpCall:
    """A call that sends an HTTP request.

    Attributes:
        library: The library that sends it.
        blocking: True when the call blocks the thread until the response arrives.
        bounded: True when a timeout applies (passed, or the client's default).
        where: The node to report on (the called name).
    """

    library: str
    blocking: bool
    bounded: bool
    where: cst.CSTNode


class HttpRule(Rule):
    """Base of the HTTP rules: tracks clients and whether code runs inside ``async def``.

    Not a rule itself (it has no code); BP601 and BP602 subclass it.
    """

    def setup(self) -> None:
        """Start at module level: no clients known, not in a coroutine."""
        self._scopes: list[dict[str, Client | None]] = [{}]
        # One entry per enclosing function or lambda: True for ``async def``.
        self._async: list[bool] = []
        self._offloaded = 0

    @property
    def in_coroutine(self) -> bool:
        """True when the innermost enclosing function is an ``async def``."""
        return bool(self._async) and self._async[-1] and not self._offloaded

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Enter a function scope."""
        self._scopes.append({})
        self._async.append(node.asynchronous is not None)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        """Leave a function scope."""
        self._scopes.pop()
        self._async.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        """A lambda is a synchronous function (``run_in_executor(None, lambda: ...)``)."""
        self._async.append(False)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        """Leave the lambda."""
        self._async.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        """Remember ``client = httpx.Client(...)`` (and forget a rebound name)."""
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Remember ``client: httpx.Client = httpx.Client(...)``."""
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        """Remember ``with httpx.Client() as client``."""
        if node.asname is not None:
            self._bind(node.asname.name, node.item)

    def visit_Call(self, node: cst.Call) -> None:
        """Note calls that move work to a thread, then judge the call."""
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func)
        if name is not None and name.rsplit(".", 1)[-1] in _OFFLOADERS:
            self._offloaded += 1
        self.check_call(node)

    def leave_Call(self, original_node: cst.Call) -> None:
        """Leave a call that moved work to a thread."""
        func = original_node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func)
        if name is not None and name.rsplit(".", 1)[-1] in _OFFLOADERS:
            self._offloaded -= 1

    def check_call(self, node: cst.Call) -> None:
        """Judge one call (subclasses report here).

        Args:
            node: The call.
        """

    # -- what a call is ---------------------------------------------------------------

    def http_call(self, node: cst.Call) -> HttpCall | None:
        """Tell whether a call sends an HTTP request, and how.

        Args:
            node: The call.

        Returns:
            What it is, or None for any other call.
        """
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _REQUEST_METHODS:
            client = self.client_of(func.value)
            if client is not None:
                bounded = client.timeout or _has_timeout(node, None)
                return HttpCall(client.library, client.blocking, bounded, func.attr)
        qualified = self._imported(func)
        if qualified is None:
            return None
        if qualified in _URLLIB:
            where = func.attr if isinstance(func, cst.Attribute) else func
            return HttpCall("urllib", True, _has_timeout(node, _URLLIB[qualified]), where)
        module, _, method = qualified.rpartition(".")
        if module in _FUNCTION_MODULES and method in _REQUEST_METHODS:
            library, blocking = _FUNCTION_MODULES[module]
            where = func.attr if isinstance(func, cst.Attribute) else func
            return HttpCall(library, blocking, _has_timeout(node, None), where)
        return None

    def client_of(self, node: cst.BaseExpression) -> Client | None:
        """Return the client an expression holds, when known.

        Args:
            node: The receiver of a method call.

        Returns:
            The client, or None.
        """
        if isinstance(node, cst.Call):
            return self._constructed(node)
        if not isinstance(node, cst.Name):
            return None
        for scope in reversed(self._scopes):
            if node.value in scope:
                return scope[node.value]  # None: bound to something else here
        # A top-level binding (``session = requests.Session()``), from the module facts.
        value = self.context.facts.values.get(node.value)
        return self._constructed(value) if isinstance(value, cst.Call) else None

    def _constructed(self, node: cst.Call) -> Client | None:
        qualified = self._imported(node.func)
        found = _CLIENTS.get(qualified or "")
        if found is None:
            return None
        library, blocking = found
        return Client(library, blocking, _has_timeout(node, None))

    def _imported(self, func: cst.BaseExpression) -> str | None:
        """Qualify a called name when its head is an import (or a library never bound here).

        A snippet may use ``requests.get`` without importing it; a name the module binds
        itself (``requests = []``) is not the library.
        """
        name = dotted_name(func)
        if name is None:
            return None
        facts = self.context.facts
        head = name.split(".", 1)[0]
        if head in facts.imports or (head in _LIBRARIES and head not in facts.defined):
            return facts.qualify(func)
        return None

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Name) or len(self._scopes) == 1:
            return  # top-level bindings are read from the module facts
        client = self._constructed(value) if isinstance(value, cst.Call) else None
        self._scopes[-1][target.value] = client


def timeout_is_none(node: cst.Call) -> bool:
    """Tell whether a call passes ``timeout=None`` (no timeout: it waits forever)."""
    given = keyword(node, "timeout")
    return given is not None and isinstance(given.value, cst.Name) and given.value.value == "None"


def _has_timeout(node: cst.Call, positional: int | None) -> bool:
    """Tell whether a call passes a timeout (or unpacks arguments that may hold one).

    ``timeout=None`` is no timeout: it waits forever.
    """
    if keyword(node, "timeout") is not None:
        return not timeout_is_none(node)
    if unpacks(node):
        return True
    if positional is None:
        return False
    return sum(1 for arg in node.args if arg.keyword is None) > positional

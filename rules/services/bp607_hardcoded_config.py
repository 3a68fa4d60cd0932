"""BP607 hardcoded-config: debug switches, service addresses and open CORS in code."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import libcst as cst

from precepts.configreads import is_settings_path
from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.services._env import is_env_call, is_settings_class, string_value

# Schemes of databases, brokers and caches: a literal host in them is always a service.
_SERVICE_SCHEMES = frozenset(
    {
        "postgres",
        "postgresql",
        "mysql",
        "mariadb",
        "mssql",
        "oracle",
        "redis",
        "rediss",
        "amqp",
        "amqps",
        "mongodb",
        "kafka",
        "nats",
        "memcached",
        "clickhouse",
        "cockroachdb",
    }
)
_WEB_SCHEMES = frozenset({"http", "https", "ws", "wss", "grpc", "grpcs"})
# Suffixes of names only a private network resolves.
_INTERNAL_SUFFIXES = (".local", ".internal", ".svc", ".cluster.local", ".lan", ".intranet")
# Reserved for documentation (RFC 2606 and 6761): placeholders, not services.
_PLACEHOLDER = re.compile(r"(^|\.)(example\.(com|org|net)|[^.]+\.(example|test|invalid))$")
_BIND_ALL = frozenset({"0.0.0.0", "::", ""})
# Names whose value is another service's address (``REDIS_HOST``, ``db_port``).
_ADDRESS_NAME = re.compile(
    r"^(?P<owner>[A-Za-z0-9]+)_(?P<kind>HOST|HOSTNAME|PORT|SERVER)$", re.IGNORECASE
)
# Prefixes naming this process's own address (``DEFAULT_HOST``, ``BIND_PORT``).
_OWN_ADDRESS = frozenset({"DEFAULT", "BIND", "LISTEN", "SERVE", "SERVER", "LOCAL", "MY", "OWN"})
# Client libraries whose ``host=`` names the server they connect to.
_CLIENT_PACKAGES = frozenset(
    {
        "redis",
        "aioredis",
        "pymongo",
        "motor",
        "psycopg",
        "psycopg2",
        "asyncpg",
        "pymysql",
        "MySQLdb",
        "aiomysql",
        "mysql",
        "pika",
        "aio_pika",
        "aiokafka",
        "kafka",
        "nats",
        "elasticsearch",
        "opensearchpy",
        "clickhouse_driver",
        "clickhouse_connect",
        "cassandra",
        "pymemcache",
        "memcache",
        "smtplib",
        "aiosmtplib",
        "ftplib",
        "paramiko",
        "ldap3",
    }
)
# Methods whose string arguments are patterns, not values.
_PATTERN_METHODS = frozenset(
    {"startswith", "endswith", "replace", "removeprefix", "match", "search", "compile", "split"}
)
_LOOKUP_METHODS = frozenset({"get", "getenv", "setdefault", "pop"})
# Where a string is not a configuration value: compared, a docstring, an index, a test.
_NOT_VALUES = (
    cst.Comparison,
    cst.Expr,
    cst.Subscript,
    cst.If,
    cst.BaseSuite,
    cst.Module,
    cst.FunctionDef,
    cst.ClassDef,
)
# Parameter declarations whose first argument is a default (CLI options, pydantic, FastAPI).
_PARAMETER_FACTORIES = frozenset(
    {"Option", "Argument", "Field", "Query", "Header", "Cookie", "Body", "Form", "Param"}
)
_HOST_KEYWORDS = frozenset({"host", "hostname"})
# Keyword arguments holding a fallback (argparse, click, pydantic ``Field``).
_DEFAULT_KEYWORDS = frozenset({"default", "default_factory", "example", "examples"})


def _service_host(host: str) -> bool:
    """Tell whether a host name or address is one of a private network's services."""
    host = host.lower().strip("[]")
    if host in _BIND_ALL or _PLACEHOLDER.search(host):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost" or "." not in host or host.endswith(_INTERNAL_SUFFIXES)
    return address.is_private or address.is_loopback


def service_url(text: str) -> bool:
    """Tell whether a text is the URL of another service (a DSN, an internal address).

    Args:
        text: The literal text (for an f-string, its text up to the first expression).

    Returns:
        True for a database/broker DSN with a literal host, or a web URL whose host is
        local, private or a single-label service name.
    """
    if "://" not in text or any(c.isspace() for c in text.strip()):
        return False
    try:
        parts = urlsplit(text.strip())
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    if not host or "{" in host or parts.password:
        return False  # (a DSN carrying a password is BP502's finding, credentials-in-dsn)
    scheme = parts.scheme.lower().split("+", 1)[0]
    if scheme in _SERVICE_SCHEMES:
        return not _PLACEHOLDER.search(host)
    return scheme in _WEB_SCHEMES and _service_host(host)


class HardcodedConfig(Rule):
    """Flags configuration written into code instead of read from settings."""

    code = "BP607"
    name = "hardcoded-config"
    family = "services"
    section = "Service Configuration & Secrets"
    message = "Configuration written into code: read it from the settings class or the environment"
    summary = (
        "Configuration that belongs in settings, written as literals: a module-level "
        "`DEBUG = True`; the address of another service (a database or broker DSN with a "
        "literal host, an `http://` URL to `localhost`, a private IP or a single-label "
        'service name like `http://user-service/...`, `REDIS_HOST = "redis"`, '
        '`DB_PORT = 5432`, `host="db"` passed to a client); and `allow_origins=["*"]` given '
        "to `CORSMiddleware`."
    )
    why = (
        "The same code runs in development, staging and production; only its settings "
        "differ. A debug switch left on in code ships tracebacks and debug pages to users, "
        "an address in code points every environment at one host (usually a developer's "
        "machine), and a wildcard CORS policy lets any web site call the API from its "
        "users' browsers. Read from the environment through one settings class, each "
        "environment sets its own values and code review sees no addresses."
    )
    leaves_alone = (
        "Values read from settings or the environment, including literal fallbacks "
        '(`os.getenv("DB_HOST", "localhost")`, `config.get("url", "...")`); defaults of '
        "settings classes (`BaseSettings` subclasses and classes whose base is named "
        "`...Settings`); `default=`/`example=` arguments (argparse, click, pydantic `Field`) "
        "and the default given first to `typer.Option`/`Argument`, `Field`, `Query`...; "
        "URLs of public hosts (third-party APIs, documentation links) and placeholder "
        "domains (`example.com`, `*.test`); where this process listens "
        '(`uvicorn.run(app, host="0.0.0.0")`, `host=` given to `run`/`serve`/`bind`); '
        'literals compared or searched (`url.startswith("http://localhost")`); docstrings; '
        "`DEBUG = False`; a DSN that carries a password (BP502, credentials-in-dsn, reports "
        "it: one finding per literal); tests."
    )
    bad = (
        Example("DEBUG = True\n", line=1),
        Example(
            "import requests\n"
            "\n"
            "\n"
            "def get_user(user_id: int) -> dict:\n"
            '    """Fetch a user from the user service."""\n'
            '    response = requests.get(f"http://user-service/users/{user_id}", timeout=5)\n'
            "    return response.json()\n",
            line=6,
        ),
        Example(
            "from fastapi import FastAPI\n"
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "\n"
            "app = FastAPI()\n"
            'app.add_middleware(CORSMiddleware, allow_origins=["*"])\n',
            line=5,
        ),
    )
    good = (
        Example(
            "from fastapi import FastAPI\n"
            "from fastapi.middleware.cors import CORSMiddleware\n"
            "from pydantic_settings import BaseSettings\n"
            "\n"
            "\n"
            "class Settings(BaseSettings):\n"
            '    """Settings read from the environment."""\n'
            "\n"
            "    DEBUG: bool = False\n"
            '    USER_SERVICE_URL: str = "http://localhost:8001"\n'
            '    ALLOWED_ORIGINS: list[str] = ["http://localhost:3000"]\n'
            "\n"
            "\n"
            "settings = Settings()\n"
            "app = FastAPI(debug=settings.DEBUG)\n"
            "app.add_middleware(CORSMiddleware, allow_origins=settings.ALLOWED_ORIGINS)\n"
        ),
    )

    def setup(self) -> None:
        """Start outside any function or class."""
        self._functions = 0
        self._settings_classes = 0
        # A settings module (``config.py``) is where default addresses belong.
        self._settings_module = is_settings_path(self.context.path)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Count enclosing functions (``DEBUG = True`` counts at module level only)."""
        self._functions += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        """Leave a function."""
        self._functions -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Enter a class; a settings class's defaults are its business."""
        self._settings_classes += is_settings_class(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        """Leave a class."""
        self._settings_classes -= is_settings_class(original_node)

    def _skipped(self) -> bool:
        return self.context.is_test or self._settings_classes > 0

    # -- DEBUG = True and REDIS_HOST = "redis" ----------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        """Flag ``DEBUG = True`` at module level and service addresses bound to names."""
        for target in node.targets:
            self._check_binding(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """The same for annotated assignments."""
        if node.value is not None:
            self._check_binding(node.target, node.value)

    def _check_binding(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if self._skipped():
            return
        name = target.value if isinstance(target, cst.Name) else None
        if name is None:
            return
        if name.upper() == "DEBUG" and not self._functions and _is_true(value):
            self.report(target, "`DEBUG = True` in code: read the debug switch from settings")
            return
        match = _ADDRESS_NAME.match(name)
        if match is None or self._settings_module or match.group("owner").upper() in _OWN_ADDRESS:
            return
        if match.group("kind").upper() == "PORT":
            if isinstance(value, cst.Integer):
                self.report(
                    value, f"Port of another service in code (`{name}`): read it from settings"
                )
            return
        host = string_value(value)
        if host is not None and "://" not in host and _service_host(host):
            self.report(value, f"Host of another service in code (`{name}`): read it from settings")

    # -- URLs, host= and CORS -----------------------------------------------------------

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Flag a service URL used as a value."""
        value = string_value(node)
        if value is not None and "://" in value:
            self._check_url(node, value)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Flag an f-string whose literal start is a service URL (``f"http://db/{x}"``).

        ``f"http://127.0.0.1:{port}"`` is left alone: a loopback address with a port
        chosen at run time is this process's own server, not another service.
        """
        parts = node.parts
        head = parts[0] if parts else None
        if not isinstance(head, cst.FormattedStringText) or "://" not in head.value:
            return
        if head.value.endswith(":") and len(parts) > 1 and _is_loopback_url(head.value):
            return
        self._check_url(node, head.value)

    def _check_url(self, node: cst.BaseExpression, text: str) -> None:
        if self._skipped() or self._settings_module:
            return
        if not service_url(text) or not self._used_as_value():
            return
        self.report(node, "Address of another service in code: read it from settings")

    def _used_as_value(self) -> bool:
        """Tell whether the string being visited is configuration, not a pattern or a doc."""
        child: cst.CSTNode | None = self.context.current_node
        for node in reversed(self.context.ancestors):
            verdict = self._verdict_at(node, child)
            if verdict is not None:
                return verdict
            child = node
        return False

    def _verdict_at(self, node: cst.CSTNode, child: cst.CSTNode | None) -> bool | None:
        """Judge the string by one enclosing node: a value, not one, or None (look higher)."""
        if isinstance(node, cst.Arg):
            keyword = node.keyword.value if node.keyword else None
            if keyword in _DEFAULT_KEYWORDS or keyword in _HOST_KEYWORDS:
                return False  # a fallback, or host= (judged by the client rule)
            return None
        if isinstance(node, cst.Call):
            if self._is_lookup(node, child) or _in_process(node):
                return False
            return not _declares_default(node)
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.Param, cst.Return)):
            return True
        if isinstance(node, _NOT_VALUES):
            return False  # compared, a docstring, an index, a condition, a block
        return None

    def _is_lookup(self, call: cst.Call, child: cst.CSTNode | None) -> bool:
        """Tell whether a string is a fallback of a lookup, a pattern, or the called thing."""
        func = call.func
        if child is func or is_env_call(self.context.facts, call):
            return True
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if method in _PATTERN_METHODS:
            return True
        # ``config.get("url", "http://...")``: the fallback of a lookup, not its subject.
        return method in _LOOKUP_METHODS and bool(call.args) and child is not call.args[0]

    def visit_Call(self, node: cst.Call) -> None:
        """Flag ``allow_origins=["*"]`` for CORS and a literal ``host=`` given to a client."""
        if self._skipped():
            return
        if self._is_cors(node):
            self._check_origins(node)
        if not self._settings_module:
            self._check_host_keyword(node)

    def _is_cors(self, node: cst.Call) -> bool:
        facts = self.context.facts
        target = node.func
        name = dotted_name(target)
        if name is not None and name.rsplit(".", 1)[-1] == "add_middleware" and node.args:
            target = node.args[0].value
        qualified = facts.qualify(target) if dotted_name(target) else None
        return bool(qualified) and qualified.rsplit(".", 1)[-1] == "CORSMiddleware"  # type: ignore[union-attr]

    def _check_origins(self, node: cst.Call) -> None:
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value != "allow_origins":
                continue
            value = arg.value
            if string_value(value) == "*":
                self.report(value, "CORS allows every origin: list the allowed origins in settings")
            elements = value.elements if isinstance(value, (cst.List, cst.Tuple, cst.Set)) else ()
            for element in elements:
                if string_value(element.value) == "*":
                    self.report(
                        element.value,
                        "CORS allows every origin: list the allowed origins in settings",
                    )

    def _check_host_keyword(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is None or name.split(".", 1)[0] not in self.context.facts.imports:
            return
        qualified = self.context.facts.qualify(node.func) or ""
        if qualified.split(".", 1)[0] not in _CLIENT_PACKAGES:
            return
        for arg in node.args:
            if arg.keyword is None or arg.keyword.value not in _HOST_KEYWORDS:
                continue
            host = string_value(arg.value)
            if host is not None and "://" not in host and _service_host(host):
                self.report(arg.value, "Host of another service in code: read it from settings")


def _declares_default(call: cst.Call) -> bool:
    """Tell whether a call declares a parameter whose first argument is its default.

    ``typer.Option("http://localhost:7002")``, ``Field("...")``, FastAPI's ``Query(...)``.
    """
    name = dotted_name(call.func)
    return name is not None and name.rsplit(".", 1)[-1] in _PARAMETER_FACTORIES


def _in_process(call: cst.Call) -> bool:
    """Tell whether a client talks to an app in this process (``transport=``, ``app=``).

    ``AsyncClient(transport=ASGITransport(app), base_url="http://in-memory/api")``: the
    URL names no server on the network.
    """
    return any(
        arg.keyword is not None and arg.keyword.value in {"transport", "app"} for arg in call.args
    )


def _is_loopback_url(text: str) -> bool:
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_true(value: cst.BaseExpression) -> bool:
    return isinstance(value, cst.Name) and value.value == "True"

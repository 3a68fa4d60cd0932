"""BP503 engine-without-pool-settings: a server engine without ``pool_pre_ping`` or sizing."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from precepts.context import RuleContext
from precepts.rule import Example, InsertAfter, Option, Replace, Rule
from precepts.rules.sql._sqlcst import string_value
from precepts.rules.sqlalchemy._orm import enclosing_function

_FACTORIES = frozenset({"create_engine", "create_async_engine"})
# Pools that do not keep connections (or serve sqlite only): pre-ping and sizing are moot.
_NON_QUEUE_POOLS = frozenset({"NullPool", "StaticPool", "SingletonThreadPool", "AssertionPool"})
_SIZING = ("pool_size", "max_overflow")


def _is_engine_factory(call: cst.Call, qualified: str | None) -> bool:
    if qualified is None:
        return False
    short = qualified.rsplit(".", 1)[-1]
    if short not in _FACTORIES:
        return False
    # Not imported (a snippet) or imported from SQLAlchemy; a project's own wrapper
    # of the same name may set the pool itself.
    return qualified == short or qualified.startswith("sqlalchemy")


def _keywords(call: cst.Call) -> dict[str, cst.Arg]:
    return {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}


def _url_argument(call: cst.Call, keywords: dict[str, cst.Arg]) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return arg.value
    url = keywords.get("url")
    return url.value if url is not None else None


def _is_sqlite(call: cst.Call, keywords: dict[str, cst.Arg]) -> bool:
    url = _url_argument(call, keywords)
    text = string_value(url) if url is not None else None
    if text is not None and text.lstrip().lower().startswith("sqlite"):
        return True
    connect_args = keywords.get("connect_args")
    if connect_args is not None and isinstance(connect_args.value, cst.Dict):
        for element in connect_args.value.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == (
                "check_same_thread"
            ):
                return True  # an option only sqlite3 takes
    return False


def _pool_is_moot(keywords: dict[str, cst.Arg]) -> bool:
    pool = keywords.get("poolclass")
    if pool is None:
        return False
    value = pool.value
    name = value.attr.value if isinstance(value, cst.Attribute) else getattr(value, "value", "")
    return name in _NON_QUEUE_POOLS


def _assigned_name(ancestors: list[cst.CSTNode]) -> str | None:
    """Return ``name`` when the call being visited is the value of ``name = call``."""
    parent = ancestors[-1] if ancestors else None
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
    return None


def _is_one_shot(context: RuleContext) -> bool:
    """Tell whether the engine is created and disposed in the same function.

    Such an engine serves one administrative task (create a database, probe a
    server): its pool never lives long enough for connections to go stale.
    """
    name = _assigned_name(context.ancestors)
    function = enclosing_function(context)
    if name is None or function is None:
        return False
    disposal = m.Call(func=m.Attribute(value=m.Name(name), attr=m.Name("dispose")))
    return bool(m.findall(function.body, disposal))


def _under_sqlite_branch(ancestors: list[cst.CSTNode]) -> bool:
    """Tell whether the call sits in the body of an ``if`` that tests for sqlite."""
    for parent, child in zip(ancestors, ancestors[1:], strict=False):
        if isinstance(parent, cst.If) and child is parent.body:
            for string in m.findall(parent.test, m.SimpleString()):
                value = string_value(string)  # type: ignore[arg-type]
                if value is not None and value.lower().startswith("sqlite"):
                    return True
    return False


class EngineWithoutPoolSettings(Rule):
    """Flags engines that do not check or size their connection pool."""

    code = "BP503"
    name = "engine-without-pool-settings"
    family = "sql"
    section = "Connection Management"
    message = "Engine without `pool_pre_ping=True`: stale pooled connections will fail requests"
    summary = (
        "`create_engine()` / `create_async_engine()` for a server database without "
        "`pool_pre_ping=True`, and (a second finding) without explicit pool sizing "
        "(`pool_size=` or `max_overflow=`)."
    )
    why = (
        "Pooled connections die silently: the database restarts, a proxy or firewall drops "
        "idle connections. Without pre-ping the first request to pick up a dead connection "
        "fails. Explicit sizing ties the pool to what the database allows "
        "(`max_connections` divided by the number of workers) instead of library defaults."
    )
    leaves_alone = (
        "sqlite engines (a literal `sqlite…` URL, or `connect_args` with "
        "`check_same_thread`), `poolclass=NullPool`/`StaticPool`/`SingletonThreadPool`, "
        "calls that pass `**options` (the settings may be in them), `create_engine` "
        "functions that are not SQLAlchemy's, and test files. Also left alone: an engine "
        "created in the body of an `if` that tests for `'sqlite'` (`if dialect == "
        "'sqlite':`), and a one-shot engine, assigned to a name that the same function "
        "`.dispose()`s: it serves one administrative task (create a database, probe a "
        "server) and its pool never lives long enough to go stale."
    )
    fix_description = "Adds `pool_pre_ping=True` (or turns `pool_pre_ping=False` into `True`)."
    options = {
        "require-pool-sizing": Option(
            True, "Also require `pool_size=` or `max_overflow=` (a separate finding)."
        )
    }
    bad = (
        Example(
            "from sqlalchemy import create_engine\n"
            "\n"
            "from app.core.config import settings\n"
            "\n"
            "engine = create_engine(settings.DATABASE_URL, pool_size=10, max_overflow=20)\n",
            line=5,
            fixed="from sqlalchemy import create_engine\n"
            "\n"
            "from app.core.config import settings\n"
            "\n"
            "engine = create_engine(settings.DATABASE_URL, pool_size=10, max_overflow=20, "
            "pool_pre_ping=True)\n",
        ),
        Example(
            "from sqlalchemy.ext.asyncio import create_async_engine\n"
            "\n"
            "from app.core.config import settings\n"
            "\n"
            "engine = create_async_engine(settings.DATABASE_URL)\n",
            line=5,
            fixed="from sqlalchemy.ext.asyncio import create_async_engine\n"
            "\n"
            "from app.core.config import settings\n"
            "\n"
            "engine = create_async_engine(settings.DATABASE_URL, pool_pre_ping=True)\n",
        ),
    )
    good = (
        Example(
            "from sqlalchemy import create_engine\n"
            "\n"
            "from app.core.config import settings\n"
            "\n"
            "engine = create_engine(\n"
            "    settings.DATABASE_URL,\n"
            "    pool_size=10,\n"
            "    max_overflow=20,\n"
            "    pool_pre_ping=True,\n"
            ")\n"
        ),
        Example(
            "from sqlalchemy import create_engine\n"
            "\n"
            "engine = create_engine(\n"
            '    "sqlite:///./app.db", connect_args={"check_same_thread": False}\n'
            ")\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Check the pool arguments of ``create_engine()`` calls."""
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if last not in _FACTORIES or self.context.is_test:
            return
        if not _is_engine_factory(node, self.context.facts.call_name(node)):
            return
        if not node.args or any(arg.star == "**" for arg in node.args):
            return
        keywords = _keywords(node)
        if _is_sqlite(node, keywords) or _pool_is_moot(keywords):
            return
        ancestors = self.context.ancestors
        if _under_sqlite_branch(ancestors) or _is_one_shot(self.context):
            return
        self._check_pre_ping(node, keywords)
        if self.option("require-pool-sizing") and not any(k in keywords for k in _SIZING):
            self.report(
                node.func,
                "Engine without explicit pool sizing: set `pool_size=` and `max_overflow=` "
                "to what the database allows per worker",
            )

    def _check_pre_ping(self, node: cst.Call, keywords: dict[str, cst.Arg]) -> None:
        pre_ping = keywords.get("pool_pre_ping")
        if pre_ping is None:
            last = node.args[-1].value
            fix = self.fix("Add `pool_pre_ping=True`", InsertAfter(last, ", pool_pre_ping=True"))
            self.report(node.func, fix=fix)
            return
        value = pre_ping.value
        if isinstance(value, cst.Name) and value.value == "False":
            fix = self.fix("Set `pool_pre_ping=True`", Replace(value, "True"))
            self.report(node.func, "Engine with `pool_pre_ping=False`", fix=fix)

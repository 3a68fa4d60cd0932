"""BP802 test-touches-real-database: tests that connect to a real database or wipe its rows."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.rules.fastapi._routes import string_value
from precepts.rules.testing._tests import collects_tests, is_test_function, parameter_names

_DB_URL = re.compile(
    r"^(postgres(?:ql)?|pgsql|mysql|mariadb|mssql|oracle|sqlite|cockroachdb|redshift|"
    r"mongodb(?:\+srv)?)(?:\+[\w-]+)?://",
    re.IGNORECASE,
)
# Names a database URL goes by: settings keys, environment variables, keywords.
_URL_NAME = re.compile(r"(?:database|db|sqlalchemy)_?(?:url|uri|dsn)|(?:^|_)dsn$", re.IGNORECASE)
# Calls that open a connection from a URL.
_CONNECTORS = frozenset(
    {
        "create_engine",
        "create_async_engine",
        "connect",
        "create_pool",
        "Database",
        "MongoClient",
        "AsyncIOMotorClient",
    }
)
_ENV_SETTERS = frozenset({"setenv", "setdefault", "putenv"})
_SQL_DELETES = frozenset(
    {
        "sqlalchemy.delete",
        "sqlalchemy.sql.delete",
        "sqlalchemy.sql.expression.delete",
        "sqlmodel.delete",
    }
)
_SQL_WIPE = re.compile(r"^\s*(?:DELETE\s+FROM|TRUNCATE)\b", re.IGNORECASE)
_TEST_MARKERS = ("test", ":memory:", "tmp", "temp")
# A `str.format`/`%` field in a URL: `{database}`, `{0}`, `%(host)s`, `%s`.
_TEMPLATE_FIELD = re.compile(r"\{\w*\}|%\(\w+\)s|%s")
_RESERVED_HOSTS = (".example", ".invalid", ".test", ".localhost", ".example.com", ".example.org")


def is_test_database(url: str) -> bool:
    """Tell whether a database URL names a test database.

    SQLite in memory, or a database, host, user or SQLite file whose name says ``test``
    (``tmp``/``temp`` for SQLite files), or a host name reserved for examples
    (``db.example``, ``example.com``: RFC 2606), which reaches no real database.

    Args:
        url: The URL.

    Returns:
        True for a test database.
    """
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower()
    rest = url.split("://", 1)[1]
    if scheme == "sqlite":
        return rest in ("", "/") or any(marker in rest.lower() for marker in _TEST_MARKERS)
    try:
        parsed = urlsplit(url)
        host = parsed.hostname or ""
        parts = (parsed.path, host, parsed.username or "")
    except ValueError:
        return True  # not a URL after all: nothing to judge
    if host.endswith(_RESERVED_HOSTS) or host in {"example.com", "example.org", "example.net"}:
        return True  # a name reserved for examples (RFC 2606): it reaches no database
    return any("test" in part.lower() for part in parts)


def _root(node: cst.BaseExpression) -> str | None:
    """Return the leftmost name of a chain of attributes, calls and subscripts."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def _reaches_query(node: cst.BaseExpression) -> bool:
    """Tell whether a receiver chain goes through ``.query(...)`` or ``Model.query``."""
    while isinstance(node, (cst.Attribute, cst.Call, cst.Subscript)):
        if isinstance(node, cst.Attribute) and node.attr.value == "query":
            return True
        node = node.func if isinstance(node, cst.Call) else node.value
    return False


class TestTouchesRealDatabase(Rule):
    """Flags tests that use a non-test database URL, or delete rows without isolation."""

    code = "BP802"
    name = "test-touches-real-database"
    family = "testing"
    section = "Testing Best Practices"
    severity = Severity.ERROR
    message = "This test deletes rows through a session no isolating fixture provides"
    summary = (
        "In test modules: (1) a database URL that does not name a test database (no "
        "`test` in its database, host or user; SQLite not in memory nor in a test/tmp "
        "file) given to `create_engine`/`create_async_engine`/`connect`/`Database(...)`; "
        "or, outside a test's body (module level, `conftest.py`, fixtures: the suite's own "
        "configuration), given to a keyword or key named like a database URL "
        '(`database_url=`, `{"DATABASE_URL": ...}`), assigned to such a name, or set as such '
        "an environment variable (`monkeypatch.setenv`, `os.environ[...] =`); (2) in a "
        "test's body, rows deleted (`db.query(User).delete()`, `User.query.delete()`, "
        "`session.execute(delete(User))`, `DELETE FROM`/`TRUNCATE` SQL) through a session "
        "the test neither received from a fixture nor built from one."
    )
    why = (
        "A test pointed at a shared or production database reads data it did not create "
        "and destroys data it does not own: `db.query(User).delete()` in a test body "
        "empties the users table of whatever database the session was bound to. Tests "
        "must run against a database made for them, set up and torn down (or rolled back) "
        "by a fixture, so they are repeatable and harmless."
    )
    leaves_alone = (
        "Fixtures, which may create and drop their own schema or clean up after a test; "
        "deletes through a session or connection the test receives as a fixture argument "
        "or builds from one (`db = SQLAlchemy(app)`), or through `self`/`cls` (a `TestCase` "
        "sets it up in `setUp`); `session.delete(obj)` of one object the test holds; test "
        "database URLs (`postgresql://.../app_test`, `sqlite://`, `sqlite:///:memory:`) and "
        "hosts reserved for examples (`db.example`, `example.com`); URLs set in a test's own "
        "body other than for `create_engine`/`connect` (the data a unit under test parses); "
        "HTTP `DELETE` requests (`client.delete('/users/1')`); URL templates "
        '(`"postgresql://{user}@{host}/{database}"`, filled from a database service '
        "fixture); code outside test modules."
    )
    bad = (
        Example(
            "from app.database import db\n"
            "from app.models import User\n"
            "from app.users import create_user\n"
            "\n"
            "\n"
            "def test_user_creation() -> None:\n"
            '    """A user is created."""\n'
            "    db.query(User).delete()\n"
            '    create_user("user@example.com")\n'
            "    assert db.query(User).count() == 1\n",
            line=8,
            path="tests/test_users.py",
        ),
        Example(
            "from sqlalchemy import create_engine\n"
            "\n"
            'engine = create_engine("postgresql://app@db.internal:5432/orders")\n',
            line=3,
            path="tests/conftest.py",
        ),
    )
    good = (
        Example(
            "from collections.abc import Iterator\n"
            "\n"
            "import pytest\n"
            "from sqlalchemy import create_engine\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import Base, User\n"
            "from app.users import create_user\n"
            "\n"
            'engine = create_engine("postgresql://app@localhost:5432/orders_test")\n'
            "\n"
            "\n"
            "@pytest.fixture\n"
            "def db_session() -> Iterator[Session]:\n"
            '    """A session on a fresh schema, dropped after the test."""\n'
            "    Base.metadata.create_all(engine)\n"
            "    with Session(engine) as session:\n"
            "        yield session\n"
            "        session.query(User).delete()\n"
            "    Base.metadata.drop_all(engine)\n"
            "\n"
            "\n"
            "def test_user_creation(db_session: Session) -> None:\n"
            '    """A user is created."""\n'
            '    create_user("user@example.com", session=db_session)\n'
            "    assert db_session.query(User).count() == 1\n",
            path="tests/test_users.py",
        ),
    )

    def setup(self) -> None:
        """Nothing to remember between nodes."""
        self._active = self.context.is_test
        self._tests = collects_tests(self.context)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check a string that may be a database URL."""
        if self._active and "://" in node.value:
            self._check_url(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check an implicitly concatenated database URL as a whole."""
        if self._active:
            self._check_url(node)

    def _check_url(self, node: cst.BaseExpression) -> None:
        parent = self.context.parent
        if isinstance(parent, cst.ConcatenatedString):
            return  # judged whole, from the outermost string
        text = string_value(node)
        if text is None or not _DB_URL.match(text) or is_test_database(text):
            return
        if _TEMPLATE_FIELD.search(text.split("://", 1)[1]):
            return  # a template (`.../{database}`): the fixture filling it decides the database
        if self._connects(node):
            self.report(
                node,
                f"This test uses `{text}`, which is not a test database: use one made for "
                "the tests (named `*_test`, or SQLite in memory)",
            )

    def _connects(self, node: cst.BaseExpression) -> bool:
        ancestors = self.context.ancestors
        parent = ancestors[-1] if ancestors else None
        holder = ancestors[-2] if len(ancestors) >= 2 else None
        if isinstance(parent, cst.Arg) and isinstance(holder, cst.Call):
            if self._connector(holder):
                return True
            if self._enclosing_test() is not None:
                return False  # a test's own data: the URL the unit under test parses
            return self._connecting_argument(parent, holder)
        if self._enclosing_test() is not None:
            return False
        if isinstance(parent, cst.DictElement):
            key = string_value(parent.key)
            return key is not None and bool(_URL_NAME.search(key))
        if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            targets = (
                [t.target for t in parent.targets]
                if isinstance(parent, cst.Assign)
                else [parent.target]
            )
            return any(_names_url(target) for target in targets)
        return False

    @staticmethod
    def _connector(call: cst.Call) -> bool:
        return (dotted_name(call.func) or "").rsplit(".", 1)[-1] in _CONNECTORS

    def _connecting_argument(self, arg: cst.Arg, call: cst.Call) -> bool:
        if arg.keyword is not None:
            return bool(_URL_NAME.search(arg.keyword.value))
        last = (dotted_name(call.func) or "").rsplit(".", 1)[-1]
        if last in _ENV_SETTERS and call.args and call.args[0] is not arg:
            key = string_value(call.args[0].value)
            return key is not None and bool(_URL_NAME.search(key))
        return False

    def visit_Call(self, node: cst.Call) -> None:
        """Check a deletion of rows inside a test's body."""
        if not self._tests or not isinstance(node.func, cst.Attribute):
            return
        receiver = self._deleting_receiver(node)
        if receiver is None:
            return
        test = self._enclosing_test()
        if test is None:
            return
        root = _root(receiver)
        if root is None or root in {"self", "cls"} or root in test:
            return
        self.report(node)

    def _deleting_receiver(self, node: cst.Call) -> cst.BaseExpression | None:
        """Return what a row-deleting call deletes through, or None when it deletes nothing."""
        func = node.func
        assert isinstance(func, cst.Attribute)
        method, receiver = func.attr.value, func.value
        if method == "delete":
            # `session.delete(obj)` removes an object the test holds, not a table's rows.
            return receiver if _reaches_query(receiver) else None
        if method == "execute" and node.args and self._wipes(node.args[0].value):
            return receiver
        return None

    def _wipes(self, statement: cst.BaseExpression) -> bool:
        """Tell whether an executed statement deletes rows."""
        while isinstance(statement, cst.Call) and isinstance(statement.func, cst.Attribute):
            if statement.func.attr.value == "delete":
                return True  # Model.__table__.delete(), delete(User).where(...)
            statement = statement.func.value
        if isinstance(statement, cst.Call):
            qualified = self.context.facts.call_name(statement) or ""
            if qualified in _SQL_DELETES:
                return True
            if qualified.rsplit(".", 1)[-1] == "text" and statement.args:
                statement = statement.args[0].value
        text = string_value(statement)
        return text is not None and bool(_SQL_WIPE.match(text))

    def _enclosing_test(self) -> frozenset[str] | None:
        """Return the names a test got from its fixtures when inside its body, else None.

        Those are the parameters of the test (and of functions nested in it) and the
        names it binds from an expression using one (``db = SQLAlchemy(app)``).
        """
        classes: list[cst.ClassDef] = []
        params: set[str] = set()
        tests: list[cst.FunctionDef] = []
        for index, node in enumerate(self.context.ancestors):
            if isinstance(node, cst.ClassDef):
                classes.append(node)
            elif isinstance(node, cst.FunctionDef):
                nested = any(isinstance(a, cst.FunctionDef) for a in self.context.ancestors[:index])
                if is_test_function(node, classes, nested, self.context.facts):
                    tests.append(node)
                params |= parameter_names(node)
        if not tests:
            return None
        return frozenset(derived_names(tests[0], params))


def _names_url(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return bool(_URL_NAME.search(target.value))
    if isinstance(target, cst.Attribute):
        return bool(_URL_NAME.search(target.attr.value))
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            key = string_value(index.value)
            return key is not None and bool(_URL_NAME.search(key))
    return False


class _Derived(cst.CSTVisitor):
    """Collects the names bound from expressions that use names already known."""

    def __init__(self, known: set[str]) -> None:
        super().__init__()
        self.known = known

    def _uses_known(self, node: cst.CSTNode | None) -> bool:
        if node is None:
            return False
        finder = _NameFinder(self.known)
        node.visit(finder)
        return finder.found

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._uses_known(node.value):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.known.add(target.target.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and self._uses_known(node.value):
            self.known.add(node.target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        asname = node.asname
        if asname is not None and isinstance(asname.name, cst.Name) and self._uses_known(node.item):
            self.known.add(asname.name.value)


class _NameFinder(cst.CSTVisitor):
    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found = True


def derived_names(test: cst.FunctionDef, params: set[str]) -> set[str]:
    """Return the parameters plus the names bound, in order, from expressions using them.

    Args:
        test: The test function.
        params: Its parameters (and those of functions around the node).

    Returns:
        The names that come from fixtures.
    """
    visitor = _Derived(set(params))
    test.body.visit(visitor)
    return visitor.known

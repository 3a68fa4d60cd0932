"""BP803 over-mocking: tests that patch the ORM session's own methods."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.fastapi._routes import string_value

# The methods of SQLAlchemy's Session (and AsyncSession) a test might patch out.
SESSION_METHODS = frozenset(
    {
        "add",
        "add_all",
        "begin",
        "begin_nested",
        "bulk_insert_mappings",
        "bulk_save_objects",
        "bulk_update_mappings",
        "close",
        "commit",
        "delete",
        "execute",
        "expire",
        "expunge",
        "flush",
        "get",
        "merge",
        "query",
        "refresh",
        "rollback",
        "scalar",
        "scalars",
    }
)
# Patchers whose first argument is a dotted target string.
_STRING_PATCHERS = frozenset({"unittest.mock.patch", "mock.patch", "mocker.patch"})
# Patchers that take (object, "attribute").
_OBJECT_PATCHERS = frozenset(
    {"unittest.mock.patch.object", "mock.patch.object", "mocker.patch.object"}
)
_SESSION_CLASSES = frozenset({"Session", "AsyncSession", "SessionLocal", "scoped_session"})


def is_session_name(name: str) -> bool:
    """Tell whether a name reads as an ORM session (``session``, ``db``, ``db_session``).

    Args:
        name: The last part of a dotted name.

    Returns:
        True for session-like names.
    """
    bare = name.lstrip("_")
    lowered = bare.lower()
    return (
        bare in _SESSION_CLASSES
        or lowered in {"db", "sess", "dbsession"}
        or lowered.endswith("session")
        or lowered.startswith("db_session")
    )


def _patcher(qualified: str) -> str | None:
    """Classify a call: ``string`` (``patch("a.b")``), ``object`` or ``setattr``, else None."""
    if qualified in _STRING_PATCHERS:
        return "string"
    if qualified in _OBJECT_PATCHERS:
        return "object"
    if qualified.endswith("monkeypatch.setattr") or qualified == "monkeypatch.setattr":
        return "setattr"
    return None


class OverMocking(Rule):
    """Flags patches of the ORM session's methods (``add``, ``commit``, ``query``...)."""

    code = "BP803"
    name = "over-mocking"
    family = "testing"
    section = "Mocking Best Practices"
    message = (
        "Patching the ORM session's `{method}` tests how the code talks to the database, "
        "not what it does: use a test database and assert on the data"
    )
    summary = (
        "In test modules, `patch(...)`, `patch.object(...)`, `mocker.patch(...)` and "
        "`monkeypatch.setattr(...)` aimed at a method of the ORM session: the target's last "
        "part is a `Session` method (`add`, `commit`, `flush`, `query`, `execute`, "
        "`rollback`...) and the part before it names a session (`session`, `db`, "
        "`db_session`, `SessionLocal`, `Session`, `AsyncSession`), whether written as a "
        'string (`patch("app.db.session.commit")`) or as an object and attribute '
        '(`patch.object(Session, "commit")`), under any alias of `unittest.mock`.'
    )
    why = (
        "A test that patches `session.add` and `session.commit` pins the implementation: "
        "it breaks when the code moves to `add_all` or a unit of work, and it keeps passing "
        "when the query is wrong, because nothing reaches a database. Mock the services "
        "outside the process (mail, payment, HTTP APIs); for the database, run against a "
        "test database in a transaction rolled back after each test."
    )
    leaves_alone = (
        "Mocks of external services (`patch('app.services.email.send_email')`); a "
        "`Mock()` or `MagicMock(spec=Session)` handed to the code under test (a stand-in "
        "session, not a patch of the real one); patches of a session factory itself "
        "(`patch('app.db.SessionLocal')`); a patch that only makes a method raise "
        "(`side_effect=OperationalError(...)`, given or set on the mock in its `with` "
        "block): the failure path a real test database cannot produce on demand; code "
        "outside test modules."
    )
    bad = (
        Example(
            "from unittest.mock import patch\n"
            "\n"
            "from app.users import create_user\n"
            "\n"
            "\n"
            "def test_user_creation() -> None:\n"
            '    """A user is created."""\n'
            '    with patch("app.db.session.add"), patch("app.db.session.commit") as commit:\n'
            '        create_user("user@example.com")\n'
            "    commit.assert_called_once()\n",
            line=8,
            path="tests/test_users.py",
        ),
        Example(
            "from unittest import mock\n"
            "\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.users import create_user\n"
            "\n"
            "\n"
            "def test_user_creation() -> None:\n"
            '    """A user is created."""\n'
            '    with mock.patch.object(Session, "commit") as commit:\n'
            '        create_user("user@example.com")\n'
            "    commit.assert_called_once()\n",
            line=10,
            path="tests/test_users.py",
        ),
    )
    good = (
        Example(
            "from unittest.mock import patch\n"
            "\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "from app.users import create_user\n"
            "\n"
            "\n"
            "def test_user_creation(db_session: Session) -> None:\n"
            '    """A user is created and welcomed."""\n'
            '    with patch("app.services.email.send_email") as send_email:\n'
            '        create_user("user@example.com", session=db_session)\n'
            "    assert db_session.query(User).count() == 1\n"
            "    send_email.assert_called_once()\n",
            path="tests/test_users.py",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Report a patch aimed at a session method."""
        if not self.context.is_test:
            return
        kind = _patcher(self.context.facts.call_name(node) or "")
        if kind is None:
            return
        args = [arg for arg in node.args if arg.keyword is None and arg.star == ""]
        method = self._patched_method(kind, args)
        if method is not None and not self._injects_failure(node):
            self.report(node, self.message.format(method=method))

    def _injects_failure(self, node: cst.Call) -> bool:
        """Tell whether the patch only makes the method raise (no real database fails on demand)."""
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "side_effect":
                return _is_exception(arg.value)
        ancestors = self.context.ancestors
        item = ancestors[-1] if ancestors else None
        statement = ancestors[-2] if len(ancestors) >= 2 else None
        if not (isinstance(item, cst.WithItem) and isinstance(statement, cst.With)):
            return False
        if item.asname is None or not isinstance(item.asname.name, cst.Name):
            return False
        finder = _FailureSetter(item.asname.name.value)
        statement.body.visit(finder)
        return finder.found

    def _patched_method(self, kind: str, args: list[cst.Arg]) -> str | None:
        if not args:
            return None
        target = string_value(args[0].value)
        if target is not None:  # patch("a.b.session.add"), monkeypatch.setattr("a.b.c", f)
            if kind == "object":
                return None
            parts = target.split(".")
            if len(parts) >= 2 and parts[-1] in SESSION_METHODS and is_session_name(parts[-2]):
                return f"{parts[-2]}.{parts[-1]}"
            return None
        if kind == "string" or len(args) < 2:
            return None
        attribute = string_value(args[1].value)
        owner = self.context.facts.qualify(args[0].value) or dotted_name(args[0].value) or ""
        last = owner.rsplit(".", 1)[-1]
        if attribute in SESSION_METHODS and last and is_session_name(last):
            return f"{last}.{attribute}"
        return None


def _is_exception(node: cst.BaseExpression) -> bool:
    """Tell whether an expression is an exception class or instance, by its name."""
    if isinstance(node, cst.Call):
        node = node.func
    name = dotted_name(node) or ""
    return name.rsplit(".", 1)[-1].endswith(("Error", "Exception"))


class _FailureSetter(cst.CSTVisitor):
    """Finds ``mock.side_effect = SomeError(...)`` for one mock's name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Assign(self, node: cst.Assign) -> None:
        """Note an assignment of an exception to the mock's ``side_effect``."""
        for target in node.targets:
            attribute = target.target
            if (
                isinstance(attribute, cst.Attribute)
                and isinstance(attribute.value, cst.Name)
                and attribute.value.value == self.name
                and attribute.attr.value == "side_effect"
                and _is_exception(node.value)
            ):
                self.found = True

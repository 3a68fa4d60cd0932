"""BP204 unmanaged-session: a session opened outside ``with`` and not closed in ``finally``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability, Range, TextEdit
from precepts.rule import Example, FixSpec, Rule
from precepts.rules.sqlalchemy import _orm


@dataclass
class _Lifecycle:
    """How the sessions of one function are looked after."""

    closed_in_finally: set[str] = field(default_factory=set)
    with_managed: set[str] = field(default_factory=set)
    returned: set[str] = field(default_factory=set)
    closed_after_yield: set[str] = field(default_factory=set)


class UnmanagedSession(Rule):
    """Flags sessions whose ``close()`` is not guaranteed."""

    code = "BP204"
    name = "unmanaged-session"
    family = "sqlalchemy"
    section = "Session Management"
    message = (
        "Session opened outside a `with` block and not closed in `finally:`: an exception "
        "leaks its connection; use `with SessionLocal() as session:`"
    )
    summary = (
        "A session created with a session factory (`SessionLocal()`, `Session(engine)`, "
        "`AsyncSession(engine)`, `sessionmaker(...)()`, any name bound to `sessionmaker()`) "
        "that is neither the context manager of a `with` block nor closed in the `finally:` "
        "of a `try` — including a module-level `session = SessionLocal()` and a session "
        "used inline (`SessionLocal().query(...)`)."
    )
    why = (
        "A session holds a pooled connection and, inside a transaction, its locks. When an "
        "exception skips the `session.close()` at the end, the connection is only returned "
        "when the garbage collector gets to the session: under load the pool runs dry and "
        "requests hang waiting for a connection. `with SessionLocal() as session:` (or "
        "`try:`/`finally: session.close()`) closes it on every path."
    )
    leaves_alone = (
        "FastAPI dependency generators that `yield` the session inside `try:`/`finally:` "
        "(the standard's `get_db`); pytest fixtures that close it after `yield` (pytest "
        "always runs the teardown); functions that return the session they create (a factory: "
        "the caller owns it); sessions stored on an object (`self.session = ...`) or handed "
        "to another call; `scoped_session` registries (they are ended with `remove()`); "
        "migration revisions (their session is bound to Alembic's connection)."
    )
    fix_description = (
        "Wraps the session's life in `with <factory>() as <name>:` and drops the trailing "
        "`close()`, when every use of the session follows its creation in the same block."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "from app.db import SessionLocal\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def rename_user(user_id: int, name: str) -> None:\n"
            '    """Rename a user."""\n'
            "    session = SessionLocal()\n"
            "    user = session.get(User, user_id)\n"
            "    if user is not None:\n"
            "        user.name = name\n"
            "    session.commit()\n"
            "    session.close()\n",
            line=7,
            fixed="from app.db import SessionLocal\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def rename_user(user_id: int, name: str) -> None:\n"
            '    """Rename a user."""\n'
            "    with SessionLocal() as session:\n"
            "        user = session.get(User, user_id)\n"
            "        if user is not None:\n"
            "            user.name = name\n"
            "        session.commit()\n",
        ),
    )
    good = (
        Example(
            "from app.db import SessionLocal\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def rename_user(user_id: int, name: str) -> None:\n"
            '    """Rename a user."""\n'
            "    with SessionLocal() as session:\n"
            "        user = session.get(User, user_id)\n"
            "        if user is not None:\n"
            "            user.name = name\n"
            "        session.commit()\n"
        ),
        Example(
            "from collections.abc import Iterator\n"
            "\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.db import SessionLocal\n"
            "\n"
            "\n"
            "def get_db() -> Iterator[Session]:\n"
            '    """Yield a session for one request, closed whatever happens."""\n'
            "    db = SessionLocal()\n"
            "    try:\n"
            "        yield db\n"
            "    finally:\n"
            "        db.close()\n"
        ),
    )

    def setup(self) -> None:
        """Start a file with no function analysed."""
        self._lifecycles: dict[int, _Lifecycle] = {}

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a session creation whose close is not guaranteed."""
        context = self.context
        if not _orm.is_session_factory(context, node.func):
            return
        if dotted_name(node.func) in context.facts.scoped_sessions:
            return
        if _orm.is_migration(context.path):
            return  # bound to the migration's connection, which Alembic closes
        parent = context.parent
        if isinstance(parent, cst.Attribute):
            self.report(node)  # SessionLocal().query(...): nobody can close it
            return
        if isinstance(parent, cst.Yield):
            self.report(node)
            return
        name = _assigned_name(parent, node)
        if name is None:
            return  # with-item, argument, return value, attribute target: owned elsewhere
        function = _orm.enclosing_function(context)
        if function is None:
            if name not in context.facts.closed_in_finally:
                self.report(node, fix=self._fix(context.module, node, name))
            return
        life = self._lifecycle(function)
        if (
            name in life.closed_in_finally
            or name in life.with_managed
            or name in life.returned
            or (name in life.closed_after_yield and _is_fixture(function))
        ):
            return
        self.report(node, fix=self._fix(function, node, name))

    def _lifecycle(self, function: cst.FunctionDef) -> _Lifecycle:
        """Scan a function once for closes in ``finally``, ``with`` uses and returns."""
        found = self._lifecycles.get(id(function))
        if found is None:
            found = _Lifecycle()
            _scan(_orm.body_statements(function), found, False)
            self._lifecycles[id(function)] = found
        return found

    def _fix(
        self, owner: cst.FunctionDef | cst.Module, call: cst.Call, name: str
    ) -> FixSpec | None:
        """Wrap the session's statements in ``with``, when its whole life is one block."""
        statement = self._statement_of(call)
        if statement is None:
            return None
        block = _block_holding(owner, statement)
        if block is None:
            return None
        start = block.index(statement)
        end = _last_use(block, start, name)
        if end is None or _occurrences(owner, name) != sum(
            _occurrences(s, name) for s in block[start : end + 1]
        ):
            return None
        span = block[start : end + 1]
        if any(_escapes(s, name) for s in span[1:]) or _has_multiline_string(self, span):
            return None
        drop_last = _is_close(span[-1], name)
        return self._wrap(call, name, span, drop_last)

    def _statement_of(self, call: cst.Call) -> cst.SimpleStatementLine | None:
        """Return the one-statement line that assigns the session."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.SimpleStatementLine):
                return ancestor if len(ancestor.body) == 1 else None
        return None

    def _wrap(
        self,
        call: cst.Call,
        name: str,
        span: Sequence[cst.BaseStatement],
        drop_last: bool,
    ) -> FixSpec:
        """Build the text edit: a ``with`` header, the span indented one level."""
        context = self.context
        lines = context.lines
        first = context.range_of(span[0])
        kept = span[:-1] if drop_last else span
        last = context.range_of(kept[-1])
        indent = lines.line_text(first.start.line)[: first.start.column]
        unit = context.module.default_indent
        newline = context.module.default_newline
        header = f"{indent}with {context.code_for(call).strip()} as {name}:"
        body = [
            (unit + text) if text.strip() else ""
            for text in (
                lines.line_text(number) for number in range(first.end.line + 1, last.end.line + 1)
            )
        ]
        end_range = context.range_of(span[-1]) if drop_last else last
        end_line = end_range.end.line
        where = Range.of(first.start.line, 0, end_line, len(lines.line_text(end_line)))
        text = newline.join([header, *body])
        return self.fix(f"Wrap in `with ... as {name}:`", TextEdit(where, text))


def _assigned_name(parent: cst.CSTNode | None, call: cst.Call) -> str | None:
    if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
        target = parent.targets[0].target
        return target.value if isinstance(target, cst.Name) else None
    if isinstance(parent, cst.AnnAssign) and parent.value is call:
        target = parent.target
        return target.value if isinstance(target, cst.Name) else None
    return None


def _receiver_name(expression: cst.BaseExpression, methods: frozenset[str]) -> str | None:
    """``x.close()`` / ``await x.close()`` → ``x`` when the method is in ``methods``."""
    expression = _orm.unwrap_await(expression)
    if _orm.method_of(expression) in methods:
        receiver = _orm.receiver_of(expression)  # type: ignore[arg-type]
        if isinstance(receiver, cst.Name):
            return receiver.value
    return None


_CLOSE = frozenset({"close", "aclose"})


def _small_closes(statement: cst.BaseStatement) -> set[str]:
    found = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Expr):
                name = _receiver_name(small.value, _CLOSE)
                if name:
                    found.add(name)
    return found


def _scan(statements: Sequence[cst.BaseStatement], life: _Lifecycle, after_yield: bool) -> bool:
    """Record what a function does with its sessions; returns whether a ``yield`` was seen."""
    for statement in statements:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.SimpleStatementLine):
            after_yield = _scan_line(statement, life, after_yield)
            continue
        _scan_compound(statement, life)
        for block in _orm.child_blocks(statement):
            after_yield = _scan(block, life, after_yield) or after_yield
    return after_yield


def _scan_compound(statement: cst.BaseStatement, life: _Lifecycle) -> None:
    """``with session:`` manages it; ``finally: session.close()`` closes it."""
    if isinstance(statement, cst.With):
        managed = (_with_target(item.item) for item in statement.items)
        life.with_managed.update(name for name in managed if name)
    elif isinstance(statement, cst.Try) and statement.finalbody is not None:
        final = statement.finalbody.body
        if isinstance(final, cst.IndentedBlock):
            for inner in final.body:
                life.closed_in_finally.update(_small_closes(inner))


def _scan_line(statement: cst.SimpleStatementLine, life: _Lifecycle, after_yield: bool) -> bool:
    for small in statement.body:
        value = getattr(small, "value", None)
        if isinstance(small, cst.Return) and isinstance(value, cst.Name):
            life.returned.add(value.value)
        elif isinstance(value, cst.Yield):
            after_yield = True
        elif after_yield:
            life.closed_after_yield.update(_small_closes(statement))
    return after_yield


def _with_target(item: cst.BaseExpression) -> str | None:
    """``with session:`` / ``with session.begin():`` → ``session``."""
    item = _orm.unwrap_await(item)
    if isinstance(item, cst.Name):
        return item.value
    return _receiver_name(item, frozenset({"begin", "begin_nested"}))


def _is_fixture(function: cst.FunctionDef) -> bool:
    for decorator in function.decorators:
        target = decorator.decorator
        if isinstance(target, cst.Call):
            target = target.func
        if _orm.short_name(dotted_name(target)) == "fixture":
            return True
    return False


def _block_holding(
    owner: cst.FunctionDef | cst.Module, statement: cst.BaseStatement
) -> list[cst.BaseStatement] | None:
    """Return the statement list (of any depth) that holds ``statement`` directly."""
    pending = [list(_orm.body_statements(owner))]
    while pending:
        block = pending.pop()
        if any(s is statement for s in block):
            return block
        for inner in block:
            if not isinstance(inner, (cst.FunctionDef, cst.ClassDef)):
                pending.extend(list(b) for b in _orm.child_blocks(inner))
    return None


def _occurrences(node: cst.CSTNode, name: str) -> int:
    return sum(1 for found in _orm.names_in(node) if found == name)


def _last_use(block: Sequence[cst.BaseStatement], start: int, name: str) -> int | None:
    last = None
    for index in range(start + 1, len(block)):
        if _occurrences(block[index], name):
            last = index
    return last


def _escapes(statement: cst.BaseStatement, name: str) -> bool:
    """Tell whether the session leaves the block (returned, rebound, used by a closure)."""
    stack: list[cst.CSTNode] = [statement]
    while stack:
        node = stack.pop()
        if _lets_out(node, name):
            return True
        stack.extend(node.children)
    return False


def _lets_out(node: cst.CSTNode, name: str) -> bool:
    if isinstance(node, cst.Return):
        return node.value is not None and _occurrences(node.value, name) > 0
    if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        return _occurrences(node, name) > 0
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
        targets = [node.target]
    else:
        return False
    return any(isinstance(t, cst.Name) and t.value == name for t in targets)


def _has_multiline_string(rule: Rule, span: Sequence[cst.BaseStatement]) -> bool:
    # Re-indenting would change the content of a string that spans lines.
    return any("'''" in (code := rule.context.code_for(s)) or '"""' in code for s in span)


def _is_close(statement: cst.BaseStatement, name: str) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and (_small_closes(statement) == {name})
    )

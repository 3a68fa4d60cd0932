"""BP208 add-in-loop: committing inside a loop, one transaction per row."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Related, Rule
from precepts.rules.sqlalchemy import _orm

_ADDS = frozenset({"add", "add_all", "merge", "delete"})


class AddInLoop(Rule):
    """Flags ``session.commit()`` repeated by a loop over data."""

    code = "BP208"
    name = "add-in-loop"
    family = "sqlalchemy"
    section = "Database Query Optimization"
    message = (
        "`commit()` inside a loop: one transaction and round trip per row; add the rows "
        "(`add_all()` or a bulk insert) and commit once after the loop"
    )
    summary = (
        "`session.commit()` (sync or awaited) inside the body of a `for` loop or a "
        "comprehension over data; the `session.add(...)` calls committed with it are shown "
        "as related locations."
    )
    why = (
        "Each commit is a round trip, a flush of pending rows and a durable write (an fsync "
        "on PostgreSQL): 10,000 rows committed one by one are 10,000 transactions, orders of "
        "magnitude slower than one. It also breaks atomicity: when row 5,001 fails, 5,000 are "
        "already committed and the import is half done. `session.add_all(rows)` (or "
        "`session.execute(insert(Model), rows)`) and a single commit after the loop is fast "
        "and all-or-nothing."
    )
    leaves_alone = (
        "`session.add(...)` in a loop followed by a single commit after it: the unit of work "
        "batches the INSERTs at flush, so only a commit per iteration is reported. `while` "
        "loops (workers and pollers, where a transaction per job is the point); loops over "
        "batches (`for chunk in batched(rows, 1000):` committing each chunk keeps "
        "transactions bounded) or over a fixed literal; a commit followed by `break` or "
        "`return` (it runs once); a commit in an `except` handler (an error path, not one "
        "per row)."
    )
    bad = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def import_users(db: Session, emails: list[str]) -> None:\n"
            '    """Create one user per email."""\n'
            "    for email in emails:\n"
            "        db.add(User(email=email))\n"
            "        db.commit()\n",
            line=10,
        ),
    )
    good = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def import_users(db: Session, emails: list[str]) -> None:\n"
            '    """Create one user per email, in one transaction."""\n'
            "    db.add_all([User(email=email) for email in emails])\n"
            "    db.commit()\n"
        ),
    )
    bad_cases = (
        Example("for row in rows:\n    session.add(Item(**row))\n    session.commit()\n", line=3),
        Example("async def f():\n    for row in rows:\n        await session.commit()\n", line=3),
        "[session.commit() for row in rows]",
    )
    good_cases = (
        "for row in rows:\n    session.add(Item(**row))\nsession.commit()",  # one commit
        "while True:\n    session.add(queue.get())\n    session.commit()",  # a worker
        "for chunk in batched(rows, 1000):\n    session.add_all(chunk)\n    session.commit()",
        'for name in ("a", "b"):\n    session.add(Tag(name=name))\n    session.commit()',
        "for row in rows:\n    session.add(Item(**row))\n    session.commit()\n    break",
        "for row in rows:\n"
        "    try:\n"
        "        session.add(Item(**row))\n"
        "    except IntegrityError:\n"
        "        session.commit()",
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a commit that a loop over data repeats."""
        if _orm.session_method(self.context, node, frozenset({"commit"})) is None:
            return
        loops = [
            loop
            for loop in _orm.enclosing_loops(self.context, node)
            if loop.kind != "while" and _orm.is_real_loop(self.context, loop)
        ]
        if not loops or self._runs_once() or _orm.in_error_path(self.context, loops[0]):
            return
        related = [Related(add, "added here") for add in _adds(loops[0].node, node)]
        self.report(node, related=related[:5])

    def _runs_once(self) -> bool:
        """Tell whether the commit's block leaves the loop right after (``break``/``return``)."""
        ancestors = self.context.ancestors
        for index in range(len(ancestors) - 1, 0, -1):
            line = ancestors[index]
            block = ancestors[index - 1]
            if isinstance(line, cst.SimpleStatementLine) and isinstance(block, cst.IndentedBlock):
                position = next(i for i, s in enumerate(block.body) if s is line)
                return any(_leaves(s) for s in block.body[position:])
        return False


def _leaves(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(isinstance(small, (cst.Break, cst.Return)) for small in statement.body)


def _adds(loop: cst.CSTNode, commit: cst.Call) -> list[cst.Call]:
    """The ``add``/``add_all``/``delete`` calls on the committing session in the loop."""
    session = _orm.receiver_of(commit)
    found: list[cst.Call] = []
    stack: list[cst.CSTNode] = [loop]
    while stack:
        node = stack.pop()
        if (
            isinstance(node, cst.Call)
            and _orm.method_of(node) in _ADDS
            and session is not None
            and _orm.receiver_of(node) is not None
            and _orm.receiver_of(node).deep_equals(session)  # type: ignore[union-attr]
        ):
            found.append(node)
        stack.extend(node.children)
    return found

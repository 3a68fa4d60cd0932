"""BP207 fetch-all-then-filter: ``.all()`` rows filtered or counted in Python."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability
from precepts.rule import Example, Replace, Rule
from precepts.rules.sqlalchemy import _orm

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
# Nodes that make a condition something SQL could not say (a call, an index, a lambda).
_PYTHON_ONLY = (
    cst.Call,
    cst.Subscript,
    cst.Lambda,
    cst.Await,
    cst.NamedExpr,
    cst.ListComp,
    cst.SetComp,
    cst.GeneratorExp,
    cst.DictComp,
)


class FetchAllThenFilter(Rule):
    """Flags whole result sets filtered or counted in Python."""

    code = "BP207"
    name = "fetch-all-then-filter"
    family = "sqlalchemy"
    section = "Database Query Optimization"
    message = (
        "All rows are fetched, then filtered in Python: put the condition in the query "
        "(`.filter(...)` / `.where(...)`)"
    )
    summary = (
        "A comprehension with an `if` over `q.all()`, `session.scalars(...)` / "
        "`session.execute(...).scalars().all()` (or a variable assigned one), "
        "`filter(lambda ..., q.all())`, and `len(q.all())`, when the condition only reads "
        "columns of the row (`u.is_active`, `u.age > 18`), so the database could apply it."
    )
    why = (
        "Fetching every row to keep a few transfers and builds objects for rows the caller "
        "throws away: memory and time grow with the table, not with the answer. The "
        "database applies the same condition with an index, and `count()` / "
        "`select(func.count())` counts without loading a single object."
    )
    leaves_alone = (
        "Conditions that call functions or index values (`if is_allowed(u)`, "
        "`if u.tags[0] == 'x'`): they may not be expressible in SQL. Comprehensions without "
        "a condition (a projection) and over several `for`s. Rows fetched once and filtered "
        "again inside a loop (an iterative algorithm over a cached result). Lists that do "
        "not come from a query."
    )
    fix_description = (
        "Rewrites `len(session.query(...)...all())` to `session.query(...)...count()` "
        "(1.x `Query` only)."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def user_stats(db: Session) -> tuple[int, int]:\n"
            '    """Count the active users and the administrators."""\n'
            "    users = db.query(User).all()\n"
            "    active = [user for user in users if user.is_active]\n"
            "    admins = len(db.query(User).filter(User.is_admin.is_(True)).all())\n"
            "    return len(active), admins\n",
            line=9,
            fixed="from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def user_stats(db: Session) -> tuple[int, int]:\n"
            '    """Count the active users and the administrators."""\n'
            "    users = db.query(User).all()\n"
            "    active = [user for user in users if user.is_active]\n"
            "    admins = db.query(User).filter(User.is_admin.is_(True)).count()\n"
            "    return len(active), admins\n",
        ),
    )
    good = (
        Example(
            "from sqlalchemy import func, select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def user_stats(db: Session) -> tuple[int, int]:\n"
            '    """Count the active users and the administrators."""\n'
            "    active = db.query(User).filter(User.is_active.is_(True)).count()\n"
            "    admins = db.scalar(select(func.count()).where(User.is_admin.is_(True)))\n"
            "    return active, admins or 0\n"
        ),
    )
    bad_cases = (
        "adults = [u for u in session.query(User).all() if u.age > 18]",
        "active = [u for u in session.scalars(select(User)) if u.is_active]",
        "admins = list(filter(lambda u: u.is_admin, session.query(User).all()))",
        Example(
            "total = len(session.query(User).all())\n",
            line=1,
            fixed="total = session.query(User).count()\n",
        ),
        Example(
            "users = db.query(User).all()\nactive = {u.id for u in users if u.is_active}\n", line=2
        ),
    )
    good_cases = (
        "names = [u.name for u in session.query(User).all()]",  # a projection
        "allowed = [u for u in session.query(User).all() if is_allowed(u)]",
        'tagged = [u for u in session.query(User).all() if u.tags[0] == "x"]',
        "big = [n for n in numbers if n > 10]",  # not a query
        "pairs = [(u, g) for u in session.query(User).all() for g in groups if u.group_id == g.id]",
    )

    def visit_ListComp(self, node: cst.ListComp) -> None:
        """Flag a filtering list comprehension over all rows."""
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        """Flag a filtering set comprehension over all rows."""
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        """Flag a filtering generator over all rows."""
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        """Flag a filtering dict comprehension over all rows."""
        self._comprehension(node)

    def _comprehension(self, node: cst.BaseComp) -> None:
        first = node.for_in
        if not first.ifs or first.inner_for_in is not None:
            return
        targets = frozenset(_orm.names_in(first.target))
        if not all(_sql_expressible(i.test, targets) for i in first.ifs):
            return
        if isinstance(first.iter, cst.Name) and _orm.enclosing_loops(self.context, node):
            return  # rows fetched once, filtered again on each pass of an algorithm
        if self._all_rows(first.iter):
            self.report(node)

    def visit_Call(self, node: cst.Call) -> None:
        """Flag ``filter(lambda ..., q.all())`` and ``len(q.all())``."""
        func = node.func
        if not isinstance(func, cst.Name) or func.value in self.context.facts.defined:
            return
        if func.value == "len" and len(node.args) == 1:
            self._len(node, node.args[0].value)
        elif func.value == "filter" and len(node.args) == 2:
            predicate, source = node.args[0].value, node.args[1].value
            if (
                isinstance(predicate, cst.Lambda)
                and len(predicate.params.params) == 1
                and _sql_expressible(
                    predicate.body, frozenset({predicate.params.params[0].name.value})
                )
                and self._all_rows(source)
            ):
                self.report(node)

    def _len(self, node: cst.Call, argument: cst.BaseExpression) -> None:
        query = _orm.is_all_result(self.context, argument)
        if query is None:
            return
        fix = None
        if query.legacy and _orm.method_of(argument) == "all":
            receiver = _orm.receiver_of(argument)  # type: ignore[arg-type]
            if receiver is not None:
                text = f"{self.context.code_for(receiver).strip()}.count()"
                fix = self.fix("Count in the database with `.count()`", Replace(node, text))
        self.report(
            node,
            "All rows are fetched only to be counted: count in the database "
            "(`query.count()` or `select(func.count())`)",
            fix=fix,
        )

    def _all_rows(self, source: cst.BaseExpression, depth: int = 0) -> bool:
        """Tell whether ``source`` is a whole result set (directly or through a name)."""
        if _orm.is_all_result(self.context, source) is not None:
            return True
        if isinstance(source, cst.Name) and depth < 2:
            bindings = _orm.lookup(self.context, source.value)
            values = [b.value for b in bindings if b.kind == "assign"]
            return (
                bool(values)
                and len(values) == len(bindings)
                and all(v is not None and self._all_rows(v, depth + 1) for v in values)
            )
        return False


def _sql_expressible(condition: cst.BaseExpression, targets: frozenset[str]) -> bool:
    """Tell whether a condition only compares columns of the row (SQL could apply it)."""
    reads_column = False
    stack: list[cst.CSTNode] = [condition]
    while stack:
        node = stack.pop()
        if isinstance(node, _PYTHON_ONLY):
            return False
        if isinstance(node, cst.Attribute):
            root = dotted_name(node)
            if root is not None and root.split(".", 1)[0] in targets:
                reads_column = True
                continue
        elif isinstance(node, cst.Name) and node.value in targets:
            return False  # the row itself (``if u``, ``u in seen``)
        stack.extend(node.children)
    return reads_column

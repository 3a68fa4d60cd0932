"""BP202 query-in-loop: a database query inside a loop body, the N+1 pattern."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.sqlalchemy import _orm

# Methods that run a 1.x ``Query`` (building one with ``session.query()`` does not).
_EXECUTING = frozenset(
    {
        "all",
        "first",
        "one",
        "one_or_none",
        "scalar",
        "count",
        "get",
        "delete",
        "update",
        "merge_result",
        "yield_per",
        "exists_result",
    }
)


class QueryInLoop(Rule):
    """Flags session queries repeated by a loop or comprehension."""

    code = "BP202"
    name = "query-in-loop"
    family = "sqlalchemy"
    section = "Query Patterns, Database Query Optimization"
    message = (
        "Query inside a loop (N+1): load the related rows up front with "
        "`joinedload`/`selectinload`, or fetch them all with one `.in_()` query"
    )
    summary = (
        "A query run by a session inside the body of a `for`/`while` loop or a "
        "comprehension: `session.query(...)`, `session.execute(...)`, `session.scalars(...)`, "
        "`session.scalar(...)`, `session.get(Model, ...)` (1.x `Query` API and 2.0 "
        "`select()` alike), and Flask-SQLAlchemy's `Model.query`."
    )
    why = (
        "One query per row is the N+1 problem: listing 100 users with their posts costs 101 "
        "round trips instead of 1 or 2. Each round trip adds network latency and a plan, so "
        "the page is fast on a developer's ten rows and slow in production. Eager loading "
        "(`options(selectinload(User.posts))`) or one query with `Post.user_id.in_(ids)` "
        "does the same work in a constant number of queries."
    )
    leaves_alone = (
        'Loops over a fixed literal (`for status in ("active", "pending"):`, '
        "`range(3)`, `range(MAX_RETRIES)`): they run a known, small number of queries (retry "
        "loops among them). Batching loops: `for chunk in chunks(ids, 500):`, `batched(...)`, "
        "`range(0, len(ids), size)`, any loop whose variable is a batch/chunk/page, and a "
        "`while` loop that slices its work (`chunk = ids[:500]`); one query per batch is how "
        "a big `IN` list is kept bounded (their inner loops over rows still count). Queries "
        "with `.offset(...)` (pagination). 1.x `Query` objects built in the loop but not run "
        "there (`.subquery()`, appended to a list); the iterable of a `for` and of a "
        "comprehension's first `for`, which run once; queries in a function defined inside "
        "the loop, and in an `except` handler inside it (an error path)."
    )
    bad = (
        Example(
            "from sqlalchemy import select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import Post\n"
            "\n"
            "\n"
            "def count_posts(db: Session, user_ids: list[int]) -> dict[int, int]:\n"
            '    """Count the posts of each user."""\n'
            "    counts = {}\n"
            "    for user_id in user_ids:\n"
            "        posts = db.scalars(select(Post).where(Post.user_id == user_id)).all()\n"
            "        counts[user_id] = len(posts)\n"
            "    return counts\n",
            line=11,
        ),
        Example(
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import User\n"
            "\n"
            "\n"
            "def load_users(session: Session, ids: list[int]) -> list[User | None]:\n"
            '    """Load users by id."""\n'
            "    return [session.get(User, user_id) for user_id in ids]\n",
            line=8,
        ),
    )
    good = (
        Example(
            "from sqlalchemy import func, select\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import Post\n"
            "\n"
            "\n"
            "def count_posts(db: Session, user_ids: list[int]) -> dict[int, int]:\n"
            '    """Count the posts of each user in one query."""\n'
            "    rows = db.execute(\n"
            "        select(Post.user_id, func.count(Post.id))\n"
            "        .where(Post.user_id.in_(user_ids))\n"
            "        .group_by(Post.user_id)\n"
            "    ).all()\n"
            "    return {user_id: count for user_id, count in rows}\n"
        ),
        Example(
            "from itertools import batched\n"
            "\n"
            "from sqlalchemy import delete\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "from app.models import Post\n"
            "\n"
            "\n"
            "def purge(session: Session, ids: list[int]) -> None:\n"
            '    """Delete posts in bounded batches."""\n'
            "    for chunk in batched(ids, 500):\n"
            "        session.execute(delete(Post).where(Post.id.in_(chunk)))\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a session query when a loop around it repeats it."""
        if not self._is_query(node):
            return
        loops = _orm.enclosing_loops(self.context, node)
        if not loops or not self._repeats(node, loops):
            return
        if _orm.in_error_path(self.context, loops[0]):
            return  # runs when an iteration fails, not once per row
        self.report(node)

    def _is_query(self, node: cst.Call) -> bool:
        """Tell whether a call runs a query: ``session.query(...)``, ``Model.query.get()``."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return False
        owner = func.value
        if isinstance(owner, cst.Attribute) and owner.attr.value == "query":
            # Flask-SQLAlchemy: ``User.query.filter_by(...)`` is a query of a model.
            return _orm.is_class_like(owner.value) and (
                _orm.model_kind(self.context, owner.value) is not None
            )
        return _orm.session_method(self.context, node, _orm.QUERY_METHODS) is not None

    def _repeats(self, node: cst.Call, loops: list[_orm.Loop]) -> bool:
        """Tell whether some loop around the query runs it once per row."""
        top, parent, grandparent = self._chain_top(node)
        if _orm.mentions_attribute(top, frozenset({"offset"})):
            return False  # pagination: one query per page
        if _is_lazy(node) and not _executed(top, parent, grandparent):
            return False  # a Query or subquery built in the loop, run elsewhere
        return any(_orm.is_real_loop(self.context, loop) for loop in loops)

    def _chain_top(
        self, node: cst.Call
    ) -> tuple[cst.CSTNode, cst.CSTNode | None, cst.CSTNode | None]:
        """Return the query chain's outermost expression, its parent and grandparent."""
        top: cst.CSTNode = node
        ancestors = self.context.ancestors
        for index in range(len(ancestors) - 1, -1, -1):
            ancestor = ancestors[index]
            if isinstance(ancestor, (cst.Attribute, cst.Call, cst.Await)) and (
                getattr(ancestor, "func", None) is top
                or getattr(ancestor, "value", None) is top
                or getattr(ancestor, "expression", None) is top
            ):
                top = ancestor
                continue
            grandparent = ancestors[index - 1] if index > 0 else None
            return top, ancestor, grandparent
        return top, None, None


def _is_lazy(node: cst.Call) -> bool:
    """A 1.x ``session.query(...)`` / Flask ``Model.query.x(...)`` builds a ``Query`` only."""
    func = node.func
    if not isinstance(func, cst.Attribute):
        return False
    owner = func.value
    return func.attr.value == "query" or (
        isinstance(owner, cst.Attribute) and owner.attr.value == "query"
    )


def _executed(
    top: cst.CSTNode, parent: cst.CSTNode | None, grandparent: cst.CSTNode | None
) -> bool:
    """Tell whether a lazy query chain is run where it stands."""
    if isinstance(top, cst.Call) and _orm.method_of(top) in _EXECUTING:
        return True
    if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is top:
        return True  # iterating runs it
    if isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call):
        called = _orm.short_name(dotted_name(grandparent.func))
        return called in {"list", "tuple", "set", "sorted", "next", "iter", "len"}
    return False

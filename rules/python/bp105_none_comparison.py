"""BP105 none-comparison: ``== None`` / ``!= None`` instead of ``is None``."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Replace, Rule

# Calls whose arguments are SQL expressions, not Python comparisons.
_SQL_CONTEXTS = frozenset({"filter", "where", "having", "filter_by", "and_", "or_", "not_"})


class NoneComparison(Rule):
    """Flags equality comparisons with ``None``."""

    code = "BP105"
    name = "none-comparison"
    family = "python"
    section = "PEP 8 Compliance"
    message = "Compare with `None` using `is` / `is not`, not `==` / `!=`"
    summary = (
        "`x == None` and `x != None`. Inside SQLAlchemy `filter()`/`where()` a comparison "
        "with `None` is an SQL expression, so there the rule suggests `.is_(None)` / "
        "`.is_not(None)` instead, with its own message."
    )
    why = (
        "`==` calls `__eq__`, which any class may override (SQLAlchemy columns, NumPy arrays, "
        "mocks), so `x == None` may not even return a bool. `None` is a singleton: identity "
        "is the only reliable test, and PEP 8 requires it."
    )
    leaves_alone = (
        "`is None` / `is not None`; comparisons with other constants, `== True` and "
        "`== False` included (pycodestyle's E712): the practice is about `None`, and "
        "`Column == False` is SQLAlchemy's idiom inside `filter()`."
    )
    fix_description = "Rewrites `== None` to `is None` and `!= None` to `is not None`."
    bad = (
        Example(
            "def describe(user: object) -> str:\n"
            '    """Describe a user."""\n'
            "    if user == None:\n"
            '        return "nobody"\n'
            '    return "somebody"\n',
            line=3,
            fixed="def describe(user: object) -> str:\n"
            '    """Describe a user."""\n'
            "    if user is None:\n"
            '        return "nobody"\n'
            '    return "somebody"\n',
        ),
        Example(
            "def active(session: object, model: type) -> list:\n"
            '    """Users not deleted."""\n'
            "    return session.query(model).filter(model.deleted_at == None).all()\n",
            line=3,
            fixed="def active(session: object, model: type) -> list:\n"
            '    """Users not deleted."""\n'
            "    return session.query(model).filter(model.deleted_at.is_(None)).all()\n",
        ),
    )
    good = (
        Example(
            "def describe(user: object) -> str:\n"
            '    """Describe a user."""\n'
            "    if user is None:\n"
            '        return "nobody"\n'
            '    return "somebody"\n'
        ),
    )
    bad_cases = (
        "found = user == None",
        Example("x = 1\nok = x != None\n", line=2, fixed="x = 1\nok = x is not None\n"),
        "missing = None == user",  # None on the left
        "deleted = session.query(User).filter(User.deleted_at == None)",  # still None
    )
    good_cases = (
        "found = user is None",
        'found = user == "None"',  # a string, not None
        "active = user.active == True",  # E712 is not this rule's
        "stale = session.query(User).filter(User.active == False)",
    )

    def setup(self) -> None:
        """Start outside any ``filter()``/``where()`` call."""
        self._sql_depth = 0

    def visit_Call(self, node: cst.Call) -> None:
        """Track whether we are inside ``filter()``/``where()`` arguments."""
        if _is_sql_context(node):
            self._sql_depth += 1

    def leave_Call(self, node: cst.Call) -> None:
        """Leave a ``filter()``/``where()`` call."""
        if _is_sql_context(node):
            self._sql_depth -= 1

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """Flag ``== None`` / ``!= None`` in a comparison."""
        if len(node.comparisons) != 1:
            return
        target = node.comparisons[0]
        operator = target.operator
        if not isinstance(operator, (cst.Equal, cst.NotEqual)):
            return
        left, right = node.left, target.comparator
        if _is_none(right):
            subject = left
        elif _is_none(left):
            subject = right
        else:
            return
        positive = isinstance(operator, cst.Equal)
        if self._sql_depth:
            method = "is_" if positive else "is_not"
            call = cst.Call(
                func=cst.Attribute(value=subject, attr=cst.Name(method)),
                args=[cst.Arg(cst.Name("None"))],
            )
            self.report(
                node,
                f"In an SQL expression use `.{method}(None)` instead of "
                f"`{'==' if positive else '!='} None`",
                fix=self.fix(f"Replace with `.{method}(None)`", *_replace(node, call)),
            )
            return
        new_operator: cst.BaseCompOp = cst.Is() if positive else cst.IsNot()
        replacement = node.with_changes(
            left=subject,
            comparisons=[target.with_changes(operator=new_operator, comparator=cst.Name("None"))],
        )
        text = "is None" if positive else "is not None"
        self.report(node, fix=self.fix(f"Replace with `{text}`", *_replace(node, replacement)))


def _replace(node: cst.Comparison, new: cst.BaseExpression) -> tuple[Replace, ...]:
    return (Replace(node, new.with_changes(lpar=node.lpar, rpar=node.rpar)),)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_sql_context(node: cst.Call) -> bool:
    func = node.func
    if isinstance(func, cst.Attribute):
        return func.attr.value in _SQL_CONTEXTS
    return isinstance(func, cst.Name) and func.value in _SQL_CONTEXTS

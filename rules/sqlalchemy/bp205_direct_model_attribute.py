"""BP205 direct-model-attribute: typed reads and writes of legacy ``Column`` attributes."""

from __future__ import annotations

import builtins

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range, TextEdit
from precepts.rule import Example, FixSpec, InsertAfter, Option, Replace, Rule
from precepts.rules.sqlalchemy import _orm

_BUILTINS = frozenset(dir(builtins))
_MODEL = (
    "from sqlalchemy import Column, Integer, String\n"
    "from sqlalchemy.orm import declarative_base\n"
    "\n"
    "Base = declarative_base()\n"
    "\n"
    "\n"
    "class User(Base):\n"
    '    """A user account."""\n'
    "\n"
    '    __tablename__ = "users"\n'
    "\n"
    "    id = Column(Integer, primary_key=True)\n"
    "    email = Column(String(255), unique=True, nullable=False)\n"
    "\n"
    "\n"
)
# Calls whose arguments are SQL expressions: a model attribute there is a column.
_SQL_BUILDERS = frozenset(
    {
        "filter",
        "filter_by",
        "where",
        "having",
        "select",
        "join",
        "outerjoin",
        "order_by",
        "group_by",
        "values",
        "and_",
        "or_",
        "not_",
        "case",
    }
)
_AUGMENTED = {
    cst.AddAssign: "+",
    cst.SubtractAssign: "-",
    cst.MultiplyAssign: "*",
    cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//",
    cst.ModuloAssign: "%",
    cst.BitOrAssign: "|",
    cst.BitAndAssign: "&",
}


class DirectModelAttribute(Rule):
    """Flags typed reads and assignments of legacy model attributes."""

    code = "BP205"
    name = "direct-model-attribute"
    family = "sqlalchemy"
    section = "Type Safety with Static Type Checkers"
    message = "Direct access to a `Column` attribute: static type checkers see `Column[...]`"
    summary = (
        "On an instance of a legacy model (columns declared `x = Column(...)`): reading an "
        "attribute into an annotated variable (`user_id: int = db_user.id`), assigning one "
        "(`db_user.email = x`, `db_user.count += 1`), and, as the standard's \"Explicit "
        'Type Conversions" asks, passing one straight to a function '
        "(`verify_password(password, db_user.hashed_password)`; option `call-arguments`). "
        "A variable is a model instance when it is assigned from `session.query(Model)..."
        "first()/one()/get()`, `session.get(Model, ...)`, `session.scalars(select(Model))..."
        "first()`, `Model(...)`, annotated `x: Model`, a parameter annotated with the model, "
        "or the loop variable over a query of the model."
    )
    why = (
        "With `id = Column(Integer)`, Pylance/Pyright type `db_user.id` as `Column[int]`, not "
        '`int`, so `user_id: int = db_user.id` and `db_user.email = "x"` are type errors, '
        "although they work at runtime. The standard's workaround is `getattr(db_user, "
        '"id")` / `setattr(db_user, "email", x)` (and `str(getattr(...))` before '
        "passing a value on), which keeps the code checkable without `# type: ignore`."
    )
    leaves_alone = (
        "Models declared with `Mapped[...]`/`mapped_column` (2.0 style): there the type "
        "checker already sees `int`/`str`, so the workaround would only hide real types; "
        "move legacy models to `Mapped[...]` rather than spreading `getattr`. Pydantic "
        "models, dataclasses and any object that is not known to be a model; `self` inside "
        "the model's own methods; methods and properties defined in the model class; "
        "arguments of built-ins (`str(db_user.id)` is the explicit conversion the standard "
        "asks for), of SQLAlchemy functions, of calls nested in `filter()`/`where()`/"
        "`select()` (SQL construction) and of model constructors; variables annotated with a "
        "union of classes."
    )
    fix_description = (
        'Rewrites the read to `getattr(obj, "attr")` and the write to `setattr(obj, "attr", '
        "value)`, keeping the rest of the line and its comments."
    )
    options = {
        "call-arguments": Option(
            True, "Also flag a model attribute passed straight to a function call."
        )
    }
    bad = (
        Example(
            _MODEL + "def describe(db_user: User) -> str:\n"
            '    """Describe a user."""\n'
            "    email: str = db_user.email  # shown in the greeting\n"
            '    return f"Hello {email}"\n',
            line=18,
            fixed=_MODEL + "def describe(db_user: User) -> str:\n"
            '    """Describe a user."""\n'
            '    email: str = getattr(db_user, "email")  # shown in the greeting\n'
            '    return f"Hello {email}"\n',
        ),
        Example(
            _MODEL + "def change_email(db_user: User, email: str) -> None:\n"
            '    """Change a user\'s email."""\n'
            "    db_user.email = email\n",
            line=18,
            fixed=_MODEL + "def change_email(db_user: User, email: str) -> None:\n"
            '    """Change a user\'s email."""\n'
            '    setattr(db_user, "email", email)\n',
        ),
    )
    good = (
        Example(
            _MODEL + "def describe(db_user: User) -> str:\n"
            '    """Describe a user."""\n'
            '    email: str = getattr(db_user, "email")\n'
            '    return f"Hello {email}"\n'
        ),
        Example(
            "from sqlalchemy import String\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
            "\n"
            "\n"
            "class Base(DeclarativeBase):\n"
            '    """The declarative base."""\n'
            "\n"
            "\n"
            "class User(Base):\n"
            '    """A typed model: `user.email` is a `str` for the type checker."""\n'
            "\n"
            '    __tablename__ = "users"\n'
            "\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    email: Mapped[str] = mapped_column(String(255), unique=True)\n"
            "\n"
            "\n"
            "def change_email(user: User, email: str) -> str:\n"
            '    """Change a user\'s email."""\n'
            "    user.email = email\n"
            "    current: str = user.email\n"
            "    return current\n"
        ),
    )

    def setup(self) -> None:
        """Start a file with nothing decided."""
        self._decided: dict[tuple[int, str], bool] = {}

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Flag ``x: T = obj.attr`` on a legacy model instance."""
        value = node.value
        if value is not None and self._is_legacy_attribute(value):
            self.report(value, fix=self._getattr_fix(value))  # type: ignore[arg-type]

    def visit_Assign(self, node: cst.Assign) -> None:
        """Flag ``obj.attr = value`` on a legacy model instance."""
        if len(node.targets) != 1:
            return
        target = node.targets[0].target
        if isinstance(target, cst.Attribute) and self._is_legacy_attribute(target):
            self.report(node, fix=self._setattr_fix(node, target, "=", ""))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """Flag ``obj.attr += value`` on a legacy model instance."""
        target = node.target
        if not isinstance(target, cst.Attribute) or not self._is_legacy_attribute(target):
            return
        operator = _AUGMENTED.get(type(node.operator))
        fix = None
        if operator is not None:
            fix = self._setattr_fix(
                node, target, f"{operator}=", f"{_getattr_text(target)} {operator} "
            )
        self.report(node, fix=fix)

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a legacy model attribute passed straight to a function."""
        if not self.option("call-arguments") or not isinstance(node.func, cst.Name):
            return
        if self._in_sql_expression():
            return  # equal(Model.key, ...) inside filter(): building SQL, not passing values
        callee = node.func.value
        if callee in _BUILTINS or not node.args:
            return
        qualified = self.context.facts.qualify(node.func) or ""
        if qualified.startswith("sqlalchemy"):
            return
        flagged = [
            arg.value
            for arg in node.args
            if isinstance(arg.value, cst.Attribute) and self._is_legacy_attribute(arg.value)
        ]
        if not flagged:
            return
        if _orm.is_class_like(node.func) and _orm.model_kind(self.context, node.func):
            return  # a model constructor takes **kwargs: Any
        for value in flagged:
            self.report(
                value,
                "Model attribute passed as an argument: the callee receives a `Column[...]` "
                'for the type checker; pass `getattr(obj, "attr")` (with `str()`/`int()` '
                "when it expects that type)",
                fix=self._getattr_fix(value),  # type: ignore[arg-type]
            )

    def _in_sql_expression(self) -> bool:
        """Tell whether the call is an argument of ``filter()``/``where()``/``select()``..."""
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.Call) and _callee_name(ancestor) in _SQL_BUILDERS:
                return True
            if isinstance(ancestor, (cst.SimpleStatementLine, cst.FunctionDef)):
                return False
        return False

    def _is_legacy_attribute(self, node: cst.BaseExpression) -> bool:
        """Tell whether ``node`` is ``obj.attr`` with ``obj`` an instance of a legacy model."""
        if not isinstance(node, cst.Attribute) or not isinstance(node.value, cst.Name):
            return False
        owner = node.value.value
        if owner in {"self", "cls"}:
            return False
        function = _orm.enclosing_function(self.context)
        key = (id(function), owner)
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decide(owner)
            self._decided[key] = decided
        return decided and not self._is_method(owner, node.attr.value)

    def _decide(self, owner: str) -> bool:
        klass = _orm.instance_class(self.context, owner)
        if klass is None:
            return False
        return _orm.model_kind(self.context, klass, holder=owner) == "legacy"

    def _is_method(self, owner: str, attr: str) -> bool:
        """Tell whether ``attr`` is a method/property of a model class of this module."""
        klass = _orm.instance_class(self.context, owner)
        info = self.context.facts.models.get(_orm.short_name(dotted_name(klass)))
        if info is None or not isinstance(info.node.body, cst.IndentedBlock):
            return False
        return any(
            isinstance(s, cst.FunctionDef) and s.name.value == attr for s in info.node.body.body
        )

    def _getattr_fix(self, node: cst.Attribute) -> FixSpec:
        return self.fix("Use `getattr()`", Replace(node, _getattr_text(node)))

    def _setattr_fix(
        self, node: cst.Assign | cst.AugAssign, target: cst.Attribute, operator: str, prefix: str
    ) -> FixSpec | None:
        """Turn ``obj.attr <op> value`` into ``setattr(obj, "attr", <prefix>(value))``.

        Only the text before the value and one closing parenthesis are edited, so the
        value keeps its formatting and comments.
        """
        value = node.value
        if isinstance(value, cst.Tuple) and not value.lpar or isinstance(value, cst.Yield):
            return None
        context = self.context
        start = context.range_of(target)
        line = context.lines.line_text(start.end.line)
        rest = line[start.end.column :]
        stripped = rest.lstrip(" \t")
        if not stripped.startswith(operator):
            return None
        after = stripped[len(operator) :]
        end_column = len(line) - len(after.lstrip(" \t"))
        where = Range.of(start.start.line, start.start.column, start.end.line, end_column)
        owner = target.value.value  # type: ignore[attr-defined]
        opening = f'setattr({owner}, "{target.attr.value}", {prefix}'
        closing = ")"
        if prefix:
            opening, closing = opening + "(", "))"
        return self.fix(
            "Use `setattr()`",
            TextEdit(where, opening),
            InsertAfter(node, closing),
        )


def _getattr_text(node: cst.Attribute) -> str:
    return f'getattr({node.value.value}, "{node.attr.value}")'  # type: ignore[attr-defined]


def _callee_name(call: cst.Call) -> str:
    """``a.b(...)`` / ``x().b(...)`` / ``b(...)`` → ``b``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""

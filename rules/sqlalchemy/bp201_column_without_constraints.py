"""BP201 column-without-constraints: model columns that leave their constraints implicit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name
from precepts.findings import Applicability
from precepts.rule import Example, InsertAfter, Rule
from precepts.rules.sqlalchemy import _orm

if TYPE_CHECKING:
    from precepts.context import RuleContext

_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_STRING_TYPES = frozenset({"String", "Unicode", "VARCHAR", "NVARCHAR", "CHAR", "NCHAR"})
_BOOLEAN_TYPES = frozenset({"Boolean", "BOOLEAN"})
_DEFAULTS = ("default", "server_default", "insert_default")
_ON_UPDATE = ("onupdate", "server_onupdate")
_UNIQUE_NAMES = frozenset({"email", "username"})
_TIMESTAMPS = frozenset({"created_at", "updated_at"})
# Positional arguments of ``Column`` that are not its type.
_NOT_TYPES = frozenset({"ForeignKey", "Sequence", "Identity", "Computed", "FetchedValue"})


@dataclass(frozen=True)
class _Column:
    """One column attribute of a model class."""

    name: str
    call: cst.Call
    typed: bool  # annotated ``Mapped[...]``: the annotation carries nullability
    type_name: str  # short name of the SQL type, "" when implicit
    type_node: cst.BaseExpression | None
    keywords: dict[str, cst.Arg]

    def has(self, *names: str) -> bool:
        """Tell whether one of the keyword arguments is given."""
        return any(name in self.keywords for name in names)

    def is_true(self, name: str) -> bool:
        """Tell whether a keyword argument is the literal ``True``."""
        arg = self.keywords.get(name)
        return arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "True"


class ColumnWithoutConstraints(Rule):
    """Flags model columns whose length, nullability, defaults or uniqueness are implicit."""

    code = "BP201"
    name = "column-without-constraints"
    family = "sqlalchemy"
    section = "Model Definition"
    message = "Column without explicit constraints"
    summary = (
        "In a declarative model (a class derived from `declarative_base()`, "
        "`DeclarativeBase`, Flask-SQLAlchemy's `db.Model`, or an imported `Base` with "
        "`__tablename__`/columns): a `String` without a length; a non-primary-key column "
        "without an explicit `nullable=`; a `Boolean` without `default=`; a `created_at` / "
        "`updated_at` column without a default (and `updated_at` without `onupdate=`); an "
        "`email` / `username` column without `unique=True`. One finding per column lists "
        "everything it misses."
    )
    why = (
        "Implicit constraints are decided by accident: `Column(String)` is nullable, has no "
        "length (MySQL refuses it, PostgreSQL accepts any size), and lets two accounts share "
        "an email; a `Boolean` without a default is NULL, a third state nobody handles; a "
        "timestamp without a default is NULL for rows inserted by code that forgot it. "
        "Writing the constraints down makes the schema say what the code assumes, and the "
        "database then enforces it."
    )
    leaves_alone = (
        "Primary keys. Columns annotated `Mapped[...]` are not asked for `nullable=`: "
        "`Mapped[str]` means NOT NULL and `Mapped[str | None]` means NULL, so the type "
        "already says it (their other constraints are still checked). Uniqueness declared "
        'in `__table_args__` (`UniqueConstraint("email")`, `Index(..., unique=True)`), '
        'including composite ones (`UniqueConstraint("tenant_id", "email")`). Columns of '
        "Core `Table(...)` definitions and of mixins that are not models themselves. Columns "
        "named in a `PrimaryKeyConstraint` of `__table_args__` are primary keys. Models in "
        "migration revisions (`alembic/versions/`, `migrations/versions/`): they are "
        "snapshots of a past schema."
    )
    fix_description = (
        "Adds `nullable=False` to a column that has a default (a column that always gets a "
        "value is meant to be NOT NULL), and `onupdate=` with the same value as `default=` "
        "to an `updated_at` column; offered only when that covers everything the column "
        "misses."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "from sqlalchemy import Boolean, Column, Integer, String\n"
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
            "    email = Column(String)  # no length, nullable, not unique\n"
            "    is_active = Column(Boolean, default=True)\n",
            line=13,
            fixed="from sqlalchemy import Boolean, Column, Integer, String\n"
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
            "    email = Column(String)  # no length, nullable, not unique\n"
            "    is_active = Column(Boolean, default=True, nullable=False)\n",
        ),
        Example(
            "from sqlalchemy import Column, DateTime, Integer, func\n"
            "from sqlalchemy.orm import declarative_base\n"
            "\n"
            "Base = declarative_base()\n"
            "\n"
            "\n"
            "class Task(Base):\n"
            '    """A task."""\n'
            "\n"
            '    __tablename__ = "tasks"\n'
            "\n"
            "    id = Column(Integer, primary_key=True)\n"
            "    updated_at = Column(DateTime, default=func.now(), nullable=False)\n",
            line=13,
            fixed="from sqlalchemy import Column, DateTime, Integer, func\n"
            "from sqlalchemy.orm import declarative_base\n"
            "\n"
            "Base = declarative_base()\n"
            "\n"
            "\n"
            "class Task(Base):\n"
            '    """A task."""\n'
            "\n"
            '    __tablename__ = "tasks"\n'
            "\n"
            "    id = Column(Integer, primary_key=True)\n"
            "    updated_at = Column(DateTime, default=func.now(), nullable=False, "
            "onupdate=func.now())\n",
        ),
    )
    good = (
        Example(
            "from sqlalchemy import Boolean, Column, DateTime, Integer, String, func\n"
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
            "    email = Column(String(255), unique=True, nullable=False, index=True)\n"
            "    is_active = Column(Boolean, default=True, nullable=False)\n"
            "    created_at = Column(DateTime, server_default=func.now(), nullable=False)\n"
        ),
        Example(
            "from datetime import datetime\n"
            "\n"
            "from sqlalchemy import String, func\n"
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
            "\n"
            "\n"
            "class Base(DeclarativeBase):\n"
            '    """The declarative base."""\n'
            "\n"
            "\n"
            "class User(Base):\n"
            '    """A user account: `Mapped[...]` carries nullability."""\n'
            "\n"
            '    __tablename__ = "users"\n'
            "\n"
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    email: Mapped[str] = mapped_column(String(255), unique=True)\n"
            "    nickname: Mapped[str | None] = mapped_column(String(50))\n"
            "    created_at: Mapped[datetime] = mapped_column(server_default=func.now())\n"
        ),
    )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check the columns of a model class."""
        if self.context.facts.models.get(node.name.value) is None:
            return
        if not isinstance(self.context.parent, cst.Module):
            return
        if _orm.is_migration(self.context.path):
            return  # a frozen copy of an old schema: changing it changes nothing
        unique, primary = _table_args_constraints(node)
        for column in _columns(self.context, node):
            if not column.is_true("primary_key") and column.name not in primary:
                self._check(column, unique)

    def _check(self, column: _Column, unique: frozenset[str]) -> None:
        """Report what one column misses, with a fix when every gap has an obvious value."""
        problems = [*_type_problems(column), *self._default_problems(column)]
        if column.name in _UNIQUE_NAMES and not column.is_true("unique"):
            if column.name not in unique:
                problems.append(("not `unique=True`", None))
        if not problems:
            return
        message = f"Column `{column.name}`: {'; '.join(text for text, _ in problems)}"
        additions = [addition for _, addition in problems if addition is not None]
        fix = None
        if len(additions) == len(problems):
            last = column.call.args[-1]
            fix = self.fix(
                f"Add `{'`, `'.join(additions)}`",
                InsertAfter(last.value, ", " + ", ".join(additions)),
            )
        self.report(column.call, message, fix=fix)

    def _default_problems(self, column: _Column) -> list[tuple[str, str | None]]:
        """Timestamps without a default, ``updated_at`` without ``onupdate=``."""
        found: list[tuple[str, str | None]] = []
        if column.name in _TIMESTAMPS and not column.has(*_DEFAULTS):
            found.append((f"`{column.name}` without a default", None))
        if column.name == "updated_at" and not column.has(*_ON_UPDATE):
            default = column.keywords.get("default")
            addition = f"onupdate={self.context.code_for(default.value)}" if default else None
            found.append(("`updated_at` without `onupdate=`", addition))
        return found


def _type_problems(column: _Column) -> list[tuple[str, str | None]]:
    """A ``String`` without length, implicit nullability, a ``Boolean`` without default.

    Each problem comes with the keyword that fixes it when the intent is clear (a column
    with a default is meant to be NOT NULL), or None.
    """
    found: list[tuple[str, str | None]] = []
    has_default = column.has(*_DEFAULTS)
    if column.type_name in _STRING_TYPES and _without_length(column.type_node):
        found.append((f"`{column.type_name}` without a length", None))
    if not column.typed and not column.has("nullable"):
        found.append(("no explicit `nullable=`", "nullable=False" if has_default else None))
    if column.type_name in _BOOLEAN_TYPES and not has_default:
        found.append(("`Boolean` without `default=`", None))
    return found


def _without_length(type_node: cst.BaseExpression | None) -> bool:
    """``String`` / ``String()`` have no length; ``String(255)``/``String(length=n)`` do."""
    if not isinstance(type_node, cst.Call):
        return True
    return not type_node.args


def _column_type(call: cst.Call) -> tuple[str, cst.BaseExpression | None]:
    """Return the short name and node of a column's SQL type ("" when implicit)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value != "type_":
            continue
        value = arg.value
        if arg.keyword is None and isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # the column's name
        func = value.func if isinstance(value, cst.Call) else value
        name = _orm.short_name(dotted_name(func))
        return ("", None) if name in _NOT_TYPES else (name, value)
    return "", None


def _mapped_type(annotation: cst.BaseExpression) -> str:
    """``Mapped[bool]`` → ``Boolean``: the SQL type a typed column gets from Python's."""
    if isinstance(annotation, cst.Subscript) and annotation.slice:
        inner = annotation.slice[0].slice
        if isinstance(inner, cst.Index) and dotted_name(inner.value) == "bool":
            return "Boolean"
    return ""


def _class_smalls(node: cst.ClassDef) -> list[cst.BaseSmallStatement]:
    """The small statements directly in a class body (its attribute assignments)."""
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return []
    return [
        small
        for statement in body.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    ]


def _columns(context: RuleContext, node: cst.ClassDef) -> list[_Column]:
    facts = context.facts
    columns = (_column_of(facts, small) for small in _class_smalls(node))
    return [column for column in columns if column is not None]


def _column_of(facts: ModuleFacts, small: cst.BaseSmallStatement) -> _Column | None:
    annotation = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, annotation = small.target, small.annotation.annotation
    else:
        return None
    value = small.value
    if not isinstance(target, cst.Name) or not isinstance(value, cst.Call):
        return None
    called = _orm.short_name(facts.qualify(value.func))
    if called not in _COLUMN_CALLS:
        return None
    typed = (
        annotation is not None
        and _orm.short_name(
            dotted_name(annotation.value) if isinstance(annotation, cst.Subscript) else None
        )
        == "Mapped"
    )
    type_name, type_node = _column_type(value)
    if not type_name and typed and annotation is not None:
        type_name = _mapped_type(annotation)
    keywords = {a.keyword.value: a for a in value.args if a.keyword is not None}
    return _Column(target.value, value, typed, type_name, type_node, keywords)


def _table_args_constraints(node: cst.ClassDef) -> tuple[frozenset[str], frozenset[str]]:
    """Columns made unique, and made the primary key, by ``__table_args__``."""
    unique: set[str] = set()
    primary: set[str] = set()
    for small in _class_smalls(node):
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target = small.targets[0].target
        if isinstance(target, cst.Name) and target.value == "__table_args__":
            _collect_constraints(small.value, unique, primary)
    return frozenset(unique), frozenset(primary)


def _collect_constraints(value: cst.CSTNode, unique: set[str], primary: set[str]) -> None:
    stack = [value]
    while stack:
        current = stack.pop()
        stack.extend(current.children)
        if not isinstance(current, cst.Call):
            continue
        called = _orm.short_name(dotted_name(current.func))
        flag = _orm.keyword(current, "unique")
        if called == "PrimaryKeyConstraint":
            primary.update(_string_args(current))
        elif called == "UniqueConstraint" or (
            called == "Index"
            and flag is not None
            and isinstance(flag.value, cst.Name)
            and flag.value.value == "True"
        ):
            unique.update(_string_args(current))


def _string_args(call: cst.Call) -> list[str]:
    found = []
    for arg in call.args:
        if arg.keyword is None and isinstance(arg.value, cst.SimpleString):
            text = arg.value.evaluated_value
            if isinstance(text, str):
                found.append(text)
    return found

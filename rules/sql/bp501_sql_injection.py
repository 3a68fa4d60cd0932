"""BP501 sql-injection: SQL text built from values with f-strings, ``%``, ``+`` or ``.format()``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability, Severity
from precepts.rule import Example, FixSpec, InsertAfter, Related, Replace, Rule
from precepts.rules.sql._sqlcst import (
    Template,
    at_sql_sink,
    in_output_context,
    sink_of,
    sql_argument,
    template_of,
)
from precepts.rules.sql._sqltext import HOLE, looks_like_sql, sql_tokens, value_holes

_KIND_WORDS = {
    "f-string": "an f-string",
    "%": "`%` formatting",
    "+": "`+` concatenation",
    ".format()": "`.format()`",
}
# Calls whose result cannot carry SQL syntax.
_SAFE_CALLS = frozenset({"int", "float", "len", "round", "abs", "bool"})
# Identifier quoting (the dialect's preparer, psycopg's quote_ident...): quoted names are
# safe in name positions.
_QUOTERS = frozenset(
    {"quote", "quote_ident", "quote_identifier", "quote_name", "format_table", "format_column"}
)
# Methods that take a statement and its parameters: where the fix adds a params dict.
_PARAM_TAKERS = frozenset({"execute", "scalar", "scalars"})
# List methods whose argument becomes part of the list (`clauses.append("a = :a")`).
_MUTATORS = frozenset({"append", "extend", "insert"})
_LITERALS = (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)
# `Status.DRAFT.value` / `.name`: an enum member's fields; `self.value` inside the enum.
_MEMBER_FIELDS = frozenset({"value", "name"})
_ENUM_BASES = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag")
# Statements whose values cannot be bound parameters: PostgreSQL parses `SET` (and
# `SET LOCAL TIME ZONE`, `SET search_path`) without placeholders, SQLite's `PRAGMA` too.
# DDL and session statements take no parameters either: names must be quoted or listed.
_DDL = frozenset(
    {"CREATE", "ALTER", "DROP", "TRUNCATE", "REINDEX", "ATTACH", "DETACH", "GRANT", "REVOKE",
     "COMMENT", "VACUUM", "BEGIN"}
)  # fmt: skip
_UNBINDABLE = re.compile(
    r"\s*(SET|PRAGMA|RESET|NOTIFY|" + "|".join(sorted(_DDL)) + r")\b", re.IGNORECASE
)
_SET_CONFIG = "SELECT set_config('<name>', :value, <local>)"
_SET_TARGET = re.compile(r"\s*SET\s+(LOCAL\s+|SESSION\s+)?(TIME\s+ZONE|[\w.]+)", re.IGNORECASE)
_MAX_DEPTH = 4


@dataclass
class _Scope:
    """What one function (or one top-level statement) has bound so far."""

    bindings: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    safe: set[str] = field(default_factory=set)


class SqlInjection(Rule):
    """Flags SQL assembled from values instead of bound parameters."""

    code = "BP501"
    name = "sql-injection"
    family = "sql"
    section = "SQL Injection Prevention"
    severity = Severity.ERROR
    message = "SQL built from values: pass them as bound parameters"
    summary = (
        "SQL text built with an f-string, `%` formatting, `+` concatenation or `.format()` "
        "from values that are not constants, when it reaches `text()`, `execute()`, "
        "`executemany()`, `exec_driver_sql()`, `read_sql()`/`read_sql_query()`, asyncpg's "
        "`fetch()`/`fetchrow()`/`fetchval()`, `databases`' `fetch_all()`/`fetch_one()` — "
        "directly or through a variable assigned earlier in the same function. A string "
        "that is plainly an SQL statement and interpolates a value where SQL expects one "
        "(`= '{email}'`, `LIKE '%{term}%'`, `VALUES ({a}, {b})`) is flagged where it is "
        "built, even before it reaches a call."
    )
    why = (
        "A value pasted into SQL is parsed as SQL: `' OR '1'='1` in `email` returns every "
        "row, `'; DROP TABLE users; --` destroys data. Bound parameters send the value "
        "separately from the statement, so no input can change the query's meaning, and "
        "the database can reuse the plan. Some statements cannot take bound parameters: "
        "PostgreSQL's `SET` (`SET LOCAL TIME ZONE '{tz}'`, `SET search_path TO {schema}`) and "
        "SQLite's `PRAGMA`. There the message gives the safe alternative instead: "
        "`SELECT set_config('TimeZone', :value, true)` binds the value like any other "
        "query, or the value is checked against an allow-list first. DDL (`CREATE`, `ALTER`, "
        "`DROP`, `REINDEX`, `ATTACH`...) and `NOTIFY` take no parameters either: names there "
        "come from an allow-list or are quoted, the payload of a notification goes through "
        "`pg_notify(...)`. Unlike ruff's S608, which reads statements that start with "
        "`SELECT`/`INSERT`/`UPDATE`/`DELETE`, this rule reads all of them."
    )
    leaves_alone = (
        "Bound parameters (`text('... :email')` with a dict, `'... %s'` with a params "
        "tuple passed as the second argument); interpolated constants: literals, "
        "UPPER_CASE names and attributes (`cls._THRESHOLD`), enum members' values "
        "(`Status.DRAFT.value`, and `self.value` inside the `Enum` itself), module names "
        "bound once to a literal (`table: Final = 'users'`) and not rebound in the "
        "function, `Model.__tablename__`, `int(...)`/`len(...)` "
        "results, names quoted by `quote()`/`quote_ident()`/`quote_identifier()`; "
        "identifiers from an allow-list: a lookup in a literal dict/tuple or an "
        "UPPER_CASE mapping (`SORTABLE[sort]`), a name checked with `if col not in "
        "ALLOWED: raise`/`return` or `assert col in ALLOWED`, a loop variable over a "
        "literal tuple, a name assigned one of those in the same function; "
        "`', '.join(...)` of such values (`', '.join(['%s'] * len(ids))`, "
        "`', '.join(f':id{i}' for i in range(n))`) and lists filled only with them "
        "(`clauses.append('email = :email')`). Strings passed to logging, `print` or "
        "exception constructors are messages, not SQL. Variables are followed within one "
        "function (or one top-level statement), not across functions or modules."
    )
    fix_description = (
        "Rewrites `text(f\"... = '{email}'\")` passed alone to `execute()`/`scalar()`/"
        '`scalars()` into `text("... = :email")` plus a `{"email": email}` parameter '
        "dict, when every interpolation is a plain name or attribute that fills a whole SQL "
        "value (quoted or bare). Never for `SET`/`PRAGMA`, where `:name` would fail at "
        "run time."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def find_user_ids(session: Session, email: str) -> list:\n"
            '    """Return the ids of the users with this email."""\n'
            "    rows = session.execute(text(f\"SELECT id FROM users WHERE email = '{email}'\"))\n"
            "    return list(rows)\n",
            line=7,
            fixed="from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def find_user_ids(session: Session, email: str) -> list:\n"
            '    """Return the ids of the users with this email."""\n'
            '    rows = session.execute(text("SELECT id FROM users WHERE email = :email"), '
            '{"email": email})\n'
            "    return list(rows)\n",
        ),
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def rename_user(session: Session, user_id: int, name: str) -> None:\n"
            '    """Rename a user."""\n'
            "    session.execute(\n"
            "        text(f\"UPDATE users SET name = '{name}' WHERE id = {user_id}\")\n"
            "    )\n",
            line=8,
            fixed="from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def rename_user(session: Session, user_id: int, name: str) -> None:\n"
            '    """Rename a user."""\n'
            "    session.execute(\n"
            '        text("UPDATE users SET name = :name WHERE id = :user_id"), '
            '{"name": name, "user_id": user_id}\n'
            "    )\n",
        ),
    )
    good = (
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            "\n"
            "def find_user_ids(session: Session, email: str) -> list:\n"
            '    """Return the ids of the users with this email."""\n'
            "    rows = session.execute(\n"
            '        text("SELECT id FROM users WHERE email = :email"), {"email": email}\n'
            "    )\n"
            "    return list(rows)\n"
        ),
        Example(
            "from sqlalchemy import text\n"
            "from sqlalchemy.orm import Session\n"
            "\n"
            'SORTABLE = {"email": "email", "newest": "created_at DESC"}\n'
            "\n"
            "\n"
            "def list_emails(session: Session, sort: str) -> list:\n"
            '    """List the emails in an order chosen from a fixed set."""\n'
            "    order = SORTABLE[sort]\n"
            '    rows = session.execute(text(f"SELECT email FROM users ORDER BY {order}"))\n'
            "    return list(rows)\n"
        ),
    )

    def setup(self) -> None:
        """Start outside any function, with nothing reported."""
        self._functions: list[_Scope] = []
        self._statement_scope: tuple[int, _Scope] | None = None
        self._reported: set[int] = set()

    # ----------------------------------------------------------------- scopes

    def _scope(self) -> _Scope:
        if self._functions:
            return self._functions[-1]
        index = self.context.current_statement
        # Outside functions, bindings live for one top-level statement only: findings
        # must not depend on other statements (the language server re-checks statements
        # one by one).
        if self._statement_scope is None or self._statement_scope[0] != index:
            self._statement_scope = (index, _Scope())
        return self._statement_scope[1]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Open a binding scope for the function body."""
        self._functions.append(_Scope())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        """Close the function's binding scope."""
        if self._functions:
            self._functions.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        """Remember what simple names are assigned."""
        scope = self._scope()
        for target in node.targets:
            _bind(scope, target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Remember annotated assignments of simple names."""
        if node.value is not None:
            _bind(self._scope(), node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """Track ``sql += ...``: the added text becomes part of the variable."""
        if not isinstance(node.target, cst.Name):
            return
        scope = self._scope()
        name = node.target.value
        scope.safe.discard(name)
        if isinstance(node.operator, cst.AddAssign):
            scope.bindings.setdefault(name, []).append(node.value)
        else:
            scope.bindings.pop(name, None)

    def visit_For(self, node: cst.For) -> None:
        """A loop variable over a literal collection is an allow-listed value."""
        if isinstance(node.target, cst.Name):
            scope = self._scope()
            name = node.target.value
            scope.bindings.pop(name, None)
            if _is_literal_collection(node.iter) or _is_constant_name(node.iter):
                scope.safe.add(name)
            else:
                scope.safe.discard(name)

    def visit_If(self, node: cst.If) -> None:
        """``if col not in ALLOWED: raise`` makes ``col`` an allow-listed value."""
        name = _membership_subject(node.test, cst.NotIn)
        if name is not None and _leaves_block(node.body):
            self._scope().safe.add(name)

    def visit_Assert(self, node: cst.Assert) -> None:
        """``assert col in ALLOWED`` makes ``col`` an allow-listed value."""
        name = _membership_subject(node.test, cst.In)
        if name is not None:
            self._scope().safe.add(name)

    # ----------------------------------------------------------------- sinks

    def visit_Call(self, node: cst.Call) -> None:
        """Check the SQL argument of ``execute()``/``text()``/``read_sql()`` calls."""
        if _format_build(node):
            self._check_built(node)
        self._track_mutation(node)
        sink = sink_of(node, self.context)
        if sink is None:
            return
        arg = sql_argument(node)
        if arg is None:
            return
        value = arg.value
        if isinstance(value, cst.Name):
            self._check_variable(node, value, sink)
            return
        template = template_of(value)
        if template is None or template.kind == "literal" or not template.holes:
            return
        self._reported.add(id(value))
        if sink == "generic" and not _reads_as_sql(template.text):
            return
        unsafe = self._unsafe_holes(template)
        if unsafe:
            fix = self._text_fix(node, value, template)
            self.report(value, self._message(template, unsafe), fix=fix)

    def _track_mutation(self, node: cst.Call) -> None:
        """``clauses.append("a = :a")``: what is added becomes part of the list's value."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return
        if func.attr.value not in _MUTATORS or not node.args:
            return
        parts = self._scope().bindings.get(func.value.value)
        if parts is not None:
            parts.append(node.args[-1].value)

    def _check_variable(self, call: cst.Call, name: cst.Name, sink: str) -> None:
        scope = self._scope()
        parts = scope.bindings.get(name.value)
        if not parts:
            return
        for part in parts:
            template = template_of(part)
            if template is None or template.kind == "literal" or id(part) in self._reported:
                continue
            if sink == "generic" and not _reads_as_sql(template.text):
                continue
            unsafe = self._unsafe_holes(template)
            if unsafe:
                self._reported.add(id(part))
                sink_name = _call_label(call)
                message = (
                    f"SQL built with {_KIND_WORDS[template.kind]} from "
                    f"{_names(unsafe)} reaches `{sink_name}()` through `{name.value}`: "
                    f"{_advice(template.text, short=True)}"
                )
                self.report(name, message, related=[Related(part, "the SQL is built here")])
                return

    # ----------------------------------------------------------------- standalone builds

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Check an f-string that builds SQL outside any sink call."""
        parent = self.context.parent
        if not isinstance(parent, cst.ConcatenatedString) and not _in_add_chain(parent):
            self._check_built(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """Check an implicitly concatenated f-string that builds SQL."""
        parent = self.context.parent
        if not isinstance(parent, cst.ConcatenatedString) and not _in_add_chain(parent):
            self._check_built(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        """Check ``"..." + value`` and ``"..." % value`` that build SQL."""
        if isinstance(node.operator, cst.Modulo) or (
            isinstance(node.operator, cst.Add) and not _in_add_chain(self.context.parent)
        ):
            self._check_built(node)

    def _check_built(self, node: cst.BaseExpression) -> None:
        if id(node) in self._reported or in_output_context(self.context):
            return
        if at_sql_sink(self.context, ("strong", "database", "generic")) is not None:
            return  # the sink call already judged it
        template = template_of(node)
        if template is None or template.kind == "literal" or not template.holes:
            return
        if not _reads_as_sql(template.text):
            return
        positions = value_holes(sql_tokens(template.text))
        unsafe = [
            template.holes[i]
            for i in sorted(positions)
            if i < len(template.holes) and not self._safe(template.holes[i], 0)
        ]
        if unsafe:
            self._reported.add(id(node))
            self.report(node, self._message(template, unsafe))

    # ----------------------------------------------------------------- safety

    def _unsafe_holes(self, template: Template) -> list[cst.BaseExpression | None]:
        return [hole for hole in template.holes if not self._safe(hole, 0)]

    def _safe(self, node: cst.BaseExpression | None, depth: int) -> bool:
        """Tell whether an interpolated expression cannot carry SQL syntax."""
        if node is None or depth > _MAX_DEPTH:
            return False
        if isinstance(node, _LITERALS):
            return True
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self._safe_name(node, depth)
        if isinstance(node, (cst.FormattedString, cst.ConcatenatedString, cst.BinaryOperation)):
            return self._safe_built(node, depth)
        if isinstance(node, cst.Call):
            return self._safe_call(node, depth)
        if isinstance(node, cst.Subscript):
            return _is_allow_list(node.value, self._scope())
        if isinstance(node, cst.IfExp):
            return self._safe(node.body, depth + 1) and self._safe(node.orelse, depth + 1)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return all(
                isinstance(e, cst.Element) and self._safe(e.value, depth + 1) for e in node.elements
            )
        return False

    def _safe_built(self, node: cst.BaseExpression, depth: int) -> bool:
        template = template_of(node)
        if template is not None:
            return all(self._safe(hole, depth + 1) for hole in template.holes)
        return isinstance(node, cst.BinaryOperation) and self._safe_arithmetic(node, depth)

    def _safe_name(self, node: cst.Name | cst.Attribute, depth: int) -> bool:
        if _is_constant_name(node):
            return True
        if isinstance(node, cst.Attribute):
            return self._enum_field(node)
        if node.value in ("True", "False", "None"):
            return True
        scope = self._scope()
        if node.value in scope.safe:
            return True
        parts = scope.bindings.get(node.value)
        if parts is None and self._functions:
            # A module constant (`timeout: Final = 30`, `table = "users"`): bound once to
            # a literal at the top level and not rebound in this function.
            return _is_literal_value(self.context.facts.values.get(node.value))
        return bool(parts) and all(self._safe(part, depth + 1) for part in parts)

    def _enum_field(self, node: cst.Attribute) -> bool:
        """``self.value`` / ``self.name`` inside an ``Enum``: one of the members' values."""
        receiver = node.value
        return (
            isinstance(receiver, cst.Name)
            and receiver.value == "self"
            and node.attr.value in _MEMBER_FIELDS
            and _enum_class(self.context.ancestors)
        )

    def _safe_call(self, node: cst.Call, depth: int) -> bool:
        func = node.func
        if isinstance(func, cst.Name) and func.value in _SAFE_CALLS:
            return True
        name = dotted_name(func)
        if name is not None and name.rsplit(".", 1)[-1] in _QUOTERS:
            return True
        if isinstance(func, cst.Name) and func.value == "str" and len(node.args) == 1:
            return self._safe(node.args[0].value, depth + 1)
        if isinstance(func, cst.Attribute) and func.attr.value == "join" and len(node.args) == 1:
            return template_of(func.value) is not None and self._safe_items(
                node.args[0].value, depth
            )
        return False

    def _safe_items(self, node: cst.BaseExpression, depth: int) -> bool:
        """Tell whether an iterable joined into SQL holds only safe items."""
        if not isinstance(node, (cst.GeneratorExp, cst.ListComp)):
            return self._safe(node, depth + 1)
        # `f":id{i}" for i in range(n)`: counters over range() are numbers.
        scope = self._scope()
        counters = _range_targets(node.for_in) - scope.safe
        scope.safe |= counters
        try:
            return self._safe(node.elt, depth + 1)
        finally:
            scope.safe -= counters

    def _safe_arithmetic(self, node: cst.BinaryOperation, depth: int) -> bool:
        # `["%s"] * len(ids)` or `"?, " * n`: repeated literals.
        if isinstance(node.operator, cst.Multiply):
            return self._safe(node.left, depth + 1) or self._safe(node.right, depth + 1)
        return self._safe(node.left, depth + 1) and self._safe(node.right, depth + 1)

    # ----------------------------------------------------------------- reporting

    def _message(self, template: Template, unsafe: list[cst.BaseExpression | None]) -> str:
        built = f"SQL built with {_KIND_WORDS[template.kind]} from {_names(unsafe)}"
        return f"{built}: {_advice(template.text)}"

    def _text_fix(
        self, call: cst.Call, value: cst.BaseExpression, template: Template
    ) -> FixSpec | None:
        """Build the ``text()`` + params fix, or None when it would not be faithful."""
        if not isinstance(value, cst.FormattedString) or sink_of(call, self.context) != "strong":
            return None
        if _unbindable(template.text):
            return None  # `SET x = :x` fails at run time: there is no faithful rewrite
        ancestors = self.context.ancestors
        outer = ancestors[-2] if len(ancestors) >= 2 else None
        if not (isinstance(ancestors[-1], cst.Arg) and isinstance(outer, cst.Call)):
            return None
        func = outer.func
        if not (isinstance(func, cst.Attribute) and func.attr.value in _PARAM_TAKERS):
            return None
        if len(outer.args) != 1 or outer.args[0].value is not call or len(call.args) != 1:
            return None
        rewritten = _rewrite_fstring(value, template)
        if rewritten is None:
            return None
        new_string, params = rewritten
        return self.fix(
            "Use bound parameters",
            Replace(value, new_string),
            InsertAfter(call, f", {params}"),
        )


# --------------------------------------------------------------------------- helpers


def _bind(scope: _Scope, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
    if isinstance(target, cst.Name):
        scope.bindings[target.value] = [value]
        scope.safe.discard(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            if isinstance(element.value, cst.Name):
                scope.bindings.pop(element.value.value, None)
                scope.safe.discard(element.value.value)


def _range_targets(comprehension: cst.BaseCompFor | None) -> set[str]:
    names: set[str] = set()
    while comprehension is not None:
        iterator = comprehension.iter
        if (
            isinstance(comprehension.target, cst.Name)
            and isinstance(iterator, cst.Call)
            and dotted_name(iterator.func) == "range"
        ):
            names.add(comprehension.target.value)
        comprehension = comprehension.inner_for_in
    return names


def _format_build(node: cst.Call) -> bool:
    func = node.func
    return isinstance(func, cst.Attribute) and func.attr.value == "format"


def _in_add_chain(parent: cst.CSTNode | None) -> bool:
    return isinstance(parent, cst.BinaryOperation) and isinstance(
        parent.operator, (cst.Add, cst.Modulo)
    )


def _is_constant_name(node: cst.BaseExpression) -> bool:
    """UPPER_CASE names and attributes, enum members' values and ORM table names."""
    name = dotted_name(node)
    if name is None:
        return False
    parts = name.split(".")
    if parts[-1] == "__tablename__" or ".__table__." in f".{name}.":
        return True
    if len(parts) > 2 and parts[-1] in _MEMBER_FIELDS:
        parts.pop()  # `Status.DRAFT.value`: the value of an enum member is a constant
    return _is_upper(parts[-1])


def _is_upper(name: str) -> bool:
    letters = name.strip("_")
    return bool(letters) and letters.isupper()


def _is_literal_value(node: cst.BaseExpression | None) -> bool:
    """A literal, or a literal collection: what a module constant is bound to."""
    if node is None:
        return False
    if isinstance(node, (*_LITERALS, cst.ConcatenatedString)):
        return True
    return _is_literal_collection(node)


def _enum_class(ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether the innermost enclosing class derives from an ``Enum``."""
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, cst.ClassDef):
            bases = (dotted_name(base.value) or "" for base in ancestor.bases)
            return any(base.rsplit(".", 1)[-1].endswith(_ENUM_BASES) for base in bases)
    return False


def _reads_as_sql(text: str) -> bool:
    """SQL text, and more than one bare word around the holes.

    ``"exec " + command`` is a shell line as much as T-SQL's ``EXEC``: one keyword and a
    hole say nothing, so only a real SQL sink (``text()``, ``cursor.execute``) decides.
    """
    words = text.replace(HOLE, " ").split()
    return len(words) > 1 and looks_like_sql(text)


def _advice(text: str, short: bool = False) -> str:
    """What to do instead: bound parameters, or for SET/PRAGMA what can replace them."""
    verb = _unbindable(text)
    if verb == "NOTIFY":
        return (
            "`NOTIFY` takes no bound parameters: send the payload with "
            "`SELECT pg_notify('channel', :payload)`"
        )
    if verb in _DDL:
        return (
            f"`{verb}` takes no bound parameters: take the names from an allow-list or quote "
            "them with the dialect's `quote()`/`quote_ident()`"
        )
    if verb == "PRAGMA":
        return (
            "`PRAGMA` takes no bound parameters: check the value against an allow-list, or "
            "call the table-valued `pragma_...(?)` function with a bound argument"
        )
    if verb is not None:
        return (
            f"`{verb}` takes no bound parameters: bind the value through "
            f"`{_set_config(text)}` (PostgreSQL), or check it against an allow-list"
        )
    if short:
        return "pass the values as bound parameters"
    return "pass the values as bound parameters (`:name` with `text()`, `%s` with a params tuple)"


def _set_config(text: str) -> str:
    """The ``set_config(...)`` call that sets what a ``SET`` statement sets."""
    match = _SET_TARGET.match(text)
    if match is None:
        return _SET_CONFIG.replace("<name>", "name").replace("<local>", "false")
    scope, name = match.group(1), match.group(2)
    setting = "TimeZone" if name.upper().split() == ["TIME", "ZONE"] else name
    local = "true" if scope and scope.strip().upper() == "LOCAL" else "false"
    # A message, not a query: filled by replace() so that it reads as the advice it is.
    return _SET_CONFIG.replace("<name>", setting).replace("<local>", local)


def _unbindable(text: str) -> str | None:
    """Return the statement's verb when it cannot take bound parameters (SET, DDL...)."""
    match = _UNBINDABLE.match(text)
    return match.group(1).upper() if match else None


def _is_literal_collection(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(
            isinstance(e, cst.Element) and isinstance(e.value, _LITERALS) for e in node.elements
        )
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.DictElement) and isinstance(e.value, _LITERALS) for e in node.elements
        )
    return False


def _is_allow_list(node: cst.BaseExpression, scope: _Scope) -> bool:
    """A literal dict/tuple, an UPPER_CASE mapping, or a name bound to a literal one."""
    if _is_literal_collection(node) or _is_constant_name(node):
        return True
    if isinstance(node, cst.Name):
        parts = scope.bindings.get(node.value)
        return bool(parts) and len(parts) == 1 and _is_literal_collection(parts[0])
    return False


def _membership_subject(test: cst.BaseExpression, operator: type) -> str | None:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    if not isinstance(test.comparisons[0].operator, operator):
        return None
    return test.left.value if isinstance(test.left, cst.Name) else None


def _leaves_block(body: cst.BaseSuite) -> bool:
    statements = body.body
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, (cst.Raise, cst.Return, cst.Continue)) for s in last.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return any(isinstance(s, (cst.Raise, cst.Return, cst.Continue)) for s in statements)
    return False


def _names(holes: list[cst.BaseExpression | None]) -> str:
    shown: list[str] = []
    for hole in holes:
        code = dotted_name(hole) if hole is not None else None
        label = f"`{code}`" if code else "a value"
        if label not in shown:
            shown.append(label)
    return ", ".join(shown[:3]) + (" …" if len(shown) > 3 else "")


def _call_label(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return dotted_name(func) or "execute"


def _param_name(expression: cst.BaseExpression) -> str | None:
    if isinstance(expression, cst.Name):
        return expression.value
    if isinstance(expression, cst.Attribute) and dotted_name(expression) is not None:
        return expression.attr.value
    return None


class _Rewriter:
    """Rewrites an f-string's parts into SQL text with ``:name`` parameters."""

    def __init__(self, shapes: dict[int, str]) -> None:
        self.shapes = shapes
        self.params: dict[str, str] = {}
        self.pieces: list[str] = []
        self.index = 0
        self.strip_next = False  # the closing quote of a quoted hole comes next

    def text(self, part: cst.FormattedStringText) -> bool:
        """Copy literal text (no longer an f-string: ``{{`` becomes ``{``)."""
        text = part.value.replace("{{", "{").replace("}}", "}")
        if self.strip_next:
            if not text.startswith("'"):
                return False
            text, self.strip_next = text[1:], False
        self.pieces.append(text)
        return True

    def hole(self, part: cst.FormattedStringExpression) -> bool:
        """Turn one interpolation into ``:name``, dropping the quotes around it."""
        shape = self.shapes.get(self.index)
        name = _param_name(part.expression)
        simple = part.format_spec is None and part.conversion is None and part.equal is None
        if shape not in ("quoted", "bare") or name is None or not simple:
            return False
        if shape == "quoted":
            before = self.pieces[-1] if self.pieces else ""
            if not before.endswith("'") or before.endswith("\\'"):
                return False
            self.pieces[-1] = before[:-1]
            self.strip_next = True
        code = cst.Module([]).code_for_node(part.expression)
        name = _unique(name, code, self.params)
        self.params[name] = code
        self.pieces.append(f":{name}")
        self.index += 1
        return True


def _rewrite_fstring(node: cst.FormattedString, template: Template) -> tuple[str, str] | None:
    """Turn ``f"... '{x}' ..."`` into ``"... :x ..."`` and the params dict text."""
    rewriter = _Rewriter(value_holes(sql_tokens(template.text)))
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            done = rewriter.text(part)
        else:
            done = rewriter.hole(part)
        if not done:
            return None
    if rewriter.strip_next or not rewriter.params:
        return None
    prefix = node.start[: -len(node.end)].replace("f", "").replace("F", "")
    new_string = f"{prefix}{node.end}{''.join(rewriter.pieces)}{node.end}"
    entries = ", ".join(f'"{key}": {code}' for key, code in rewriter.params.items())
    return new_string, "{" + entries + "}"


def _unique(name: str, code: str, params: dict[str, str]) -> str:
    candidate, number = name, 2
    while candidate in params and params[candidate] != code:
        candidate = f"{name}_{number}"
        number += 1
    return candidate

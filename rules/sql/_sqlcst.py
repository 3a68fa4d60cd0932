"""SQL inside Python strings: reading libcst string nodes, and where a string is SQL.

The libcst layer over :mod:`precepts.rules.sql._sqltext`. A string-building expression
(a literal, an f-string, implicit concatenation, ``+``, ``%``, ``.format()``) is read as
a :class:`Template`: its text, with :data:`~precepts.rules.sql._sqltext.HOLE` where a
value is interpolated, and the interpolated expressions. The calls that take SQL
(sinks: ``text()``, ``execute()`` on a session, connection or cursor, ``read_sql()``…)
are told apart from text for humans (logs, messages, help).

Strings that reach an SQL sink are SQL whatever they look like; :func:`sql_text`
combines that with :func:`~precepts.rules.sql._sqltext.looks_like_sql` for rules that
scan every string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Position, Range
from precepts.rules.sql._sqltext import _QUICK, HOLE, looks_like_sql

if TYPE_CHECKING:
    from precepts.context import RuleContext

# --------------------------------------------------------------------------- strings


@dataclass(frozen=True)
class Template:
    """A string expression read as text with holes.

    Attributes:
        text: The string's value, with :data:`HOLE` where a value is interpolated.
        holes: The interpolated expressions in text order (None when the expression
            cannot be matched to its hole, e.g. ``"%s %s" % args``).
        kind: ``literal``, ``f-string``, ``%``, ``+`` or ``.format()``.
    """

    text: str
    holes: tuple[cst.BaseExpression | None, ...]
    kind: str


_ESCAPE = re.compile(
    r"\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)", re.S
)
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"',
    "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\n": "",
}  # fmt: skip


def _escape(match: re.Match[str]) -> str:
    body = match.group(1)
    simple = _SIMPLE_ESCAPES.get(body)
    if simple is not None:
        return simple
    head = body[0]
    if head in "xuU":
        return chr(int(body[1:], 16))
    if head == "N":
        try:
            return unicodedata.lookup(body[2:-1])
        except KeyError:
            return match.group(0)
    if head.isdigit() and head in "01234567":
        return chr(int(body, 8))
    return match.group(0)  # Python keeps unknown escapes as written


def _unescape(raw: str, prefix: str) -> str:
    if "r" in prefix.lower() or "\\" not in raw:
        return raw
    return _ESCAPE.sub(_escape, raw)


def _simple_value(node: cst.SimpleString) -> str | None:
    prefix = node.prefix
    if "b" in prefix.lower():
        return None
    return _unescape(node.raw_value, prefix)


def _fstring_template(node: cst.FormattedString) -> Template:
    pieces: list[str] = []
    holes: list[cst.BaseExpression | None] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text = part.value.replace("{{", "{").replace("}}", "}")
            pieces.append(_unescape(text, node.prefix))
        else:
            pieces.append(HOLE)
            holes.append(part.expression)
    return Template("".join(pieces), tuple(holes), "f-string")


def _concat_template(node: cst.ConcatenatedString) -> Template | None:
    left = template_of(node.left)
    right = template_of(node.right)
    if left is None or right is None:
        return None
    kind = "f-string" if "f-string" in (left.kind, right.kind) else "literal"
    return Template(left.text + right.text, left.holes + right.holes, kind)


def string_value(node: cst.CSTNode) -> str | None:
    """Return the text of a string literal node; f-string expressions become :data:`HOLE`.

    Handles ``SimpleString`` (any prefix, triple quotes, escapes), ``FormattedString``
    and ``ConcatenatedString``. Bytes literals give None.

    Args:
        node: Any node.

    Returns:
        The text, or None when the node is not a (text) string literal.
    """
    if isinstance(node, cst.SimpleString):
        return _simple_value(node)
    if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
        template = template_of(node)
        return template.text if template is not None else None
    return None


def _flatten_add(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    # `+` on strings is associative, so parentheses do not matter here.
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_flatten_add(node.left), *_flatten_add(node.right)]
    return [node]


def _add_template(node: cst.BinaryOperation) -> Template | None:
    pieces: list[str] = []
    holes: list[cst.BaseExpression | None] = []
    has_string = False
    for operand in _flatten_add(node):
        part = template_of(operand)
        if part is None:
            pieces.append(HOLE)
            holes.append(operand)
            continue
        has_string = True
        pieces.append(part.text)
        holes.extend(part.holes)
    if not has_string:
        return None
    return Template("".join(pieces), tuple(holes), "+")


class _Filler:
    """Pairs placeholders with the expressions that fill them, in text order."""

    def __init__(
        self,
        positional: Sequence[cst.BaseExpression],
        named: dict[str, cst.BaseExpression],
    ) -> None:
        self.positional = positional
        self.named = named
        self.holes: list[cst.BaseExpression | None] = []
        self.auto = 0

    def take(self, field: str | None) -> str:
        """Record the expression for one placeholder and return a hole for it."""
        if not field:
            value = self._at(self.auto)
            self.auto += 1
        elif field.isdigit():
            value = self._at(int(field))
        else:
            value = self.named.get(field)
        self.holes.append(value)
        return HOLE

    def _at(self, index: int) -> cst.BaseExpression | None:
        return self.positional[index] if index < len(self.positional) else None


_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*\d*(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])"
)


def _percent_values(
    right: cst.BaseExpression,
) -> tuple[list[cst.BaseExpression], dict[str, cst.BaseExpression]]:
    if isinstance(right, cst.Tuple):
        return [element.value for element in right.elements], {}
    if isinstance(right, cst.Dict):
        named = {}
        for element in right.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is not None:
                named[key] = element.value
        return [], named
    return [right], {}


def _percent_template(node: cst.BinaryOperation) -> Template | None:
    left = template_of(node.left)
    if left is None or left.holes:
        return None
    filler = _Filler(*_percent_values(node.right))

    def replace(match: re.Match[str]) -> str:
        if match.group("conv") == "%":
            return "%"
        return filler.take(match.group("name"))

    text = _PERCENT.sub(replace, left.text)
    holes = filler.holes
    if not holes:
        return None
    if not isinstance(node.right, (cst.Tuple, cst.Dict)) and len(holes) > 1:
        holes = [None] * len(holes)  # `"%s %s" % args`: cannot pair them
    return Template(text, tuple(holes), "%")


_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}")


def _format_template(node: cst.Call) -> Template | None:
    func = node.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "format":
        return None
    base = template_of(func.value)
    if base is None or base.kind != "literal":
        return None
    positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
    named = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
    filler = _Filler(positional, named)

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        return filler.take(re.split(r"[.\[]", match.group(1), maxsplit=1)[0])

    text = _FORMAT_FIELD.sub(replace, base.text)
    return Template(text, tuple(filler.holes), ".format()") if filler.holes else None


def template_of(node: cst.BaseExpression) -> Template | None:
    """Read a string-building expression as a :class:`Template`.

    Recognises string literals, f-strings, implicit concatenation, ``+`` chains that
    contain a string literal, ``"..." % values`` and ``"...".format(...)``.

    Args:
        node: An expression.

    Returns:
        The template, or None when the expression does not build a string visibly.
    """
    if isinstance(node, cst.SimpleString):
        value = _simple_value(node)
        return Template(value, (), "literal") if value is not None else None
    if isinstance(node, cst.FormattedString):
        return _fstring_template(node)
    if isinstance(node, cst.ConcatenatedString):
        return _concat_template(node)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Add):
            return _add_template(node)
        if isinstance(node.operator, cst.Modulo):
            return _percent_template(node)
        return None
    if isinstance(node, cst.Call):
        return _format_template(node)
    return None


def string_range(
    context: RuleContext, node: cst.BaseExpression, start: int, end: int
) -> cst.BaseExpression | Range:
    """Return the range of ``value[start:end]`` inside a string node, or the node itself.

    Only a ``SimpleString`` without backslashes has a value that is a plain slice of its
    source; for other strings the finding covers the whole node.

    Args:
        context: The rule context.
        node: The string node.
        start: Start offset in the string's value.
        end: End offset in the string's value.

    Returns:
        A range inside the string, or the node.
    """
    if not isinstance(node, cst.SimpleString) or "\\" in node.value:
        return node
    shift = len(node.prefix) + len(node.quote)
    origin = context.range_of(node).start
    source = node.value
    return Range(_shift(origin, source, start + shift), _shift(origin, source, end + shift))


def _shift(origin: Position, source: str, offset: int) -> Position:
    lines = source.count("\n", 0, offset)
    if not lines:
        return Position(origin.line, origin.column + offset)
    return Position(origin.line + lines, offset - source.rfind("\n", 0, offset) - 1)


# --------------------------------------------------------------------------- context

# Calls whose SQL argument is SQL whatever it looks like.
STRONG_SINKS = frozenset({"text", "exec_driver_sql", "read_sql", "read_sql_query", "executescript"})
# Methods that take SQL on database objects but share their name with other APIs.
GENERIC_SINKS = frozenset(
    {
        "execute", "executemany", "mogrify",  # DB-API, SQLAlchemy
        "fetch", "fetchrow", "fetchval",  # asyncpg
        "fetch_all", "fetch_one", "fetch_val", "execute_many",  # databases
    }
)  # fmt: skip
_SQL_KEYWORDS = ("sql", "statement", "query", "operation", "text", "stmt")
_DB_RECEIVERS = ("session", "db", "conn", "connection", "cursor", "cur", "engine", "op",
                 "bind", "tx", "transaction", "database", "pool", "client")  # fmt: skip
# Calls that return a database object (``engine.connect().execute(...)``).
_DB_FACTORIES = frozenset(
    {"get_bind", "connect", "cursor", "begin", "raw_connection", "execution_options", "acquire"}
)
_OUTPUT_CALLS = frozenset(
    {
        "print", "debug", "info", "warning", "warn", "error", "exception", "critical",
        "log", "echo", "secho", "write", "fail", "skip", "xfail",
    }
)  # fmt: skip
_TEXT_KEYWORDS = frozenset(
    {
        "help", "description", "summary", "title", "detail", "message", "msg", "doc",
        "example", "examples", "label", "placeholder", "hint", "text_", "reason",
    }
)  # fmt: skip


def _text_sink(call: cst.Call, context: RuleContext) -> str | None:
    """Classify a ``text(...)`` call: SQLAlchemy's, maybe SQLAlchemy's, or another one."""
    qualified = context.facts.qualify(call.func)
    if qualified is None:
        return None
    if qualified.startswith("sqlalchemy") and qualified.endswith(".text"):
        return "strong"
    if qualified == "text":
        # Not imported (a snippet) and not defined here: SQL only if it looks like SQL.
        return None if "text" in context.facts.functions else "generic"
    owner = qualified.rsplit(".", 2)[-2] if qualified.count(".") else ""
    return "strong" if owner in ("sa", "db") else None  # `sa.text`, Flask-SQLAlchemy `db.text`


def _receiver_is_database(func: cst.Attribute) -> bool:
    receiver = func.value
    if isinstance(receiver, cst.Await):
        receiver = receiver.expression
    if isinstance(receiver, cst.Call):
        # session.get_bind().execute(...), engine.connect(), conn(): the call names a
        # database object; env.prepare(...).execute(command) runs something else.
        called = dotted_name(receiver.func)
        if called is None:
            return True
        return _last_word(called) in _DB_FACTORIES or _names_database(called)
    name = dotted_name(receiver)
    return name is not None and _names_database(name)


def _last_word(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower().lstrip("_")


def _names_database(name: str) -> bool:
    last = _last_word(name)
    return last in _DB_RECEIVERS or last.endswith(_DB_RECEIVERS)


def _function_sink(func: cst.Name, call: cst.Call, context: RuleContext) -> str | None:
    if func.value == "text":
        return _text_sink(call, context)
    return "strong" if func.value in ("read_sql", "read_sql_query") else None


def sink_of(call: cst.Call, context: RuleContext) -> str | None:
    """Classify a call that takes SQL.

    Args:
        call: A call.
        context: The rule context (for imports).

    Returns:
        ``strong`` for SQLAlchemy's ``text()``, ``exec_driver_sql()``, ``read_sql()`` and
        friends; ``database`` for ``execute()``-like methods on a receiver that looks like
        a session, connection or cursor; ``generic`` for other ``execute()`` calls and an
        unimported ``text()``; None when the call does not take SQL.
    """
    func = call.func
    if isinstance(func, cst.Name):
        return _function_sink(func, call, context)
    if not isinstance(func, cst.Attribute):
        return None
    attr = func.attr.value
    if attr == "text":
        return _text_sink(call, context)
    if attr in STRONG_SINKS:
        return "strong"
    if attr in GENERIC_SINKS:
        return "database" if _receiver_is_database(func) else "generic"
    return None


def sql_argument(call: cst.Call) -> cst.Arg | None:
    """Return the argument of an SQL sink call that holds the SQL.

    Args:
        call: A sink call.

    Returns:
        The first positional argument, or a ``sql=``/``statement=``/``query=`` keyword.
    """
    for arg in call.args:
        if arg.keyword is None:
            return None if arg.star else arg
        if arg.keyword.value in _SQL_KEYWORDS:
            return arg
    return None


def at_sql_sink(
    context: RuleContext, strength: tuple[str, ...] = ("strong", "database")
) -> cst.Call | None:
    """Return the sink call when the node being visited is the SQL argument of one.

    Args:
        context: The rule context, positioned on the node (its parent is an ``Arg``).
        strength: Which sink classes count (see :func:`sink_of`).

    Returns:
        The sink call, or None.
    """
    ancestors = context.ancestors
    if len(ancestors) < 2:
        return None
    arg, call = ancestors[-1], ancestors[-2]
    if not isinstance(arg, cst.Arg) or not isinstance(call, cst.Call):
        return None
    if sql_argument(call) is not arg:
        return None
    return call if sink_of(call, context) in strength else None


def in_output_context(context: RuleContext) -> bool:
    """Tell whether the node being visited is text for humans (a log line, a message).

    True for an argument of ``print``/logging/``warn``/``echo`` calls, of an exception
    constructor (a name ending in ``Error``/``Exception``/``Warning``), and for keyword
    arguments such as ``help=``, ``description=``, ``detail=``.

    Args:
        context: The rule context, positioned on the node.

    Returns:
        True for output text.
    """
    ancestors = context.ancestors
    if len(ancestors) < 2 or not isinstance(ancestors[-1], cst.Arg):
        return False
    arg, call = ancestors[-1], ancestors[-2]
    if arg.keyword is not None and arg.keyword.value in _TEXT_KEYWORDS:  # type: ignore[attr-defined]
        return True
    if not isinstance(call, cst.Call):
        return False
    name = dotted_name(call.func)
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1]
    return last in _OUTPUT_CALLS or last.endswith(("Error", "Exception", "Warning"))


def is_outermost_string(context: RuleContext) -> bool:
    """Tell whether the string being visited is not part of a larger string or statement.

    Parts of an implicit concatenation are read through the whole concatenation, and
    bare string statements (docstrings, commented-out SQL) are documentation.

    Args:
        context: The rule context, positioned on a string node.

    Returns:
        True when the string should be analysed on its own.
    """
    parent = context.parent
    return not isinstance(parent, (cst.ConcatenatedString, cst.Expr, cst.FormattedString))


def sql_text(node: cst.BaseExpression, context: RuleContext) -> str | None:
    """Return a string node's text when it is SQL, else None.

    A string is SQL when it is the SQL argument of a sink (``text()``, ``execute()`` on a
    session/connection/cursor, ``read_sql()`` …), or when it is not output text (logs,
    messages, help) and :func:`looks_like_sql` says so. Docstrings and parts of a larger
    string are never analysed on their own.

    Args:
        node: A ``SimpleString``, ``FormattedString`` or ``ConcatenatedString`` being visited.
        context: The rule context.

    Returns:
        The SQL text (f-string expressions as holes), or None.
    """
    if not is_outermost_string(context):
        return None
    value = string_value(node)
    if value is None:
        return None
    if at_sql_sink(context) is not None:
        return value
    if not _QUICK.match(value) or in_output_context(context):
        return None
    return value if looks_like_sql(value) else None

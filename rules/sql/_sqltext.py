"""SQL inside Python strings: reading string nodes, tokenizing SQL, telling SQL from prose.

Shared by the rules that look at SQL text (BP501 injection, BP504 ``SELECT *``, BP505
``CREATE TABLE``, BP203's ``LIKE '%…'``). There is deliberately no SQL parser here: a
real parser (sqlglot was evaluated) costs a few hundred microseconds per statement,
accepts prose such as ``select the files from the list`` as a valid query, and still
needs f-string holes substituted before it can read them. What decides "is this SQL?"
is a different question — *could this be prose?* — and a tokenizer plus a few strict,
statement-shaped checks answers it faster and more predictably:

* the text must *start* with a statement keyword (``SELECT``, ``INSERT INTO``,
  ``UPDATE … SET``, ``DELETE FROM``, ``WITH … AS (``, ``CREATE``/``ALTER``/``DROP``
  of a known object kind, ``TRUNCATE``, ``MERGE INTO``, ``EXPLAIN``), so a sentence
  that only mentions SQL (``"Run SELECT * FROM users to see them"``) is not SQL;
* keywords are written in one case, all upper or all lower: sentence case
  (``"Select * to pick all"``, ``"Delete from cart"``) is prose;
* the clause that follows must have SQL's shape: ``SELECT`` needs a select list
  without runs of three bare words and a ``FROM`` followed by a table and a clause
  keyword, ``UPDATE`` needs ``SET col =``, and so on;
* lower-case text needs at least one non-word token (an operator, a comma, a literal,
  a parameter) because lower-case prose can mimic keywords.

Strings that reach an SQL sink (``text()``, ``execute()``…) are SQL whatever they look
like; :func:`sql_text` combines both tests for rules that scan every string.

The tokenizer keeps SQL string literals and quoted identifiers as single tokens and
drops comments, so keywords inside ``'...'`` or ``-- ...`` are never seen as keywords.
An interpolation (``{x}`` of an f-string, ``%s`` of ``%``-formatting, ``+ x``) is
represented in text by :data:`HOLE` and becomes a ``hole`` token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Position, Range

if TYPE_CHECKING:
    from precepts.context import RuleContext

# A private-use character stands for an interpolated value: it cannot be confused with
# SQL and is one code point, so offsets stay simple.
HOLE = "\ue000"


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


# --------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    """One SQL token.

    Attributes:
        kind: ``word`` (keyword or name), ``ident`` (quoted identifier), ``string``,
            ``number``, ``param`` (``:name``, ``%s``, ``%(name)s``, ``?``, ``$1``),
            ``hole`` or ``op`` (operators and punctuation, including ``( ) , ; .``).
        text: The token as written.
        key: Upper-cased text for words, the text otherwise.
        start: Offset of its first character in the SQL text.
        end: Offset after its last character.
        hole: Index of the first hole in (or at) the token, -1 when there is none.
    """

    kind: str
    text: str
    key: str
    start: int
    end: int
    hole: int


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    |(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>[Ee]'(?:[^'\\]|''|\\.)*(?:'|\Z)
        |(?:[BbXxNn]|[Uu]&)?'(?:[^']|'')*(?:'|\Z)
        |\$\$.*?(?:\$\$|\Z)
        |\$(?P<tag>[A-Za-z_]\w*)\$.*?(?:\$(?P=tag)\$|\Z))
    |(?P<ident>"(?:[^"]|"")*(?:"|\Z)|`[^`]*(?:`|\Z))
    |(?P<cast>::)
    |(?P<param>:[^\W\d]\w*|%\([^)]*\)s|%s|\?|\$\d+)
    |(?P<hole>\ue000)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    |(?P<word>[^\W\d]\w*)
    |(?P<op><>|!=|<=|>=|\|\||->>|->|.)
    """,
    re.S | re.X,
)


@lru_cache(maxsize=1024)
def sql_tokens(text: str) -> tuple[Token, ...]:
    """Tokenize SQL text, skipping whitespace and comments.

    String literals (``'...'``, ``E'...'``, ``$$...$$``) and quoted identifiers stay
    single tokens, so nothing inside them is ever read as a keyword.

    Args:
        text: SQL text (holes allowed).

    Returns:
        The tokens.
    """
    tokens: list[Token] = []
    holes = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            continue
        kind = "op" if kind == "cast" else kind
        value = match.group(0)
        count = value.count(HOLE)
        key = value.upper() if kind == "word" else value
        assert kind is not None
        tokens.append(Token(kind, value, key, match.start(), match.end(), holes if count else -1))
        holes += count
    return tuple(tokens)


def split_statements(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split tokens on top-level ``;``, dropping empty statements.

    Args:
        tokens: Tokens of SQL text.

    Returns:
        One token list per statement.
    """
    return [part for part in split_top_level(tokens, ";") if part]


def split_top_level(tokens: Sequence[Token], separator: str = ",") -> list[list[Token]]:
    """Split tokens on a separator that is not inside parentheses.

    Args:
        tokens: Tokens.
        separator: The separating operator (``,`` or ``;``).

    Returns:
        The parts, possibly empty.
    """
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind == "op":
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth = max(depth - 1, 0)
            elif token.text == separator and depth == 0:
                parts.append([])
                continue
        parts[-1].append(token)
    return parts


def closing_paren(tokens: Sequence[Token], index: int) -> int:
    """Return the index of the ``)`` that closes the ``(`` at ``index``.

    Args:
        tokens: Tokens.
        index: Index of an opening parenthesis.

    Returns:
        The index of its closing parenthesis, or ``len(tokens)`` when it is missing.
    """
    depth = 0
    for position in range(index, len(tokens)):
        token = tokens[position]
        if token.kind != "op":
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth == 0:
                return position
    return len(tokens)


# --------------------------------------------------------------------------- is it SQL?

_QUICK = re.compile(
    r"^\s*(?:(?:--[^\n]*(?:\n|\Z)|/\*.*?\*/)\s*)*(?:\(\s*)*"
    r"(?:select|insert|update|delete|with|create|alter|drop|truncate|merge|explain)\b",
    re.I | re.S,
)

# Words that cannot be a table alias: after a table name they start the next clause.
_CONTINUATIONS = frozenset(
    {
        "WHERE", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL", "GROUP",
        "ORDER", "HAVING", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "FOR",
        "WINDOW", "FETCH", "ON", "USING", "TABLESAMPLE", "RETURNING", "SET", "VALUES",
        "WITH", "AS", "IS", "AND", "OR", "NOT", "IN", "FROM", "SELECT", "INTO", "BY",
    }
)  # fmt: skip
# Keywords inside a select item that do not count towards a run of bare words.
_EXPRESSION_WORDS = frozenset(
    {
        "AS", "CASE", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "NOT", "NULL", "IS",
        "IN", "LIKE", "ILIKE", "BETWEEN", "DISTINCT", "OVER", "FILTER", "TRUE", "FALSE",
        "INTERVAL", "CAST", "COLLATE", "ASC", "DESC", "ALL", "ANY", "SOME", "EXISTS",
    }
)  # fmt: skip
_OBJECT_KINDS = frozenset(
    {
        "TABLE", "INDEX", "VIEW", "SEQUENCE", "SCHEMA", "EXTENSION", "TYPE", "FUNCTION",
        "PROCEDURE", "TRIGGER", "DATABASE", "ROLE", "DOMAIN", "POLICY",
    }
)  # fmt: skip
_CREATE_MODIFIERS = ("TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL", "LOCAL", "UNIQUE",
                     "MATERIALIZED", "RECURSIVE")  # fmt: skip
_ALTER_VERBS = frozenset(
    {
        "ADD", "DROP", "ALTER", "RENAME", "SET", "OWNER", "ATTACH", "DETACH", "VALIDATE",
        "ENABLE", "DISABLE", "RESET", "INHERIT", "NO", "CLUSTER", "REPLICA", "FORCE",
    }
)  # fmt: skip
_ARTICLES = frozenset({"A", "AN", "THE", "THIS", "THAT", "MY", "YOUR", "OUR", "ALL", "EVERY"})
_INSERT_BODIES = ("VALUES", "VALUE", "SELECT", "DEFAULT", "OVERRIDING", "WITH", "SET")


def _style(text: str) -> str:
    if text.isupper():
        return "upper"
    if text.islower():
        return "lower"
    return "mixed"


class _Cursor:
    """Walks one statement's tokens; keywords only match in the statement's case style."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.style = _style(tokens[0].text) if tokens else "mixed"

    def peek(self, ahead: int = 0) -> Token | None:
        position = self.index + ahead
        return self.tokens[position] if position < len(self.tokens) else None

    def at_end(self) -> bool:
        return self.index >= len(self.tokens)

    def is_keyword(self, token: Token | None, *keys: str) -> bool:
        return (
            token is not None
            and token.kind == "word"
            and token.key in keys
            and _style(token.text) == self.style
        )

    def accept(self, *keys: str) -> bool:
        if self.is_keyword(self.peek(), *keys):
            self.index += 1
            return True
        return False

    def accept_op(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text == text:
            self.index += 1
            return True
        return False

    def skip_group(self) -> bool:
        """Skip a parenthesised group starting here."""
        token = self.peek()
        if token is None or token.text != "(":
            return False
        self.index = closing_paren(self.tokens, self.index) + 1
        return self.index <= len(self.tokens)

    def name(self) -> bool:
        """Consume a (dotted) object name: words, quoted identifiers or holes."""
        token = self.peek()
        if token is None or token.kind not in ("word", "ident", "hole"):
            return False
        if token.kind == "word" and self.is_keyword(token, *_CONTINUATIONS):
            return False
        self.index += 1
        while self.accept_op("."):
            token = self.peek()
            if token is None or token.kind not in ("word", "ident", "hole"):
                return False
            self.index += 1
        return True

    def table(self) -> bool:
        """Consume a table name; in lower case, an article there means prose (``from a list``)."""
        token = self.peek()
        if self.style == "lower" and token is not None and token.key in _ARTICLES:
            return False
        return self.name()

    def alias(self) -> None:
        """Consume an optional ``[AS] alias``."""
        if self.accept("AS"):
            self.name()
            return
        token = self.peek()
        if token is not None and token.kind in ("word", "ident"):
            if not (token.kind == "word" and token.key in _CONTINUATIONS):
                self.index += 1

    def clause_follows(self) -> bool:
        """Tell whether the statement ends here or continues with a clause keyword."""
        token = self.peek()
        if token is None or (token.kind == "op" and token.text in (")", ",")):
            return True
        return self.is_keyword(token, *_CONTINUATIONS)


def _bare_word_run(item: Sequence[Token]) -> int:
    """Longest run of bare (non-keyword) words at depth 0 in a select item."""
    longest = run = depth = 0
    for token in item:
        if token.kind == "op" and token.text in "()":
            depth += 1 if token.text == "(" else -1
            run = 0
        elif depth == 0 and token.kind == "word" and token.key not in _EXPRESSION_WORDS:
            run += 1
            longest = max(longest, run)
        elif not (token.kind == "word" and token.key in _EXPRESSION_WORDS):
            run = 0
    return longest


def _select_list(cursor: _Cursor) -> list[list[Token]]:
    start = cursor.index
    depth = 0
    while not cursor.at_end():
        token = cursor.tokens[cursor.index]
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and cursor.is_keyword(token, "FROM", "INTO", "UNION", "WHERE"):
            break
        cursor.index += 1
    return split_top_level(cursor.tokens[start : cursor.index])


def _from_clause(cursor: _Cursor) -> bool:
    """After ``FROM``: a table (or subquery), an optional alias, then a clause or the end."""
    cursor.accept("ONLY", "LATERAL")
    if not (cursor.skip_group() or cursor.table()):
        return False
    cursor.skip_group()  # the arguments of a set-returning function
    cursor.alias()
    return cursor.clause_follows()


def _select(cursor: _Cursor) -> bool:
    cursor.accept("SELECT")
    if cursor.accept("DISTINCT"):
        if cursor.accept("ON"):
            cursor.skip_group()
    else:
        cursor.accept("ALL")
    items = _select_list(cursor)
    if not items or any(not item or _bare_word_run(item) > 2 for item in items):
        return False
    if cursor.accept("FROM"):
        return _from_clause(cursor)
    # Without FROM only expressions are possible: `SELECT 1`, `SELECT now()`.
    for item in items:
        if item[0].text == "*" or all(t.kind == "word" for t in item):
            return False
    following = cursor.peek()
    return following is None or following.text == ")"


def _insert(cursor: _Cursor) -> bool:
    cursor.accept("INSERT")
    cursor.accept("IGNORE")
    if not (cursor.accept("INTO") and cursor.table()):
        return False
    if cursor.accept("AS"):
        cursor.name()
    if cursor.skip_group():
        return cursor.at_end() or cursor.accept(*_INSERT_BODIES)
    return cursor.accept(*_INSERT_BODIES)


def _update(cursor: _Cursor) -> bool:
    cursor.accept("UPDATE")
    cursor.accept("ONLY")
    if not cursor.table():
        return False
    cursor.alias()
    if not cursor.accept("SET"):
        return False
    if cursor.skip_group():
        return cursor.accept_op("=")
    return cursor.name() and cursor.accept_op("=")


def _delete(cursor: _Cursor) -> bool:
    cursor.accept("DELETE")
    if not cursor.accept("FROM"):
        return False
    cursor.accept("ONLY")
    if not cursor.table():
        return False
    cursor.alias()
    following = cursor.peek()
    return (
        following is None or following.text == ")" or cursor.accept("WHERE", "USING", "RETURNING")
    )


def _with(cursor: _Cursor) -> bool:
    cursor.accept("WITH")
    cursor.accept("RECURSIVE")
    while True:
        if not cursor.name():
            return False
        cursor.skip_group()  # column names
        if not cursor.accept("AS"):
            return False
        cursor.accept("NOT")
        cursor.accept("MATERIALIZED")
        if not cursor.skip_group():
            return False
        if not cursor.accept_op(","):
            break
    return _statement(cursor, ("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE"))


def _create(cursor: _Cursor) -> bool:
    cursor.accept("CREATE")
    if cursor.accept("OR") and not cursor.accept("REPLACE"):
        return False
    while cursor.accept(*_CREATE_MODIFIERS):
        pass
    kind = cursor.peek()
    if not cursor.accept(*_OBJECT_KINDS):
        return False
    cursor.accept("CONCURRENTLY")
    if cursor.accept("IF") and not (cursor.accept("NOT") and cursor.accept("EXISTS")):
        return False
    assert kind is not None
    if kind.key == "INDEX":
        cursor.name()
        return cursor.accept("ON")
    if not cursor.name():
        return False
    if kind.key == "TABLE":
        return cursor.peek() is not None and (
            cursor.peek().text == "("  # type: ignore[union-attr]
            or cursor.accept("AS", "PARTITION", "LIKE", "OF")
        )
    if kind.key == "VIEW":
        cursor.skip_group()
        return cursor.accept("AS")
    return True


def _alter(cursor: _Cursor) -> bool:
    cursor.accept("ALTER")
    if not cursor.accept(*_OBJECT_KINDS):
        return False
    if cursor.accept("IF") and not cursor.accept("EXISTS"):
        return False
    cursor.accept("ONLY")
    return cursor.name() and cursor.accept(*_ALTER_VERBS)


def _drop(cursor: _Cursor) -> bool:
    cursor.accept("DROP")
    cursor.accept("MATERIALIZED")
    if not cursor.accept(*_OBJECT_KINDS):
        return False
    cursor.accept("CONCURRENTLY")
    if cursor.accept("IF") and not cursor.accept("EXISTS"):
        return False
    if not cursor.name():
        return False
    while cursor.accept_op(","):
        if not cursor.name():
            return False
    cursor.accept("CASCADE", "RESTRICT")
    return cursor.at_end()


def _truncate(cursor: _Cursor) -> bool:
    cursor.accept("TRUNCATE")
    cursor.accept("TABLE")
    cursor.accept("ONLY")
    if not cursor.name():
        return False
    while cursor.accept_op(","):
        if not cursor.name():
            return False
    if cursor.accept("RESTART", "CONTINUE") and not cursor.accept("IDENTITY"):
        return False
    cursor.accept("CASCADE", "RESTRICT")
    return cursor.at_end()


def _merge(cursor: _Cursor) -> bool:
    cursor.accept("MERGE")
    if not (cursor.accept("INTO") and cursor.name()):
        return False
    cursor.alias()
    return cursor.accept("USING")


def _explain(cursor: _Cursor) -> bool:
    cursor.accept("EXPLAIN")
    if not cursor.skip_group():
        cursor.accept("ANALYZE")
        cursor.accept("VERBOSE")
    return _statement(cursor, ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "MERGE"))


_STATEMENTS = {
    "SELECT": _select,
    "INSERT": _insert,
    "UPDATE": _update,
    "DELETE": _delete,
    "WITH": _with,
    "CREATE": _create,
    "ALTER": _alter,
    "DROP": _drop,
    "TRUNCATE": _truncate,
    "MERGE": _merge,
    "EXPLAIN": _explain,
}


def _statement(cursor: _Cursor, allowed: Sequence[str] = tuple(_STATEMENTS)) -> bool:
    while cursor.accept_op("("):
        pass
    token = cursor.peek()
    if token is None or not cursor.is_keyword(token, *allowed):
        return False
    return _STATEMENTS[token.key](cursor)


def _recognise(tokens: Sequence[Token]) -> bool:
    start = 0
    while start < len(tokens) and tokens[start].text == "(":
        start += 1
    if start >= len(tokens) or tokens[start].kind != "word":
        return False
    cursor = _Cursor(tokens)
    cursor.style = _style(tokens[start].text)
    if cursor.style == "mixed":
        return False  # sentence case: "Select * to pick all", "Delete from cart"
    if cursor.style == "lower" and all(t.kind == "word" for t in tokens):
        return False  # lower-case prose can mimic keywords; real SQL has punctuation
    return _statement(cursor)


@lru_cache(maxsize=2048)
def looks_like_sql(text: str) -> bool:
    """Tell whether a text is an SQL statement rather than prose.

    See the module docstring for what is recognised. Holes (:data:`HOLE`) may stand
    for names or values.

    Args:
        text: Any text.

    Returns:
        True when the text starts with a well-formed SQL statement.
    """
    if not _QUICK.match(text):
        return False
    statements = split_statements(sql_tokens(text))
    return bool(statements) and _recognise(statements[0])


# --------------------------------------------------------------------------- queries


def _is_star(item: Sequence[Token]) -> bool:
    if not item or item[-1].text != "*":
        return False
    return len(item) == 1 or (len(item) == 3 and item[1].text == ".")


def select_star(tokens: Sequence[Token]) -> list[Token]:
    """Return the ``*`` tokens that select every column (``SELECT *``, ``SELECT t.*``).

    ``COUNT(*)`` is not a select item, and ``EXISTS (SELECT * ...)`` is left alone: the
    planner ignores that select list, and ``SELECT *`` is the idiom there.

    Args:
        tokens: Tokens of SQL text.

    Returns:
        The offending ``*`` tokens.
    """
    found: list[Token] = []
    for index, token in enumerate(tokens):
        if token.kind != "word" or token.key != "SELECT":
            continue
        if index >= 2 and tokens[index - 1].text == "(" and tokens[index - 2].key == "EXISTS":
            continue
        cursor = _Cursor(tokens)
        cursor.index = index + 1
        cursor.style = _style(token.text)
        if cursor.accept("DISTINCT") and cursor.accept("ON"):
            cursor.skip_group()
        cursor.accept("ALL")
        found.extend(item[-1] for item in _select_list(cursor) if _is_star(item))
    return found


_COMPARISONS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">=", "||"})
_VALUE_WORDS = frozenset({"LIKE", "ILIKE", "BETWEEN", "AND", "OR", "THEN", "ELSE", "WHEN"})
_VALUE_LISTS = frozenset({"VALUES", "VALUE", "IN"})


def _after_value_word(tokens: Sequence[Token], index: int) -> bool:
    previous = tokens[index - 1]
    if previous.kind == "op":
        return previous.text in _COMPARISONS
    if previous.kind != "word" or previous.key not in _VALUE_WORDS:
        return False
    # `AND {x}` is a value only as the upper bound of BETWEEN, or after a comparison.
    if previous.key in ("AND", "OR") and index >= 3:
        return tokens[index - 3].key == "BETWEEN"
    return previous.key not in ("AND", "OR")


class _ValueLists:
    """Tracks parentheses to know when a token sits in a ``VALUES (…)``/``IN (…)`` list."""

    def __init__(self) -> None:
        self.stack: list[bool] = []
        self.row_closed = False  # a VALUES row just closed: `, (` opens the next row

    def feed(self, token: Token, previous: Token | None) -> None:
        """Update the state with the next token."""
        if token.kind == "op" and token.text == "(":
            opens_list = previous is not None and (
                previous.key in _VALUE_LISTS or (previous.text == "," and self.row_closed)
            )
            self.stack.append(opens_list)
        if token.kind == "op" and token.text == ")":
            self.row_closed = self.stack.pop() if self.stack else False
        elif token.text != ",":
            self.row_closed = False

    def inside(self) -> bool:
        """Tell whether the innermost parenthesis is a value list."""
        return bool(self.stack and self.stack[-1])


def _string_holes(token: Token) -> dict[int, str]:
    count = token.text.count(HOLE)
    shape = "quoted" if count == 1 and token.text == f"'{HOLE}'" else "in-string"
    return {token.hole + offset: shape for offset in range(count)}


def value_holes(tokens: Sequence[Token]) -> dict[int, str]:
    """Classify the holes that stand where SQL expects a *value* (not a name).

    Args:
        tokens: Tokens of a template's text.

    Returns:
        Hole index → ``quoted`` (the hole is a whole SQL string literal: ``'{x}'``),
        ``in-string`` (inside a literal with other text: ``'%{x}%'``) or ``bare`` (after
        a comparison, ``LIKE``, ``BETWEEN``, or in a ``VALUES (…)``/``IN (…)`` list).
        Holes in name positions (table, column, ``ORDER BY``) are not listed.
    """
    found: dict[int, str] = {}
    lists = _ValueLists()
    previous: Token | None = None
    for index, token in enumerate(tokens):
        if token.kind == "string" and token.hole >= 0:
            found.update(_string_holes(token))
        elif token.kind == "hole" and previous is not None:
            in_list = lists.inside() and previous.text in ("(", ",")
            if in_list or _after_value_word(tokens, index):
                found[token.hole] = "bare"
        lists.feed(token, previous)
        previous = token
    return found


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
    name = dotted_name(receiver)
    if name is None:
        return isinstance(receiver, cst.Call)  # session.get_bind().execute(...), conn()...
    last = name.rsplit(".", 1)[-1].lower().lstrip("_")
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

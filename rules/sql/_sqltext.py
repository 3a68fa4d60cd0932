"""SQL text: tokenizing SQL, telling SQL from prose, finding the holes that stand for values.

The pure-text layer shared by the rules that look at SQL text (BP501 injection, BP504
``SELECT *``, BP505 ``CREATE TABLE``, BP203's ``LIKE '%…'``); it does not import
libcst. Reading Python string nodes as text and telling where a string is passed as
SQL is :mod:`precepts.rules.sql._sqlcst`'s part.

There is deliberately no SQL parser here: a real parser (sqlglot was evaluated) costs a
few hundred microseconds per statement, accepts prose such as ``select the files from
the list`` as a valid query, and still needs f-string holes substituted before it can
read them. What decides "is this SQL?" is a different question — *could this be
prose?* — and a tokenizer plus a few strict, statement-shaped checks answers it faster
and more predictably:

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

The tokenizer keeps SQL string literals and quoted identifiers as single tokens and
drops comments, so keywords inside ``'...'`` or ``-- ...`` are never seen as keywords.
An interpolation (``{x}`` of an f-string, ``%s`` of ``%``-formatting, ``+ x``) is
represented in text by :data:`HOLE` (:mod:`precepts.rules.sql._sqlcst` puts it there)
and becomes a ``hole`` token.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

# A private-use character stands for an interpolated value: it cannot be confused with
# SQL and is one code point, so offsets stay simple.
HOLE = "\ue000"


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

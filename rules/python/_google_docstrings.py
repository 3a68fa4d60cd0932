"""Google-style docstrings and function bodies, shared by BP106, BP107 and BP108.

One place decides what a function's docstring must document (its parameters, its
return value or yielded values, the exceptions it raises directly) and how a Google
docstring is read and extended, so that BP107's skeleton never trips BP108 and both
agree with BP106 on what "returns a value" means.

Body facts are collected during the single traversal by :class:`FunctionBodyRule`:
``return``/``yield``/``raise`` nodes are attributed to the innermost function being
walked, so no function body is scanned twice.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Rule
from precepts.text import split_lines

# Section titles napoleon understands, by the kind of thing they document.
_SECTION_KINDS: dict[str, str] = {
    **dict.fromkeys(("Args", "Arguments", "Parameters", "Params"), "args"),
    **dict.fromkeys(("Keyword Args", "Keyword Arguments", "Other Parameters"), "keyword"),
    **dict.fromkeys(("Returns", "Return"), "returns"),
    **dict.fromkeys(("Yields", "Yield"), "yields"),
    **dict.fromkeys(("Raises", "Raise"), "raises"),
    **dict.fromkeys(
        (
            "Attributes", "Example", "Examples", "Note", "Notes", "Todo", "Warning",
            "Warnings", "Warns", "See Also", "References", "Methods", "Attention",
            "Caution", "Danger", "Error", "Hint", "Important", "Tip",
        ),
        "other",
    ),
}  # fmt: skip

# The kinds that make a docstring "structured": once it has one of them, it is held to
# documenting everything (a summary-only docstring is accepted as it is).
STRUCTURED_KINDS = frozenset({"args", "keyword", "returns", "yields", "raises"})

# Where a new section goes relative to the others (Google order: Args, Returns, Raises).
_RANK = {"args": 0, "keyword": 1, "returns": 2, "yields": 2, "raises": 3, "other": 4}

_ARG_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:")
_RAISE_ENTRY = re.compile(r"^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*(?::|$)")
_CAPWORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[0-9]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_LINE_END = re.compile(r"\r\n|\r|\n")
# Verbs whose object is what the function returns: ``get_user`` returns "The user."
_GETTERS = frozenset(
    {"get", "fetch", "load", "find", "read", "build", "make", "create", "compute", "parse"}
)
_NO_RETURN = frozenset({"None", "NoReturn", "Never"})
_DEFAULT_STEP = "    "


# --------------------------------------------------------------------------- bodies


@dataclass(frozen=True)
class RaisedException:
    """An exception a function raises directly.

    Attributes:
        name: The exception as written (``ValueError``, ``errors.NotFound``).
        message: Its literal message, when the raise passes a plain string.
    """

    name: str
    message: str | None


@dataclass
class BodyFacts:
    """What a function's own body does (nested functions and classes excluded).

    Attributes:
        returns_value: A ``return`` with a value other than ``None``.
        yields: A ``yield`` or ``yield from`` (the function is a generator).
        raises: Exceptions raised directly and not caught in the same function.
    """

    returns_value: bool = False
    yields: bool = False
    raises: list[RaisedException] = field(default_factory=list)


class FunctionBodyRule(Rule):
    """Base of rules that need :class:`BodyFacts` about the functions they check.

    Subclasses implement :meth:`check_function`, called when a function has been
    walked completely. Lambdas and class bodies are barriers: what happens inside them
    is not attributed to the enclosing function.
    """

    def setup(self) -> None:
        """Start with no function, lambda or class being walked."""
        # One frame per function, lambda or class being walked (None for the barriers).
        self._frames: list[BodyFacts | None] = []

    def check_function(self, node: cst.FunctionDef, facts: BodyFacts) -> None:
        """Check a function once its body has been walked.

        Args:
            node: The function.
            facts: What its own body does.
        """

    def _push(self, frame: BodyFacts | None) -> None:
        self._frames.append(frame)

    def _top(self) -> BodyFacts | None:
        return self._frames[-1] if self._frames else None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Start collecting facts for a function."""
        self._push(BodyFacts())

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Hand the function's facts to :meth:`check_function`."""
        facts = self._frames.pop()
        if facts is not None:
            self.check_function(node, facts)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        """Keep what happens in a lambda out of the enclosing function."""
        self._push(None)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        """Leave a lambda."""
        self._frames.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Keep what happens in a class body out of the enclosing function."""
        self._push(None)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Leave a class body."""
        self._frames.pop()

    def visit_Return(self, node: cst.Return) -> None:
        """Record a ``return`` with a value."""
        frame = self._top()
        if frame is not None and node.value is not None and not _is_none(node.value):
            frame.returns_value = True

    def visit_Yield(self, node: cst.Yield) -> None:
        """Record a ``yield``."""
        frame = self._top()
        if frame is not None:
            frame.yields = True

    def visit_Raise(self, node: cst.Raise) -> None:
        """Record an exception raised directly and not caught in the same function."""
        frame = self._top()
        if frame is None:
            return
        raised = raised_exception(node)
        if raised is None or _caught_locally(raised.name, self.context.ancestors):
            return
        if all(known.name != raised.name for known in frame.raises):
            frame.raises.append(raised)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def raised_exception(node: cst.Raise) -> RaisedException | None:
    """Return the exception a ``raise`` statement raises, when it names a class.

    ``raise`` alone and ``raise error`` (a variable, so a re-raise) give None: only
    ``raise Name`` / ``raise Name(...)`` with a CapWords class name count.

    Args:
        node: The raise statement.

    Returns:
        The exception, or None.
    """
    exc = node.exc
    message = None
    if isinstance(exc, cst.Call):
        message = _literal_message(exc)
        exc = exc.func
    name = dotted_name(exc)
    if name is None or not name.rsplit(".", 1)[-1][:1].isupper():
        return None
    return RaisedException(name, message)


def _literal_message(call: cst.Call) -> str | None:
    if not call.args or call.args[0].keyword is not None:
        return None
    value = call.args[0].value
    if not isinstance(value, cst.SimpleString) or "b" in value.prefix.lower():
        return None
    text = value.evaluated_value
    return text if isinstance(text, str) else None


def _caught_locally(name: str, ancestors: Sequence[cst.CSTNode]) -> bool:
    # Walk up to the enclosing function: a raise inside the body of a ``try`` whose
    # handler catches it does not leave the function.
    child: cst.CSTNode | None = None
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return False
        if isinstance(ancestor, (cst.Try, cst.TryStar)) and child is ancestor.body:
            if any(_handler_catches(handler.type, name) for handler in ancestor.handlers):
                return True
        child = ancestor
    return False


def _handler_catches(caught: cst.BaseExpression | None, name: str) -> bool:
    if caught is None:
        return True
    if isinstance(caught, cst.Tuple):
        return any(_handler_catches(element.value, name) for element in caught.elements)
    written = dotted_name(caught)
    if written is None:
        return False
    short, raised = written.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1]
    if short in {raised, "Exception", "BaseException"}:
        return True
    # Builtin hierarchy (``except LookupError`` catches ``KeyError``).
    parent, child = getattr(builtins, short, None), getattr(builtins, raised, None)
    return (
        isinstance(parent, type)
        and isinstance(child, type)
        and issubclass(parent, BaseException)
        and issubclass(child, parent)
    )


# --------------------------------------------------------------------------- signatures


def decorator_names(node: cst.FunctionDef | cst.ClassDef) -> list[str]:
    """Return the dotted names of a definition's decorators (calls unwrapped).

    Args:
        node: A function or class.

    Returns:
        Names such as ``pytest.fixture`` or ``name.setter``.
    """
    names = []
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        name = dotted_name(expression)
        if name is not None:
            names.append(name)
    return names


def enclosing_scope(ancestors: Sequence[cst.CSTNode]) -> cst.CSTNode | None:
    """Return the nearest function, lambda or class above the current node.

    Args:
        ancestors: The walker's ancestor stack.

    Returns:
        The enclosing definition, or None at module level.
    """
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return ancestor
    return None


def is_method(node: cst.FunctionDef, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether a function is defined directly in a class body.

    Args:
        node: The function.
        ancestors: The walker's ancestor stack at the function.

    Returns:
        True for a method.
    """
    return isinstance(enclosing_scope(ancestors), cst.ClassDef)


def all_params(parameters: cst.Parameters) -> list[cst.Param]:
    """Return every parameter in order, ``*args`` and ``**kwargs`` included.

    Args:
        parameters: A function's parameters.

    Returns:
        The parameters (the bare ``*`` marker is not one).
    """
    params = [*parameters.posonly_params, *parameters.params]
    if isinstance(parameters.star_arg, cst.Param):
        params.append(parameters.star_arg)
    params.extend(parameters.kwonly_params)
    if parameters.star_kwarg is not None:
        params.append(parameters.star_kwarg)
    return params


def explicit_params(node: cst.FunctionDef, method: bool) -> list[cst.Param]:
    """Return the parameters a caller passes: ``self``/``cls`` of a method left out.

    The first parameter of a method is bound implicitly unless the method is a
    ``@staticmethod``, whatever its name (``self``, ``cls``, ``mcs``).

    Args:
        node: The function.
        method: Whether it is defined in a class body.

    Returns:
        The parameters.
    """
    params = all_params(node.params)
    positional = [*node.params.posonly_params, *node.params.params]
    static = any(name.rsplit(".", 1)[-1] == "staticmethod" for name in decorator_names(node))
    if method and not static and positional:
        params.remove(positional[0])
    return params


def param_label(param: cst.Param) -> str:
    """Return a parameter as documented: ``name``, ``*args`` or ``**kwargs``.

    Args:
        param: The parameter.

    Returns:
        The label.
    """
    star = param.star if isinstance(param.star, str) else ""
    return f"{star}{param.name.value}"


def is_stub(body: cst.BaseSuite) -> bool:
    """Tell whether a body only holds a docstring, ``pass``, ``...``, ``raise NotImplementedError``.

    Args:
        body: A function body.

    Returns:
        True for a stub (abstract methods, protocols, placeholders).
    """
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for statement in statements:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return False
        if not all(_is_stub_statement(small) for small in statement.body):
            return False
    return True


def _is_stub_statement(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString))
    if isinstance(small, cst.Raise):
        raised = raised_exception(small)
        return raised is not None and raised.name.endswith("NotImplementedError")
    return False


# --------------------------------------------------------------------------- expectations


@dataclass
class Expected:
    """What a function's Google docstring must document.

    Attributes:
        params: Parameter labels (``name``, ``*args``, ``**kwargs``), self/cls excluded.
        returns: True when a ``Returns:`` section is needed.
        yields: True when a ``Yields:`` section is needed (generators).
        raises: Exceptions raised directly.
        returns_text: The placeholder for a new ``Returns:`` entry.
    """

    params: list[str]
    returns: bool
    yields: bool
    raises: list[RaisedException]
    returns_text: str


def expected_documentation(node: cst.FunctionDef, facts: BodyFacts, method: bool) -> Expected:
    """Decide what a function's docstring must document.

    Output is documented when the body returns a value, or when it is a stub (abstract
    method, protocol) annotated with a type other than ``None``. ``__init__`` and
    properties document no output. ``raise NotImplementedError`` in a stub is not a
    documented exception: it only marks the method as abstract.

    Args:
        node: The function.
        facts: What its own body does.
        method: Whether it is defined in a class body.

    Returns:
        The expectation.
    """
    params = [param_label(p) for p in explicit_params(node, method)]
    decorators = {name.rsplit(".", 1)[-1] for name in decorator_names(node)}
    annotation = dotted_name(node.returns.annotation) if node.returns else None
    silent = (
        node.name.value == "__init__"
        or bool(decorators & {"property", "cached_property"})
        or (annotation is not None and annotation.rsplit(".", 1)[-1] in _NO_RETURN)
    )
    stub = is_stub(node.body)
    yields = facts.yields and not silent
    returns = (
        not silent and not yields and (facts.returns_value or (stub and node.returns is not None))
    )
    raises = [] if stub else list(facts.raises)
    return Expected(params, returns, yields, raises, returns_placeholder(node.name.value))


# --------------------------------------------------------------------------- parsing


@dataclass
class Section:
    """One section of a Google docstring.

    Attributes:
        title: The title as written (``Args``).
        kind: ``args``, ``keyword``, ``returns``, ``yields``, ``raises`` or ``other``.
        header: Index of the title line in :attr:`Docstring.lines`.
        end: Index one past the section's last non-blank line.
        entry_indent: Indentation of its entries (None when it has none).
        entries: (name, line index) of each entry of an Args-like or Raises section.
    """

    title: str
    kind: str
    header: int
    end: int
    entry_indent: str | None
    entries: list[tuple[str, int]]


@dataclass
class Docstring:
    """A parsed triple-quoted docstring.

    Attributes:
        lines: The lines between the quotes (the first one holds the summary).
        indent: Indentation of the lines after the first (section titles sit there).
        sections: The Google sections found.
        newline: The line ending used inside the docstring.
    """

    lines: list[str]
    indent: str
    sections: list[Section]
    newline: str

    @property
    def structured(self) -> bool:
        """True when it has an Args-like, Returns, Yields or Raises section."""
        return any(section.kind in STRUCTURED_KINDS for section in self.sections)

    def names(self, *kinds: str) -> list[tuple[str, int]]:
        """Return the entries of every section of the given kinds.

        Args:
            *kinds: Section kinds.

        Returns:
            (name, line index) pairs.
        """
        return [entry for s in self.sections if s.kind in kinds for entry in s.entries]

    def has(self, *kinds: str) -> bool:
        """Tell whether a section of one of the given kinds exists.

        Args:
            *kinds: Section kinds.

        Returns:
            True when present.
        """
        return any(section.kind in kinds for section in self.sections)


def docstring_expression(
    body: cst.BaseSuite | Sequence[cst.BaseStatement],
) -> cst.BaseExpression | None:
    """Return the docstring expression of a body, or None when it has none.

    Args:
        body: A function or class body, or a module's statements.

    Returns:
        The string expression (simple or implicitly concatenated).
    """
    first: cst.CSTNode | None = None
    if isinstance(body, cst.SimpleStatementSuite):
        first = body
    elif isinstance(body, cst.IndentedBlock):
        first = body.body[0] if body.body else None
    elif isinstance(body, Sequence) and body:
        first = body[0]
    if not isinstance(first, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return None
    small = first.body[0] if first.body else None
    if isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    ):
        return small.value
    return None


def parse_docstring(node: cst.BaseExpression | None) -> Docstring | None:
    """Parse a triple-quoted docstring literal into its Google sections.

    Args:
        node: The docstring expression.

    Returns:
        The parsed docstring, or None for anything but a triple-quoted simple string.
    """
    if not isinstance(node, cst.SimpleString) or len(node.quote) != 3:
        return None
    content = node.value[len(node.prefix) + 3 : -3]
    ending = _LINE_END.search(content)
    lines = split_lines(content)
    indents = [_indent_of(line) for line in lines[1:] if line.strip()]
    indent = min(indents, key=len) if indents else ""
    sections = _sections(lines, indent)
    return Docstring(lines, indent, sections, ending.group(0) if ending else "\n")


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _sections(lines: list[str], indent: str) -> list[Section]:
    headers = [
        (index, line.strip()[:-1])
        for index, line in enumerate(lines)
        if index > 0
        and _indent_of(line) == indent
        and line.strip()[:-1] in _SECTION_KINDS
        and line.strip().endswith(":")
    ]
    sections = []
    for position, (header, title) in enumerate(headers):
        limit = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
        end = header + 1
        for index in range(header + 1, limit):
            line = lines[index]
            if line.strip() and len(_indent_of(line)) <= len(indent):
                break  # back at the title's indentation: the section is over
            if line.strip():
                end = index + 1
        kind = _SECTION_KINDS[title]
        sections.append(_section(lines, title, kind, header, end))
    return sections


def _section(lines: list[str], title: str, kind: str, header: int, end: int) -> Section:
    body = [index for index in range(header + 1, end) if lines[index].strip()]
    entry_indent = _indent_of(lines[body[0]]) if body else None
    entries: list[tuple[str, int]] = []
    pattern = _RAISE_ENTRY if kind == "raises" else _ARG_ENTRY
    if kind in {"args", "keyword", "raises"}:
        for index in body:
            if _indent_of(lines[index]) != entry_indent:
                continue  # a continuation line of the previous entry
            match = pattern.match(lines[index].strip())
            if match:
                entries.extend((name.strip(), index) for name in match.group(1).split(","))
    return Section(title, kind, header, end, entry_indent, entries)


# --------------------------------------------------------------------------- rendering


def words_of(name: str) -> list[str]:
    """Split an identifier into words (``snake_case`` and ``CapWords``).

    Args:
        name: An identifier.

    Returns:
        The words, acronyms kept in capitals, others in lower case.
    """
    words = []
    for part in name.strip("_").split("_"):
        for word in _CAPWORDS.findall(part) or ([part] if part else []):
            words.append(word if word.isupper() and len(word) > 1 else word.lower())
    return words


def sentence(words: Sequence[str], fallback: str = "Describe this") -> str:
    """Turn words into a capitalised sentence ending with a period.

    Args:
        words: The words.
        fallback: Used when there are no words.

    Returns:
        The sentence.
    """
    text = " ".join(words) or fallback
    return f"{text[0].upper()}{text[1:]}."


def summary_for_function(name: str, class_name: str | None = None) -> str:
    """Return a placeholder summary for a function: ``process_user_data`` → "Process user data.".

    Args:
        name: The function's name.
        class_name: The enclosing class, for ``__init__``.

    Returns:
        The summary line.
    """
    if name == "__init__":
        return sentence(["initialize", "the", *words_of(class_name or "instance")])
    return sentence(words_of(name))


def param_entry(label: str) -> str:
    """Return a placeholder ``Args:`` entry.

    Args:
        label: ``name``, ``*args`` or ``**kwargs``.

    Returns:
        The entry text, without indentation.
    """
    if label.startswith("**"):
        return f"{label}: Extra keyword arguments."
    if label.startswith("*"):
        return f"{label}: Extra positional arguments."
    return f"{label}: {sentence(['the', *words_of(label)])}"


def returns_placeholder(function_name: str) -> str:
    """Return a placeholder ``Returns:`` entry: ``get_user`` → "The user.".

    Args:
        function_name: The function's name.

    Returns:
        The entry text.
    """
    words = words_of(function_name)
    if len(words) > 1 and words[0] in _GETTERS:
        return sentence(["the", *words[1:]])
    return "The result."


def raise_entry(raised: RaisedException) -> str:
    """Return a placeholder ``Raises:`` entry, reusing a literal message when there is one.

    Args:
        raised: The exception.

    Returns:
        The entry text, without indentation.
    """
    message = (raised.message or "").strip().rstrip(".")
    if not message or any(bad in message for bad in ('"""', "'''", "\\", "\n", "\r")):
        return f"{raised.name}: If the operation fails."
    return f"{raised.name}: {message[0].upper()}{message[1:]}."


def skeleton(summary: str, expected: Expected | None) -> list[str]:
    """Render a Google docstring skeleton as lines, without indentation.

    Args:
        summary: The summary line.
        expected: What it must document (None for a class or module: summary only).

    Returns:
        The lines, quotes included; a single line when there is nothing to list.
    """
    blocks: list[list[str]] = []
    if expected is not None:
        if expected.params:
            blocks.append(["Args:", *(_DEFAULT_STEP + param_entry(p) for p in expected.params)])
        if expected.yields:
            blocks.append(["Yields:", _DEFAULT_STEP + "The items, one at a time."])
        elif expected.returns:
            blocks.append(["Returns:", _DEFAULT_STEP + expected.returns_text])
        if expected.raises:
            blocks.append(["Raises:", *(_DEFAULT_STEP + raise_entry(r) for r in expected.raises)])
    if not blocks:
        return [f'"""{summary}"""']
    lines = [f'"""{summary}']
    for block in blocks:
        lines.extend(["", *block])
    lines.append('"""')
    return lines


@dataclass
class Missing:
    """What a structured docstring fails to document.

    Attributes:
        params: Parameter labels with no entry.
        returns: True when a Returns (or Yields) section is missing.
        yields: True when the missing section is Yields (a generator).
        raises: Exceptions with no entry.
        returns_text: The placeholder for a new Returns entry.
    """

    params: list[str] = field(default_factory=list)
    returns: bool = False
    yields: bool = False
    raises: list[RaisedException] = field(default_factory=list)
    returns_text: str = "The result."

    def __bool__(self) -> bool:
        """True when something is missing."""
        return bool(self.params or self.returns or self.raises)

    def describe(self) -> str:
        """Say what is missing, for a finding's message.

        Returns:
            For example "parameter `user_id`; the return value (Returns)".
        """
        parts = []
        if self.params:
            noun = "parameter" if len(self.params) == 1 else "parameters"
            parts.append(f"{noun} {', '.join(f'`{p}`' for p in self.params)} (Args)")
        if self.returns:
            parts.append(
                "the yielded values (Yields)" if self.yields else "the return value (Returns)"
            )
        if self.raises:
            names = ", ".join(f"`{r.name}`" for r in self.raises)
            parts.append(
                f"{'exception' if len(self.raises) == 1 else 'exceptions'} {names} (Raises)"
            )
        return "; ".join(parts)


def documented_raises(docstring: Docstring) -> set[str]:
    """Return the exception names a docstring's Raises sections list (short names too).

    Args:
        docstring: The parsed docstring.

    Returns:
        The names, both as written and without their module prefix.
    """
    names = set()
    for name, _ in docstring.names("raises"):
        names.update({name, name.rsplit(".", 1)[-1]})
    return names


def is_documented(raised: RaisedException, documented: set[str]) -> bool:
    """Tell whether an exception has a Raises entry (``errors.NotFound`` matches ``NotFound``).

    Args:
        raised: The exception.
        documented: Names from :func:`documented_raises`.

    Returns:
        True when documented.
    """
    return raised.name in documented or raised.name.rsplit(".", 1)[-1] in documented


def with_missing(docstring: Docstring, missing: Missing) -> str:
    """Return the docstring's content with entries and sections for what is missing.

    Entries go at the end of their existing section; a new section goes before the first
    section that Google style puts after it (Args, Returns/Yields, Raises, the rest), or
    after the last section. Indentation follows the docstring's own.

    Args:
        docstring: The parsed docstring (it must have at least one section).
        missing: What to add.

    Returns:
        The new text between the quotes.
    """
    step = _step_of(docstring)
    inserts: list[tuple[int, int, list[str]]] = []
    if missing.params:
        inserts.append(
            _insert(docstring, "args", "Args", [param_entry(p) for p in missing.params], step)
        )
    if missing.returns:
        kind, title = ("yields", "Yields") if missing.yields else ("returns", "Returns")
        text = "The items, one at a time." if missing.yields else missing.returns_text
        inserts.append(_insert(docstring, kind, title, [text], step))
    if missing.raises:
        entries = [raise_entry(r) for r in missing.raises]
        inserts.append(_insert(docstring, "raises", "Raises", entries, step))
    lines = list(docstring.lines)
    # From the bottom up so indices stay valid; at one index, lower ranks end up first.
    for index, _, block in sorted(inserts, key=lambda item: (item[0], item[1]), reverse=True):
        lines[index:index] = block
    return docstring.newline.join(lines)


def _step_of(docstring: Docstring) -> str:
    for section in docstring.sections:
        if section.entry_indent is not None and len(section.entry_indent) > len(docstring.indent):
            return section.entry_indent[len(docstring.indent) :]
    return _DEFAULT_STEP


def _insert(
    docstring: Docstring, kind: str, title: str, entries: list[str], step: str
) -> tuple[int, int, list[str]]:
    indent = docstring.indent
    rank = _RANK[kind]
    existing = next((s for s in docstring.sections if s.kind == kind), None)
    if existing is not None:
        entry_indent = existing.entry_indent or indent + step
        return existing.end, rank, [entry_indent + entry for entry in entries]
    block = [indent + title + ":", *(indent + step + entry for entry in entries)]
    later = [s for s in docstring.sections if _RANK[s.kind] > rank]
    if later:
        return later[0].header, rank, [*block, ""]
    return docstring.sections[-1].end, rank, ["", *block]

"""How a Google docstring is written and extended.

Summaries and placeholders made from a function's name, BP107's :func:`skeleton`, and
what BP108 finds :class:`Missing` from a parsed docstring and inserts in Google order
(Args, Returns, Raises) with :func:`with_missing`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from precepts.rules.python._google_docstrings.bodies import RaisedException
from precepts.rules.python._google_docstrings.parsing import Docstring

if TYPE_CHECKING:
    from precepts.rules.python._google_docstrings.expectations import Expected

# Where a new section goes relative to the others (Google order: Args, Returns, Raises).
_RANK = {"args": 0, "keyword": 1, "returns": 2, "yields": 2, "raises": 3, "other": 4}
_CAPWORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|[0-9]|$)|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# Verbs whose object is what the function returns: ``get_user`` returns "The user."
_GETTERS = frozenset(
    {"get", "fetch", "load", "find", "read", "build", "make", "create", "compute", "parse"}
)
_DEFAULT_STEP = "    "


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

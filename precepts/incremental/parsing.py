"""Parsing a run of leaves on its own, in the context the rest of the file gives it.

A region of whole statements is parsed with a short prefix that pins the module's
indentation and newline defaults (``if 1:`` + ``pass``), and, for statements of a split
class body, a synthetic ``class _:`` whose body has the real indentation; see
``engine-notes.md`` §2. Every region is also compiled with ``compile(..., ONLY_AST)`` so
that exactly the texts a from-scratch check rejects are rejected here, with the same
accurate error positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from precepts import syntax
from precepts.findings import Range
from precepts.syntax import error_range as syntax_error_range
from precepts.text import split_lines

# How a region's syntax error relates to the rest of the file.
LOCAL = "local"  # before the region's end: the whole file fails too
UNCLOSED = "unclosed"  # an unclosed bracket: valid code after it cannot close it
EOF = "eof"  # could be completed by what follows (a string, a continuation)
LIBCST = "libcst"  # compile accepts it, libcst does not


class RegionError(Exception):
    """A region does not parse.

    Attributes:
        message: ``SyntaxError: ...`` as BP000 reports it.
        where: The error's range, relative to the region's first line.
        kind: How far the error may reach (``local``, ``unclosed``, ``eof``, ``libcst``).
    """

    def __init__(self, message: str, where: Range, kind: str) -> None:
        """Describe the error.

        Args:
            message: The message.
            where: Its range relative to the region.
            kind: Its kind.
        """
        super().__init__(message)
        self.message = message
        self.where = where
        self.kind = kind


@dataclass
class Parsed:
    """A region that parsed.

    Attributes:
        module: The parse (prefix included), for its header, footer and code style.
        statements: The region's top-level statements.
        children: In a class-body context, the new body statements.
        block_indent: In a class-body context, the body's indentation as parsed.
        block_footer: In a class-body context, the body's trailing comment lines.
    """

    module: cst.Module
    statements: list[cst.BaseStatement]
    children: list[cst.BaseStatement] | None = None
    block_indent: str | None = None
    block_footer: Sequence[cst.EmptyLine] = ()


def module_prefix(indent: str, newline: str) -> str:
    """Return the prefix that pins a region's indentation and newline defaults.

    Args:
        indent: The module's default indentation.
        newline: The module's default newline.

    Returns:
        Two statements' worth of text.
    """
    return f"if 1:{newline}{indent}pass{newline}pass{newline}"


def class_prefix(indent: str, newline: str) -> str:
    """Return the prefix that opens a class body with the given indentation.

    Args:
        indent: The absolute indentation of the body.
        newline: The newline to use.

    Returns:
        Two lines of text.
    """
    return f"class _:{newline}{indent}pass{newline}"


def _kind(error: SyntaxError, line_total: int) -> str:
    message = error.msg or ""
    if "was never closed" in message:
        return UNCLOSED
    if "triple-quoted" in message or "unexpected EOF" in message:
        return EOF
    if (error.lineno or 0) > line_total:
        return EOF
    return LOCAL


def check_grammar(text: str, body_indent: str | None) -> None:
    """Compile a region the way the engine does, raising its first syntax error.

    Args:
        text: The region's text.
        body_indent: The class-body indentation for a class-body region, else None.

    Raises:
        RegionError: When it does not compile.
    """
    prefix = "" if body_indent is None else class_prefix(body_indent, "\n")
    shift = 0 if body_indent is None else 2
    source = prefix + text
    try:
        error = syntax.python_error(source)
    except (ValueError, RecursionError, MemoryError) as problem:
        raise RegionError(f"cannot parse: {problem}", Range.of(0, 0, 0, 0), LOCAL) from None
    if error is not None:
        lines = split_lines(source)
        where = syntax_error_range(error, lines)
        line_total = len(lines)
        relative = Range.of(
            max(where.start.line - shift, 0),
            where.start.column,
            max(where.end.line - shift, 0),
            where.end.column,
        )
        raise RegionError(f"SyntaxError: {error.msg}", relative, _kind(error, line_total))


def parse_region(
    text: str,
    defaults: cst.Module | None,
    body_indent: str | None = None,
) -> Parsed:
    """Parse a region of whole statements in its context.

    Args:
        text: The region's text.
        defaults: A module whose indentation and newline the region must use; None when
            the region starts the file (it then decides them itself).
        body_indent: For a region of class-body statements, the body's indentation.

    Returns:
        The parse.

    Raises:
        RegionError: When the region does not parse.
    """
    check_grammar(text, body_indent)
    prefix = ""
    drop = 0
    if defaults is not None:
        newline = defaults.default_newline
        prefix = module_prefix(defaults.default_indent, newline)
        drop = 2
        if body_indent is not None:
            prefix += class_prefix(body_indent, newline)
    try:
        module = cst.parse_module(prefix + text)
    except cst.ParserSyntaxError as error:
        line = max(error.raw_line - 1 - prefix.count("\n"), 0)
        where = Range.of(line, error.raw_column, line, error.raw_column)
        raise RegionError(f"SyntaxError: {error.message}", where, LIBCST) from None
    except (RecursionError, MemoryError) as deep:
        raise RegionError(
            f"cannot parse: {type(deep).__name__}", Range.of(0, 0, 0, 0), LOCAL
        ) from None
    statements = list(module.body[drop:])
    if body_indent is None:
        return Parsed(module, statements)
    synthetic = statements.pop(0) if statements else None
    if not isinstance(synthetic, cst.ClassDef) or not isinstance(synthetic.body, cst.IndentedBlock):
        raise RegionError("SyntaxError: invalid syntax", Range.of(0, 0, 0, 0), LOCAL)
    block = synthetic.body
    return Parsed(
        module,
        statements,
        children=list(block.body[1:]),
        block_indent=block.indent,
        block_footer=block.footer,
    )

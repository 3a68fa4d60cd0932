"""The syntax judge: does a text parse as Python, whatever interpreter runs precepts?

CPython's own parser (``ast``) is fast and gives precise messages, but it only knows the
syntax of the interpreter precepts is installed under: under 3.11, ``type X = int`` is a
syntax error. libcst's parser knows every version's syntax (3.8 to 3.14). The judge:

1. asks CPython first (the accelerator: on code it parses, nothing else runs);
2. when CPython rejects the text and the text may hold syntax newer than the
   interpreter (a cheap textual pre-check), asks libcst; the text is valid when libcst
   parses it *and* its tree uses a feature newer than the interpreter, which explains
   CPython's rejection. Otherwise CPython's error stands (libcst accepts a few things
   CPython rightly rejects, such as ``f() = 1``).

Every part of precepts that asks "does this parse?" (the engine, fixes, the incremental
model) asks here, so they all agree.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass

import libcst as cst

from precepts.findings import Range
from precepts.syntax_features import uses_newer_than
from precepts.text import split_lines
from precepts.versions import NEWEST, PythonVersion

RUNNING: PythonVersion = (sys.version_info[0], sys.version_info[1])

# Text that may hold syntax newer than 3.10, the oldest interpreter precepts runs on: an
# ``except*``, a starred subscript or annotation, a type parameter list, a ``type``
# statement, an f- or t-string, an ``except`` with a comma.
_MAYBE_NEWER = re.compile(
    r"\bexcept\s*\*"
    r"|\[\s*\*|,\s*\*\w|:\s*\*\w"
    r"|\b(?:def|class)\s+\w+\s*\["
    r"|^[ \t]*type[ \t]+\w"
    r"|;[ \t]*type[ \t]+\w"
    r"|(?<![\w'\"])[rRbBuU]?[fFtT][rR]?['\"]"
    r"|\bexcept\b[^:\n]*,",
    re.MULTILINE,
)


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a text does not parse.

    Attributes:
        message: ``SyntaxError: ...`` or ``cannot parse: ...``.
        where: Where, in the text.
    """

    message: str
    where: Range


@dataclass(frozen=True)
class Parsed:
    """What the judge learned about a text.

    Attributes:
        tree: CPython's ``ast`` tree, when the running interpreter parses the text.
        module: libcst's tree, when the judge had to build it (reuse it).
        problem: Why the text does not parse (None when it does).
    """

    tree: ast.Module | None
    module: cst.Module | None
    problem: SyntaxProblem | None


def judge(text: str) -> Parsed:
    """Decide whether a module's text parses, keeping the trees built on the way.

    Args:
        text: Source text.

    Returns:
        The verdict with CPython's tree (fast path) or libcst's (newer syntax).
    """
    try:
        return Parsed(ast.parse(text), None, None)
    except SyntaxError as error:
        cpython = error
    except (ValueError, RecursionError, MemoryError) as error:
        return Parsed(None, None, SyntaxProblem(f"cannot parse: {error}", Range.of(0, 0, 0, 0)))
    module, libcst_problem = _newer_syntax_module(text)
    if module is not None:
        return Parsed(None, module, None)
    problem = SyntaxProblem(f"SyntaxError: {cpython.msg}", error_range(cpython, split_lines(text)))
    if libcst_problem is not None and libcst_problem.where.start > problem.where.end:
        # libcst got past CPython's error: CPython stumbled on syntax newer than itself,
        # and the real error is the later one libcst, which knows that syntax, found.
        return Parsed(None, None, libcst_problem)
    return Parsed(None, None, problem)


def cpython_tree(text: str) -> ast.Module | None:
    """Return CPython's ``ast`` tree of ``text``, or None when the interpreter rejects it.

    Args:
        text: Source text.

    Returns:
        The tree, or None (a syntax error, or syntax newer than the interpreter).
    """
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def python_error(source: str, flags: int = 0) -> SyntaxError | None:
    """Compile ``source`` as the engine judges it; return CPython's error when it fails.

    Args:
        source: Source text.
        flags: Extra ``compile`` flags (``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``).

    Returns:
        None when the text parses (by CPython, or as newer syntax by libcst), else
        CPython's ``SyntaxError``.

    Raises:
        ValueError: For NUL bytes, as ``compile`` does.
    """
    try:
        compile(source, "<precepts>", "exec", ast.PyCF_ONLY_AST | flags)
    except SyntaxError as error:
        module, _ = _newer_syntax_module(source)
        return None if module is not None else error
    return None


def parses(source: str, flags: int = 0) -> bool:
    """Tell whether ``source`` parses, by the judge.

    Args:
        source: Source text.
        flags: Extra ``compile`` flags.

    Returns:
        True when it parses.
    """
    try:
        return python_error(source, flags) is None
    except (ValueError, RecursionError, MemoryError):
        return False


def libcst_parses(source: str) -> bool:
    """Tell whether libcst parses ``source`` (for code already known to need it).

    Args:
        source: Source text.

    Returns:
        True when it parses.
    """
    try:
        cst.parse_module(source)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


def may_hold_newer_syntax(text: str) -> bool:
    """Tell cheaply whether ``text`` might use syntax the running interpreter lacks.

    Args:
        text: Source text.

    Returns:
        False when CPython's verdict on the text is final.
    """
    return RUNNING < NEWEST and _MAYBE_NEWER.search(text) is not None


def _newer_syntax_module(text: str) -> tuple[cst.Module | None, SyntaxProblem | None]:
    """Parse with libcst when newer syntax may explain CPython's rejection.

    Args:
        text: Source text that CPython rejected.

    Returns:
        (module, None) when libcst parses it and a feature newer than the interpreter is
        used; (None, problem) when the text may hold newer syntax but libcst rejects it;
        (None, None) when CPython's verdict stands.
    """
    if not may_hold_newer_syntax(text):
        return None, None
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        line = max(error.raw_line - 1, 0)
        where = Range.of(line, error.raw_column, line, error.raw_column)
        return None, SyntaxProblem(f"SyntaxError: {error.message}", where)
    except (RecursionError, MemoryError, ValueError):
        return None, None
    if uses_newer_than(module, RUNNING):
        return module, None
    return None, None


def error_range(error: SyntaxError, lines: list[str]) -> Range:
    """Convert a ``SyntaxError`` into a range of at least one character where possible.

    Args:
        error: The error raised by ``ast.parse`` or ``compile``.
        lines: The text's lines.

    Returns:
        The range of the error.
    """
    line = max((error.lineno or 1) - 1, 0)
    line = min(line, max(len(lines) - 1, 0))
    text = lines[line] if lines else ""
    column = min(max((error.offset or 1) - 1, 0), len(text))
    end_line = (error.end_lineno or 0) - 1
    end_column = (error.end_offset or 0) - 1
    if end_line < line or (end_line == line and end_column <= column) or end_line >= len(lines):
        end_line, end_column = line, min(column + 1, len(text))
        if end_column == column and column > 0:
            column -= 1
    return Range.of(line, column, end_line, end_column)

"""``precepts check --add-noqa``: silence every reported finding with a ``# noqa`` comment.

Each comment goes where the language server's "Ignore on this line" action puts it
(:mod:`precepts.server.suppress`): the line where the finding starts, or the last line
of the multi-line string it starts in; an existing ``# noqa: CODES`` there is extended.
A line that ends in a backslash continuation gets no comment, and a file whose edited
text would no longer parse is left as it was.
"""

from __future__ import annotations

import argparse
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from precepts.cli.formats import FileReport
from precepts.engine import SYNTAX_ERROR, UNUSED_NOQA
from precepts.findings import TextEdit
from precepts.fixes import apply_edits
from precepts.server.suppress import comment_line, noqa_codes_edit, noqa_map_of, still_parses
from precepts.text import split_lines

# A syntax error has no line to own a comment; a stale directive is removed, not silenced.
_NOT_SILENCEABLE = frozenset({SYNTAX_ERROR, UNUSED_NOQA})


def add_arguments(check: argparse.ArgumentParser) -> None:
    """Add ``--add-noqa`` to ``precepts check``.

    Args:
        check: The ``check`` parser.
    """
    check.add_argument(
        "--add-noqa",
        action="store_true",
        help="add `# noqa: CODES` comments that silence every reported finding",
    )


@dataclass
class Added:
    """What ``--add-noqa`` did.

    Attributes:
        codes: Codes added to comments.
        lines: Lines whose comment was added or extended.
        files: Files written.
        skipped: Findings no comment could silence (a continuation line, a breaking edit).
        errors: Files that could not be written.
    """

    codes: int = 0
    lines: int = 0
    files: int = 0
    skipped: int = 0
    errors: tuple[str, ...] = ()


def noqa_edits(text: str, codes_at: Sequence[tuple[int, str]]) -> tuple[list[TextEdit], int, int]:
    """Compute the comments that silence findings of one text.

    Args:
        text: The text.
        codes_at: (first line, code) of each finding.

    Returns:
        The edits, how many codes they add, and how many findings no comment can silence.
    """
    directives = noqa_map_of(text)
    wanted: dict[int, dict[str, None]] = {}
    for line, code in codes_at:
        wanted.setdefault(comment_line(directives, line), {})[code] = None
    lines = split_lines(text)
    edits, added, skipped = [], 0, 0
    for line, codes in sorted(wanted.items()):
        directive = directives.directives.get(line)
        named = set(directive.codes or ()) if directive is not None else set()
        new = [code for code in codes if code not in named]
        if not new:
            continue
        edit = noqa_codes_edit(lines[line], line, new, directives) if line < len(lines) else None
        if edit is None:
            skipped += len(new)
            continue
        edits.append(edit)
        added += len(new)
    return edits, added, skipped


def _encoding(path: Path) -> str:
    with path.open("rb") as handle:
        try:
            return tokenize.detect_encoding(handle.readline)[0]
        except SyntaxError:
            return "utf-8"


def add_noqa(reports: Sequence[FileReport]) -> Added:
    """Write ``# noqa`` comments for every finding of the reports.

    Args:
        reports: The files' reports (their ``text`` is what is on disk).

    Returns:
        What was added.
    """
    result = Added()
    errors = []
    for report in reports:
        if not report.findings or any(f.code == SYNTAX_ERROR for f in report.findings):
            continue
        codes_at = [
            (f.range.start.line, f.code) for f in report.findings if f.code not in _NOT_SILENCEABLE
        ]
        edits, added, skipped = noqa_edits(report.text, codes_at)
        new_text = apply_edits(report.text, edits)
        if not edits or not still_parses(report.text, new_text):
            result.skipped += skipped + (added if edits else 0)
            continue
        path = Path(report.path)
        try:
            with open(path, "w", encoding=_encoding(path), newline="") as handle:
                handle.write(new_text)
        except OSError as error:
            errors.append(f"cannot write {path}: {error.strerror or error}")
            continue
        result.codes += added
        result.lines += len(edits)
        result.files += 1
        result.skipped += skipped
    result.errors = tuple(errors)
    return result


def describe(added: Added) -> str:
    """Return the line ``--add-noqa`` prints.

    Args:
        added: What was added.

    Returns:
        The message.
    """
    plural = "s" if added.codes != 1 else ""
    message = (
        f"Added {added.codes} `noqa` code{plural} on {added.lines} line"
        f"{'s' if added.lines != 1 else ''} in {added.files} file{'s' if added.files != 1 else ''}."
    )
    if added.skipped:
        message += f" {added.skipped} finding{'s' if added.skipped != 1 else ''} could not be"
        message += " silenced (a line ending in `\\`, or the comment would break the file)."
    return message

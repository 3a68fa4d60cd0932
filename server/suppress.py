"""The "Ignore BPxxx on this line" edit: add a ``# noqa`` comment or extend one.

The comment goes where :mod:`precepts.noqa` will look for it: on the line where the
finding starts, or, for a finding inside a multi-line string, on the string's last line.
An existing ``# noqa: CODES`` there is extended; another comment on the line is kept and
the directive is appended after it. Lines that end in a backslash continuation get no
comment (it would not parse); the edited text is also parsed before it is offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from precepts import noqa, syntax
from precepts.findings import Position, Range, TextEdit

# ``noqa.scan`` returns early for a text that never mentions noqa, before it records
# where multi-line strings end; a directive on an extra last line makes it do the work.
_PROBE = "\n# noqa"


def noqa_map_of(text: str) -> noqa.NoqaMap:
    """Return the directives and the multi-line string spans of a text.

    Args:
        text: Source text.

    Returns:
        The map; its directives exclude the probe added to the text's end.
    """
    probe_line = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    found = noqa.scan(text + _PROBE)
    found.directives.pop(probe_line, None)
    return found


def noqa_edit(line_text: str, line: int, code: str, directives: noqa.NoqaMap) -> TextEdit | None:
    """Compute the edit that silences ``code`` on ``line``.

    Args:
        line_text: The text of the line the comment goes on.
        line: That line (already mapped with :func:`comment_line`).
        code: The rule code.
        directives: The text's directives.

    Returns:
        The edit, or None when no comment can go on that line.
    """
    return noqa_codes_edit(line_text, line, [code], directives)


def noqa_codes_edit(
    line_text: str, line: int, codes: Sequence[str], directives: noqa.NoqaMap
) -> TextEdit | None:
    """Compute the edit that silences every one of ``codes`` on ``line``.

    Args:
        line_text: The text of the line the comment goes on.
        line: That line (already mapped with :func:`comment_line`).
        codes: The rule codes (those already named on the line are not repeated).
        directives: The text's directives.

    Returns:
        The edit, or None when no comment can go on that line.
    """
    directive = directives.directives.get(line)
    if directive is not None and directive.codes is not None:
        merged = list(directive.codes)
        merged.extend(code for code in dict.fromkeys(codes) if code not in merged)
        comment = directive.comment
        new_comment = (
            comment[: directive.start] + "# noqa: " + ", ".join(merged) + comment[directive.end :]
        )
        where = Range.of(line, directive.column, line, directive.column + len(comment))
        return TextEdit(where, new_comment)
    if directive is not None or line_text.rstrip().endswith("\\"):
        return None  # a bare noqa already silences everything; a comment breaks a `\`
    end = len(line_text.rstrip())
    spot = Position(line, end)
    comment = "  # noqa: " + ", ".join(dict.fromkeys(codes))
    return TextEdit(Range(spot, Position(line, len(line_text))), comment)


def comment_line(directives: noqa.NoqaMap, line: int) -> int:
    """Return the line whose comment governs findings that start on ``line``.

    Args:
        directives: The text's map.
        line: The finding's first line.

    Returns:
        The line (the last line of a multi-line string the finding starts in).
    """
    return directives.redirect.get(line, line)


def still_parses(text: str, edited: str) -> bool:
    """Tell whether an edit keeps a parseable text parseable.

    Args:
        text: The text before the edit.
        edited: The text after it.

    Returns:
        False only when ``text`` parsed and ``edited`` does not.
    """
    if not _parses(text):
        return True  # nothing to keep: the file is already broken elsewhere
    return _parses(edited)


def _parses(text: str) -> bool:
    return syntax.parses(text)

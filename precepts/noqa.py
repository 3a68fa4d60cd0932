"""Suppression comments, with ruff's convention.

``# noqa: BP101,BP603`` on the line where a finding starts silences those codes; a bare
``# noqa`` silences every code on the line. For a finding inside a multi-line string
the comment goes on the string's last line. A ``# noqa: BPxxx`` that silences nothing is
itself reported as ``BP001 unused-noqa``, with a safe fix that removes it. Codes of other
tools (``E501``) are left alone.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

from precepts.findings import Finding, Range

_DIRECTIVE = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


@dataclass
class Directive:
    """One ``# noqa`` comment.

    Attributes:
        line: 0-based line of the comment.
        column: Code-point column where the comment starts.
        comment: The whole comment text.
        start: Offset of the directive within ``comment``.
        end: End offset of the directive within ``comment``.
        codes: The codes named, upper-cased; None for a bare ``# noqa``.
        used: Codes that silenced a finding.
    """

    line: int
    column: int
    comment: str
    start: int
    end: int
    codes: tuple[str, ...] | None
    used: set[str] = field(default_factory=set)

    def silences(self, code: str) -> bool:
        """Tell whether this directive silences ``code``.

        Args:
            code: A rule code.

        Returns:
            True when it does.
        """
        return self.codes is None or code in self.codes


@dataclass
class NoqaMap:
    """Directives of one file and where findings on each line look for theirs."""

    directives: dict[int, Directive] = field(default_factory=dict)
    redirect: dict[int, int] = field(default_factory=dict)

    def directive_for(self, line: int) -> Directive | None:
        """Return the directive that governs findings starting on ``line``.

        Args:
            line: 0-based line.

        Returns:
            The directive, or None.
        """
        return self.directives.get(self.redirect.get(line, line))


def _parse_comment(line: int, column: int, comment: str) -> Directive | None:
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    codes_text = match.group("codes")
    codes = tuple(c.upper() for c in _CODE.findall(codes_text)) if codes_text else None
    return Directive(line, column, comment, match.start(), match.end(), codes)


def scan(text: str) -> NoqaMap:
    """Find every ``# noqa`` comment and the multi-line strings of a parseable text.

    Args:
        text: Source text that parses.

    Returns:
        The map (empty when the text mentions no ``noqa``).
    """
    result = NoqaMap()
    if "noqa" not in text.lower():
        return result
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    string_start: int | None = None
    try:
        for token in tokens:
            kind = token.type
            if kind == tokenize.COMMENT:
                directive = _parse_comment(token.start[0] - 1, token.start[1], token.string)
                if directive is not None:
                    result.directives[directive.line] = directive
            elif kind == tokenize.STRING and token.start[0] != token.end[0]:
                _redirect(result, token.start[0] - 1, token.end[0] - 1)
            elif kind == getattr(tokenize, "FSTRING_START", -1):
                string_start = token.start[0] - 1
            elif kind == getattr(tokenize, "FSTRING_END", -1) and string_start is not None:
                _redirect(result, string_start, token.end[0] - 1)
                string_start = None
    except (tokenize.TokenError, SyntaxError):
        pass  # what was read before the error still counts
    return result


def _redirect(result: NoqaMap, first: int, last: int) -> None:
    for line in range(first, last):
        result.redirect[line] = last


def apply(findings: Iterable[Finding], noqa: NoqaMap) -> list[Finding]:
    """Drop the findings that a directive silences, recording which codes were used.

    Args:
        findings: All findings of the file.
        noqa: The file's directives.

    Returns:
        The findings that remain.
    """
    if not noqa.directives:
        return list(findings)
    kept = []
    for finding in findings:
        directive = noqa.directive_for(finding.range.start.line)
        if directive is not None and directive.silences(finding.code):
            directive.used.add(finding.code)
        else:
            kept.append(finding)
    return kept


def unused(
    noqa: NoqaMap, checked_codes: frozenset[str], known_codes: Iterable[str]
) -> list[tuple[Directive, tuple[str, ...]]]:
    """List the precepts codes in directives that silenced nothing.

    A code counts as unused when its rule ran on this file (or no such rule exists) and it
    matched no finding. Codes of other tools and of rules switched off here are ignored.

    Args:
        noqa: The file's directives, after :func:`apply`.
        checked_codes: Codes of the rules that ran.
        known_codes: Every precepts code.

    Returns:
        (directive, unused codes) pairs.
    """
    known = set(known_codes)
    result = []
    for directive in noqa.directives.values():
        if directive.codes is None:
            continue
        stale = tuple(
            code
            for code in directive.codes
            if code.startswith("BP")
            and code not in directive.used
            and (code in checked_codes or code not in known)
        )
        if stale:
            result.append((directive, stale))
    return result


def removal(directive: Directive, stale: tuple[str, ...], line_text: str) -> tuple[Range, str]:
    """Compute the edit that removes ``stale`` codes from a directive.

    Args:
        directive: The directive.
        stale: The codes to remove.
        line_text: The text of the directive's line.

    Returns:
        The range to replace and the replacement text.
    """
    keep = [c for c in directive.codes or () if c not in stale]
    comment = directive.comment
    if keep:
        new_comment = (
            comment[: directive.start] + "# noqa: " + ", ".join(keep) + comment[directive.end :]
        )
        return (
            Range.of(directive.line, directive.column, directive.line, len(line_text)),
            new_comment,
        )
    rest = (comment[: directive.start] + comment[directive.end :]).strip()
    if rest and rest != "#":
        stripped = comment[: directive.start].rstrip() + comment[directive.end :]
        return (
            Range.of(directive.line, directive.column, directive.line, len(line_text)),
            stripped.strip() if stripped.strip().startswith("#") else "# " + stripped.strip(),
        )
    start = directive.column
    while start > 0 and line_text[start - 1] in " \t":
        start -= 1
    return Range.of(directive.line, start, directive.line, len(line_text)), ""

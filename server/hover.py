"""Hover text: a finding's explanation, a rule's docs in a ``# noqa``, a function's metrics.

Plain Markdown only (headings, emphasis, fenced blocks, a link), which VS Code renders
and Neovim's floating window shows readably even without rendering. The rule texts come
from :mod:`precepts.ruledocs`, the same source as ``precepts rule`` and the docs pages.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence

from precepts.findings import Applicability, Finding, Position, Range, TextEdit
from precepts.fixes import apply_edits
from precepts.noqa import NoqaMap
from precepts.registry import get_rule
from precepts.ruledocs import render_examples, render_rule_markdown
from precepts.server.diagnostics import docs_url
from precepts.server.metrics import MeasuredFunction
from precepts.text import split_lines

LineText = Callable[[int], str]

SEPARATOR = "\n\n---\n\n"
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def noqa_code_at(directives: NoqaMap, line: int, column: int) -> tuple[str, Range] | None:
    """Find the rule code under the cursor inside a ``# noqa: ...`` comment.

    Args:
        directives: The document's directives.
        line: 0-based line.
        column: Code-point column.

    Returns:
        The code and its range, or None.
    """
    directive = directives.directives.get(line)
    if directive is None or directive.codes is None:
        return None
    inside = directive.comment[directive.start : directive.end]
    for match in _CODE.finditer(inside):
        start = directive.column + directive.start + match.start()
        end = start + len(match.group())
        if start <= column <= end:
            return match.group().upper(), Range.of(line, start, line, end)
    return None


def noqa_hover(code: str) -> str | None:
    """Render the docs of a rule named in a ``# noqa`` comment.

    Args:
        code: The code.

    Returns:
        Markdown, or None for a code that is not a precepts rule.
    """
    rule = get_rule(code)
    if rule is None:
        return None
    return render_rule_markdown(rule, level=3, with_link=True).strip()


def findings_at(findings: Iterable[Finding], line: int, column: int) -> list[Finding]:
    """Return the findings whose range holds a position.

    Args:
        findings: A document's findings.
        line: 0-based line.
        column: Code-point column.

    Returns:
        The findings, in file order.
    """
    spot = Position(line, column)
    return [finding for finding in findings if finding.range.contains(spot)]


def fix_diff(line_text: LineText, line_count: int, edits: Sequence[TextEdit]) -> str:
    """Render a fix as a small unified diff of the lines it touches (with one line around).

    Args:
        line_text: Returns a line of the document.
        line_count: The document's number of lines.
        edits: The fix's edits.

    Returns:
        The diff hunks (no file headers), with the document's line numbers.
    """
    first = max(min(e.range.start.line for e in edits) - 1, 0)
    last = max(min(max(e.range.end.line for e in edits) + 1, line_count - 1), first)
    before = [line_text(line) for line in range(first, last + 1)]
    shifted = [TextEdit(e.range.moved(-first), e.content) for e in edits]
    after = split_lines(apply_edits("\n".join(before), shifted))
    hunks = []
    for row in list(difflib.unified_diff(before, after, lineterm="", n=1))[2:]:
        hunks.append(_HUNK.sub(lambda m: _renumber(m, first), row))
    return "\n".join(hunks)


def _renumber(match: re.Match[str], offset: int) -> str:
    old, old_count, new, new_count = match.groups()
    return f"@@ -{int(old) + offset}{old_count or ''} +{int(new) + offset}{new_count or ''} @@"


def finding_hover(finding: Finding, line_text: LineText, line_count: int) -> str:
    """Render the explanation of one finding.

    Args:
        finding: The finding under the cursor.
        line_text: Returns a line of the document (for the fix's diff).
        line_count: The document's number of lines.

    Returns:
        Markdown: code and name, message, why it matters, the examples, the fix for
        this spot and the standard's heading.
    """
    rule = get_rule(finding.code)
    parts = [f"### {finding.code} {finding.name}", finding.message]
    if rule is not None:
        parts += [f"**Why it matters.** {rule.why}", render_examples(rule)]
    if finding.fix is not None and finding.fix.edits:
        safety = "unsafe" if finding.fix.applicability is Applicability.UNSAFE else "safe"
        parts += [
            f"**Fix here** ({safety}): {finding.fix.message}",
            f"```diff\n{fix_diff(line_text, line_count, finding.fix.edits)}\n```",
        ]
    standard = f"Standard: *{rule.section}* · " if rule is not None else ""
    parts.append(f"{standard}[{finding.code} documentation]({docs_url(finding)})")
    return "\n\n".join(parts)


def metrics_hover(measured: MeasuredFunction, limit: int | None) -> str:
    """Render a function's complexity metrics.

    Args:
        measured: The function's metrics.
        limit: BP101's ``max-complexity`` in force (None when BP101 is off).

    Returns:
        Markdown.
    """
    metrics = measured.metrics
    allowed = f" (limit {limit})" if limit is not None else ""
    rows = [
        f"### `{metrics.name}`: complexity",
        f"- Cognitive complexity: **{metrics.cognitive}**{allowed}",
    ]
    if metrics.cyclomatic is None or metrics.maintainability is None:
        rows.append(
            "- Cyclomatic complexity and maintainability (radon): not measured, the "
            "function uses syntax newer than the Python running precepts"
        )
    else:
        rows += [
            f"- Cyclomatic complexity (radon): **{metrics.cyclomatic}**",
            f"- Maintainability index (radon): **{metrics.maintainability:g}** "
            f"(rank {metrics.maintainability_rank})",
        ]
    if metrics.increments:
        steps = ", ".join(
            f"`{increment.keyword}` {increment.label} (line {line + 1})"
            for increment, line in zip(metrics.increments, measured.increment_lines, strict=True)
        )
        rows.append(f"\nIncrements: {steps}")
    return "\n".join(rows)

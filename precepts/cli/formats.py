"""Output formats of ``precepts check``: concise, full, json (ruff's schema), sarif, github."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from precepts import DOCS_URL, __version__
from precepts.engine import RuleError
from precepts.findings import Applicability, Finding, Fix, Severity
from precepts.registry import all_rules
from precepts.text import split_lines

FORMATS = ("concise", "full", "json", "sarif", "github")


@dataclass
class FileReport:
    """The findings of one file, ready to print."""

    path: str
    text: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    fixed: int = 0


def docs_url(code: str) -> str:
    """Return the docs page of a rule.

    Args:
        code: The rule code.

    Returns:
        The URL.
    """
    rule = all_rules().get(code)
    return DOCS_URL.format(code=code, name=rule.name if rule else "")


def _location(line: int, column: int) -> dict[str, int]:
    return {"row": line + 1, "column": column + 1}


def _fix_json(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [
            {
                "content": edit.content,
                "location": _location(edit.range.start.line, edit.range.start.column),
                "end_location": _location(edit.range.end.line, edit.range.end.column),
            }
            for edit in fix.edits
        ],
    }


def to_json(reports: Sequence[FileReport]) -> str:
    """Render findings with the schema of ``ruff check --output-format json``.

    Rows and columns are 1-based; columns count characters, as ruff's do.

    Args:
        reports: Per-file reports.

    Returns:
        A JSON array.
    """
    items = []
    for report in reports:
        for finding in report.findings:
            start, end = finding.range.start, finding.range.end
            items.append(
                {
                    "cell": None,
                    "code": finding.code,
                    "end_location": _location(end.line, end.column),
                    "filename": str(Path(report.path).resolve()),
                    "fix": _fix_json(finding.fix),
                    "location": _location(start.line, start.column),
                    "message": finding.message,
                    "noqa_row": start.line + 1,
                    "url": docs_url(finding.code),
                    "severity": finding.severity.value,
                    "name": finding.name,
                }
            )
    return json.dumps(items, indent=2, ensure_ascii=False)


_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "note",
    Severity.HINT: "note",
}


def to_sarif(reports: Sequence[FileReport]) -> str:
    """Render findings as SARIF 2.1.0 for code scanning.

    Args:
        reports: Per-file reports.

    Returns:
        The SARIF log as JSON.
    """
    used = sorted({f.code for r in reports for f in r.findings})
    rules = all_rules()
    index = {code: i for i, code in enumerate(used)}
    descriptors = []
    for code in used:
        rule = rules.get(code)
        descriptors.append(
            {
                "id": code,
                "name": rule.name if rule else code,
                "shortDescription": {"text": rule.message if rule else code},
                "fullDescription": {"text": rule.summary if rule else code},
                "helpUri": docs_url(code),
                "help": {"text": rule.why if rule else code},
                "properties": {"tags": [rule.family] if rule else []},
            }
        )
    results = []
    for report in reports:
        uri = Path(report.path).as_posix()
        for finding in report.findings:
            start, end = finding.range.start, finding.range.end
            results.append(
                {
                    "ruleId": finding.code,
                    "ruleIndex": index[finding.code],
                    "level": _SARIF_LEVEL[finding.severity],
                    "message": {"text": finding.message},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": uri},
                                "region": {
                                    "startLine": start.line + 1,
                                    "startColumn": start.column + 1,
                                    "endLine": end.line + 1,
                                    "endColumn": end.column + 1,
                                },
                            }
                        }
                    ],
                }
            )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "precepts",
                        "version": __version__,
                        "informationUri": DOCS_URL.rsplit("/docs/", 1)[0],
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_github(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(reports: Sequence[FileReport]) -> str:
    """Render findings as GitHub Actions workflow commands (annotations).

    Args:
        reports: Per-file reports.

    Returns:
        One ``::error``/``::warning``/``::notice`` line per finding.
    """
    lines = []
    kinds = {Severity.ERROR: "error", Severity.WARNING: "warning"}
    for report in reports:
        for f in report.findings:
            start, end = f.range.start, f.range.end
            props = ",".join(
                [
                    f"title={_escape_github(f'precepts ({f.code})', True)}",
                    f"file={_escape_github(report.path, True)}",
                    f"line={start.line + 1}",
                    f"col={start.column + 1}",
                    f"endLine={end.line + 1}",
                    f"endColumn={end.column + 1}",
                ]
            )
            kind = kinds.get(f.severity, "notice")
            lines.append(f"::{kind} {props}::{_escape_github(f'{f.code} {f.message}')}")
    return "\n".join(lines)


def _marker(finding: Finding, unsafe: bool) -> str:
    fix = finding.fix
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE or unsafe:
        return "[*] "
    return "[-] "


def to_concise(reports: Sequence[FileReport], unsafe: bool) -> str:
    """Render one line per finding: ``path:row:col: CODE [*] message``.

    Args:
        reports: Per-file reports.
        unsafe: Whether unsafe fixes are enabled (they then count as fixable).

    Returns:
        The lines.
    """
    lines = []
    for report in reports:
        for f in report.findings:
            start = f.range.start
            lines.append(
                f"{report.path}:{start.line + 1}:{start.column + 1}: "
                f"{f.code} {_marker(f, unsafe)}{f.message}"
            )
    return "\n".join(lines)


def _source_frame(lines: Sequence[str], finding: Finding) -> list[str]:
    start, end = finding.range.start, finding.range.end
    frame = []
    for number in range(max(0, start.line - 1), min(len(lines), start.line + 2)):
        frame.append(f"{number + 1:>5} | {lines[number]}")
        if number == start.line:
            stop = end.column if end.line == start.line else len(lines[number])
            width = max(1, stop - start.column)
            frame.append(f"      | {' ' * start.column}{'^' * width} {finding.code}")
    return frame


def _notes(finding: Finding) -> list[str]:
    notes = [f"      = {r.range.start.line + 1}: {r.message}" for r in finding.related[:20]]
    if finding.fix is not None:
        kind = "safe" if finding.fix.applicability is Applicability.SAFE else "unsafe"
        notes.append(f"      = help ({kind} fix): {finding.fix.message}")
    notes.append(f"      = docs: {docs_url(finding.code)}")
    return notes


def to_full(reports: Sequence[FileReport], unsafe: bool) -> str:
    """Render each finding with its source lines, a caret line, and the fix.

    Args:
        reports: Per-file reports.
        unsafe: Whether unsafe fixes are enabled.

    Returns:
        The text.
    """
    blocks = []
    for report in reports:
        lines = split_lines(report.text)
        for f in report.findings:
            start = f.range.start
            head = (
                f"{report.path}:{start.line + 1}:{start.column + 1}: "
                f"{f.code} {_marker(f, unsafe)}{f.message}"
            )
            blocks.append("\n".join([head, *_source_frame(lines, f), *_notes(f)]))
    return "\n\n".join(blocks)


def summary(reports: Sequence[FileReport], unsafe: bool, fix_mode: bool) -> str:
    """Return the closing lines of a text report.

    Args:
        reports: Per-file reports.
        unsafe: Whether unsafe fixes are enabled.
        fix_mode: Whether ``--fix`` ran.

    Returns:
        The summary text (may be empty).
    """
    findings = [f for r in reports for f in r.findings]
    fixed = sum(r.fixed for r in reports)
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.")
    if not findings:
        if not fixed:
            parts.append("All checks passed!")
        return "\n".join(parts)
    parts.append(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}.")
    fixable = [
        f for f in findings if f.fix and (f.fix.applicability is Applicability.SAFE or unsafe)
    ]
    hidden = [f for f in findings if f.fix and f.fix.applicability is Applicability.UNSAFE]
    if fixable and not fix_mode:
        parts.append(f"[*] {len(fixable)} fixable with the `--fix` option.")
    if hidden and not unsafe:
        parts.append(f"[-] {len(hidden)} more fixable with `--fix --unsafe-fixes` (review them).")
    return "\n".join(parts)


def statistics(reports: Sequence[FileReport], as_json: bool) -> str:
    """Count findings per code.

    Args:
        reports: Per-file reports.
        as_json: Render as JSON instead of a table.

    Returns:
        The statistics.
    """
    counts = Counter(f.code for r in reports for f in r.findings)
    fixable = Counter(f.code for r in reports for f in r.findings if f.fix is not None)
    rules = all_rules()
    rows = [
        {
            "code": code,
            "name": rules[code].name if code in rules else code,
            "count": count,
            "fixable": fixable[code] > 0,
        }
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    if as_json:
        return json.dumps(rows, indent=2)
    return "\n".join(
        f"{row['count']:>6}  {row['code']:<7} {'[*]' if row['fixable'] else '   '} {row['name']}"
        for row in rows
    )

"""Findings as LSP diagnostics, shaped by what the client supports.

Every diagnostic carries the rule code, ``source`` ``precepts`` and the configured
severity. A link to the rule's page (``codeDescription``), tags, related locations
(each cognitive-complexity increment, for example) and ``data`` are added only when the
client advertised them. ``data`` holds what a code action needs (the rule code and the
fix's edits, already in the client's units), so code actions never re-check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

from lsprotocol import types as lsp

from precepts import DOCS_URL
from precepts.engine import UNUSED_NOQA
from precepts.findings import Applicability, Finding, Severity
from precepts.server.capabilities import ClientFeatures
from precepts.server.convert import Converter, JsonValue, edits_data, range_data

SOURCE = "precepts"

_SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}
# Codes whose findings mark code that can simply go (shown faded by editors).
_UNNECESSARY = frozenset({UNUSED_NOQA})


def docs_url(finding: Finding) -> str:
    """Return the documentation page of a finding's rule.

    Args:
        finding: The finding.

    Returns:
        The URL.
    """
    return DOCS_URL.format(code=finding.code, name=finding.name)


def fix_title(finding: Finding) -> str | None:
    """Return the title of a finding's quick fix (marked when unsafe).

    Args:
        finding: The finding.

    Returns:
        The title, or None without a fix.
    """
    fix = finding.fix
    if fix is None:
        return None
    unsafe = fix.applicability is Applicability.UNSAFE
    return f"{fix.message} (unsafe)" if unsafe else fix.message


def finding_data(finding: Finding, converter: Converter) -> dict[str, JsonValue]:
    """Return what a code action needs to know about a finding.

    Args:
        finding: The finding.
        converter: Converts its positions.

    Returns:
        JSON data: the code, the finding's range, and its fix when it has one.
    """
    data: dict[str, JsonValue] = {
        "code": finding.code,
        "range": range_data(converter.range_to_client(finding.range)),
    }
    if finding.fix is not None:
        data["fix"] = {
            "title": fix_title(finding),
            "unsafe": finding.fix.applicability is Applicability.UNSAFE,
            "edits": edits_data(converter.edit_to_client(e) for e in finding.fix.edits),
        }
    return data


def to_diagnostic(
    finding: Finding, uri: str, converter: Converter, features: ClientFeatures
) -> lsp.Diagnostic:
    """Convert one finding.

    Args:
        finding: The finding.
        uri: The document (for related locations).
        converter: Converts its positions.
        features: What the client supports.

    Returns:
        The diagnostic.
    """
    diagnostic = lsp.Diagnostic(
        range=converter.range_to_client(finding.range),
        message=finding.message,
        severity=_SEVERITIES[finding.severity],
        code=finding.code,
        source=SOURCE,
    )
    if features.code_description:
        diagnostic.code_description = lsp.CodeDescription(href=docs_url(finding))
    if finding.code in _UNNECESSARY and features.knows_tag(lsp.DiagnosticTag.Unnecessary):
        diagnostic.tags = [lsp.DiagnosticTag.Unnecessary]
    if finding.related and features.related_information:
        diagnostic.related_information = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(uri=uri, range=converter.range_to_client(item.range)),
                message=item.message,
            )
            for item in finding.related
        ]
    if features.diagnostic_data:
        diagnostic.data = finding_data(finding, converter)
    return diagnostic


def to_diagnostics(
    findings: Iterable[Finding], uri: str, converter: Converter, features: ClientFeatures
) -> list[lsp.Diagnostic]:
    """Convert findings.

    Args:
        findings: The findings.
        uri: Their document.
        converter: Converts positions.
        features: What the client supports.

    Returns:
        The diagnostics, in the same order.
    """
    return [to_diagnostic(finding, uri, converter, features) for finding in findings]


def result_id(diagnostics: Sequence[lsp.Diagnostic], salt: str = "") -> str:
    """Return a pull-diagnostics result id: equal ids mean equal diagnostics.

    Args:
        diagnostics: The report's diagnostics.
        salt: Anything else the report depends on.

    Returns:
        A short digest.
    """
    digest = hashlib.sha1(salt.encode("utf-8"), usedforsecurity=False)
    for diagnostic in diagnostics:
        start, end = diagnostic.range.start, diagnostic.range.end
        key = (start.line, start.character, end.line, end.character, diagnostic.code)
        digest.update(json.dumps([key, diagnostic.message, diagnostic.severity]).encode())
        related = [
            (item.location.range.start.line, item.location.range.start.character, item.message)
            for item in diagnostic.related_information or ()
        ]
        digest.update(json.dumps([related, diagnostic.data], sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


class DiagnosticJson:
    """A document's diagnostics as JSON text, each finding converted and encoded once.

    Between two checks most findings are the very same objects (the incremental engine
    reuses the findings of untouched statements, in place), and their conversion, with
    its UTF-16 columns, cannot have changed: only new findings are converted, and only
    their JSON is written. For a 5,000-line module with 470 findings this turns ~15 ms of
    conversion and cattrs serialization plus ~3 ms of ``json.dumps`` per keystroke into
    joining the texts already written.
    """

    def __init__(self, unstructure: Callable[[lsp.Diagnostic], JsonValue]) -> None:
        """Convert with the protocol's own converter.

        Args:
            unstructure: Turns an lsprotocol object into JSON-ready data.
        """
        self._unstructure = unstructure
        self._known: dict[int, tuple[Finding, str]] = {}

    def convert(
        self,
        findings: Iterable[Finding],
        uri: str,
        converter: Converter,
        features: ClientFeatures,
    ) -> list[str]:
        """Return the findings as diagnostics in JSON text, reusing earlier conversions.

        Args:
            findings: The findings (their positions are those of ``converter``'s text).
            uri: Their document.
            converter: Converts positions.
            features: What the client supports.

        Returns:
            One diagnostic's JSON text per finding, in order.
        """
        known = self._known
        fresh: dict[int, tuple[Finding, str]] = {}
        result = []
        for finding in findings:
            entry = known.get(id(finding))
            if entry is None or entry[0] is not finding:
                diagnostic = to_diagnostic(finding, uri, converter, features)
                entry = (finding, json.dumps(self._unstructure(diagnostic)))
            fresh[id(finding)] = entry
            result.append(entry[1])
        # Keeping the findings keeps their ids from being reused by other objects.
        self._known = fresh
        return result

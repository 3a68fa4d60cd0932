"""Code actions: a quick fix per fixable finding, "Ignore BPxxx on this line", fix all.

Actions are built from the findings already computed for the current version (never by
checking again). When the client resolves code actions lazily, only titles and a small
``data`` payload are sent and the edit is computed in ``codeAction/resolve``; otherwise
the edits are sent at once. Unsafe fixes are offered (marked "(unsafe)") only when
``unsafeFixes`` is on; "fix all" applies every safe fix, conflict-free, re-checking and
fixing again like ``precepts check --fix`` while the document is small enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp

from precepts.cli.runner import MAX_FIX_PASSES
from precepts.engine import SYNTAX_ERROR, UNUSED_NOQA, Checker, RuleSet
from precepts.filekinds import FileKind, config_kind, parses_as
from precepts.findings import Applicability, Finding, Position, Range, TextEdit
from precepts.fixes import apply_edits, select_fixes
from precepts.server.capabilities import FIX_ALL_KIND, QUICK_FIX_KIND, ClientFeatures
from precepts.server.convert import Converter
from precepts.server.diagnostics import SOURCE, fix_title
from precepts.server.documents import CheckOutcome, OpenDocument
from precepts.server.suppress import comment_line, noqa_edit, still_parses
from precepts.text import LineIndex

APPLY_ACTION_COMMAND = "precepts.applyAction"
# Above this many lines "fix all" applies one round of fixes instead of re-checking.
FIX_LOOP_MAX_LINES = 5000
FIX = "fix"
IGNORE = "ignore"
FIX_ALL = "fixAll"
_NOT_SILENCEABLE = frozenset({SYNTAX_ERROR, UNUSED_NOQA})


@dataclass(frozen=True)
class ActionRequest:
    """What a code action request asks for, in engine coordinates.

    Attributes:
        range: The selection or cursor.
        diagnostics: The client's diagnostics at the range.
        only: The requested kinds (None: all).
    """

    range: Range
    diagnostics: Sequence[lsp.Diagnostic]
    only: Sequence[str] | None


def wants(kind: str, only: Sequence[str] | None) -> bool:
    """Tell whether a code action kind is among the requested ones (kinds nest by dots).

    Args:
        kind: The action's kind.
        only: The requested kinds (None: all).

    Returns:
        True when requested.
    """
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def _payload(document: OpenDocument, action: str, finding: Finding | None) -> dict[str, Any]:
    data: dict[str, Any] = {"uri": document.uri, "version": document.version, "action": action}
    if finding is not None:
        where = finding.range
        data["code"] = finding.code
        data["range"] = [where.start.line, where.start.column, where.end.line, where.end.column]
    return data


def _matches(finding: Finding, diagnostic: lsp.Diagnostic, converter: Converter) -> bool:
    if diagnostic.source not in (None, SOURCE) or diagnostic.code != finding.code:
        return False
    return converter.range_to_client(finding.range) == diagnostic.range


def _overlaps(finding: Finding, where: Range) -> bool:
    return finding.range.start <= where.end and where.start <= finding.range.end


def findings_for(
    outcome: CheckOutcome, request: ActionRequest, converter: Converter
) -> list[tuple[Finding, lsp.Diagnostic]]:
    """Pair the request's diagnostics with their findings.

    Without diagnostics in the request, the findings overlapping its range are taken.

    Args:
        outcome: The current findings.
        request: The request.
        converter: Converts positions.

    Returns:
        (finding, diagnostic) pairs.
    """
    ours = [d for d in request.diagnostics if d.source in (None, SOURCE)]
    pairs = []
    for finding in outcome.findings:
        if ours:
            match = next((d for d in ours if _matches(finding, d, converter)), None)
            if match is not None:
                pairs.append((finding, match))
        elif _overlaps(finding, request.range):
            pairs.append((finding, _bare_diagnostic(finding, converter)))
    return pairs


def _bare_diagnostic(finding: Finding, converter: Converter) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=converter.range_to_client(finding.range),
        message=finding.message,
        code=finding.code,
        source=SOURCE,
    )


def _offered_fix(finding: Finding, unsafe_allowed: bool) -> bool:
    fix = finding.fix
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or unsafe_allowed


@dataclass(frozen=True)
class Planned:
    """A code action before its edit is computed.

    Attributes:
        title: Its title.
        kind: Its kind.
        data: What resolves it.
        diagnostic: The diagnostic it fixes, if any.
        preferred: Whether it is the preferred fix.
    """

    title: str
    kind: str
    data: dict[str, Any]
    diagnostic: lsp.Diagnostic | None = None
    preferred: bool = False


def plan_actions(
    document: OpenDocument, outcome: CheckOutcome, request: ActionRequest, converter: Converter
) -> list[Planned]:
    """Decide which actions to offer.

    Args:
        document: The document.
        outcome: Its current findings.
        request: The request.
        converter: Converts positions.

    Returns:
        The actions, quick fixes first.
    """
    planned = []
    unsafe = document.settings.unsafe_fixes
    if wants(QUICK_FIX_KIND, request.only):
        for finding, diagnostic in findings_for(outcome, request, converter):
            if _offered_fix(finding, unsafe):
                safe = finding.fix is not None and finding.fix.applicability is Applicability.SAFE
                title = fix_title(finding) or finding.code
                planned.append(
                    Planned(
                        title, QUICK_FIX_KIND, _payload(document, FIX, finding), diagnostic, safe
                    )
                )
            # noqa comments are Python's: a configuration file is silenced by per-file-ignores.
            silenceable = finding.code not in _NOT_SILENCEABLE and document.is_python
            if silenceable and _can_silence(document, finding):
                title = f"Ignore {finding.code} on this line"
                data = _payload(document, IGNORE, finding)
                planned.append(Planned(title, QUICK_FIX_KIND, data, diagnostic))
    if wants(FIX_ALL_KIND, request.only) and select_fixes(outcome.findings, unsafe=False):
        title = "Fix all safe precepts findings"
        planned.append(Planned(title, FIX_ALL_KIND, _payload(document, FIX_ALL, None)))
    return planned


def _can_silence(document: OpenDocument, finding: Finding) -> bool:
    directives = document.noqa_map()
    line = comment_line(directives, finding.range.start.line)
    text = document.model.buffer.line_text(line)
    return noqa_edit(text, line, finding.code, directives) is not None


def to_code_action(
    planned: Planned, edit: lsp.WorkspaceEdit | None, features: ClientFeatures
) -> lsp.CodeAction:
    """Build the LSP code action.

    Args:
        planned: The planned action.
        edit: Its edit (None when it is resolved later).
        features: What the client supports.

    Returns:
        The code action.
    """
    action = lsp.CodeAction(title=planned.title, kind=planned.kind)
    if planned.diagnostic is not None:
        action.diagnostics = [planned.diagnostic]
    if planned.preferred and features.is_preferred:
        action.is_preferred = True
    if edit is None:
        action.data = planned.data
    else:
        action.edit = edit
    return action


def to_command(planned: Planned) -> lsp.Command:
    """Build a command for a client without code action literals.

    Args:
        planned: The planned action.

    Returns:
        A command that applies it through ``workspace/applyEdit``.
    """
    return lsp.Command(title=planned.title, command=APPLY_ACTION_COMMAND, arguments=[planned.data])


def workspace_edit(
    document: OpenDocument,
    edits: Iterable[TextEdit],
    converter: Converter,
    features: ClientFeatures,
) -> lsp.WorkspaceEdit:
    """Wrap edits of one document into a workspace edit.

    Args:
        document: The document.
        edits: Engine edits.
        converter: Converts positions.
        features: Whether versioned ``documentChanges`` are supported.

    Returns:
        The workspace edit.
    """
    changes = [converter.edit_to_client(edit) for edit in edits]
    if features.document_changes:
        identifier = lsp.OptionalVersionedTextDocumentIdentifier(
            uri=document.uri, version=document.version
        )
        return lsp.WorkspaceEdit(
            document_changes=[lsp.TextDocumentEdit(text_document=identifier, edits=changes)]
        )
    return lsp.WorkspaceEdit(changes={document.uri: changes})


def _finding_of(outcome: CheckOutcome, data: dict[str, Any]) -> Finding | None:
    wanted = data.get("range")
    for finding in outcome.findings:
        where = finding.range
        spot = [where.start.line, where.start.column, where.end.line, where.end.column]
        if finding.code == data.get("code") and spot == wanted:
            return finding
    return None


def fix_edits(
    outcome: CheckOutcome, data: dict[str, Any], unsafe_allowed: bool
) -> list[TextEdit] | None:
    """Return the edits of one finding's fix.

    Args:
        outcome: The current findings.
        data: The action's payload.
        unsafe_allowed: Whether unsafe fixes may be applied.

    Returns:
        The edits, or None when the finding or its fix is gone.
    """
    finding = _finding_of(outcome, data)
    if finding is None or not _offered_fix(finding, unsafe_allowed):
        return None
    return list(finding.fix.edits) if finding.fix else None


def ignore_edits(
    document: OpenDocument, outcome: CheckOutcome, data: dict[str, Any]
) -> list[TextEdit] | None:
    """Return the edit that adds the finding's code to a ``# noqa`` comment.

    Args:
        document: The document.
        outcome: The current findings.
        data: The action's payload.

    Returns:
        The edit, or None when it cannot be made or would not parse.
    """
    finding = _finding_of(outcome, data)
    if finding is None or finding.code in _NOT_SILENCEABLE:
        return None
    directives = document.noqa_map()
    line = comment_line(directives, finding.range.start.line)
    edit = noqa_edit(document.model.buffer.line_text(line), line, finding.code, directives)
    if edit is None:
        return None
    text = document.model.buffer.text
    if not still_parses(text, apply_edits(text, [edit])):
        return None
    return [edit]


def fix_all_edits(
    text: str, findings: Sequence[Finding], ruleset: RuleSet, path: str, thorough: bool = True
) -> list[TextEdit]:
    """Compute "fix all": every safe fix, then re-check and fix again (a thread job).

    Fixes can unlock or conflict with each other; like ``precepts check --fix``, the
    fixed text is checked again and fixed again until nothing changes, unless the
    document is too large for that to be quick.

    Args:
        text: The document's text.
        findings: Its current findings.
        ruleset: Its rules.
        path: Its path.
        thorough: False for one round only (no re-check).

    Returns:
        The first round's edits when one round was enough, else one edit of the
        changed span.
    """
    first = [edit for fix in select_fixes(findings, unsafe=False) for edit in fix.edits]
    if not first:
        return []
    fixed = apply_edits(text, first)
    kind = config_kind(path) or FileKind.PYTHON
    if not parses_as(kind, fixed):
        return []  # never hand the editor a file that no longer loads as what it is
    if not thorough or text.count("\n") > FIX_LOOP_MAX_LINES:
        return first
    final = fixed
    checker = Checker(ruleset)
    for _ in range(MAX_FIX_PASSES - 1):
        fixes = select_fixes(checker.check(final, path).findings, unsafe=False)
        again = apply_edits(final, [edit for fix in fixes for edit in fix.edits])
        if again == final:
            break
        final = again
    if final != fixed and not parses_as(kind, final):
        return first
    return first if final == fixed else replacement_edit(text, final)


def replacement_edit(before: str, after: str) -> list[TextEdit]:
    """Return one edit that turns ``before`` into ``after`` (only the changed span).

    Args:
        before: The original text.
        after: The new text.

    Returns:
        No edit when they are equal, else one.
    """
    if before == after:
        return []
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    index = LineIndex(before)
    first = Position(*index.position(start))
    last = Position(*index.position(len(before) - end))
    return [TextEdit(Range(first, last), after[start : len(after) - end])]

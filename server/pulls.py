"""Diagnostics on request: one document, the whole workspace, or the workspace command.

``textDocument/diagnostic`` and ``workspace/diagnostic`` answer pull requests; the
``precepts.checkWorkspace`` command publishes the workspace's diagnostics instead.

A report's result id is a digest of its diagnostics, so a client that sends back the id
of what it shows gets an ``unchanged`` report whenever nothing changed, even across
versions. Reports are built from the findings of the document's current version: a
request that arrives while the document is being checked waits for that check.

Clients ask for workspace diagnostics again as soon as they have an answer. When
nothing changed since the ids the client sent, the request is held (LSP's "long
polling") until a document, a configuration or a watched file changes, or for
:data:`HOLD_SECONDS` at most (files edited outside the editor are seen then), so an
idle workspace costs nothing.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types as lsp

from precepts.server.app import PreceptsServer
from precepts.server.diagnostics import result_id
from precepts.server.workspace import FileOutcome, Progress, check_workspace

log = logging.getLogger(__name__)

WORKSPACE_TITLE = "precepts: checking the workspace"
HOLD_SECONDS = 30.0

WorkspaceItem = (
    lsp.WorkspaceFullDocumentDiagnosticReport | lsp.WorkspaceUnchangedDocumentDiagnosticReport
)


async def document_report(
    ls: PreceptsServer, params: lsp.DocumentDiagnosticParams
) -> lsp.DocumentDiagnosticReport:
    """Answer ``textDocument/diagnostic``.

    Args:
        ls: The server.
        params: The request.

    Returns:
        A full report, or an unchanged one when the client's result id still holds.
    """
    document = ls.documents.get(params.text_document.uri)
    outcome = await ls.scheduler.current(document) if document is not None else None
    if document is None or outcome is None or not document.is_checked:
        return lsp.RelatedFullDocumentDiagnosticReport(items=[])
    diagnostics = ls.diagnostics_of(document, outcome) + ls.config_diagnostics_of(document.uri)
    identifier = result_id(diagnostics)
    if params.previous_result_id == identifier:
        return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=identifier)
    return lsp.RelatedFullDocumentDiagnosticReport(items=diagnostics, result_id=identifier)


def _item(
    uri: str,
    diagnostics: list[lsp.Diagnostic],
    identifier: str,
    version: int | None,
    previous: dict[str, str],
) -> WorkspaceItem:
    if previous.get(uri) == identifier:
        return lsp.WorkspaceUnchangedDocumentDiagnosticReport(
            uri=uri, result_id=identifier, version=version
        )
    return lsp.WorkspaceFullDocumentDiagnosticReport(
        uri=uri, items=diagnostics, version=version, result_id=identifier
    )


async def _collect(
    ls: PreceptsServer, progress: Progress, previous: dict[str, str]
) -> list[WorkspaceItem]:
    items: list[WorkspaceItem] = []
    for document in list(ls.documents.values()):
        outcome = await ls.scheduler.current(document)
        if outcome is None or not document.is_checked:
            continue
        diagnostics = ls.diagnostics_of(document, outcome) + ls.config_diagnostics_of(document.uri)
        identifier = result_id(diagnostics)
        items.append(_item(document.uri, diagnostics, identifier, document.version, previous))
    for file in await check_workspace(ls, progress, ls.checks):
        items.append(_item(file.uri, file.diagnostics, file.result_id, None, previous))
    return items


async def workspace_report(
    ls: PreceptsServer, params: lsp.WorkspaceDiagnosticParams
) -> lsp.WorkspaceDiagnosticReport:
    """Answer ``workspace/diagnostic``: open documents as edited, other files from disk.

    Args:
        ls: The server.
        params: The request.

    Returns:
        One report per Python file of the workspace.
    """
    previous = {item.uri: item.value for item in params.previous_result_ids}
    progress = await Progress.start(ls, WORKSPACE_TITLE, params.work_done_token)
    try:
        while True:
            ls.workspace_changed.clear()
            items = await _collect(ls, progress, previous)
            if not previous or any(
                isinstance(i, lsp.WorkspaceFullDocumentDiagnosticReport) for i in items
            ):
                return lsp.WorkspaceDiagnosticReport(items=items)
            try:
                await asyncio.wait_for(ls.workspace_changed.wait(), HOLD_SECONDS)
            except TimeoutError:
                pass  # look at the files on disk again
    finally:
        progress.end("done")


async def publish_workspace(ls: PreceptsServer) -> dict[str, int]:
    """Check every file of the workspace and publish the diagnostics of those not open.

    Args:
        ls: The server.

    Returns:
        ``{"files": ..., "findings": ...}`` for the files checked from disk.
    """
    progress = await Progress.start(ls, WORKSPACE_TITLE)
    try:
        checked: list[FileOutcome] = await check_workspace(ls, progress, ls.checks)
    finally:
        progress.end("done")
    findings = 0
    for file in checked:
        if file.error:
            log.warning("%s", file.error)
        findings += len(file.diagnostics)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=file.uri, diagnostics=file.diagnostics)
        )
    log.info("workspace check: %d files, %d findings", len(checked), findings)
    return {"files": len(checked), "findings": findings}

"""The LSP handlers: thin ``async`` functions over :class:`PreceptsServer`.

Every handler is a coroutine, so it runs on the event loop without blocking it (CPU
work goes through the scheduler's slices or a worker thread) and a ``$/cancelRequest``
stops it at its next ``await``. Notifications about documents the server does not know
are logged and ignored.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest

from precepts.server.actions import (
    APPLY_ACTION_COMMAND,
    FIX_ALL,
    ActionRequest,
    plan_actions,
    to_code_action,
    to_command,
)
from precepts.server.app import COVERAGE_NAMES, PreceptsServer, path_of, rule_limit
from precepts.server.capabilities import FIX_ALL_KIND
from precepts.server.configs import CONFIG_NAMES
from precepts.server.hover import (
    SEPARATOR,
    finding_hover,
    findings_at,
    metrics_hover,
    noqa_code_at,
    noqa_hover,
)
from precepts.server.metrics import measure_at, on_def_name
from precepts.server.pulls import document_report, publish_workspace, workspace_report

log = logging.getLogger(__name__)

APPLY_FIX_ALL_COMMAND = "precepts.applyFixAll"
CHECK_WORKSPACE_COMMAND = "precepts.checkWorkspace"


def register(server: PreceptsServer) -> None:
    """Register every feature and command on the server.

    Args:
        server: The server.
    """
    _register_lifecycle(server)
    _register_documents(server)
    _register_workspace(server)
    _register_language_features(server)
    _register_commands(server)


def _register_lifecycle(server: PreceptsServer) -> None:
    @server.feature(lsp.INITIALIZE)
    def initialize(ls: PreceptsServer, params: lsp.InitializeParams) -> None:
        ls.start_session(params)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: PreceptsServer, params: lsp.InitializedParams) -> None:
        await ls.client_ready()

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: PreceptsServer, params: None) -> None:
        ls.stop()


def _register_documents(server: PreceptsServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: PreceptsServer, params: lsp.DidOpenTextDocumentParams) -> None:
        document = ls.open_document(params.text_document)
        ls.scheduler.schedule(document, 0.0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: PreceptsServer, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = ls.documents.get(uri)
        if document is None:
            log.warning("change to %s ignored: the document is not open", uri)
            return
        ls.apply_changes(document, params.text_document.version, params.content_changes)
        ls.scheduler.schedule(document)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    async def did_save(ls: PreceptsServer, params: lsp.DidSaveTextDocumentParams) -> None:
        document = ls.documents.get(params.text_document.uri)
        if document is not None:
            ls.saved(document)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: PreceptsServer, params: lsp.DidCloseTextDocumentParams) -> None:
        document = ls.documents.pop(params.text_document.uri, None)
        if document is None:
            log.warning("close of %s ignored: the document is not open", params.text_document.uri)
            return
        ls.close_document(document)


def _register_workspace(server: PreceptsServer) -> None:
    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: PreceptsServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        ls.editor_settings.pushed(params.settings)
        await ls.pull_configuration()
        ls.settings_changed()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: PreceptsServer, params: lsp.DidChangeWatchedFilesParams
    ) -> None:
        names = {change.uri.rsplit("/", 1)[-1] for change in params.changes}
        if names & COVERAGE_NAMES:
            ls.coverage_files_changed()
        if names & set(CONFIG_NAMES):
            ls.config_files_changed()
        paths = [path_of(change.uri) for change in params.changes]
        if any(path is not None and ls.baselines.is_baseline(path) for path in paths):
            ls.baseline_changed()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(
        ls: PreceptsServer, params: lsp.DidChangeWorkspaceFoldersParams
    ) -> None:
        await ls.pull_configuration()
        ls.config_files_changed()


def _register_language_features(server: PreceptsServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="precepts", inter_file_dependencies=False, workspace_diagnostics=True
        ),
    )
    async def diagnostic(
        ls: PreceptsServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.DocumentDiagnosticReport:
        return await document_report(ls, params)

    @server.feature(lsp.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: PreceptsServer, params: lsp.WorkspaceDiagnosticParams
    ) -> lsp.WorkspaceDiagnosticReport:
        return await workspace_report(ls, params)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: PreceptsServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return await hover_at(ls, params)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True
        ),
    )
    async def code_action(
        ls: PreceptsServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction | lsp.Command] | None:
        return await code_actions(ls, params)

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: PreceptsServer, params: lsp.CodeAction) -> lsp.CodeAction:
        return await resolve_action(ls, params)


def _register_commands(server: PreceptsServer) -> None:
    @server.command(APPLY_FIX_ALL_COMMAND)
    async def apply_fix_all(ls: PreceptsServer, uri: str = "") -> dict[str, Any]:
        return await apply_payload(ls, {"uri": uri, "action": FIX_ALL})

    @server.command(APPLY_ACTION_COMMAND)
    async def apply_action(
        ls: PreceptsServer, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await apply_payload(ls, data or {})

    @server.command(CHECK_WORKSPACE_COMMAND)
    async def check_workspace(ls: PreceptsServer) -> dict[str, int]:
        return await publish_workspace(ls)


async def hover_at(ls: PreceptsServer, params: lsp.HoverParams) -> lsp.Hover | None:
    """Answer a hover: ``# noqa`` codes, findings under the cursor, function metrics.

    Args:
        ls: The server.
        params: The request.

    Returns:
        The hover, or None when there is nothing to say.
    """
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    outcome = await ls.scheduler.current(document)
    if outcome is None or outcome.skipped:
        return None  # a document too large to check is too large to parse for a hover
    converter = document.converter(ls.features.unit)
    line, column = converter.from_client(params.position)
    sections = []
    code = noqa_code_at(document.noqa_map(), line, column)
    if code is not None:
        sections.append(noqa_hover(code[0]))
    buffer = document.model.buffer
    for finding in findings_at(outcome.findings, line, column):
        sections.append(finding_hover(finding, buffer.line_text, buffer.line_count))
    measured = None
    if on_def_name(buffer.line_text(line), column):
        measured = await asyncio.to_thread(measure_at, buffer.text, line, column)
    if measured is not None:
        limit = rule_limit(document.settings, document.model.ruleset, "BP101", "max-complexity")
        sections.append(metrics_hover(measured, limit))
    text = SEPARATOR.join(section for section in sections if section)
    if not text:
        return None
    kind = lsp.MarkupKind.Markdown if ls.features.markdown else lsp.MarkupKind.PlainText
    return lsp.Hover(contents=lsp.MarkupContent(kind=kind, value=text))


async def code_actions(
    ls: PreceptsServer, params: lsp.CodeActionParams
) -> list[lsp.CodeAction | lsp.Command] | None:
    """Answer a code action request from the current findings.

    Args:
        ls: The server.
        params: The request.

    Returns:
        Code actions (commands for a client without code action literals).
    """
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    outcome = await ls.scheduler.current(document)
    if outcome is None:
        return None
    converter = document.converter(ls.features.unit)
    context = params.context
    request = ActionRequest(
        converter.range_from_client(params.range), context.diagnostics, context.only
    )
    planned = plan_actions(document, outcome, request, converter)
    if not ls.features.code_action_literals:
        return [to_command(item) for item in planned] if ls.features.apply_edit else []
    if ls.features.lazy_actions:
        return [to_code_action(item, None, ls.features) for item in planned]
    actions: list[lsp.CodeAction | lsp.Command] = []
    for item in planned:
        # Without an explicit request for "fix all", its edit is one round of the
        # fixes already known: the re-check loop would cost a check per request.
        edit = await ls.action_edit(document, outcome, item.data, thorough=bool(context.only))
        if edit is not None:
            actions.append(to_code_action(item, edit, ls.features))
    return actions


async def resolve_action(ls: PreceptsServer, action: lsp.CodeAction) -> lsp.CodeAction:
    """Compute a lazily offered code action's edit.

    Args:
        ls: The server.
        action: The action with its ``data``.

    Returns:
        The action, with its edit when it still applies.
    """
    data = action.data if isinstance(action.data, dict) else {}
    document = ls.documents.get(str(data.get("uri", "")))
    if document is None or document.version != data.get("version"):
        log.info("code action %r is stale: the document changed", action.title)
        return action
    outcome = await ls.scheduler.current(document)
    if outcome is not None and document.version == data.get("version"):
        action.edit = await ls.action_edit(document, outcome, data)
    return action


async def apply_payload(ls: PreceptsServer, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a code action payload through ``workspace/applyEdit`` (commands).

    Args:
        ls: The server.
        data: ``{"uri": ..., "action": ...}`` and what the action needs.

    Returns:
        ``{"applied": bool}``.

    Raises:
        JsonRpcInvalidParams: When the document is not open.
        JsonRpcInvalidRequest: When the client cannot apply edits.
    """
    document = ls.documents.get(str(data.get("uri", "")))
    if document is None:
        raise JsonRpcInvalidParams(f"not an open document: {data.get('uri')!r}")
    if not ls.features.apply_edit:
        raise JsonRpcInvalidRequest("the client does not support workspace/applyEdit")
    outcome = await ls.scheduler.current(document)
    if outcome is None:
        return {"applied": False}
    if "version" in data and data["version"] != document.version:
        return {"applied": False}
    edit = await ls.action_edit(document, outcome, data)
    if edit is None:
        return {"applied": False}
    params = lsp.ApplyWorkspaceEditParams(edit=edit, label="precepts")
    result = await ls.workspace_apply_edit_async(params)
    return {"applied": bool(result.applied)}

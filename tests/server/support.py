"""Test client and helpers for the end-to-end language server tests.

The client is pytest-lsp's, with three additions:

* it records every ``textDocument/publishDiagnostics`` (with its version), answers
  ``client/registerCapability`` and ``workspace/applyEdit`` (recording them);
* it checks everything the server sends against the client's declared capabilities and
  raises ``LspSpecificationWarning`` for anything the client did not advertise (the
  tests turn that warning into an error);
* helpers to open, edit and read documents in the client's position encoding.

Waiting is bounded (``WAIT`` seconds) only so a broken server fails a test instead of
hanging it; no test asserts how long anything takes.
"""

from __future__ import annotations

import asyncio
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as t
from pygls.capabilities import get_capability
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, LspSpecificationWarning
from pytest_lsp.checks import check_params_of, check_result_for
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from precepts.config import Settings
from precepts.engine import check_text
from precepts.text import ColumnUnit, column_to_units, split_lines, units_to_column

WAIT = 60.0
SERVER = [sys.executable, "-m", "precepts", "serve"]
HERE = Path(__file__).resolve().parent
# Every end-to-end module: one event loop per module (its client is module-scoped), and a
# message the specification does not allow fails the test.
END_TO_END = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"),
]


@dataclass(frozen=True)
class Profile:
    """A recorded client and what the server must do for it.

    Attributes:
        name: The pytest-lsp capability set.
        encoding: The position encoding the server must pick.
        pull: Whether diagnostics are pulled.
        lazy_actions: Whether code action edits come from ``codeAction/resolve``.
        custom: Capabilities of a made-up client (instead of a recorded one).
    """

    name: str
    encoding: str
    pull: bool
    lazy_actions: bool
    custom: t.ClientCapabilities | None = field(default=None, compare=False)

    @property
    def unit(self) -> ColumnUnit:
        return ColumnUnit(self.encoding)

    def capabilities(self) -> t.ClientCapabilities:
        if self.custom is not None:
            return self.custom
        return pytest_lsp.client_capabilities(self.name)


PROFILES = (
    Profile("visual-studio-code", "utf-16", pull=False, lazy_actions=True),
    Profile("neovim@v0.7", "utf-16", pull=False, lazy_actions=True),
    Profile("neovim@v0.11", "utf-8", pull=True, lazy_actions=True),
    Profile("emacs", "utf-32", pull=False, lazy_actions=False),
)
PROFILE_IDS = ("vscode", "nvim0.7", "nvim0.11", "emacs")


class Client(LanguageClient):
    """pytest-lsp's client, recording what the server sends and checking it.

    Attributes:
        published: Every publishDiagnostics, in arrival order.
        registrations: Capabilities the server registered.
        applied: Edits the server asked the client to apply.
        profile: The recorded client being impersonated.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[t.PublishDiagnosticsParams] = []
        self.registrations: list[t.Registration] = []
        self.applied: list[t.ApplyWorkspaceEditParams] = []
        self.profile: Profile | None = None


def make_client() -> Client:
    """Build the test client with its extra handlers."""
    client = Client(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[t.CLIENT_REGISTER_CAPABILITY] = _register
    features[t.WORKSPACE_APPLY_EDIT] = _apply_edit
    register_lsp_features(client, features)
    return client


def _publish(client: Client, params: t.PublishDiagnosticsParams) -> None:
    if client.capabilities is not None:
        for diagnostic in params.diagnostics:
            _check_diagnostic(client.capabilities, diagnostic, "textDocument.publishDiagnostics")
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register(client: Client, params: t.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _apply_edit(client: Client, params: t.ApplyWorkspaceEditParams) -> t.ApplyWorkspaceEditResult:
    client.applied.append(params)
    return t.ApplyWorkspaceEditResult(applied=True)


# --- capability checks -------------------------------------------------------------


def _cap(capabilities: t.ClientCapabilities, path: str, default: Any = None) -> Any:
    return get_capability(capabilities, path, default)


def _diagnostic_cap(capabilities: t.ClientCapabilities, name: str) -> Any:
    pulled = _cap(capabilities, f"text_document.diagnostic.{name}")
    return (
        pulled
        if pulled is not None
        else _cap(capabilities, f"text_document.publish_diagnostics.{name}")
    )


def _check_diagnostic(
    capabilities: t.ClientCapabilities, diagnostic: t.Diagnostic, where: str
) -> None:
    problems = []
    if diagnostic.related_information and not _diagnostic_cap(capabilities, "related_information"):
        problems.append("relatedInformation")
    if diagnostic.code_description and not _diagnostic_cap(
        capabilities, "code_description_support"
    ):
        problems.append("codeDescription")
    if diagnostic.data is not None and not _diagnostic_cap(capabilities, "data_support"):
        problems.append("data")
    tags = _diagnostic_cap(capabilities, "tag_support")
    allowed = set(tags.value_set) if tags is not None else set()
    if diagnostic.tags and not set(diagnostic.tags) <= allowed:
        problems.append("tags")
    if problems:
        warnings.warn(
            f"{where}: the client did not advertise {', '.join(problems)}",
            LspSpecificationWarning,
            stacklevel=2,
        )


@check_result_for(method=t.TEXT_DOCUMENT_HOVER)
def _hover(capabilities: t.ClientCapabilities, result: t.Hover | None) -> None:
    if result is None or not isinstance(result.contents, t.MarkupContent):
        return
    formats = _cap(capabilities, "text_document.hover.content_format") or [t.MarkupKind.PlainText]
    assert result.contents.kind in formats, f"hover in {result.contents.kind}, not advertised"


def _check_action(capabilities: t.ClientCapabilities, action: t.CodeAction | t.Command) -> None:
    literal = _cap(capabilities, "text_document.code_action.code_action_literal_support")
    if isinstance(action, t.Command):
        return
    assert literal is not None, "a CodeAction literal for a client without literal support"
    if action.is_preferred is not None:
        assert _cap(capabilities, "text_document.code_action.is_preferred_support"), "isPreferred"
    if action.disabled is not None:
        assert _cap(capabilities, "text_document.code_action.disabled_support"), "disabled"
    if action.data is not None:
        assert _cap(capabilities, "text_document.code_action.data_support"), "code action data"
    if action.edit is None and action.command is None:
        resolve = _cap(capabilities, "text_document.code_action.resolve_support")
        assert resolve is not None and "edit" in resolve.properties, "edit left to resolve"
    for diagnostic in action.diagnostics or ():
        _check_diagnostic(capabilities, diagnostic, "codeAction.diagnostics")


@check_result_for(method=t.TEXT_DOCUMENT_CODE_ACTION)
def _code_actions(capabilities: t.ClientCapabilities, result: Sequence[Any] | None) -> None:
    for action in result or ():
        _check_action(capabilities, action)


@check_result_for(method=t.CODE_ACTION_RESOLVE)
def _code_action_resolve(capabilities: t.ClientCapabilities, result: t.CodeAction) -> None:
    assert _cap(capabilities, "text_document.code_action.resolve_support"), "resolve"


@check_result_for(method=t.TEXT_DOCUMENT_DIAGNOSTIC)
def _pulled(capabilities: t.ClientCapabilities, result: Any) -> None:
    assert _cap(capabilities, "text_document.diagnostic") is not None, "pull diagnostics"
    for diagnostic in getattr(result, "items", None) or ():
        _check_diagnostic(capabilities, diagnostic, "textDocument/diagnostic")


@check_result_for(method=t.WORKSPACE_DIAGNOSTIC)
def _workspace_pulled(
    capabilities: t.ClientCapabilities, result: t.WorkspaceDiagnosticReport
) -> None:
    for report in result.items:
        for diagnostic in getattr(report, "items", None) or ():
            _check_diagnostic(capabilities, diagnostic, "workspace/diagnostic")


_DYNAMIC = {
    t.WORKSPACE_DID_CHANGE_WATCHED_FILES: "workspace.did_change_watched_files.dynamic_registration",
    t.WORKSPACE_DID_CHANGE_CONFIGURATION: "workspace.did_change_configuration.dynamic_registration",
}


@check_params_of(method=t.CLIENT_REGISTER_CAPABILITY)
def _registration(capabilities: t.ClientCapabilities, params: t.RegistrationParams) -> None:
    for registration in params.registrations:
        path = _DYNAMIC.get(registration.method)
        assert path is not None and _cap(capabilities, path), f"dynamic {registration.method}"


@check_params_of(method=t.WORKSPACE_APPLY_EDIT)
def _applied(capabilities: t.ClientCapabilities, params: t.ApplyWorkspaceEditParams) -> None:
    assert _cap(capabilities, "workspace.apply_edit"), "workspace/applyEdit"
    if params.edit.document_changes:
        assert _cap(capabilities, "workspace.workspace_edit.document_changes"), "documentChanges"


@check_params_of(method=t.WORKSPACE_DIAGNOSTIC_REFRESH)
def _refresh(capabilities: t.ClientCapabilities, params: None) -> None:
    assert _cap(capabilities, "workspace.diagnostics.refresh_support"), "diagnostic refresh"


# --- documents and positions -------------------------------------------------------


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or str(path)


def to_units(text: str, line: int, column: int, unit: ColumnUnit) -> int:
    """A code-point column of ``text``'s line as the client counts it."""
    return column_to_units(split_lines(text)[line], column, unit)


def position(text: str, line: int, column: int, unit: ColumnUnit) -> t.Position:
    return t.Position(line=line, character=to_units(text, line, column, unit))


def find(text: str, needle: str, unit: ColumnUnit, nth: int = 0) -> t.Position:
    """The client position where the ``nth`` occurrence of ``needle`` starts."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    lines = split_lines(text[:offset])
    line, column = len(lines) - 1, len(lines[-1])
    return position(text, line, column, unit)


def span(text: str, needle: str, unit: ColumnUnit, nth: int = 0) -> t.Range:
    start = find(text, needle, unit, nth)
    end_text = text[: _offset(text, needle, nth) + len(needle)]
    lines = split_lines(end_text)
    end = position(text, len(lines) - 1, len(lines[-1]), unit)
    return t.Range(start=start, end=end)


def _offset(text: str, needle: str, nth: int) -> int:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return offset


def apply_edits(text: str, edits: Sequence[t.TextEdit], unit: ColumnUnit) -> str:
    """Apply LSP edits (client units) the way an editor does."""
    lines = split_lines(text)
    starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]

    def offset(pos: t.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        column = units_to_column(lines[pos.line], pos.character, unit)
        return starts[pos.line] + min(column, len(lines[pos.line]))

    result = text
    ordered = sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    )
    for edit in ordered:
        start, end = offset(edit.range.start), offset(edit.range.end)
        result = result[:start] + edit.new_text + result[end:]
    return result


def edits_of(edit: t.WorkspaceEdit, uri: str) -> list[t.TextEdit]:
    if edit.document_changes:
        return [
            e
            for change in edit.document_changes
            if change.text_document.uri == uri
            for e in change.edits
        ]  # type: ignore[union-attr]
    return list((edit.changes or {}).get(uri, []))


class Session:
    """Drives one client: documents, versions, waiting for diagnostics."""

    def __init__(self, client: Client, profile: Profile) -> None:
        self.client = client
        self.profile = profile
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    @property
    def unit(self) -> ColumnUnit:
        return self.profile.unit

    def open(self, path: Path, text: str, language: str = "python") -> str:
        uri = uri_of(path)
        self.texts[uri], self.versions[uri] = text, 1
        self.client.text_document_did_open(
            t.DidOpenTextDocumentParams(
                t.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
            )
        )
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri=uri))
        )
        self.texts.pop(uri, None)

    def change(self, uri: str, where: t.Range, new_text: str) -> int:
        """Send one incremental change; the local copy is edited the same way."""
        self.texts[uri] = apply_edits(
            self.texts[uri], [t.TextEdit(range=where, new_text=new_text)], self.unit
        )
        self.versions[uri] += 1
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[t.TextDocumentContentChangePartial(range=where, text=new_text)],
            )
        )
        return self.versions[uri]

    def replace(self, uri: str, old: str, new: str, nth: int = 0) -> int:
        return self.change(uri, span(self.texts[uri], old, self.unit, nth), new)

    async def diagnostics(self, uri: str) -> list[t.Diagnostic]:
        """The diagnostics of the document's current version (pulled or pushed)."""
        if self.profile.pull:
            report = await asyncio.wait_for(
                self.client.text_document_diagnostic_async(
                    t.DocumentDiagnosticParams(text_document=t.TextDocumentIdentifier(uri=uri))
                ),
                WAIT,
            )
            return list(report.items)  # type: ignore[union-attr]
        version = self.versions[uri]
        published = await wait_for(
            lambda: next(
                (
                    p
                    for p in reversed(self.client.published)
                    if p.uri == uri and p.version == version
                ),
                None,
            )
        )
        return list(published.diagnostics)

    async def hover(self, uri: str, where: t.Position) -> t.Hover | None:
        return await asyncio.wait_for(
            self.client.text_document_hover_async(
                t.HoverParams(t.TextDocumentIdentifier(uri=uri), where)
            ),
            WAIT,
        )

    async def actions(
        self,
        uri: str,
        where: t.Range,
        diagnostics: Sequence[t.Diagnostic] = (),
        only: Sequence[str] | None = None,
    ) -> list[t.CodeAction | t.Command]:
        params = t.CodeActionParams(
            text_document=t.TextDocumentIdentifier(uri=uri),
            range=where,
            context=t.CodeActionContext(
                diagnostics=list(diagnostics), only=list(only) if only else None
            ),
        )
        return list(
            await asyncio.wait_for(self.client.text_document_code_action_async(params), WAIT) or []
        )

    async def edit_of(self, action: t.CodeAction) -> t.WorkspaceEdit | None:
        """The action's edit, resolving it when the server left it for later."""
        if action.edit is None and action.data is not None:
            action = await asyncio.wait_for(self.client.code_action_resolve_async(action), WAIT)
        return action.edit

    async def apply(self, uri: str, action: t.CodeAction) -> str:
        edit = await self.edit_of(action)
        assert edit is not None, action
        return apply_edits(self.texts[uri], edits_of(edit, uri), self.unit)


async def wait_for(probe: Callable[[], Any], timeout: float = WAIT) -> Any:
    """Poll until ``probe`` returns something truthy (a safety bound, not a timing)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = probe()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {probe}")
        await asyncio.sleep(0.01)


def initialize_params(
    profile: Profile, folders: Sequence[Path], settings: dict[str, Any] | None = None
) -> t.InitializeParams:
    return t.InitializeParams(
        capabilities=profile.capabilities(),
        workspace_folders=[t.WorkspaceFolder(uri=uri_of(f), name=f.name) for f in folders],
        root_uri=uri_of(folders[0]) if folders else None,
        initialization_options={"settings": settings or {}},
    )


def messages(client: Client) -> list[str]:
    return [m.message for m in client.log_messages] + [m.message for m in client.messages]


def expected(
    text: str, path: str, select: Sequence[str], unit: ColumnUnit
) -> list[tuple[str, t.Range]]:
    """What the engine finds in ``text``, as (code, range in ``unit``) pairs."""
    lines = split_lines(text)
    settings = Settings().with_overrides(select=list(select))

    def position(line: int, column: int) -> t.Position:
        line_text = lines[line] if line < len(lines) else ""
        return t.Position(line=line, character=column_to_units(line_text, column, unit))

    found = check_text(text, path, settings).findings
    return [
        (
            f.code,
            t.Range(
                start=position(f.range.start.line, f.range.start.column),
                end=position(f.range.end.line, f.range.end.column),
            ),
        )
        for f in found
    ]


def got(diagnostics: Sequence[t.Diagnostic]) -> list[tuple[str, t.Range]]:
    """The (code, range) pairs of diagnostics, in file order."""
    pairs = [(str(d.code), d.range) for d in diagnostics]
    return sorted(pairs, key=lambda p: (p[1].start.line, p[1].start.character, p[0]))


async def latest(session: Session, uri: str) -> list[t.Diagnostic]:
    """The newest diagnostics of a document (pulled, or the last published)."""
    if session.profile.pull:
        return await session.diagnostics(uri)
    for params in reversed(session.client.published):
        if params.uri == uri:
            return list(params.diagnostics)
    return []


async def eventually(
    session: Session, uri: str, predicate: Callable[[list[t.Diagnostic]], bool]
) -> list[t.Diagnostic]:
    """Wait until the diagnostics satisfy ``predicate`` (settings apply asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        diagnostics = await latest(session, uri)
        if predicate(diagnostics):
            return diagnostics
        assert loop.time() < deadline, f"diagnostics never matched: {diagnostics}"
        await asyncio.sleep(0.02)

"""The language server's state: open documents, settings, checks, and what it sends.

:class:`PreceptsServer` holds everything the LSP handlers (:mod:`precepts.server.handlers`)
need: the client's features, the open documents, the configuration store and the check
scheduler. Its methods are the operations the handlers share (resolving a document's
settings, publishing diagnostics, computing code action edits, reacting to a settings
or configuration change).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from precepts import __version__
from precepts.config import Settings
from precepts.configreads import default_index
from precepts.engine import RuleSet
from precepts.registry import get_rule
from precepts.server.actions import (
    FIX,
    FIX_ALL,
    IGNORE,
    fix_all_edits,
    fix_edits,
    ignore_edits,
    workspace_edit,
)
from precepts.server.baseline import BASELINE_GLOB, BaselineStore
from precepts.server.capabilities import ClientFeatures
from precepts.server.collector import Collector
from precepts.server.configs import CONFIG_NAMES, ConfigProblem, ConfigStore
from precepts.server.diagnostics import SOURCE, DiagnosticJson, to_diagnostics
from precepts.server.documents import CheckOutcome, DocumentModel, OpenDocument
from precepts.server.logs import ClientLogHandler
from precepts.server.protocol import PreceptsProtocol
from precepts.server.scheduler import CheckScheduler
from precepts.server.settings import SECTION, EditorSettings
from precepts.server.workspace import DiskCache, find_files

log = logging.getLogger(__name__)

CONFIG_GLOBS = ("**/pyproject.toml", "**/precepts.toml", BASELINE_GLOB)
# Files whose content file rules read (BP804 reads coverage's and pytest's settings):
# when one changes, the configuration files open in the editor are checked again.
COVERAGE_NAMES = frozenset({"pyproject.toml", "setup.cfg", ".coveragerc", "tox.ini", "pytest.ini"})
COVERAGE_GLOBS = ("**/setup.cfg", "**/.coveragerc", "**/tox.ini", "**/pytest.ini")
WATCHERS_ID = "precepts-config-watchers"
CONFIGURATION_ID = "precepts-configuration"


@lru_cache(maxsize=1024)
def path_of(uri: str) -> Path | None:
    """Return the resolved file path of a ``file:`` URI (cached: folders are asked often).

    Args:
        uri: A document URI.

    Returns:
        The path, or None for other schemes.
    """
    path = to_fs_path(uri) if uri.startswith("file:") else None
    return Path(path).resolve() if path else None


class PreceptsServer(LanguageServer):
    """The precepts language server.

    Attributes:
        features: What the client supports (read at ``initialize``).
        documents: Open documents by URI.
        configs: Configuration files and their problems.
        scheduler: Runs the checks.
        disk_cache: Findings of workspace files checked from disk.
        workspace_changed: Set when anything a workspace report depends on changes.
        shutdown_requested: True once ``shutdown`` was received.
    """

    protocol: PreceptsProtocol

    def __init__(self) -> None:
        """Create the server (handlers are registered by :func:`handlers.register`)."""
        super().__init__("precepts", __version__, protocol_cls=PreceptsProtocol)
        self.features = ClientFeatures()
        self.documents: dict[str, OpenDocument] = {}
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precepts-check")
        self.configs = ConfigStore(self._config_problem, self._setting_error)
        self.scheduler = CheckScheduler(self.checks, self.prepare, self.checked)
        self.client_log = ClientLogHandler(self)
        self.shutdown_requested = False
        self.event_loop: asyncio.AbstractEventLoop | None = None
        self.editor_settings = EditorSettings(self._setting_error)
        self._shown_setting_errors: set[str] = set()
        self.disk_cache = DiskCache()
        self.baselines = BaselineStore()
        self.workspace_changed = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self.collector = Collector()
        self._collecting: asyncio.Task[None] | None = None
        # Problems of configuration files, by URI: sent with the file's own findings
        # when it is open (one publisher per URI), on their own otherwise.
        self._config_diagnostics: dict[str, list[lsp.Diagnostic]] = {}

    # -- lifecycle ----------------------------------------------------------------

    def start_session(self, params: lsp.InitializeParams) -> None:
        """Read the client's capabilities and initial settings (``initialize``).

        Args:
            params: The client's parameters.
        """
        encoding = self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16
        self.features = ClientFeatures.from_capabilities(params.capabilities, encoding)
        self.editor_settings.initial(params.initialization_options)
        client = params.client_info
        log.info(
            "client %s %s; positions in %s; %s diagnostics",
            client.name if client else "(unnamed)",
            (client.version or "") if client else "",
            self.features.unit.value,
            "pull" if self.features.pull_diagnostics else "push",
        )

    async def client_ready(self) -> None:
        """Finish starting up (``initialized``): registrations, settings, sweeps."""
        self.event_loop = asyncio.get_running_loop()
        self.client_log.bind(self.event_loop)
        await self._register_dynamic_features()
        await self.pull_configuration()
        # BP608 concludes over the workspace's files, scanned lazily on a worker thread.
        default_index().serve(self._workspace_files, self._config_answered)
        self.scheduler.ready.set()
        self._sweeper = self.event_loop.create_task(self.scheduler.sweep(self.documents.values))
        self.collector.start()
        self._collecting = self.event_loop.create_task(self.collector.run(self._checking))

    def stop(self) -> None:
        """Stop checking and free the workers (``shutdown``)."""
        self.shutdown_requested = True
        for task in (self._sweeper, self._collecting):
            if task is not None:
                task.cancel()
        self.collector.stop()
        for document in self.documents.values():
            self.scheduler.cancel(document)
        self.checks.shutdown(wait=False, cancel_futures=True)
        default_index().close()

    def _workspace_files(self) -> list[Path]:
        """List the workspace's Python files (on the configuration scan's thread)."""
        return find_files(self.folder_paths(), self.settings_for_path)

    def _config_answered(self) -> None:
        """A workspace configuration scan finished (worker thread): re-check open files."""
        loop = self.event_loop
        if loop is not None and not self.shutdown_requested:
            loop.call_soon_threadsafe(self.recheck_open_documents)

    def recheck_open_documents(self) -> None:
        """Check every open document again (a workspace-level fact changed)."""
        for document in self.documents.values():
            document.model.refresh()
            document.changed(document.version)
            self.scheduler.schedule(document, 0.0)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log an internal error to the client's log (not as a pop-up) and keep serving.

        Args:
            error: The error.
            source: Where pygls caught it.
        """
        name = getattr(source, "__name__", str(source))
        if name == "FeatureRequestError":
            log.debug("request failed (the client got the error): %s", error)
        else:
            log.error("internal error (%s): %s", name, error)

    async def _register_dynamic_features(self) -> None:
        registrations = []
        if self.features.watch_files_dynamically:
            globs = (*CONFIG_GLOBS, *COVERAGE_GLOBS)
            watchers = [lsp.FileSystemWatcher(glob_pattern=glob) for glob in globs]
            registrations.append(
                lsp.Registration(
                    id=WATCHERS_ID,
                    method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers),
                )
            )
        if self.features.configuration_dynamic:
            registrations.append(
                lsp.Registration(id=CONFIGURATION_ID, method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
            )
        if not registrations:
            return
        try:
            await self.client_register_capability_async(lsp.RegistrationParams(registrations))
        except JsonRpcException as error:  # the client said no: config changes need a save
            log.warning("the client refused the registrations: %s", error)

    # -- settings -----------------------------------------------------------------

    async def pull_configuration(self) -> None:
        """Ask the client for the ``precepts`` section, globally and per folder."""
        if not self.features.configuration:
            return
        folders = list(self.workspace.folders.values())
        items = [lsp.ConfigurationItem(section=SECTION)] + [
            lsp.ConfigurationItem(scope_uri=folder.uri, section=SECTION) for folder in folders
        ]
        try:
            values = await self.workspace_configuration_async(lsp.ConfigurationParams(items))
        except JsonRpcException as error:  # a client bug must not stop checking
            log.warning("workspace/configuration failed: %s", error)
            return
        self.editor_settings.pulled(values, [folder.uri for folder in folders])

    def folder_paths(self) -> list[Path]:
        """Return the workspace folders' paths (the root when there are no folders).

        Returns:
            The paths.
        """
        uris = [folder.uri for folder in self.workspace.folders.values()]
        if not uris and self.workspace.root_uri:
            uris = [self.workspace.root_uri]
        return [path for path in map(path_of, uris) if path is not None]

    def folder_of(self, path: Path | None) -> tuple[str, Path | None]:
        """Return the workspace folder holding a path (the innermost one).

        Args:
            path: A file path.

        Returns:
            The folder's URI (``""`` for none) and path.
        """
        best: tuple[str, Path | None] = ("", None)
        for folder in self.workspace.folders.values():
            root = path_of(folder.uri)
            if root is None or path is None or not path.is_relative_to(root):
                continue
            if best[1] is None or root.is_relative_to(best[1]):
                best = (folder.uri, root)
        if best[1] is None and path is not None:
            return "", next((r for r in self.folder_paths() if path.is_relative_to(r)), None)
        return best

    def settings_for_path(self, path: Path) -> Settings:
        """Return the effective settings of a file of the workspace.

        Args:
            path: The file.

        Returns:
            The settings.
        """
        folder_uri, folder = self.folder_of(path)
        return self.configs.settings_for(path, folder, self.editor_settings.for_folder(folder_uri))

    def prepare(self, document: OpenDocument) -> bool:
        """Bring a document's settings and rules up to date (before each check).

        Args:
            document: The document.

        Returns:
            True when its settings changed.
        """
        folder_uri, folder = self.folder_of(document.path)
        client = self.editor_settings.for_folder(folder_uri)
        settings = self.configs.settings_for(document.path, folder, client)
        # Showing accepted findings or not changes what a check reports, like settings do.
        shown = document.client.show_baselined != client.show_baselined
        if shown:
            self.disk_cache = DiskCache()  # the workspace's reports change with it too
        document.client, document.folder = client, folder
        document.model.set_incremental(client.incremental and document.is_python)
        if settings == document.settings:
            return shown
        document.settings = settings
        document.model.set_ruleset(RuleSet.from_settings(settings, document.path))
        return True

    def settings_changed(self) -> None:
        """Re-check every open document with its new settings; refresh pulled diagnostics."""
        self._shown_setting_errors.clear()  # still wrong after a change: say it again
        for document in self.documents.values():
            # A pending check restarts too: the debounce it is waiting for may have changed.
            if self.prepare(document) or document.current is None:
                document.changed(document.version)
                self.scheduler.schedule(document, 0.0)
        self.scheduler.settings_changed()
        self.workspace_changed.set()
        if self.features.pull_diagnostics and self.features.diagnostic_refresh:
            self.workspace_diagnostic_refresh(None)

    def config_diagnostics_of(self, uri: str) -> list[lsp.Diagnostic]:
        """Return the configuration problems shown on a file (its ``[tool.precepts]``).

        Args:
            uri: The file's URI.

        Returns:
            The diagnostics (none when its configuration is valid).
        """
        return list(self._config_diagnostics.get(uri, ()))

    def coverage_files_changed(self) -> None:
        """Check the open configuration files again: a file they read beside them changed."""
        self.disk_cache = DiskCache()  # a pyproject.toml on disk may now read differently
        for document in self.documents.values():
            if document.is_checked and not document.is_python:
                document.changed(document.version)
                self.scheduler.schedule(document, 0.0)
        self.workspace_changed.set()

    def config_files_changed(self) -> None:
        """Reload configuration files (one was created, edited or deleted)."""
        self.configs.invalidate()
        self.settings_changed()

    def baseline_changed(self) -> None:
        """Re-check every open document: a baseline file was created, edited or deleted."""
        self.disk_cache = DiskCache()
        for document in self.documents.values():
            document.changed(document.version)
            self.scheduler.schedule(document, 0.0)
        self.workspace_changed.set()
        if self.features.pull_diagnostics and self.features.diagnostic_refresh:
            self.workspace_diagnostic_refresh(None)

    # -- documents ----------------------------------------------------------------

    def open_document(self, item: lsp.TextDocumentItem) -> OpenDocument:
        """Start tracking a document.

        Args:
            item: The client's document.

        Returns:
            The open document.
        """
        previous = self.documents.pop(item.uri, None)
        if previous is not None:
            self.close_document(previous)
        self.configs.invalidate()  # a configuration file may have appeared since
        path = path_of(item.uri)
        folder_uri, folder = self.folder_of(path)
        client = self.editor_settings.for_folder(folder_uri)
        settings = self.configs.settings_for(path, folder, client)
        name = str(path) if path is not None else item.uri
        # The incremental engine reads Python; a configuration file is checked whole.
        python = item.language_id == "python" or (
            path is not None and path.suffix in (".py", ".pyi")
        )
        model = DocumentModel(
            item.text, name, RuleSet.from_settings(settings, path), client.incremental and python
        )
        document = OpenDocument(
            item.uri, path, item.language_id, item.version, model, settings, client, folder
        )
        self.documents[item.uri] = document
        self.collector.changed()
        self.workspace_changed.set()
        return document

    def apply_changes(
        self,
        document: OpenDocument,
        version: int,
        changes: Iterable[lsp.TextDocumentContentChangeEvent],
    ) -> None:
        """Apply a ``didChange`` to the server's copy of a document, in order.

        Args:
            document: The document.
            version: Its new version.
            changes: The changes (ranges in the client's units, against the text as
                left by the previous change).
        """
        for change in changes:
            if isinstance(change, lsp.TextDocumentContentChangePartial):
                converter = document.converter(self.features.unit)
                start = converter.from_client(change.range.start)
                end = converter.from_client(change.range.end)
                document.model.edit(start, end, change.text)
            else:
                document.model.set_text(change.text)
        document.changed(version)
        self.collector.changed()
        self.workspace_changed.set()

    def saved(self, document: OpenDocument) -> None:
        """React to a save: a configuration file reloads, a Python file re-reads its settings.

        Args:
            document: The saved document.
        """
        if document.path is not None and document.path.name in COVERAGE_NAMES:
            self.coverage_files_changed()
        if document.path is not None and document.path.name in CONFIG_NAMES:
            self.config_files_changed()
            return
        if document.path is not None and self.baselines.is_baseline(document.path):
            self.baseline_changed()
            return
        # Without file watching, a save is when a new or edited configuration is noticed.
        self.configs.invalidate()
        default_index().invalidate()  # the workspace's configuration reads may have moved
        if self.prepare(document):
            self.scheduler.schedule(document, 0.0)

    def close_document(self, document: OpenDocument) -> None:
        """Stop tracking a document, free its tree and clear its diagnostics.

        Args:
            document: The document.
        """
        self.scheduler.cancel(document)
        document.closed = True
        document.checked.set()  # wake requests waiting for its findings
        document.model.drop_tree()
        self.collector.changed()  # a closed tree's cycles are freed in the next pause
        self.workspace_changed.set()
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=document.uri, diagnostics=[])
        )

    def diagnostics_of(self, document: OpenDocument, outcome: CheckOutcome) -> list[lsp.Diagnostic]:
        """Convert a document's findings for this client.

        Args:
            document: The document (its current text converts the positions).
            outcome: Its findings.

        Returns:
            The diagnostics.
        """
        converter = document.converter(self.features.unit)
        return to_diagnostics(outcome.findings, document.uri, converter, self.features)

    def checked(self, document: OpenDocument) -> None:
        """Report a finished check: rule errors to the log, diagnostics when pushed.

        Args:
            document: The document, with its new outcome.
        """
        outcome = document.outcome or CheckOutcome()
        if outcome.findings:
            shown = self.baselines.filter(
                document.settings,
                document.path,
                document.model.buffer.text,
                outcome.findings,
                document.client.show_baselined,
            )
            if shown is not outcome.findings:
                outcome = document.outcome = replace(outcome, findings=shown)
        # Each problem is reported once per document, not again on every keystroke.
        traces = {error.describe(): error.trace for error in outcome.errors}
        if outcome.skipped:
            traces[f"{document.uri} was not checked: {outcome.skipped}"] = ""
        for message in sorted(traces.keys() - document.logged_errors):
            if traces[message]:
                log.error("%s", message)
                log.debug("%s", traces[message])
            else:
                log.warning("%s", message)
        document.logged_errors = frozenset(traces)
        if not self.features.pull_diagnostics and document.is_checked:
            self.publish(document, outcome)
        self.collector.checked()  # after publishing: a full collection waits for the push

    def _checking(self) -> bool:
        return any(document.busy for document in self.documents.values())

    def publish(self, document: OpenDocument, outcome: CheckOutcome) -> None:
        """Push a document's diagnostics, converting only findings not sent before.

        Args:
            document: The document.
            outcome: Its findings (for ``document.version``).
        """
        cache = document.published
        if cache is None:
            cache = document.published = DiagnosticJson(self.protocol.unstructure)
        diagnostics = cache.convert(
            outcome.findings,
            document.uri,
            document.converter(self.features.unit),
            self.features,
        )
        extra = self.config_diagnostics_of(document.uri)
        if extra:
            encoded = (json.dumps(self.protocol.unstructure(item)) for item in extra)
            diagnostics = [*diagnostics, *encoded]
        # Already JSON text: joined, without cattrs or json walking 400 diagnostics again.
        self.protocol.publish_diagnostics_json(document.uri, document.version, diagnostics)

    # -- code action edits ----------------------------------------------------------

    async def action_edit(
        self,
        document: OpenDocument,
        outcome: CheckOutcome,
        data: dict[str, Any],
        thorough: bool = True,
    ) -> lsp.WorkspaceEdit | None:
        """Compute the edit of a code action from its payload.

        Args:
            document: The document.
            outcome: Its current findings.
            data: The action's payload.
            thorough: For "fix all", re-check and fix again until nothing changes.

        Returns:
            The edit, or None when the action no longer applies.
        """
        version = document.version
        action = data.get("action")
        if action == FIX:
            edits = fix_edits(outcome, data, document.settings.unsafe_fixes)
        elif action == IGNORE:
            edits = ignore_edits(document, outcome, data)
        elif action == FIX_ALL:
            loop = asyncio.get_running_loop()
            text, ruleset, name = (
                document.model.buffer.text,
                document.model.ruleset,
                document.model.path,
            )
            edits = await loop.run_in_executor(
                self.checks, fix_all_edits, text, list(outcome.findings), ruleset, name, thorough
            )
        else:
            return None
        if not edits or document.version != version:
            return None
        converter = document.converter(self.features.unit)
        return workspace_edit(document, edits, converter, self.features)

    # -- configuration problems -----------------------------------------------------

    def _on_loop(self, call: Callable[..., None], *args: Any) -> None:
        """Run ``call`` on the event loop (configuration is also read on worker threads)."""
        loop = self.event_loop
        if loop is None or loop.is_closed():
            call(*args)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            call(*args)
        else:
            loop.call_soon_threadsafe(call, *args)

    def _config_problem(self, path: Path, problem: ConfigProblem | None) -> None:
        self._on_loop(self._show_config_problem, path, problem)

    def _show_config_problem(self, path: Path, problem: ConfigProblem | None) -> None:
        diagnostics = []
        if problem is not None:
            where = lsp.Range(
                start=lsp.Position(line=problem.line, character=0),
                end=lsp.Position(line=problem.line + 1, character=0),
            )
            diagnostics.append(
                lsp.Diagnostic(
                    range=where,
                    message=f"{problem.message} (the last valid configuration stays in force)",
                    severity=lsp.DiagnosticSeverity.Error,
                    source=SOURCE,
                )
            )
            self.window_show_message(
                lsp.ShowMessageParams(
                    type=lsp.MessageType.Error,
                    message=f"precepts: invalid configuration: {problem.message}",
                )
            )
        uri = from_fs_path(str(path)) or str(path)
        if diagnostics:
            self._config_diagnostics[uri] = diagnostics
        else:
            self._config_diagnostics.pop(uri, None)
        document = next(
            (d for d in self.documents.values() if d.path == path and d.is_checked), None
        )
        if document is not None:
            # The file's own findings and its configuration problems go out together.
            document.changed(document.version)
            self.scheduler.schedule(document, 0.0)
            return
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
        )

    def _setting_error(self, message: str) -> None:
        if message not in self._shown_setting_errors:
            self._shown_setting_errors.add(message)
            self._on_loop(self._show_setting_error, message)

    def _show_setting_error(self, message: str) -> None:
        log.warning("%s", message)
        self.window_show_message(
            lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"precepts: {message}")
        )


def rule_limit(settings: Settings, ruleset: RuleSet, code: str, option: str) -> Any:
    """Return an option of a rule in force (for the hover), or None when it is off.

    Args:
        settings: The document's settings.
        ruleset: Its rules.
        code: The rule's code.
        option: The option's name.

    Returns:
        The configured value, else the rule's default; None when the rule is off.
    """
    rule = get_rule(code)
    if rule is None or code not in ruleset.codes:
        return None
    default = rule.options[option].default if option in rule.options else None
    return settings.options_for(code).get(option, default)

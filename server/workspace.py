"""Checking the whole workspace: every Python file of every folder, with progress.

Files are found as ``precepts check`` finds them (:func:`precepts.cli.files.discover`:
configuration ``exclude``, ``.gitignore``, tool directories skipped). Open documents
are reported from their editor text; other files are read from disk and checked one
at a time on a worker thread, so the server keeps answering meanwhile. A file's
findings are kept while its modification time, size and settings stay the same, so
checking the workspace again costs a walk and a ``stat`` per file. Progress is
reported with a work-done token when the client gave one or supports creating one,
and the client may cancel the run.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path

from precepts.cli.files import discover
from precepts.config import Settings
from precepts.engine import Checker, RuleError, RuleSet
from precepts.server.baseline import BaselineStore
from precepts.server.capabilities import ClientFeatures
from precepts.server.convert import Converter
from precepts.server.diagnostics import result_id, to_diagnostics
from precepts.text import LineIndex

if TYPE_CHECKING:
    from precepts.server.app import PreceptsServer

log = logging.getLogger(__name__)


@dataclass
class FileOutcome:
    """The diagnostics of one file of the workspace, ready to send.

    Attributes:
        path: The file.
        uri: Its URI.
        diagnostics: Its findings, converted for the client.
        result_id: Their digest (for pull reports).
        errors: Rules that raised on it.
        stamp: The file's modification time and size when it was read.
        settings: The settings it was checked with.
        error: Why the file could not be read, if it could not.
    """

    path: Path
    uri: str
    diagnostics: list[lsp.Diagnostic]
    result_id: str
    errors: list[RuleError] = field(default_factory=list)
    stamp: tuple[int, int] = (-1, -1)
    settings: Settings | None = None
    error: str | None = None


def stamp_of(path: Path) -> tuple[int, int]:
    """Return what tells that a file changed: its modification time and size.

    Args:
        path: The file.

    Returns:
        ``(mtime_ns, size)``, or ``(-1, -1)`` when it cannot be read.
    """
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def check_file(
    path: Path,
    settings: Settings,
    features: ClientFeatures,
    baselines: BaselineStore | None = None,
    show_baselined: bool = False,
) -> FileOutcome:
    """Read, check and convert one file from disk (a thread job).

    Only the diagnostics are kept, not the text: the workspace may be large.

    Args:
        path: The file.
        settings: Its settings.
        features: What the client supports (for the conversion).
        baselines: Hides the findings the file's baseline accepts.
        show_baselined: Show those as hints instead.

    Returns:
        The outcome; a file that cannot be read has no diagnostics and an error.
    """
    stamp = stamp_of(path)
    uri = from_fs_path(str(path)) or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        problem = f"cannot read {path}: {error}"
        return FileOutcome(path, uri, [], result_id([]), [], stamp, settings, problem)
    result = Checker(RuleSet.from_settings(settings, path)).check(data, str(path))
    if baselines is not None:
        result.findings = baselines.filter(
            settings, path, result.text, result.findings, show_baselined
        )
    converter = Converter(LineIndex(result.text).line_text, features.unit)
    diagnostics = to_diagnostics(result.findings, uri, converter, features)
    identifier = result_id(diagnostics)
    return FileOutcome(path, uri, diagnostics, identifier, result.errors, stamp, settings)


class DiskCache:
    """The last outcome of each file checked from disk."""

    def __init__(self) -> None:
        """Start empty."""
        self._outcomes: dict[Path, FileOutcome] = {}

    def lookup(self, path: Path, settings: Settings) -> FileOutcome | None:
        """Return the file's outcome if neither the file nor its settings changed.

        Args:
            path: The file.
            settings: Its settings now.

        Returns:
            The cached outcome, or None when the file must be checked again.
        """
        cached = self._outcomes.get(path)
        if cached is None or cached.stamp != stamp_of(path) or cached.settings != settings:
            return None
        return cached

    def store(self, outcome: FileOutcome) -> None:
        """Remember an outcome.

        Args:
            outcome: The outcome of a file just checked.
        """
        self._outcomes[outcome.path] = outcome

    def keep_only(self, paths: Iterable[Path]) -> None:
        """Forget the files that are no longer part of the workspace.

        Args:
            paths: The workspace's files now.
        """
        wanted = set(paths)
        for path in list(self._outcomes):
            if path not in wanted:
                del self._outcomes[path]


def find_files(roots: Iterable[Path], settings_for: Callable[[Path], Settings]) -> list[Path]:
    """List the workspace's Python files (a thread job).

    Args:
        roots: The workspace folders.
        settings_for: Returns the settings governing a path.

    Returns:
        The files, each once, in a stable order.
    """
    existing = [root for root in roots if root.is_dir()]
    return [path.resolve() for path in discover(existing, settings_for, True)]


class Progress:
    """Work-done progress for one long operation (silent when the client has none)."""

    def __init__(self, server: PreceptsServer, token: lsp.ProgressToken | None) -> None:
        """Bind to a token.

        Args:
            server: The server.
            token: The token, or None to report nothing.
        """
        self._server = server
        self._token = token
        self._percentage = -1

    @classmethod
    async def start(
        cls, server: PreceptsServer, title: str, token: lsp.ProgressToken | None = None
    ) -> Progress:
        """Begin reporting, creating a token when the client gave none but supports it.

        Args:
            server: The server.
            title: What is being done.
            token: A token the client sent with its request.

        Returns:
            The progress.
        """
        if token is None and server.features.work_done_progress:
            token = f"precepts-{uuid.uuid4()}"
            try:
                await server.work_done_progress.create_async(token)
            except JsonRpcException as error:  # the client refused: go on without progress
                log.warning("cannot create a progress token: %s", error)
                token = None
        progress = cls(server, token)
        if token is not None:
            begin = lsp.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0)
            server.work_done_progress.begin(token, begin)
        return progress

    @property
    def cancelled(self) -> bool:
        """True when the client cancelled the operation."""
        if self._token is None:
            return False
        future = self._server.work_done_progress.tokens.get(self._token)
        return future is not None and future.cancelled()

    def report(self, done: int, total: int, message: str) -> None:
        """Report how far the operation got (only when the percentage moves).

        Args:
            done: Items done.
            total: Items in all.
            message: What is being worked on.
        """
        percentage = int(100 * done / total) if total else 100
        if self._token is None or percentage == self._percentage:
            return
        self._percentage = percentage
        value = lsp.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True)
        self._server.work_done_progress.report(self._token, value)

    def end(self, message: str) -> None:
        """Finish reporting.

        Args:
            message: The outcome.
        """
        if self._token is None:
            return
        self._server.work_done_progress.end(self._token, lsp.WorkDoneProgressEnd(message=message))
        self._server.work_done_progress.tokens.pop(self._token, None)


async def check_workspace(
    server: PreceptsServer, progress: Progress, executor: Executor
) -> list[FileOutcome]:
    """Check every Python file of the workspace that is not open in the editor.

    Args:
        server: The server (workspace folders, settings, open documents).
        progress: Where progress goes.
        executor: Where files are read and checked.

    Returns:
        One outcome per file checked (stops early when cancelled).
    """
    loop = asyncio.get_running_loop()
    roots = server.folder_paths()
    files = await loop.run_in_executor(executor, find_files, roots, server.settings_for_path)
    server.disk_cache.keep_only(files)
    open_paths = {document.path for document in server.documents.values()}
    todo = [path for path in files if path not in open_paths]
    outcomes = []
    for done, path in enumerate(todo):
        if progress.cancelled:
            log.info("workspace check cancelled after %d of %d files", done, len(todo))
            break
        progress.report(done, len(todo), path.name)
        settings = server.settings_for_path(path)
        outcome = server.disk_cache.lookup(path, settings)
        if outcome is None:
            show = server.editor_settings.for_folder(server.folder_of(path)[0]).show_baselined
            outcome = await loop.run_in_executor(
                executor, check_file, path, settings, server.features, server.baselines, show
            )
            server.disk_cache.store(outcome)
            for rule_error in outcome.errors:
                log.error("%s", rule_error.describe())
        outcomes.append(outcome)
    return outcomes

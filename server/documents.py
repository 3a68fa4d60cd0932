r"""Open documents: the server's text, the engine behind it, and the latest findings.

:class:`DocumentModel` is the one place the server touches the engine for an open
document. With the ``incremental`` setting on (the default) it drives
``precepts.incremental.IncrementalDocument``, whose :meth:`work` generator re-parses and
re-checks only what changed, in small slices the event loop interleaves with other
messages. With it off, or when the incremental engine raises, each check is a full
:meth:`precepts.engine.Checker.check` of a snapshot of the text on a worker thread. An
error of the incremental engine is logged and the document falls back to full checks
for the rest of its life; it never takes the server down.

Each open document has one text buffer: the incremental document's, or the model's own
when it is checked whole. pygls' copy is not used: its ``TextDocument.lines`` splits
with ``str.splitlines``, which also breaks on form feeds and Unicode line separators, so
an edit to a file holding ``\f`` or U+2028 would land on the wrong line. The engine's
buffer splits on ``\r\n``, ``\r`` and ``\n`` only and replaces just the lines an edit
touches.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from precepts import noqa
from precepts.config import Settings
from precepts.engine import Checker, RuleError, RuleSet
from precepts.filekinds import FileKind, config_kind
from precepts.findings import Finding
from precepts.incremental.buffer import TextBuffer
from precepts.incremental.document import IncrementalDocument
from precepts.server.convert import Converter
from precepts.server.diagnostics import DiagnosticJson
from precepts.server.settings import ClientSettings
from precepts.server.suppress import noqa_map_of
from precepts.text import ColumnUnit

log = logging.getLogger(__name__)

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass
class CheckOutcome:
    """The findings of one version of a document.

    Attributes:
        findings: What was found, in file order.
        errors: Rules that raised on this text.
        skipped: Why the document was not checked (too large), or None.
    """

    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    skipped: str | None = None


def full_check(ruleset: RuleSet, text: str, path: str) -> CheckOutcome:
    """Check a whole text from scratch (runs on a worker thread).

    Args:
        ruleset: The rules.
        text: The text.
        path: The file's path.

    Returns:
        The outcome.
    """
    result = Checker(ruleset).check(text, path)
    return CheckOutcome(result.findings, result.errors)


class DocumentModel:
    """The engine behind one open document: incremental, or full checks as a fallback.

    The text is kept once: by the incremental document while there is one, else by a
    buffer of the model's own (full checks, or after a fallback).

    Attributes:
        path: The path given to the engine.
        ruleset: The rules in force.
        fallback_reason: Why the document left incremental mode, if it did.
    """

    def __init__(self, text: str, path: str, ruleset: RuleSet, incremental: bool) -> None:
        """Open a document (nothing is parsed until the first check).

        Args:
            text: The document's text.
            path: Its path for the engine.
            ruleset: The rules.
            incremental: Whether to check incrementally.
        """
        self.path = path
        self.ruleset = ruleset
        self.fallback_reason: str | None = None
        # One slot, so that there is never a second copy of the text to keep in step.
        self._holder: IncrementalDocument | TextBuffer = TextBuffer(text)
        if incremental:
            self._start_incremental()

    @property
    def buffer(self) -> TextBuffer:
        """The current text (the incremental document's while there is one)."""
        holder = self._holder
        return holder.buffer if isinstance(holder, IncrementalDocument) else holder

    @property
    def incremental(self) -> bool:
        """True while the incremental engine checks this document."""
        return self._incremental is not None

    @property
    def _incremental(self) -> IncrementalDocument | None:
        holder = self._holder
        return holder if isinstance(holder, IncrementalDocument) else None

    def set_incremental(self, enabled: bool) -> None:
        """Switch incremental checking on or off (the ``incremental`` setting changed).

        Args:
            enabled: The new setting.
        """
        if enabled and self._incremental is None and self.fallback_reason is None:
            self._start_incremental()
        elif not enabled and self._incremental is not None:
            self._holder = self.buffer
            log.info("incremental checking is off for %s: full checks", self.path)

    def edit(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
        """Apply one change (0-based lines, code-point columns).

        Args:
            start: Where the replaced text starts.
            end: Where it ends.
            new_text: The replacement.
        """
        if self._incremental is None:
            self.buffer.replace(start, end, new_text)
            return
        # The engine splices its buffer first, in one assignment: should its own
        # bookkeeping fail afterwards, the text it leaves to the fallback is right.
        self._guard("edit", lambda document: document.edit(start, end, new_text))

    def set_text(self, text: str) -> None:
        """Replace the whole text.

        Args:
            text: The new content.
        """
        if not self._guard("set_text", lambda document: document.set_text(text)):
            self._holder = TextBuffer(text)

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """Switch to other rules (the configuration changed).

        Args:
            ruleset: The new rules.
        """
        self.ruleset = ruleset
        self._guard("set_ruleset", lambda document: document.set_ruleset(ruleset))

    def refresh(self) -> None:
        """Check again on the next check even if the text did not change.

        A workspace-level fact changed (BP608's scan answered); module-level conclusions
        are drawn again, and cached findings re-validate what they depend on.
        """
        self._guard("refresh", lambda document: document.refresh())

    def drop_tree(self) -> bool:
        """Free the parsed tree; the next check parses again.

        Returns:
            True when a tree was dropped.
        """
        document = self._incremental
        if document is None or not document.has_tree:
            return False
        self._guard("drop_tree", lambda document: document.drop_tree())
        return True

    async def check(self, executor: Executor) -> CheckOutcome:
        """Check the current text (cancellable between slices of work).

        Args:
            executor: Where full checks run.

        Returns:
            The outcome.
        """
        document = self._incremental
        if document is not None:
            outcome = await self._check_incrementally(document)
            if outcome is not None:
                return outcome
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            executor, full_check, self.ruleset, self.buffer.text, self.path
        )

    async def _check_incrementally(self, document: IncrementalDocument) -> CheckOutcome | None:
        work = document.work()
        try:
            for _ in work:
                # One slice of work is done: let the loop read and answer messages.
                await asyncio.sleep(0)
            result = document.result
            if result is None:
                raise RuntimeError("the incremental check ended without a result")
        except Exception as error:  # the engine is in flux: fall back, never crash
            self._fall_back("check", error)
            return None
        finally:
            work.close()
        return CheckOutcome(list(result.findings), list(result.errors))

    def _start_incremental(self) -> None:
        try:
            self._holder = IncrementalDocument(self.buffer.text, self.path, self.ruleset)
        except Exception as error:  # a constructor bug must not stop full checks
            self._fall_back("open", error)

    def _guard(self, action: str, call: Callable[[IncrementalDocument], object]) -> bool:
        """Call the incremental document, falling back to full checks when it raises.

        Args:
            action: What is done (for the log).
            call: The call.

        Returns:
            True when the incremental document took the call.
        """
        document = self._incremental
        if document is None:
            return False
        try:
            call(document)
        except Exception as error:  # the engine is in flux: fall back, never crash
            self._fall_back(action, error)
            return False
        return True

    def _fall_back(self, action: str, error: Exception) -> None:
        self._holder = self.buffer  # the engine's text, kept for the full checks
        self.fallback_reason = f"{action}: {type(error).__name__}: {error}"
        log.error(
            "incremental checking failed on %s (%s); full checks from now on",
            self.path,
            self.fallback_reason,
            exc_info=error,
        )


@dataclass
class OpenDocument:
    """An open document and everything the server keeps about it.

    Attributes:
        uri: The document's URI.
        path: Its file path (None for unsaved or non-file documents).
        language_id: The client's language id.
        version: The client's version of the text.
        model: The engine behind it.
        settings: The settings in force.
        client: The editor's settings for its folder.
        folder: Its workspace folder's path.
        last_edit: ``time.monotonic()`` of the last change.
        outcome: The findings of ``outcome_version``.
        outcome_version: The version ``outcome`` belongs to (None before a check).
        task: The pending or running check.
        checking: True while ``task`` is past its wait and checking (changes coalesce).
        checked: Set when ``outcome`` matches ``version``.
        logged_errors: Rule errors already reported to the client.
        closed: Set once the document is closed.
        published: The JSON of the diagnostics last pushed (reused by the next push).
    """

    uri: str
    path: Path | None
    language_id: str
    version: int
    model: DocumentModel
    settings: Settings
    client: ClientSettings
    folder: Path | None = None
    last_edit: float = field(default_factory=time.monotonic)
    outcome: CheckOutcome | None = None
    outcome_version: int | None = None
    task: asyncio.Task[None] | None = None
    checking: bool = False
    checked: asyncio.Event = field(default_factory=asyncio.Event)
    logged_errors: frozenset[str] = frozenset()
    closed: bool = False
    published: DiagnosticJson | None = None
    _noqa: noqa.NoqaMap | None = None

    @property
    def is_python(self) -> bool:
        """True for a Python document."""
        if self.language_id == "python":
            return True
        return self.path is not None and self.path.suffix in PYTHON_SUFFIXES

    @property
    def kind(self) -> FileKind:
        """How the document is read: Python, a configuration file file rules read, or other."""
        if self.is_python:
            return FileKind.PYTHON
        found = config_kind(self.path) if self.path is not None else None
        return found or FileKind.OTHER

    @property
    def is_checked(self) -> bool:
        """True for the documents precepts checks (others are kept for their text only)."""
        return self.kind is not FileKind.OTHER

    @property
    def busy(self) -> bool:
        """True while a check of the document is pending or running."""
        return self.task is not None and not self.task.done()

    @property
    def current(self) -> CheckOutcome | None:
        """The outcome of the current version, or None while it is being checked."""
        return self.outcome if self.outcome_version == self.version else None

    def changed(self, version: int) -> None:
        """Record a new version of the text.

        Args:
            version: The client's version.
        """
        self.version = version
        self.last_edit = time.monotonic()
        self.checked.clear()
        self._noqa = None

    def converter(self, unit: ColumnUnit) -> Converter:
        """Return a position converter over the current text.

        Args:
            unit: The client's column unit.

        Returns:
            The converter.
        """
        return Converter(self.model.buffer.line_text, unit)

    def noqa_map(self) -> noqa.NoqaMap:
        """Return the ``# noqa`` directives and multi-line strings (cached per version).

        Returns:
            The map.
        """
        if self._noqa is None:
            self._noqa = noqa_map_of(self.model.buffer.text)
        return self._noqa

    def forget_caches(self) -> None:
        """Free the per-version caches (the document went idle)."""
        self._noqa = None

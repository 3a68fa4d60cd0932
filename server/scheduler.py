"""When documents are checked: as soon as they change, never for an outdated version.

Changes arrive faster than checks. By default a change is checked at once; changes that
arrive while a check of the same document runs are coalesced: the running check goes on
(the incremental engine picks the new text up between two slices of work, a full check
on its thread cannot be stopped anyway) and, as its result belongs to an outdated
version, it is dropped and the newest version is checked next. A result is stored only
when the document's version did not move while it was computed. Users who want a wait
set ``debounce``: each change then (re)starts the wait, cancelling a running check, so a
burst of keystrokes costs one check. Requests that need the findings of the current
version (pull diagnostics, code actions, hover) wait for them with
:meth:`CheckScheduler.current`; a cancelled request stops waiting, the check goes on. A
periodic sweep frees the trees of documents left alone for a while.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor

from precepts.server.documents import CheckOutcome, OpenDocument

log = logging.getLogger(__name__)

MAX_SWEEP_INTERVAL = 30.0
MIN_SWEEP_INTERVAL = 0.05


class CheckScheduler:
    """Runs the checks of open documents."""

    def __init__(
        self,
        executor: Executor,
        prepare: Callable[[OpenDocument], object],
        on_checked: Callable[[OpenDocument], None],
    ) -> None:
        """Create the scheduler.

        Args:
            executor: Where full checks run.
            prepare: Called before each check (brings the settings up to date).
            on_checked: Called after a check stored a new outcome.
        """
        self._executor = executor
        self._prepare = prepare
        self._on_checked = on_checked
        self.ready = asyncio.Event()
        self._wake = asyncio.Event()

    def schedule(self, document: OpenDocument, delay: float | None = None) -> None:
        """Check a document after a change, coalescing with a check already running.

        Args:
            document: The document.
            delay: Seconds to wait first (the document's debounce when None). Without a
                wait, a check of the document that is under way checks the new
                version once it is done instead of being cancelled; an explicit delay
                (settings changed, a request needs the findings now) always restarts.
        """
        wait = document.client.debounce if delay is None else delay
        if delay is None and wait <= 0 and document.checking:
            return  # the running check sees the version move and checks again
        self.cancel(document)
        document.task = asyncio.get_running_loop().create_task(self._run(document, wait))

    def cancel(self, document: OpenDocument) -> None:
        """Cancel a document's pending or running check.

        Args:
            document: The document.
        """
        if document.task is not None and not document.task.done():
            document.task.cancel()
        document.task = None
        document.checking = False

    def settings_changed(self) -> None:
        """Make the sweep re-read the documents' idle delays now."""
        self._wake.set()

    async def current(self, document: OpenDocument) -> CheckOutcome | None:
        """Return the outcome of the document's current version, checking it if needed.

        Args:
            document: The document.

        Returns:
            The outcome, or None once the document is closed.
        """
        while not document.closed and document.current is None:
            if document.task is None or document.task.done():
                self.schedule(document, 0.0)
            await document.checked.wait()
        return document.current

    async def _run(self, document: OpenDocument, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.ready.wait()
        task = asyncio.current_task()
        document.checking = True
        try:
            await self._check_until_current(document)
        finally:
            # A cancelled task ends after its successor started: the flag is the task's own.
            if document.task is task:
                document.checking = False

    async def _check_until_current(self, document: OpenDocument) -> None:
        """Check until an outcome matches the version (changes meanwhile are coalesced)."""
        while not document.closed:
            version = document.version
            outcome = await self._checked_outcome(document)
            if document.closed:
                return
            if document.version == version:
                document.outcome, document.outcome_version = outcome, version
                document.checked.set()
                self._on_checked(document)
                return

    async def _checked_outcome(self, document: OpenDocument) -> CheckOutcome:
        try:
            self._prepare(document)
            return await self._outcome(document)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one document's failure must not stop the others
            log.exception("checking %s failed", document.uri)
            return CheckOutcome(skipped=f"internal error: {type(error).__name__}: {error}")

    async def _outcome(self, document: OpenDocument) -> CheckOutcome:
        if not document.is_checked:
            return CheckOutcome()  # kept for its text (a README, a JSON file), never checked
        # The joined text is kept by the buffer (and needed by the check anyway).
        size = len(document.model.buffer.text)
        limit = document.client.max_file_size
        if size > limit:
            return CheckOutcome(
                skipped=f"{size:,} characters is over the limit of {limit:,} (maxFileSize)"
            )
        return await document.model.check(self._executor)

    async def sweep(self, documents: Callable[[], Iterable[OpenDocument]]) -> None:
        """Free the trees of documents not edited for a while, forever (run as a task).

        Args:
            documents: Returns the open documents.
        """
        while True:
            interval = MAX_SWEEP_INTERVAL
            now = time.monotonic()
            for document in list(documents()):
                idle_after = document.client.drop_tree_after
                interval = min(interval, max(idle_after / 2, MIN_SWEEP_INTERVAL))
                if document.busy or now - document.last_edit < idle_after:
                    continue
                if document.model.drop_tree():
                    document.forget_caches()
                    log.info(
                        "freed the tree of %s (no edit for %.0f s); it is parsed again on demand",
                        document.uri,
                        now - document.last_edit,
                    )
            try:
                await asyncio.wait_for(self._wake.wait(), interval)
            except TimeoutError:
                pass  # the usual case: nothing changed, sweep again
            self._wake.clear()

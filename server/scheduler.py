"""When documents are checked: debounced per document, never for an outdated version.

Changes arrive faster than checks. Each change (re)starts the document's check task,
which first sleeps for the debounce delay: a burst of keystrokes costs one check. A
running check is cancelled by the next change (the incremental engine stops between two
slices of work and resumes from the new text later), and a result is stored only when
the document's version did not move while it was computed. Requests that need the
findings of the current version (pull diagnostics, code actions, hover) wait for them
with :meth:`CheckScheduler.current`; a cancelled request stops waiting, the check goes
on. A periodic sweep frees the trees of documents left alone for a while.
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
        prepare: Callable[[OpenDocument], None],
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
        """(Re)start a document's check, cancelling the pending one.

        Args:
            document: The document.
            delay: Seconds to wait first (the document's debounce when None).
        """
        self.cancel(document)
        wait = document.client.debounce if delay is None else delay
        document.task = asyncio.get_running_loop().create_task(self._run(document, wait))

    def cancel(self, document: OpenDocument) -> None:
        """Cancel a document's pending or running check.

        Args:
            document: The document.
        """
        if document.task is not None and not document.task.done():
            document.task.cancel()
        document.task = None

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
        version = document.version
        try:
            self._prepare(document)
            outcome = await self._outcome(document)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # one document's failure must not stop the others
            log.exception("checking %s failed", document.uri)
            outcome = CheckOutcome(skipped=f"internal error: {type(error).__name__}: {error}")
        if document.closed or document.version != version:
            return
        document.outcome, document.outcome_version = outcome, version
        document.checked.set()
        self._on_checked(document)

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
                busy = document.task is not None and not document.task.done()
                if busy or now - document.last_edit < idle_after:
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

"""When the cyclic garbage collector walks the whole heap: while the user pauses.

The server keeps the trees of the open documents: hundreds of thousands of long-lived
objects for a 5,000-line module. CPython's collector walks every one of them in each
generation-2 collection, which it starts on its own once enough objects have survived:
150 to 250 ms in the middle of a keystroke's check, 4 ms per edit on average
(``benchmarks/RESULTS.md``). Here the survivors are moved out of the collector's view
(:func:`gc.freeze`) after each full collection, so the automatic collections walk only
what was allocated since. Objects that die by reference counting (most of them: CST
nodes hold no cycles) are freed at once as always; only garbage in cycles among the
frozen objects waits for the next full collection (:func:`gc.unfreeze`, then
:func:`gc.collect`, then freeze again). That runs when no document has changed for
:data:`IDLE` seconds, and after :data:`EVERY` checks at the latest, so hours of typing
without a pause still free their cycles and memory stays flat (the soak measures it).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

IDLE = 0.5
"""Seconds without a change before a full collection runs."""
EVERY = 500
"""Checks after which a full collection runs even without a pause."""


class Collector:
    """Runs full garbage collections between checks instead of inside them."""

    def __init__(
        self,
        idle: float = IDLE,
        every: int = EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create the policy; nothing changes until :meth:`start`.

        Args:
            idle: Seconds without a change before a full collection.
            every: Checks after which a full collection runs without a pause.
            clock: The clock the pauses are measured with.
        """
        self.idle = idle
        self.every = every
        self._clock = clock
        self._started = False
        self._checks = 0
        self._changed = False  # anything since the last full collection
        self._last_change = clock()
        self.full_collections = 0

    @property
    def started(self) -> bool:
        """Whether the policy is in force."""
        return self._started

    def start(self) -> None:
        """Collect once and freeze what survives (the server's modules and state)."""
        self._started = True
        self.collect_full()

    def stop(self) -> None:
        """Give every object back to the collector (the policy ends)."""
        self._started = False
        gc.unfreeze()

    def changed(self) -> None:
        """Note a change to a document: the pause starts again."""
        self._changed = True
        self._last_change = self._clock()

    def checked(self) -> None:
        """Note a finished check; collect fully after :attr:`every` of them."""
        self._checks += 1
        if self._started and self._checks >= self.every:
            self.collect_full()

    def due(self) -> bool:
        """Whether a pause long enough for a full collection follows a change.

        Returns:
            True when something changed since the last full collection and nothing for
            :attr:`idle` seconds.
        """
        return self._started and self._changed and self._clock() - self._last_change >= self.idle

    def collect_full(self) -> int:
        """Collect the whole heap, then freeze what survives.

        Returns:
            How many unreachable objects the collection found.
        """
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        if self._started:
            gc.freeze()
        self._checks = 0
        self._changed = False
        self.full_collections += 1
        log.debug(
            "full garbage collection: %d unreachable, %d frozen, %.0f ms",
            found,
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
        )
        return found

    async def run(self, busy: Callable[[], bool]) -> None:
        """Collect fully in the pauses, forever (run as a task).

        Args:
            busy: True while a check runs (a pause is not a pause then).
        """
        while True:
            await asyncio.sleep(self.idle / 2)
            if self.due() and not busy():
                self.collect_full()

"""When the server checks a document (issue 13): at once by default, newest version last.

The server runs in this process (:mod:`tests.server.inprocess`), so a test can hold a
check open while changes arrive, and count the event loop's turns instead of measuring
time: how long anything takes belongs in the benchmarks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Executor

import pytest

from precepts.server import settings
from precepts.server.documents import CheckOutcome
from tests.server.inprocess import InProcessServer, until

URI = "file:///scheduling/burst.py"
TEXT = "x = 0\n"
BURST = 12
# Enough turns of the loop for a notification to reach its handler and the check's task
# to start, and far too few for any timer to fire.
TURNS = 50


class Gate:
    """Holds every check of one document until opened, and records which version each had."""

    def __init__(self, client: InProcessServer) -> None:
        self.document = client.server.documents[URI]
        self.versions: list[int] = []
        self.opened = False
        self._check = self.document.model.check

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(self.document.model, "check", self._held)

    async def _held(self, executor: Executor) -> CheckOutcome:
        self.versions.append(self.document.version)
        await until(lambda: self.opened)
        return await self._check(executor)


def record_publishes(client: InProcessServer) -> list[int | None]:
    """Return the list the version of every diagnostics push of ``URI`` is appended to."""
    versions: list[int | None] = []
    write = client.sink.write

    def spy(data: bytes) -> None:
        message = json.loads(data)
        params = message.get("params") or {}
        if message.get("method") == "textDocument/publishDiagnostics" and params["uri"] == URI:
            versions.append(params.get("version"))
        write(data)

    client.sink.write = spy  # type: ignore[method-assign]
    return versions


async def turns_until(condition: Callable[[], bool], turns: int = TURNS) -> bool:
    """Let the loop turn (no time passes on purpose) until ``condition()`` holds."""
    for _ in range(turns):
        if condition():
            return True
        await zero_sleep()
    return condition()


async def zero_sleep() -> None:
    """One turn of the event loop."""
    await asyncio.sleep(0)


def statement(number: int) -> str:
    return f"y{number} = x == None\n"


async def started() -> InProcessServer:
    """A server with default settings and ``URI`` open and checked."""
    client = InProcessServer()
    await client.start()
    client.open(URI, TEXT)
    await client.diagnostics(URI, 0)
    return client


def test_the_default_adds_no_wait() -> None:
    assert settings.DEFAULT_DEBOUNCE_MS == 0
    assert settings.ClientSettings().debounce == 0
    problems: list[str] = []
    assert settings.EditorSettings(problems.append).for_folder("").debounce == 0
    assert problems == []


async def test_a_change_is_checked_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    client = await started()
    gate = Gate(client)
    gate.install(monkeypatch)
    assert gate.document.client.debounce == 0
    client.change(URI, 1, (1, 0), (1, 0), statement(1))
    # Within a few turns of the loop, with no timer involved, the check has begun.
    assert await turns_until(lambda: gate.versions == [1])
    assert gate.document.checking
    gate.opened = True
    await client.diagnostics(URI, 1)
    await client.stop()


async def test_a_burst_during_a_check_publishes_the_final_version_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = await started()
    published = record_publishes(client)
    gate = Gate(client)
    gate.install(monkeypatch)
    client.change(URI, 1, (1, 0), (1, 0), statement(1))
    await until(lambda: gate.versions == [1])
    # The burst arrives while the check of version 1 runs (held open by the gate).
    for version in range(2, BURST + 1):
        client.change(URI, version, (version, 0), (version, 0), statement(version))
        await zero_sleep()
    assert gate.versions == [1], "a change must not start a second check of the document"
    gate.opened = True
    diagnostics = await client.diagnostics(URI, BURST)
    await turns_until(lambda: False)  # anything stale would be published by now
    # Version 1's result came too late and was dropped; the burst cost one more check.
    assert gate.versions == [1, BURST]
    assert published == [BURST]
    assert len([d for d in diagnostics if d["code"] == "BP105"]) == BURST
    await client.stop()


async def test_a_debounce_still_waits_and_restarts(monkeypatch: pytest.MonkeyPatch) -> None:
    client = await started()
    document = client.server.documents[URI]
    gate = Gate(client)
    gate.install(monkeypatch)
    monkeypatch.setattr(document, "client", settings.ClientSettings(debounce=3600.0))
    client.change(URI, 1, (1, 0), (1, 0), statement(1))
    opened_task = document.task
    assert await turns_until(lambda: document.task is not opened_task)
    waiting = document.task
    client.change(URI, 2, (2, 0), (2, 0), statement(2))
    assert await turns_until(lambda: document.task is not waiting)
    assert not await turns_until(lambda: bool(gate.versions)), "the debounce was skipped"
    # Each change restarted the wait: the first task was cancelled, not left to check.
    assert waiting is not None and waiting.cancelled()
    assert document.task is not None and not document.task.done()
    gate.opened = True
    client.server.scheduler.cancel(document)
    await client.stop()

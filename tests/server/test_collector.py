"""The garbage collection policy: full collections in the pauses, the rest frozen (issue 13)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from precepts.server.collector import Collector
from tests.server.inprocess import InProcessServer, until


class Node:
    """An object that can sit in a reference cycle and be watched with a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> tuple[Node, weakref.ref[Node]]:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return first, weakref.ref(first)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector() -> Iterator[Collector]:
    policy = Collector(idle=0.5, every=3, clock=Clock())
    yield policy
    policy.stop()  # nothing stays frozen for the other tests of this process


def test_start_freezes_the_survivors_and_stop_gives_them_back(collector: Collector) -> None:
    collector.start()
    assert collector.started and gc.get_freeze_count() > 0
    collector.stop()
    assert not collector.started and gc.get_freeze_count() == 0


def test_frozen_cycles_wait_for_the_full_collection(collector: Collector) -> None:
    kept, watch = cycle()
    collector.start()  # the cycle is alive: it is frozen with the rest
    del kept
    gc.collect()
    assert watch() is not None, "an automatic or explicit collection saw a frozen cycle"
    assert collector.collect_full() >= 2
    assert watch() is None


def test_a_full_collection_is_due_only_after_a_change_and_a_pause(collector: Collector) -> None:
    clock = collector._clock
    assert isinstance(clock, Clock)
    collector.start()
    assert not collector.due()  # nothing changed
    collector.changed()
    clock.now += 0.3
    assert not collector.due()  # typing goes on
    clock.now += 0.3
    assert collector.due()
    collector.collect_full()
    assert not collector.due()


def test_checks_without_a_pause_still_collect_fully(collector: Collector) -> None:
    collector.start()
    done = collector.full_collections
    for _ in range(2):
        collector.checked()
    assert collector.full_collections == done
    collector.checked()  # the third: ``every`` is 3
    assert collector.full_collections == done + 1


def test_nothing_is_collected_before_start(collector: Collector) -> None:
    for _ in range(5):
        collector.checked()
    assert collector.full_collections == 0 and gc.get_freeze_count() == 0


async def test_the_task_waits_while_a_check_runs() -> None:
    policy = Collector(idle=0.02, every=1000)
    policy.start()
    busy = True
    task = asyncio.create_task(policy.run(lambda: busy))
    try:
        done = policy.full_collections
        policy.changed()
        await asyncio.sleep(0.1)
        assert policy.full_collections == done  # due, but a check is running
        busy = False
        await until(lambda: policy.full_collections > done, timeout=5)
    finally:
        task.cancel()
        policy.stop()


async def test_the_server_collects_in_the_pause_after_edits() -> None:
    client = InProcessServer()
    await client.start()
    policy = client.server.collector
    try:
        assert policy.started and gc.get_freeze_count() > 0
        policy.idle = 0.05
        client.open("file:///gc/app.py", "value = 1\n")
        client.change("file:///gc/app.py", 1, (0, 9), (0, 9), "0")
        await client.diagnostics("file:///gc/app.py", 1)
        done = policy.full_collections
        await until(lambda: policy.full_collections > done, timeout=10)
    finally:
        await client.stop()
    assert not policy.started and gc.get_freeze_count() == 0

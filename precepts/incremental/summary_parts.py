"""Module-rule summaries of a long class, part by part.

A module rule summarises each top-level statement (:meth:`precepts.rule.Rule.end_statement`).
For a class long enough to be split into leaves, walking all of it with the module rules
on every keystroke costs as much as the class is long. When every module rule of the set
combines its summaries (``summary_parts``), the class is summarised in parts instead: its
head (the class walked without its body), then each statement of its body, walked with the
class replayed around it. A statement's part is cached on its leaf, so an edit walks the
head and the edited statement only; the rules' :meth:`~precepts.rule.Rule.combine` joins
the parts into the class's summary.

A part is used only while it holds no finding and no failure (module rules report from
``finish``); otherwise the class is walked whole, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from precepts.incremental.facts_key import Dependency, Reads
from precepts.incremental.leaves import Leaf, Split

if TYPE_CHECKING:
    from precepts.incremental.runner import LeafRunner, Summary
    from precepts.walker import Walker

log = logging.getLogger(__name__)


class PartStore(Protocol):
    """Where the parts of split classes are cached (the document's findings cache)."""

    def part(self, child: Leaf) -> Summary | None:
        """Return the cached part of a class body statement, if it still holds."""

    def store_part(self, child: Leaf, part: Summary) -> None:
        """Cache the part of a class body statement."""


def combines(runner: LeafRunner) -> bool:
    """Tell whether every module rule of the run combines its summaries.

    Args:
        runner: The leaf runner.

    Returns:
        True when split classes may be summarised part by part.
    """
    specs = runner.module_specs
    return bool(specs) and all(spec[0].summary_parts for spec in specs)


def summarize_by_parts(
    runner: LeafRunner, index: int, split: Split, store: PartStore
) -> Summary | None:
    """Summarise a split class from its head and its body statements' cached parts.

    Args:
        runner: The leaf runner (its context, tracker and module rules).
        index: The class's index among the top-level statements.
        split: The class.
        store: The parts' cache.

    Returns:
        The class's summary, or None when it must be walked whole (a part reported or
        failed, or a rule's ``combine`` raised).
    """
    head = walk_part(runner, index, split, None)
    if head is None:
        return None
    parts = [head]
    for child in split.children:
        part = store.part(child)
        if part is None:
            part = walk_part(runner, index, split, child)
            if part is None:
                return None
            store.store_part(child, part)
        parts.append(part)
    return _combined(runner, parts)


def walk_part(runner: LeafRunner, index: int, split: Split, child: Leaf | None) -> Summary | None:
    """Walk one part of a split class with fresh module rules.

    Args:
        runner: The leaf runner.
        index: The class's index among the top-level statements.
        split: The class.
        child: The body statement, or None for the head.

    Returns:
        The part's summary, or None when a rule reported or failed on it.
    """
    node = split.node

    def walk(walker: Walker) -> None:
        if child is None:
            walker.walk_split(node, lambda _index, _statement: None)
            return
        walker.enter(node, replay=True)
        walker.enter(node.body, replay=True)
        walker.walk(child.rules_node())
        walker.leave(node.body, replay=True)
        walker.leave(node, replay=True)

    part, reported, failures = runner.module_walk(index, walk)
    runner.context.current_statement = -1
    return None if reported or failures else part


def _combined(runner: LeafRunner, parts: Sequence[Summary]) -> Summary | None:
    from precepts.incremental.runner import Summary  # the runner imports us

    summary = Summary()
    for spec in runner.module_specs:
        rule = spec[0]
        try:
            summary.values[rule.code] = rule.combine([part.values.get(rule.code) for part in parts])
        except Exception as error:  # a rule's combine is broken: walk the class whole
            log.debug(
                "%s could not combine summaries (%s): the class is walked whole", rule.code, error
            )
            summary = None
            break
    if summary is None:
        return None
    summary.dependencies = Reads.of(_union(part.dependencies.entries for part in parts))
    return summary


def _union(groups: Iterable[tuple[Dependency, ...]]) -> tuple[Dependency, ...]:
    """Every dependency once, in order (the parts of one class read the same facts)."""
    entries = [entry for group in groups for entry in group]
    try:
        return tuple(dict.fromkeys(entries))
    except TypeError:  # an unhashable fingerprint: keep them all
        return tuple(entries)

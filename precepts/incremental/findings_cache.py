"""The findings cache of an open document: which leaves' findings still hold.

A leaf's result is kept on the leaf (``leaf.cache["result"]``), and a result valid
wherever its text appears is also kept in a per-document cache keyed by that text, so
a statement typed again (or undone) is not checked again. A module rule's summary of a
top-level statement is kept on the statement (``top.cache["summary"]``).

Each entry remembers what it was last validated against (its *stamp*): the version of
the module facts and, when the result read them, of the module's statements, of the
module queries' answers and of the cross-file answers. An entry whose stamp is current
holds; any other is re-validated against what it read (see
:class:`precepts.incremental.facts_key.FactsTracker`), and only against its reads of
statements, queries and other files while the facts' version is the same.

The module queries are asked again at the start of every check
(:meth:`FindingsCache.begin_check`): their version moves only when an answer changed,
so a keystroke in one function does not re-validate every leaf that relies on, say, the
module's last import.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import libcst as cst

from precepts.crossfile import default_service
from precepts.facts import ModuleFacts
from precepts.incremental.facts_key import REACH, FactsTracker, Reads
from precepts.incremental.leaves import CHILD, Leaf, Split, Top, top_node
from precepts.incremental.runner import LeafResult, Summary, shift_finding

#: What a cached entry was last validated against: the facts' version, the version of
#: the module's statements (-1 when it did not read them), the version of the module
#: queries' answers (-1 when it relied on none) and the cross-file service's generation
#: (-1 when it did not ask it).
Stamp = tuple[int, int, int, int]

R = TypeVar("R", LeafResult, Summary)


@dataclass(slots=True)
class CacheEntry(Generic[R]):
    """One cached result and what it is valid for.

    Attributes:
        generation: The rule set's generation it was computed under.
        key: What it was computed for: a leaf's context key (see
            :func:`context_key`), or the statement node of a summary
            (compared by identity).
        result: The leaf's findings, or the statement's summary.
        stamp: What it was last validated against.
        owner: The node the entry is bound to, kept alive with it: the node of the split
            the leaf belonged to (a context key may hold that node's ``id``, unique only
            while the node lives), or the statement of a class's part.
    """

    generation: int
    key: Any
    result: R
    stamp: Stamp
    owner: cst.CSTNode | None = None


def _docstring_text(split: Split) -> str:
    first = split.children[0]
    node = first.node
    if (
        isinstance(node, cst.SimpleStatementLine)
        and node.body
        and isinstance(node.body[0], cst.Expr)
        and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    ):
        return first.text
    return ""


def context_key(leaf: Leaf) -> tuple[Any, ...]:
    """Return what a leaf's findings depend on besides the facts it reads.

    A top-level statement (``S``) and a statement of a split class body (``C``) depend
    on their text and little else, so their findings may also be cached by text; any
    other leaf (``N``) depends on the whole statement it belongs to.

    Args:
        leaf: A leaf.

    Returns:
        The key, its kind first.
    """
    owner = leaf.owner
    if owner is None:
        return ("S", leaf.text, leaf.pre, leaf.post)
    if owner.is_class and leaf.kind == CHILD:
        return ("C", leaf.text, leaf.post, owner.head.text, _docstring_text(owner))
    return ("N", id(owner.node))


def _same_statements_above(old: Hashable, new: Hashable) -> bool:
    """Tell whether a reach still finds every statement, each above the leaf as before."""
    if not isinstance(old, tuple) or not isinstance(new, tuple) or len(old) != len(new):
        return False
    return all(
        isinstance(o, int) and isinstance(n, int) and o > 0 and n > 0
        for o, n in zip(old, new, strict=True)
    )


def _part_key(child: Leaf) -> tuple[str, ...]:
    """What a class body statement's part depends on besides its node: the class's head."""
    owner = child.owner
    assert owner is not None
    return (owner.head.text, _docstring_text(owner))


def cached_result(leaf: Leaf) -> LeafResult:
    """Return the findings cached on a leaf (it was looked up or stored this check).

    Args:
        leaf: A valid leaf.

    Returns:
        Its result.
    """
    entry: CacheEntry[LeafResult] = leaf.cache["result"]
    return entry.result


class FindingsCache:
    """The cached findings and summaries of one document, and their validity.

    Attributes:
        tracker: Fingerprints the facts and records which of them each leaf reads.
    """

    def __init__(self, size: int) -> None:
        """Start empty.

        Args:
            size: Entries of the cache keyed by statement text.
        """
        self.tracker = FactsTracker()
        self._generation = 0
        self._facts_key: Hashable = None
        self._facts_version = 0
        self._body_ids: tuple[int, ...] = ()
        self._body_version = 0
        self._query_prints: dict[Hashable, Hashable] = {}
        self._query_version = 0
        self._texts: OrderedDict[Hashable, CacheEntry[LeafResult]] = OrderedDict()
        self._size = size

    def new_generation(self) -> None:
        """Drop every cached result (the rules changed)."""
        self._generation += 1
        self._texts.clear()

    def reset_tracker(self) -> None:
        """Start a new tracker (the tree was dropped); cached results stay."""
        self.tracker = FactsTracker()

    def load_facts(self, facts: ModuleFacts, module: cst.Module) -> None:
        """Take the facts and the module of a new check.

        Args:
            facts: The module's facts (the same object when they did not change).
            module: The module the rules see.
        """
        if facts is self.tracker.source:
            key = self._facts_key
            self.tracker.rebind(module)
        else:
            key = self.tracker.load(facts, module)
        if key != self._facts_key:
            # Cached entries remember the version they were last validated against.
            self._facts_key = key
            self._facts_version += 1
        body = tuple(id(statement) for statement in module.body)
        if body != self._body_ids:
            self._body_ids = body
            self._body_version += 1

    def begin_check(self) -> None:
        """Ask every module query known so far again; note whether an answer changed.

        Called once the tracker has the check's context. A query that raises counts as
        changed and is forgotten: the leaves that relied on it are validated again (and
        ask it themselves).
        """
        tracker = self.tracker
        changed = False
        for key, old in list(self._query_prints.items()):
            try:
                new = tracker.query_print(key)
            except Exception:  # a rule's helper failed: let its leaves find out
                del self._query_prints[key]
                changed = True
                continue
            if new != old:
                self._query_prints[key] = new
                changed = True
        if changed:
            self._query_version += 1

    def lookup(self, leaf: Leaf) -> bool:
        """Tell whether a leaf's findings are known (on the leaf or in the text cache).

        Args:
            leaf: A valid leaf.

        Returns:
            True when they are (they are then on the leaf).
        """
        key = context_key(leaf)
        entry: CacheEntry[LeafResult] | None = leaf.cache.get("result")
        if entry is not None and entry.generation == self._generation and entry.key == key:
            if self._valid(entry) or self._moved_with_reach(leaf, entry):
                return True
        if key[0] in ("S", "C"):
            cached = self._texts.get(key)
            if cached is not None and self._valid(cached):
                self._texts.move_to_end(key)
                stamp = self._new_stamp(cached.result.dependencies)
                leaf.cache["result"] = CacheEntry(self._generation, key, cached.result, stamp)
                return True
        return False

    def _moved_with_reach(self, leaf: Leaf, entry: CacheEntry[LeafResult]) -> bool:
        """Keep a result whose only change is how far the statements it reaches are.

        A fix that extends an import above its statement depends on the import staying
        the same node at the same distance (``REACH``). A line typed or deleted between
        the two changes only the distance: the result is moved (its ranges above the
        leaf shift by the lines added) instead of checked again.

        Args:
            leaf: The leaf.
            entry: Its cached result, which no longer validates as it is.

        Returns:
            True when the moved result is now on the leaf.
        """
        result = entry.result
        dependencies = result.dependencies
        if result.portable or not any(name == REACH for name, _, _ in dependencies.volatile):
            return False
        others = tuple(item for item in dependencies.entries if item[0] != REACH)
        facts_too = entry.stamp[0] != self._facts_version
        if not self.tracker.still_valid(Reads.of(others), facts_too):
            return False
        kept = list(others)
        shifts: set[int] = set()
        for name, key, old in dependencies.entries:
            if name != REACH:
                continue
            new = self.tracker.reach_print(key)
            if not _same_statements_above(old, new):
                return False
            shifts.update(o - n for o, n in zip(old, new, strict=True))  # type: ignore[arg-type]
            kept.append((name, key, new))
        if len(shifts) != 1:
            return False  # lines were added between two statements it reaches
        (shift,) = shifts
        moved = LeafResult(
            [shift_finding(finding, shift, above_only=True) for finding in result.findings],
            result.errors,
            False,
            Reads.of(tuple(kept)),
        )
        leaf.cache["result"] = CacheEntry(
            self._generation, entry.key, moved, self._new_stamp(moved.dependencies), entry.owner
        )
        return True

    def store(self, leaf: Leaf, result: LeafResult) -> None:
        """Cache the findings of a leaf just checked.

        Args:
            leaf: The leaf.
            result: Its findings.
        """
        key = context_key(leaf)
        owner = leaf.owner
        leaf.cache["result"] = CacheEntry(
            self._generation,
            key,
            result,
            self._new_stamp(result.dependencies),
            owner.node if owner else None,
        )
        if key[0] in ("S", "C") and result.portable and not result.errors:
            self._texts[key] = CacheEntry(
                self._generation, key, result, self._stamp(result.dependencies)
            )
            if len(self._texts) > self._size:
                self._texts.popitem(last=False)

    def part(self, child: Leaf) -> Summary | None:
        """Return the cached module-rule part of a split class's body statement.

        It holds while the statement is the same node, under the same class head, and
        what it read still holds (see :mod:`precepts.incremental.summary_parts`).

        Args:
            child: A leaf of a split class's body.

        Returns:
            The part, or None.
        """
        entry: CacheEntry[Summary] | None = child.cache.get("part")
        if (
            entry is not None
            and entry.generation == self._generation
            and entry.owner is child.rules_node()
            and entry.key == _part_key(child)
            and self._valid(entry)
        ):
            return entry.result
        return None

    def store_part(self, child: Leaf, part: Summary) -> None:
        """Cache the module-rule part of a split class's body statement.

        Args:
            child: The leaf.
            part: What the module rules saw in it.
        """
        child.cache["part"] = CacheEntry(
            self._generation,
            _part_key(child),
            part,
            self._new_stamp(part.dependencies),
            child.rules_node(),
        )

    def summary(self, top: Top) -> Summary | None:
        """Return the cached summary of a top-level statement, if it still holds.

        Args:
            top: The statement.

        Returns:
            The summary, or None.
        """
        entry: CacheEntry[Summary] | None = top.cache.get("summary")
        if (
            entry is not None
            and entry.generation == self._generation
            and entry.key is top_node(top)
            and self._valid(entry)
        ):
            return entry.result
        return None

    def store_summary(self, top: Top, summary: Summary) -> None:
        """Cache the summary of a top-level statement.

        Args:
            top: The statement.
            summary: What the module rules saw in it.
        """
        top.cache["summary"] = CacheEntry(
            self._generation, top_node(top), summary, self._new_stamp(summary.dependencies)
        )

    def _valid(self, entry: CacheEntry[Any]) -> bool:
        """Tell whether a cached entry still holds under the current facts."""
        dependencies = entry.result.dependencies
        stamp = self._stamp(dependencies)
        if entry.stamp == stamp:
            return True
        facts_too = entry.stamp[0] != stamp[0]
        if self.tracker.still_valid(dependencies, facts_too):
            entry.stamp = stamp
            return True
        return False

    def _new_stamp(self, dependencies: Reads) -> Stamp:
        """Return the stamp of an entry stored now; remember the queries it relies on.

        They are asked again at the start of every check (:meth:`begin_check`).
        """
        if dependencies.query:
            prints = self._query_prints
            for key, print_ in dependencies.queries():
                prints.setdefault(key, print_)
        return self._stamp(dependencies)

    def _stamp(self, dependencies: Reads) -> Stamp:
        """Return what a cached entry is validated against now.

        That is the facts, and the module's statements, the module queries' answers and
        the cross-file answers when the entry depends on them.
        """
        return (
            self._facts_version,
            self._body_version if dependencies.body else -1,
            self._query_version if dependencies.query else -1,
            default_service().generation if dependencies.crossfile else -1,
        )

"""An open document checked incrementally: edits re-parse and re-check only what changed.

The document is kept as a text buffer plus leaves (see :mod:`precepts.incremental.leaves`).
An edit splices the buffer and marks the leaves it touched *dirty*; :meth:`work` then
re-parses each dirty run together with one neighbour on each side (so comments and blank
lines at the boundaries land where a full parse would put them), splices the new
statements into the tree, and re-runs the rules only on leaves whose findings are not
cached. A run that does not parse becomes one *broken* leaf: it reports one ``BP000`` at
its syntax error and stands as ``pass`` in the tree the rules see, so every other
statement keeps its findings.

What holds after every edit (tests/engine/test_incremental_property.py checks it):

* when the text parses, the findings equal those of a from-scratch
  :meth:`precepts.engine.Checker.check`;
* when it does not, let T° be the text with each broken leaf's lines replaced by one
  ``pass`` (indented like the leaf) and blank lines. Outside broken leaves the findings
  equal those of a from-scratch check of T°, and each broken leaf has exactly one
  ``BP000``, inside it.

The parts live apart: the tree and its re-parsing in :mod:`precepts.incremental.tree` and
:mod:`precepts.incremental.splice`, the findings cache in
:mod:`precepts.incremental.findings_cache`, the memo of module facts in
:mod:`precepts.incremental.facts_memo`. This module runs a check over them.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

import libcst as cst

from precepts import noqa
from precepts.context import RuleContext
from precepts.engine import (
    SYNTAX_ERROR,
    UNUSED_NOQA,
    Checker,
    RuleError,
    RuleSet,
    engine_finding,
    unused_noqa_findings,
)
from precepts.findings import Finding
from precepts.incremental.buffer import TextBuffer
from precepts.incremental.facts_memo import FactsMemo
from precepts.incremental.findings_cache import FindingsCache, cached_result
from precepts.incremental.layout import Layout, LeafPositions
from precepts.incremental.leaves import Leaf, Split, Top, top_node
from precepts.incremental.runner import (
    LeafContext,
    LeafRunner,
    Summary,
    shift_finding,
)
from precepts.incremental.tree import CHUNK_LINES, SPLIT_LINES, DocumentTree, Stats
from precepts.syntax import cpython_tree

#: About how many lines of statements are checked between two yields of :meth:`work`.
CHECK_LINES = 400


@dataclass
class DocumentResult:
    """The findings of one state of the document.

    Attributes:
        findings: Every finding, in file order.
        errors: Rules that raised (one entry per rule).
        broken: Line spans (first, last) of the statements that do not parse.
    """

    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    broken: list[tuple[int, int]] = field(default_factory=list)


def _starts(layout: Layout) -> dict[int, int]:
    """Where each leaf and the code of each top-level statement start, by ``id``."""
    starts = {id(leaf): start for leaf, start in zip(layout.leaves, layout.starts, strict=True)}
    for top, start in zip(layout.tops, layout.top_starts, strict=True):
        # Where its code starts: the module's header lines (``pre``) may change alone.
        first = top.head if isinstance(top, Split) else top
        starts[id(top_node(top))] = start + first.pre
    return starts


class IncrementalDocument:
    """An open document, re-parsed and re-checked incrementally.

    Attributes:
        path: The file's path (for test-file detection and messages).
        ruleset: The rules to run.
        stats: Work counters.
    """

    def __init__(
        self,
        text: str,
        path: str,
        ruleset: RuleSet,
        *,
        split_lines: int = SPLIT_LINES,
        chunk_lines: int = CHUNK_LINES,
        cache_size: int = 4096,
    ) -> None:
        """Open a document (nothing is parsed until :meth:`work` runs).

        Args:
            text: The document's text.
            path: Its path.
            ruleset: The rules.
            split_lines: Compound statements of at least this many lines are split.
            chunk_lines: Lines per slice of a from-scratch parse.
            cache_size: Entries of the findings cache keyed by statement text.
        """
        self.path = path
        self.ruleset = ruleset
        self.stats = Stats()
        self._tree = DocumentTree(text, split_lines, chunk_lines, self.stats)
        self._findings = FindingsCache(cache_size)
        self._facts = FactsMemo()
        self._edits = 0
        self._result: DocumentResult | None = None

    # Public API.

    @property
    def text(self) -> str:
        """The document's current text."""
        return self.buffer.text

    @property
    def buffer(self) -> TextBuffer:
        """The current text, as a buffer."""
        return self._tree.buffer

    @property
    def tops(self) -> list[Top]:
        """The top-level statements (leaves and splits)."""
        return self._tree.tops

    @property
    def style(self) -> cst.Module:
        """An empty module carrying the code style, header and footer."""
        return self._tree.style

    @property
    def result(self) -> DocumentResult | None:
        """The findings of the current text, or None while work is pending."""
        return self._result

    def edit(self, start: tuple[int, int], end: tuple[int, int], new_text: str) -> None:
        """Apply an edit (positions are 0-based lines and code-point columns).

        Args:
            start: Where the replaced text starts.
            end: Where it ends.
            new_text: The replacement.
        """
        first, old, new = self.buffer.replace(start, end, new_text)
        self._changed()
        self._tree.mark_dirty(first, old, new)

    def set_text(self, text: str) -> None:
        """Replace the whole text.

        Args:
            text: The new content.
        """
        self._tree.set_text(text)
        self._changed()

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """Switch to another rule set (cached findings are dropped).

        Args:
            ruleset: The new rules.
        """
        self.ruleset = ruleset
        self._changed()
        self._findings.new_generation()

    def refresh(self) -> None:
        """Check again on the next :meth:`work`.

        Cached findings re-validate what they depend on, such as answers of the
        cross-file service.
        """
        self._result = None

    def parsed_layout(self) -> Layout:
        """Parse what is pending, without checking, and return the layout.

        Returns:
            The layout of the current text.
        """
        while self._tree.parse_step():
            pass
        return self.layout()

    def drop_tree(self) -> None:
        """Free the parsed tree; the next :meth:`work` parses again (findings stay cached)."""
        self._tree.drop()
        self._findings.reset_tracker()

    @property
    def has_tree(self) -> bool:
        """True while a parsed tree is kept."""
        return self._tree.has_tree

    def check(self) -> DocumentResult:
        """Do all pending work and return the findings.

        Returns:
            The result for the current text.
        """
        for _ in self.work():
            pass
        assert self._result is not None
        return self._result

    def work(self) -> Generator[None, None, None]:
        """Parse what changed and check what needs it, yielding between slices of work.

        A caller on an event loop resumes it as long as no newer edit arrived; an edit
        made between two steps is picked up (the work continues from the new state).

        Yields:
            Nothing, between slices of work.
        """
        while self._result is None:
            if "\x00" in self.buffer.text:
                self._result = self._binary()
                return
            if self._tree.parse_step():
                yield
                continue
            if self._tree.whole_text_fixed():
                continue
            edits = self._edits
            yield from self._check(edits)

    def layout(self) -> Layout:
        """Return the current layout of leaves (for hover and code actions).

        Returns:
            The layout, with the module the rules see.
        """
        return self._tree.layout()

    def _changed(self) -> None:
        self._edits += 1
        self._result = None
        self._tree.reshaped()

    # Checking.

    def _binary(self) -> DocumentResult:
        result = Checker(self.ruleset).check(self.buffer.text, self.path)
        return DocumentResult(result.findings, result.errors, [])

    def _check(self, edits: int) -> Iterator[None]:
        layout = self._tree.layout()
        if not layout.leaves:
            result = Checker(self.ruleset).check(self.buffer.text, self.path)
            self._result = DocumentResult(result.findings, result.errors, [])
            return
        module = layout.module
        cache = self._findings
        cache.load_facts(self._facts.facts_of(module), module)
        tracker = cache.tracker
        text = self._tree.checked_text(layout)
        positions = LeafPositions(layout)
        context = LeafContext(
            self.path,
            text,
            module,
            lambda: cpython_tree(text),
            positions,
            tracker.facts,
            target_version=self.ruleset.target_version,
        )
        context.tracker = tracker
        tracker.begin(context, lambda: _starts(layout))
        try:
            cache.begin_check()
            yield from self._run(layout, context, positions, edits)
        finally:
            tracker.end()  # the check's context must not outlive it

    def _run(
        self, layout: Layout, context: LeafContext, positions: LeafPositions, edits: int
    ) -> Iterator[None]:
        cache = self._findings
        runner = LeafRunner(self.ruleset, context, positions, cache.tracker)
        for jobs in self._job_batches(layout, runner):
            results = runner.run_leaves(jobs)
            self.stats.leaves_checked += len(results)
            for leaf, result in results.values():
                cache.store(leaf, result)
            yield
            if edits != self._edits:
                return
        summaries = yield from self._summaries(layout, runner, edits)
        if summaries is None:
            return
        self._result = self._assemble(layout, runner, summaries, context)

    def _job_batches(
        self, layout: Layout, runner: LeafRunner
    ) -> Iterator[list[tuple[str, Leaf | Split, int]]]:
        batch: list[tuple[str, Leaf | Split, int]] = []
        size = 0
        for index, top in enumerate(layout.tops):
            for job in self._jobs_of(top, index):
                batch.append(job)
                item = job[1]
                size += item.lines
                if size >= CHECK_LINES:
                    yield batch
                    batch, size = [], 0
        if batch:
            yield batch

    def _jobs_of(self, top: Top, index: int) -> list[tuple[str, Leaf | Split, int]]:
        if isinstance(top, Leaf):
            if top.valid and not self._findings.lookup(top):
                return [("stmt", top, index)]
            return []
        if not top.is_class:
            if all(self._findings.lookup(leaf) for leaf in top.leaves() if leaf.valid):
                return []
            return [("whole", top, index)]
        jobs: list[tuple[str, Leaf | Split, int]] = []
        if not self._findings.lookup(top.head):
            jobs.append(("head", top, index))
        for child in top.children:
            if child.valid and not self._findings.lookup(child):
                jobs.append(("child", child, index))
        return jobs

    def _summaries(self, layout: Layout, runner: LeafRunner, edits: int) -> Iterator[None]:
        if not runner.module_specs:
            return []
        summaries: list[Summary | None] = []
        missing: list[tuple[int, Top]] = []
        for index, top in enumerate(layout.tops):
            summary = self._findings.summary(top)
            summaries.append(summary)
            if summary is None:
                missing.append((index, top))
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            fresh = runner.summarize(chunk, self._findings)
            self.stats.summaries += len(fresh)
            for index, summary in fresh.items():
                top = layout.tops[index]
                self._findings.store_summary(top, summary)
                summaries[index] = summary
            if start + 64 < len(missing):
                yield
                if edits != self._edits:
                    return None
        return summaries

    def _assemble(
        self,
        layout: Layout,
        runner: LeafRunner,
        summaries: list[Summary | None],
        context: RuleContext,
    ) -> DocumentResult:
        findings, errors, broken = self._leaf_findings(layout)
        for index, summary in enumerate(summaries):
            if summary is None:
                continue
            top = layout.tops[index]
            leaf = top.head if isinstance(top, Split) else top
            start = layout.start_of(leaf)
            errors.extend(summary.errors)
            findings.extend(shift_finding(f, start) for f in summary.findings)
        failed_module = {e.code for s in summaries if s for e in s.errors}
        done, finish_errors = runner.finish([s or Summary() for s in summaries], failed_module)
        findings.extend(done)
        errors.extend(finish_errors)
        for extra, extra_errors in (runner.run_module_level(), runner.run_whole()):
            findings.extend(extra)
            errors.extend(extra_errors)
        failed = {error.code for error in errors}
        findings = [f for f in findings if f.code not in failed or f.code == SYNTAX_ERROR]
        directives = self._directives(layout)
        syntax = [f for f in findings if f.code == SYNTAX_ERROR]
        others = noqa.apply([f for f in findings if f.code != SYNTAX_ERROR], directives)
        findings = syntax + others
        if UNUSED_NOQA in self.ruleset.codes:
            findings.extend(unused_noqa_findings(directives, self.ruleset, self.buffer.line_text))
        findings.sort(key=Finding.sort_key)
        unique: dict[str, RuleError] = {}
        for error in errors:
            unique.setdefault(error.code, error)
        return DocumentResult(findings, list(unique.values()), broken)

    def _leaf_findings(
        self, layout: Layout
    ) -> tuple[list[Finding], list[RuleError], list[tuple[int, int]]]:
        """Collect each leaf's findings in place (and one BP000 per broken leaf)."""
        findings: list[Finding] = []
        errors: list[RuleError] = []
        broken: list[tuple[int, int]] = []
        severities = self.ruleset.severities
        for leaf, start in zip(layout.leaves, layout.starts, strict=True):
            if leaf.valid:
                result = cached_result(leaf)
                errors.extend(result.errors)
                placed = leaf.cache.get("placed")
                if placed is None or placed[0] is not result or placed[1] != start:
                    placed = (result, start, [shift_finding(f, start) for f in result.findings])
                    leaf.cache["placed"] = placed
                findings.extend(placed[2])
            elif leaf.error is not None:
                message, where = leaf.error
                findings.append(
                    engine_finding(SYNTAX_ERROR, message, where.moved(start), severities)
                )
                broken.append((start, start + max(leaf.lines - 1, 0)))
        return findings, errors, broken

    def _directives(self, layout: Layout) -> noqa.NoqaMap:
        merged = noqa.NoqaMap()
        for leaf, start in zip(layout.leaves, layout.starts, strict=True):
            if not leaf.valid:
                continue
            own = leaf.cache.get("noqa")
            if own is None:
                own = noqa.scan(leaf.text)
                leaf.cache["noqa"] = own
            for line, directive in own.directives.items():
                merged.directives[line + start] = noqa.Directive(
                    line + start,
                    directive.column,
                    directive.comment,
                    directive.start,
                    directive.end,
                    directive.codes,
                )
            for line, target in own.redirect.items():
                merged.redirect[line + start] = target + start
        return merged

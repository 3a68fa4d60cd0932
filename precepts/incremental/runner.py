"""Running the rules over some leaves of an open document, not the whole module.

Statement rules (``scope = "statement"``) run once per leaf that needs it:

* a top-level statement is walked as in a full check;
* a statement of a split *class* body is walked with the class and its body entered
  first (their ``visit_*``/``leave_*`` handlers replayed, their reports dropped), so a
  rule sees the same ancestors and class state as in a full check;
* the head of a split class is walked without its body (it reports on the class itself);
* any other split statement (a huge function) is walked whole, each report attributed
  to the leaf it was made in.

Module rules (``scope = "module"``) walk each changed top-level statement to refresh its
summary (``end_statement()``), then conclude from every statement's summary with
``finish()``. Rules that need libcst metadata run over the whole module, as the engine
does. Findings leave here relative to their leaf's first line, so they stay valid when
lines are inserted above.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper

from precepts.context import RuleContext
from precepts.engine import RuleError, RuleSet, pending_to_finding
from precepts.findings import Finding, Fix, Range, RelatedLocation, Severity, TextEdit
from precepts.incremental.facts_key import Dependency, FactsTracker, Reads
from precepts.incremental.layout import Layout, LeafPositions
from precepts.incremental.leaves import Leaf, Split, top_node
from precepts.incremental.summary_parts import PartStore, combines, summarize_by_parts
from precepts.rule import PendingFinding, Rule
from precepts.walker import Walker, handler_names

RuleSpec = tuple[type[Rule], Mapping[str, Any], Severity]

T = TypeVar("T")


def shift_finding(finding: Finding, lines: int, above_only: bool = False) -> Finding:
    """Move a finding, its related locations and its fix by a number of lines.

    Args:
        finding: The finding.
        lines: Lines to add.
        above_only: Move only the ranges that start above line 0 (the parts of a leaf's
            finding that lie in a statement above the leaf).

    Returns:
        The moved finding (the same object when ``lines`` is 0).
    """
    if not lines:
        return finding

    def move(where: Range) -> Range:
        return where.moved(lines) if not above_only or where.start.line < 0 else where

    related = tuple(RelatedLocation(move(r.range), r.message) for r in finding.related)
    fix = finding.fix
    if fix is not None:
        edits = tuple(TextEdit(move(e.range), e.content) for e in fix.edits)
        fix = Fix(fix.message, edits, fix.applicability)
    return replace(finding, range=move(finding.range), related=related, fix=fix)


def _ranges(finding: Finding) -> Iterable[Range]:
    yield finding.range
    for item in finding.related:
        yield item.range
    if finding.fix is not None:
        for edit in finding.fix.edits:
            yield edit.range


@dataclass
class LeafResult:
    """What the statement rules found in one leaf.

    Attributes:
        findings: Findings, relative to the leaf's first line.
        errors: Rules that raised in this leaf.
        portable: True when every range lies inside the leaf, so the result is valid
            wherever the same text appears (it may be cached by text).
        dependencies: The module facts the rules read while walking it.
    """

    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    portable: bool = True
    dependencies: Reads = field(default_factory=Reads)


@dataclass
class Summary:
    """What the module rules saw in one top-level statement.

    Attributes:
        values: Rule code → that rule's ``end_statement()`` result.
        findings: Findings module rules reported while walking it (relative).
        errors: Module rules that raised on it.
        dependencies: The module facts the rules read while walking it.
    """

    values: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    dependencies: Reads = field(default_factory=Reads)


class LeafContext(RuleContext):
    """The rule context of an incremental check.

    It tells the tracker when a rule reads the whole module's ``ast`` tree (that leaf
    then depends on every statement).

    Attributes:
        tracker: The facts tracker of the document.
    """

    tracker: FactsTracker | None = None

    @property
    def ast_module(self) -> ast.Module:
        """The ``ast`` tree of the text the rules see (parsed on first use)."""
        if self.tracker is not None:
            self.tracker.note_module_read()
        return RuleContext.ast_module.fget(self)  # type: ignore[attr-defined, no-any-return]

    def module_query(self, query: Callable[..., T], *args: Hashable) -> T:
        """Answer a question about the module; the leaf depends on the answer only.

        Args:
            query: A function of the context (and ``args``) that only reads the module.
            args: Its other arguments.

        Returns:
            The answer.
        """
        if self.tracker is None:
            return super().module_query(query, *args)
        return self.tracker.query(query, args)  # type: ignore[no-any-return]


def needs_metadata(rule: type[Rule]) -> bool:
    """Tell whether a rule declares libcst metadata dependencies.

    Args:
        rule: The rule class.

    Returns:
        True when it does (it then runs over the whole module).
    """
    return bool(rule.get_inherited_dependencies())


def _error(rule: Rule | type[Rule], path: str, failure: BaseException) -> RuleError:
    trace = "".join(traceback.format_exception(failure))
    return RuleError(rule.code, path, f"{type(failure).__name__}: {failure}", trace)


class _Batch:
    """Fresh rule instances and a walker over them."""

    def __init__(self, specs: Sequence[RuleSpec], context: RuleContext) -> None:
        self.rules = [spec(context, options) for spec, options, _ in specs]
        self.walker = Walker(self.rules, context)
        self.reported_failures: set[Rule] = set()

    def take(self) -> dict[Rule, list[PendingFinding]]:
        """Return and forget what each rule reported since the last call."""
        taken = {}
        for rule in self.rules:
            if rule.pending:
                taken[rule] = rule.pending
                rule.pending = []
        return taken

    def new_failures(self) -> dict[Rule, BaseException]:
        """Return the failures not returned before."""
        fresh = {
            rule: error
            for rule, error in self.walker.failures.items()
            if rule not in self.reported_failures
        }
        self.reported_failures.update(fresh)
        return fresh


class LeafRunner:
    """Runs a rule set over leaves of one document, with the whole module's facts.

    Attributes:
        context: The rule context (the rules' module, its facts, positions).
        positions: Leaf-wise positions.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        context: RuleContext,
        positions: LeafPositions,
        tracker: FactsTracker,
    ) -> None:
        """Prepare to run.

        Args:
            ruleset: The rules.
            context: The rule context (its facts are ``tracker.facts``).
            positions: The positions (also ``context.positions``).
            tracker: Records the facts each leaf reads.
        """
        self.tracker = tracker
        self.context = context
        self.positions = positions
        self.layout: Layout = positions.layout
        self.severities = ruleset.severities
        usable = [spec for spec in ruleset.rules if not needs_metadata(spec[0])]
        self.statement_specs = [s for s in usable if s[0].scope != "module"]
        self.module_specs = [s for s in usable if s[0].scope == "module"]
        self.whole_specs = [s for s in ruleset.rules if needs_metadata(s[0])]

    # Statement rules.

    def run_leaves(
        self, jobs: Sequence[tuple[str, Leaf | Split, int]]
    ) -> dict[int, tuple[Leaf, LeafResult]]:
        """Run the statement rules over some leaves.

        Args:
            jobs: (kind, leaf or split, top index) with kind ``stmt`` (a top-level
                statement), ``child`` (a statement of a split class), ``head`` (the head
                of a split class) or ``whole`` (every leaf of another split statement).

        Returns:
            id(leaf) → (leaf, result) for every leaf the jobs cover.
        """
        results: dict[int, tuple[Leaf, LeafResult]] = {}
        tracker = self.tracker
        module = self.layout.module
        specs = [spec for spec in self.statement_specs if handler_names(spec[0])]
        for kind, item, top_index in jobs:
            # Fresh rule instances for every leaf: what a rule remembers from one
            # statement must not leak into another whose result is cached on its own.
            self.context.current_statement = -1
            tracker.start()
            batch = _Batch(specs, self.context)
            batch.walker.enter(module)
            batch.take()
            self.context.current_statement = top_index
            tracker.watch_body()
            walked = self._walk_job(batch, kind, item)
            dependencies = tracker.stop()
            batch.walker.leave(module)
            batch.take()
            for leaf, pending, failures in walked:
                result = self._convert(leaf, pending, failures)
                result.dependencies = dependencies
                if not result.portable:
                    # A finding that reaches into another statement (a fix that edits
                    # an import) holds while that statement stays as it was, where it was.
                    result.dependencies = result.dependencies.plus(self._reach(leaf, result))
                results[id(leaf)] = (leaf, result)
        self.context.current_statement = -1
        return results

    def _walk_job(
        self, batch: _Batch, kind: str, item: Leaf | Split
    ) -> list[tuple[Leaf, dict[Rule, list[PendingFinding]], dict[Rule, BaseException]]]:
        walker = batch.walker
        out: list[tuple[Leaf, dict[Rule, list[PendingFinding]], dict[Rule, BaseException]]] = []

        def collect(leaf: Leaf) -> None:
            out.append((leaf, batch.take(), batch.new_failures()))

        self.positions.focus = item.head if isinstance(item, Split) else item
        try:
            if kind == "stmt":
                assert isinstance(item, Leaf) and item.node is not None
                walker.walk(item.node)
                collect(item)
            elif kind == "child":
                assert isinstance(item, Leaf) and item.owner is not None and item.node is not None
                owner = item.owner.node
                walker.enter(owner)
                walker.enter(owner.body)
                batch.take()
                walker.walk(item.node)
                collect(item)
                walker.leave(owner.body)
                walker.leave(owner)
                batch.take()
            elif kind == "head":
                assert isinstance(item, Split)
                walker.walk_split(item.node, lambda index, child: None)
                collect(item.head)
            else:
                assert isinstance(item, Split)
                self._walk_whole(batch, item, out)
        except RecursionError as deep:
            # As in a full check: a statement too deep to walk fails every rule.
            leaf = item.head if isinstance(item, Split) else item
            failures = {rule: deep for rule in batch.rules}
            batch.walker.failures.update(failures)
            batch.reported_failures.update(failures)
            batch.take()
            out.append((leaf, {}, failures))
        return out

    def _walk_whole(
        self,
        batch: _Batch,
        split: Split,
        out: list[tuple[Leaf, dict[Rule, list[PendingFinding]], dict[Rule, BaseException]]],
    ) -> None:
        head: dict[Rule, list[PendingFinding]] = {}
        head_failures: dict[Rule, BaseException] = {}

        def keep_for_head() -> None:
            for rule, items in batch.take().items():
                head.setdefault(rule, []).extend(items)
            head_failures.update(batch.new_failures())

        def on_child(index: int, child: cst.CSTNode) -> None:
            keep_for_head()
            leaf = split.children[index]
            self.positions.focus = leaf
            if leaf.valid:
                batch.walker.walk(child)
            out.append((leaf, batch.take(), batch.new_failures()))
            self.positions.focus = split.head

        batch.walker.walk_split(split.node, on_child)
        keep_for_head()
        out.append((split.head, head, head_failures))

    def _convert(
        self,
        leaf: Leaf,
        pending: dict[Rule, list[PendingFinding]],
        failures: Mapping[Rule, BaseException],
    ) -> LeafResult:
        result = LeafResult()
        path = self.context.path
        for rule, error in failures.items():
            result.errors.append(_error(rule, path, error))
        start = self.layout.start_of(leaf)
        end = start + leaf.lines
        self.positions.focus = leaf
        try:
            for rule, items in pending.items():
                if rule in failures:
                    continue
                try:
                    converted = [
                        pending_to_finding(p, self.context, self.severities[rule.code])
                        for p in items
                    ]
                except Exception as error:  # a broken fix or range must not stop the rest
                    result.errors.append(_error(rule, path, error))
                    continue
                for finding in converted:
                    if any(r.start.line < start or r.end.line >= end for r in _ranges(finding)):
                        result.portable = False
                    result.findings.append(shift_finding(finding, -start))
        finally:
            self.positions.focus = None
        return result

    def _reach(self, leaf: Leaf, result: LeafResult) -> Dependency:
        """Return the dependency of a result on the statements its ranges reach into.

        Args:
            leaf: The leaf the result belongs to.
            result: Its findings, relative to the leaf.

        Returns:
            A dependency on those top-level statements, or on every statement when a
            range lies outside them all (in the module's header or footer).
        """
        start = self.layout.start_of(leaf)
        end = start + leaf.lines
        reached: dict[int, cst.CSTNode] = {}
        for finding in result.findings:
            for where in _ranges(finding):
                for line in (where.start.line + start, where.end.line + start):
                    if start <= line < end:
                        continue
                    index = self.positions.statement_index_of(line)
                    if index < 0:
                        return self.tracker.body_dependency()
                    node = top_node(self.layout.tops[index])
                    reached[id(node)] = node
        return self.tracker.reach_dependency(leaf, tuple(reached.values()))

    # Module rules.

    def summarize(
        self, tops: Sequence[tuple[int, Any]], store: PartStore | None = None
    ) -> dict[int, Summary]:
        """Walk top-level statements with the module rules to refresh their summaries.

        Each statement gets fresh rule instances (as each leaf does): a summary must
        depend on its statement only, whatever was walked before it. A split class is
        summarised part by part when the module rules combine summaries and ``store``
        keeps the parts (see :mod:`precepts.incremental.summary_parts`).

        Args:
            tops: (top index, top) pairs.
            store: The cache of split classes' parts.

        Returns:
            Top index → summary.
        """
        by_parts = store is not None and combines(self)
        summaries = {}
        for index, top in tops:
            summary = None
            if by_parts and isinstance(top, Split) and top.is_class:
                summary = summarize_by_parts(self, index, top, store)  # type: ignore[arg-type]
            summaries[index] = summary if summary is not None else self._summarize(index, top)
        self.context.current_statement = -1
        return summaries

    def module_walk(
        self, top_index: int, walk: Callable[[Walker], None]
    ) -> tuple[Summary, dict[Rule, list[PendingFinding]], dict[Rule, BaseException]]:
        """Walk part of a top-level statement with fresh module rules; take their summaries.

        Args:
            top_index: The statement's index.
            walk: Walks it (all of it, or a part) with the given walker, inside the module.

        Returns:
            The summary (values and reads), what the rules reported, and what failed.
        """
        tracker = self.tracker
        module = self.layout.module
        summary = Summary()
        self.context.current_statement = -1
        tracker.start()
        batch = _Batch(self.module_specs, self.context)
        batch.walker.enter(module)
        batch.take()
        self.context.current_statement = top_index
        tracker.watch_body()
        try:
            walk(batch.walker)
        except RecursionError as deep:
            batch.walker.failures.update({rule: deep for rule in batch.rules})
        for rule in batch.rules:
            if rule not in batch.walker.failures:
                summary.values[rule.code] = batch.walker._guard(rule, rule.end_statement)
        summary.dependencies = tracker.stop()
        pending = batch.take()
        failures = batch.new_failures()
        batch.walker.leave(module)
        batch.take()
        return summary, pending, failures

    def _summarize(self, top_index: int, top: Any) -> Summary:
        node = top_node(top)
        summary, pending, failures = self.module_walk(top_index, lambda w: w.walk(node))
        for rule, error in failures.items():
            summary.errors.append(_error(rule, self.context.path, error))
        leaf = top.head if isinstance(top, Split) else top
        converted = self._convert(leaf, pending, failures)
        summary.findings = converted.findings
        summary.errors.extend(converted.errors)
        if not converted.portable:
            summary.dependencies = summary.dependencies.plus(self._reach(leaf, converted))
        return summary

    def finish(
        self, summaries: Sequence[Summary], failed: set[str]
    ) -> tuple[list[Finding], list[RuleError]]:
        """Let every module rule conclude from the statements' summaries.

        Args:
            summaries: One summary per top-level statement, in order.
            failed: Codes of module rules that raised on some statement.

        Returns:
            The findings (absolute) and the rules that raised.
        """
        specs = [s for s in self.module_specs if s[0].code not in failed]
        if not specs:
            return [], []
        batch = _Batch(specs, self.context)
        self.positions.hint_source = lambda: _node_hints(summaries)
        module = self.layout.module
        batch.walker.enter(module)
        batch.walker.leave(module)
        for rule in batch.rules:
            values = [summary.values.get(rule.code) for summary in summaries]
            batch.walker._guard(rule, lambda rule=rule, values=values: rule.finish(values))
        try:
            return self._collect_global(batch)
        finally:
            self.positions.hint_source = None

    def run_module_level(self) -> tuple[list[Finding], list[RuleError]]:
        """Run the ``visit_Module``/``leave_Module`` handlers of the statement rules.

        They see the whole module (a module docstring check reads its first statement),
        so they run on every check; their reports during leaf walks are dropped.

        Returns:
            The findings (absolute) and the rules that raised.
        """
        specs = [spec for spec in self.statement_specs if _has_module_handlers(spec[0])]
        if not specs:
            return [], []
        batch = _Batch(specs, self.context)
        module = self.layout.module
        self.context.current_statement = -1
        batch.walker.enter(module)
        batch.walker.leave(module)
        return self._collect_global(batch)

    def _collect_global(self, batch: _Batch) -> tuple[list[Finding], list[RuleError]]:
        findings: list[Finding] = []
        errors: list[RuleError] = []
        failures = batch.walker.failures
        for rule, error in failures.items():
            errors.append(_error(rule, self.context.path, error))
        for rule in batch.rules:
            if rule in failures:
                continue
            try:
                findings.extend(
                    pending_to_finding(p, self.context, self.severities[rule.code])
                    for p in rule.pending
                )
            except Exception as error:  # a broken fix or range must not stop the rest
                errors.append(_error(rule, self.context.path, error))
        return findings, errors

    # Rules that need metadata.

    def run_whole(self) -> tuple[list[Finding], list[RuleError]]:
        """Run the rules that declare libcst metadata over the whole module.

        Returns:
            The findings (absolute) and the rules that raised.
        """
        if not self.whole_specs:
            return [], []
        batch = _Batch(self.whole_specs, self.context)
        wrapper = MetadataWrapper(self.layout.module, unsafe_skip_copy=True)
        providers = {dep for rule in batch.rules for dep in rule.get_inherited_dependencies()}
        resolved = wrapper.resolve_many(providers)
        for rule in batch.rules:
            rule.metadata = {dep: resolved[dep] for dep in rule.get_inherited_dependencies()}  # type: ignore[assignment]
        try:
            batch.walker.walk_module(self.layout.module)
        except RecursionError as deep:
            batch.walker.failures.update({rule: deep for rule in batch.rules})
        findings: list[Finding] = []
        errors: list[RuleError] = []
        for rule in batch.rules:
            failure = batch.walker.failures.get(rule)
            if failure is None:
                try:
                    findings.extend(
                        pending_to_finding(p, self.context, self.severities[rule.code])
                        for p in rule.pending
                    )
                    continue
                except Exception as error:  # a broken fix or range must not stop the rest
                    failure = error
            errors.append(_error(rule, self.context.path, failure))
        return findings, errors


def _has_module_handlers(rule: type[Rule]) -> bool:
    """Tell whether a rule class defines ``visit_Module`` or ``leave_Module``."""
    for name in ("visit_Module", "leave_Module"):
        method = getattr(rule, name, None)
        if method is not None and not getattr(method, "_is_no_op", False):
            return True
    return False


def _node_hints(summaries: Sequence[Summary]) -> dict[int, int]:
    """Map the nodes held in summaries to the statement they came from."""
    hints: dict[int, int] = {}
    for index, summary in enumerate(summaries):
        pending: list[tuple[object, int]] = [(value, 0) for value in summary.values.values()]
        while pending:
            value, depth = pending.pop()
            if isinstance(value, cst.CSTNode):
                hints.setdefault(id(value), index)
            elif depth < 4:
                pending.extend((item, depth + 1) for item in _members(value))
    return hints


def _members(value: object) -> Iterable[object]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return value
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        return [getattr(value, name, None) for name in fields]
    return ()

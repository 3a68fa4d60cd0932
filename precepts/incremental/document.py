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
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from collections.abc import Generator, Hashable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import libcst as cst

from precepts import noqa, syntax
from precepts.context import RuleContext
from precepts.crossfile import default_service
from precepts.engine import (
    SYNTAX_ERROR,
    UNUSED_NOQA,
    Checker,
    RuleError,
    RuleSet,
    engine_finding,
    unused_noqa_findings,
)
from precepts.facts import ModelInfo, ModuleFacts, StatementFacts, compute_facts
from precepts.findings import Finding, Range
from precepts.incremental.buffer import TextBuffer, content_length, split_keep_ends
from precepts.incremental.facts_key import FactsTracker, Reads, watched
from precepts.incremental.layout import Layout, LeafPositions
from precepts.incremental.leaves import (
    BROKEN,
    CHILD,
    DIRTY,
    HEAD,
    STMT,
    Leaf,
    Split,
    Top,
    body_indent,
    flatten,
    is_splittable,
    is_splittable_shape,
    line_count,
    make_split,
    shell_of,
    top_node,
)
from precepts.incremental.outline import Outliner, Slice
from precepts.incremental.parsing import (
    LOCAL,
    UNCLOSED,
    Parsed,
    RegionError,
    check_grammar,
    parse_region,
)
from precepts.incremental.runner import (
    LeafContext,
    LeafResult,
    LeafRunner,
    Summary,
    shift_finding,
)

#: The message of code libcst parses but cannot give back unchanged (``\\`` before a
#: statement): its positions would be wrong, so it is reported instead of checked.
LOSSY = "SyntaxError: libcst cannot represent this code (a line continuation before a statement?)"
#: Lines from which a class (or other compound statement) is split into leaves.
SPLIT_LINES = 60
#: About how many lines are parsed at once when a document is parsed from scratch.
CHUNK_LINES = 400
#: About how many lines of statements are checked between two yields of :meth:`work`.
CHECK_LINES = 400


class _Rebuild(Exception):
    """A region parsed but does not fit the tree (a rare layout change): parse it all."""


class _Widen(Exception):
    """A region changed where a split statement ends: parse again up to leaf ``end``."""

    def __init__(self, end: int) -> None:
        super().__init__(end)
        self.end = end


@dataclass
class _Region:
    """A run of leaves being re-parsed, and where it sits among the splits."""

    a: int
    b: int
    first: Leaf
    last: Leaf
    start: int
    end: int
    ctx: Split | None  # the split whose body the region starts in
    tail: Split | None  # a split the region ends inside (its head and first statements)
    reaches_eof: bool
    within: bool  # the region starts and ends in the body of ``ctx``


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


@dataclass
class Stats:
    """Counters that show how much work edits caused (for tests and benchmarks)."""

    full_parses: int = 0
    regions: int = 0
    region_lines: int = 0
    leaves_checked: int = 0
    summaries: int = 0


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


_CLAUSES = (
    cst.BaseCompoundStatement,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
)


def _parts(node: cst.CSTNode) -> Iterator[object]:
    """Yield a statement's body, handlers, ``else`` and ``finally`` parts, in order."""
    for name in ("body", "handlers", "orelse", "finalbody"):
        value = getattr(node, name, None)
        yield from value if isinstance(value, (list, tuple)) else (value,)


def first_block(node: cst.CSTNode) -> cst.IndentedBlock | cst.Match | None:
    """Return the first indented block of a statement, in source order.

    libcst takes a module's default indentation from the first block of the file.

    Args:
        node: A statement or clause.

    Returns:
        The block (or the ``match`` whose cases are indented), or None.
    """
    if isinstance(node, cst.Match):
        return node
    for part in _parts(node):
        if isinstance(part, cst.IndentedBlock):
            return part
        if isinstance(part, _CLAUSES):
            found = first_block(part)
            if found is not None:
                return found
    return None


def _stand_in_text(text: str, indent: str) -> str:
    """Return a broken leaf's text in T°: ``pass`` on its first line, then blank lines."""
    lines = split_keep_ends(text)
    out = []
    for index, line in enumerate(lines):
        ending = line[content_length(line) :]
        out.append((f"{indent}pass" if index == 0 else "") + ending)
    return "".join(out)


def _level(leaf: Leaf) -> Split | None:
    """Return the split whose body holds a leaf (None at the top level)."""
    return leaf.owner if leaf.kind == CHILD else None


def _take(old: dict[tuple[str, str, int, int], list[Leaf]], leaf: Leaf) -> Leaf | None:
    """Pop an old leaf with the same kind, text, header and footer lines."""
    same = old.get((leaf.kind, leaf.text, leaf.pre, leaf.post))
    return same.pop(0) if same else None


def _reuse_children(
    old: dict[tuple[str, str, int, int], list[Leaf]],
    children: list[Leaf],
    owner: Split | None,
    old_owner: Split | None,
    also: list[Leaf] | None,
) -> None:
    """Swap new body leaves for old ones with the same text (and the same split)."""
    if owner is None:
        return
    for index, child in enumerate(children):
        same = _take(old, child)
        if same is None or same.owner not in (owner, old_owner):
            continue
        same.owner = owner
        if also is not None:
            also[also.index(child)] = same
        children[index] = same


def _parse_ast(text: str) -> ast.Module | None:
    """CPython's tree of the text, or None (syntax newer than the interpreter)."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class IncrementalDocument:
    """An open document, re-parsed and re-checked incrementally.

    Attributes:
        path: The file's path (for test-file detection and messages).
        ruleset: The rules to run.
        buffer: The current text.
        tops: The top-level statements (leaves and splits).
        style: An empty module carrying the code style, header and footer.
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
        self.buffer = TextBuffer(text)
        self.split_lines = split_lines
        self.chunk_lines = chunk_lines
        self.tops: list[Top] = []
        self.style = cst.parse_module("")
        self.stats = Stats()
        self._needs_full = True
        self._edits = 0
        self._gen = 0
        self._facts_key: Hashable = None
        self._facts_version = 0
        self._body_ids: tuple[int, ...] = ()
        self._body_version = 0
        self._facts_memo: tuple[tuple[Any, ...], ModuleFacts, tuple[Any, ...]] | None = None
        self._scans: dict[cst.BaseStatement, StatementFacts] = {}
        self._signatures: dict[cst.BaseStatement, Hashable] = {}
        self._tracker = FactsTracker()
        self._cache: OrderedDict[Hashable, list[Any]] = OrderedDict()
        self._cache_size = cache_size
        self._result: DocumentResult | None = None
        self._verify_whole = False
        self._shape = 0
        self._layout: tuple[int, Layout] | None = None

    # Public API.

    @property
    def text(self) -> str:
        """The document's current text."""
        return self.buffer.text

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
        self._mark_dirty(first, old, new)

    def set_text(self, text: str) -> None:
        """Replace the whole text.

        Args:
            text: The new content.
        """
        self.buffer = TextBuffer(text)
        self._changed()
        self._needs_full = True

    def set_ruleset(self, ruleset: RuleSet) -> None:
        """Switch to another rule set (cached findings are dropped).

        Args:
            ruleset: The new rules.
        """
        self.ruleset = ruleset
        self._changed()
        self._gen += 1
        self._cache.clear()

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
        while self._parse_step():
            pass
        return self.layout()

    def drop_tree(self) -> None:
        """Free the parsed tree; the next :meth:`work` parses again (findings stay cached)."""
        self.tops = []
        self._reshaped()
        self._needs_full = True
        self._tracker = FactsTracker()

    @property
    def has_tree(self) -> bool:
        """True while a parsed tree is kept."""
        return not self._needs_full

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
            if self._parse_step():
                yield
                continue
            if self._verify_whole and self._needs_verification() and self._whole_text_parses():
                # Broken statements that depend on each other (or on what follows them)
                # may all be fixed by one edit elsewhere: the whole text parses again.
                self._needs_full = True
                continue
            self._verify_whole = False
            edits = self._edits
            yield from self._check(edits)

    def layout(self) -> Layout:
        """Return the current layout of leaves (for hover and code actions).

        Returns:
            The layout, with the module the rules see.
        """
        cached = self._layout
        if cached is not None and cached[0] == self._shape:
            return cached[1]
        module = watched(self.style).with_changes(body=[top_node(top) for top in self.tops])
        layout = Layout(self.tops, module)
        self._layout = (self._shape, layout)
        return layout

    def _reshaped(self) -> None:
        """Note that leaves or tops changed (the cached layout is stale)."""
        self._shape += 1

    # Edits.

    def _changed(self) -> None:
        self._edits += 1
        self._result = None
        self._reshaped()

    def _mark_dirty(self, first: int, old: int, new: int) -> None:
        if self._needs_full:
            return
        layout = self.layout()
        if not layout.leaves:
            self._needs_full = True
            return
        low, high = first, first + old - 1
        if old == 0:
            low = high = max(min(first, layout.line_total) - 1, 0)
        i, j = layout.leaf_at(low), layout.leaf_at(high)
        touched = layout.leaves[i : j + 1]
        lines = sum(leaf.lines for leaf in touched) + new - old
        ta, tb = layout.top_of[i], layout.top_of[j]
        top = self.tops[ta]
        if ta == tb and isinstance(top, Split):
            if all(leaf.kind == CHILD for leaf in touched):
                at = top.children.index(touched[0])
                dirty = Leaf(CHILD, lines, owner=top, state=DIRTY, post=touched[-1].post)
                top.children[at : at + len(touched)] = [dirty]
                top.cache.clear()
                self._reshaped()
                return
            if touched == [top.head]:
                top.head = Leaf(HEAD, lines, owner=top, state=DIRTY, pre=top.head.pre)
                top.cache.clear()
                self._reshaped()
                return
        total = sum(self.tops[k].lines for k in range(ta, tb + 1)) + new - old
        pre = layout.leaves_of(ta)[0].pre
        post = layout.leaves_of(tb)[-1].post
        self.tops[ta : tb + 1] = [Leaf(STMT, total, state=DIRTY, pre=pre, post=post)]
        self._reshaped()

    # Parsing.

    def _parse_step(self) -> bool:
        if self._needs_full:
            self._full_parse()
            return True
        layout = self.layout()
        leaves = layout.leaves
        dirty = next((k for k, leaf in enumerate(leaves) if leaf.state == DIRTY), None)
        if dirty is None:
            return False
        a, b = dirty, dirty + 1
        while a > 0 and not leaves[a - 1].valid:
            a -= 1
        while b < len(leaves) and not leaves[b].valid:
            b += 1
        run = (a, b)
        a, b = max(a - 1, 0), min(b + 1, len(leaves))
        self._verify_whole = True  # see work(): broken statements may parse together now
        for _attempt in range(3):
            try:
                self._reparse(layout, a, b)
            except _Widen as wider:
                b = max(b, min(wider.end, len(leaves)))
                continue
            except RegionError as error:
                self._break(layout, run, a, error)
            except _Rebuild:
                self._needs_full = True
            return True
        self._needs_full = True
        return True

    def _full_parse(self) -> None:
        self.stats.full_parses += 1
        lines = self.buffer.lines
        outliner = Outliner(lines, self.chunk_lines)
        tops: list[Top] = []
        style = {"header": (), "footer": (), "trailing": self.buffer.text.endswith(("\n", "\r"))}
        for piece in outliner.slices():
            if piece.parsed is None:
                tops.append(self._broken_piece(piece.start, piece.end, piece.error))
                continue
            if not piece.parsed.statements and piece.start == 0 and piece.end == len(lines):
                break  # no statement at all (comments only): checked whole, see _check()
            tops.extend(self._piece_tops(piece, len(lines), style))
        base = outliner.style or cst.parse_module("")
        self.style = base.with_changes(
            body=[],
            header=style["header"],
            footer=style["footer"],
            has_trailing_newline=style["trailing"],
        )
        self.tops = tops
        self._reshaped()
        self._needs_full = False
        self._verify_whole = False

    def _piece_tops(self, piece: Slice, total: int, style: dict[str, Any]) -> list[Top]:
        """Turn a parsed slice into top-level statements (noting the header and footer)."""
        assert piece.parsed is not None
        module = piece.parsed.module
        pre = len(module.header) if piece.start == 0 else 0
        post = len(module.footer) if piece.end == total else 0
        new = self._new_tops(piece.parsed.statements, module, pre, post)
        if not self._assign_texts(flatten(new), piece.start, piece.end):
            lossy = RegionError(LOSSY, Range.of(0, 0, 0, 0), "libcst")
            return [self._broken_piece(piece.start, piece.end, lossy)]
        if piece.start == 0:
            style["header"] = module.header
        if piece.end == total:
            style["footer"], style["trailing"] = module.footer, module.has_trailing_newline
        return new

    def _broken_piece(self, start: int, end: int, error: RegionError | None) -> Leaf:
        leaf = Leaf(STMT, end - start, state=BROKEN, text=self.buffer.slice(start, end))
        where = error.where if error else Range.of(0, 0, 0, 0)
        last = max(leaf.lines - 1, 0)
        if where.start.line > last:
            where = Range.of(last, 0, last, 0)
        leaf.error = (error.message if error else "SyntaxError: invalid syntax", where)
        leaf.cache["kind"] = error.kind if error else "local"
        return leaf

    def _new_tops(
        self, statements: list[cst.BaseStatement], module: cst.Module, pre: int, post: int
    ) -> list[Top]:
        tops: list[Top] = []
        last = len(statements) - 1
        for index, statement in enumerate(statements):
            head = pre if index == 0 else 0
            tail = post if index == last else 0
            lines = line_count(statement, module) + head + tail
            if lines >= self.split_lines and is_splittable(statement):
                tops.append(make_split(statement, module, head, tail))  # type: ignore[arg-type]
            else:
                tops.append(Leaf(STMT, lines, node=statement, pre=head, post=tail))
        return tops

    def _assign_texts(self, leaves: list[Leaf], start: int, end: int) -> bool:
        line = start
        for leaf in leaves:
            leaf.text = self.buffer.slice(line, line + leaf.lines)
            line += leaf.lines
        return line == end and (bool(leaves) or start == end)

    def _region(self, layout: Layout, a: int, b: int) -> _Region:
        leaves = layout.leaves
        first, last = leaves[a], leaves[b - 1]
        ctx = first.owner if first.kind == CHILD else None
        tail = last.owner if last.kind in (HEAD, CHILD) else None
        if tail is ctx or (tail is not None and last is tail.children[-1]):
            tail = None  # the region ends where that split ends: nothing is left over
        return _Region(
            a=a,
            b=b,
            first=first,
            last=last,
            start=layout.starts[a],
            end=layout.starts[b - 1] + last.lines,
            ctx=ctx,
            tail=tail,
            reaches_eof=b == len(leaves),
            within=ctx is not None and layout.top_of[b - 1] == layout.top_of[a],
        )

    def _parse(self, region: _Region) -> Parsed:
        text = self.buffer.slice(region.start, region.end)
        tail = region.tail
        if tail is not None and region.last.kind == HEAD:
            text += body_indent(tail.node, self.style) + "pass" + self.style.default_newline
        self.stats.regions += 1
        self.stats.region_lines += region.end - region.start
        ctx = region.ctx
        indent = body_indent(ctx.node, self.style) if ctx is not None else None
        parsed = parse_region(text, None if region.a == 0 else self.style, indent)
        if region.a == 0:
            self._check_region_style(parsed)
        return parsed

    def _reparse(self, layout: Layout, a: int, b: int) -> None:
        region = self._region(layout, a, b)
        parsed = self._parse(region)
        statements = list(parsed.statements)
        module = parsed.module
        ctx_children: list[Leaf] = []
        if region.ctx is not None:
            ctx_children = self._ctx_children(region, parsed, layout)
        partial: Split | None = None
        fresh: list[Leaf] = []
        if region.tail is not None:
            partial, fresh = self._partial(region.tail, statements, module, region.last, layout)
        new_tops = self._region_tops(region, module, statements, ctx_children, partial)
        ordered = [*ctx_children, *flatten(new_tops)]
        if partial is not None:
            ordered.extend([partial.head, *fresh])
        if not self._assign_texts(ordered, region.start, region.end):
            raise RegionError(LOSSY, Range.of(0, 0, 0, 0), "libcst")
        self._reuse(layout.leaves[a:b], new_tops, ctx_children, fresh, region.tail, partial)
        self._splice(layout, region, ctx_children, new_tops, partial)
        if region.reaches_eof:
            self.style = self.style.with_changes(
                footer=module.footer, has_trailing_newline=module.has_trailing_newline
            )
        if a == 0:
            self.style = self.style.with_changes(header=module.header)
        self._reshaped()
        self._check_first_block()

    def _region_tops(
        self,
        region: _Region,
        module: cst.Module,
        statements: list[cst.BaseStatement],
        ctx_children: list[Leaf],
        partial: Split | None,
    ) -> list[Top]:
        """Build the region's new top-level statements, placing the header and footer."""
        pre = len(module.header) if region.a == 0 else 0
        post = len(module.footer) if region.reaches_eof else 0
        new_tops = self._new_tops(statements, module, pre if statements else 0, post)
        if partial is not None and not statements:
            partial.head.lines += pre
            partial.head.pre = pre
        if region.ctx is not None and not statements and post:
            if not ctx_children:
                raise _Rebuild
            ctx_children[-1].lines += post
            ctx_children[-1].post = post
        return new_tops

    def _check_region_style(self, parsed: Parsed) -> None:
        module = parsed.module
        if module.default_newline != self.style.default_newline:
            raise _Rebuild
        has_block = any(first_block(statement) is not None for statement in module.body)
        if has_block and module.default_indent != self.style.default_indent:
            raise _Rebuild

    def _check_first_block(self) -> None:
        for top in self.tops:
            node = top.node
            if node is None:
                continue
            block = first_block(node)
            if block is not None:
                indent = block.indent
                if indent is not None and indent != self.style.default_indent:
                    raise _Rebuild
                return

    def _ctx_children(self, region: _Region, parsed: Parsed, layout: Layout) -> list[Leaf]:
        """Return the new leaves of the split body statements a region re-parsed."""
        ctx, first, last, within = region.ctx, region.first, region.last, region.within
        assert ctx is not None
        block = ctx.node.body
        assert isinstance(block, cst.IndentedBlock)
        if parsed.block_indent != block.indent or parsed.children is None:
            raise _Rebuild
        ends_inside = within and last is not ctx.children[-1]
        if ends_inside and (parsed.statements or parsed.block_footer or parsed.module.footer):
            # A line dedented out of the body: what follows it may now belong to it.
            raise _Widen(layout.leaves.index(ctx.children[-1]) + 2)
        module = parsed.module
        children = [
            Leaf(CHILD, line_count(node, module), node=node, owner=ctx) for node in parsed.children
        ]
        before = ctx.children[: ctx.children.index(first)]
        if not before and not children:
            raise RegionError(
                "SyntaxError: expected an indented block", Range.of(0, 0, 0, 0), "local"
            )
        if not ends_inside:
            if not children and parsed.block_footer:
                raise _Rebuild
            if children:
                children[-1].lines += len(parsed.block_footer)
        ctx.cache["footer"] = block.footer if ends_inside else parsed.block_footer
        return children

    def _partial(
        self,
        tail: Split,
        statements: list[cst.BaseStatement],
        module: cst.Module,
        last: Leaf,
        layout: Layout,
    ) -> tuple[Split, list[Leaf]]:
        """Rebuild a split whose head (and first body statements) a region re-parsed.

        Args:
            tail: The split being rebuilt.
            statements: The statements the region parse produced (consumed from the end).
            module: The region's module (for its indentation defaults).
            last: The last leaf the region covered.
            layout: The document's current layout.

        Returns:
            The new split and its re-parsed body leaves.
        """
        widen = _Widen(layout.leaves.index(tail.children[-1]) + 2)
        if not statements:
            raise widen
        node = statements.pop()
        block = getattr(node, "body", None)
        old_block = tail.node.body
        if (
            not is_splittable_shape(node)
            or not isinstance(block, cst.IndentedBlock)
            or not isinstance(old_block, cst.IndentedBlock)
            or block.indent != old_block.indent
            or block.footer
        ):
            raise widen
        if last.kind == HEAD:
            nodes: list[cst.BaseStatement] = []
            kept = tail.children
        else:
            nodes = list(block.body)
            kept = tail.children[tail.children.index(last) + 1 :]
        head = Leaf(HEAD, line_count(shell_of(node), module) - 1)  # type: ignore[arg-type]
        fresh = [Leaf(CHILD, line_count(child, module), node=child) for child in nodes]
        split = Split(node, head, [*fresh, *kept])  # type: ignore[arg-type]
        head.owner = split
        for child in split.children:
            child.owner = split
        return split, fresh

    def _reuse(
        self,
        region: list[Leaf],
        new_tops: list[Top],
        ctx_children: list[Leaf],
        fresh: list[Leaf],
        tail: Split | None,
        partial: Split | None,
    ) -> None:
        """Keep the old leaf (and node) of each statement whose text did not change.

        Unchanged statements then keep their identity, so every cache keyed by node or
        leaf survives the re-parse of their neighbours.
        """
        old: dict[tuple[str, str, int, int], list[Leaf]] = {}
        for leaf in region:
            if leaf.valid and leaf.kind in (STMT, CHILD):
                old.setdefault((leaf.kind, leaf.text, leaf.pre, leaf.post), []).append(leaf)
        for index, top in enumerate(new_tops):
            if isinstance(top, Leaf):
                same = _take(old, top)
                if same is not None and same.owner is None:
                    new_tops[index] = same
        if ctx_children:
            _reuse_children(old, ctx_children, ctx_children[0].owner, None, None)
        if partial is not None:
            _reuse_children(old, fresh, partial, tail, partial.children)

    def _splice(
        self,
        layout: Layout,
        region: _Region,
        ctx_children: list[Leaf],
        new_tops: list[Top],
        partial: Split | None,
    ) -> None:
        """Put the re-parsed leaves in place of the region's leaves."""
        ta, tb = layout.top_of[region.a], layout.top_of[region.b - 1]
        ctx = region.ctx
        if ctx is not None:
            at = ctx.children.index(region.first)
            stop = ctx.children.index(region.last) + 1 if region.within else len(ctx.children)
            ctx.children[at:stop] = ctx_children
            footer = ctx.cache.pop("footer")
            block = ctx.node.body
            ctx.node = ctx.node.with_changes(
                body=block.with_changes(
                    body=[child.rules_node() for child in ctx.children], footer=footer
                )
            )
            ctx.cache.clear()
        if partial is not None:
            old_footer = self.tops[tb].node.body.footer  # type: ignore[union-attr]
            block = partial.node.body
            assert isinstance(block, cst.IndentedBlock)
            partial.node = partial.node.with_changes(
                body=block.with_changes(
                    body=[child.rules_node() for child in partial.children], footer=old_footer
                )
            )
            new_tops = [*new_tops, partial]
        low = ta + 1 if ctx is not None else ta
        high = tb + 1 if not (ctx is not None and region.within) else ta + 1
        self.tops[low:high] = new_tops
        self._reshaped()

    def _break(self, layout: Layout, run: tuple[int, int], a: int, error: RegionError) -> None:
        """Turn the dirty run into broken leaves, one per level, with their errors."""
        start_region = layout.starts[a]
        found = self._dirty_run()
        if found is None:
            return
        layout, a0, b0 = found
        leaves = layout.leaves
        groups: list[list[int]] = []
        for k in range(a0, b0):
            if groups and _level(leaves[groups[-1][-1]]) is _level(leaves[k]):
                groups[-1].append(k)
            else:
                groups.append([k])
        for group in reversed(groups):
            self._merge_broken(layout, group, error, start_region)
        self._verify_whole = True

    def _dirty_run(self) -> tuple[Layout, int, int] | None:
        """Return the run of unparsed leaves around the first dirty one, without heads.

        A broken head breaks its whole statement: each head the run reaches is dissolved
        (its split becomes one statement) until the run holds none.
        """
        while True:
            layout = self.layout()
            leaves = layout.leaves
            dirty = next((k for k, leaf in enumerate(leaves) if leaf.state == DIRTY), None)
            if dirty is None:
                return None
            a0 = b0 = dirty
            while a0 > 0 and not leaves[a0 - 1].valid:
                a0 -= 1
            while b0 < len(leaves) and not leaves[b0].valid:
                b0 += 1
            heads = [leaf.owner for leaf in leaves[a0:b0] if leaf.kind == HEAD and leaf.owner]
            if not heads:
                return layout, a0, b0
            for owner in heads:
                self._dissolve(owner)

    def _dissolve(self, split: Split) -> None:
        index = next(k for k, top in enumerate(self.tops) if top is split)
        leaf = Leaf(
            STMT, split.lines, state=DIRTY, pre=split.head.pre, post=split.children[-1].post
        )
        self.tops[index] = leaf
        self._reshaped()

    def _merge_broken(
        self, layout: Layout, group: list[int], error: RegionError, region_start: int
    ) -> None:
        leaves = [layout.leaves[k] for k in group]
        start = layout.starts[group[0]]
        lines = sum(leaf.lines for leaf in leaves)
        owner = leaves[0].owner if leaves[0].kind == CHILD else None
        kind = CHILD if owner is not None else STMT
        broken = Leaf(
            kind, lines, owner=owner, state=BROKEN, pre=leaves[0].pre, post=leaves[-1].post
        )
        broken.text = self.buffer.slice(start, start + lines)
        broken.error, broken.cache["kind"] = self._leaf_error(broken, error, region_start - start)
        if owner is not None:
            at = owner.children.index(leaves[0])
            owner.children[at : at + len(leaves)] = [broken]
            owner.rebuild()
        else:
            at = self.tops.index(leaves[0])
            self.tops[at : at + len(leaves)] = [broken]
        self._reshaped()

    def _leaf_error(
        self, leaf: Leaf, region_error: RegionError, offset: int
    ) -> tuple[tuple[str, Range], str]:
        indent = body_indent(leaf.owner.node, self.style) if leaf.owner is not None else None
        try:
            check_grammar(leaf.text, indent)
            parse_region(leaf.text, self.style, indent)
        except RegionError as own:
            where = own.where
            last = max(leaf.lines - 1, 0)
            if where.start.line > last:
                where = Range.of(last, 0, last, 0)
            return (own.message, where), own.kind
        where = region_error.where.moved(offset)
        if not 0 <= where.start.line < leaf.lines:
            where = Range.of(0, 0, 0, 0)
        # It parses on its own: what breaks it lies elsewhere (and may be fixed there).
        return (region_error.message, where), "context"

    def _needs_verification(self) -> bool:
        """Tell whether the broken statements might parse together (see :meth:`work`).

        One broken statement whose own text fails on its own, before its end, cannot be
        fixed by an edit elsewhere; anything else may be.
        """
        broken = [leaf for leaf in self.layout().leaves if leaf.state == BROKEN]
        if len(broken) != 1:
            return len(broken) > 1
        return broken[0].cache.get("kind") not in (LOCAL, UNCLOSED, "libcst")

    def _whole_text_parses(self) -> bool:
        self._verify_whole = False
        try:
            return syntax.python_error(self.buffer.text) is None
        except (ValueError, RecursionError, MemoryError):
            return False

    # Checking.

    def _binary(self) -> DocumentResult:
        result = Checker(self.ruleset).check(self.buffer.text, self.path)
        return DocumentResult(result.findings, result.errors, [])

    def _check(self, edits: int) -> Iterator[None]:
        layout = self.layout()
        if not layout.leaves:
            result = Checker(self.ruleset).check(self.buffer.text, self.path)
            self._result = DocumentResult(result.findings, result.errors, [])
            return
        module = layout.module
        facts = self._facts(module)
        if facts is self._tracker.source:
            key = self._facts_key
            self._tracker.rebind(module)
        else:
            key = self._tracker.load(facts, module)
        if key != self._facts_key:
            # Cached entries remember the version they were last validated against.
            self._facts_key = key
            self._facts_version += 1
        body = tuple(id(statement) for statement in module.body)
        if body != self._body_ids:
            self._body_ids = body
            self._body_version += 1
        text = self._checked_text(layout)
        positions = LeafPositions(layout)
        context = LeafContext(
            self.path,
            text,
            module,
            lambda: _parse_ast(text),
            positions,
            self._tracker.facts,
            target_version=self.ruleset.target_version,
        )
        context.tracker = self._tracker
        runner = LeafRunner(self.ruleset, context, positions, self._tracker)
        for jobs in self._job_batches(layout, runner):
            results = runner.run_leaves(jobs)
            self.stats.leaves_checked += len(results)
            for leaf, result in results.values():
                self._store(layout, leaf, result)
            yield
            if edits != self._edits:
                return
        summaries = yield from self._summaries(layout, runner, edits)
        if summaries is None:
            return
        self._result = self._assemble(layout, runner, summaries, context)

    def _facts(self, module: cst.Module) -> ModuleFacts:
        # Facts come from top-level statements, of which a function contributes only its
        # name and a class its header, class-level statements and method names: when
        # only function or method bodies changed, the facts are the same (a model's
        # ``node`` is pointed at the new class, for rules that look at it).
        body = tuple(module.body)
        signatures = self._signatures
        signature = tuple(
            signatures[node] if node in signatures else _facts_signature(node) for node in body
        )
        self._signatures = dict(zip(body, signature, strict=True))
        memo = self._facts_memo
        if memo is not None and memo[0] == signature:
            if memo[2] != body:
                _rebind_models(memo[1], memo[2], body)
                self._facts_memo = (signature, memo[1], body)
            return memo[1]
        try:
            # Statements scanned for an earlier check are not scanned again.
            facts = compute_facts(module, self._scans)
        except Exception:  # a broken fact must not stop the rules that do not need it
            facts = ModuleFacts()
        self._scans = {node: self._scans[node] for node in body if node in self._scans}
        if memo is not None and _same_facts(facts, memo[1]):
            # Typing inside one statement often gives the same facts again (a function
            # missing while its body does not parse): keep the object, so the tracker
            # does not fingerprint them again.
            facts = memo[1]
        self._facts_memo = (signature, facts, body)  # the body keeps the ids valid
        return facts

    def _checked_text(self, layout: Layout) -> str:
        if all(leaf.valid for leaf in layout.leaves):
            return self.buffer.text
        parts = []
        for leaf in layout.leaves:
            if leaf.valid:
                parts.append(leaf.text)
            else:
                indent = body_indent(leaf.owner.node, self.style) if leaf.owner else ""
                parts.append(_stand_in_text(leaf.text, indent))
        return "".join(parts)

    def _context_key(self, leaf: Leaf) -> tuple[Any, ...]:
        owner = leaf.owner
        if owner is None:
            return ("S", leaf.text, leaf.pre, leaf.post)
        if owner.is_class and leaf.kind == CHILD:
            return ("C", leaf.text, leaf.post, owner.head.text, _docstring_text(owner))
        return ("N", id(owner.node))

    def _valid(self, entry: list[Any], dependencies: Reads) -> bool:
        """Tell whether a cached entry still holds under the current facts."""
        stamp = self._stamp(dependencies)
        if entry[-1] == stamp:
            return True
        if self._tracker.still_valid(dependencies):
            entry[-1] = stamp
            return True
        return False

    def _stamp(self, dependencies: Reads) -> tuple[int, int, int]:
        """Return what a cached entry was validated against.

        That is the facts, and the module's statements and cross-file answers when the
        entry depends on them.
        """
        return (
            self._facts_version,
            self._body_version if dependencies.body else -1,
            default_service().generation if dependencies.crossfile else -1,
        )

    def _lookup(self, leaf: Leaf) -> bool:
        """Tell whether a leaf's findings are known (on the leaf or in the text cache)."""
        key = self._context_key(leaf)
        entry = leaf.cache.get("result")
        if (
            entry is not None
            and entry[0] == self._gen
            and entry[1] == key
            and self._valid(entry, entry[2].dependencies)
        ):
            return True
        if key[0] in ("S", "C"):
            cached = self._cache.get(key)
            if cached is not None and self._valid(cached, cached[0].dependencies):
                self._cache.move_to_end(key)
                leaf.cache["result"] = [
                    self._gen,
                    key,
                    cached[0],
                    None,
                    self._stamp(cached[0].dependencies),
                ]
                return True
        return False

    def _store(self, layout: Layout, leaf: Leaf, result: LeafResult) -> None:
        key = self._context_key(leaf)
        owner = leaf.owner
        leaf.cache["result"] = [
            self._gen,
            key,
            result,
            owner.node if owner else None,
            self._stamp(result.dependencies),
        ]
        if key[0] in ("S", "C") and result.portable and not result.errors:
            self._cache[key] = [result, self._stamp(result.dependencies)]
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

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
            if top.valid and not self._lookup(top):
                return [("stmt", top, index)]
            return []
        if not top.is_class:
            if all(self._lookup(leaf) for leaf in top.leaves() if leaf.valid):
                return []
            return [("whole", top, index)]
        jobs: list[tuple[str, Leaf | Split, int]] = []
        if not self._lookup(top.head):
            jobs.append(("head", top, index))
        for child in top.children:
            if child.valid and not self._lookup(child):
                jobs.append(("child", child, index))
        return jobs

    def _summaries(self, layout: Layout, runner: LeafRunner, edits: int) -> Iterator[None]:
        if not runner.module_specs:
            return []
        summaries: list[Summary | None] = []
        missing: list[tuple[int, Top]] = []
        for index, top in enumerate(layout.tops):
            entry = top.cache.get("summary")
            if (
                entry is not None
                and entry[0] == self._gen
                and entry[1] is top_node(top)
                and self._valid(entry, entry[2].dependencies)
            ):
                summaries.append(entry[2])
            else:
                summaries.append(None)
                missing.append((index, top))
        for start in range(0, len(missing), 64):
            chunk = missing[start : start + 64]
            fresh = runner.summarize(chunk)
            self.stats.summaries += len(fresh)
            for index, summary in fresh.items():
                top = layout.tops[index]
                top.cache["summary"] = [
                    self._gen,
                    top_node(top),
                    summary,
                    self._stamp(summary.dependencies),
                ]
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
                result: LeafResult = leaf.cache["result"][2]
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


def _facts_signature(node: cst.BaseStatement) -> Hashable:
    """What of a top-level statement the module facts can depend on (by identity)."""
    if isinstance(node, cst.FunctionDef):
        return ("def", node.name.value)
    if isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
        members = node.body.body
        return (
            "class",
            node.name.value,
            tuple(id(arg) for arg in node.bases),
            tuple(id(arg) for arg in node.keywords),
            tuple(id(s) for s in members if isinstance(s, cst.SimpleStatementLine)),
            tuple(
                s.name.value if isinstance(s, cst.FunctionDef) else id(s)
                for s in members
                if not isinstance(s, cst.SimpleStatementLine)
            ),
        )
    return id(node)


def _rebind_models(
    facts: ModuleFacts,
    old: tuple[cst.BaseStatement, ...],
    new: tuple[cst.BaseStatement, ...],
) -> None:
    """Point each model's ``node`` at the statement that replaced its class.

    The signatures matched, so ``old`` and ``new`` hold the same statements in the same
    order (some of them rebuilt).
    """
    replaced = {id(before): after for before, after in zip(old, new, strict=True)}
    for info in facts.models.values():
        current = replaced.get(id(info.node))
        if isinstance(current, cst.ClassDef):
            info.node = current


def _same_facts(new: ModuleFacts, old: ModuleFacts) -> bool:
    """Tell whether two facts hold the same values, nodes compared by identity."""
    for item in fields(new):
        a, b = getattr(new, item.name), getattr(old, item.name)
        if isinstance(a, dict):
            if a.keys() != b.keys() or any(not _same_value(a[k], b[k]) for k in a):
                return False
        elif a != b:
            return False
    return True


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, ModelInfo) and isinstance(b, ModelInfo):
        return a.name == b.name and a.typed == b.typed and a.node is b.node
    return a is b or (isinstance(a, str) and a == b)

"""The parsed tree of an open document, kept in step with its text.

The text is kept as a buffer plus leaves (see :mod:`precepts.incremental.leaves`). An
edit splices the buffer and marks the leaves it touched *dirty*; :meth:`DocumentTree.
parse_step` then re-parses each dirty run together with one neighbour on each side (so
comments and blank lines at the boundaries land where a full parse would put them) and
splices the new statements into the tree. A run that does not parse becomes one
*broken* leaf: it stands as ``pass`` in the tree the rules see (see
:func:`_stand_in_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from precepts import syntax
from precepts.findings import Range
from precepts.incremental.buffer import TextBuffer, content_length, split_keep_ends
from precepts.incremental.facts_key import watched
from precepts.incremental.layout import Layout
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
    line_count,
    make_split,
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
from precepts.incremental.splice import (
    Rebuild,
    Region,
    Widen,
    body_children,
    check_first_block,
    check_region_style,
    partial_split,
    region_of,
    reuse_leaves,
)

#: The message of code libcst parses but cannot give back unchanged (``\\`` before a
#: statement): its positions would be wrong, so it is reported instead of checked.
LOSSY = "SyntaxError: libcst cannot represent this code (a line continuation before a statement?)"
#: Lines from which a class (or other compound statement) is split into leaves.
SPLIT_LINES = 60
#: About how many lines are parsed at once when a document is parsed from scratch.
CHUNK_LINES = 400


@dataclass
class Stats:
    """Counters that show how much work edits caused (for tests and benchmarks)."""

    full_parses: int = 0
    regions: int = 0
    region_lines: int = 0
    leaves_checked: int = 0
    summaries: int = 0


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


class DocumentTree:
    """The leaves and top-level statements of a document's text.

    Attributes:
        buffer: The current text.
        tops: The top-level statements (leaves and splits).
        style: An empty module carrying the code style, header and footer.
        stats: Work counters (parses and re-parsed regions are counted here).
        split_lines: Compound statements of at least this many lines are split.
        chunk_lines: Lines per slice of a from-scratch parse.
    """

    def __init__(self, text: str, split_lines: int, chunk_lines: int, stats: Stats) -> None:
        """Keep a text (nothing is parsed until :meth:`parse_step` runs).

        Args:
            text: The document's text.
            split_lines: Compound statements of at least this many lines are split.
            chunk_lines: Lines per slice of a from-scratch parse.
            stats: The document's work counters.
        """
        self.buffer = TextBuffer(text)
        self.split_lines = split_lines
        self.chunk_lines = chunk_lines
        self.tops: list[Top] = []
        self.style = cst.parse_module("")
        self.stats = stats
        self._needs_full = True
        self._verify_whole = False
        self._shape = 0
        self._layout: tuple[int, Layout] | None = None

    @property
    def has_tree(self) -> bool:
        """True while a parsed tree is kept."""
        return not self._needs_full

    def set_text(self, text: str) -> None:
        """Replace the whole text (it is parsed again from scratch).

        Args:
            text: The new content.
        """
        self.buffer = TextBuffer(text)
        self._needs_full = True

    def drop(self) -> None:
        """Free the parsed tree; the next :meth:`parse_step` parses again."""
        self.tops = []
        self.reshaped()
        self._needs_full = True

    def whole_text_fixed(self) -> bool:
        """Tell whether broken statements are fixed together (the text is parsed again).

        Called once no leaf is dirty: after a run was re-parsed or broken, the broken
        statements may parse together.

        Returns:
            True when the whole text parses although some statements did not: the next
            :meth:`parse_step` parses it from scratch.
        """
        if self._verify_whole and self._needs_verification() and self._whole_text_parses():
            # Broken statements that depend on each other (or on what follows them)
            # may all be fixed by one edit elsewhere: the whole text parses again.
            self._needs_full = True
            return True
        self._verify_whole = False
        return False

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

    def reshaped(self) -> None:
        """Note that leaves or tops changed (the cached layout is stale)."""
        self._shape += 1

    def mark_dirty(self, first: int, old: int, new: int) -> None:
        """Mark the leaves an edit of the buffer touched dirty (one leaf for all of them).

        Args:
            first: The first line the edit replaced.
            old: How many lines it replaced.
            new: How many lines replace them.
        """
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
                self.reshaped()
                return
            if touched == [top.head]:
                top.head = Leaf(HEAD, lines, owner=top, state=DIRTY, pre=top.head.pre)
                top.cache.clear()
                self.reshaped()
                return
        total = sum(self.tops[k].lines for k in range(ta, tb + 1)) + new - old
        pre = layout.leaves_of(ta)[0].pre
        post = layout.leaves_of(tb)[-1].post
        self.tops[ta : tb + 1] = [Leaf(STMT, total, state=DIRTY, pre=pre, post=post)]
        self.reshaped()

    # Parsing.

    def parse_step(self) -> bool:
        """Parse the whole text, or re-parse the first dirty run of leaves.

        Returns:
            False when nothing was left to parse.
        """
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
        self._verify_whole = True  # see whole_text_fixed(): broken statements may parse together
        for _attempt in range(3):
            try:
                self._reparse(layout, a, b)
            except Widen as wider:
                b = max(b, min(wider.end, len(leaves)))
                continue
            except RegionError as error:
                self._break(layout, run, a, error)
            except Rebuild:
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
        self.reshaped()
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

    def _parse(self, region: Region) -> Parsed:
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
            check_region_style(parsed, self.style)
        return parsed

    def _reparse(self, layout: Layout, a: int, b: int) -> None:
        region = region_of(layout, a, b)
        parsed = self._parse(region)
        statements = list(parsed.statements)
        module = parsed.module
        ctx_children: list[Leaf] = []
        if region.ctx is not None:
            ctx_children = body_children(region, parsed, layout)
        partial: Split | None = None
        fresh: list[Leaf] = []
        if region.tail is not None:
            partial, fresh = partial_split(region.tail, statements, module, region.last, layout)
        new_tops = self._region_tops(region, module, statements, ctx_children, partial)
        ordered = [*ctx_children, *flatten(new_tops)]
        if partial is not None:
            ordered.extend([partial.head, *fresh])
        if not self._assign_texts(ordered, region.start, region.end):
            raise RegionError(LOSSY, Range.of(0, 0, 0, 0), "libcst")
        reuse_leaves(layout.leaves[a:b], new_tops, ctx_children, fresh, region.tail, partial)
        self._splice(layout, region, ctx_children, new_tops, partial)
        if region.reaches_eof:
            self.style = self.style.with_changes(
                footer=module.footer, has_trailing_newline=module.has_trailing_newline
            )
        if a == 0:
            self.style = self.style.with_changes(header=module.header)
        self.reshaped()
        check_first_block(self.tops, self.style)

    def _region_tops(
        self,
        region: Region,
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
                raise Rebuild
            ctx_children[-1].lines += post
            ctx_children[-1].post = post
        return new_tops

    def _splice(
        self,
        layout: Layout,
        region: Region,
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
        self.reshaped()

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
        self.reshaped()

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
        self.reshaped()

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
        """Tell whether the broken statements might parse together (see :meth:`whole_text_fixed`).

        One broken statement whose own text fails on its own, before its end, cannot be
        fixed by an edit elsewhere; anything else may be.
        """
        broken = [leaf for leaf in self.layout().leaves if leaf.state == BROKEN]
        if len(broken) != 1:
            return len(broken) > 1
        return broken[0].cache.get("kind") not in (LOCAL, UNCLOSED, "libcst")

    def _whole_text_parses(self) -> bool:
        """Tell whether the text parses, compiling only from just before the first break.

        The top-level statements before the first broken one each parse alone, so they
        tokenise independently of what follows; only the statement right before it may
        join it (an ``else:`` typed after an ``if``, a decorator's function). The text
        parses when that statement and everything after it does. CPython stops at the
        first error, which lies close to the break: typing inside a string left open in
        the middle of a long module then costs a compile of a few lines, not of the file.
        """
        self._verify_whole = False
        start = self._verification_start()
        text = self.buffer.text if start == 0 else self.buffer.slice(start, len(self.buffer.lines))
        try:
            return syntax.python_error(text) is None
        except (ValueError, RecursionError, MemoryError):
            return False

    def _verification_start(self) -> int:
        """Return the first line of the statement before the first broken one (0 if none)."""
        layout = self.layout()
        first = next((i for i, leaf in enumerate(layout.leaves) if leaf.state == BROKEN), None)
        if first is None:
            return 0
        top = layout.top_of[first]
        return layout.top_starts[top - 1] if top > 0 else 0

    def checked_text(self, layout: Layout) -> str:
        """Return the text the rules see: T°, broken leaves replaced by ``pass``.

        Args:
            layout: The current layout.

        Returns:
            The text.
        """
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

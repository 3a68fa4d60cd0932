"""Where each leaf of an open document starts, and how to find a node's range.

Positions are computed per leaf, never for the whole module: ``PositionProvider`` on a
small synthetic module that holds just the leaf's statement (inside a ``class _:`` with
the real body indentation for a statement of a split body), shifted by the leaf's first
line. Only leaves that report something pay for it, and only once per check.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping

import libcst as cst
from libcst.metadata import CodeRange

from precepts.findings import Range
from precepts.incremental.leaves import CHILD, HEAD, Leaf, Split, Top, body_indent, shell_of
from precepts.positions import resolve_positions


class Layout:
    """A snapshot of the document's leaves and their first lines.

    Attributes:
        tops: The top-level statements.
        leaves: Every leaf in text order.
        starts: The first line of each leaf.
        top_of: For each leaf, the index of its top-level statement.
        module: The module the rules see (its code style and body).
    """

    def __init__(self, tops: list[Top], module: cst.Module) -> None:
        """Lay the leaves out.

        Args:
            tops: The top-level statements.
            module: The module the rules see.
        """
        self.tops = tops
        self.module = module
        self.leaves: list[Leaf] = []
        self.starts: list[int] = []
        self.top_of: list[int] = []
        self.top_starts: list[int] = []
        self._index: dict[int, int] = {}
        line = 0
        for top_index, top in enumerate(tops):
            self.top_starts.append(line)
            for leaf in top.leaves() if isinstance(top, Split) else (top,):
                self._index[id(leaf)] = len(self.leaves)
                self.leaves.append(leaf)
                self.starts.append(line)
                self.top_of.append(top_index)
                line += leaf.lines
        self.line_total = line

    def start_of(self, leaf: Leaf) -> int:
        """Return a leaf's first line.

        Args:
            leaf: A leaf of this layout.

        Returns:
            The 0-based line.
        """
        return self.starts[self._index[id(leaf)]]

    def leaf_at(self, line: int) -> int:
        """Return the index of the leaf that holds a line (the last leaf past the end).

        Args:
            line: 0-based line.

        Returns:
            The leaf index, or -1 when there are no leaves.
        """
        if not self.leaves:
            return -1
        index = bisect_right(self.starts, line) - 1
        while index > 0 and self.leaves[index].lines == 0 and self.starts[index] == line:
            index -= 1
        return max(index, 0)

    def leaves_of(self, top_index: int) -> list[Leaf]:
        """Return the leaves of one top-level statement.

        Args:
            top_index: Its index.

        Returns:
            Its leaves.
        """
        top = self.tops[top_index]
        return top.leaves() if isinstance(top, Split) else [top]


class LeafPositions:
    """Resolves node ranges leaf by leaf (a drop-in for ``PositionResolver``).

    Attributes:
        layout: The document's layout.
        focus: The leaf whose findings are being converted (searched first).
        hints: Node id → top-level statement index, for nodes reported from ``finish``.
    """

    def __init__(self, layout: Layout) -> None:
        """Resolve positions in a layout.

        Args:
            layout: The document's layout.
        """
        self.layout = layout
        self.focus: Leaf | None = None
        self.hint_source: Callable[[], dict[int, int]] | None = None
        self._hints: dict[int, int] | None = None
        self._maps: dict[int, tuple[Mapping[cst.CSTNode, CodeRange], int, cst.CSTNode | None]] = {}

    # The PositionResolver interface.

    def first_line(self, index: int) -> int:
        """Return the 0-based line where top-level statement ``index`` starts.

        Args:
            index: Position of the statement in the module's body.

        Returns:
            The line (after the module header for the first statement).
        """
        layout = self.layout
        return layout.top_starts[index] + layout.leaves_of(index)[0].pre

    def statement_span(self, index: int) -> tuple[int, int]:
        """Return the first and last line of a top-level statement.

        Args:
            index: Position of the statement in the module's body.

        Returns:
            (first, last), leading comments included, the module footer excluded.
        """
        layout = self.layout
        first = self.first_line(index)
        if index + 1 < len(layout.tops):
            return first, layout.top_starts[index + 1] - 1
        last_leaf = layout.leaves[-1]
        return first, max(first, layout.line_total - last_leaf.post - 1)

    def statement_index_of(self, line: int) -> int:
        """Return the top-level statement that holds a line.

        Args:
            line: 0-based line.

        Returns:
            The statement index, or -1 in the module header or footer.
        """
        layout = self.layout
        if not layout.tops:
            return -1
        index = bisect_right(layout.top_starts, line) - 1
        if index < 0:
            return -1
        first, last = self.statement_span(index)
        return index if first <= line <= last else -1

    def unit_span(self, line: int) -> tuple[int, int] | None:
        """Return the lines of the leaf around ``line`` when it parses alone, else its statement.

        A statement of a split class body is such a unit (dedented); any other line gets
        its top-level statement.

        Args:
            line: A 0-based line.

        Returns:
            (first, last), inclusive, or None in the module's header or footer.
        """
        layout = self.layout
        if 0 <= line < layout.line_total:
            index = layout.leaf_at(line)
            leaf = layout.leaves[index]
            if leaf.kind == CHILD and leaf.valid:
                start = layout.starts[index]
                return start, start + leaf.lines - 1 - leaf.post
        index = self.statement_index_of(line)
        return None if index < 0 else self.statement_span(index)

    def range_of(self, node: cst.CSTNode, hint: int = -1) -> Range:
        """Return the range of a node of the rules' module.

        Args:
            node: The node.
            hint: The index of the top-level statement that probably holds it.

        Returns:
            The 0-based range in code points.

        Raises:
            KeyError: When the node is not part of the module.
        """
        layout = self.layout
        if node is layout.module:
            return Range.of(0, 0, 0, 0)
        tried: set[int] = set()
        found = self._search(node, self._candidates(node, hint), tried)
        if found is not None:
            return found
        for top_index, top in enumerate(layout.tops):
            if isinstance(top, Split) and (node is top.node or node is top.node.body):
                return self._split_range(top, node, top_index)
        found = self._search(node, iter(layout.leaves), tried)
        if found is not None:
            return found
        raise KeyError(f"node {type(node).__name__} is not part of this module")

    def _search(self, node: cst.CSTNode, leaves: Iterator[Leaf], tried: set[int]) -> Range | None:
        """Look a node up in leaves not tried yet (their positions computed on demand)."""
        for leaf in leaves:
            if id(leaf) in tried:
                continue
            tried.add(id(leaf))
            found = self._lookup(leaf, node)
            if found is not None:
                return found
        return None

    # Internals.

    def _candidates(self, node: cst.CSTNode, hint: int) -> Iterator[Leaf]:
        layout = self.layout
        if self.focus is not None:
            yield self.focus
        if 0 <= hint < len(layout.tops):
            yield from layout.leaves_of(hint)
        if self.hint_source is not None:
            if self._hints is None:
                self._hints = self.hint_source()
            index = self._hints.get(id(node), -1)
            if 0 <= index < len(layout.tops):
                yield from layout.leaves_of(index)

    def _split_range(self, split: Split, node: cst.CSTNode, top_index: int) -> Range:
        children = split.children
        last = self.range_of(children[-1].rules_node(), top_index)
        if node is split.node:
            table, offset, shell = self._map(split.head)
            start = table[shell].start  # type: ignore[index]
            return Range.of(start.line + offset, start.column, last.end.line, last.end.column)
        first = self.range_of(children[0].rules_node(), top_index)
        return Range(first.start, last.end)

    def _lookup(self, leaf: Leaf, node: cst.CSTNode) -> Range | None:
        if not leaf.valid:
            return self._stand_in_range(leaf, node)
        # Ranges found before are kept on the leaf, relative to its first line: a finding
        # concluded from summaries (module rules) asks for the same nodes on every check.
        known = leaf.cache.setdefault("ranges", {})
        found = known.get(id(node))
        start = self.layout.start_of(leaf)
        if found is not None and found[0] is node:
            return found[1].moved(start)
        table, offset, _ = self._map(leaf)
        code_range = table.get(node)
        if code_range is None:
            return None
        relative = Range.of(
            code_range.start.line + offset - start,
            code_range.start.column,
            code_range.end.line + offset - start,
            code_range.end.column,
        )
        known[id(node)] = (node, relative)
        return relative.moved(start)

    def _stand_in_range(self, leaf: Leaf, node: cst.CSTNode) -> Range | None:
        stand_in = leaf.stand_in
        if stand_in is None or (node is not stand_in and node is not stand_in.body[0]):
            return None
        column = 0
        if leaf.kind == CHILD and leaf.owner is not None:
            column = len(body_indent(leaf.owner.node, self.layout.module))
        line = self.layout.start_of(leaf)
        return Range.of(line, column, line, column + 4)

    def _map(self, leaf: Leaf) -> tuple[Mapping[cst.CSTNode, CodeRange], int, cst.CSTNode | None]:
        cached = self._maps.get(id(leaf))
        if cached is not None:
            return cached
        module = self.layout.module
        start = self.layout.start_of(leaf)
        shell: cst.CSTNode | None = None
        if leaf.kind == CHILD:
            assert leaf.owner is not None and leaf.node is not None
            block = leaf.owner.node.body
            assert isinstance(block, cst.IndentedBlock)
            # A plain one-line header: the real one may hold a ``\\`` continuation.
            wrapper = cst.ClassDef(
                name=cst.Name("_"),
                body=block.with_changes(
                    body=[leaf.node], footer=(), header=cst.TrailingWhitespace()
                ),
            )
            body: list[cst.BaseStatement] = [wrapper]
            offset = start - 2
        elif leaf.kind == HEAD:
            assert leaf.owner is not None
            shell = shell_of(leaf.owner.node)
            body = [shell]
            offset = start + leaf.pre - 1
        else:
            assert leaf.node is not None
            body = [leaf.node]
            offset = start + leaf.pre - 1
        alone = module.with_changes(body=body, header=(), footer=(), has_trailing_newline=True)
        table = resolve_positions(alone)
        result = (table, offset, shell)
        self._maps[id(leaf)] = result
        return result

"""Re-parsing a region of an open document: the new leaves, and which old ones they keep.

A region is a run of leaves re-parsed together (see
:class:`precepts.incremental.tree.DocumentTree`). It may start inside the body of a split
statement and end inside another one's head or first body statements; these functions
build the leaves that replace it. When the new statements do not fit the tree they raise
:class:`Rebuild` (parse the whole text) or :class:`Widen` (parse a longer region).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from precepts.findings import Range
from precepts.incremental.layout import Layout
from precepts.incremental.leaves import (
    CHILD,
    HEAD,
    STMT,
    Leaf,
    Split,
    Top,
    is_splittable_shape,
    line_count,
    shell_of,
)
from precepts.incremental.parsing import Parsed, RegionError


class Rebuild(Exception):
    """A region parsed but does not fit the tree (a rare layout change): parse it all."""


class Widen(Exception):
    """A region changed where a split statement ends: parse again up to leaf ``end``."""

    def __init__(self, end: int) -> None:
        """Ask for a longer region.

        Args:
            end: The leaf (excluded) the region must reach.
        """
        super().__init__(end)
        self.end = end


@dataclass
class Region:
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


def region_of(layout: Layout, a: int, b: int) -> Region:
    """Return the region of leaves ``a`` to ``b`` (excluded), and where it sits.

    Args:
        layout: The document's current layout.
        a: The region's first leaf.
        b: The leaf after its last.

    Returns:
        The region.
    """
    leaves = layout.leaves
    first, last = leaves[a], leaves[b - 1]
    ctx = first.owner if first.kind == CHILD else None
    tail = last.owner if last.kind in (HEAD, CHILD) else None
    if tail is ctx or (tail is not None and last is tail.children[-1]):
        tail = None  # the region ends where that split ends: nothing is left over
    return Region(
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


def check_region_style(parsed: Parsed, style: cst.Module) -> None:
    """Check that a region at the start of the file keeps the document's code style.

    Args:
        parsed: The region, parsed.
        style: The document's style module.

    Raises:
        Rebuild: Its newline or indentation differs (parse the whole text).
    """
    module = parsed.module
    if module.default_newline != style.default_newline:
        raise Rebuild
    has_block = any(first_block(statement) is not None for statement in module.body)
    if has_block and module.default_indent != style.default_indent:
        raise Rebuild


def check_first_block(tops: list[Top], style: cst.Module) -> None:
    """Check that the file's first indented block still has the default indentation.

    Args:
        tops: The top-level statements.
        style: The document's style module.

    Raises:
        Rebuild: It does not (parse the whole text).
    """
    for top in tops:
        node = top.node
        if node is None:
            continue
        block = first_block(node)
        if block is not None:
            indent = block.indent
            if indent is not None and indent != style.default_indent:
                raise Rebuild
            return


def body_children(region: Region, parsed: Parsed, layout: Layout) -> list[Leaf]:
    """Return the new leaves of the split body statements a region re-parsed.

    Args:
        region: The region.
        parsed: The region, parsed.
        layout: The document's current layout.

    Returns:
        The leaves, owned by ``region.ctx``.

    Raises:
        Rebuild: The body's indentation changed.
        Widen: A line dedented out of the body (parse up to the body's end).
        RegionError: The body is left empty.
    """
    ctx, first, last, within = region.ctx, region.first, region.last, region.within
    assert ctx is not None
    block = ctx.node.body
    assert isinstance(block, cst.IndentedBlock)
    if parsed.block_indent != block.indent or parsed.children is None:
        raise Rebuild
    ends_inside = within and last is not ctx.children[-1]
    if ends_inside and (parsed.statements or parsed.block_footer or parsed.module.footer):
        # A line dedented out of the body: what follows it may now belong to it.
        raise Widen(layout.leaves.index(ctx.children[-1]) + 2)
    module = parsed.module
    children = [
        Leaf(CHILD, line_count(node, module), node=node, owner=ctx) for node in parsed.children
    ]
    before = ctx.children[: ctx.children.index(first)]
    if not before and not children:
        raise RegionError("SyntaxError: expected an indented block", Range.of(0, 0, 0, 0), "local")
    if not ends_inside:
        if not children and parsed.block_footer:
            raise Rebuild
        if children:
            children[-1].lines += len(parsed.block_footer)
    ctx.cache["footer"] = block.footer if ends_inside else parsed.block_footer
    return children


def partial_split(
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
    widen = Widen(layout.leaves.index(tail.children[-1]) + 2)
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


def reuse_leaves(
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

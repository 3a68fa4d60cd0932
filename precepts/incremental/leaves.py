"""The pieces an open document is cut into.

One leaf per top-level statement, and for a big compound statement (a 1,000-line class)
one leaf for its head plus one per statement of its body.

A leaf owns whole lines: its leading comments and blank lines, its code, and (for the
last leaf of a body or of the file) the trailing comment lines libcst attaches there.
Leaves are the unit of re-parsing, of rule runs and of the findings cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from precepts.findings import Range
from precepts.text import count_line_breaks

VALID = "valid"
DIRTY = "dirty"
BROKEN = "broken"

STMT = "stmt"
HEAD = "head"
CHILD = "child"

# Compound statements whose body may be split into leaves: nothing of theirs follows the
# body (no ``else``/``except``), so a split statement is exactly head + body statements.
_SPLITTABLE = (cst.ClassDef, cst.FunctionDef, cst.With, cst.For, cst.While, cst.If)


def placeholder() -> cst.SimpleStatementLine:
    """Return a fresh ``pass`` statement that stands for a statement that does not parse.

    Returns:
        A new node (each broken leaf gets its own, so positions can find it).
    """
    return cst.SimpleStatementLine(body=[cst.Pass()])


@dataclass(eq=False)
class Leaf:
    """A run of whole lines that parses on its own: a statement, or a split head.

    Attributes:
        kind: ``stmt`` (top-level statement), ``head`` or ``child`` (of a split).
        lines: How many lines it owns.
        text: Its text (kept while the leaf is valid).
        node: The statement (``stmt``/``child``); None for a head, a dirty or a broken leaf.
        owner: The split a ``head``/``child`` belongs to.
        state: ``valid``, ``dirty`` (edited, not parsed yet) or ``broken``.
        error: For a broken leaf, the syntax error (message, range relative to the leaf).
        pre: Lines of the module header at its start (first leaf only).
        post: Lines of the module footer at its end (last leaf only).
        stand_in: The ``pass`` that replaces a broken leaf in the tree the rules see.
        cache: Results computed for this leaf (findings, noqa directives, summaries).
    """

    kind: str
    lines: int
    text: str = ""
    node: cst.BaseStatement | None = None
    owner: Split | None = None
    state: str = VALID
    error: tuple[str, Range] | None = None
    pre: int = 0
    post: int = 0
    stand_in: cst.SimpleStatementLine | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when the leaf parsed."""
        return self.state == VALID

    def rules_node(self) -> cst.BaseStatement:
        """Return the node the rules see: the statement, or a ``pass`` stand-in.

        Returns:
            The node.
        """
        if self.node is not None:
            return self.node
        if self.stand_in is None:
            self.stand_in = placeholder()
        return self.stand_in


@dataclass(eq=False)
class Split:
    """A big compound statement kept as a head leaf plus one leaf per body statement.

    Attributes:
        node: The statement, rebuilt from the children's nodes (stand-ins for broken ones).
        head: The leaf of its head (decorators, ``class X(...):`` line, leading comments).
        children: The leaves of its body statements; the last one also owns the body's
            trailing comment lines (and the module footer when the split ends the file).
        cache: Results computed for the whole statement (module-rule summaries).
    """

    node: cst.BaseCompoundStatement
    head: Leaf
    children: list[Leaf]
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def lines(self) -> int:
        """Lines owned by the whole statement."""
        return self.head.lines + sum(child.lines for child in self.children)

    @property
    def is_class(self) -> bool:
        """True for a class (its body statements are checked one by one)."""
        return isinstance(self.node, cst.ClassDef)

    def leaves(self) -> list[Leaf]:
        """Return the head and the children, in text order.

        Returns:
            The leaves.
        """
        return [self.head, *self.children]

    def rebuild(self) -> None:
        """Rebuild :attr:`node` from the children (after a child was re-parsed)."""
        block = self.node.body
        assert isinstance(block, cst.IndentedBlock)
        body = [child.rules_node() for child in self.children]
        self.node = self.node.with_changes(body=block.with_changes(body=body))
        self.cache.clear()


Top = Leaf | Split


def is_splittable_shape(node: cst.BaseStatement) -> bool:
    """Tell whether a statement is of a kind whose body may be split (size aside).

    Args:
        node: A top-level statement.

    Returns:
        True for a class, function, ``with``, or loop/``if`` without ``else``.
    """
    return isinstance(node, _SPLITTABLE) and getattr(node, "orelse", None) is None


def is_splittable(node: cst.BaseStatement) -> bool:
    """Tell whether a statement's body may be split into leaves.

    Args:
        node: A top-level statement.

    Returns:
        True for a class, function, ``with``, or loop/``if`` without ``else``.
    """
    if not isinstance(node, _SPLITTABLE):
        return False
    if getattr(node, "orelse", None) is not None:
        return False
    return isinstance(node.body, cst.IndentedBlock) and len(node.body.body) >= 2


def body_indent(node: cst.BaseCompoundStatement, module: cst.Module) -> str:
    """Return the indentation of a top-level compound statement's body.

    Args:
        node: The statement.
        module: The module (for its default indentation).

    Returns:
        The indentation string.
    """
    block = node.body
    indent = block.indent if isinstance(block, cst.IndentedBlock) else None
    return module.default_indent if indent is None else indent


def line_count(node: cst.CSTNode, module: cst.Module) -> int:
    """Count the lines a statement owns (leading lines included).

    Args:
        node: A statement.
        module: A module with the document's code style.

    Returns:
        The number of lines.
    """
    return count_line_breaks(module.code_for_node(node))


def shell_of(node: cst.BaseCompoundStatement) -> cst.BaseCompoundStatement:
    """Return the statement with its body cut to one ``pass`` and no trailing comments.

    Args:
        node: A splittable statement.

    Returns:
        The shell (a new node that shares every field but the body).
    """
    block = node.body
    assert isinstance(block, cst.IndentedBlock)
    return node.with_changes(body=block.with_changes(body=[placeholder()], footer=()))


def make_split(
    node: cst.BaseCompoundStatement, module: cst.Module, pre: int = 0, post: int = 0
) -> Split:
    """Cut a compound statement into a head leaf and one leaf per body statement.

    Args:
        node: A splittable statement.
        module: A module with the document's code style.
        pre: Module header lines that precede it (first statement only).
        post: Module footer lines that follow it (last statement only).

    Returns:
        The split (leaf texts are filled in by the caller).
    """
    block = node.body
    assert isinstance(block, cst.IndentedBlock)
    head = Leaf(HEAD, line_count(shell_of(node), module) - 1 + pre, pre=pre)
    split = Split(node, head, [])
    head.owner = split
    for child in block.body:
        split.children.append(Leaf(CHILD, line_count(child, module), node=child, owner=split))
    last = split.children[-1]
    last.lines += len(block.footer) + post
    last.post = post
    return split


def flatten(tops: list[Top]) -> list[Leaf]:
    """Return every leaf in text order.

    Args:
        tops: Top-level statements (leaves and splits).

    Returns:
        The leaves.
    """
    leaves: list[Leaf] = []
    for top in tops:
        if isinstance(top, Split):
            leaves.append(top.head)
            leaves.extend(top.children)
        else:
            leaves.append(top)
    return leaves


def top_node(top: Top) -> cst.BaseStatement:
    """Return the node a top-level statement contributes to the rules' module.

    Args:
        top: A leaf or a split.

    Returns:
        The statement, or a stand-in for a broken one.
    """
    return top.node if isinstance(top, Split) else top.rules_node()

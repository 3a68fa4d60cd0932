"""The per-module context shared by every rule during one check."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

import libcst as cst

from precepts.facts import ModuleFacts, compute_facts
from precepts.findings import Position, Range
from precepts.positions import PositionResolver, Positions
from precepts.text import LineIndex
from precepts.versions import NEWEST, PythonVersion

T = TypeVar("T")

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")


def is_test_path(path: str) -> bool:
    """Tell whether a path looks like a test module (``tests/``, ``test_*.py``, ``conftest.py``).

    Args:
        path: A file path, any separator.

    Returns:
        True for test code.
    """
    return bool(_TEST_PATH.search(path.replace("\\", "/")))


class RuleContext:
    """What rules may ask about the module being checked.

    Attributes:
        path: The file's path as given to the engine.
        text: The source text.
        module: The libcst module.
        ast_module: The ``ast`` tree of the same text (for radon and cheap queries).
        ancestors: The nodes above the one being visited (maintained by the walker).
        current_statement: Index of the top-level statement being walked.
        replaying: True while the walker replays the class around a statement that is
            walked on its own (the class's ``visit_ClassDef`` runs again): record nothing
            there that the class's own walk records (its name, its binding).
        metadata: Resolved libcst metadata, for rules that declare dependencies.
    """

    def __init__(
        self,
        path: str,
        text: str,
        module: cst.Module,
        ast_module: ast.Module | Callable[[], ast.Module | None] | None,
        positions: Positions | None = None,
        facts: ModuleFacts | None = None,
        target_version: PythonVersion = NEWEST,
    ) -> None:
        """Create the context.

        Args:
            path: The file's path.
            text: Its text.
            module: The parsed libcst module.
            ast_module: The parsed ``ast`` module, or a function that parses it on first
                use (the language server parses it only when a rule asks).
            positions: A resolver to share (one is made when omitted).
            facts: Module facts already computed (computed on first use when omitted).
            target_version: The Python the project targets: rules whose advice depends
                on syntax (``X | None`` or ``Optional[X]``) read it here.
        """
        self.path = path
        self.text = text
        self.module = module
        self._ast_module = ast_module
        self.target_version = target_version
        self.ancestors: list[cst.CSTNode] = []
        self.current_node: cst.CSTNode | None = None  # the node whose handlers are running
        self.current_statement = -1
        self.replaying = False
        self.metadata: dict[Any, Any] = {}
        self.paths: dict[int, tuple[cst.CSTNode, ...]] = {}
        self._memos: dict[Hashable, Any] = {}
        self.positions: Positions = positions or PositionResolver(
            module, self.paths, lambda: self.ast_tree, lambda line: self.lines.line_text(line)
        )
        if facts is not None:
            self.__dict__["facts"] = facts

    @property
    def ast_tree(self) -> ast.Module | None:
        """CPython's ``ast`` tree of the text, or None when the interpreter cannot parse it.

        None means syntax newer than the running interpreter (see :mod:`precepts.syntax`).
        """
        if callable(self._ast_module):
            self._ast_module = self._ast_module()
        return self._ast_module

    @property
    def ast_module(self) -> ast.Module:
        """The ``ast`` tree of the same text (parsed on first use when given lazily).

        Empty when the running interpreter cannot parse the text: a rule must not depend
        on it for its findings (use the libcst tree), only for shortcuts.
        """
        tree = self.ast_tree
        return tree if tree is not None else ast.Module(body=[], type_ignores=[])

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return what rules share about this check under ``key``, made on first use.

        Helpers shared by several rules (bindings, routes, claims) keep their per-check
        answers here, so they live exactly as long as the check. A module-level
        ``WeakKeyDictionary`` keyed by the context would leak whenever its value refers
        back to the context (the value keeps the key alive); this cannot.

        Args:
            key: The helper's key (its own class or module-level constant).
            make: Builds the value the first time.

        Returns:
            The shared value.
        """
        try:
            return self._memos[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memos[key] = make()
            return value

    def module_query(self, query: Callable[..., T], *args: Hashable) -> T:
        """Answer a question about the whole module, ``query(context, *args)``, once per check.

        Use it instead of walking ``module.body`` from a rule (the import a fix extends,
        the module's Pydantic classes): the language server then re-checks the statement
        only when the *answer* changes, not whenever any other statement does.

        Args:
            query: A module-level function of this context (and ``args``) that only reads
                the module, its facts and the cross-file service.
            args: Its other arguments (hashable).

        Returns:
            The answer.
        """
        return self.memo((query, args), lambda: query(self, *args))

    @cached_property
    def facts(self) -> ModuleFacts:
        """Module facts (imports, models, apps, loggers), computed on first use."""
        return compute_facts(self.module)

    @cached_property
    def lines(self) -> LineIndex:
        """The text's line index, built on first use."""
        return LineIndex(self.text)

    @cached_property
    def is_test(self) -> bool:
        """True when the module is test code."""
        return is_test_path(self.path)

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited (inside ``visit_*``/``leave_*``)."""
        return self.ancestors[-1] if self.ancestors else None

    def range_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Range:
        """Return a node's range (computed lazily, statement by statement).

        Args:
            node: A node of the module.
            path: Nodes from the module down to (or above) ``node``, when the rule kept
                them (see :meth:`walker_path`); by default the walker's current path.

        Returns:
            Its range.
        """
        if isinstance(self.positions, PositionResolver):
            return self.positions.range_of(node, self.current_statement, self._path_to(node, path))
        return self.positions.range_of(node, self.current_statement)

    def start_of(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None = None) -> Position:
        """Return where a node starts: cheaper than :meth:`range_of` for long statements.

        Args:
            node: A node of the module.
            path: As for :meth:`range_of`.

        Returns:
            Its start.
        """
        if isinstance(self.positions, PositionResolver):
            return self.positions.start_of(node, self.current_statement, self._path_to(node, path))
        return self.positions.range_of(node, self.current_statement).start

    def _path_to(
        self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...] | None
    ) -> tuple[cst.CSTNode, ...] | None:
        """Pick the best known path to a node: given, kept by a rule, or the walker's."""
        if path is None:
            path = self.paths.get(id(node))
        if path is None and self.ancestors:
            # During a visit the walker's stack leads to (or above) the node.
            path = self.walker_path()
        return path

    def block_start(self, block: cst.IndentedBlock) -> Position:
        """Return where the first statement of ``block`` starts, its decorators included.

        Rules that insert before a body's first statement (a docstring, say) need only
        this start; when ``block`` belongs to the node being visited it is found without
        rendering the block.

        Args:
            block: A body.

        Returns:
            The start of its first statement (or of that statement's first decorator).
        """
        first = block.body[0]
        path = self.walker_path()
        if path and getattr(path[-1], "body", None) is block:
            path = (*path, block)
        decorators = getattr(first, "decorators", ())
        if decorators:
            return self.range_of(decorators[0], (*path, first) if path else None).start
        return self.start_of(first, path or None)

    def walker_path(self) -> tuple[cst.CSTNode, ...]:
        """Return the nodes from the module down to the one whose handlers are running.

        Returns:
            The path (empty outside a traversal).
        """
        if self.current_node is None or not self.ancestors:
            return tuple(self.ancestors)
        return (*self.ancestors, self.current_node)

    def code_for(self, node: cst.CSTNode) -> str:
        """Render a node with the module's indentation and newline conventions.

        Args:
            node: Any node.

        Returns:
            Its source code.
        """
        return self.module.code_for_node(node)

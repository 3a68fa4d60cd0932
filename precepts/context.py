"""The per-module context shared by every rule during one check."""

from __future__ import annotations

import ast
import re
from functools import cached_property
from typing import Any

import libcst as cst

from precepts.facts import ModuleFacts, compute_facts
from precepts.findings import Range
from precepts.positions import PositionResolver
from precepts.text import LineIndex

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
        metadata: Resolved libcst metadata, for rules that declare dependencies.
    """

    def __init__(
        self,
        path: str,
        text: str,
        module: cst.Module,
        ast_module: ast.Module,
        positions: PositionResolver | None = None,
    ) -> None:
        """Create the context.

        Args:
            path: The file's path.
            text: Its text.
            module: The parsed libcst module.
            ast_module: The parsed ``ast`` module.
            positions: A resolver to share (one is made when omitted).
        """
        self.path = path
        self.text = text
        self.module = module
        self.ast_module = ast_module
        self.ancestors: list[cst.CSTNode] = []
        self.current_statement = -1
        self.metadata: dict[Any, Any] = {}
        self.positions = positions or PositionResolver(module)

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

    def range_of(self, node: cst.CSTNode) -> Range:
        """Return a node's range (computed lazily, statement by statement).

        Args:
            node: A node of the module.

        Returns:
            Its range.
        """
        return self.positions.range_of(node, self.current_statement)

    def code_for(self, node: cst.CSTNode) -> str:
        """Render a node with the module's indentation and newline conventions.

        Args:
            node: Any node.

        Returns:
            Its source code.
        """
        return self.module.code_for_node(node)

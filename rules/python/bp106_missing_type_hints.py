"""BP106 missing-type-hints: a parameter or return value without an annotation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from precepts.findings import Position, Range, TextEdit
from precepts.rule import Example, Option, Related

from ._google_docstrings import (
    BodyFacts,
    FunctionBodyRule,
    decorator_names,
    explicit_params,
    is_method,
    is_stub,
    param_label,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext

# unittest / pytest xunit-style set-up and tear-down methods of test classes.
_TEST_HOOKS = frozenset(
    {
        "setUp",
        "tearDown",
        "setUpClass",
        "tearDownClass",
        "asyncSetUp",
        "asyncTearDown",
        "setup_method",
        "teardown_method",
        "setup_class",
        "teardown_class",
        "setup_function",
        "teardown_function",
        "setup_module",
        "teardown_module",
    }
)
# Stubs whose return type is a decision for the author, not something to infer.
_NO_INFERENCE = frozenset({"abstractmethod", "overload"})


class MissingTypeHints(FunctionBodyRule):
    """Flags parameters and returns without annotations."""

    code = "BP106"
    name = "missing-type-hints"
    family = "python"
    section = "Type Hints (Required)"
    message = "Missing type hints"
    summary = (
        "A function or method (async included) with a parameter, `*args` or `**kwargs` "
        "that has no annotation, or with no return annotation. Parameters are reported "
        "together on the function's name (with each one as a related location); the "
        "return is reported separately, so its fix clears its own finding."
    )
    why = (
        "The standard requires complete annotations: they are the checked part of a "
        "function's contract. Type checkers treat an unannotated parameter as `Any`, so "
        "every mistake that flows through it goes unnoticed, and the editor cannot "
        "complete or navigate from it."
    )
    leaves_alone = (
        "The first parameter of a method (`self`, `cls`) unless it is a `@staticmethod`; "
        "the return of `__init__`; lambdas; with `ignore-tests` (the default), test "
        "functions (`test*` in test files), set-up/tear-down methods, pytest fixtures "
        "(`@pytest.fixture`, `@fixture`) and functions defined inside them (inline fakes)."
    )
    fix_description = (
        "Adds `-> None` to a function with no `return <value>` in its own body that is not "
        "a generator, not a stub (`...`, `pass`, `raise NotImplementedError`) and not "
        "`@abstractmethod`/`@overload`. Missing parameter annotations are not guessed."
    )
    options = {
        "ignore-tests": Option(True, "Leave test functions and pytest fixtures alone."),
    }
    bad = (
        Example(
            "def reset_counters(counters: dict[str, int]):\n"
            '    """Set every counter back to zero."""\n'
            "    for key in counters:\n"
            "        counters[key] = 0\n",
            line=1,
            fixed="def reset_counters(counters: dict[str, int]) -> None:\n"
            '    """Set every counter back to zero."""\n'
            "    for key in counters:\n"
            "        counters[key] = 0\n",
        ),
        Example(
            "def store_discount(prices: dict[str, float], sku, rate):\n"
            '    """Store a discounted price."""\n'
            "    prices[sku] = prices[sku] * (1 - rate)\n",
            line=1,
            fixed="def store_discount(prices: dict[str, float], sku, rate) -> None:\n"
            '    """Store a discounted price."""\n'
            "    prices[sku] = prices[sku] * (1 - rate)\n",
        ),
    )
    good = (
        Example(
            "def reset_counters(counters: dict[str, int]) -> None:\n"
            '    """Set every counter back to zero."""\n'
            "    for key in counters:\n"
            "        counters[key] = 0\n"
        ),
        Example(
            "class Cart:\n"
            '    """A shopping cart.\n'
            "\n"
            "    Args:\n"
            "        owner: Who fills the cart.\n"
            '    """\n'
            "\n"
            "    def __init__(self, owner: str):\n"
            "        self.owner = owner\n"
            "\n"
            "    @classmethod\n"
            '    def empty(cls) -> "Cart":\n'
            '        """Create a cart nobody owns yet."""\n'
            '        return cls("")\n'
        ),
        Example(
            "import pytest\n"
            "\n"
            "\n"
            "@pytest.fixture\n"
            "def prices():\n"
            '    return {"apple": 1.0}\n'
            "\n"
            "\n"
            "def test_prices(prices):\n"
            '    assert prices["apple"] == 1.0\n',
            path="tests/test_prices.py",
        ),
    )

    def check_function(self, node: cst.FunctionDef, facts: BodyFacts) -> None:
        """Report unannotated parameters and a missing return annotation."""
        if self.option("ignore-tests") and self._in_test(node):
            return
        method = is_method(node, self.context.ancestors)
        bare = [p for p in explicit_params(node, method) if p.annotation is None]
        name = node.name.value
        if bare:
            labels = ", ".join(f"`{param_label(p)}`" for p in bare)
            noun = "parameter" if len(bare) == 1 else "parameters"
            self.report(
                node.name,
                f"Missing type hints on {noun} {labels} of `{name}`",
                related=[Related(p.name, "no annotation") for p in bare],
            )
        if node.returns is None and not (method and name == "__init__"):
            fix = None
            if _returns_none(node, facts):
                fix = self.fix("Add `-> None`", self._return_edit(node))
            self.report(node.name, f"Missing return type hint on `{name}`", fix=fix)

    def _in_test(self, node: cst.FunctionDef) -> bool:
        # A test, a fixture, or a function defined inside one (an inline fake).
        enclosing = [a for a in self.context.ancestors if isinstance(a, cst.FunctionDef)]
        return any(self._is_test_function(function) for function in (node, *enclosing))

    def _is_test_function(self, node: cst.FunctionDef) -> bool:
        decorators = {d.rsplit(".", 1)[-1] for d in decorator_names(node)}
        if "fixture" in decorators:
            return True
        name = node.name.value
        return self.context.is_test and (name.startswith("test") or name in _TEST_HOOKS)

    def _return_edit(self, node: cst.FunctionDef) -> TextEdit:
        # ``-> None`` goes right after the closing parenthesis, which is found from the
        # colon: the body tells where the header ends.
        colon = _colon_position(node, self.context)
        before = len(node.whitespace_before_colon.value)
        where = Position(colon.line, colon.column - before)
        return TextEdit(Range(where, where), " -> None")


def _returns_none(node: cst.FunctionDef, facts: BodyFacts) -> bool:
    if facts.returns_value or facts.yields or is_stub(node.body):
        return False
    decorators = {d.rsplit(".", 1)[-1] for d in decorator_names(node)}
    return not decorators & _NO_INFERENCE


def _colon_position(node: cst.FunctionDef, context: RuleContext) -> Position:
    body = node.body
    if isinstance(body, cst.SimpleStatementSuite):
        start = context.range_of(body.body[0]).start
        return Position(start.line, start.column - len(body.leading_whitespace.value) - 1)
    assert isinstance(body, cst.IndentedBlock)  # the only other kind of suite
    first = body.body[0]
    start = context.block_start(body)
    line = start.line - len(getattr(first, "leading_lines", ())) - 1
    text = context.lines.line_text(line)
    header = body.header
    trailing = header.whitespace.value + (header.comment.value if header.comment else "")
    return Position(line, len(text) - len(trailing) - 1)

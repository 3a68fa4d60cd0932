"""BP801 test-without-assertion: a test that checks nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range
from precepts.rule import Example, Option, Rule, joined_parts
from precepts.rules.testing._tests import collects_tests, is_test_function

# Calls that check by raising: pytest's context managers and explicit failures.
_CHECKING_CALLS = frozenset(
    {"pytest.raises", "pytest.warns", "pytest.deprecated_call", "pytest.fail", "pytest.xfail"}
)
# The nose-style assertion functions of sqlalchemy.testing (alembic and SQLAlchemy's own
# suites) and nose.tools. Counted only when called by their bare name: as methods,
# `in_`/`is_` build SQL (`User.id.in_(ids)`), they check nothing.
_NOSE_STYLE = frozenset(
    {
        "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "is_", "is_not", "is_not_", "in_",
        "not_in", "not_in_", "is_true", "is_false", "is_none", "is_not_none",
        "startswith_", "ok_",
    }
)  # fmt: skip
# Decorators that always skip a test.
_SKIPS = frozenset({"pytest.mark.skip", "unittest.skip"})
# A flexmock expectation (`flexmock(x).should_receive("f").once()`) is verified when the
# test ends: the call count is the test's assertion.
_EXPECTATIONS = frozenset({"once", "twice", "times", "never", "at_least", "at_most"})


@dataclass(frozen=True)
class _Function:
    """What BP801 remembers of a top-level function or a method.

    Attributes:
        name: Its name.
        method: True for a method (``self.name(...)`` calls reach it).
        test: True when it is a collected test.
        asserts: True when its body asserts, directly or in nested code.
        calls: Functions it calls by plain name, and ``self.<name>`` for methods.
        where: Its name node (where a finding sits).
    """

    name: str
    method: bool
    test: bool
    asserts: bool
    calls: frozenset[str]
    where: cst.Name


@dataclass
class _Frame:
    node: cst.FunctionDef
    method: bool
    test: bool
    asserts: bool = False
    calls: set[str] | None = None


class TestWithoutAssertion(Rule):
    """Flags tests whose body never asserts, raises, or calls an assertion helper."""

    code = "BP801"
    name = "test-without-assertion"
    family = "testing"
    section = "Mocking Best Practices, Unit Test Structure"
    message = "This test asserts nothing: it passes whatever the code does"
    summary = (
        "A test (a `test*` function of a test module, or such a method of a `Test*` class or "
        "a `TestCase`) whose body has no `assert`, no `raise`, no "
        "`pytest.raises`/`pytest.warns`/`pytest.fail`, and calls no assertion: a mock's "
        "`assert_*` method, `self.assert*`, or a helper named like one (`assertion-helpers`: "
        "`assert*`, `check_*`, `verify_*`, `expect`...), the nose-style functions of "
        "`sqlalchemy.testing` and `nose.tools` called by name (`eq_`, `is_`, `in_`, "
        "`ok_`...), or a flexmock expectation with a count (`.should_receive(...).once()`). A"
        " helper of the same module (a function, or a method called through `self`) counts "
        "when it asserts itself; so do a call that runs another test (`module.test_create()`)"
        " and `subprocess.run(..., check=True)`. Test modules are those pytest collects: "
        "`test_*.py`, `*_test.py` (and unittest's `test*.py`)."
    )
    why = (
        "A test without an assertion only proves the code did not raise. It stays green "
        "when the result is wrong, so it gives coverage without protection, and the "
        "coverage floor then measures code nobody checks."
    )
    leaves_alone = (
        "Fixtures (`@pytest.fixture`), even named `test_*`; `conftest.py`; functions "
        "nested in a test; code outside test modules; tests that call a helper of the same "
        "module that asserts, or a helper whose name says it checks (`assert_valid(...)`, "
        "`check_response(...)`, `verify_schema(...)`), wherever it is defined; tests "
        "that are always skipped (`@pytest.mark.skip`, `@unittest.skip`): a placeholder "
        "that never runs covers nothing."
    )
    options = {
        "assertion-helpers": Option(
            ["assert*", "check_*", "verify", "verify_*", "expect", "expect_*"],
            "Name patterns (fnmatch, leading underscores ignored) of calls that assert.",
        )
    }
    bad = (
        Example(
            "from app.orders import create_order\n"
            "\n"
            "\n"
            "def test_create_order() -> None:\n"
            '    """An order can be created."""\n'
            "    create_order(customer_id=7, total=120)\n",
            line=4,
            path="tests/test_orders.py",
        ),
        Example(
            "from unittest import TestCase\n"
            "\n"
            "from app.orders import create_order\n"
            "\n"
            "\n"
            "class OrderTests(TestCase):\n"
            '    """Orders."""\n'
            "\n"
            "    def test_create(self) -> None:\n"
            '        """An order can be created."""\n'
            "        self.order = create_order(customer_id=7, total=120)\n",
            line=9,
            path="tests/test_orders.py",
        ),
    )
    good = (
        Example(
            "import pytest\n"
            "\n"
            "from app.orders import OrderError, create_order\n"
            "\n"
            "\n"
            "def test_create_order() -> None:\n"
            '    """An order keeps its total."""\n'
            "    order = create_order(customer_id=7, total=120)\n"
            "    assert order.total == 120\n"
            "\n"
            "\n"
            "def test_negative_total_is_refused() -> None:\n"
            '    """A negative total is refused."""\n'
            "    with pytest.raises(OrderError):\n"
            "        create_order(customer_id=7, total=-1)\n",
            path="tests/test_orders.py",
        ),
        Example(
            "from unittest.mock import patch\n"
            "\n"
            "from app.orders import Order, create_order\n"
            "\n"
            "\n"
            "def _expect_total(order: Order, total: int) -> None:\n"
            '    """Check an order\'s total."""\n'
            "    assert order.total == total\n"
            "\n"
            "\n"
            "def test_total() -> None:\n"
            '    """An order keeps its total."""\n'
            "    _expect_total(create_order(customer_id=7, total=120), 120)\n"
            "\n"
            "\n"
            "def test_confirmation_is_mailed() -> None:\n"
            '    """Creating an order mails the customer."""\n'
            '    with patch("app.orders.send_mail") as send_mail:\n'
            "        create_order(customer_id=7, total=120)\n"
            "    send_mail.assert_called_once()\n",
            path="tests/test_orders.py",
        ),
    )
    scope = "module"
    summary_parts = True

    def setup(self) -> None:
        """Start a statement with no function open."""
        self._active = collects_tests(self.context)
        self._classes: list[cst.ClassDef] = []
        self._frames: list[_Frame] = []
        self._seen: list[_Function] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Enter a class (its methods may be tests)."""
        self._classes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        """Leave a class."""
        if self._classes and self._classes[-1] is original_node:
            self._classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Open a function: a test, a helper, or code nested in one."""
        if not self._active:
            return
        if self._frames:  # nested code counts for the function around it
            return
        method = bool(self._classes)
        test = is_test_function(node, self._classes, False, self.context.facts)
        test = test and not self._skipped(node)
        if not method or len(self._classes) == 1:
            self._frames.append(_Frame(node, method, test, calls=set()))

    def _skipped(self, node: cst.FunctionDef) -> bool:
        """Tell whether a test is always skipped (a placeholder never run proves nothing)."""
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            name = self.context.facts.qualify(target) or dotted_name(target) or ""
            if name in _SKIPS:
                return True
        return False

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        """Close a function and remember what it does."""
        if not self._frames or self._frames[-1].node is not original_node:
            return
        frame = self._frames.pop()
        self._seen.append(
            _Function(
                original_node.name.value,
                frame.method,
                frame.test,
                frame.asserts,
                frozenset(frame.calls or ()),
                original_node.name,
            )
        )

    def visit_Assert(self, node: cst.Assert) -> None:
        """An ``assert`` checks."""
        if self._frames:
            self._frames[-1].asserts = True

    def visit_Raise(self, node: cst.Raise) -> None:
        """A ``raise`` fails the test on purpose (a bare re-raise does not count)."""
        if self._frames and node.exc is not None:
            self._frames[-1].asserts = True

    def visit_Call(self, node: cst.Call) -> None:
        """Note an assertion call, or a call to a helper that may assert."""
        if not self._frames:
            return
        frame = self._frames[-1]
        if frame.asserts:
            return
        if self._checks(node):
            frame.asserts = True
            return
        called = dotted_name(node.func)
        if called is None:
            return
        head, _, rest = called.partition(".")
        if not rest:
            frame.calls.add(head)  # type: ignore[union-attr]
        elif head in {"self", "cls"} and "." not in rest:
            frame.calls.add(f"self.{rest}")  # type: ignore[union-attr]

    def _checks(self, node: cst.Call) -> bool:
        qualified = self.context.facts.call_name(node)
        if qualified in _CHECKING_CALLS:
            return True
        func = node.func
        if isinstance(func, cst.Attribute):
            last = func.attr.value
        elif isinstance(func, cst.Name):
            last = func.value
        else:
            return False
        if last == "fail" and (dotted_name(func) or "").startswith("self."):
            return True
        if isinstance(func, cst.Name) and last in _NOSE_STYLE:
            return True
        if last in _EXPECTATIONS and _is_expectation(func):
            return True
        if last.startswith("test") and last != "test":
            return True  # runs another test (``module.test_create()``), which asserts
        if any(_is_true(arg) for arg in node.args if arg.keyword and arg.keyword.value == "check"):
            return True  # ``subprocess.run(..., check=True)`` raises on failure
        bare = last.lstrip("_")
        return any(fnmatchcase(bare, pattern) for pattern in self.option("assertion-helpers"))

    def end_statement(self) -> tuple[_Function, ...] | None:
        """Return the functions of the statement, and forget them.

        Returns:
            The summary, or None when it holds no function.
        """
        seen = tuple(self._seen)
        self._seen = []
        self._frames = []
        return seen or None

    @classmethod
    def combine(cls, parts: Sequence[tuple[_Function, ...] | None]) -> tuple[_Function, ...] | None:
        """Every part's functions, in order (a method is a part of its class).

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        return joined_parts(parts)

    def finish(self, summaries: Sequence[tuple[_Function, ...] | None]) -> None:
        """Report the tests that neither assert nor reach a helper that asserts.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        functions = [(index, f) for index, s in enumerate(summaries) if s for f in s]
        asserting = _asserting_keys([f for _, f in functions])
        for index, function in functions:
            if not function.test or function.asserts:
                continue
            if function.calls & asserting:
                continue
            self.report(self._range(function.where, index))

    def _range(self, node: cst.Name, index: int) -> Range:
        positions = self.context.positions
        try:
            return positions.range_of(node, index)
        except KeyError:
            line = positions.first_line(index)
            return Range.of(line, 0, line, 0)


def _is_expectation(func: cst.BaseExpression) -> bool:
    """Tell whether ``func`` ends a chain that starts with ``.should_receive(...)``."""
    node = func
    while isinstance(node, cst.Attribute) and isinstance(node.value, cst.Call):
        inner = node.value.func
        if isinstance(inner, cst.Attribute) and inner.attr.value in {
            "should_receive",
            "should_call",
        }:
            return True
        node = inner
    return False


def _is_true(arg: cst.Arg) -> bool:
    return isinstance(arg.value, cst.Name) and arg.value.value == "True"


def _key(function: _Function) -> str:
    return f"self.{function.name}" if function.method else function.name


def _asserting_keys(functions: list[_Function]) -> frozenset[str]:
    """Return the call keys (``name``, ``self.name``) of functions that assert, transitively."""
    asserting = {_key(f) for f in functions if f.asserts}
    pending = [f for f in functions if not f.asserts]
    changed = True
    while changed:
        changed = False
        for function in pending:
            key = _key(function)
            if key not in asserting and function.calls & asserting:
                asserting.add(key)
                changed = True
    return frozenset(asserting)

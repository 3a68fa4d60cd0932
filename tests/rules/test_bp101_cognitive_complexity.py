"""BP101 cognitive-complexity: hand-computed scores, increments, option and metrics."""

from __future__ import annotations

import sys
import textwrap

import libcst as cst
import pytest

from precepts.rules.python.bp101_cognitive_complexity import function_metrics
from tests.helpers import check


def _function(module: cst.Module, name: str) -> cst.FunctionDef:
    pending: list[cst.CSTNode] = list(module.body)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.FunctionDef) and node.name.value == name:
            return node
        if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
            pending.extend(node.body.body)
    raise LookupError(name)


def score(source: str, name: str = "f") -> int:
    module = cst.parse_module(textwrap.dedent(source))
    return function_metrics(_function(module, name), module).cognitive


def findings(source: str, limit: int = 0):
    result = check(
        textwrap.dedent(source), select=["BP101"], options={"BP101": {"max-complexity": limit}}
    )
    assert not result.errors, [e.trace for e in result.errors]
    return result.findings


# ---------------------------------------------------------------- hand-computed scores


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("def f():\n    return 1\n", 0, id="straight-line"),
        pytest.param(
            # The white paper's sumOfPrimes without Java's labelled `continue`: 1 + 2 + 3.
            """
            def f(maximum):
                total = 0
                for i in range(1, maximum + 1):
                    for j in range(2, i):
                        if i % j == 0:
                            break
                    total += i
                return total
            """,
            6,
            id="white-paper-sum-of-primes",
        ),
        pytest.param(
            # The white paper's getWords: a whole switch costs 1.
            """
            def f(number):
                match number:
                    case 1:
                        return "one"
                    case 2:
                        return "a couple"
                    case _:
                        return "lots"
            """,
            1,
            id="white-paper-get-words-match",
        ),
        pytest.param(
            """
            def f(a, b):
                if a:            # +1
                    if b:        # +2 (nesting 1)
                        for x in a:   # +3 (nesting 2)
                            while x:  # +4 (nesting 3)
                                pass
            """,
            10,
            id="nesting",
        ),
        pytest.param(
            """
            def f(a, b):
                if a:        # +1
                    pass
                elif b:      # +1, flat
                    pass
                elif a:      # +1, flat
                    pass
                else:        # +1, flat
                    pass
            """,
            4,
            id="elif-else-flat",
        ),
        pytest.param(
            """
            def f(a, b):
                for x in a:       # +1
                    if x:         # +2 (nesting 1)
                        pass
                    elif b:       # +1
                        if x:     # +3 (nesting 2): elif bodies nest like if bodies
                            pass
                    else:         # +1
                        pass
            """,
            8,
            id="nesting-inside-elif-and-else",
        ),
        pytest.param("def f(a, b, c, d):\n    return a and b and c or d\n", 2, id="and-and-or"),
        pytest.param("def f(a, b, c):\n    return a and b and c\n", 1, id="one-sequence"),
        pytest.param("def f(a, b, c, d):\n    return a and b or c and d\n", 3, id="and-or-and"),
        pytest.param("def f(a, b, c):\n    return a and (b and c)\n", 1, id="parens-keep-chain"),
        pytest.param("def f(a, b, c):\n    return a and not (b and c)\n", 2, id="not-breaks"),
        pytest.param(
            """
            def f(a, b):
                x = 1 if a else 2          # +1
                if a:                      # +1
                    y = 1 if b else 2      # +2 (nesting 1)
                return 3 if (4 if a else 5) else 6   # +1, inner +2 (nesting 1)
            """,
            7,
            id="ternaries",
        ),
        pytest.param(
            """
            def f(items):
                def key(item):
                    if item:               # +2 (nesting 1): nested def
                        return 1
                    return 0
                return sorted(items, key=lambda i: 1 if i else 0)   # +2 (nesting 1)
            """,
            4,
            id="nested-def-and-lambda-add-to-outer",
        ),
        pytest.param(
            """
            def f(n):
                if n <= 1:        # +1
                    return 1
                return n * f(n - 1)   # +1 recursion
            """,
            2,
            id="recursion",
        ),
        pytest.param(
            """
            def f(a):
                try:
                    with a:
                        if a:           # +1: try and with do not nest
                            pass
                except ValueError:      # +1
                    if a:               # +2 (nesting 1)
                        pass
                except KeyError:        # +1
                    pass
                else:                   # +1
                    pass
                finally:
                    if a:               # +1: finally does not nest
                        pass
            """,
            7,
            id="try-finally-with",
        ),
        pytest.param(
            """
            def f(a):
                for x in a:      # +1
                    pass
                else:            # +1
                    pass
                while a:         # +1
                    break
                else:            # +1
                    pass
            """,
            4,
            id="loop-else",
        ),
        pytest.param(
            """
            async def f(a):
                async for x in a:     # +1
                    if x:             # +2
                        pass
            """,
            3,
            id="async-for",
        ),
        pytest.param(
            """
            def f(a):
                return [x for x in a if x if x > 1]
            """,
            0,
            id="comprehension-adds-nothing",
        ),
        pytest.param(
            """
            def f(a):
                return [x for x in a if x and x > 1 or not x]   # +2: boolean sequences
            """,
            2,
            id="comprehension-booleans",
        ),
        pytest.param(
            """
            def f(a):
                if a:                      # +1
                    class Inner:
                        def m(self):
                            if a:          # +1: the class resets nesting
                                pass
            """,
            2,
            id="class-resets-nesting-inside-function",
        ),
        pytest.param(
            """
            def f(a):
                match a:               # +1
                    case 1:
                        if a:          # +2 (nesting 1)
                            pass
                    case _ if a and a:   # +1 sequence
                        pass
            """,
            4,
            id="match-case-nests",
        ),
        pytest.param(
            "def f(a):\n    if a: return 1\n    if a: return (1 if a else 2)\n",
            4,
            id="one-line-blocks",
        ),
    ],
)
def test_scores(source: str, expected: int):
    assert score(source) == expected


def test_methods_are_scored_alone_and_class_resets_nesting():
    source = """
    class Service:
        def a(self, x):
            if x:                 # +1
                return self.a(x)  # +1 recursion through self
            return 0

        @classmethod
        def b(cls, x):
            return cls.b(x) if x else 0   # +1 ternary, +1 recursion

        def c(self, x):
            return c(x)           # a module function, not recursion
    """
    assert score(source, "a") == 2
    assert score(source, "b") == 2
    assert score(source, "c") == 0


def test_calling_another_function_is_not_recursion():
    assert score("def f(g):\n    return g(1)\n") == 0
    assert score("def f(x):\n    return x.f(1)\n") == 0


# ---------------------------------------------------------------- the rule's reports


def test_only_outermost_functions_and_methods_are_reported():
    source = """
    def outer(a):
        def inner(b):
            if b:
                pass
        return inner

    class C:
        def method(self, a):
            if a:
                pass
    """
    reported = [f.message for f in findings(source)]
    assert reported == [
        "Cognitive complexity of `outer` is 2 (limit 0)",
        "Cognitive complexity of `method` is 1 (limit 0)",
    ]


def test_finding_sits_on_the_name_with_related_increments():
    source = """\
    def handle(a, b, c):
        if a and b or c:
            for x in a:
                if x:
                    pass
                else:
                    pass
        return 1 if a else 2
    """
    [finding] = findings(source, limit=3)
    assert finding.message == "Cognitive complexity of `handle` is 10 (limit 3)"
    start = finding.range.start
    assert (start.line, start.column, finding.range.end.column) == (0, 4, 10)
    related = [(r.range.start.line + 1, r.range.start.column, r.message) for r in finding.related]
    assert related == [
        (2, 4, "+1"),  # if
        (2, 9, "+1"),  # and
        (2, 15, "+1"),  # or
        (3, 8, "+2 (nesting 1)"),  # for
        (4, 12, "+3 (nesting 2)"),  # if
        (6, 12, "+1"),  # else
        (8, 13, "+1"),  # the `if` of the ternary
    ]
    widths = [r.range.end.column - r.range.start.column for r in finding.related]
    assert widths == [2, 3, 2, 3, 2, 4, 2]


def test_ternary_keyword_after_parenthesized_body():
    [finding] = findings("def f(a):\n    return (a)  if a else 2\n")
    [related] = finding.related
    assert (related.range.start.column, related.range.end.column) == (16, 18)


def test_data_carries_the_metrics():
    source = """
    def handle(a):
        if a:
            if a:
                return 1
        return 0
    """
    [finding] = findings(source, limit=2)
    data = finding.data
    assert data["cognitive"] == 3 and data["limit"] == 2
    assert data["cyclomatic"] == 3
    assert isinstance(data["maintainability"], float) and 0 < data["maintainability"] <= 100
    assert data["maintainability_rank"] in {"A", "B", "C"}


def test_option_and_default_limit():
    body = "".join(f"    if a{i}:\n        pass\n" for i in range(16))
    params = ", ".join(f"a{i}" for i in range(16))
    source = f"def f({params}):\n{body}"
    assert [f.data["cognitive"] for f in check(source, select=["BP101"]).findings] == [16]
    assert not check(source, select=["BP101"], options={"BP101": {"max-complexity": 16}}).findings
    fifteen = source.replace("    if a15:\n        pass\n", "")
    assert not check(fifteen, select=["BP101"]).findings


def test_method_metrics_and_increments_for_the_hover():
    source = textwrap.dedent(
        """
        class C:
            def m(self, a):
                while a:
                    if a:
                        a = self.m(a)
                return a
        """
    )
    module = cst.parse_module(source)
    metrics = function_metrics(_function(module, "m"), module)
    assert metrics.name == "m"
    assert metrics.cognitive == 4
    assert [(i.keyword, i.label) for i in metrics.increments] == [
        ("while", "+1"),
        ("if", "+2 (nesting 1)"),
        ("recursion", "+1"),
    ]
    assert metrics.cyclomatic == 3
    assert metrics.maintainability_rank == "A"


def test_decorated_async_function_in_a_module_statement():
    source = """
    import functools

    if True:
        @functools.cache
        async def f(a):
            if a:
                pass
    """
    [finding] = findings(source)
    assert finding.message == "Cognitive complexity of `f` is 1 (limit 0)"
    assert finding.range.start.line == 5


def test_syntax_newer_than_the_interpreter_is_scored_without_radon():
    # A 3.12 f-string (the same quotes inside): libcst parses it on any interpreter, radon
    # only on 3.12+. alembic's tools/write_pyi.py made BP101 fail on 3.11 before.
    source = """
    def describe(lower, upper):
        if lower:
            if upper:
                return f"at least {".".join(str(x) for x in lower)}"
        return ""
    """
    [finding] = findings(source, limit=2)
    assert finding.data["cognitive"] == 3
    if sys.version_info >= (3, 12):
        assert finding.data["cyclomatic"] == 3
    else:
        assert finding.data["cyclomatic"] is None and finding.data["maintainability"] is None

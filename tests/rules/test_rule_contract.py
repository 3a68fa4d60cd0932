"""The rule format's contract: one setup hook, and edge cases tested but never shown."""

from __future__ import annotations

import json

import libcst as cst
import pytest

from precepts.findings import Finding, Range, Severity
from precepts.registry import all_rules
from precepts.rule import Example, Replace, Rule
from precepts.ruledocs import render_examples, render_rule_markdown, rule_as_dict
from precepts.server import hover
from tests.rules.examples import assert_fires, assert_fix, assert_silent

BUILTIN = [rule for rule in all_rules().values() if rule.__module__.startswith("precepts.rules.")]
MARKER = "edge_case_marker"


@pytest.mark.parametrize("rule", BUILTIN, ids=[rule.code for rule in BUILTIN])
def test_builtin_rule_sets_up_state_in_setup_not_init(rule: type[Rule]) -> None:
    owners = [k.__qualname__ for k in rule.__mro__ if k is not Rule and "__init__" in vars(k)]
    assert rule.__init__ is Rule.__init__, (
        f"{rule.code}: {', '.join(owners)} define __init__; override setup() instead"
    )


class _EqualsNone(Rule):
    """A throwaway rule: flags ``== None`` and fixes it to ``is None``."""

    code = "ZZ901"
    name = "equals-none"
    family = "test"
    section = "None"
    message = "Use `is None`"
    summary = "Flags `== None`."
    why = "To test the harness."
    fix_description = "Replaces `==` with `is`."
    bad = (Example("found = value == None\n", line=1, fixed="found = value is None\n"),)
    good = (Example("found = value is None\n"),)
    bad_cases = (f"{MARKER} == None", Example(f"x = 1\n{MARKER} == None\n", line=2))
    good_cases = (f"{MARKER} is None", f"{MARKER} == 0")

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """Flag a comparison whose only operator is ``==`` against ``None``."""
        (target,) = node.comparisons
        none = isinstance(target.comparator, cst.Name) and target.comparator.value == "None"
        if isinstance(target.operator, cst.Equal) and none:
            new = target.with_changes(
                operator=cst.Is(
                    whitespace_before=target.operator.whitespace_before,
                    whitespace_after=target.operator.whitespace_after,
                )
            )
            self.report(node, fix=self.fix("Use `is`", Replace(target, new)))


def test_string_cases_become_examples() -> None:
    bad = _EqualsNone.cases(bad=True)
    assert bad[0] == Example(f"{MARKER} == None\n", line=1)
    assert bad[1].line == 2
    assert [case.line for case in _EqualsNone.cases(bad=False)] == [None, None]


def test_right_cases_pass_the_harness() -> None:
    for case in _EqualsNone.cases(bad=True):
        assert_fires(_EqualsNone, case, alone=False)
        assert_fix(_EqualsNone, case, alone=False)
    for case in _EqualsNone.cases(bad=False):
        assert_silent(_EqualsNone, case, alone=False)


@pytest.mark.parametrize(
    "wrong",
    [
        Example("value is None\n", line=1),  # silent: not a ❌ case
        Example("x = 1\nvalue == None\n", line=1),  # fires, but on line 2
    ],
)
def test_harness_fails_on_a_wrong_bad_case(wrong: Example) -> None:
    with pytest.raises(AssertionError):
        assert_fires(_EqualsNone, wrong, alone=False)


def test_harness_fails_on_a_wrong_good_case() -> None:
    with pytest.raises(AssertionError):
        assert_silent(_EqualsNone, Example("value == None\n"), alone=False)


def test_harness_fails_on_a_wrong_fixed_text() -> None:
    wrong = Example("value == None\n", line=1, fixed="value is not None\n")
    with pytest.raises(AssertionError):
        assert_fix(_EqualsNone, wrong, alone=False)


def test_docs_and_hover_show_examples_not_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hover, "get_rule", lambda code: _EqualsNone)
    spot = Range.of(0, 0, 0, 5)
    rule = _EqualsNone
    finding = Finding(rule.code, rule.name, rule.message, Severity.WARNING, spot)
    shown = [
        render_rule_markdown(_EqualsNone),
        render_examples(_EqualsNone),
        json.dumps(rule_as_dict(_EqualsNone)),
        hover.noqa_hover(_EqualsNone.code) or "",
        hover.finding_hover(finding, lambda line: "value == None", 1),
    ]
    for text in shown:
        assert "value == None" in text or "value is None" in text  # the examples show
        assert MARKER not in text

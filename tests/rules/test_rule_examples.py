"""Every registered rule, built-in or future, is tested through its own examples.

* its ❌ examples fire that code on the documented line, and nothing else fires;
* its ✅ examples raise nothing at all, from any rule;
* its fix turns ❌ into code that parses and no longer fires, and a second run of the
  fixes changes nothing more;
* its terse edge cases (``bad_cases``/``good_cases``, never shown) go through the same
  harness (:mod:`tests.rules.examples`), answering for their own rule only.
"""

from __future__ import annotations

import pytest

from precepts.registry import all_rules
from precepts.rule import Example, Rule
from tests.helpers import parses_like
from tests.rules.examples import assert_fires, assert_fix, assert_silent

RULES = list(all_rules().values())


def _examples(kind: str) -> list[tuple[type[Rule], int, Example]]:
    return [
        pytest.param(rule, i, example, id=f"{rule.code}-{kind}{i}")
        for rule in RULES
        for i, example in enumerate(getattr(rule, kind))
    ]


def _cases(bad: bool) -> list[tuple[type[Rule], int, Example]]:
    kind = "bad_case" if bad else "good_case"
    return [
        pytest.param(rule, i, case, id=f"{rule.code}-{kind}{i}")
        for rule in RULES
        for i, case in enumerate(rule.cases(bad=bad))
    ]


@pytest.mark.parametrize(("rule", "index", "example"), _examples("bad"))
def test_bad_example_fires_on_documented_line(rule: type[Rule], index: int, example: Example):
    assert_fires(rule, example, alone=True)


@pytest.mark.parametrize(("rule", "index", "example"), _examples("good"))
def test_good_example_is_silent(rule: type[Rule], index: int, example: Example):
    assert_silent(rule, example, alone=True)


@pytest.mark.parametrize(("rule", "index", "example"), _examples("bad"))
def test_fix_clears_the_finding_and_is_idempotent(rule: type[Rule], index: int, example: Example):
    assert_fix(rule, example, alone=True)


@pytest.mark.parametrize(("rule", "index", "case"), _cases(bad=True))
def test_bad_case_fires_on_its_line(rule: type[Rule], index: int, case: Example):
    assert_fires(rule, case, alone=False)
    assert_fix(rule, case, alone=False)


@pytest.mark.parametrize(("rule", "index", "case"), _cases(bad=False))
def test_good_case_is_silent(rule: type[Rule], index: int, case: Example):
    assert_silent(rule, case, alone=False)


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_documents_itself(rule: type[Rule]):
    assert rule.summary.strip() and rule.why.strip() and rule.message.strip()
    assert rule.bad and rule.good
    for example in (*rule.bad, *rule.good, *rule.cases(bad=True), *rule.cases(bad=False)):
        if rule.code != "BP000":
            assert parses_like(example.path, example.code), (
                f"an example of {rule.code} does not parse"
            )
    assert rule.has_fix() == (rule.fix_description is not None)

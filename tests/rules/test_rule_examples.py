"""Every registered rule, built-in or future, is tested through its own examples.

* its ❌ examples fire that code on the documented line, and nothing else fires;
* its ✅ examples raise nothing at all, from any rule;
* its fix turns ❌ into code that parses and no longer fires, and a second run of the
  fixes changes nothing more.
"""

from __future__ import annotations

import pytest

from precepts.findings import Applicability
from precepts.registry import all_rules
from precepts.rule import Example, Rule
from precepts.versions import parse_target
from tests.helpers import SNIPPET_OPTIONS, check, fix_all, parses_like

RULES = list(all_rules().values())


def _cases(kind: str) -> list[tuple[type[Rule], int, Example]]:
    return [
        pytest.param(rule, i, example, id=f"{rule.code}-{kind}{i}")
        for rule in RULES
        for i, example in enumerate(getattr(rule, kind))
    ]


def _check(rule: type[Rule], example: Example):
    options = {code: dict(values) for code, values in SNIPPET_OPTIONS.items()}
    options.setdefault(rule.code, {}).update(example.options)
    target = parse_target(example.target_version) if example.target_version else None
    return check(example.code, path=example.path, options=options, target_version=target)


@pytest.mark.parametrize(("rule", "index", "example"), _cases("bad"))
def test_bad_example_fires_on_documented_line(rule: type[Rule], index: int, example: Example):
    result = _check(rule, example)
    assert not result.errors, [e.trace for e in result.errors]
    mine = [f for f in result.findings if f.code == rule.code]
    assert mine, f"{rule.code} did not fire on its ❌ example {index}"
    assert example.line is not None
    assert any(f.range.start.line == example.line - 1 for f in mine), (
        f"{rule.code} fired on lines {[f.range.start.line + 1 for f in mine]}, "
        f"documented line {example.line}"
    )
    others = {f.code for f in result.findings} - {rule.code} - set(example.also)
    assert not others, f"the ❌ example of {rule.code} also raises {sorted(others)}"


@pytest.mark.parametrize(("rule", "index", "example"), _cases("good"))
def test_good_example_is_silent(rule: type[Rule], index: int, example: Example):
    result = _check(rule, example)
    assert not result.errors, [e.trace for e in result.errors]
    found = [(f.code, f.range.start.line + 1, f.message) for f in result.findings]
    assert not found, f"the ✅ example of {rule.code} raises {found}"


@pytest.mark.parametrize(("rule", "index", "example"), _cases("bad"))
def test_fix_clears_the_finding_and_is_idempotent(rule: type[Rule], index: int, example: Example):
    result = _check(rule, example)
    mine = [f for f in result.findings if f.code == rule.code]
    fixable = [f for f in mine if f.fix is not None]
    if not rule.has_fix():
        assert not fixable, f"{rule.code} documents no fix but offers one"
        return
    if not fixable:
        pytest.fail(f"{rule.code} documents a fix but offers none on ❌ example {index}")
    for finding in fixable:
        expected = rule.fix_applicability
        assert finding.fix is not None and finding.fix.applicability in (expected,) + (
            (Applicability.SAFE,) if expected is Applicability.UNSAFE else ()
        )
    fixed = fix_all(example.code, fixable)
    assert parses_like(example.path, fixed), "the fixed file does not parse"
    if example.fixed is not None:
        assert fixed == example.fixed
    after = _check(
        rule,
        Example(
            fixed,
            path=example.path,
            options=example.options,
            target_version=example.target_version,
        ),
    )
    still = [f for f in after.findings if f.code == rule.code]
    assert len(still) <= len(mine) - len(fixable), f"{rule.code}'s fix did not clear it"
    assert not [f for f in still if f.fix], f"{rule.code} offers a fix again after fixing"
    assert fix_all(fixed, after.findings) == fixed, "a second run of the fixes changed more"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_documents_itself(rule: type[Rule]):
    assert rule.summary.strip() and rule.why.strip() and rule.message.strip()
    assert rule.bad and rule.good
    for example in (*rule.bad, *rule.good):
        if rule.code != "BP000":
            assert parses_like(example.path, example.code), (
                f"an example of {rule.code} does not parse"
            )
    assert rule.has_fix() == (rule.fix_description is not None)

"""The harness every rule's ✅/❌ examples and terse edge cases go through.

Examples are shown to users, so they are held to the whole standard: a ❌ example raises
nothing but its rule (and its ``also`` codes), a ✅ example raises nothing at all. Edge
cases are never shown, so they answer for their own rule only: a one-line case need not
carry the type hints and docstrings the rest of the standard asks for. Everything else
is the same: the rule must fire on the case's line (or stay silent), and a fix it offers
must parse, clear the finding, equal ``fixed`` when given and be idempotent.

The rule need not be registered: an unregistered one (a throwaway rule in a test) is
checked beside the registry's rules.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from precepts.config import Settings
from precepts.engine import Checker, CheckResult, RuleSet
from precepts.filerule import FileRule
from precepts.findings import Applicability
from precepts.registry import all_rules
from precepts.rule import Example, Rule
from precepts.versions import parse_target
from tests.helpers import SNIPPET_OPTIONS, fix_all, parses_like


def run(rule: type[Rule], example: Example) -> CheckResult:
    """Check an example with every rule, ``rule`` included, under the example's settings.

    Args:
        rule: The rule the example belongs to.
        example: The example or case.

    Returns:
        The check's result.
    """
    options = {code: dict(values) for code, values in SNIPPET_OPTIONS.items()}
    if all_rules().get(rule.code) is rule:
        options.setdefault(rule.code, {}).update(example.options)
    target = parse_target(example.target_version) if example.target_version else None
    settings = Settings(select=("ALL",), rule_options=options, target_version=target)
    ruleset = RuleSet.from_settings(settings, Path(example.path))
    if all_rules().get(rule.code) is not rule:
        ruleset = _with_rule(ruleset, rule, example)
    return Checker(ruleset).check(example.code, example.path)


def _with_rule(ruleset: RuleSet, rule: type[Rule], example: Example) -> RuleSet:
    spec = ((rule, dict(example.options), rule.severity),)
    return dataclasses.replace(
        ruleset,
        rules=ruleset.rules + (() if issubclass(rule, FileRule) else spec),
        file_rules=ruleset.file_rules + (spec if issubclass(rule, FileRule) else ()),
        codes=ruleset.codes | {rule.code},
        severities={**ruleset.severities, rule.code: rule.severity},
    )


def assert_fires(rule: type[Rule], example: Example, *, alone: bool) -> None:
    """Assert that a ❌ example or case fires ``rule`` on its line.

    Args:
        rule: The rule.
        example: The ❌ example or case.
        alone: Also assert that no other rule fires (examples; not edge cases).
    """
    result = run(rule, example)
    assert not result.errors, [e.trace for e in result.errors]
    mine = [f for f in result.findings if f.code == rule.code]
    assert mine, f"{rule.code} did not fire on {example.code!r}"
    assert example.line is not None
    assert any(f.range.start.line == example.line - 1 for f in mine), (
        f"{rule.code} fired on lines {[f.range.start.line + 1 for f in mine]}, "
        f"documented line {example.line}"
    )
    if alone:
        others = {f.code for f in result.findings} - {rule.code} - set(example.also)
        assert not others, f"the ❌ example of {rule.code} also raises {sorted(others)}"


def assert_silent(rule: type[Rule], example: Example, *, alone: bool) -> None:
    """Assert that a ✅ example or case does not fire ``rule``.

    Args:
        rule: The rule.
        example: The ✅ example or case.
        alone: Assert that no rule at all fires (examples; not edge cases).
    """
    result = run(rule, example)
    assert not result.errors, [e.trace for e in result.errors]
    found = [
        (f.code, f.range.start.line + 1, f.message)
        for f in result.findings
        if alone or f.code == rule.code
    ]
    assert not found, f"the ✅ {example.code!r} of {rule.code} raises {found}"


def assert_fix(rule: type[Rule], example: Example, *, alone: bool) -> None:
    """Assert that the fixes ``rule`` offers on a ❌ example or case are sound.

    Args:
        rule: The rule.
        example: The ❌ example or case.
        alone: For an example: a rule with a fix must offer one, and no rule's fix may
            change the fixed text. For a case: a fix is required when ``fixed`` is
            given, and only the rule's own fixes must leave the fixed text alone.
    """
    result = run(rule, example)
    mine = [f for f in result.findings if f.code == rule.code]
    fixable = [f for f in mine if f.fix is not None]
    if not rule.has_fix():
        assert not fixable, f"{rule.code} documents no fix but offers one"
        assert example.fixed is None, f"{rule.code} has no fix to give {example.fixed!r}"
        return
    if not fixable:
        required = alone or example.fixed is not None
        assert not required, f"{rule.code} documents a fix but offers none on {example.code!r}"
        return
    for finding in fixable:
        expected = rule.fix_applicability
        assert finding.fix is not None and finding.fix.applicability in (expected,) + (
            (Applicability.SAFE,) if expected is Applicability.UNSAFE else ()
        )
    fixed = fix_all(example.code, fixable)
    assert parses_like(example.path, fixed), "the fixed file does not parse"
    if example.fixed is not None:
        assert fixed == example.fixed
    after = run(
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
    again = after.findings if alone else still
    assert fix_all(fixed, again) == fixed, "a second run of the fixes changed more"

"""Every rule's ❌ examples survive *all* fixes at once, safe and unsafe (issue 17).

Written over the registry, so rules added later are covered without a change here:

* the fixed text parses (by the engine's judge, precepts.syntax);
* a second check finds no fixed finding again (per code, no more findings than were
  left unfixed, and none of them offers a fix);
* a second fix run changes nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest

from precepts.fixes import select_fixes
from precepts.registry import all_rules
from precepts.rule import Example, Rule
from tests.helpers import SNIPPET_OPTIONS, check, fix_all, parses_like

CASES = [
    pytest.param(rule, index, example, id=f"{rule.code}-bad{index}")
    for rule in all_rules().values()
    for index, example in enumerate(rule.bad)
    if rule.code != "BP000"  # its examples do not parse by design
]


def _check(rule: type[Rule], example: Example, code: str):
    options = {key: dict(values) for key, values in SNIPPET_OPTIONS.items()}
    options.setdefault(rule.code, {}).update(example.options)
    return check(code, path=example.path, options=options)


@pytest.mark.parametrize(("rule", "index", "example"), CASES)
def test_every_fix_at_once_is_safe(rule: type[Rule], index: int, example: Example) -> None:
    before = _check(rule, example, example.code)
    applied = select_fixes(list(before.findings), unsafe=True)
    if not applied:
        pytest.skip(f"no fix on {rule.code}'s ❌ example {index}")
    fixed = fix_all(example.code, before.findings, unsafe=True)
    # Python by the engine's judge (CPython, libcst for newer syntax), TOML, INI.
    if not parses_like(example.path, fixed):
        pytest.fail(f"all fixes of {rule.code}'s ❌ example {index} broke it:\n{fixed}")
    after = _check(rule, example, fixed)
    fixed_codes = Counter(f.code for f in before.findings if f.fix is not None and f.fix in applied)
    found = Counter(f.code for f in before.findings)
    left = Counter(f.code for f in after.findings)
    for code, count in fixed_codes.items():
        assert left[code] <= found[code] - count, f"{code} found again after its fix"
    offered = [
        (f.code, f.range.start.line + 1) for f in after.findings if f.code in fixed_codes and f.fix
    ]
    assert not offered, f"fixes offered again after fixing: {offered}"
    assert fix_all(fixed, after.findings, unsafe=True) == fixed, "a second fix run changed more"

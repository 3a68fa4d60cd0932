"""The standard's own ✅/❌ snippets against the rules of their section.

Every ✅ part of a ```python block in ``backend-standards.md`` must raise nothing from the
rules whose ``section`` is one of the headings above it; every ❌ part must raise at
least one. Parts that are not Python, or where the standard contradicts itself, are
listed in ``EXCEPTIONS`` with the reason; a listed part that starts to pass fails the
test so the list stays honest. Sections with no rule yet are skipped with a reason.
"""

from __future__ import annotations

import ast

import pytest

from precepts.registry import all_rules
from precepts.rule import Rule
from tests.helpers import SNIPPET_OPTIONS, STANDARD, check, require_standard
from tests.standard.snippets import Snippet, extract

# ident → why the snippet cannot be held to the rule ("not python" parts are skipped,
# the others must still fail as expected, or be removed from here).
EXCEPTIONS: dict[str, str] = {
    "L150-bad-Code Organization": (
        "an abbreviated sketch (three `def …: pass`): it shows no routes, models or queries, "
        "so BP112 (module-mixes-concerns) has nothing to detect"
    ),
    "L231-good-Query Patterns": (
        'the standard contradicts itself: this ✅ searches with `ilike(f"%{email_pattern}%")`, '
        "the leading wildcard its own ❌ 'Inefficient wildcard search' (line 258) forbids; "
        "BP203 follows the ❌ (a leading % cannot use an index) and its docs say so"
    ),
    "L1169-bad-Service Architecture": (
        "a continuation of the ✅ above it (routes on an `app` it does not create): it "
        "builds no `FastAPI()` and includes no router, so BP310 (missing-health-endpoint) "
        "has no service to check; its routes on the app are BP301's, in API Structure"
    ),
    "L854-bad-Correct JWT Field Access": (
        "`get_current_user` is defined nowhere in the snippet (its return type is only a "
        "comment); BP401 says nothing when the dependency's definition cannot be found "
        "rather than guess (issue 10), and its own ❌ example defines the dependency"
    ),
    "L1904-bad-OpenID Connect (OIDC) for Authentication": (
        "hardcoded OIDC client credentials: BP409's finding (its section is Service "
        "Configuration & Secrets), not BP406's, which checks how tokens are decoded"
    ),
    "L2063-bad-OAuth2 for Authorization": (
        "a route that checks no scope at all: no rule of the catalogue flags the absence of "
        "authorization (BP410 flags role checks, BP411 credentials in the query string)"
    ),
    "L2466-bad-Testing Best Practices": (
        "only a comment says the database is production: the snippet names no database URL "
        "and deletes nothing, so BP802 (non-test database URLs, deletes without an isolating "
        "fixture) has nothing to see; the ❌ just below it (line 2471) is BP802's"
    ),
}
NOT_PYTHON: dict[str, str] = {
    "L1064-good-Schema Design": "SQL DDL inside a ```python fence",
    "L1099-bad-Schema Design": "SQL DDL inside a ```python fence",
    "L2484-good-Coverage Targets": "an INI/TOML configuration inside a ```python fence",
    "L2718-good-Coverage Analysis": "shell commands inside a ```python fence",
}

SNIPPETS = extract(STANDARD) if STANDARD.is_file() else []


def _section_rules(snippet: Snippet) -> list[type[Rule]]:
    headings = set(snippet.headings)
    return [
        rule
        for rule in all_rules().values()
        if rule.family != "engine" and headings & {part.strip() for part in rule.section.split(",")}
    ]


def test_the_standard_is_found_and_has_snippets():
    require_standard()
    assert len(SNIPPETS) > 100
    assert {s.kind for s in SNIPPETS} == {"good", "bad"}


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.ident for s in SNIPPETS])
def test_snippet_against_its_section(snippet: Snippet):
    if snippet.ident in NOT_PYTHON:
        with pytest.raises(SyntaxError):
            ast.parse(snippet.code)
        pytest.skip(f"not Python: {NOT_PYTHON[snippet.ident]}")
    ast.parse(snippet.code)
    rules = _section_rules(snippet)
    if not rules:
        pytest.skip(f"no rule enforces {' > '.join(snippet.headings[1:])} yet")
    codes = [rule.code for rule in rules]
    # The testing rules judge test modules only; their sections' snippets are tests.
    testing = any(rule.family == "testing" for rule in rules)
    path = "tests/test_snippet.py" if testing else "app/snippet.py"
    result = check(snippet.code, path=path, select=codes, options=SNIPPET_OPTIONS)
    assert not result.errors, [e.describe() for e in result.errors]
    found = [(f.code, f.range.start.line + 1, f.message) for f in result.findings]
    passes = not found if snippet.kind == "good" else bool(found)
    if snippet.ident in EXCEPTIONS:
        assert not passes, f"listed as an exception but now passes: {snippet.ident}"
        return
    if snippet.kind == "good":
        assert not found, f"✅ snippet at line {snippet.line} raises {found}"
    else:
        assert found, f"❌ snippet at line {snippet.line} raises nothing from {codes}"

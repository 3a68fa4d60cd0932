"""Random editing sessions: after every edit the incremental findings equal a full check.

Hypothesis drives an :class:`~tests.engine.editing.Editor` over real files (typing,
deleting, pasting blocks, indenting, breaking and repairing syntax, undo), sometimes
several edits before a check (as a debounced server coalesces them). After each check
:func:`~tests.engine.editing.verify` holds the contract of
:mod:`precepts.incremental.document`:

* the text parses → the findings equal a from-scratch check, and the spliced tree is the
  full parse (checked on every fifth step of the default run);
* it does not → every broken statement carries exactly one BP000, inside it, and
  outside the broken statements the findings equal a from-scratch check of T° (the text
  with each broken statement replaced by ``pass``).

The default run makes at least 2,000 edits; the ``slow`` tests make 10,000. Each file is
its own test (so ``pytest -n`` spreads them over cores) and asserts its share of the
edits, and that it saw both valid and broken texts.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precepts import syntax
from precepts.config import Settings
from precepts.engine import RuleSet
from precepts.incremental.document import IncrementalDocument
from tests.engine.editing import Editor, verify
from tests.engine.syntax_corpus import CORPUS
from tests.helpers import REPO, fix_all

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import backend_module, class_module  # noqa: E402

PATH = "app/service.py"
RULES = RuleSet.from_settings(Settings(), Path(PATH))


def _files() -> dict[str, tuple[str, int]]:
    """Real files to edit, with the split threshold to use (small: splits everywhere)."""
    files = {
        "rule": ((REPO / "rules/python/bp105_none_comparison.py").read_text(), 8),
        "noqa": ((REPO / "precepts/noqa.py").read_text(), 30),
        "service": ((REPO / "examples/service/app/service.py").read_text(), 4),
        "main": ((REPO / "examples/service/app/main.py").read_text(), 6),
        "gateway": ((REPO / "examples/service/app/gateway.py").read_text(), 4),
        # The services rules: HTTP clients, emoji, configuration (BP608 is a module rule).
        "integrations": ((REPO / "examples/service/app/integrations.py").read_text(), 4),
        "backend": (backend_module(150), 12),
        "class": (class_module(80), 10),
        # Python 3.8-3.14 syntax, most of which the interpreter running CI cannot parse.
        "syntax": ("\n\n".join(case.source for case in CORPUS.values()), 4),
    }
    return files


FILES = _files()
NAMES = sorted(FILES)


def _session(
    data: st.DataObject, name: str, steps: int, check_tree: bool, seen: Counter[str]
) -> None:
    text, split = FILES[name]
    editor = Editor(text, lambda n: data.draw(st.integers(0, max(n - 1, 0))))
    document = IncrementalDocument(text, PATH, RULES, split_lines=split)
    verify(document, RULES)
    for step in range(steps):
        for _ in range(1 + data.draw(st.integers(0, 3)) // 3):  # now and then a burst
            edit = editor.next_edit()
            editor.apply(edit)
            document.edit(edit.start, edit.end, edit.text)
            seen["edits"] += 1
        assert document.text == editor.text
        kind = verify(document, RULES, check_tree=check_tree and step % 5 == 0)
        seen[kind] += 1
        if kind == "valid" and data.draw(st.integers(0, 9)) == 0:
            _fix_all_parses(document.text, document, seen)


def _fix_all_parses(text: str, document: IncrementalDocument, seen: Counter[str]) -> None:
    """Fix-all (safe and unsafe) at this state leaves text that still parses."""
    assert document.result is not None
    fixed = fix_all(text, document.result.findings, unsafe=True)
    if not syntax.parses(fixed):  # the engine's judge: CPython, libcst for newer syntax
        pytest.fail(f"fix-all broke a valid text\n--- text ---\n{text}")
    seen["fixed"] += 1


def _run(name: str, examples: int, steps: int, check_tree: bool) -> Counter[str]:
    """Run ``examples`` hypothesis sessions on one file; return what they saw."""
    seen: Counter[str] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same sessions on every run: CI must not be a lottery
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def sessions(data: st.DataObject) -> None:
        _session(data, name, steps, check_tree, seen)

    sessions()
    return seen


def _assert_enough(seen: Counter[str], edits: int, each_kind: int) -> None:
    assert seen["edits"] >= edits, seen
    assert seen["valid"] >= each_kind and seen["broken"] >= each_kind, seen
    assert seen["fixed"] >= 1, seen


# 9 files x 4 sessions x 50 steps: about 2,200 edits in all (the slow test adds 11,000).
@pytest.mark.parametrize("name", NAMES)
def test_random_edits_match_a_full_check(name: str) -> None:
    seen = _run(name, examples=4, steps=50, check_tree=True)
    _assert_enough(seen, edits=2000 // len(NAMES) + 1, each_kind=20)


# 9 files x 10 sessions x 100 steps (a step is a burst of 1-2 edits): about 11,000 edits
# in all, each step compared with a full check.
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_ten_thousand_random_edits(name: str) -> None:
    seen = _run(name, examples=10, steps=100, check_tree=False)
    _assert_enough(seen, edits=10000 // len(NAMES) + 1, each_kind=100)

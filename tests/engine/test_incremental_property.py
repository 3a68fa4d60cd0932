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

The default run makes at least 2,000 edits; the ``slow`` test makes 10,000.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from precepts.config import Settings
from precepts.engine import RuleSet
from precepts.incremental.document import IncrementalDocument
from tests.engine.editing import Editor, verify
from tests.helpers import REPO

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
        "backend": (backend_module(150), 12),
        "class": (class_module(80), 10),
    }
    return files


FILES = _files()
SEEN: Counter[str] = Counter()


def _session(data: st.DataObject, name: str, steps: int, check_tree: bool) -> int:
    text, split = FILES[name]
    editor = Editor(text, lambda n: data.draw(st.integers(0, max(n - 1, 0))))
    document = IncrementalDocument(text, PATH, RULES, split_lines=split)
    verify(document, RULES)
    edits = 0
    for step in range(steps):
        for _ in range(1 + data.draw(st.integers(0, 3)) // 3):  # now and then a burst
            edit = editor.next_edit()
            editor.apply(edit)
            document.edit(edit.start, edit.end, edit.text)
            edits += 1
        assert document.text == editor.text
        SEEN[verify(document, RULES, check_tree=check_tree and step % 5 == 0)] += 1
    return edits


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), name=st.sampled_from(sorted(FILES)))
def test_random_edits_match_a_full_check(data: st.DataObject, name: str) -> None:
    edits = _session(data, name, steps=50, check_tree=True)
    test_random_edits_match_a_full_check.edits += edits  # type: ignore[attr-defined]


test_random_edits_match_a_full_check.edits = 0  # type: ignore[attr-defined]


def test_the_sessions_made_enough_edits_of_every_kind() -> None:
    made = test_random_edits_match_a_full_check.edits  # type: ignore[attr-defined]
    if made == 0:
        pytest.skip("run together with test_random_edits_match_a_full_check")
    assert made >= 2000
    assert SEEN["valid"] > 100 and SEEN["broken"] > 100, SEEN


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), name=st.sampled_from(sorted(FILES)))
def test_ten_thousand_random_edits(data: st.DataObject, name: str) -> None:
    _session(data, name, steps=100, check_tree=False)

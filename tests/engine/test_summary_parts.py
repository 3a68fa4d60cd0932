"""Module rules summarise a long class part by part: the same findings, less walking."""

from __future__ import annotations

from pathlib import Path

import pytest

from precepts.config import Settings
from precepts.engine import Checker, RuleSet
from precepts.incremental import summary_parts
from precepts.incremental.document import IncrementalDocument
from precepts.incremental.leaves import Split
from precepts.registry import all_rules
from tests.engine.editing import canonical

# A class whose body holds what each module rule notes: a misnamed nested class and a
# module constant (BP103), environment reads (BP608), an app built in a method (BP310
# leaves it), session queries (BP112), test methods with and without asserts (BP801).
CLASS = '''"""Orders."""

import os

from fastapi import FastAPI

retryCount = 3


class order_store:
    """A misnamed class (BP103), long enough to be split."""

    def get(self):
        """Get."""
        return 1

    def put(self):
        """Put."""
        return 2


class TestOrders:
    """Tests of orders."""

    def test_total(self):
        """Totals add up."""
        assert 1 + 1 == 2

    def test_nothing(self):
        """Proves nothing."""
        total = 1 + 1

    def helper(self, session):
        """Query."""
        return session.query(int).all()

    def settings(self):
        """Read the environment."""
        class bad_name:
            pass
        return os.getenv("ORDERS_URL"), os.environ["ORDERS_KEY"]

    def app(self):
        """A sub-application."""
        return FastAPI()
'''
MODULE_RULES = tuple(code for code, rule in all_rules().items() if rule.scope == "module")


def _rules(path: str) -> RuleSet:
    return RuleSet.from_settings(Settings(), Path(path))


def _edits(text: str) -> list[tuple[int, int, str]]:
    """Edits inside the methods that keep the text valid: (line, column, text)."""
    lines = text.split("\n")
    spots = [i for i, line in enumerate(lines) if line.strip().startswith(("total =", "return"))]
    edits = [(line, len(lines[line]), " or 1") for line in spots]
    # The test that asserted nothing now asserts (BP801's finding goes), then a new
    # environment read (BP608 notes one more).
    nothing = next(i for i, line in enumerate(lines) if line.strip() == "total = 1 + 1")
    edits.append((nothing, len(lines[nothing]), "\n        assert total"))
    edits.append((nothing, len(lines[nothing]), '\n        os.getenv("ORDERS_DB")'))
    return edits


@pytest.mark.parametrize("path", ["tests/test_orders.py", "app/orders.py"])
def test_a_split_class_summarised_by_parts_equals_a_full_check(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = _rules(path)
    walked: list[object] = []
    walk = summary_parts.walk_part

    def counting(runner: object, index: int, split: object, child: object) -> object:
        walked.append(child)
        return walk(runner, index, split, child)  # type: ignore[arg-type]

    monkeypatch.setattr(summary_parts, "walk_part", counting)
    document = IncrementalDocument(CLASS, path, rules, split_lines=4)
    first = document.check()
    checker = Checker(rules)
    assert canonical(first.findings) == canonical(checker.check(CLASS, path).findings)
    # Opening walks the head and each statement of each class body once.
    classes = [top for top in document.tops if isinstance(top, Split)]
    assert len(classes) == 2
    assert len(walked) == sum(1 + len(split.children) for split in classes)
    codes = [finding.code for finding in first.findings]
    assert codes.count("BP103") == 3  # two classes and the constant, each once
    if path.startswith("tests/"):
        assert "BP801" in codes
    for line, column, inserted in _edits(CLASS):
        walked.clear()
        document.edit((line, column), (line, column), inserted)
        result = document.check()
        expected = checker.check(document.text, path).findings
        assert canonical(result.findings) == canonical(expected)
        # The head and the edited statement, nothing else of the class (an edit on a
        # class's last line may re-parse the next class's head too).
        statements = [child for child in walked if child is not None]
        assert len(statements) <= 1
        assert len(walked) - len(statements) <= 2


def test_a_rule_that_does_not_combine_walks_the_class_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = _rules("tests/test_orders.py")
    walked: list[object] = []
    monkeypatch.setattr(summary_parts, "walk_part", lambda *args: walked.append(args))
    monkeypatch.setattr(all_rules()["BP801"], "summary_parts", False)
    document = IncrementalDocument(CLASS, "tests/test_orders.py", rules, split_lines=4)
    result = document.check()
    assert walked == []
    expected = Checker(rules).check(CLASS, "tests/test_orders.py").findings
    assert canonical(result.findings) == canonical(expected)


def test_every_builtin_module_rule_combines() -> None:
    # A built-in module rule that does not would make every long class walk whole again.
    assert MODULE_RULES
    assert all(all_rules()[code].summary_parts for code in MODULE_RULES)

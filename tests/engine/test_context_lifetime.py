"""A check's rule context dies with the check (issue 18).

Helpers shared by several rules keep per-check answers (bindings, routes, claims). Kept
in a module-level ``WeakKeyDictionary`` keyed by the context, an answer that refers back
to its context keeps the key alive for ever: in the language server every edit's
context, with its ``ast`` tree and positions, stayed (about 9 MiB per 1,000 edits in the
soak). These tests run every rule over every rule's examples, in a full check and in an
incremental document edited a few times, and then look for a context still alive.
"""

from __future__ import annotations

import gc
from pathlib import Path

from precepts.config import Settings
from precepts.context import RuleContext
from precepts.engine import RuleSet
from precepts.incremental.document import IncrementalDocument
from precepts.registry import all_rules
from tests.helpers import REPO, check

EXAMPLES = [
    (example.path, example.code)
    for rule in all_rules().values()
    for example in (*rule.good, *rule.bad)
    if example.path.endswith(".py")
]
SERVICE = sorted((REPO / "examples" / "service" / "app").glob("*.py"))


def _live_contexts() -> list[RuleContext]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, RuleContext)]


def test_full_checks_leave_no_context_alive() -> None:
    before = len(_live_contexts())
    for path, code in EXAMPLES:
        check(code, path=path)
    for path in SERVICE:
        check(path.read_text(encoding="utf-8"), path=f"app/{path.name}")
    alive = _live_contexts()
    assert len(alive) <= before, f"{len(alive) - before} rule contexts outlived their check"


def test_incremental_checks_leave_no_old_context_alive() -> None:
    rules = RuleSet.from_settings(Settings(), Path("app/service.py"))
    documents = []
    for path in SERVICE:
        text = path.read_text(encoding="utf-8")
        document = IncrementalDocument(text, f"app/{path.name}", rules)
        document.check()
        end = text.count("\n")
        for step in range(5):  # type a line and erase it: five more checks
            document.edit((end, 0), (end, 0), f"value_{step} = compute({step})\n")
            document.check()
            document.edit((end, 0), (end + 1, 0), "")
            document.check()
        documents.append(document)
    # Each open document may keep the context of its last check, no more.
    alive = _live_contexts()
    assert len(alive) <= len(documents), f"{len(alive)} contexts for {len(documents)} documents"
    del documents, document
    assert not _live_contexts(), "a closed document's context is still referenced"

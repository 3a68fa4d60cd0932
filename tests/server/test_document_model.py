"""One text buffer per open document (issue 19): the engine's, or the model's own.

Each edit reaches one buffer only. While the incremental engine checks a document the
server reads the engine's text; a document checked whole, or one whose engine failed,
keeps a buffer of its own, with the text as the engine left it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from precepts.config import Settings
from precepts.engine import RuleSet
from precepts.incremental.document import IncrementalDocument
from precepts.server.documents import DocumentModel

PATH = "/model/doc.py"
RULES = RuleSet.from_settings(Settings(select=("BP105",)), Path(PATH))
TEXT = "x = 0\n"


def test_an_incremental_document_keeps_the_only_buffer() -> None:
    model = DocumentModel(TEXT, PATH, RULES, incremental=True)
    engine = model._incremental
    assert isinstance(engine, IncrementalDocument)
    assert model.buffer is engine.buffer
    model.edit((1, 0), (1, 0), "y = x == None\n")
    assert model.buffer is engine.buffer
    assert engine.text == model.buffer.text == "x = 0\ny = x == None\n"
    assert model.buffer.line_count == 3
    model.set_text("z = 1")
    assert model.buffer is engine.buffer and engine.text == "z = 1"
    assert model.buffer.line_count == 1


def test_switching_off_takes_the_engine_text_over() -> None:
    model = DocumentModel(TEXT, PATH, RULES, incremental=True)
    model.edit((0, 4), (0, 5), "1")
    model.set_incremental(False)
    assert model._incremental is None and model.buffer.text == "x = 1\n"
    model.edit((0, 4), (0, 5), "2")
    assert model.buffer.text == "x = 2\n"
    model.set_incremental(True)
    assert isinstance(model._incremental, IncrementalDocument)
    assert model._incremental.text == "x = 2\n"


async def test_a_failing_engine_falls_back_with_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    model = DocumentModel(TEXT, PATH, RULES, incremental=True)

    def broken(self: IncrementalDocument, *args: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(IncrementalDocument, "refresh", broken)
    model.edit((1, 0), (1, 0), "y = x == None\n")
    model.refresh()
    assert not model.incremental and model.fallback_reason == "refresh: RuntimeError: injected"
    assert model.buffer.text == "x = 0\ny = x == None\n"
    model.edit((2, 0), (2, 0), "z = x != None\n")
    with ThreadPoolExecutor(max_workers=1) as executor:
        outcome = await model.check(executor)
    assert [finding.range.start.line for finding in outcome.findings] == [1, 2]

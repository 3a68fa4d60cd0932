"""Pushed diagnostics are converted once per finding object and equal a fresh conversion."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from lsprotocol import types as lsp
from pygls.protocol import default_converter

from precepts.config import Settings
from precepts.engine import Checker, RuleSet
from precepts.server.capabilities import ClientFeatures
from precepts.server.convert import Converter
from precepts.server.diagnostics import DiagnosticJson, to_diagnostic
from precepts.text import ColumnUnit, split_lines

TEXT = 'def f(x):\n    s = "é🎉"; return x == None\n\n\ndef g(y):\n    return y != None\n'
CAPABILITIES = lsp.ClientCapabilities(
    text_document=lsp.TextDocumentClientCapabilities(
        publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(
            related_information=True, code_description_support=True, data_support=True
        )
    )
)


def _setup() -> tuple[list, Converter, ClientFeatures]:
    path = Path("/tmp/demo.py")
    findings = Checker(RuleSet.from_settings(Settings(), path)).check(TEXT, str(path)).findings
    lines = split_lines(TEXT)
    converter = Converter(lambda i: lines[i] if i < len(lines) else "", ColumnUnit.UTF16)
    features = ClientFeatures.from_capabilities(CAPABILITIES, lsp.PositionEncodingKind.Utf16)
    return findings, converter, features


def test_same_findings_are_not_converted_again() -> None:
    findings, converter, features = _setup()
    assert len(findings) >= 2
    unstructure = default_converter().unstructure
    cache = DiagnosticJson(unstructure)
    first = cache.convert(findings, "file:///tmp/demo.py", converter, features)
    expected = [
        unstructure(to_diagnostic(f, "file:///tmp/demo.py", converter, features)) for f in findings
    ]
    decoded = [json.loads(text) for text in first]
    assert decoded == expected
    # `x == None` starts at code point 21; in UTF-16 the emoji before it counts twice.
    assert any(d["code"] == "BP105" and d["range"]["start"]["character"] == 22 for d in decoded)
    again = cache.convert(findings, "file:///tmp/demo.py", converter, features)
    assert all(a is b for a, b in zip(again, first, strict=True))


def test_a_new_finding_object_is_converted() -> None:
    findings, converter, features = _setup()
    cache = DiagnosticJson(default_converter().unstructure)
    first = cache.convert(findings, "file:///tmp/demo.py", converter, features)
    moved = dataclasses.replace(findings[0], message="changed")
    second = cache.convert([moved, *findings[1:]], "file:///tmp/demo.py", converter, features)
    assert json.loads(second[0])["message"] == "changed" and second[0] is not first[0]
    assert second[1] is first[1]

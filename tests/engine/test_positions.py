"""The lazy, per-statement positions equal libcst's PositionProvider on the whole module."""

from __future__ import annotations

import inspect
import json.encoder
import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from precepts.positions import PositionResolver
from tests.helpers import REPO

TRICKY = textwrap.dedent(
    '''\
    # leading comment

    import os  # trailing


    @decorator
    # between
    class Thing:
      """Two-space indent."""

      def method(self, value: str = "é😀中") -> str:  # emoji and CJK
        return f"{value!r:>10}" + \\
          "continued"
      # footer comment of the class body

    if os.name:
    \tx = 1
    else:
    \tx = 2
    data = """a
    multi-line string"""; y = 3
    # trailing file comment
    '''
)


def _sources() -> list[tuple[str, str]]:
    sources = [
        ("tricky", TRICKY),
        ("tricky-crlf", TRICKY.replace("\n", "\r\n")),
        ("no-trailing-newline", "x = 1\nif x:\n    y = 2"),
        ("only-comments", "# nothing\n\n# here\n"),
        ("json.encoder", inspect.getsource(json.encoder)),
    ]
    sources += [
        (p.name, p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "precepts").glob("*.py"))[:6]
    ]
    return sources


@pytest.mark.parametrize(("name", "source"), _sources(), ids=[n for n, _ in _sources()])
def test_lazy_positions_equal_position_provider(name: str, source: str):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    resolver = PositionResolver(module)
    checked = 0
    for node, code_range in expected.items():
        if node is module:
            continue
        got = resolver.range_of(node)
        assert (got.start.line + 1, got.start.column, got.end.line + 1, got.end.column) == (
            code_range.start.line,
            code_range.start.column,
            code_range.end.line,
            code_range.end.column,
        ), f"{name}: {type(node).__name__}"
        checked += 1
    assert checked > 0 or not module.body


def test_statement_spans_cover_the_file():
    module = cst.parse_module(TRICKY)
    resolver = PositionResolver(module)
    spans = [resolver.statement_span(i) for i in range(len(module.body))]
    assert spans[0][0] == len(module.header)  # leading comments belong to the header
    for (_, last), (first, _) in zip(spans, spans[1:], strict=False):
        assert first == last + 1

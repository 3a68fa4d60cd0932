"""The lazy, per-statement positions equal libcst's PositionProvider on the whole module."""

from __future__ import annotations

import inspect
import json.encoder
import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from precepts import positions, syntax
from precepts.positions import PositionResolver
from precepts.text import split_lines
from tests.engine.syntax_corpus import CORPUS
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


BLOCKS = textwrap.dedent(
    """\
    class Outer:
        class Inner:
            a = 1; b = 2

            @staticmethod
            # between
            @other
            def m(x):
                try:
                    y = x; z = y
                except ValueError as error:
                    pass
                except (TypeError, KeyError):
                    pass
                else:
                    for i in x:
                        continue
                    else:
                        while i:
                            break
                        else:
                            i = 0
                finally:
                    with open(x) as f, open(y) as g:
                        match f:
                            case [a, *rest] if a:
                                return a
                            case _:
                                if a: return 1
                                elif b:
                                    return 2
                                elif c: return 3
                                else:
                                    return 4

    def tight(x):
        if(x):
            y = x and not x
        while(x):
            for(a)in(x):
                z = a or x
        return y
    """
)


def _sources() -> list[tuple[str, str]]:
    sources = [
        ("tricky", TRICKY),
        ("blocks", BLOCKS),
        ("tricky-crlf", TRICKY.replace("\n", "\r\n")),
        ("no-trailing-newline", "x = 1\nif x:\n    y = 2"),
        ("only-comments", "# nothing\n\n# here\n"),
        ("json.encoder", inspect.getsource(json.encoder)),
    ]
    sources += [
        (p.name, p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "precepts").glob("*.py"))[:6]
    ]
    # Syntax of every version 3.8-3.14: where this interpreter cannot parse it, there is
    # no ``ast`` tree and positions are placed by rendering alone.
    sources += [(name, case.source) for name, case in CORPUS.items()]
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


def _with_ancestors(node: cst.CSTNode, path: tuple[cst.CSTNode, ...] = ()):
    yield node, path
    for child in node.children:
        yield from _with_ancestors(child, (*path, node))


@pytest.mark.parametrize("with_ast", [True, False], ids=["ast-lines", "counted-lines"])
@pytest.mark.parametrize(("name", "source"), _sources(), ids=[n for n, _ in _sources()])
def test_positions_through_the_walkers_path_equal_position_provider(
    name: str, source: str, with_ast: bool
):
    """Rendering only the innermost statement (pruned siblings) gives the same positions."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    tree = syntax.judge(source).tree
    resolver = PositionResolver(
        module,
        ast_module=(lambda: tree) if with_ast else None,
        line_text=split_lines(source).__getitem__ if with_ast else None,
    )
    for node, path in _with_ancestors(module):
        if node is module:
            continue
        got = resolver.range_of(node, path=path)
        want = expected[node]
        assert (got.start.line + 1, got.start.column, got.end.line + 1, got.end.column) == (
            want.start.line,
            want.start.column,
            want.end.line,
            want.end.column,
        ), f"{name}: {type(node).__name__}"


def test_a_wrong_path_falls_back_to_the_right_answer():
    module = cst.parse_module("def f() -> None:\n    x = 1\n\n\ndef g() -> None:\n    y = 2\n")
    resolver = PositionResolver(module)
    f_block = module.body[0].body
    y_statement = module.body[1].body.body[0]
    got = resolver.range_of(y_statement, path=(module, module.body[0], f_block))
    assert (got.start.line, got.start.column) == (5, 4)


@pytest.mark.parametrize("source", [TRICKY, BLOCKS, TRICKY.replace("\n", "\r\n")])
def test_each_node_alone_through_its_path(source: str):
    """No cache to lean on: every node is placed by rendering its own innermost statement."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    tree = syntax.judge(source).tree
    for node, path in _with_ancestors(module):
        if node is module:
            continue
        for with_ast in (True, False):
            resolver = PositionResolver(
                module,
                ast_module=(lambda: tree) if with_ast else None,
                line_text=split_lines(source).__getitem__ if with_ast else None,
            )
            for cut in (len(path), max(1, len(path) - 1)):  # full path, or one short
                got = resolver.range_of(node, path=path[:cut])
                want = expected[node]
                assert (got.start.line + 1, got.start.column, got.end.line + 1, got.end.column) == (
                    want.start.line,
                    want.start.column,
                    want.end.line,
                    want.end.column,
                ), f"{type(node).__name__} with_ast={with_ast} cut={cut}"


def _enclosing_definition(path: tuple[cst.CSTNode, ...]) -> int:
    """Return how much of ``path`` leads to its innermost ``def``/``class`` (inclusive)."""
    for index in range(len(path) - 1, 0, -1):
        if isinstance(path[index], (cst.FunctionDef, cst.ClassDef)):
            return index + 1
    return len(path)


@pytest.mark.parametrize(("name", "source"), _sources(), ids=[n for n, _ in _sources()])
def test_starts_equal_position_provider(name: str, source: str):
    """``start_of`` places statements and clauses by the ``ast`` tree, rendering nothing.

    Paths are given whole, and cut at the innermost ``def``/``class`` the way a rule
    that reports from a visited definition records them.
    """
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    tree = syntax.judge(source).tree
    lines = split_lines(source)
    whole, cut_short = (
        PositionResolver(module, ast_module=lambda: tree, line_text=lines.__getitem__)
        for _ in range(2)
    )
    placed = 0
    for node, path in _with_ancestors(module):
        if node is module:
            continue
        want = expected[node].start
        for resolver, cut in ((whole, len(path)), (cut_short, _enclosing_definition(path))):
            got = resolver.start_of(node, path=path[:cut])
            assert (got.line + 1, got.column) == (want.line, want.column), (
                f"{name}: {type(node).__name__} cut={cut}"
            )
        placed += isinstance(node, (cst.If, cst.For, cst.ExceptHandler, cst.SimpleStatementLine))
    assert placed > 0 or not module.body


def test_a_header_node_renders_without_the_body(monkeypatch: pytest.MonkeyPatch):
    """A parameter reported from its function is placed without rendering the body."""
    source = "def f(\n    a,\n    b,\n):\n" + "".join(f"    x{i} = {i}\n" for i in range(50))
    module = cst.parse_module(source)
    function = module.body[0]
    param = function.params.params[1].name
    rendered: list[int] = []
    original = positions.resolve_positions

    def counting(alone: cst.Module):
        rendered.append(alone.code.count("\n"))
        return original(alone)

    monkeypatch.setattr(positions, "resolve_positions", counting)
    got = PositionResolver(module).range_of(param, path=(module, function))
    assert (got.start.line, got.start.column, got.end.column) == (2, 4, 5)
    assert rendered and max(rendered) < 10

"""BP605 emoji-in-log-output: emoji by Unicode property, whole sequences, exact positions."""

from __future__ import annotations

import sys
import textwrap

import pytest
import regex

from precepts.rules.services._emoji import emoji_spans, is_pictographic
from precepts.rules.services._emoji_table import EXTENDED_PICTOGRAPHIC, REGIONAL_INDICATOR
from precepts.server.convert import Converter
from precepts.text import ColumnUnit, LineIndex
from tests.helpers import check

HEADER = "import logging\n\nlogger = logging.getLogger(__name__)\n"


def _run(code: str, path: str = "app/service.py"):
    result = check(code, path=path, select=["BP605"])
    assert not result.errors, [e.trace for e in result.errors]
    return result


def _ranges(table: tuple[tuple[int, int], ...]) -> set[int]:
    return {point for low, high in table for point in range(low, high + 1)}


def test_the_table_is_the_unicode_property() -> None:
    # The generated table must say exactly what regex's Unicode data says (regenerate it
    # with scripts/generate_emoji_table.py when this fails after an upgrade).
    pictographic = regex.compile(r"\p{Extended_Pictographic}")
    regional = regex.compile(r"\p{Regional_Indicator}")
    every = [chr(point) for point in range(sys.maxunicode + 1)]
    assert _ranges(EXTENDED_PICTOGRAPHIC) == {ord(c) for c in every if pictographic.match(c)}
    assert _ranges(REGIONAL_INDICATOR) == {ord(c) for c in every if regional.match(c)}


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("🚀 Starting", [(0, 1)]),
        ("done ✅", [(5, 6)]),
        ("❤️ thanks", [(0, 2)]),  # with the emoji variation selector
        ("👨‍👩‍👧 family", [(0, 5)]),  # one ZWJ sequence
        ("👍🏽 ok", [(0, 2)]),  # a skin-tone modifier
        ("🇫🇷 flag", [(0, 2)]),  # regional indicators
        ("1️⃣ first", [(0, 3)]),  # a keycap
        ("🚀🚀", [(0, 1), (1, 2)]),
        ("©️ brand", [(0, 2)]),  # © asked to look like an emoji
        ("© 2026 ACME™ ®", []),  # printable on a Windows code page
        ("→ • ✓ é ü 中文", []),  # symbols and letters, not emoji
        ("plain ascii", []),
    ],
)
def test_emoji_spans(text: str, spans: list[tuple[int, int]]) -> None:
    assert emoji_spans(text) == spans


def test_is_pictographic_has_no_gaps_at_range_edges() -> None:
    for low, high in EXTENDED_PICTOGRAPHIC:
        assert is_pictographic(chr(low)) and is_pictographic(chr(high))
        if low > 0:
            assert is_pictographic(chr(low - 1)) == any(
                lo <= low - 1 <= hi for lo, hi in EXTENDED_PICTOGRAPHIC
            )


@pytest.mark.parametrize(
    "line",
    [
        'logger.info("🚀 Starting application...")',
        'print("✅ User created successfully")',
        'logger.warning(f"{name} ⚠️ low disk")',
        'logging.error("failed ❌")',
        'logger.info("%s", "done " + "🎉")',
        'print("\\U0001F680 start")',  # an escape: the value holds the emoji
        'logger.info(\n    "multi"\n    " 🚀 part"\n)',
    ],
)
def test_flags_emoji_in_output(line: str) -> None:
    assert len(_run(f"{HEADER}{line}\n").findings) == 1


@pytest.mark.parametrize(
    "line",
    [
        'label = "🚀 Launch"',
        'return_value = {"icon": "✅"}',
        'logger.info("Starting application")',
        'print("© 2026")',
        "logger.info(message)",  # built elsewhere: not followed
        'response = make_response("🎉 done")',
        'handler = lambda: "🚀"',
        'print(b"\\xf0\\x9f\\x9a\\x80")',
    ],
)
def test_leaves_alone(line: str) -> None:
    assert _run(f"{HEADER}{line}\n").findings == []


def test_the_range_covers_the_emoji_in_code_points_and_utf16() -> None:
    code = f'{HEADER}logger.info(f"{{user}}: 👨‍👩‍👧 and 🚀 done")\n'
    result = _run(code)
    first, second = result.findings
    line = code.splitlines()[3]
    assert line[first.range.start.column : first.range.end.column] == "👨‍👩‍👧"
    assert line[second.range.start.column : second.range.end.column] == "🚀"
    converter = Converter(LineIndex(code).line_text, ColumnUnit.UTF16)
    utf16 = converter.range_to_client(second.range)
    encoded = line.encode("utf-16-le")
    assert encoded[utf16.start.character * 2 : utf16.end.character * 2].decode("utf-16-le") == "🚀"
    assert utf16.end.character - utf16.start.character == 2  # a surrogate pair


def test_positions_inside_a_triple_quoted_string() -> None:
    code = f'{HEADER}print("""first\n  then 🚀""")\n'
    (finding,) = _run(code).findings
    assert (finding.range.start.line, finding.range.start.column) == (4, 7)
    assert (finding.range.end.line, finding.range.end.column) == (4, 8)


def test_tests_are_left_alone() -> None:
    code = textwrap.dedent('def test_it():\n    print("🚀")\n')
    assert _run(code, path="tests/test_start.py").findings == []

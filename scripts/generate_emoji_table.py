r"""Write ``rules/services/_emoji_table.py`` from the Unicode data the ``regex`` package ships.

Python's ``unicodedata`` has no ``Extended_Pictographic`` property, so BP605 reads a
table of code point ranges generated here, offline, from ``regex``'s
``\p{Extended_Pictographic}`` and ``\p{Regional_Indicator}``. Run it after upgrading
``regex`` (``pip install -e '.[test]'`` installs it); ``tests/rules/test_bp605_*`` fails
while the table and ``regex`` disagree.

Usage: ``python scripts/generate_emoji_table.py``
"""

from __future__ import annotations

import sys
from pathlib import Path

import regex

TARGET = Path(__file__).resolve().parent.parent / "rules" / "services" / "_emoji_table.py"


def ranges(pattern: str) -> list[tuple[int, int]]:
    """Return the inclusive code point ranges a property pattern matches.

    Args:
        pattern: A ``regex`` pattern matching one code point.

    Returns:
        The ranges, in order.
    """
    compiled = regex.compile(pattern)
    found: list[tuple[int, int]] = []
    for point in range(sys.maxunicode + 1):
        if not compiled.match(chr(point)):
            continue
        if found and found[-1][1] == point - 1:
            found[-1] = (found[-1][0], point)
        else:
            found.append((point, point))
    return found


def render(name: str, values: list[tuple[int, int]]) -> str:
    """Render one table as Python source.

    Args:
        name: The constant's name.
        values: Its ranges.

    Returns:
        The source lines.
    """
    rows = "".join(f"    (0x{low:04X}, 0x{high:04X}),\n" for low, high in values)
    return f"{name}: tuple[tuple[int, int], ...] = (\n{rows})\n"


def main() -> None:
    """Generate the table module."""
    header = (
        '"""Unicode emoji properties as code point ranges (generated: do not edit).\n\n'
        "Written by ``scripts/generate_emoji_table.py`` from the ``regex`` package's Unicode\n"
        f"data (regex {regex.__version__}): ``Extended_Pictographic`` and "
        "``Regional_Indicator``.\n"
        '"""\n\n'
    )
    body = render("EXTENDED_PICTOGRAPHIC", ranges(r"\p{Extended_Pictographic}"))
    body += "\n" + render("REGIONAL_INDICATOR", ranges(r"\p{Regional_Indicator}"))
    TARGET.write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()

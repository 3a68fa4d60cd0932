"""Extract the ✅ GOOD / ❌ BAD Python snippets of ``backend-standards.md``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_MARKER = re.compile(r"^#\s*(✅|❌)\s*(GOOD|BAD)\b(.*)$")


@dataclass(frozen=True)
class Snippet:
    """One ✅ or ❌ part of a fenced Python block."""

    headings: tuple[str, ...]
    kind: str  # "good" or "bad"
    title: str
    code: str
    line: int  # 1-based line of the marker in the standard

    @property
    def ident(self) -> str:
        """A stable, readable test id."""
        return f"L{self.line}-{self.kind}-{self.headings[-1] if self.headings else 'top'}"


def extract(path: Path) -> list[Snippet]:
    """Return every ✅/❌ part of the ```python blocks, with the headings above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    headings: dict[int, str] = {}
    snippets: list[Snippet] = []
    in_block = False
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not in_block:
            match = _HEADING.match(line)
            if match:
                level = len(match.group(1))
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = match.group(2)
            elif line.strip().startswith("```python"):
                in_block, block = True, []
            continue
        if line.strip().startswith("```"):
            in_block = False
            chain = tuple(headings[k] for k in sorted(headings))
            snippets.extend(_split(block, chain))
            continue
        block.append((number, line))
    return snippets


def _split(block: list[tuple[int, str]], chain: tuple[str, ...]) -> list[Snippet]:
    parts: list[Snippet] = []
    current: tuple[str, str, int] | None = None
    body: list[str] = []
    for number, line in block:
        match = _MARKER.match(line)
        if match:
            if current is not None:
                parts.append(
                    Snippet(chain, current[0], current[1], "\n".join(body) + "\n", current[2])
                )
            kind = "good" if match.group(1) == "✅" else "bad"
            current, body = (kind, match.group(3).strip(" :"), number), [line]
        elif current is not None:
            body.append(line)
    if current is not None:
        parts.append(Snippet(chain, current[0], current[1], "\n".join(body) + "\n", current[2]))
    return parts

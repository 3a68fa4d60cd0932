"""Adding settings to a TOML or INI file, keeping everything else as written.

Edits are small insertions: a key goes on its own line after the last key of its
table, a missing table goes after the file's other coverage tables (or at the end);
comments, blank lines, key order and quoting stay as they were, and values already
written are never changed. Headers are only *located* line by line; every edit is
then proven by parsing the result with the file's own parser (``tomllib``,
``configparser``): the added settings must read as intended and every other value must
be unchanged, or no edit is offered at all.
"""

from __future__ import annotations

import configparser
import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from precepts.filekinds import FileKind
from precepts.findings import Position, Range, TextEdit
from precepts.fixes import apply_edits
from precepts.rules.testing._coverage import load_ini, load_toml
from precepts.text import split_lines

_TOML_HEADER = re.compile(r"""^\s*\[(?!\[)\s*([A-Za-z0-9_\-."' ]+?)\s*\]\s*(?:#.*)?$""")
_TOML_ANY_HEADER = re.compile(r"""^\s*\[\[?\s*[A-Za-z0-9_\-."' ]+\]\]?\s*(?:#.*)?$""")
_INI_HEADER = re.compile(r"^\[([^\]]+)\]")
_KEY_PART = re.compile(r""""[^"]*"|'[^']*'|[^.\s]+""")


@dataclass(frozen=True)
class Setting:
    """One key to set in a table.

    Attributes:
        table: The table or section, as the file names it (``tool.coverage.report``,
            ``coverage:report``, ``report``).
        key: The key (``fail_under``).
        value: The value as it is written (``80``, ``true``, ``True``).
    """

    table: str
    key: str
    value: str


def _toml_table_name(header: str) -> str:
    return ".".join(part.strip("\"'") for part in _KEY_PART.findall(header))


@dataclass(frozen=True)
class _Block:
    """A table's lines: its header and its last line holding a value."""

    name: str
    header: int
    last: int
    end: int  # the first line after the block


def _header_name(line: str, kind: FileKind) -> tuple[bool, str | None]:
    """Tell whether a line is a table header, and the table it opens (None: an array)."""
    if kind is FileKind.TOML:
        if not _TOML_ANY_HEADER.match(line):
            return False, None
        match = _TOML_HEADER.match(line)
        return True, _toml_table_name(match.group(1)) if match else None
    match = _INI_HEADER.match(line)
    return (True, match.group(1)) if match else (False, None)


def _last_value_line(lines: Sequence[str], header: int, end: int) -> int:
    last = header
    for number in range(header + 1, end):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith(("#", ";")):
            last = number
    return last


def _blocks(lines: Sequence[str], kind: FileKind) -> list[_Block]:
    starts = []
    for number, line in enumerate(lines):
        is_header, name = _header_name(line, kind)
        if is_header:
            starts.append((number, name))
    blocks = []
    for index, (header, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        if name is not None:
            blocks.append(_Block(name, header, _last_value_line(lines, header, end), end))
    return blocks


def _key_line(lines: Sequence[str], block: _Block, key: str) -> int | None:
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[=:]""")
    return next((n for n in range(block.header + 1, block.end) if pattern.match(lines[n])), None)


class _Plan:
    """The edits of one fix, gathered before they are proven."""

    def __init__(self, lines: list[str], kind: FileKind, newline: str, prefix: str) -> None:
        self.lines, self.kind, self.newline, self.prefix = lines, kind, newline, prefix
        self.blocks = _blocks(lines, kind)
        self.inserts: dict[int, list[str]] = {}

    def block(self, table: str) -> _Block | None:
        return next((block for block in self.blocks if block.name == table), None)

    def add(self, setting: Setting) -> None:
        line = f"{setting.key} = {setting.value}"
        block = self.block(setting.table)
        if block is not None:
            # Keys of the table come before any new table anchored on the same line.
            pending = self.inserts.setdefault(block.last, [])
            pending.insert(pending.index("") if "" in pending else len(pending), line)
            return
        family = [b for b in self.blocks if b.name.startswith(self.prefix)] if self.prefix else []
        after = (family or self.blocks or [None])[-1]
        anchor = after.last if after is not None else self._last_content_line()
        pending = self.inserts.setdefault(anchor, [])
        header = f"[{setting.table}]"
        if header in pending:
            pending.insert(pending.index(header) + 1, line)
        else:
            pending.extend(["", header, line])

    def _last_content_line(self) -> int:
        for number in range(len(self.lines) - 1, -1, -1):
            if self.lines[number].strip():
                return number
        return -1

    def text_edits(self) -> list[TextEdit]:
        edits = []
        for number, added in self.inserts.items():
            if number < 0:
                block = self.newline.join(line for line in added if line) + self.newline
                edits.append(TextEdit(Range.of(0, 0, 0, 0), block))
                continue
            end = Position(number, len(self.lines[number]))
            edits.append(TextEdit(Range(end, end), "".join(self.newline + a for a in added)))
        return sorted(edits, key=lambda edit: edit.range)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def plan_edits(
    text: str,
    kind: FileKind,
    settings: Sequence[Setting],
    prefix: str,
    reads_right: Callable[[str], bool],
) -> list[TextEdit] | None:
    """Plan the edits that set ``settings``, proven by parsing the result.

    Args:
        text: The file's text.
        kind: TOML or INI.
        settings: What to set.
        prefix: The name new tables start with, to keep them beside their family
            (``tool.coverage.``, ``coverage:``; ``""``: at the end).
        reads_right: Tells whether the fixed text reads as intended (the caller's own
            reading of the settings).

    Returns:
        The edits, or None when they cannot be made safely (a table written as an inline
        table or with dotted keys, a result that would not parse or would change anything
        else).
    """
    lines = split_lines(text)
    plan = _Plan(lines, kind, _newline(text), prefix)
    for setting in settings:
        plan.add(setting)
    edits = plan.text_edits()
    fixed = apply_edits(text, edits)
    if not fixed.endswith(("\n", "\r")) and text.endswith(("\n", "\r")):
        return None
    if not (reads_right(fixed) and _others_unchanged(text, fixed, kind, settings)):
        return None
    return edits


def _toml_without(data: dict[str, Any], settings: Sequence[Setting]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for setting in settings:
        path = [*setting.table.split("."), setting.key]
        _drop(data, path)
    return data


def _drop(data: Any, path: list[str]) -> None:
    if not isinstance(data, dict) or path[0] not in data:
        return
    if len(path) == 1:
        del data[path[0]]
        return
    _drop(data[path[0]], path[1:])
    if data[path[0]] == {}:
        del data[path[0]]


def _ini_without(
    parser: configparser.RawConfigParser, settings: Sequence[Setting]
) -> dict[str, dict[str, str]]:
    values = {name: dict(parser.items(name)) for name in parser.sections()}
    for setting in settings:
        values.get(setting.table, {}).pop(setting.key, None)
    return {name: items for name, items in values.items() if items}


def _others_unchanged(before: str, after: str, kind: FileKind, settings: Sequence[Setting]) -> bool:
    if kind is FileKind.TOML:
        old, new = load_toml(before), load_toml(after)
        if old is None or new is None:
            return False
        return _toml_without(old, settings) == _toml_without(new, settings)
    old_ini, new_ini = load_ini(before), load_ini(after)
    if old_ini is None or new_ini is None:
        return False
    return _ini_without(old_ini, settings) == _ini_without(new_ini, settings)


def header_line(text: str, kind: FileKind, table: str) -> int | None:
    """Return the 0-based line of a table's header (None when it has none).

    Args:
        text: The file's text.
        kind: TOML or INI.
        table: The table's name as the file writes it.

    Returns:
        The line, or None.
    """
    lines = split_lines(text)
    return next((b.header for b in _blocks(lines, kind) if b.name == table), None)


def key_line(text: str, kind: FileKind, table: str, key: str) -> int | None:
    """Return the 0-based line where a key of a table is set (None when it is not found).

    Args:
        text: The file's text.
        kind: TOML or INI.
        table: The table's name as the file writes it.
        key: The key.

    Returns:
        The line, or None.
    """
    lines = split_lines(text)
    block = next((b for b in _blocks(lines, kind) if b.name == table), None)
    return _key_line(lines, block, key) if block is not None else None

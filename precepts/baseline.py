"""The baseline: findings a team has accepted for now, so only new ones are reported.

A baseline file records, per file, each finding's rule code and a *fingerprint* of the
finding's own code (the text of its range with whitespace collapsed), with how many
times that pair occurs. Line numbers are not part of it, so inserting lines above an old
finding leaves it matched, while a second copy of the same mistake exceeds the count and
is new. The command line and the language server read the same file.

The file is JSON, sorted and indented, so that its diffs are reviewable::

    {
      "files": {
        "app/main.py": [
          {"code": "BP603", "count": 2, "fingerprint": "3f0c9a1e44b2d871"}
        ]
      },
      "schema": "precepts-baseline",
      "version": 1
    }
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from precepts.atomic import write_atomically
from precepts.config import Settings
from precepts.findings import Finding
from precepts.text import split_lines

SCHEMA = "precepts-baseline"
VERSION = 1
DEFAULT_NAME = "precepts-baseline.json"

Key = tuple[str, str]  # (code, fingerprint)


class BaselineError(Exception):
    """A baseline file cannot be read or is not a precepts baseline."""


def default_path(settings: Settings) -> Path:
    """Return where the baseline of these settings lives.

    ``baseline = "..."`` in the configuration is relative to the configuration's
    directory; without it the file is ``precepts-baseline.json`` beside the configuration
    (in the settings' root when there is no configuration file).

    Args:
        settings: The governing settings.

    Returns:
        The baseline's path (it need not exist).
    """
    base = settings.path.parent if settings.path is not None else settings.root
    return (base / (settings.baseline or DEFAULT_NAME)).resolve()


def _range_text(lines: Sequence[str], finding: Finding) -> str:
    start, end = finding.range.start, finding.range.end
    if start.line >= len(lines):
        return ""
    if start.line == end.line:
        return lines[start.line][start.column : end.column]
    parts = [lines[start.line][start.column :]]
    parts.extend(lines[start.line + 1 : min(end.line, len(lines))])
    if end.line < len(lines):
        parts.append(lines[end.line][: end.column])
    return "\n".join(parts)


def fingerprint(finding: Finding, lines: Sequence[str]) -> str:
    """Return the fingerprint of a finding: its code's text, whitespace collapsed.

    Two kinds of finding have no code of their own, and their message stands in, so
    that lines inserted above them do not make them new: one at a point (an empty
    range) and one about the file as a whole, which rules anchor on the whole first
    line (a missing module docstring).

    Args:
        finding: The finding.
        lines: The lines of the file it is in.

    Returns:
        16 hex digits.
    """
    where = finding.range
    whole_first_line = (
        where.start.line == where.end.line == where.start.column == 0
        and bool(lines)
        and where.end.column == len(lines[0])
    )
    code = "" if whole_first_line else " ".join(_range_text(lines, finding).split())
    code = code or f"\0{finding.message}"
    digest = hashlib.sha256(f"{finding.code}\0{code}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def keys_of(findings: Iterable[Finding], text: str) -> list[Key]:
    """Return the baseline key of each finding, in order.

    Args:
        findings: Findings of one file.
        text: That file's text.

    Returns:
        (code, fingerprint) per finding.
    """
    findings = list(findings)
    if not findings:
        return []
    lines = split_lines(text)
    return [(finding.code, fingerprint(finding, lines)) for finding in findings]


@dataclass
class Baseline:
    """The accepted findings, per file path relative to the baseline's directory.

    Attributes:
        root: The directory file paths are relative to.
        entries: Relative path → counts of (code, fingerprint).
    """

    root: Path
    entries: dict[str, Counter[Key]] = field(default_factory=dict)

    # -- reading and writing --------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file.

        Args:
            path: The file.

        Returns:
            The baseline.

        Raises:
            BaselineError: When it cannot be read or is not a baseline of this schema.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise BaselineError(f"{path}: cannot read the baseline: {error}") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise BaselineError(f"{path}: not a precepts baseline")
        if data.get("version") != VERSION:
            raise BaselineError(f"{path}: baseline version {data.get('version')!r} is unknown")
        baseline = cls(path.parent.resolve())
        files = data.get("files")
        if not isinstance(files, dict):
            raise BaselineError(f"{path}: `files` must be a table")
        for name, items in files.items():
            baseline.entries[name] = _parse_items(path, name, items)
        return baseline

    def dumps(self) -> str:
        """Return the file's text: sorted JSON, one entry per line, ending in a newline.

        Returns:
            The text.
        """
        blocks = []
        for name, counts in sorted(self.entries.items()):
            items = [
                json.dumps({"code": code, "count": count, "fingerprint": print_}, sort_keys=True)
                for (code, print_), count in sorted(counts.items())
                if count > 0
            ]
            if items:
                body = ",\n".join(f"      {item}" for item in items)
                blocks.append(f"    {json.dumps(name)}: [\n{body}\n    ]")
        files = "{\n" + ",\n".join(blocks) + "\n  }" if blocks else "{}"
        return f'{{\n  "files": {files},\n  "schema": "{SCHEMA}",\n  "version": {VERSION}\n}}\n'

    def save(self, path: Path) -> None:
        """Write the baseline atomically.

        Args:
            path: The file.
        """
        write_atomically(path, self.dumps().encode("utf-8"))

    # -- matching -------------------------------------------------------------------

    def name_of(self, path: str | Path) -> str:
        """Return how a file is named in the baseline (relative, ``/`` separators).

        Args:
            path: The file.

        Returns:
            Its name.
        """
        resolved = Path(path).resolve()
        try:
            return resolved.relative_to(self.root).as_posix()
        except ValueError:
            return resolved.as_posix()

    def split(
        self, path: str | Path, text: str, findings: Sequence[Finding]
    ) -> tuple[list[Finding], list[Finding]]:
        """Separate a file's findings into new ones and ones the baseline accepts.

        Findings are matched in file order: the first ``count`` occurrences of a key are
        accepted, any more are new.

        Args:
            path: The file.
            text: Its text (the fingerprints are computed from it).
            findings: Its findings.

        Returns:
            (new findings, accepted findings).
        """
        accepted = self.entries.get(self.name_of(path))
        if not accepted or not findings:
            return list(findings), []
        left = Counter(accepted)
        new, hidden = [], []
        for finding, key in zip(findings, keys_of(findings, text), strict=True):
            if left[key] > 0:
                left[key] -= 1
                hidden.append(finding)
            else:
                new.append(finding)
        return new, hidden

    def record(self, path: str | Path, text: str, findings: Sequence[Finding]) -> None:
        """Accept exactly these findings for a file (``--write-baseline``).

        Args:
            path: The file.
            text: Its text.
            findings: Its current findings.
        """
        self.entries[self.name_of(path)] = Counter(keys_of(findings, text))

    def shrink(self, path: str | Path, text: str, findings: Sequence[Finding]) -> int:
        """Forget accepted findings that are gone; never accept new ones.

        Args:
            path: The file.
            text: Its text.
            findings: Its current findings.

        Returns:
            How many accepted findings were forgotten.
        """
        name = self.name_of(path)
        accepted = self.entries.get(name)
        if not accepted:
            return 0
        current = Counter(keys_of(findings, text))
        kept = Counter({key: min(count, current[key]) for key, count in accepted.items()})
        self.entries[name] = +kept
        return sum(accepted.values()) - sum(kept.values())

    def forget_missing(self) -> int:
        """Drop the entries of files that no longer exist.

        Returns:
            How many accepted findings were dropped.
        """
        gone = [name for name in self.entries if not (self.root / name).is_file()]
        dropped = sum(sum(self.entries[name].values()) for name in gone)
        for name in gone:
            del self.entries[name]
        return dropped

    def total(self) -> int:
        """Return how many findings the baseline accepts.

        Returns:
            The count.
        """
        return sum(sum(counts.values()) for counts in self.entries.values())


def _parse_items(path: Path, name: str, items: Any) -> Counter[Key]:
    if not isinstance(items, list):
        raise BaselineError(f"{path}: the entry of {name!r} must be a list")
    counts: Counter[Key] = Counter()
    for item in items:
        if not isinstance(item, dict):
            raise BaselineError(f"{path}: an entry of {name!r} is not a table")
        code, print_, count = item.get("code"), item.get("fingerprint"), item.get("count", 1)
        if not isinstance(code, str) or not isinstance(print_, str):
            raise BaselineError(f"{path}: an entry of {name!r} lacks `code` or `fingerprint`")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise BaselineError(f"{path}: an entry of {name!r} has a bad `count`")
        counts[(code, print_)] += count
    return counts

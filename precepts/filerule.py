"""File rules: rules that read a whole configuration file instead of a Python tree.

A :class:`FileRule` is a :class:`precepts.rule.Rule` in every way the rest of precepts
sees (code, docs, ✅/❌ examples, options, severity, ``select``/``ignore``,
``per-file-ignores``, the registry, ``precepts rule``), so it is configured, documented
and tested like any other. It differs in what it reads: the engine never walks a
Python tree with it; it calls :meth:`FileRule.check` once for each file whose name is
in :attr:`FileRule.files`, with a :class:`FileContext` holding that file's text. Its
findings carry plain ranges and its fixes plain :class:`precepts.findings.TextEdit`
changes; the engine keeps a fix only when the fixed text still parses as the file's
kind (:mod:`precepts.filekinds`).

Both front ends reach file rules through :meth:`precepts.engine.Checker.check`, which
dispatches on the file's name: the CLI when such a file is named or found in a checked
folder, the language server when the editor opens one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from precepts.filekinds import FileKind
from precepts.findings import Range, RelatedLocation
from precepts.rule import FixSpec, PendingFinding, Related, Rule
from precepts.text import LineIndex


def read_from_disk(path: Path) -> str | None:
    """Read a file beside the checked one (None when it is missing or unreadable).

    Args:
        path: The file.

    Returns:
        Its text, or None.
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@dataclass
class FileContext:
    """What a file rule may ask about the file being checked.

    Attributes:
        path: The file's path as given to the engine.
        text: Its text.
        kind: Its syntax (TOML or INI).
        read: Reads another file by path (a sibling configuration file); the language
            server may answer from the editor's unsaved text.
    """

    path: str
    text: str
    kind: FileKind
    read: Callable[[Path], str | None] = field(default=read_from_disk)

    @cached_property
    def lines(self) -> LineIndex:
        """The text's line index."""
        return LineIndex(self.text)

    @property
    def name(self) -> str:
        """The file's name (``pyproject.toml``)."""
        return Path(self.path).name

    def sibling(self, name: str) -> str | None:
        """Return the text of a file in the same directory, or None when there is none.

        Args:
            name: The sibling's file name (``.coveragerc``).

        Returns:
            Its text, or None.
        """
        return self.read(Path(self.path).with_name(name))

    def line_range(self, line: int) -> Range:
        """Return the range of a whole line (without its newline).

        Args:
            line: The 0-based line.

        Returns:
            The range.
        """
        line = max(0, min(line, len(self.lines.lines) - 1))
        return Range.of(line, 0, line, len(self.lines.line_text(line)))


class FileRule(Rule):
    """Base class of rules that check a configuration file rather than Python code.

    Class attributes (besides those of :class:`Rule`):
        files: The file names the rule reads (``pyproject.toml``, ``setup.cfg``...);
            each must be one of :data:`precepts.filekinds.CONFIG_FILES`.

    Per-file state is set up as in any rule, by overriding :meth:`Rule.setup` (a new
    instance is made for every file, and ``setup`` runs before :meth:`check`).
    """

    files: ClassVar[frozenset[str]] = frozenset()
    scope: ClassVar[str] = "file"
    context: FileContext  # type: ignore[assignment]  # bound by the engine, as for any rule

    def check(self) -> None:
        """Check ``self.context`` (the file) and report with :meth:`report_at`."""
        raise NotImplementedError

    def report_at(
        self,
        where: Range,
        message: str | None = None,
        *,
        fix: FixSpec | None = None,
        related: Sequence[Related | RelatedLocation] = (),
    ) -> None:
        """Report a finding at a range of the file.

        Args:
            where: The range.
            message: A specific message; defaults to the rule's ``message``.
            fix: A fix whose changes are :class:`precepts.findings.TextEdit` values.
            related: Secondary locations (ranges).
        """
        self.pending.append(
            PendingFinding(
                rule=self,
                where=where,
                message=message or self.message,
                fix=fix,
                related=related,
                data={},
                hint=0,
            )
        )

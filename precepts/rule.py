"""The rule format: one class per rule, carrying its code, docs, examples and fix.

A rule is a libcst visitor (``visit_<Node>`` / ``leave_<Node>`` methods, as in
``libcst.BatchableCSTVisitor``). The engine runs every enabled rule in one traversal
of the module, so a rule must not rely on the return value of ``visit_*`` to prune
children. A rule reports with :meth:`Rule.report`; it may attach a fix built from
:class:`Replace`, :class:`InsertBefore`, :class:`InsertAfter`, :class:`Remove` or raw
:class:`precepts.findings.TextEdit` changes. Positions are computed by the engine
only for nodes that are reported, which is what keeps a check close to parse cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from precepts.findings import Applicability, Range, RelatedLocation, Severity, TextEdit

if TYPE_CHECKING:
    from precepts.context import RuleContext


@dataclass(frozen=True)
class Option:
    """A configurable option of a rule.

    Attributes:
        default: The value used when the configuration says nothing.
        description: One line for the docs.
    """

    default: Any
    description: str

    def accepts(self, value: Any) -> bool:
        """Tell whether ``value`` has the type of the default.

        Args:
            value: A value read from configuration.

        Returns:
            True when it is acceptable.
        """
        expected = type(self.default)
        if expected is bool:
            return isinstance(value, bool)
        if expected is int:
            return isinstance(value, int) and not isinstance(value, bool)
        if expected in (list, tuple):
            return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        return isinstance(value, expected)


@dataclass(frozen=True)
class Example:
    """A documented example that doubles as a test case.

    Attributes:
        code: Real, parseable Python.
        line: For a ❌ example, the 1-based line where the finding starts.
        fixed: For a ❌ example with a fix, the exact text the fix must produce.
        path: The file name the example is checked under.
        options: Rule options the example is checked with.
        also: Other codes a ❌ example unavoidably raises too (kept rare).
        target_version: The ``target-version`` the example is checked under (``py310``);
            None: the default (the newest Python).
    """

    code: str
    line: int | None = None
    fixed: str | None = None
    path: str = "app/example.py"
    options: Mapping[str, Any] = field(default_factory=dict)
    also: tuple[str, ...] = ()
    target_version: str | None = None


@dataclass(frozen=True)
class Replace:
    """Replace a node's text with new code (a node or a string)."""

    node: cst.CSTNode
    new: cst.CSTNode | str


@dataclass(frozen=True)
class Remove:
    """Remove a node's text."""

    node: cst.CSTNode


@dataclass(frozen=True)
class InsertBefore:
    """Insert text immediately before a node (``whole_line`` inserts lines above it, indented)."""

    node: cst.CSTNode
    text: str
    whole_line: bool = False


@dataclass(frozen=True)
class InsertAfter:
    """Insert text immediately after a node (``whole_line`` inserts lines below it, indented)."""

    node: cst.CSTNode
    text: str
    whole_line: bool = False


Change = Replace | Remove | InsertBefore | InsertAfter | TextEdit


@dataclass(frozen=True)
class FixSpec:
    """A fix as a rule describes it; the engine turns it into text edits."""

    message: str
    changes: Sequence[Change]
    applicability: Applicability | None = None


@dataclass
class Related:
    """A secondary location as a rule describes it: a node or a ready range."""

    where: cst.CSTNode | Range
    message: str


@dataclass
class PendingFinding:
    """A finding before the engine has computed its positions."""

    rule: Rule
    where: cst.CSTNode | Range
    message: str
    fix: FixSpec | None
    related: Sequence[Related | RelatedLocation]
    data: dict[str, Any]
    hint: int


def joined_parts(parts: Sequence[tuple[Any, ...] | None]) -> tuple[Any, ...] | None:
    """Combine part summaries that are tuples of items (None for none): all items, in order.

    Args:
        parts: The parts' summaries.

    Returns:
        Every item, or None when there is none.
    """
    items = tuple(item for part in parts if part for item in part)
    return items or None


class Rule(cst.BatchableCSTVisitor):
    """Base class of every rule. Subclasses set the class attributes and visit nodes.

    Class attributes (all required unless a default is shown):
        code: ``BPnxx`` from the rule catalogue.
        name: kebab-case name.
        family: ``python``, ``sqlalchemy``, ``fastapi``, ``auth``, ``sql``, ``services``,
            ``testing`` or a team's own.
        section: The heading of ``backend-standards.md`` the rule enforces.
        severity: Default severity.
        message: The default message (a rule may report a more specific one).
        summary: What it flags, in one or two sentences.
        why: Why it matters.
        leaves_alone: What it deliberately does not flag.
        fix_description: What the fix does, or ``None`` when there is no fix.
        fix_applicability: Safety of the fix when there is one.
        options: Configurable options with defaults.
        bad: ❌ examples (each fires this rule on its ``line``).
        good: ✅ examples (each is silent).
        bad_cases: Terse ❌ edge cases, tested like ``bad`` but never shown (hover and docs
            show the examples only). A string is a case whose finding is on line 1.
        good_cases: Terse ✅ edge cases, tested like ``good`` but never shown; a string is
            the case's code.
        scope: ``statement`` when findings depend only on the statement and module facts;
            ``module`` when the rule concludes over the whole module. A module rule records
            what it saw in each top-level statement, returns that summary from
            :meth:`end_statement`, and reports from :meth:`finish`, which receives every
            statement's summary. The language server caches summaries per statement, so
            a module rule never needs the whole module to be walked again.
        summary_parts: True when a module rule's summaries combine (:meth:`combine`): the
            language server then summarises a long class part by part (its head, then
            each statement of its body, walked with the class replayed around it, see
            ``context.replaying``) and walks again only the part an edit touched.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    section: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    message: ClassVar[str]
    summary: ClassVar[str]
    why: ClassVar[str]
    leaves_alone: ClassVar[str] = ""
    fix_description: ClassVar[str | None] = None
    fix_applicability: ClassVar[Applicability] = Applicability.SAFE
    options: ClassVar[Mapping[str, Option]] = {}
    bad: ClassVar[Sequence[Example]] = ()
    good: ClassVar[Sequence[Example]] = ()
    bad_cases: ClassVar[Sequence[str | Example]] = ()
    good_cases: ClassVar[Sequence[str | Example]] = ()
    scope: ClassVar[str] = "statement"
    summary_parts: ClassVar[bool] = False

    def __init__(self, context: RuleContext, settings: Mapping[str, Any] | None = None) -> None:
        """Bind the rule to one module's check.

        Args:
            context: The shared per-module context.
            settings: Option values from configuration (defaults fill the gaps).
        """
        super().__init__()
        self.context = context
        self.settings = {key: opt.default for key, opt in self.options.items()}
        if settings:
            self.settings.update(settings)
        self.pending: list[PendingFinding] = []
        self.setup()

    def setup(self) -> None:
        """Set up per-file state; the one place a rule does so (a new instance per file).

        Called once, at the end of construction, with ``context`` and ``settings`` bound.
        Override it instead of ``__init__``.
        """

    def end_statement(self) -> Any:
        """Return (and forget) what this rule saw in the top-level statement just walked.

        Only called for ``scope = "module"`` rules. The summary must be immutable and must
        not depend on where the statement sits in the file.

        Returns:
            The statement's summary (None when there is nothing to remember).
        """
        return None

    @classmethod
    def combine(cls, parts: Sequence[Any]) -> Any:
        """Return a statement's summary from the summaries of its parts.

        Only called for module rules that set ``summary_parts``. The parts of a class are
        its head (decorators, name, bases) and each statement of its body, in order; each
        was walked by a fresh instance, the body's statements with the class replayed
        around them. The result must equal the summary of one walk over the whole class.

        Args:
            parts: One summary per part, in file order (None where a part held nothing).

        Returns:
            The statement's summary.
        """
        raise NotImplementedError(f"{cls.__name__} does not combine summaries")

    def finish(self, summaries: Sequence[Any]) -> None:
        """Conclude over the whole module; module rules report from here.

        Args:
            summaries: One summary per top-level statement, in file order.
        """

    def option(self, key: str) -> Any:
        """Return an option's effective value.

        Args:
            key: The option name, as documented.

        Returns:
            Its value.
        """
        return self.settings[key]

    def report(
        self,
        where: cst.CSTNode | Range,
        message: str | None = None,
        *,
        fix: FixSpec | None = None,
        related: Sequence[Related | RelatedLocation] = (),
        data: dict[str, Any] | None = None,
    ) -> None:
        """Report a finding at a node (or an explicit range).

        Args:
            where: The node whose range the finding covers, or a range.
            message: A specific message; defaults to the rule's ``message``.
            fix: An optional fix.
            related: Secondary locations.
            data: Extra facts for front ends.
        """
        # Where the walker stood leads to (or above) every node of the report: positions
        # then render only the innermost statement (or header) holding each of them.
        nodes = [where, *(item.where for item in related if isinstance(item, Related))]
        if fix is not None:
            nodes.extend(getattr(change, "node", None) for change in fix.changes)
        walker_path = self.context.walker_path()
        for node in nodes:
            if isinstance(node, cst.CSTNode):
                self.context.paths.setdefault(id(node), walker_path)
        self.pending.append(
            PendingFinding(
                rule=self,
                where=where,
                message=message or self.message,
                fix=fix,
                related=related,
                data=data or {},
                hint=self.context.current_statement,
            )
        )

    def fix(
        self, message: str, *changes: Change, applicability: Applicability | None = None
    ) -> FixSpec:
        """Build a fix from changes.

        Args:
            message: What the fix does, shown as the quick-fix title.
            *changes: The edits.
            applicability: Overrides the rule's ``fix_applicability``.

        Returns:
            The fix description for :meth:`report`.
        """
        return FixSpec(message, changes, applicability or self.fix_applicability)

    @classmethod
    def has_fix(cls) -> bool:
        """Tell whether this rule can offer a fix.

        Returns:
            True when ``fix_description`` is set.
        """
        return cls.fix_description is not None

    @classmethod
    def cases(cls, *, bad: bool) -> tuple[Example, ...]:
        """Return the terse ❌ (``bad``) or ✅ edge cases as examples.

        A string case becomes an example of that code (ending with a newline, as a file
        does); a ❌ string case fires on line 1.

        Args:
            bad: True for ``bad_cases``, False for ``good_cases``.

        Returns:
            The cases, in order.
        """
        cases = cls.bad_cases if bad else cls.good_cases
        return tuple(_as_example(case, line=1 if bad else None) for case in cases)

    @classmethod
    def slug(cls) -> str:
        """Return ``CODE-name``, the stem of the rule's docs page.

        Returns:
            The slug.
        """
        return f"{cls.code}-{cls.name}"


def _as_example(case: str | Example, line: int | None) -> Example:
    if isinstance(case, Example):
        return case
    return Example(case if case.endswith("\n") else case + "\n", line=line)

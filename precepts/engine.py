"""The engine: text in, findings out. It knows nothing of LSP or terminals.

One check parses the text twice, once with ``ast`` (cheap, accurate syntax errors, and
the tree radon reads) and once with libcst (the tree rules visit), then runs every
enabled rule in a single traversal. Syntax newer than the running interpreter is judged
by libcst (:mod:`precepts.syntax`): such a text has no ``ast`` tree and is checked in
full all the same. Bad input never raises: undecodable bytes, NUL bytes and syntax
errors become one ``BP000`` finding; a rule that raises is dropped for that file and
reported in :attr:`CheckResult.errors` while the other rules still report.
"""

from __future__ import annotations

import ast
import io
import tokenize
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper

from precepts import noqa, syntax
from precepts.config import Settings
from precepts.context import RuleContext
from precepts.filekinds import FileKind, config_kind, parse_error
from precepts.filerule import FileContext, FileRule, read_from_disk
from precepts.findings import (
    Applicability,
    Finding,
    Fix,
    Range,
    RelatedLocation,
    Severity,
    TextEdit,
)
from precepts.fixes import apply_edits, build_fix
from precepts.registry import all_rules
from precepts.rule import PendingFinding, Rule
from precepts.text import split_lines
from precepts.versions import NEWEST, PythonVersion
from precepts.walker import Walker, handler_names

SYNTAX_ERROR = "BP000"
UNUSED_NOQA = "BP001"


@dataclass(frozen=True)
class RuleError:
    """A rule raised while checking a file; its findings for that file were dropped.

    Attributes:
        code: The rule's code.
        path: The file.
        error: ``ExceptionType: message``.
        trace: The formatted traceback, for logs.
    """

    code: str
    path: str
    error: str
    trace: str

    def describe(self) -> str:
        """Return a one-line description for logs and stderr.

        Returns:
            The description.
        """
        rule = all_rules().get(self.code)
        name = f" ({rule.name})" if rule else ""
        return f"rule {self.code}{name} failed on {self.path}: {self.error}"


@dataclass
class CheckResult:
    """The outcome of checking one text.

    Attributes:
        path: The file's path.
        text: The text that was checked (decoded).
        findings: What was found, in file order.
        errors: Rules that raised.
        module: The libcst module, when the text parsed.
        kind: What the text was read as: Python, or a configuration file (TOML, INI)
            checked by the file rules only.
    """

    path: str
    text: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    module: cst.Module | None = None
    kind: FileKind = FileKind.PYTHON


RuleSpec = tuple[type[Rule], Mapping[str, Any], Severity]


@dataclass(frozen=True)
class RuleSet:
    """The rules that apply to one file, with their options and severities.

    Attributes:
        rules: The rules that visit Python trees.
        codes: Every enabled code (Python and file rules alike).
        severities: Effective severity per enabled code.
        target_version: The Python the code is judged by.
        file_rules: The rules that read configuration files (:class:`FileRule`).
    """

    rules: tuple[RuleSpec, ...]
    codes: frozenset[str]
    severities: Mapping[str, Severity]
    target_version: PythonVersion = NEWEST
    file_rules: tuple[RuleSpec, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, path: Path | None = None) -> RuleSet:
        """Select the rules enabled for ``path``.

        Args:
            settings: Validated settings.
            path: The file (for ``per-file-ignores``).

        Returns:
            The rule set.
        """
        codes = settings.enabled_codes(path)
        registry = all_rules()
        chosen = [
            (rule, settings.options_for(code), settings.severity_of(rule))
            for code, rule in registry.items()
            if code in codes
        ]
        severities = {code: settings.severity_of(registry[code]) for code in codes}
        python = tuple(spec for spec in chosen if not issubclass(spec[0], FileRule))
        files = tuple(spec for spec in chosen if issubclass(spec[0], FileRule))
        return cls(python, codes, severities, settings.target_for(path), files)


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode source bytes, honouring a BOM or ``coding:`` cookie (UTF-8 otherwise).

    Args:
        data: The file's bytes.

    Returns:
        (text, None) on success, (None, reason) when the bytes are not text.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        # detect_encoding fails when the first lines are not UTF-8 and declare nothing.
        encoding = "utf-8"
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, f"unknown source encoding {encoding!r}"
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        return None, f"the file is not valid {name} text (byte {error.start}, line {line})"


def engine_finding(
    code: str, message: str, where: Range, severities: Mapping[str, Severity]
) -> Finding:
    """Build a finding of the engine's own codes (BP000, BP001).

    Args:
        code: The code.
        message: The message.
        where: Its range.
        severities: Configured severities (the rule's default otherwise).

    Returns:
        The finding.
    """
    rule = all_rules()[code]
    return Finding(code, rule.name, message, severities.get(code, rule.severity), where)


_engine_finding = engine_finding


# Kept under their old names: the incremental model and older callers import them here.
syntax_error_range = syntax.error_range


def parse_python(text: str) -> ast.Module | tuple[str, Range]:
    """Parse ``text`` with CPython's parser: the tree, or its first syntax error.

    Prefer :func:`precepts.syntax.judge`, which also accepts syntax newer than the
    running interpreter.

    Args:
        text: Source text.

    Returns:
        The ``ast`` module, or (message, range) of the first error.
    """
    try:
        return ast.parse(text)
    except SyntaxError as error:
        return f"SyntaxError: {error.msg}", syntax.error_range(error, split_lines(text))
    except (ValueError, RecursionError, MemoryError) as error:
        return f"cannot parse: {error}", Range.of(0, 0, 0, 0)


def pending_to_finding(
    pending: PendingFinding, context: RuleContext, severity: Severity
) -> Finding:
    """Turn what a rule reported into a finding: positions, related locations, fix.

    Args:
        pending: The rule's report.
        context: The module's context (its positions resolve the nodes).
        severity: The rule's effective severity.

    Returns:
        The finding.
    """
    rule = pending.rule
    where = pending.where
    where_range = (
        where if isinstance(where, Range) else context.positions.range_of(where, pending.hint)
    )
    related = []
    for item in pending.related:
        if isinstance(item, RelatedLocation):
            related.append(item)
        else:
            spot = item.where
            spot_range = (
                spot if isinstance(spot, Range) else context.positions.range_of(spot, pending.hint)
            )
            related.append(RelatedLocation(spot_range, item.message))
    fix: Fix | None = None
    if pending.fix is not None:
        context.current_statement = pending.hint
        fix = build_fix(pending.fix, context)
    return Finding(
        rule.code,
        rule.name,
        pending.message,
        severity,
        where_range,
        tuple(related),
        fix,
        pending.data,
    )


_pending_to_finding = pending_to_finding


def unused_noqa_findings(
    directives: noqa.NoqaMap, ruleset: RuleSet, line_text: Callable[[int], str]
) -> list[Finding]:
    """Report the ``# noqa`` codes that silenced nothing (BP001), with their fixes.

    Args:
        directives: The file's directives, after :func:`precepts.noqa.apply`.
        ruleset: The rules that ran.
        line_text: Returns the text of a 0-based line.

    Returns:
        One finding per directive with unused codes.
    """
    found = []
    checked = ruleset.codes - {UNUSED_NOQA}
    for directive, stale in noqa.unused(directives, checked, all_rules()):
        text = line_text(directive.line)
        where, content = noqa.removal(directive, stale, text)
        fix = Fix(
            f"Remove unused `noqa` code{'s' if len(stale) > 1 else ''} {', '.join(stale)}",
            (TextEdit(where, content),),
            Applicability.SAFE,
        )
        comment = Range.of(directive.line, directive.column, directive.line, len(text))
        message = f"Unused `noqa` directive (silences nothing: {', '.join(stale)})"
        found.append(
            Finding(
                UNUSED_NOQA,
                "unused-noqa",
                message,
                ruleset.severities.get(UNUSED_NOQA, Severity.WARNING),
                comment,
                (),
                fix,
            )
        )
    return found


class Checker:
    """Checks texts with one rule set. Stateless between calls; safe to reuse."""

    def __init__(
        self, ruleset: RuleSet, read: Callable[[Path], str | None] = read_from_disk
    ) -> None:
        """Create a checker.

        Args:
            ruleset: The rules to run.
            read: How file rules read the files beside the checked one (from disk by
                default; the language server answers from open documents first).
        """
        self.ruleset = ruleset
        self.read = read

    def check(self, source: str | bytes, path: str = "<memory>") -> CheckResult:
        """Check one file's content.

        A configuration file that file rules read (``pyproject.toml``, ``setup.cfg``,
        ``.coveragerc``, by name) is checked by those rules only; any other name is
        checked as Python (callers decide which files are Python: see
        :func:`precepts.filekinds.kind_of_name`).

        Args:
            source: The text, or the raw bytes of the file.
            path: The file's path (used for test-file detection and messages).

        Returns:
            The result; never raises for bad input or broken rules.
        """
        kind = config_kind(path)
        if kind is not None:
            return self.check_config(source, path, kind)
        severities = self.ruleset.severities
        if isinstance(source, bytes):
            text, problem = decode(source)
            if text is None:
                result = CheckResult(path, "")
                if SYNTAX_ERROR in self.ruleset.codes:
                    finding = _engine_finding(
                        SYNTAX_ERROR, problem or "cannot decode", Range.of(0, 0, 0, 0), severities
                    )
                    result.findings.append(finding)
                return result
        else:
            text = source
        result = CheckResult(path, text)
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n")
            message = "the file contains NUL bytes: it is binary, not Python source"
            result.findings.append(
                _engine_finding(SYNTAX_ERROR, message, Range.of(line, 0, line, 0), severities)
            )
            return self._finish(result)
        parsed = syntax.judge(text)
        if parsed.problem is not None:
            problem = parsed.problem
            result.findings.append(
                _engine_finding(SYNTAX_ERROR, problem.message, problem.where, severities)
            )
            return self._finish(result)
        try:
            module = parsed.module or cst.parse_module(text)
        except cst.ParserSyntaxError as parser_error:
            where = Range.of(
                parser_error.raw_line - 1,
                parser_error.raw_column,
                parser_error.raw_line - 1,
                parser_error.raw_column,
            )
            message = f"SyntaxError: {parser_error.message}"
            result.findings.append(_engine_finding(SYNTAX_ERROR, message, where, severities))
            return self._finish(result)
        except (RecursionError, MemoryError) as deep:
            message = f"cannot parse: {type(deep).__name__}"
            result.findings.append(
                _engine_finding(SYNTAX_ERROR, message, Range.of(0, 0, 0, 0), severities)
            )
            return self._finish(result)
        result.module = module
        context = RuleContext(
            path, text, module, parsed.tree, target_version=self.ruleset.target_version
        )
        self.run_rules(context, result)
        return self._finish(result, context)

    def check_config(self, source: str | bytes, path: str, kind: FileKind) -> CheckResult:
        """Check a configuration file with the file rules that read it.

        A file that does not decode or does not parse gets no findings: precepts reports
        Python syntax errors (BP000), and the tool that owns the file reports its own.

        Args:
            source: The text or bytes.
            path: The file's path.
            kind: Its syntax.

        Returns:
            The result (``module`` is None; ``kind`` says what the text was read as).
        """
        if isinstance(source, bytes):
            try:
                text = source.decode("utf-8-sig")
            except UnicodeDecodeError:
                return CheckResult(path, "", kind=kind)
        else:
            text = source
        result = CheckResult(path, text, kind=kind)
        name = Path(path).name
        specs = [spec for spec in self.ruleset.file_rules if name in spec[0].files]
        if not specs or parse_error(kind, text) is not None:
            return result
        context = FileContext(path, text, kind, self.read)
        for rule_class, options, severity in specs:
            try:
                rule = rule_class(context, options)  # type: ignore[arg-type]
                rule.check()  # type: ignore[attr-defined]
                result.findings.extend(
                    self._file_finding(p, context, severity) for p in rule.pending
                )
            except Exception as error:  # a broken rule must not stop the others
                trace = "".join(traceback.format_exception(error))
                message = f"{type(error).__name__}: {error}"
                result.errors.append(RuleError(rule_class.code, path, message, trace))
        result.findings.sort(key=Finding.sort_key)
        return result

    @staticmethod
    def _file_finding(pending: PendingFinding, context: FileContext, severity: Severity) -> Finding:
        """Turn a file rule's report into a finding; a fix that breaks the file is dropped."""
        rule = pending.rule
        fix: Fix | None = None
        spec = pending.fix
        if spec is not None:
            edits = tuple(
                sorted((c for c in spec.changes if isinstance(c, TextEdit)), key=lambda e: e.range)
            )
            if len(edits) == len(spec.changes) and edits:
                fixed = apply_edits(context.text, edits)
                if parse_error(context.kind, fixed) is None:
                    fix = Fix(spec.message, edits, spec.applicability or Applicability.SAFE)
        related = tuple(item for item in pending.related if isinstance(item, RelatedLocation))
        where = pending.where if isinstance(pending.where, Range) else Range.of(0, 0, 0, 0)
        return Finding(
            rule.code, rule.name, pending.message, severity, where, related, fix, pending.data
        )

    def run_rules(self, context: RuleContext, result: CheckResult) -> None:
        """Run the enabled rules over a parsed module and collect their findings.

        Args:
            context: The module's context.
            result: Where findings and rule errors go.
        """
        rules = [rule_class(context, options) for rule_class, options, _ in self.ruleset.rules]
        rules = [rule for rule in rules if handler_names(type(rule)) or rule.scope == "module"]
        self._resolve_metadata(rules, context)
        walker = Walker(rules, context)
        try:
            walker.walk_module(context.module)
        except RecursionError as deep:
            for rule in rules:
                walker.failures.setdefault(rule, deep)
        severities = self.ruleset.severities
        for rule in rules:
            failure = walker.failures.get(rule)
            findings: list[Finding] = []
            if failure is None:
                try:
                    findings = [
                        _pending_to_finding(p, context, severities[rule.code]) for p in rule.pending
                    ]
                except Exception as error:  # a broken fix or range must not stop the rest
                    failure = error
            if failure is not None:
                trace = "".join(traceback.format_exception(failure))
                result.errors.append(
                    RuleError(
                        rule.code, context.path, f"{type(failure).__name__}: {failure}", trace
                    )
                )
                continue
            result.findings.extend(findings)

    @staticmethod
    def _resolve_metadata(rules: list[Rule], context: RuleContext) -> None:
        providers = {dep for rule in rules for dep in rule.get_inherited_dependencies()}
        if not providers:
            return
        wrapper = MetadataWrapper(context.module, unsafe_skip_copy=True)
        resolved = wrapper.resolve_many(providers)
        context.metadata.update(resolved)
        for rule in rules:
            rule.metadata = {dep: resolved[dep] for dep in rule.get_inherited_dependencies()}  # type: ignore[assignment]

    def _finish(self, result: CheckResult, context: RuleContext | None = None) -> CheckResult:
        if context is not None:
            directives = noqa.scan(result.text)
            result.findings = noqa.apply(result.findings, directives)
            if UNUSED_NOQA in self.ruleset.codes:
                result.findings.extend(self._unused_noqa(directives, context))
        result.findings.sort(key=Finding.sort_key)
        return result

    def _unused_noqa(self, directives: noqa.NoqaMap, context: RuleContext) -> list[Finding]:
        return unused_noqa_findings(directives, self.ruleset, context.lines.line_text)


def check_text(source: str | bytes, path: str, settings: Settings | None = None) -> CheckResult:
    """Check one text with the given settings (defaults: every rule).

    Args:
        source: Text or bytes.
        path: The file's path.
        settings: The settings; ``Settings()`` when None.

    Returns:
        The result.
    """
    settings = settings or Settings()
    ruleset = RuleSet.from_settings(settings, Path(path))
    return Checker(ruleset).check(source, path)

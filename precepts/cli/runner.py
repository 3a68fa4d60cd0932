"""Checking (and fixing) one file: the unit of work the CLI spreads across processes."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field, replace
from pathlib import Path

from precepts.cli.formats import FileReport
from precepts.config import Settings
from precepts.configreads import ConfigSpread, default_index, spread_of
from precepts.engine import Checker, CheckResult, RuleSet
from precepts.filekinds import FileKind, parse_error
from precepts.fixes import apply_edits, select_fixes

# Fixes can enable other fixes (or conflict with each other); like ruff, re-check and
# fix again until nothing changes, with a bound so a fix loop cannot run forever.
MAX_FIX_PASSES = 10
# The rule that concludes over every checked file's configuration reads.
SPREAD_RULE = "BP608"


@dataclass(frozen=True)
class Job:
    """What to do with one file."""

    path: str
    settings: Settings
    fix: bool = False
    diff: bool = False
    source: str | None = None  # text given on stdin instead of reading the file
    cache: bool = False  # store the outcome in the result cache (precepts.cli.cache)
    # Where the checked files read configuration (BP608 concludes over all of them).
    config: ConfigSpread | None = None


@dataclass
class Outcome:
    """What happened to one file."""

    report: FileReport
    original: str = ""
    fixed_text: str | None = None
    encoding: str = "utf-8"
    read_error: str | None = None
    written: bool = False
    notes: list[str] = field(default_factory=list)


def checker_for(settings: Settings, path: Path) -> Checker:
    """Return a checker with the rules enabled for ``path`` (cheap: no parsing happens).

    Args:
        settings: The governing settings.
        path: The file (``per-file-ignores`` may switch rules off for it).

    Returns:
        The checker.
    """
    return Checker(RuleSet.from_settings(settings, path))


def with_config_spread(jobs: list[Job]) -> list[Job]:
    """Give each job the configuration facts of all the files checked (for BP608).

    The files are scanned once here, as text, only when some file has BP608 enabled.

    Args:
        jobs: The files to check.

    Returns:
        The jobs, each carrying the facts.
    """
    enabled = (job.settings.enabled_codes(Path(job.path)) for job in jobs)
    if not any(SPREAD_RULE in codes for codes in enabled):
        return jobs
    spread = spread_of(Path(job.path) for job in jobs)
    return [replace(job, config=spread) for job in jobs]


def _read(path: Path) -> tuple[bytes | None, str, str | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, "utf-8", f"cannot read {path}: {error.strerror or error}"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    return data, encoding, None


def _fix_loop(checker: Checker, text: str, path: str, unsafe: bool) -> tuple[str, int, CheckResult]:
    fixed = 0
    result = checker.check(text, path)
    for _ in range(MAX_FIX_PASSES):
        fixes = select_fixes(result.findings, unsafe)
        if not fixes:
            break
        new_text = apply_edits(text, [edit for fix in fixes for edit in fix.edits])
        if new_text == text:
            break
        text = new_text
        fixed += len(fixes)
        result = checker.check(text, path)
    return text, fixed, result


def run_job(job: Job) -> Outcome:
    """Check one file, applying fixes when asked (and caching the outcome when asked).

    Args:
        job: The file and what to do.

    Returns:
        The outcome; never raises for unreadable or broken files.
    """
    index = default_index()
    index.scope = job.config
    try:
        if job.cache and job.source is None:
            from precepts.cli.cache import run_recorded

            return run_recorded(job, _run_job)
        return _run_job(job)
    finally:
        index.scope = None


def _run_job(job: Job) -> Outcome:
    path = Path(job.path)
    checker = checker_for(job.settings, path)
    if job.source is not None:
        data: bytes | str = job.source
        encoding, problem = "utf-8", None
    else:
        raw, encoding, problem = _read(path)
        if raw is None:
            return Outcome(FileReport(job.path, ""), read_error=problem)
        data = raw
    result = checker.check(data, job.path)
    outcome = Outcome(
        FileReport(job.path, result.text, result.findings, result.errors),
        original=result.text,
        encoding=encoding,
    )
    if not (job.fix or job.diff) or (result.module is None and result.kind is FileKind.PYTHON):
        return outcome  # a Python file that does not parse is never fixed
    text, fixed, final = _fix_loop(checker, result.text, job.path, job.settings.unsafe_fixes)
    problem = parse_error(result.kind, text) if text != result.text else None
    if problem is not None:
        # Never write a file that no longer loads as what it was read as: keep it as it
        # was; its findings stay reported as not fixed.
        note = f"warning: fixes to {job.path} not applied: the fixed text does not parse: {problem}"
        outcome.notes.append(note)  # printed by the command, once per file
        return outcome
    if text != result.text:
        outcome.fixed_text = text
        outcome.report = FileReport(job.path, text, final.findings, final.errors, fixed)
        if job.fix and not job.diff and job.source is None:
            with open(path, "w", encoding=encoding, newline="") as handle:
                handle.write(text)
            outcome.written = True
    return outcome

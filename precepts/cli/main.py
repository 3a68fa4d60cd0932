"""The ``precepts`` command: ``check``, ``rule``, ``rules``, ``docs`` and ``serve``.

Exit status: 0 when clean, 1 when findings remain, 2 on an error (bad configuration,
unreadable file, a rule that raised, bad arguments).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from precepts import __version__
from precepts.baseline import BaselineError
from precepts.cli import add_noqa, baseline, cache, formats
from precepts.cli.files import describe_skip, discover, named_kind
from precepts.cli.runner import Job, Outcome, run_job, with_config_spread
from precepts.cli.settings import Overrides, SettingsResolver
from precepts.config import ConfigError
from precepts.filekinds import FileKind, config_kind
from precepts.registry import RegistryError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="check files and directories (default: .)")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories")
    check.add_argument(
        "--output-format", choices=formats.FORMATS, default="concise", help="report format"
    )
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument(
        "--unsafe-fixes", action="store_true", default=None, help="also apply unsafe fixes"
    )
    check.add_argument(
        "--diff", action="store_true", help="show the fixes as a diff, write nothing"
    )
    check.add_argument("--select", type=_codes, help="rules to enable (codes, prefixes, ALL)")
    check.add_argument("--extend-select", type=_codes, default=[], help="rules to add")
    check.add_argument("--ignore", type=_codes, default=[], help="rules to switch off")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    check.add_argument("--config", type=Path, help="use this configuration file everywhere")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore")
    check.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per core)")
    check.add_argument(
        "--stdin-filename", help="check the text on standard input as this file name"
    )
    check.add_argument("--quiet", action="store_true", help="print only the findings")
    baseline.add_arguments(check)
    add_noqa.add_arguments(check)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser.

    Returns:
        The parser.
    """
    parser = argparse.ArgumentParser(
        prog="precepts",
        description="Your team's backend standard, in the editor and in CI.",
    )
    parser.add_argument("--version", action="version", version=f"precepts {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_check(commands)
    rule = commands.add_parser("rule", help="explain a rule, with ✅/❌ examples")
    rule.add_argument("code", help="a rule code or name, e.g. BP101")
    rule.add_argument("--output-format", choices=("text", "json", "markdown"), default="text")
    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("text", "json"), default="text")
    docs = commands.add_parser("docs", help="write one Markdown page per rule plus an index")
    docs.add_argument("outdir", type=Path)
    docs.add_argument(
        "--check", action="store_true", help="exit 1 when OUTDIR differs from what would be written"
    )
    serve = commands.add_parser("serve", help="run the language server")
    try:
        from precepts.server.cli import add_arguments
    except ImportError:  # the server is optional at import time; `serve` reports it
        pass
    else:
        add_arguments(serve)
    return parser


def _progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    elapsed = time.monotonic() - started
    sys.stderr.write(
        f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} files {elapsed:.0f}s"
    )
    sys.stderr.flush()


def _job_size(job: Job) -> int:
    if job.source is not None:
        return len(job.source)
    try:
        return os.path.getsize(job.path)
    except OSError:
        return 0


def _run_jobs(jobs: list[Job], workers: int) -> list[Outcome]:
    """Check every job, in parallel when there are enough, and return outcomes in job order.

    In parallel the biggest files go first, one per task: no worker is left alone with
    a large file at the end, and a task per file costs little next to checking it.
    """
    show = sys.stderr.isatty()
    started = time.monotonic()
    executor: ProcessPoolExecutor | None = None
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        results: Iterator[tuple[int, Outcome]] = enumerate(map(run_job, jobs))
    else:
        executor = ProcessPoolExecutor(max_workers=workers)
        order = sorted(range(len(jobs)), key=lambda index: -_job_size(jobs[index]))
        results = zip(order, executor.map(run_job, [jobs[i] for i in order]), strict=True)
    outcomes: list[Outcome | None] = [None] * len(jobs)
    try:
        for done, (index, outcome) in enumerate(results, start=1):
            # Only draw the bar once the run is long enough to need one.
            if show and time.monotonic() - started > 1.0:
                _progress(done, len(jobs), started)
            outcomes[index] = outcome
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        if show and time.monotonic() - started > 1.0:
            sys.stderr.write("\n")
    return [outcome for outcome in outcomes if outcome is not None]


def _print_diff(outcome: Outcome) -> None:
    if outcome.fixed_text is None:
        return
    path = outcome.report.path
    diff = difflib.unified_diff(
        outcome.original.splitlines(keepends=True),
        outcome.fixed_text.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    sys.stdout.writelines(diff)


_MACHINE_FORMATS = {
    "json": formats.to_json,
    "sarif": formats.to_sarif,
    "github": formats.to_github,
}


def _render(args: argparse.Namespace, reports: list[formats.FileReport], unsafe: bool) -> None:
    fmt = args.output_format
    if args.statistics:
        print(formats.statistics(reports, as_json=fmt == "json"))
        return
    machine = _MACHINE_FORMATS.get(fmt)
    if machine is not None:
        text = machine(reports)
        if text or fmt != "github":
            print(text)
        return
    render = formats.to_full if fmt == "full" else formats.to_concise
    text = render(reports, unsafe)
    if text:
        print(text)
    closing = formats.summary(reports, unsafe, args.fix)
    closing = "\n".join(part for part in (closing, getattr(args, "baseline_note", "")) if part)
    if closing and not args.quiet:
        print(("\n" if text else "") + closing)


def _warn_skipped(path: Path, reason: str) -> None:
    print(reason, file=sys.stderr)


def _jobs_for(args: argparse.Namespace, resolver: SettingsResolver) -> list[Job]:
    if args.stdin_filename:
        path = Path(args.stdin_filename)
        source = sys.stdin.read()
        settings = resolver(path)
        if named_kind(path, settings, source) is FileKind.OTHER:
            _warn_skipped(path, describe_skip(path))
            if args.fix and not args.diff:
                sys.stdout.write(source)  # a filter hands its input on untouched
            return []
        return [Job(str(path), settings, fix=args.fix, diff=args.diff, source=source)]
    paths = args.paths or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(", ".join(str(p) for p in missing))
    respect = not args.no_gitignore
    jobs = [
        Job(str(path), resolver(path), fix=args.fix, diff=args.diff)
        for path in discover(paths, resolver, respect, _warn_skipped)
    ]
    return with_config_spread(jobs)


def _outcome_failed(outcome: Outcome) -> bool:
    for note in outcome.notes:
        print(note, file=sys.stderr)
    failed = False
    if outcome.read_error:
        print(f"error: {outcome.read_error}", file=sys.stderr)
        failed = True
    for error in outcome.report.errors:
        print(f"error: {error.describe()}", file=sys.stderr)
        failed = True
    return failed


def _check_all(args: argparse.Namespace, jobs: list[Job]) -> tuple[list[formats.FileReport], bool]:
    """Check the jobs (the cache answers for unchanged files); report errors and diffs."""
    if not (args.no_cache or args.stdin_filename):
        # Configuration files are not cached: their findings depend on the files beside them.
        jobs = [replace(job, cache=config_kind(job.path) is None) for job in jobs]
    workers = args.jobs or os.cpu_count() or 1
    reports: list[formats.FileReport] = []
    failed = False
    for outcome in cache.merged(jobs, lambda todo: _run_jobs(todo, workers)):
        failed |= _outcome_failed(outcome)
        reports.append(outcome.report)
        if args.diff:
            _print_diff(outcome)
        elif args.fix and args.stdin_filename:
            sys.stdout.write(outcome.fixed_text or outcome.original)
    reports.sort(key=lambda report: report.path)
    return reports, failed


def command_check(args: argparse.Namespace) -> int:
    """Run ``precepts check``.

    Args:
        args: Parsed arguments.

    Returns:
        The exit status.
    """
    baseline.take_paths_back(args)
    overrides = Overrides(args.select, args.extend_select, args.ignore, args.unsafe_fixes)
    resolver = SettingsResolver(overrides, args.config)
    jobs = _jobs_for(args, resolver)
    if not jobs:
        # Everything named was skipped (or the folders hold nothing to check): say so.
        print("No files to check.", file=sys.stderr)
        if args.output_format in _MACHINE_FORMATS and not args.statistics:
            _render(args, [], False)
        return EXIT_CLEAN
    unsafe = any(job.settings.unsafe_fixes for job in jobs)
    reports, failed = _check_all(args, jobs)
    args.baseline_note = baseline.note(baseline.apply(args, resolver, reports))
    if args.add_noqa:
        return _add_noqa(reports)
    if not args.diff and not (args.fix and args.stdin_filename):
        _render(args, reports, unsafe)
    if failed:
        return EXIT_ERROR
    if args.exit_zero or args.diff:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(r.findings for r in reports) else EXIT_CLEAN


def _add_noqa(reports: list[formats.FileReport]) -> int:
    added = add_noqa.add_noqa(reports)
    for error in added.errors:
        print(f"error: {error}", file=sys.stderr)
    print(add_noqa.describe(added))
    return EXIT_ERROR if added.errors else EXIT_CLEAN


def _dispatch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.command == "check":
        return command_check(args)
    if args.command in ("rule", "rules", "docs"):
        from precepts.cli import explain

        return explain.run(args)
    if args.command == "serve":
        try:
            from precepts.server.cli import run
        except ImportError as error:
            print(f"error: the language server is not available: {error}", file=sys.stderr)
            return EXIT_ERROR
        return run(args)
    parser.print_help()
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``precepts`` command.

    Args:
        argv: Arguments (defaults to ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(args, parser)
    except ConfigError as error:
        print(f"error: invalid configuration: {error}", file=sys.stderr)
    except RegistryError as error:
        print(f"error: a rule is malformed: {error}", file=sys.stderr)
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
    except FileNotFoundError as error:
        print(f"error: no such file or directory: {error}", file=sys.stderr)
    except BrokenPipeError:  # `precepts check | head`
        return EXIT_CLEAN
    return EXIT_ERROR

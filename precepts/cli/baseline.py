"""``precepts check`` with a baseline: writing, updating and applying it.

One baseline serves a run: the file named by ``--write-baseline FILE``, else the one of
the configuration that governs the first path checked (``baseline = "..."`` in
``[tool.precepts]``, by default ``precepts-baseline.json`` beside the configuration).
Writing replaces the entries of the files checked and keeps those of other files that
still exist, so checking a sub-directory does not forget the rest of the code base.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from precepts.baseline import Baseline, BaselineError, default_path
from precepts.cli.formats import FileReport
from precepts.cli.settings import SettingsResolver


def add_arguments(check: argparse.ArgumentParser) -> None:
    """Add the baseline and cache options to ``precepts check``.

    Args:
        check: The ``check`` parser.
    """
    group = check.add_mutually_exclusive_group()
    group.add_argument(
        "--write-baseline",
        nargs="?",
        const="",
        metavar="FILE",
        help="record the current findings as accepted (default: the configured baseline)",
    )
    group.add_argument(
        "--update-baseline",
        action="store_true",
        help="forget baseline entries that are fixed (never adds new ones)",
    )
    group.add_argument(
        "--no-baseline", action="store_true", help="report findings the baseline accepts too"
    )
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")


@dataclass(frozen=True)
class Applied:
    """What the baseline did to a run.

    Attributes:
        path: The baseline file.
        hidden: Findings it accepted (not reported).
    """

    path: Path
    hidden: int


def take_paths_back(args: argparse.Namespace) -> None:
    """Give back a path that ``--write-baseline`` swallowed as its optional FILE.

    ``precepts check --write-baseline app/`` means "check app/ and write the baseline",
    not "write the baseline to app/": a directory or a Python file is a path to check.

    Args:
        args: Parsed arguments (changed in place).
    """
    value = args.write_baseline
    if value and (Path(value).is_dir() or Path(value).suffix in (".py", ".pyi")):
        args.paths = [*args.paths, Path(value)]
        args.write_baseline = ""


def baseline_path(args: argparse.Namespace, resolver: SettingsResolver) -> Path:
    """Return the baseline file of this run.

    Args:
        args: Parsed arguments.
        resolver: The run's settings.

    Returns:
        The path (it need not exist).
    """
    if args.write_baseline:
        return Path(args.write_baseline).resolve()
    first = Path(args.stdin_filename) if args.stdin_filename else (args.paths or [Path(".")])[0]
    return default_path(resolver(first))


def _load_or_new(path: Path) -> Baseline:
    return Baseline.load(path) if path.exists() else Baseline(path.parent.resolve())


def apply(
    args: argparse.Namespace, resolver: SettingsResolver, reports: list[FileReport]
) -> Applied | None:
    """Write or update the baseline when asked, then drop the findings it accepts.

    Args:
        args: Parsed arguments.
        resolver: The run's settings.
        reports: The run's reports; their findings are replaced by the new ones.

    Returns:
        What was hidden, or None when no baseline applies.

    Raises:
        BaselineError: When the baseline file is unreadable or malformed.
    """
    if args.no_baseline:
        return None
    path = baseline_path(args, resolver)
    if args.write_baseline is not None:
        baseline = _load_or_new(path)
        for report in reports:
            baseline.record(report.path, report.text, report.findings)
        baseline.forget_missing()
        baseline.save(path)
        count = sum(len(report.findings) for report in reports)
        print(f"Wrote {count} findings to the baseline {path}.", file=sys.stderr)
    elif args.update_baseline:
        if not path.exists():
            raise BaselineError(f"{path}: there is no baseline to update")
        baseline = Baseline.load(path)
        gone = sum(baseline.shrink(r.path, r.text, r.findings) for r in reports)
        gone += baseline.forget_missing()
        baseline.save(path)
        print(f"Removed {gone} fixed findings from the baseline {path}.", file=sys.stderr)
    elif path.exists():
        baseline = Baseline.load(path)
    else:
        return None
    hidden = 0
    for report in reports:
        report.findings, accepted = baseline.split(report.path, report.text, report.findings)
        hidden += len(accepted)
    return Applied(path, hidden)


def note(applied: Applied | None) -> str:
    """Return the summary line about the baseline (empty when it hid nothing).

    Args:
        applied: What the baseline did.

    Returns:
        The line.
    """
    if applied is None or not applied.hidden:
        return ""
    plural = "s" if applied.hidden != 1 else ""
    return (
        f"{applied.hidden} finding{plural} hidden by the baseline {applied.path.name}"
        " (`--no-baseline` shows them)."
    )

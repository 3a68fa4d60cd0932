"""Run a few rules over installed sources and print their findings, for false-positive review.

Usage::

    .venv/bin/python benchmarks/fp_review.py --codes BP201,BP202 PATH [PATH ...]
    .venv/bin/python benchmarks/fp_review.py --codes BP2 --sample 50 --seed 1 PATH

PATH may be a directory (every ``*.py`` below it) or a file. Each finding is printed as
``path:line: CODE message``, followed by the source line. ``--sample N`` prints a random,
reproducible sample of N findings (per code with ``--per-code``) after the counts.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

from precepts.config import Settings
from precepts.configreads import default_index, spread_of
from precepts.engine import Checker, RuleSet
from precepts.registry import all_rules


def _codes(spec: str) -> list[str]:
    wanted = [part.strip() for part in spec.split(",") if part.strip()]
    return [code for code in all_rules() if any(code.startswith(w) for w in wanted)]


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--codes", default="BP2", help="code prefixes, comma-separated")
    parser.add_argument("--sample", type=int, default=0, help="print a sample of N findings")
    parser.add_argument("--per-code", action="store_true", help="sample N findings per code")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--all", action="store_true", help="print every finding")
    parser.add_argument(
        "--project",
        action="store_true",
        help="conclude workspace-level rules (BP608) over all the files, as the CLI does",
    )
    args = parser.parse_args(argv)

    codes = _codes(args.codes)
    checker = Checker(RuleSet.from_settings(Settings(select=tuple(codes))))
    findings: list[tuple[str, int, str, str, str]] = []
    errors = 0
    started = time.perf_counter()
    files = _files(args.paths)
    if args.project:
        default_index().scope = spread_of(files)
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        result = checker.check(data, str(path))
        errors += len(result.errors)
        for error in result.errors:
            print(f"ERROR {error.describe()}", file=sys.stderr)
        lines = result.text.splitlines()
        for finding in result.findings:
            line = finding.range.start.line
            source = lines[line].strip() if line < len(lines) else ""
            findings.append((str(path), line + 1, finding.code, finding.message, source))
    elapsed = time.perf_counter() - started

    counts = Counter(code for _, _, code, _, _ in findings)
    print(f"# {len(files)} files, {elapsed:.1f} s, {errors} rule errors")
    for code in codes:
        print(f"# {code}: {counts.get(code, 0)} findings")
    chosen = findings
    if args.sample and not args.all:
        rng = random.Random(args.seed)
        if args.per_code:
            chosen = []
            for code in codes:
                mine = [f for f in findings if f[2] == code]
                chosen.extend(rng.sample(mine, min(args.sample, len(mine))))
        else:
            chosen = rng.sample(findings, min(args.sample, len(findings)))
    elif not args.all:
        chosen = []
    for path, line, code, message, source in chosen:
        print(f"{path}:{line}: {code} {message}\n    | {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

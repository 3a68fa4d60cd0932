"""The cost of judging syntax by the target Python, not by the interpreter (issue 12).

Run on demand (never in CI):

    .venv/bin/python benchmarks/bench_syntax.py [--before OTHER_CHECKOUT/.venv/bin/python]

Two figures, each in CPU seconds of the checking processes (user + system of the
children, which a busy machine disturbs less than wall time), runs interleaved:

* **fast path**: `precepts check` on real files the interpreter parses, with this
  checkout and, given ``--before``, with another checkout's interpreter (the code before
  the change), alternately, so both see the same machine;
* **fallback path**: the same files with one line of Python 3.12 syntax appended
  (`type _Alias = int`): under an interpreter older than 3.12 CPython cannot parse them,
  so libcst judges them, there is no ``ast`` tree, and positions are placed by rendering.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEWER_LINE = "\n\ntype _Alias = int\n"


def corpus(root: Path, limit: int) -> list[Path]:
    files = sorted(p for p in root.rglob("*.py") if p.is_file() and p.stat().st_size < 200_000)
    return files[:limit]


def cpu_of(cmd: list[str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def check_cmd(python: str, folder: Path) -> list[str]:
    # One process: the figure is the work, not how it spreads over cores.
    return [python, "-m", "precepts", "check", "--jobs", "1", "--quiet", str(folder)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--root", type=Path, default=Path("/work/corpus/src/lnbits-1.6.2-py3-none-any")
    )
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", help="python of a checkout before the change")
    args = parser.parse_args()
    files = corpus(args.root, args.files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"corpus: {len(files)} files, {lines:,} lines under {args.root}")
    print(f"interpreter: {sys.version.split()[0]}")
    work = Path(tempfile.mkdtemp(prefix="precepts-syntax-"))
    try:
        plain, newer = work / "plain", work / "newer"
        for index, path in enumerate(files):
            text = path.read_text(encoding="utf-8", errors="replace")
            for folder, suffix in ((plain, ""), (newer, NEWER_LINE)):
                target = folder / f"m{index:04d}.py"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text + suffix, encoding="utf-8")
        # requires-python, not ``target-version``: a checkout before the change must
        # read the same configuration (it knows no ``target-version`` key).
        (work / "pyproject.toml").write_text(
            '[project]\nname = "bench"\nrequires-python = ">=3.14"\n', encoding="utf-8"
        )
        listings = {"plain": plain, "newer": newer}
        runs: dict[str, list[float]] = {}
        cases = [
            ("after, fast path", sys.executable, "plain"),
            ("after, fallback path", sys.executable, "newer"),
        ]
        if args.before:
            cases.insert(0, ("before, fast path", args.before, "plain"))
        for _ in range(args.repeat):
            for label, python, name in cases:
                runs.setdefault(label, []).append(cpu_of(check_cmd(python, listings[name]), work))
        base = statistics.median(runs["after, fast path"])
        print(f"\n| run | CPU s (median of {args.repeat}) | ÷ after, fast path |")
        print("|---|---|---|")
        for label, _, _ in cases:
            value = statistics.median(runs[label])
            print(f"| {label} | {value:.2f} | {value / base:.2f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Side-by-side timing of `precepts check` against its peers on the same real files.

Run on demand (never in CI):

    .venv/bin/pip install -e '.[bench]'      # ruff, fixit, pylint and the corpus packages
    .venv/bin/python benchmarks/bench_check.py --repeat 5

The corpus is the installed source of packages nobody here wrote (fastapi, sqlalchemy,
pydantic, starlette by default). Every tool runs as a separate process on the same file
list; the script prints each tool's median wall time and its ratio to precepts, plus
precepts' ratio to a bare libcst parse of the same files (in a subprocess, so interpreter
and import costs count on both sides). Tools that are not installed are reported as such.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PARSE_ONLY = (
    "import sys, libcst\n"
    "for p in open(sys.argv[1], encoding='utf-8').read().split('\\n'):\n"
    "    if p:\n"
    "        try:\n"
    "            libcst.parse_module(open(p, 'rb').read())\n"
    "        except Exception:\n"
    "            pass\n"
)


def corpus(packages: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"  (corpus package {name} is not installed: skipped)")
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        files.extend(sorted(p for p in root.rglob("*.py") if p.is_file()))
    return files


def tool(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def timed(cmd: list[str], repeat: int, cwd: Path) -> tuple[float, float, int]:
    times = []
    code = 0
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - started)
        code = proc.returncode
        if proc.returncode not in (0, 1, 32):
            print(f"  ! {cmd[0]} exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
    return statistics.median(times), min(times), code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--packages", nargs="*", default=["fastapi", "sqlalchemy", "pydantic", "starlette"]
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], help="tools to leave out (e.g. pylint)")
    args = parser.parse_args()
    files = corpus(args.packages)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    print(f"corpus: {len(files)} files, {lines:,} lines from {', '.join(args.packages)}")
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    work = Path(tempfile.mkdtemp(prefix="precepts-bench-"))
    listing = work / "files.txt"
    listing.write_text("\n".join(str(p) for p in files), encoding="utf-8")
    # An empty config dir so that no project configuration changes what runs.
    (work / "precepts.toml").write_text('select = ["ALL"]\n', encoding="utf-8")
    paths = [str(p) for p in files]
    config = ["--config", str(work / "precepts.toml")]
    precepts, ruff, fixit, pylint = (tool(name) for name in ("precepts", "ruff", "fixit", "pylint"))
    commands: dict[str, list[str] | None] = {
        "libcst parse only": [sys.executable, "-c", PARSE_ONLY, str(listing)],
        "precepts (all rules)": (
            [precepts, "check", *config, "--no-gitignore", "--exit-zero", *paths]
            if precepts
            else None
        ),
        "precepts (all rules, 1 process)": (
            [precepts, "check", "--jobs", "1", *config, "--exit-zero", *paths] if precepts else None
        ),
        "ruff --select ALL": (
            [ruff, "check", "--no-cache", "--isolated", "--select", "ALL", "--exit-zero", *paths]
            if ruff
            else None
        ),
        "fixit lint": [fixit, "lint", *paths] if fixit else None,
        "pylint": [pylint, "--jobs", "0", "--exit-zero", *paths] if pylint else None,
    }
    results: dict[str, float] = {}
    for name, cmd in commands.items():
        if any(skip in name for skip in args.skip):
            print(f"{name:<34} skipped")
            continue
        if cmd is None:
            print(f"{name:<34} not installed")
            continue
        slow = "pylint" in name or "fixit" in name
        repeat = max(1, args.repeat // 2) if slow else args.repeat
        median, best, _ = timed(cmd, repeat, work)
        results[name] = median
        print(f"{name:<34} median {median:8.2f} s   best {best:8.2f} s   ({repeat} runs)")
    base = results.get("precepts (all rules)")
    if base:
        print("\nratios (precepts ÷ other; targets: ≤0.2× fixit, ≤0.5× pylint, ≤2.5× parse):")
        for name, value in results.items():
            if name != "precepts (all rules)":
                print(f"  precepts / {name:<30} {base / value:6.2f}×")


if __name__ == "__main__":
    main()

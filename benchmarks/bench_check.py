"""Side-by-side timing of `precepts check` against its peers on the same real files.

Run on demand (never in CI):

    .venv/bin/pip install -e '.[bench]'      # ruff, fixit, pylint and the corpus packages
    .venv/bin/python benchmarks/bench_check.py --repeat 5
    .venv/bin/python benchmarks/bench_check.py --adoption --repeat 3   # cache and baseline

``--adoption`` measures the result cache and the baseline on a generated 200-file tree
instead (see :func:`adoption`): cold, warm and one-file-changed runs, then the baseline
after inserting 10 lines at the top of every file.

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


ADOPTION_MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"""
ADOPTION_USE = """

from app.models import Account


def rename_account_{n}(account: Account, name: str) -> None:
    account.name = name
"""


def adoption_tree(root: Path, files: int, lines: int) -> list[Path]:
    """A project of ``files`` generated modules; every other one imports a shared model."""
    sys.path.insert(0, str(Path(__file__).parent))
    from generate import backend_module

    (root / "pyproject.toml").write_text("[tool.precepts]\n", encoding="utf-8")
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "models.py").write_text(ADOPTION_MODELS, encoding="utf-8")
    paths = []
    for number in range(files):
        text = backend_module(lines)
        if number % 2 == 0:
            text += ADOPTION_USE.format(n=number)
        path = app / f"module_{number:03}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _findings(precepts: str, root: Path, *args: str) -> tuple[int, int]:
    cmd = [precepts, "check", "--output-format", "json", *args]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    import json

    return len(json.loads(proc.stdout or "[]")), proc.returncode


def adoption(repeat: int, files: int, lines: int) -> None:
    """Time the result cache and check the baseline's behaviour on a generated tree."""
    precepts = tool("precepts")
    assert precepts, "precepts is not installed"
    root = Path(tempfile.mkdtemp(prefix="precepts-adoption-"))
    paths = adoption_tree(root, files, lines)
    total = sum(p.read_bytes().count(b"\n") for p in paths)
    print(f"tree: {files} files, {total:,} lines; {os.cpu_count()} cores")
    cmd = [precepts, "check", "--exit-zero", "--no-baseline", "--quiet"]
    cache = root / ".precepts_cache"
    colds, warms, ones = [], [], []
    for attempt in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        colds.append(timed(cmd, 1, root)[0])
        warms.append(timed(cmd, 1, root)[0])
        changed = paths[attempt * 7 % len(paths)]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nCHANGED = 1\n", "utf-8")
        ones.append(timed(cmd, 1, root)[0])
    cold, warm, one = (statistics.median(v) for v in (colds, warms, ones))
    print(f"cold (empty cache)            median {cold:7.2f} s")
    print(f"warm (nothing changed)        median {warm:7.2f} s   {warm / cold:5.3f}× cold (≤ 0.1)")
    print(f"one file changed              median {one:7.2f} s   {one / cold:5.3f}× cold (≤ 0.15)")
    before, _ = _findings(precepts, root, "--no-baseline")
    _findings(precepts, root, "--write-baseline")
    after, status = _findings(precepts, root)
    print(f"baseline: {before} findings written; unchanged run: {after} findings, exit {status}")
    for path in paths + [root / "app" / "models.py"]:
        padding = "".join(f"# inserted line {n}\n" for n in range(10))
        path.write_text(padding + path.read_text(encoding="utf-8"), encoding="utf-8")
    moved, status = _findings(precepts, root)
    print(f"after 10 lines atop every file: {moved} findings, exit {status}")
    with paths[0].open("a", encoding="utf-8") as handle:
        handle.write("\nIS_MAIN = __name__ == None\n")  # one new BP105
    new, status = _findings(precepts, root)
    print(f"after one new violation (BP105): {new} findings, exit {status}")
    shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--packages", nargs="*", default=["fastapi", "sqlalchemy", "pydantic", "starlette"]
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], help="tools to leave out (e.g. pylint)")
    parser.add_argument("--adoption", action="store_true", help="time the cache, check baselines")
    parser.add_argument("--files", type=int, default=200, help="--adoption: files in the tree")
    parser.add_argument("--lines", type=int, default=250, help="--adoption: lines per file")
    args = parser.parse_args()
    if args.adoption:
        adoption(args.repeat, args.files, args.lines)
        return
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

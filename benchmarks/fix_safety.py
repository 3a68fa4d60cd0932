"""Fix safety over real code: do precepts' fixes ever damage a file? (issue 17)

For each tree given, a copy is made and ``precepts check --select ALL`` is run on it five
times, as a user would: once to record the findings, then ``--fix`` (safe fixes), then
``--fix`` again (fixes must converge in one run), then the same pair with
``--unsafe-fixes`` (a fix run reports a check of the text it leaves). After each step
every file is compared with what it was:

- files changed, and which of them are not Python (only ``pyproject.toml``/``setup.cfg``/
  ``.coveragerc`` may change, by BP804's fix, and they must still parse as TOML/INI);
- Python files that parsed before (libcst, and CPython's ``ast``) and do not after, and
  new BP000 findings;
- files a second run of the same fixes changes again;
- findings before and after, and findings a fix *introduced*: a code reported after the
  fix on a line that did not have it before (lines are mapped through the diff, so an
  added import that shifts the file does not count, but an unused or unsorted import it
  adds would).

    .venv/bin/python benchmarks/fix_safety.py /work/corpus/src/* /work/corpus/sdist/*
    .venv/bin/python benchmarks/fix_safety.py --save fix-safety.json TREE ...

Exit status 1 when a safe fix broke a file, changed a file that is not Python's or a
configuration file BP804 fixes, changed something on a second run, or introduced a
finding.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from precepts.config import tomllib

# -I: the checked tree is the working directory, and it must not shadow the standard
# library (airflow has a top-level `logging` package there).
PRECEPTS = [sys.executable, "-I", "-m", "precepts"]
PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_FILES = ("pyproject.toml", "setup.cfg", ".coveragerc")

# (path relative to the tree, code, 1-based line)
Finding = tuple[str, str, int]
# The "error: rule ... failed on ..." lines of every run (a rule that raised).
RULE_ERRORS: set[str] = set()


@dataclass
class Step:
    """What one fix run did to a tree."""

    name: str
    changed: list[str] = field(default_factory=list)
    non_python_changed: list[str] = field(default_factory=list)
    config_changed: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    new_bp000: int = 0
    changed_by_second_run: list[str] = field(default_factory=list)
    findings_before: int = 0
    findings_after: int = 0
    introduced: list[Finding] = field(default_factory=list)


def snapshot(root: Path) -> dict[str, bytes]:
    """Read every file of a tree.

    Args:
        root: The tree.

    Returns:
        Relative path → content.
    """
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def parses(name: str, data: bytes) -> bool:
    """Tell whether a file parses as its kind (Python by libcst and ``ast``, TOML, INI).

    Args:
        name: Its relative path.
        data: Its content.

    Returns:
        True when it parses (files of other kinds always "parse").
    """
    base = name.rsplit("/", 1)[-1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        if name.endswith(PYTHON_SUFFIXES):
            cst.parse_module(text)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        elif base == "pyproject.toml":
            tomllib.loads(text)
        elif base in ("setup.cfg", ".coveragerc"):
            configparser.RawConfigParser().read_string(text)
    except Exception:  # noqa: BLE001 - any parser's error means "does not parse"
        return False
    return True


def run_check(root: Path, *flags: str) -> list[Finding]:
    """Run ``precepts check --select ALL`` on a tree and return what it reports.

    Args:
        root: The tree.
        *flags: More options (``--fix``, ``--unsafe-fixes``).

    Returns:
        The findings left after the run.
    """
    command = [*PRECEPTS, "check", "--select", "ALL", "--output-format", "json"]
    command += ["--no-cache", "--exit-zero", "--quiet", *flags, "."]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    # A rule that raised is reported on stderr (exit status 2) and the run goes on: count
    # it, and judge the fixes of the other rules.
    RULE_ERRORS.update(line for line in done.stderr.splitlines() if line.startswith("error: rule "))
    if done.returncode not in (0, 2) or not done.stdout.strip().startswith("["):
        raise RuntimeError(f"precepts check failed in {root}:\n{done.stderr[-3000:]}")
    found = []
    for item in json.loads(done.stdout or "[]"):
        path = Path(item["filename"])
        relative = (path if path.is_absolute() else root / path).resolve().relative_to(root)
        found.append((relative.as_posix(), item["code"], item["location"]["row"]))
    return found


def line_map(before: bytes, after: bytes) -> dict[int, int]:
    """Map the 1-based lines of a fixed file to the lines they were before the fix.

    Args:
        before: The file before.
        after: The file after.

    Returns:
        After-line → before-line, for the lines the fix left as they were.
    """
    old = before.decode("utf-8", "replace").splitlines()
    new = after.decode("utf-8", "replace").splitlines()
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a0, _a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(b1 - b0):
                mapping[b0 + offset + 1] = a0 + offset + 1
    return mapping


def introduced(
    before: list[Finding],
    after: list[Finding],
    old: dict[str, bytes],
    new: dict[str, bytes],
) -> list[Finding]:
    """Return the findings after a fix that were not there before, lines mapped through the diff.

    A finding on a line the fix wrote counts as introduced when the lines the fix
    replaced had no finding of that code.

    Args:
        before: Findings before the fix.
        after: Findings after it.
        old: The tree before.
        new: The tree after.

    Returns:
        The introduced findings.
    """
    had = Counter((path, code, line) for path, code, line in before)
    codes_in_file = Counter((path, code) for path, code, _ in before)
    codes_after = Counter((path, code) for path, code, _ in after)
    found = []
    maps: dict[str, dict[int, int]] = {}
    for path, code, line in after:
        if old.get(path) == new.get(path):
            old_line: int | None = line
        else:
            mapping = maps.setdefault(path, line_map(old.get(path, b""), new.get(path, b"")))
            old_line = mapping.get(line)
        if old_line is not None and had[(path, code, old_line)]:
            had[(path, code, old_line)] -= 1
            continue
        # A rewritten line: new only when the file has more of this code than before.
        if old_line is None and codes_after[(path, code)] <= codes_in_file[(path, code)]:
            continue
        found.append((path, code, line))
    return found


def fix_step(
    root: Path, name: str, flags: tuple[str, ...], before: list[Finding]
) -> tuple[Step, list[Finding]]:
    """Run one kind of fix twice on a tree and judge what it did.

    Args:
        root: The tree (changed in place).
        name: ``safe`` or ``unsafe``.
        flags: The fix options.
        before: The findings before this step.

    Returns:
        The step's figures, and the findings after its second run.
    """
    step = Step(name, findings_before=len(before))
    old = snapshot(root)
    # What a fix run reports is a check of the fixed text (the CLI re-checks until the
    # fixes converge), so it is the "after" of this step.
    after = run_check(root, *flags)
    new = snapshot(root)
    step.findings_after = len(after)
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path):
            continue
        step.changed.append(path)
        base = path.rsplit("/", 1)[-1]
        if base in CONFIG_FILES:
            step.config_changed.append(path)
        elif not path.endswith(PYTHON_SUFFIXES):
            step.non_python_changed.append(path)
        if path in old and parses(path, old[path]) and not parses(path, new.get(path, b"")):
            step.broken.append(path)
    bp000_before = Counter(path for path, code, _ in before if code == "BP000")
    bp000_after = Counter(path for path, code, _ in after if code == "BP000")
    step.new_bp000 = sum(max(0, n - bp000_before[p]) for p, n in bp000_after.items())
    step.introduced = introduced(before, after, old, new)
    final = run_check(root, *flags)
    again = snapshot(root)
    step.changed_by_second_run = sorted(
        p for p in set(new) | set(again) if new.get(p) != again.get(p)
    )
    return step, final


def run_tree(tree: Path, work: Path) -> tuple[int, list[Step]]:
    """Copy a tree and run both fix steps on the copy.

    Args:
        tree: The tree to copy.
        work: Where copies go.

    Returns:
        (Python files in the tree, the two steps).
    """
    copy = work / tree.name
    shutil.copytree(tree, copy, symlinks=True)
    files = sum(1 for path in copy.rglob("*") if path.suffix in PYTHON_SUFFIXES)
    before = run_check(copy)
    safe, after_safe = fix_step(copy, "safe", ("--fix",), before)
    unsafe, _ = fix_step(copy, "unsafe", ("--fix", "--unsafe-fixes"), after_safe)
    shutil.rmtree(copy)
    return files, [safe, unsafe]


def _report(results: dict[str, tuple[int, list[Step]]], show: int) -> bool:
    header = (
        "| tree | files | step | findings before → after | files changed | config changed | "
        "not Python changed | broken | new BP000 | changed by 2nd run | introduced |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    totals: dict[str, Counter[str]] = {"safe": Counter(), "unsafe": Counter()}
    problems: list[str] = []
    for tree, (files, steps) in results.items():
        for step in steps:
            row = (
                tree, files, step.name, f"{step.findings_before} → {step.findings_after}",
                len(step.changed), len(step.config_changed), len(step.non_python_changed),
                len(step.broken), step.new_bp000, len(step.changed_by_second_run),
                len(step.introduced),
            )  # fmt: skip
            print("| " + " | ".join(str(cell) for cell in row) + " |")
            total = totals[step.name]
            total.update(
                files=files, before=step.findings_before, after=step.findings_after,
                changed=len(step.changed), config=len(step.config_changed),
                other=len(step.non_python_changed), broken=len(step.broken),
                bp000=step.new_bp000, again=len(step.changed_by_second_run),
                introduced=len(step.introduced),
            )  # fmt: skip
            for label, items in (
                ("broken", step.broken),
                ("not Python, changed", step.non_python_changed),
                ("changed by the second run", step.changed_by_second_run),
                ("introduced", step.introduced),
            ):
                problems += [f"{tree} [{step.name}] {label}: {item}" for item in items[:show]]
    for name, total in totals.items():
        print(
            f"| **all** | {total['files']} | {name} | {total['before']} → {total['after']} | "
            f"{total['changed']} | {total['config']} | {total['other']} | {total['broken']} | "
            f"{total['bp000']} | {total['again']} | {total['introduced']} |"
        )
    for line in problems:
        print(line)
    print(f"rules that raised: {len(RULE_ERRORS)}")
    for line in sorted(RULE_ERRORS)[:show]:
        print(f"  {line}")
    safe = totals["safe"]
    failed = any(safe[key] for key in ("broken", "bp000", "other", "again", "introduced"))
    failed = failed or totals["unsafe"]["broken"] or totals["unsafe"]["other"]
    return not failed and not RULE_ERRORS


def main(argv: list[str] | None = None) -> int:
    """Run the fix-safety check over the trees named on the command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        0 when every target is met, else 1.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--save", type=Path, help="write every step's figures as JSON")
    parser.add_argument("--show", type=int, default=20, help="problems listed per step")
    args = parser.parse_args(argv)
    results: dict[str, tuple[int, list[Step]]] = {}
    with tempfile.TemporaryDirectory(prefix="precepts-fix-safety-") as work:
        for tree in args.trees:
            print(f"... {tree}", file=sys.stderr, flush=True)
            results[tree.name] = run_tree(tree.resolve(), Path(work))
    ok = _report(results, args.show)
    if args.save:
        data = {
            tree: {"files": files, "steps": [step.__dict__ for step in steps]}
            for tree, (files, steps) in results.items()
        }
        args.save.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

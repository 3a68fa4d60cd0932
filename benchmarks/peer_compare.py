"""Compare precepts' findings with its peers' (ruff, bandit) on the same real files.

Run on demand (never in CI)::

    .venv/bin/pip install -e '.[bench]'        # ruff and bandit
    .venv/bin/python benchmarks/peer_compare.py /work/corpus/src/lnbits-1.6.2-py3-none-any ...
    .venv/bin/python benchmarks/peer_compare.py --load /tmp/peer.json --samples 25 --family sql

For every *family* (a practice of the standard and the peer rules that check the same
thing), findings are matched one to one: same file, line within ±1 (exact lines first).
The script prints, per family and peer, how many findings each side has, how many match,
precision (matched ÷ ours: how often the peer agrees with us) and recall (matched ÷ the
peer's: how much of what the peer finds we find too), then samples of both kinds of
disagreement with their source line.

The peers run with their suppression comments ignored (ruff ``--ignore-noqa``, bandit
``--ignore-nosec``): a ``# noqa: E711`` says the author saw the finding, so it is a
detection to compare, not a disagreement.

Paths a practice exempts are left out on both sides, so that an exemption is not counted
as a disagreement: test code (``tests/``, ``test_*.py``, ``conftest.py``: no practice of
the families compared here applies to it the same way) and, for ``print``, CLI entry
points (``__main__.py``). The script prints how many files that leaves out.

Hand-read verdicts live in ``benchmarks/peer_verdicts.json`` (one entry per disagreement
read: family, side, path below the corpus root, line, verdict ``our-bug`` / ``differs`` /
``peer-wrong``). The script reports, per family, precision "after removing the
disagreements classified peer-wrong": the share of our unmatched findings that the sample
found to be peer-wrong is removed from the denominator (extrapolated from the sample to
all our unmatched findings of the family).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from precepts.context import is_test_path
from precepts.registry import all_rules

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_scope import SCOPES  # noqa: E402

VERDICTS = Path(__file__).with_name("peer_verdicts.json")


@dataclass(frozen=True)
class Family:
    """One practice and the peer rules that check the same thing."""

    name: str
    ours: tuple[str, ...]
    ruff: tuple[str, ...] = ()
    bandit: tuple[str, ...] = ()
    preview: bool = False  # the ruff rules need --preview (run separately, alone)
    cli_exempt: bool = False  # CLI entry points are exempt from the practice
    # How many lines from ours the peer's finding may sit: ruff puts each missing
    # annotation on its parameter's line and D417 on the name, precepts one finding per
    # function on its name (BP106) or on the docstring (BP108).
    window: int = 1
    # Only our findings whose message holds one of these (the part the peer checks).
    ours_part: tuple[str, ...] = ()
    note: str = ""


FAMILIES: tuple[Family, ...] = (
    Family("broad-except", ("BP109",), ("BLE001",), ("B110", "B112")),
    Family("generic-raise", ("BP110",), ("TRY002",)),
    Family("none-comparison", ("BP105",), ("E711", "E712")),
    Family("naming", ("BP102", "BP103"), ("N801", "N802", "N803")),
    Family(
        "type-hints",
        ("BP106",),
        ("ANN001", "ANN002", "ANN003", "ANN201", "ANN202", "ANN204", "ANN205", "ANN206"),
        window=15,
    ),
    Family("docstrings", ("BP107",), ("D100", "D101", "D102", "D103", "D104", "D106", "D107")),
    Family("docstring-args", ("BP108",), ("D417",), window=40, ours_part=("(Args)",)),
    Family(
        "docstring-sections",
        ("BP108",),
        ("DOC201", "DOC501"),
        preview=True,
        window=40,
        ours_part=("(Returns)", "(Raises)"),
    ),
    Family("print", ("BP603",), ("T201",), cli_exempt=True),
    Family("log-format", ("BP604",), ("G001", "G002", "G003", "G004")),
    Family("secrets", ("BP409",), ("S105", "S106", "S107"), ("B105", "B106", "B107")),
    # SQL that reaches a call through a variable is reported at the call, the peers report
    # where the string is built: a few lines apart in the same function.
    Family("sql-injection", ("BP501",), ("S608",), ("B608",), window=20),
    Family("http-timeout", ("BP602",), ("S113",), ("B113",)),
    Family("weak-hash", ("BP408",), ("S324",), ("B324",)),
    Family("encoding", ("BP606",), ("PLW1514",), preview=True),
    Family(
        "blocking-async",
        ("BP601",),
        ("ASYNC210", "ASYNC212"),
        note="ASYNC22x (subprocesses), ASYNC230 (open) and ASYNC251 (sleep) are not BP601's",
    ),
    Family(
        "fastapi",
        (),
        ("FAST001", "FAST002", "FAST003"),
        note="no practice matches: the standard writes `db: Session = Depends(get_db)` "
        "(FAST002 wants Annotated) and asks for response_model= (FAST001 calls it redundant)",
    ),
)


@dataclass(frozen=True)
class Finding:
    """One finding of one tool, reduced to what matching needs."""

    tool: str
    code: str
    path: str
    line: int
    message: str
    column: int = 0


@dataclass
class Outcome:
    """The matching of one family against one peer."""

    ours: list[Finding] = field(default_factory=list)
    peer: list[Finding] = field(default_factory=list)
    matched: list[tuple[Finding, Finding]] = field(default_factory=list)
    ours_only: list[Finding] = field(default_factory=list)
    peer_only: list[Finding] = field(default_factory=list)


def python_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [p.resolve() for p in found if p.is_file()]


def tool(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def run_json(cmd: list[str]) -> object:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if not proc.stdout.strip():
        print(f"  ! {Path(cmd[0]).name} printed nothing: {proc.stderr[-400:]}", file=sys.stderr)
        return []
    return json.loads(proc.stdout)


def run_precepts(listing: Path, codes: list[str], jobs: int) -> list[Finding]:
    """Run the precepts CLI on the listed files with only the families' rules."""
    files = listing.read_text(encoding="utf-8").split("\n")
    with tempfile.TemporaryDirectory() as empty:
        config = Path(empty) / "pyproject.toml"  # no project configuration of anyone's
        config.write_text("[tool.precepts]\n", encoding="utf-8")
        out: list[Finding] = []
        for start in range(0, len(files), 400):
            cmd = [
                sys.executable, "-m", "precepts", "check", "--output-format", "json",
                "--exit-zero", "--no-gitignore", "--quiet", "--config", str(config),
                "--select", ",".join(codes), "--jobs", str(jobs), *files[start : start + 400],
            ]  # fmt: skip
            for item in run_json(cmd):
                out.append(
                    Finding(
                        "precepts",
                        item["code"],
                        item["filename"],
                        item["location"]["row"],
                        item["message"],
                        item["location"]["column"],
                    )  # fmt: skip
                )
    return out


def run_ruff(files: list[str], codes: list[str], preview: bool) -> list[Finding]:
    exe = tool("ruff")
    if exe is None or not codes:
        return []
    out: list[Finding] = []
    for start in range(0, len(files), 400):
        cmd = [
            exe, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format", "json",
            "--ignore-noqa",
            "--select", ",".join(codes), "--config", "lint.pydocstyle.convention = 'google'",
            *(["--preview"] if preview else []), *files[start : start + 400],
        ]  # fmt: skip
        for item in run_json(cmd):
            code = item.get("code") or "E999"
            location = item["location"]
            out.append(
                Finding(
                    "ruff",
                    code,
                    item["filename"],
                    location["row"],
                    item["message"],
                    location["column"],
                )  # fmt: skip
            )
    return out


def run_bandit(files: list[str], codes: list[str]) -> list[Finding]:
    exe = tool("bandit")
    if exe is None or not codes:
        return []
    out: list[Finding] = []
    for start in range(0, len(files), 400):
        cmd = [
            exe, "-q", "--ignore-nosec", "-f", "json", "-t", ",".join(codes),
            *files[start : start + 400],
        ]  # fmt: skip
        data = run_json(cmd)
        for item in data.get("results", []) if isinstance(data, dict) else []:
            out.append(
                Finding(
                    "bandit",
                    item["test_id"],
                    item["filename"],
                    item["line_number"],
                    item["issue_text"],
                )  # fmt: skip
            )
    return out


def collect(paths: list[str], jobs: int, reuse: str | None = None) -> dict[str, object]:
    """Run the three tools on the same files and return their raw findings.

    With ``reuse``, the peers' findings come from that saved run (same files): only
    precepts runs again, to measure a change of ours.
    """
    files = [str(p) for p in python_files(paths)]
    known = set(all_rules())
    codes = sorted({c for fam in FAMILIES for c in fam.ours if c in known})
    stable = sorted({c for fam in FAMILIES if not fam.preview for c in fam.ruff})
    preview = sorted({c for fam in FAMILIES if fam.preview for c in fam.ruff})
    bandit = sorted({c for fam in FAMILIES for c in fam.bandit})
    timings: dict[str, float] = {}
    found: list[Finding] = []
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(files))
        listing = Path(f.name)
    steps = (
        ("precepts", lambda: run_precepts(listing, codes, jobs)),
        ("ruff", lambda: run_ruff(files, stable, False) + run_ruff(files, preview, True)),
        ("bandit", lambda: run_bandit(files, bandit)),
    )
    if reuse is not None:
        saved = json.loads(Path(reuse).read_text(encoding="utf-8"))
        found.extend(Finding(**f) for f in saved["findings"] if f["tool"] != "precepts")
        timings.update({k: v for k, v in saved["timings"].items() if k != "precepts"})
        steps = steps[:1]
    for name, step in steps:
        started = time.perf_counter()
        print(f"# running {name} on {len(files)} files ...", file=sys.stderr)
        found.extend(step())
        timings[name] = round(time.perf_counter() - started, 1)
    listing.unlink()
    return {
        "roots": [str(Path(p).resolve()) for p in paths],
        "files": files,
        "timings": timings,
        "tools": {"ruff": tool("ruff") is not None, "bandit": tool("bandit") is not None},
        "findings": [f.__dict__ for f in found],
    }


def exempt(path: str, family: Family) -> bool:
    """Tell whether a practice exempts the path (left out on both sides)."""
    if is_test_path(path):
        return True
    return family.cli_exempt and path.replace("\\", "/").endswith("__main__.py")


def match(ours: list[Finding], peer: list[Finding], window: int = 1) -> Outcome:
    """Pair findings one to one: same file, exact line first, then ±1, ±2 ... ±window."""
    outcome = Outcome(ours=ours, peer=peer)
    free: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for finding in peer:
        free[(finding.path, finding.line)].append(finding)
    pending = ours
    for distance in range(window + 1):
        unmatched: list[Finding] = []
        for finding in pending:
            lines = (
                [finding.line - distance, finding.line + distance] if distance else [finding.line]
            )
            slot = next((free[(finding.path, n)] for n in lines if free[(finding.path, n)]), None)
            if not slot:
                unmatched.append(finding)
                continue
            # Several candidates on one line (`a == False or a == None`): the nearest column.
            best = min(slot, key=lambda other: abs(other.column - finding.column))
            slot.remove(best)
            outcome.matched.append((finding, best))
        pending = unmatched
    outcome.ours_only = pending
    outcome.peer_only = [f for bucket in free.values() for f in bucket]
    return outcome


def relative(path: str, roots: list[str]) -> str:
    for root in roots:
        parent = str(Path(root).parent)
        if path.startswith(parent + "/"):
            return path[len(parent) + 1 :]
    return path


def source_line(path: str, line: int, after: int = 0) -> str:
    """The finding's line (and ``after`` lines below it), for reading by hand."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if not 0 < line <= len(lines):
        return ""
    shown = lines[line - 1 : line + after]
    indent = min(len(t) - len(t.lstrip()) for t in shown if t.strip()) if any(shown) else 0
    return "\n    | ".join(t[indent:].rstrip()[:140] for t in shown)


def load_verdicts() -> dict[tuple[str, str, str, int], str]:
    if not VERDICTS.exists():
        return {}
    entries = json.loads(VERDICTS.read_text(encoding="utf-8"))
    return {(e["family"], e["side"], e["path"], e["line"]): e["verdict"] for e in entries}


def ratio(part: int, whole: float) -> str:
    return f"{part / whole:.2f}" if whole else "—"


def adjusted_precision(
    family: Family, outcome: Outcome, roots: list[str], verdicts: dict, removed: set[str]
) -> tuple[str, int, int]:
    """Precision once the sampled share of some kinds of disagreement is taken out.

    Args:
        family: The family.
        outcome: Its matching against the sampled peer.
        roots: The corpus roots (verdicts name paths below them).
        verdicts: The hand-read verdicts.
        removed: The verdicts whose disagreements do not count against us.

    Returns:
        The adjusted precision, how many of our unmatched findings were read, and how
        many of those had a removed verdict.
    """
    read = [
        verdicts.get((family.name, "ours", relative(f.path, roots), f.line))
        for f in outcome.ours_only
    ]
    read = [v for v in read if v]
    if not read:
        return "—", 0, 0
    out = sum(v in removed for v in read)
    kept = len(outcome.ours_only) * (1 - out / len(read))
    return ratio(len(outcome.matched), len(outcome.matched) + kept), len(read), out


def shared_scope(
    family: Family, ours: list[Finding], peer: list[Finding], roots: list[str], verdicts: dict
) -> str:
    """Precision over our findings that the peer's rule covers (``peer_scope.py``).

    Returns:
        For example "612 of 1262 (handlers that ...): 0.93 / 0.97 without peer-wrong",
        or "—" for a family whose practice and peer mean the same thing throughout.
    """
    if family.name not in SCOPES:
        return "—"
    keep, what = SCOPES[family.name]
    kept = [f for f in ours if keep(f)]
    outcome = match(kept, peer, family.window)
    adjusted, read, _ = adjusted_precision(family, outcome, roots, verdicts, {"peer-wrong"})
    without = f" / {adjusted} without peer-wrong ({read} read)" if read else ""
    return f"{len(kept)} of {len(ours)} ({what}): {ratio(len(outcome.matched), len(kept))}{without}"


def report(data: dict, args: argparse.Namespace) -> None:
    roots = data["roots"]
    files = data["files"]
    findings = [Finding(**f) for f in data["findings"]]
    verdicts = load_verdicts()
    known = set(all_rules())
    rng = random.Random(args.seed)
    tests = sum(is_test_path(p) for p in files)
    mains = sum(p.endswith("__main__.py") and not is_test_path(p) for p in files)
    print(f"# {len(files)} files under {len(roots)} roots; timings {data['timings']}")
    print(
        f"# left out on both sides: {tests} test files (every family), "
        f"{mains} CLI entry points `__main__.py` (print)"
    )
    if not data["tools"].get("bandit"):
        print("# bandit is not installed: its columns are empty")
    print()
    rows = [
        "| family | peer | ours | peer's | matched | precision | recall "
        "| without peer-wrong / without peer-wrong and differs | shared scope |"
    ]
    rows.append("|---|---|---|---|---|---|---|---|---|")
    details: list[str] = []
    for family in FAMILIES:
        if args.family and not family.name.startswith(args.family):
            continue
        present = [c for c in family.ours if c in known]
        if not present:
            why = (
                f"no precepts rule {'/'.join(family.ours)} in this checkout"
                if family.ours
                else family.note
            )
            rows.append(f"| {family.name} | — | — | — | — | — | — | not compared: {why} | — |")
            continue
        ours = [
            f
            for f in findings
            if f.tool == "precepts" and f.code in present and not exempt(f.path, family)
            if not family.ours_part or any(part in f.message for part in family.ours_part)
        ]
        for peer_name, peer_codes in (("ruff", family.ruff), ("bandit", family.bandit)):
            if not peer_codes or not data["tools"].get(peer_name):
                continue
            peer = [
                f
                for f in findings
                if f.tool == peer_name and f.code in peer_codes and not exempt(f.path, family)
            ]
            outcome = match(ours, peer, family.window)
            note = scope = "—"
            if peer_name == args.peer:
                scope = shared_scope(family, ours, peer, roots, verdicts)
                wrong_out = adjusted_precision(family, outcome, roots, verdicts, {"peer-wrong"})
                both_out = adjusted_precision(
                    family, outcome, roots, verdicts, {"peer-wrong", "differs"}
                )
                adjusted, read, wrong = wrong_out
                if read:
                    note = (
                        f"{adjusted} / {both_out[0]} ({read} read: {wrong} peer-wrong, "
                        f"{both_out[2] - wrong} differs)"
                    )
            rows.append(
                f"| {family.name} | {peer_name} {','.join(peer_codes)} | {len(ours)} | "
                f"{len(peer)} | {len(outcome.matched)} | "
                f"{ratio(len(outcome.matched), len(ours))} | "
                f"{ratio(len(outcome.matched), len(peer))} | {note} | {scope} |"
            )
            if args.samples and peer_name == args.peer:
                details.extend(samples(family, outcome, roots, verdicts, rng, args))
    print("\n".join(rows))
    if details:
        print()
        print("\n".join(details))


def samples(
    family: Family,
    outcome: Outcome,
    roots: list[str],
    verdicts: dict,
    rng: random.Random,
    args: argparse.Namespace,
) -> list[str]:
    out: list[str] = []
    for side, pool in (("ours", outcome.ours_only), ("peer", outcome.peer_only)):
        if args.unread:
            pool = [
                f
                for f in pool
                if (family.name, side, relative(f.path, roots), f.line) not in verdicts
            ]
        chosen = sorted(
            rng.sample(pool, min(args.samples, len(pool))), key=lambda f: (f.path, f.line)
        )
        label = "ours only (the peer is silent)" if side == "ours" else "the peer's only"
        out.append(f"## {family.name}: {label}, {len(chosen)} of {len(pool)}")
        for f in chosen:
            rel = relative(f.path, roots)
            verdict = verdicts.get((family.name, side, rel, f.line), "")
            out.append(f"{rel}:{f.line}: {f.code} {f.message[:110]} {verdict}")
            out.append(f"    | {source_line(f.path, f.line, args.context)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="directories or files to check")
    parser.add_argument("--save", help="write the raw findings to this JSON file")
    parser.add_argument("--load", help="report on raw findings saved by --save (no run)")
    parser.add_argument("--reuse-peers", help="take ruff's and bandit's findings from a saved run")
    parser.add_argument("--family", default="", help="only families whose name starts so")
    parser.add_argument("--samples", type=int, default=5, help="disagreements shown per side")
    parser.add_argument("--peer", default="ruff", help="whose disagreements to sample")
    parser.add_argument("--unread", action="store_true", help="sample only unread ones")
    parser.add_argument("--context", type=int, default=0, help="source lines shown after each")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if args.load:
        data = json.loads(Path(args.load).read_text(encoding="utf-8"))
    elif args.paths:
        data = collect(args.paths, args.jobs, args.reuse_peers)
        if args.save:
            Path(args.save).write_text(json.dumps(data), encoding="utf-8")
    else:
        parser.error("give paths to check, or --load a saved run")
    report(data, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

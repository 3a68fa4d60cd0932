"""Where a keystroke's time goes: the latency benchmark's edits, profiled.

Two views of the same scripted edits (those of ``latency.py``) on the 5,000-line module:

* ``--stdio`` (the default): the real server over stdio, run under :mod:`cProfile`, driven
  by the benchmark's client; everything the server does between reading a ``didChange``
  and writing its ``publishDiagnostics`` (JSON-RPC, the check, conversion, encoding) is
  in the profile, the client's own decoding is not.
* ``--in-process``: :class:`precepts.incremental.document.IncrementalDocument` alone, the
  engine's share without the protocol.

It prints the functions with the most cumulative and own time. cProfile adds overhead
per call, so read the shares, not the milliseconds. Run:
``python benchmarks/profile_edits.py [--in-process] [--edits N] [--module class]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import backend_module, class_module  # noqa: E402
from latency import PRECEPTS, Driver, Edit, Server, open_string_script, script  # noqa: E402

MODULES = {
    "backend": lambda: backend_module(5000),
    "small": lambda: backend_module(500),
    "class": lambda: class_module(1000),
}


def edits_for(text: str, count: int, open_string: bool) -> list[Edit]:
    """Return the benchmark's edits for a module."""
    return open_string_script(text, count) if open_string else script(text, count)


def in_process(text: str, edits: list[Edit], top: int) -> None:
    """Profile the incremental engine on the edits, without the protocol."""
    from precepts.config import Settings
    from precepts.engine import RuleSet
    from precepts.incremental.document import IncrementalDocument

    ruleset = RuleSet.from_settings(Settings(), Path("app/module.py"))
    document = IncrementalDocument(text, "app/module.py", ruleset)
    document.check()
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for edit in edits:
        document.edit((edit.line, edit.start), (edit.line, edit.end), edit.text)
        document.check()
    profile.disable()
    elapsed = (time.perf_counter() - started) * 1000 / len(edits)
    print(f"in process, under the profiler: {elapsed:.1f} ms per edit")
    report(pstats.Stats(profile), top)


async def over_stdio(text: str, edits: list[Edit], top: int) -> None:
    """Profile the real server over stdio on the edits."""
    root = Path(tempfile.mkdtemp(prefix="precepts-profile-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
    output = root / "server.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(output), *PRECEPTS[1:]]
    driver = Driver(Server("precepts", command), root)
    await driver.start()
    path = root / "module.py"
    path.write_text(text, encoding="utf-8")
    opened = driver.open(path.as_uri(), text)
    await driver.wait(path.as_uri(), 1, opened)
    latencies = await driver.run_edits(path.as_uri(), edits)
    await driver.stop()
    for _ in range(100):  # the profile is written as the server exits
        if output.exists() and output.stat().st_size:
            break
        await asyncio.sleep(0.1)
    latencies.sort()
    print(f"over stdio, under the profiler: p50 {latencies[len(latencies) // 2]:.1f} ms")
    report(pstats.Stats(str(output)), top)


def report(stats: pstats.Stats, top: int) -> None:
    """Print the heaviest functions by cumulative and by own time."""
    stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    """Run the chosen profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--module", choices=sorted(MODULES), default="backend")
    parser.add_argument("--open-string", action="store_true", help="type in an open string")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    text = MODULES[args.module]()
    edits = edits_for(text, args.edits, args.open_string)
    if args.in_process:
        in_process(text, edits, args.top)
    else:
        asyncio.run(over_stdio(text, edits, args.top))


if __name__ == "__main__":
    main()

"""Latency of the language server: didChange → publishDiagnostics, edit after edit.

Drives the real servers over stdio through a scripted sequence of edits (someone typing
new statements into functions, one keystroke per edit, and deleting others character by
character — so half the intermediate states do not parse) on two generated modules:

* a 5,000-line FastAPI/SQLAlchemy-style backend module;
* a module holding one 1,000-line class;
* a 500-line backend module (cost flat in file size: p50 at 5,000 lines over p50 at 500);
* the 5,000-line module while a triple-quoted string is left open in its middle.

Every precepts server runs with the settings a user gets by default (no initialization
options), except the full re-check (``incremental: false``). Each edit waits for the
diagnostics of its version before the next is sent; the client reads them as plain JSON,
as an editor does, not structured into typed objects. It measures:

* precepts, incremental (the default);
* precepts with incremental checking switched off (``incremental: false``: every change is
  a full check), on the first ``--full-edits`` edits only (it is slow);
* ``ruff server`` with ``select = ["ALL"]`` (when ruff is installed);

and prints p50 / p95 / max and the ratios, then the server's RSS with 100 open 1,000-line
files. Run: ``python benchmarks/latency.py`` (``--edits N`` to change the count;
``--before CHECKOUT`` to run another checkout's server on the same edits in the same run;
``--pause-after-open 1`` to wait a second after the first diagnostics, as someone who reads
before typing, for every server alike; ``--only backend_5k`` for one module).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import backend_module, class_module  # noqa: E402

PRECEPTS = [sys.executable, "-m", "precepts.server", "--log-level", "error"]
CAPABILITIES = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
            related_information=True, version_support=True, code_description_support=True
        ),
    ),
    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
)


@dataclass
class Edit:
    """One keystroke (or backspace) as an LSP change."""

    line: int
    start: int
    end: int
    text: str


def script(source: str, count: int, seed: int = 7) -> list[Edit]:
    """Return ``count`` keystrokes: new statements typed into function bodies, others erased.

    Args:
        source: The module.
        count: How many edits.
        seed: The random seed (the script is the same for every server).

    Returns:
        The edits, to apply in order.
    """
    lines = source.split("\n")
    rng = random.Random(seed)
    bodies = [
        i
        for i, text in enumerate(lines)
        if text.startswith("        ")
        and not text.strip().startswith(('"""', "#", ")", "]"))
        and text.strip()
        # Not after a block opener: a statement typed at the opener's indentation would
        # leave the block empty, and the file would stay broken for the rest of the run.
        and not text.rstrip().endswith((",", "(", "[", "{", "\\", ":"))
    ]
    statements = [
        "result = compute(value, limit=10)",
        'logger.info("processed %s", item.id)',
        "if item.total == None: return None",
        "total += len(rows[0].orders)",
    ]
    edits: list[Edit] = []
    inserted_lines = 0
    while len(edits) < count:
        line = rng.choice(bodies) + inserted_lines
        indent = " " * (
            len(lines[line - inserted_lines]) - len(lines[line - inserted_lines].lstrip())
        )
        if rng.random() < 0.6:
            # Enter at the end of the line, then type a statement character by character.
            end = len(lines[line - inserted_lines])
            edits.append(Edit(line, end, end, "\n" + indent))
            inserted_lines += 1
            typed = rng.choice(statements)
            for offset, char in enumerate(typed):
                column = len(indent) + offset
                edits.append(Edit(line + 1, column, column, char))
            bodies = [b + 1 if b > line - inserted_lines + 1 else b for b in bodies]
        else:
            # Backspace a word at the end of a line, then type it again.
            text = lines[line - inserted_lines]
            word = text.split()[-1][-6:] if text.split() else ""
            end = len(text)
            for step in range(len(word)):
                edits.append(Edit(line, end - step - 1, end - step, ""))
            for offset, char in enumerate(word):
                edits.append(Edit(line, end - len(word) + offset, end - len(word) + offset, char))
    return edits[:count]


def open_string_script(source: str, count: int) -> list[Edit]:
    """Return keystrokes that open a triple-quoted string mid-file and type inside it.

    The string is never closed: from its first quote to the end of the file the text
    does not tokenise, as while someone types a docstring.

    Args:
        source: The module.
        count: How many edits.

    Returns:
        The edits: a new line in the middle function body, ``note = \"\"\"`` typed
        character by character, then words typed inside the string.
    """
    lines = source.split("\n")
    middle = len(lines) // 2
    line = next(
        i
        for i in range(middle, len(lines))
        if lines[i].startswith("        ") and lines[i].strip().startswith("return")
    )
    indent = " " * (len(lines[line]) - len(lines[line].lstrip()))
    end = len(lines[line])
    edits = [Edit(line, end, end, "\n" + indent)]
    words = "the caller must hold the session and pass the owner id " * 20
    for offset, char in enumerate('note = """' + words):
        column = len(indent) + offset
        edits.append(Edit(line + 1, column, column, char))
    return edits[:count]


def parses_after(source: str, edits: list[Edit]) -> list[bool]:
    """Tell, for each edit of a script, whether the text parses once it is applied.

    A full re-check of a text that does not parse stops at the syntax error (one BP000),
    so the full-vs-incremental ratio is taken on the edits whose text parses.

    Args:
        source: The module before the script.
        edits: The script.

    Returns:
        One flag per edit.
    """
    lines = source.split("\n")
    flags = []
    for edit in edits:
        line = lines[edit.line]
        lines[edit.line : edit.line + 1] = (
            line[: edit.start] + edit.text + line[edit.end :]
        ).split("\n")
        try:
            ast.parse("\n".join(lines))
        except SyntaxError:
            flags.append(False)
        else:
            flags.append(True)
    return flags


def compare_on_valid(
    full: list[float], incremental: list[float], valid: list[bool]
) -> tuple[int, float, float]:
    """Return (edits, full p50, incremental p50) over the same edits whose text parses."""
    same = [i for i in range(len(full)) if valid[i]]
    if not same:
        return 0, float("nan"), float("nan")
    return (
        len(same),
        statistics.median(full[i] for i in same),
        statistics.median(incremental[i] for i in same),
    )


@dataclass
class Server:
    """A server under test."""

    name: str
    command: list[str]
    options: dict[str, Any] = field(default_factory=dict)
    pid: int = 0


class Driver:
    """A minimal LSP client that times didChange → publishDiagnostics."""

    def __init__(self, server: Server, root: Path) -> None:
        self.server = server
        self.root = root
        self.client = LanguageClient("precepts-benchmark", "1")
        # ruff's capabilities use notebook filters lsprotocol cannot structure: read the
        # initialize response untyped.
        typed = self.client.protocol.get_result_type
        self.client.protocol.get_result_type = (  # type: ignore[method-assign]
            lambda method: None if method == types.INITIALIZE else typed(method)
        )
        self.received: dict[str, list[tuple[int | None, float]]] = {}
        self.arrived = asyncio.Event()
        # Diagnostics are read as plain JSON, as an editor reads them (VS Code parses the
        # message natively): structuring them into lsprotocol objects through cattrs costs
        # this Python client ~20 ms for 470 diagnostics, which would be counted against
        # whichever server sends more of them. ``json.loads`` still runs, for every server.
        structure = self.client.protocol.structure_message

        def read(data: dict[str, Any]) -> Any:
            if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
                params = data.get("params") or {}
                entry = (params.get("version"), time.perf_counter())
                self.received.setdefault(params.get("uri", ""), []).append(entry)
                self.arrived.set()
                data = {**data, "params": {"uri": params.get("uri", ""), "diagnostics": []}}
            return structure(data)

        self.client.protocol.structure_message = read  # type: ignore[method-assign]

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            pass  # recorded as the message was read

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            pass

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            print(f"  [{server.name}] {params.message}", file=sys.stderr)

    async def start(self) -> None:
        await self.client.start_io(*self.server.command, cwd=str(self.root))
        process = self.client._server  # noqa: SLF001 - the pid, for RSS
        self.server.pid = process.pid
        asyncio.ensure_future(self._drain(process.stderr))
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=CAPABILITIES,
                root_uri=self.root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name="bench")],
                initialization_options=self.server.options,
            )
        )
        self.client.initialized(types.InitializedParams())

    @staticmethod
    async def _drain(stream: Any) -> None:
        while stream is not None and await stream.read(65536):
            pass

    async def wait(self, uri: str, version: int, since: float, timeout: float = 600) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            for got, when in reversed(self.received.get(uri, [])):
                if when >= since and (got is None or got == version):
                    return when
            self.arrived.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{self.server.name}: no diagnostics for {uri} v{version}")
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def open(self, uri: str, text: str) -> float:
        started = time.perf_counter()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        return started

    async def run_edits(self, uri: str, edits: list[Edit]) -> list[float]:
        latencies = []
        for version, edit in enumerate(edits, start=2):
            change = types.TextDocumentContentChangePartial(
                range=types.Range(
                    types.Position(edit.line, edit.start), types.Position(edit.line, edit.end)
                ),
                text=edit.text,
            )
            sent = time.perf_counter()
            self.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[change],
                )
            )
            received = await self.wait(uri, version, sent)
            latencies.append((received - sent) * 1000)
        return latencies

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), 30)
        except Exception:  # a server that does not stop cleanly is killed
            process = self.client._server  # noqa: SLF001
            if process is not None and process.returncode is None:
                process.kill()


def rss_mib(pid: int) -> float:
    """Return a process's resident set size in MiB (Linux)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return p50, p95, ordered[-1]


# --pause-after-open, for every server alike.
PAUSE_AFTER_OPEN = 0.0


async def measure(
    server: Server, root: Path, name: str, text: str, edits: list[Edit]
) -> dict[str, Any]:
    driver = Driver(server, root)
    await driver.start()
    path = root / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    opened = driver.open(uri, text)
    first = await driver.wait(uri, 1, opened)
    await asyncio.sleep(PAUSE_AFTER_OPEN)  # someone reads before typing
    latencies = await driver.run_edits(uri, edits)
    rss = rss_mib(server.pid)
    await driver.stop()
    return {"open_ms": (first - opened) * 1000, "latencies": latencies, "rss": rss}


async def memory(server: Server, root: Path, files: int) -> float:
    driver = Driver(server, root)
    await driver.start()
    uris = []
    for index in range(files):
        text = backend_module(1000).replace("Status0", f"Status{index}x")
        path = root / f"mem_{index}.py"
        path.write_text(text, encoding="utf-8")
        uris.append((path.as_uri(), driver.open(path.as_uri(), text)))
    for uri, opened in uris:
        await driver.wait(uri, 1, opened)
    rss = rss_mib(server.pid)
    await driver.stop()
    return rss


def show(label: str, result: dict[str, Any]) -> tuple[float, float, float]:
    p50, p95, worst = summary(result["latencies"])
    print(
        f"  {label:<34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   max {worst:8.1f} ms   "
        f"({len(result['latencies'])} edits, open {result['open_ms']:.0f} ms, "
        f"RSS {result['rss']:.0f} MiB)"
    )
    return p50, p95, worst


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--full-edits", type=int, default=30, help="edits for the full-check run")
    parser.add_argument("--files", type=int, default=100, help="open files for the RSS figure")
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        help="also run the server of another checkout of precepts (same edits, same run); "
        "its own .venv is used when it has one",
    )
    parser.add_argument(
        "--before-edits", type=int, default=30, help="edits for the --before server"
    )
    parser.add_argument(
        "--pause-after-open",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long after the first diagnostics before typing (every server alike); "
        "the default, 0, types at once",
    )
    parser.add_argument("--only", default="", help="only the modules whose name starts so")
    args = parser.parse_args()
    global PAUSE_AFTER_OPEN
    PAUSE_AFTER_OPEN = args.pause_after_open
    root = Path(tempfile.mkdtemp(prefix="precepts-bench-"))
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\n", encoding="utf-8")
    (root / "ruff.toml").write_text('[lint]\nselect = ["ALL"]\n', encoding="utf-8")
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    have_ruff = Path(ruff).exists()
    modules = {
        "backend_5k.py": backend_module(5000),
        "class_1k.py": class_module(1000),
    }
    before = None
    if args.before:
        # A checkout with its own virtualenv runs there (an editable install maps its
        # top-level packages); otherwise its root goes first on the path.
        own = Path(args.before) / ".venv" / "bin" / "python"
        command = (
            [str(own), *PRECEPTS[1:]]
            if own.exists()
            else ["env", f"PYTHONPATH={args.before}", *PRECEPTS]
        )
        before = Server("before", command)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; {args.edits} edits per module")
    print("precepts runs with the settings a user gets by default (no initialization options)")
    p50s: dict[str, float] = {}
    for name, text in modules.items():
        if not name.startswith(args.only):
            continue
        edits = script(text, args.edits)
        print(f"\n{name}: {text.count(chr(10))} lines")
        incremental = await measure(Server("precepts", PRECEPTS), root, name, text, edits)
        inc = show("precepts (incremental)", incremental)
        p50s[name] = inc[0]
        if before is not None:
            old = await measure(before, root, name, text, edits[: args.before_edits])
            show(f"before ({args.before_edits} edits)", old)
            now = summary(incremental["latencies"][: args.before_edits])
            print(f"  {'precepts, the same edits':<34} p50 {now[0]:8.1f} ms   p95 {now[1]:8.1f} ms")
        full = await measure(
            Server("precepts-full", PRECEPTS, {"incremental": False}),
            root,
            name,
            text,
            edits[: args.full_edits],
        )
        # Over every edit this mixes in checks of broken text, which stop at the BP000.
        show("precepts (full re-check)", full)
        ruff_figures = None
        if have_ruff:
            result = await measure(Server("ruff", [ruff, "server"], {}), root, name, text, edits)
            ruff_figures = show('ruff server (select = ["ALL"])', result)
        print(f"  p95 / p50 (incremental): {inc[1] / inc[0]:.1f}×")
        count, full_p50, inc_p50 = compare_on_valid(
            full["latencies"], incremental["latencies"], parses_after(text, edits)
        )
        print(
            f"  on the {count} of the first {args.full_edits} edits whose text parses: "
            f"full re-check p50 {full_p50:.0f} ms, incremental p50 {inc_p50:.1f} ms, "
            f"{full_p50 / inc_p50:.0f}× faster"
        )
        if ruff_figures:
            print(f"  incremental p50 / ruff p50: {inc[0] / ruff_figures[0]:.2f}×")

    if args.only:
        return
    # Cost flat in file size: the same kind of module, 500 and 5,000 lines.
    small = backend_module(500)
    print(f"\nbackend_500.py: {small.count(chr(10))} lines")
    result = await measure(
        Server("precepts", PRECEPTS), root, "backend_500.py", small, script(small, args.edits)
    )
    small_p50 = show("precepts (incremental)", result)[0]
    if have_ruff:
        show(
            'ruff server (select = ["ALL"])',
            await measure(
                Server("ruff", [ruff, "server"], {}),
                root,
                "backend_500.py",
                small,
                script(small, args.edits),
            ),
        )
    print(f"  p50(5,000 lines) / p50(500 lines): {p50s['backend_5k.py'] / small_p50:.2f}×")

    # A triple-quoted string left open in the middle of the 5,000-line module.
    text = modules["backend_5k.py"]
    edits = open_string_script(text, args.edits)
    print(
        f"\nbackend_5k.py, typing inside an unterminated triple-quoted string ({len(edits)} edits)"
    )
    show(
        "precepts (incremental)",
        await measure(Server("precepts", PRECEPTS), root, "open_string.py", text, edits),
    )
    if have_ruff:
        show(
            'ruff server (select = ["ALL"])',
            await measure(
                Server("ruff", [ruff, "server"], {}), root, "open_string.py", text, edits
            ),
        )
    rss = await memory(Server("precepts", PRECEPTS), root, args.files)
    print(f"\nprecepts RSS with {args.files} open 1,000-line files: {rss:.0f} MiB")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())

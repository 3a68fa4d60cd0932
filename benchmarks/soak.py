"""Soak test of the language server: RSS through a long editing session (issue 18).

Drives ``precepts serve`` over stdio as an editor would: N real modules open, R rounds of
random incremental edits (typing key by key, deletions across line ends, pasted lines,
half-typed statements), each burst of keys sometimes followed by a wait for the
diagnostics of the version it left (so checks run on broken code too). At the end of a
round every file is edited back to its valid text, the diagnostics of that final version
are awaited and compared with a full check (:func:`precepts.engine.check_text`) of the
same text. After each round the server's resident memory is printed; at the end, the
growth per 1,000 edits after the warm-up rounds (least-squares slope) and in all.

    .venv/bin/python benchmarks/soak.py --files 10 --rounds 10 --edits 3000
    .venv/bin/python benchmarks/soak.py --files 10 --rounds 12 --edits 10000  # 120,000

Exit status 1 when a round's diagnostics differ from the full check.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from precepts.engine import check_text

SERVER = [sys.executable, "-m", "precepts.server", "--log-level", "error"]
CORPUS = Path("/work/corpus/src")
CAPABILITIES = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
    ),
    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf32]),
)
# Half-typed statements: what the buffer holds while someone is typing them.
HALF_TYPED = (
    "def handler(request",
    "if user is None and ",
    "return {'status': ",
    "for item in items:",
    "result = session.query(",
    "class Payload(",
    "try:",
    'logger.info("done %s", ',
    "x = [i for i in ",
    "async with client.get(",
    '"""Unclosed docstring',
    "lambda value: value +",
)
WORDS = ("value", " = ", "self.", "(", ")", ", ", "None", "await ", "1", ":", "\n", "    ")


def rss_mib(pid: int) -> float:
    """Return a process's resident set size in MiB (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pick_files(corpus: Path, count: int, seed: int, lines: tuple[int, int]) -> list[Path]:
    """Choose ``count`` real modules of ``lines`` lines that parse (reproducibly)."""
    candidates = sorted(corpus.rglob("*.py"))
    random.Random(seed).shuffle(candidates)
    chosen: list[Path] = []
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if not lines[0] <= text.count("\n") <= lines[1] or "\r" in text or "\f" in text:
            continue
        try:
            cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue
        chosen.append(path)
        if len(chosen) == count:
            break
    return chosen


class Text:
    """The client's copy of one document, edited exactly as the server's is."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")  # the last item is the text after the last newline
        self.version = 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def end(self) -> tuple[int, int]:
        return len(self.lines) - 1, len(self.lines[-1])

    def replace(self, start: tuple[int, int], end: tuple[int, int], new: str) -> None:
        (l1, c1), (l2, c2) = start, end
        head, tail = self.lines[l1][:c1], self.lines[l2][c2:]
        self.lines[l1 : l2 + 1] = (head + new + tail).split("\n")
        self.version += 1

    def position(self, rng: random.Random) -> tuple[int, int]:
        line = rng.randrange(len(self.lines))
        return line, rng.randint(0, len(self.lines[line]))

    def after(self, start: tuple[int, int], count: int) -> tuple[int, int]:
        """Return the position ``count`` characters after ``start`` (newlines count 1)."""
        line, column = start
        while count > 0:
            room = len(self.lines[line]) - column
            if count <= room:
                return line, column + count
            if line == len(self.lines) - 1:
                return line, len(self.lines[line])
            count -= room + 1
            line, column = line + 1, 0
        return line, column


Edit = tuple[tuple[int, int], tuple[int, int], str]


def keys(start: tuple[int, int], typed: str) -> list[Edit]:
    """Return ``typed`` as one edit per key, the cursor moving on after each."""
    edits = []
    line, column = start
    for char in typed:
        edits.append(((line, column), (line, column), char))
        line, column = (line + 1, 0) if char == "\n" else (line, column + 1)
    return edits


def burst(text: Text, rng: random.Random) -> list[Edit]:
    """Plan one burst of edits: keys typed, a deletion, a paste or a half-typed line."""
    kind = rng.random()
    start = text.position(rng)
    if kind < 0.45:  # typing, key by key
        return keys(start, "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))))
    if kind < 0.65:  # deletion, often across line ends
        return [(start, text.after(start, rng.randint(1, 120)), "")]
    if kind < 0.8:  # pasted lines from elsewhere in the file
        first = rng.randrange(len(text.lines))
        pasted = "\n".join(text.lines[first : first + rng.randint(1, 15)]) + "\n"
        return [((start[0], 0), (start[0], 0), pasted)]
    typed = rng.choice(HALF_TYPED)
    cut = rng.randint(1, len(typed))
    return keys((start[0], 0), typed[:cut])


class Soak:
    """The client side of one soak run."""

    def __init__(self, root: Path, files: list[Path], seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.client = LanguageClient("precepts-soak", "1")
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self.arrived = asyncio.Event()
        self.paths = files
        self.originals = {path.as_uri(): path.read_text(encoding="utf-8") for path in files}
        self.texts = {uri: Text(text) for uri, text in self.originals.items()}
        self.pid = 0
        self.edits = 0

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = (params.version, params.diagnostics)
            self.arrived.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            pass

    async def start(self, debounce_ms: int) -> None:
        await self.client.start_io(*SERVER, cwd=str(self.root))
        self.pid = self.client._server.pid  # noqa: SLF001 - the pid, for RSS
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=CAPABILITIES,
                root_uri=self.root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=self.root.as_uri(), name="soak")],
                initialization_options={"debounce": debounce_ms},
            )
        )
        self.client.initialized(types.InitializedParams())
        for uri, text in self.texts.items():
            item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text.text)
            self.client.text_document_did_open(types.DidOpenTextDocumentParams(item))
        for uri, text in self.texts.items():
            await self.wait(uri, text.version)

    async def wait(self, uri: str, version: int, timeout: float = 600) -> list[types.Diagnostic]:
        deadline = time.monotonic() + timeout
        while self.published.get(uri, (None, []))[0] != version:
            self.arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            try:
                await asyncio.wait_for(self.arrived.wait(), remaining)
            except TimeoutError:
                pass
        return self.published[uri][1]

    def send(self, uri: str, start: tuple[int, int], end: tuple[int, int], new: str) -> None:
        text = self.texts[uri]
        text.replace(start, end, new)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=new
        )
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=text.version), [change]
            )
        )
        self.edits += 1

    async def round(self, edits: int) -> None:
        target = self.edits + edits
        uris = list(self.texts)
        while self.edits < target:
            uri = self.rng.choice(uris)
            text = self.texts[uri]
            for start, end, new in burst(text, self.rng):
                self.send(uri, start, end, new)
            if self.rng.random() < 0.3:  # the typist pauses: the server checks this state
                await self.wait(uri, text.version)
            else:
                await asyncio.sleep(0)

    async def restore(self) -> int:
        """Edit every file back to its valid text; return how many differ from a full check."""
        mismatches = 0
        for uri, text in self.texts.items():
            self.send(uri, (0, 0), text.end(), self.originals[uri])
        for uri, text in self.texts.items():
            got = await self.wait(uri, text.version)
            path = self.root / Path(uri).name
            expected = check_text(text.text, str(path)).findings
            want = sorted((f.range.start.line, f.range.start.column, f.code) for f in expected)
            have = sorted((d.range.start.line, d.range.start.character, str(d.code)) for d in got)
            if want != have:
                mismatches += 1
                print(f"  MISMATCH {uri}: {len(have)} diagnostics, {len(want)} findings")
        return mismatches

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 30)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), 30)
        except Exception:  # a server that does not stop cleanly is killed
            process = self.client._server  # noqa: SLF001
            if process is not None and process.returncode is None:
                process.kill()


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of RSS (MiB) against edits, per 1,000 edits."""
    if len(points) < 2:
        return float("nan")
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points)
    return 1000 * sum((x - mx) * (y - my) for x, y in points) / den if den else float("nan")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10, help="open files (default 10)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds (default 10)")
    parser.add_argument("--edits", type=int, default=3000, help="edits per round (3000)")
    parser.add_argument("--warm-up", type=int, default=2, help="rounds not measured (2)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--lines", type=int, nargs=2, default=(150, 1500), metavar=("MIN", "MAX"))
    parser.add_argument("--debounce", type=int, default=10, help="server debounce in ms (10)")
    args = parser.parse_args()

    sources = pick_files(args.corpus, args.files, args.seed, tuple(args.lines))
    with tempfile.TemporaryDirectory(prefix="precepts-soak-") as tmp:
        root = Path(tmp)
        files = []
        for index, source in enumerate(sources):
            target = root / f"m{index:03d}_{source.name}"
            shutil.copyfile(source, target)
            files.append(target)
            lines = source.read_text(encoding="utf-8").count("\n")
            print(f"open {source.relative_to(args.corpus)} ({lines} lines)")
        soak = Soak(root, files, args.seed)
        started = time.monotonic()
        await soak.start(args.debounce)
        opened = rss_mib(soak.pid)
        print(f"after opening {len(files)} files: RSS {opened:.1f} MiB")
        points: list[tuple[int, float]] = []
        mismatches = 0
        for number in range(1, args.rounds + 1):
            await soak.round(args.edits)
            bad = await soak.restore()
            mismatches += bad
            rss = rss_mib(soak.pid)
            points.append((soak.edits, rss))
            print(
                f"round {number:3d}: {soak.edits:7,d} edits  RSS {rss:7.1f} MiB  "
                f"{'diagnostics = full check' if not bad else f'{bad} files differ'}  "
                f"({time.monotonic() - started:.0f} s)",
                flush=True,
            )
        await soak.stop()
    measured = points[args.warm_up - 1 :] if args.warm_up > 0 else [(0, opened), *points]
    if len(measured) >= 2:
        (e0, r0), (e1, r1) = measured[0], measured[-1]
        print(
            f"after warm-up ({args.warm_up} rounds): {r1 - r0:+.1f} MiB over {e1 - e0:,} edits; "
            f"slope {slope(measured):+.3f} MiB per 1,000 edits; "
            f"growth since opening {points[-1][1] - opened:+.1f} MiB"
        )
    print("every round matched a full check" if not mismatches else f"{mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

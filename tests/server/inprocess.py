"""A language server driven in the test process: messages in, JSON out, no transport.

Used by the memory tests, which must look at the server's own objects (the protocol's
pending futures, the traced heap) while it works.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from precepts.server.app import PreceptsServer
from precepts.server.handlers import register

WAIT = 60.0


class Sink:
    """The server's writer: keeps responses and each document's last diagnostics only."""

    def __init__(self) -> None:
        self.responses: dict[Any, dict[str, Any]] = {}
        self.diagnostics: dict[str, tuple[int | None, list[dict[str, Any]]]] = {}

    def write(self, data: bytes) -> None:
        message = json.loads(data)
        if message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            self.diagnostics[params["uri"]] = (params.get("version"), params["diagnostics"])
        elif "id" in message and "method" not in message:
            self.responses[message["id"]] = message

    def close(self) -> None:
        pass


class InProcessServer:
    """A precepts server in this process, spoken to through its protocol object."""

    def __init__(self) -> None:
        self.server = PreceptsServer()
        register(self.server)
        self.protocol = self.server.protocol
        self.sink = Sink()
        self.protocol.set_writer(self.sink, include_headers=False)
        self._next_id = 0

    def feed(self, message: dict[str, Any]) -> None:
        data = {"jsonrpc": "2.0", **message}
        self.protocol.handle_message(self.protocol.structure_message(data))

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.feed({"method": method, "params": params})

    async def request(self, method: str, params: Any) -> dict[str, Any]:
        self._next_id += 1
        msg_id = self._next_id
        self.feed({"id": msg_id, "method": method, "params": params})
        await until(lambda: msg_id in self.sink.responses)
        return self.sink.responses.pop(msg_id)

    async def start(self) -> None:
        # A bare client: no configuration pulls, no registrations, so the server sends
        # no request of its own that this test would have to answer.
        await self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self.notify("initialized", {})
        await until(lambda: self.server.scheduler.ready.is_set())

    def open(self, uri: str, text: str, version: int = 0) -> None:
        item = {"uri": uri, "languageId": "python", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})

    def change(
        self, uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str
    ) -> None:
        where = {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        }
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": where, "text": text}],
            },
        )

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    async def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        await until(lambda: self.sink.diagnostics.get(uri, (None, []))[0] == version)
        return self.sink.diagnostics[uri][1]

    async def stop(self) -> None:
        await self.request("shutdown", None)


async def until(condition: Any, timeout: float = WAIT) -> None:
    """Let the loop run until ``condition()`` holds (bounded, so a bug fails the test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the server did not get there in time")
        await asyncio.sleep(0.005)

"""The server process: stdio framing by hand, TCP, options, malformed input, exit codes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from precepts.server.cli import address

MODULE = [sys.executable, "-m", "precepts.server"]
INITIALIZE = {"processId": None, "rootUri": None, "capabilities": {}}


def send(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def receive(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while True:
        line = stream.readline()
        assert line, "the server closed the connection"
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def answer(stream: IO[bytes], request_id: int) -> dict[str, Any]:
    """Read messages until the response to ``request_id`` (notifications are skipped)."""
    while True:
        message = receive(stream)
        if message.get("id") == request_id and "method" not in message:
            return message


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*MODULE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_malformed_requests_are_answered_and_shutdown_is_clean() -> None:
    server = start()
    assert server.stdin is not None and server.stdout is not None
    try:
        send(server.stdin, {"id": 1, "method": "initialize", "params": INITIALIZE})
        assert answer(server.stdout, 1)["result"]["capabilities"]["positionEncoding"] == "utf-16"
        send(server.stdin, {"method": "initialized", "params": {}})
        send(server.stdin, {"id": 2, "method": "textDocument/hover", "params": {"textDocument": 5}})
        assert answer(server.stdout, 2)["error"]["code"] == -32602
        server.stdin.write(b"Content-Length: 7\r\n\r\n{nope!}")
        server.stdin.flush()
        hover = {
            "textDocument": {"uri": "file:///nowhere.py"},
            "position": {"line": 0, "character": 0},
        }
        send(server.stdin, {"id": 3, "method": "textDocument/hover", "params": hover})
        assert answer(server.stdout, 3)["result"] is None
        send(server.stdin, {"id": 4, "method": "precepts/unknown", "params": {}})
        assert answer(server.stdout, 4)["error"]["code"] == -32601
        send(server.stdin, {"id": 5, "method": "shutdown"})
        assert answer(server.stdout, 5)["result"] is None
        send(server.stdin, {"method": "exit"})
        assert server.wait(timeout=60) == 0
    finally:
        server.kill()


def test_exit_without_shutdown_is_an_error() -> None:
    server = start()
    assert server.stdin is not None and server.stdout is not None
    try:
        send(server.stdin, {"id": 1, "method": "initialize", "params": INITIALIZE})
        answer(server.stdout, 1)
        send(server.stdin, {"method": "exit"})
        assert server.wait(timeout=60) == 1
    finally:
        server.kill()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _connect(port: int, server: subprocess.Popen[bytes]) -> socket.socket:
    for _ in range(600):
        assert server.poll() is None, server.stderr.read() if server.stderr else b""
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=60)
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server never listened")


def test_tcp_transport_on_the_loopback_interface(tmp_path: Path) -> None:
    port = _free_port()
    log_file = tmp_path / "server.log"
    command = [sys.executable, "-m", "precepts", "serve", "--tcp", str(port)]
    server = subprocess.Popen(
        [*command, "--log-file", str(log_file), "--log-level", "info"], stderr=subprocess.PIPE
    )
    try:
        with _connect(port, server) as connection:
            stream = connection.makefile("rwb")
            send(stream, {"id": 1, "method": "initialize", "params": INITIALIZE})
            assert "hoverProvider" in answer(stream, 1)["result"]["capabilities"]
            send(stream, {"id": 2, "method": "shutdown"})
            answer(stream, 2)
            send(stream, {"method": "exit"})
        assert server.wait(timeout=60) == 0
    finally:
        server.kill()
    assert "precepts" in log_file.read_text(encoding="utf-8")


def test_websocket_needs_its_package() -> None:
    # Run the server with `websockets` made unimportable, as on an install without the
    # `ws` extra: it must say what to install and exit 2 instead of a traceback.
    blocked = (
        "import sys; sys.modules['websockets'] = None; "
        "from precepts.server.__main__ import main; sys.exit(main())"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked, "--ws", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "precepts[ws]" in result.stderr


def test_websocket_transport_on_the_loopback_interface() -> None:
    from websockets.sync.client import connect

    port = _free_port()
    server = subprocess.Popen([*MODULE, "--ws", str(port)], stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            assert server.poll() is None, server.stderr.read() if server.stderr else b""
            try:
                connection = connect(f"ws://127.0.0.1:{port}", open_timeout=60)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server never listened")
        with connection:
            # Over a websocket each message is one JSON text frame, without headers.
            message = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INITIALIZE}
            connection.send(json.dumps(message))
            reply = json.loads(connection.recv(timeout=60))
            assert reply["id"] == 1
            assert reply["result"]["capabilities"]["positionEncoding"] == "utf-16"
    finally:
        server.kill()
        server.wait(timeout=60)


def test_addresses_default_to_the_loopback_interface() -> None:
    assert address("8765") == ("127.0.0.1", 8765)
    assert address("0.0.0.0:1") == ("0.0.0.0", 1)
    assert address("[::1]:2087") == ("::1", 2087)


def test_serve_help_lists_the_transports() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "precepts", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    for option in ("--stdio", "--tcp", "--ws", "--log-file", "--log-level"):
        assert option in result.stdout

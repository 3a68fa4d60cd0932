"""``precepts serve``: run the language server on stdio, TCP or a WebSocket.

stdio is the default (what editors start). ``--tcp`` and ``--ws`` listen on the
loopback interface unless a host is given: the protocol has no authentication, so it
must not be reachable from other machines by accident.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
LEVELS = ("debug", "info", "warning", "error")
EXIT_OK, EXIT_NO_SHUTDOWN, EXIT_ERROR = 0, 1, 2

log = logging.getLogger(__name__)


def address(value: str) -> tuple[str, int]:
    """Parse ``HOST:PORT`` or ``PORT`` (host: the loopback interface).

    Args:
        value: The command-line value.

    Returns:
        The host and port.

    Raises:
        argparse.ArgumentTypeError: When the port is not a number from 0 to 65535.
    """
    host, _, port = value.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT or PORT, got {value!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range: {number}")
    return host.strip("[]") or DEFAULT_HOST, number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to a parser.

    Args:
        parser: The ``serve`` subcommand's parser.
    """
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument(
        "--stdio", action="store_true", help="talk over stdin/stdout (the default)"
    )
    transport.add_argument(
        "--tcp", type=address, metavar="[HOST:]PORT", help=f"listen on TCP (host {DEFAULT_HOST})"
    )
    transport.add_argument(
        "--ws", type=address, metavar="[HOST:]PORT", help="listen for a WebSocket client"
    )
    parser.add_argument("--log-file", type=Path, help="write the log here instead of stderr")
    parser.add_argument(
        "--log-level", choices=LEVELS, default="warning", help="lowest level logged"
    )


def run(args: argparse.Namespace) -> int:
    """Run the server until the client disconnects or says ``exit``.

    Args:
        args: Parsed ``serve`` arguments.

    Returns:
        0 after a clean ``shutdown``/``exit``, 1 when the client left without
        ``shutdown``, 2 when the server could not start.
    """
    # Imported here, not at the top: `precepts check` builds this parser too and must
    # not pay for importing pygls and lsprotocol.
    from precepts.server import logs

    logs.configure(args.log_level, args.log_file)
    if args.ws is not None and not _websockets_available():
        log.error("--ws needs the `websockets` package: pip install 'precepts[ws]'")
        return EXIT_ERROR
    from precepts.server.app import PreceptsServer  # heavy: imported once arguments are fine
    from precepts.server.handlers import register

    server = PreceptsServer()
    register(server)
    server.client_log.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("precepts").addHandler(server.client_log)
    try:
        if args.tcp is not None:
            server.start_tcp(*args.tcp)
        elif args.ws is not None:
            server.start_ws(*args.ws)
        else:
            stdout = sys.stdout.buffer
            # Anything printed by mistake must not corrupt the protocol stream.
            sys.stdout = sys.stderr
            server.start_io(sys.stdin.buffer, stdout)
    except OSError as error:
        log.error("cannot serve: %s", error)
        return EXIT_ERROR
    return EXIT_OK if server.shutdown_requested else EXIT_NO_SHUTDOWN


def _websockets_available() -> bool:
    try:
        import websockets  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m precepts.server``.

    Args:
        argv: Arguments (``sys.argv[1:]`` when None).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m precepts.server", description="The precepts language server."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))

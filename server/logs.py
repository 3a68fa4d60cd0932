"""Logging: to stderr or a file for the server's operator, to the editor for its user.

stdout carries the protocol, so nothing may ever be written there: log records go to
stderr (or ``--log-file``), and the server's own records (``precepts.*`` loggers, not
pygls' chatter) are also sent to the editor's log with ``window/logMessage``. Records
made on worker threads are handed to the event loop first, so two messages are never
written to the client at the same time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MESSAGE_TYPES = (
    (logging.ERROR, lsp.MessageType.Error),
    (logging.WARNING, lsp.MessageType.Warning),
    (logging.INFO, lsp.MessageType.Info),
)


def message_type(level: int) -> lsp.MessageType:
    """Map a logging level to an LSP message type.

    Args:
        level: A ``logging`` level.

    Returns:
        The message type (``Log`` below ``INFO``).
    """
    for threshold, kind in _MESSAGE_TYPES:
        if level >= threshold:
            return kind
    return lsp.MessageType.Log


class ClientLogHandler(logging.Handler):
    """Sends log records to the client's log (``window/logMessage``)."""

    def __init__(self, server: LanguageServer, level: int = logging.INFO) -> None:
        """Create the handler.

        Args:
            server: The server whose client gets the records.
            level: The lowest level sent.
        """
        super().__init__(level)
        self.server = server
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._local = threading.local()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start sending, from now on through ``loop``.

        Args:
            loop: The server's event loop.
        """
        self.loop = loop
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        """Send one record (dropped before the loop is bound).

        Args:
            record: The record.
        """
        if self.loop is None or getattr(self._local, "busy", False):
            return
        params = lsp.LogMessageParams(
            type=message_type(record.levelno), message=self.format(record)
        )
        if threading.get_ident() == self._thread:
            self._send(params)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: lsp.LogMessageParams) -> None:
        # Sending may log (pygls reports a closed pipe); that must not come back here.
        self._local.busy = True
        try:
            self.server.window_log_message(params)
        finally:
            self._local.busy = False


def configure(level: str, log_file: Path | None) -> None:
    """Send log records to stderr or a file.

    The editor's log (see :class:`ClientLogHandler`) gets the server's ``INFO`` records
    whatever ``level`` says; ``level`` filters what goes to stderr or the file.

    Args:
        level: ``debug``, ``info``, ``warning`` or ``error``.
        log_file: A file to append to instead of stderr.
    """
    handler: logging.Handler
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()  # stderr: stdout is the protocol's
    handler.setFormatter(logging.Formatter(_FORMAT))
    threshold = logging.getLevelName(level.upper())
    handler.setLevel(threshold)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(min(threshold, logging.INFO))
    if threshold > logging.DEBUG:
        # pygls logs every message it sends at INFO: keep that for debugging only.
        logging.getLogger("pygls").setLevel(logging.WARNING)

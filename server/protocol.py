"""pygls' protocol with three changes the server needs.

* Text synchronisation: pygls' built-in handlers keep their own copy of each document,
  whose line splitting corrupts files holding form feeds or U+2028 (see
  :mod:`precepts.server.buffer`). The server keeps its own buffers, so these handlers
  only pass the notification on; no second copy is kept.
* ``initialize``: after pygls has built the capabilities from the registered features,
  they are trimmed to what the client supports (:func:`shape_capabilities`).
* A request whose parameters do not match the LSP types is answered with an
  ``InvalidParams`` error instead of being dropped, so the client does not wait forever.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from precepts.server.capabilities import shape_capabilities

if TYPE_CHECKING:
    from precepts.server.app import PreceptsServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RejectedRequest:
    """A request that could not be read; it is answered with ``error``.

    Attributes:
        id: The request's id.
        method: Its method.
        error: The error to answer with.
        jsonrpc: The protocol version (so pygls treats it as a message).
    """

    id: int | str
    method: str
    error: JsonRpcException
    jsonrpc: str = "2.0"


class PreceptsProtocol(LanguageServerProtocol):
    """The language server protocol, with the server's own document handling."""

    _server: PreceptsServer

    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        """Initialize as pygls does, then trim the capabilities to the client's.

        Args:
            params: The client's parameters.

        Yields:
            The handlers pygls chains to.

        Returns:
            The result sent to the client.
        """
        result = yield from super().lsp_initialize(params)
        shape_capabilities(result.capabilities, self._server.features)
        return result

    def _forward(self, method: str, params: Any) -> Generator[Any, Any, None]:
        """Hand a notification to the server's own handler, if it registered one."""
        handler = self.fm.features.get(method)
        if handler is not None:
            yield handler, (params,), None

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: lsp.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """Pass ``didOpen`` to the server (which keeps the text itself).

        Args:
            params: The notification.

        Yields:
            The server's handler.
        """
        yield from self._forward(lsp.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """Pass ``didChange`` to the server (which applies it to its own buffer).

        Args:
            params: The notification.

        Yields:
            The server's handler.
        """
        yield from self._forward(lsp.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: lsp.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """Pass ``didClose`` to the server.

        Args:
            params: The notification.

        Yields:
            The server's handler.
        """
        yield from self._forward(lsp.TEXT_DOCUMENT_DID_CLOSE, params)

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Read a message; a request with unreadable parameters becomes a rejection.

        Args:
            data: One decoded JSON object.

        Returns:
            The message object.

        Raises:
            JsonRpcException: For a malformed message that is not a request.
        """
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "method" in data and "id" in data and isinstance(data["id"], int | str):
                return RejectedRequest(data["id"], str(data["method"]), error)
            raise

    def handle_message(self, message: Any) -> None:
        """Answer rejected requests; hand everything else to pygls.

        Args:
            message: A message from :meth:`structure_message`.
        """
        if isinstance(message, RejectedRequest):
            log.warning(
                "malformed %s request (id %s): answered with an error", message.method, message.id
            )
            error = message.error
            if not isinstance(error, JsonRpcInvalidParams):
                error = JsonRpcInvalidParams(f"cannot read the parameters of {message.method}")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)

"""pygls' protocol with the changes the server needs.

* Text synchronisation: pygls' built-in handlers keep their own copy of each document,
  whose line splitting corrupts files holding form feeds or U+2028 (see
  :mod:`precepts.server.documents`). The server keeps its own buffers, so these handlers
  only pass the notification on; no second copy is kept.
* ``initialize``: after pygls has built the capabilities from the registered features,
  they are trimmed to what the client supports (:func:`shape_capabilities`).
* A request whose parameters do not match the LSP types is answered with an
  ``InvalidParams`` error instead of being dropped, so the client does not wait forever.
* Publishing diagnostics already written as JSON text
  (:meth:`PreceptsProtocol.publish_diagnostics_json`) and
  converting lsprotocol objects to it (:meth:`PreceptsProtocol.unstructure`): the only
  place that reaches into pygls' private sending and converting attributes, so a pygls
  release that renames them breaks this module alone.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections.abc import Callable, Generator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from precepts.server.capabilities import shape_capabilities
from precepts.server.convert import JsonValue

if TYPE_CHECKING:
    from precepts.server.app import PreceptsServer

log = logging.getLogger(__name__)


def _forget_when_done(futures: dict[Any, Any], msg_id: Any) -> Callable[[Any], None]:
    """Return a done callback that drops ``msg_id`` from ``futures`` if it still holds it."""

    def drop(future: Any) -> None:
        # Only this future's entry: a request id may be reused once it was answered.
        if futures.get(msg_id) is future:
            del futures[msg_id]

    def forget(future: Any) -> None:
        if not future.cancelled():
            drop(future)
            return
        # A cancelled thread future runs its callbacks at once, inside ``cancel()``, and
        # pygls' ``shutdown`` cancels while iterating over this very dictionary: drop the
        # entry once that loop is over, on the event loop's next turn.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            drop(future)
        else:
            loop.call_soon(drop, future)

    return forget


class ReleasingFutures:
    """Drops pygls' bookkeeping of handlers and requests once they are finished.

    pygls 2.1.1's ``_execute_handler`` keeps the future of every handler it starts in
    ``_request_futures`` (so a ``$/cancelRequest`` can find it). A request's entry is
    removed when its response is sent; a notification's (keyed by a fresh ``uuid4``)
    and those of the sub-handlers a generator handler yields to are never removed, so
    every ``didChange`` left a finished task, its context and its result behind: the
    server grew by megabytes per thousand edits. Here every handler's entry goes once
    its future is done, which is harmless for requests (a finished request cannot be
    cancelled, and pygls has already removed it). Likewise a server-to-client request
    cancelled before its answer (a timeout) leaves ``_request_futures`` and
    ``_result_types``; a late answer is then logged by pygls as unknown.

    When a pygls release stops retaining these entries, this class does nothing more
    than a dictionary lookup per handler, and
    ``tests/server/test_memory.py::test_pygls_still_retains_notification_futures``
    fails to say the workaround can go.
    """

    _request_futures: dict[Any, Future[Any]]
    _result_types: dict[Any, Any]

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Any,
        callback: Any,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Start a handler as pygls does; its entry goes when it is done.

        Args:
            msg_id: The message's id (a fresh one for a notification).
            handler: The handler.
            callback: pygls' completion callback.
            args: Its positional arguments.
            kwargs: Its keyword arguments.
        """
        super()._execute_handler(msg_id, handler, callback, args, kwargs)  # type: ignore[misc]
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(_forget_when_done(self._request_futures, msg_id))

    def send_request(
        self,
        method: str,
        params: Any | None = None,
        callback: Callable[[Any], None] | None = None,
        msg_id: Any = None,
    ) -> Future[Any]:
        """Send a request to the client; cancelling its future forgets it.

        Args:
            method: The method.
            params: Its parameters.
            callback: Called with the result.
            msg_id: Its id (a fresh one when None).

        Returns:
            The future of the answer.
        """
        msg_id = str(uuid.uuid4()) if msg_id is None else msg_id
        future: Future[Any] = super().send_request(  # type: ignore[misc]
            method, params, callback, msg_id
        )

        def forget_cancelled(done: Future[Any]) -> None:
            if done.cancelled():
                _forget_when_done(self._request_futures, msg_id)(done)
                self._result_types.pop(msg_id, None)

        future.add_done_callback(forget_cancelled)
        return future


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


class PreceptsProtocol(ReleasingFutures, LanguageServerProtocol):
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

    def unstructure(self, item: object) -> JsonValue:
        """Turn an lsprotocol object into JSON data, as pygls would to send it.

        Args:
            item: The object (a diagnostic, for example).

        Returns:
            Its JSON data.
        """
        data: JsonValue = self._converter.unstructure(item)
        return data

    def publish_diagnostics_json(
        self, uri: str, version: int | None, diagnostics: list[str]
    ) -> None:
        """Send ``publishDiagnostics`` whose diagnostics are already JSON text.

        A document's diagnostics are converted and encoded once per finding and kept
        (:class:`precepts.server.diagnostics.DiagnosticJson`); the message is joined from
        those texts, which spares cattrs and ``json.dumps`` walking hundreds of unchanged
        diagnostics on every keystroke.

        Args:
            uri: The document.
            version: Its version.
            diagnostics: One diagnostic's JSON text each, in order.
        """
        head = json.dumps({"jsonrpc": "2.0", "method": lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS})
        params = f'{{"uri": {json.dumps(uri)}, "version": {json.dumps(version)}, "diagnostics": ['
        self._send_text(f'{head[:-1]}, "params": {params}{", ".join(diagnostics)}]}}}}')

    def _send_text(self, body: str) -> None:
        """Send one message already encoded as JSON text, framed as pygls frames its own."""
        if self.writer is None:
            log.error("cannot send a message: no transport")
            return
        payload = body.encode(self.CHARSET)
        if self._include_headers:
            header = (
                f"Content-Length: {len(payload)}\r\n"
                f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            )
            payload = header.encode("ascii") + payload
        written = self.writer.write(payload)
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

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

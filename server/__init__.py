"""The precepts language server (``precepts serve``).

The server drives :class:`precepts.incremental.IncrementalDocument` for every open
document, so an edit re-parses and re-checks only what changed; it falls back to full
checks (:class:`precepts.engine.Checker`) when the ``incremental`` setting is off or when
the incremental engine fails on a document (the failure is logged, never fatal).

Modules, from the outside in:

* :mod:`~precepts.server.cli`: ``precepts serve`` / ``python -m precepts.server``
  (stdio, TCP or WebSocket; logging);
* :mod:`~precepts.server.handlers`: the LSP handlers;
* :mod:`~precepts.server.app`: the server's state and shared operations;
* :mod:`~precepts.server.protocol`: pygls' protocol, with the server's own text buffers and
  publishing;
* :mod:`~precepts.server.capabilities`: what the client supports, what we advertise;
* :mod:`~precepts.server.settings` and :mod:`~precepts.server.configs`: editor settings
  and configuration files;
* :mod:`~precepts.server.documents`, :mod:`~precepts.server.scheduler`: open documents
  (one text buffer each) and when they are checked;
* :mod:`~precepts.server.convert`, :mod:`~precepts.server.diagnostics`,
  :mod:`~precepts.server.pulls`: positions, diagnostics, pull reports;
* :mod:`~precepts.server.hover`, :mod:`~precepts.server.metrics`,
  :mod:`~precepts.server.actions`, :mod:`~precepts.server.suppress`: hover and code
  actions;
* :mod:`~precepts.server.workspace`: checking every file of the workspace.
"""

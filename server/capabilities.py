"""What the client said it supports, read once at ``initialize``, and what we answer.

Nothing is assumed: every optional LSP feature the server uses is looked up here
first (pull diagnostics, progress, dynamic file watching, code action resolve, related
information, ...). :func:`shape_capabilities` then trims pygls' generated server
capabilities so the server never advertises a feature the client cannot use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp
from pygls.capabilities import get_capability

from precepts.server.convert import unit_of
from precepts.text import ColumnUnit

FIX_ALL_KIND = "source.fixAll.precepts"
QUICK_FIX_KIND = lsp.CodeActionKind.QuickFix.value


def _get(capabilities: lsp.ClientCapabilities, path: str, default: Any = None) -> Any:
    return get_capability(capabilities, path, default)


def _diagnostic_flag(capabilities: lsp.ClientCapabilities, name: str) -> bool:
    """Read a diagnostic feature: the pull capability's value, else the push one's."""
    pulled = _get(capabilities, f"text_document.diagnostic.{name}")
    if pulled is not None:
        return bool(pulled)
    return bool(_get(capabilities, f"text_document.publish_diagnostics.{name}", False))


def _tags(capabilities: lsp.ClientCapabilities) -> frozenset[int]:
    support = _get(capabilities, "text_document.diagnostic.tag_support") or _get(
        capabilities, "text_document.publish_diagnostics.tag_support"
    )
    if support is None or not support.value_set:
        return frozenset()
    return frozenset(int(tag) for tag in support.value_set)


@dataclass(frozen=True)
class ClientFeatures:
    """The optional features the client advertised.

    Attributes:
        unit: The negotiated column unit.
        pull_diagnostics: ``textDocument/diagnostic`` is supported.
        diagnostic_refresh: ``workspace/diagnostic/refresh`` is supported.
        related_information: Diagnostics may carry related locations.
        code_description: Diagnostics may carry a documentation link.
        diagnostic_tags: The diagnostic tags the client knows.
        diagnostic_data: ``data`` survives from a diagnostic to a code action request.
        work_done_progress: The server may create progress tokens.
        watch_files_dynamically: File watchers may be registered dynamically.
        configuration: ``workspace/configuration`` is supported.
        configuration_dynamic: ``workspace/didChangeConfiguration`` may be registered.
        code_action_literals: Code actions may be returned as ``CodeAction`` literals.
        code_action_kinds: The action kinds the client knows.
        code_action_resolve: Edits may be computed in ``codeAction/resolve``.
        code_action_data: ``data`` survives from a code action to its resolve.
        is_preferred: ``isPreferred`` is understood.
        apply_edit: The server may send ``workspace/applyEdit``.
        document_changes: Workspace edits may use versioned ``documentChanges``.
        markdown: Hover may be Markdown.
    """

    unit: ColumnUnit = ColumnUnit.UTF16
    pull_diagnostics: bool = False
    diagnostic_refresh: bool = False
    related_information: bool = False
    code_description: bool = False
    diagnostic_tags: frozenset[int] = frozenset()
    diagnostic_data: bool = False
    work_done_progress: bool = False
    watch_files_dynamically: bool = False
    configuration: bool = False
    configuration_dynamic: bool = False
    code_action_literals: bool = False
    code_action_kinds: frozenset[str] = frozenset()
    code_action_resolve: bool = False
    code_action_data: bool = False
    is_preferred: bool = False
    apply_edit: bool = False
    document_changes: bool = False
    markdown: bool = False

    @classmethod
    def from_capabilities(
        cls, capabilities: lsp.ClientCapabilities, encoding: str | lsp.PositionEncodingKind
    ) -> ClientFeatures:
        """Read the client's capabilities.

        Args:
            capabilities: From ``initialize``.
            encoding: The position encoding pygls chose from the client's list.

        Returns:
            The features.
        """
        c = capabilities
        literal = _get(c, "text_document.code_action.code_action_literal_support")
        resolve = _get(c, "text_document.code_action.resolve_support")
        hover_formats = _get(c, "text_document.hover.content_format") or []
        return cls(
            unit=unit_of(encoding),
            pull_diagnostics=_get(c, "text_document.diagnostic") is not None,
            diagnostic_refresh=bool(_get(c, "workspace.diagnostics.refresh_support", False)),
            related_information=_diagnostic_flag(c, "related_information"),
            code_description=_diagnostic_flag(c, "code_description_support"),
            diagnostic_tags=_tags(c),
            diagnostic_data=_diagnostic_flag(c, "data_support"),
            work_done_progress=bool(_get(c, "window.work_done_progress", False)),
            watch_files_dynamically=bool(
                _get(c, "workspace.did_change_watched_files.dynamic_registration", False)
            ),
            configuration=bool(_get(c, "workspace.configuration", False)),
            configuration_dynamic=bool(
                _get(c, "workspace.did_change_configuration.dynamic_registration", False)
            ),
            code_action_literals=literal is not None,
            code_action_kinds=frozenset(
                str(kind) for kind in (literal.code_action_kind.value_set if literal else [])
            ),
            code_action_resolve=resolve is not None and "edit" in resolve.properties,
            code_action_data=bool(_get(c, "text_document.code_action.data_support", False)),
            is_preferred=bool(_get(c, "text_document.code_action.is_preferred_support", False)),
            apply_edit=bool(_get(c, "workspace.apply_edit", False)),
            document_changes=bool(_get(c, "workspace.workspace_edit.document_changes", False)),
            markdown=lsp.MarkupKind.Markdown in hover_formats,
        )

    @property
    def lazy_actions(self) -> bool:
        """True when code action edits are computed in ``codeAction/resolve``."""
        return self.code_action_literals and self.code_action_resolve and self.code_action_data

    def knows_tag(self, tag: lsp.DiagnosticTag) -> bool:
        """Tell whether the client understands a diagnostic tag.

        Args:
            tag: The tag.

        Returns:
            True when it was advertised.
        """
        return int(tag) in self.diagnostic_tags


def shape_capabilities(
    capabilities: lsp.ServerCapabilities, features: ClientFeatures
) -> lsp.ServerCapabilities:
    """Remove from pygls' generated capabilities what this client cannot use.

    Args:
        capabilities: What pygls built from the registered features.
        features: What the client supports.

    Returns:
        The same object, trimmed.
    """
    if not features.pull_diagnostics:
        capabilities.diagnostic_provider = None
    options = capabilities.code_action_provider
    if isinstance(options, lsp.CodeActionOptions):
        options.resolve_provider = features.lazy_actions
    return capabilities

"""End-to-end: a client that advertises almost nothing still gets everything it can use.

No position encodings, no pull diagnostics, no related information, tags, data or
links, no code action literals (actions come as commands), no Markdown hover, no
configuration requests, no dynamic registration and no progress.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig

from tests.server.support import (
    END_TO_END,
    SERVER,
    WAIT,
    Client,
    Profile,
    Session,
    apply_edits,
    edits_of,
    find,
    initialize_params,
    make_client,
)

pytestmark = END_TO_END

MINIMAL = Profile(
    "minimal",
    "utf-16",
    pull=False,
    lazy_actions=False,
    custom=t.ClientCapabilities(workspace=t.WorkspaceClientCapabilities(apply_edit=True)),
)
COMPARE = "def f(x):\n    return x == None  # noqa: BP101\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("minimal")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client), scope="module"
)
async def client(lsp_client: Client, workspace: Path):
    lsp_client.profile = MINIMAL
    params = initialize_params(MINIMAL, [workspace], {"select": ["BP001", "BP101", "BP105"]})
    lsp_client.initialize_result = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def session(client: Client) -> Session:
    return Session(client, MINIMAL)


async def test_only_the_basics_are_advertised(session: Session) -> None:
    capabilities = session.client.initialize_result.capabilities  # type: ignore[attr-defined]
    assert capabilities.position_encoding == "utf-16"
    assert capabilities.diagnostic_provider is None
    assert not capabilities.code_action_provider.resolve_provider
    assert session.client.registrations == []


async def test_diagnostics_without_extras(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "plain.py", COMPARE)
    diagnostics = await session.diagnostics(uri)
    assert [d.code for d in diagnostics] == ["BP105", "BP001"]
    for diagnostic in diagnostics:
        assert diagnostic.code_description is None
        assert diagnostic.related_information is None
        assert diagnostic.data is None
        assert diagnostic.tags is None
    session.close(uri)


async def test_hover_is_plain_text(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "hover.py", COMPARE)
    await session.diagnostics(uri)
    hover = await session.hover(uri, find(COMPARE, "== None", session.unit))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.kind == t.MarkupKind.PlainText
    assert "BP105 none-comparison" in hover.contents.value
    session.close(uri)


async def test_code_actions_come_as_commands(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "commands.py", COMPARE)
    diagnostics = await session.diagnostics(uri)
    actions = await session.actions(uri, diagnostics[0].range, diagnostics[:1])
    assert actions and all(isinstance(action, t.Command) for action in actions)
    [fix] = [a for a in actions if a.title == "Replace with `is None`"]
    assert isinstance(fix, t.Command)
    result = await asyncio.wait_for(
        session.client.workspace_execute_command_async(
            t.ExecuteCommandParams(command=fix.command, arguments=fix.arguments)
        ),
        WAIT,
    )
    assert result == {"applied": True}
    edit = session.client.applied[-1].edit
    assert edit.document_changes is None
    fixed = apply_edits(COMPARE, edits_of(edit, uri), session.unit)
    assert fixed == "def f(x):\n    return x is None  # noqa: BP101\n"
    session.close(uri)


async def test_workspace_check_without_progress(session: Session, workspace: Path) -> None:
    (workspace / "disk.py").write_text("y = 1 == None\n", encoding="utf-8")
    result = await asyncio.wait_for(
        session.client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="precepts.checkWorkspace")
        ),
        WAIT,
    )
    assert result["files"] >= 1
    assert session.client.progress_reports == {}

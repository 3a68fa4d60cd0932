"""End-to-end: BP608 concludes over the workspace's files, scanned in the background.

The open file's own reads are reported once the workspace scan has answered (never
waiting for it on the keystroke path), and a save makes the server scan again.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig

from tests.server.support import (
    END_TO_END,
    PROFILE_IDS,
    PROFILES,
    SERVER,
    Client,
    Session,
    eventually,
    initialize_params,
    make_client,
    uri_of,
)

pytestmark = END_TO_END

CHOSEN = [(p, i) for p, i in zip(PROFILES, PROFILE_IDS, strict=True) if p.name != "emacs"][:2]
READER = 'import os\n\n\ndef url() -> str:\n    return os.getenv("MAIL_URL", "")\n'
SETTINGS = (
    "from pydantic_settings import BaseSettings\n\n\n"
    "class Settings(BaseSettings):\n    mail_url: str = ''\n"
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("configreads")
    (root / "pyproject.toml").write_text('[tool.precepts]\nselect = ["BP608"]\n', encoding="utf-8")
    (root / "app").mkdir()
    (root / "app" / "base.py").write_text(SETTINGS, encoding="utf-8")
    (root / "app" / "mail.py").write_text(READER, encoding="utf-8")
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=[p for p, _ in CHOSEN],
    ids=[i for _, i in CHOSEN],
)
async def client(lsp_client: Client, request: pytest.FixtureRequest, workspace: Path):
    lsp_client.profile = request.param
    await lsp_client.initialize_session(initialize_params(request.param, [workspace]))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def session(client: Client) -> Session:
    assert client.profile is not None
    return Session(client, client.profile)


async def test_reads_bypassing_the_workspace_settings_module(
    session: Session, workspace: Path
) -> None:
    path = workspace / "app" / "mail.py"
    uri = session.open(path, READER)
    found = await eventually(session, uri, lambda d: any(x.code == "BP608" for x in d))
    [diagnostic] = found
    assert diagnostic.range.start.line == 4
    assert "app/base.py" in diagnostic.message
    # Without the settings module the one reader is not scattered: a save rescans.
    (workspace / "app" / "base.py").write_text("X = 1\n", encoding="utf-8")
    session.client.text_document_did_save(
        t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=uri_of(path)))
    )
    await eventually(session, uri, lambda d: not d)
    (workspace / "app" / "base.py").write_text(SETTINGS, encoding="utf-8")
    session.client.text_document_did_save(
        t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=uri_of(path)))
    )
    await eventually(session, uri, lambda d: [x.code for x in d] == ["BP608"])
    session.close(uri)

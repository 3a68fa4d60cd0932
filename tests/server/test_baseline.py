"""End-to-end: the language server reads the same baseline as `precepts check`.

Accepted findings are hidden (or shown as hints with ``showBaselined``), new ones appear
as usual, and an edit of the baseline file on disk re-checks the open documents (told by
a watched-file event where the client has them, by saving the file where it does not).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig

from precepts.baseline import Baseline
from precepts.engine import check_text
from tests.server.support import (
    END_TO_END,
    SERVER,
    Client,
    Session,
    initialize_params,
    make_client,
    uri_of,
)
from tests.server.test_configuration import (
    CHOSEN,
    CHOSEN_IDS,
    codes,
    configure,
    eventually,
    watches_files,
    write,
)

pytestmark = END_TO_END

OLD = "def f(x):\n    return x == None\n"
NEW = "def f(x):\n    return x == None\n\n\ndef g(y):\n    return y == None\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("baseline")
    write(root / "precepts.toml", 'select = ["BP105"]\n')
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=CHOSEN,
    ids=CHOSEN_IDS,
)
async def client(lsp_client: Client, request: pytest.FixtureRequest, folder: Path):
    profile = request.param
    lsp_client.profile = profile
    await lsp_client.initialize_session(initialize_params(profile, [folder]))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def session(client: Client) -> Session:
    assert client.profile is not None
    return Session(client, client.profile)


def accept(folder: Path, path: Path, text: str) -> Path:
    """Write the baseline the way `precepts check --write-baseline` does."""
    baseline = Baseline(folder.resolve())
    baseline.record(path, text, check_text(text, str(path)).findings)
    target = folder / "precepts-baseline.json"
    baseline.save(target)
    return target


async def baseline_edited(session: Session, baseline: Path) -> None:
    if watches_files(session):
        event = t.FileEvent(uri=uri_of(baseline), type=t.FileChangeType.Changed)
        session.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(changes=[event])
        )
        return
    uri = session.open(baseline, baseline.read_text(encoding="utf-8"), "json")
    session.client.text_document_did_save(
        t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=uri))
    )
    session.close(uri)


async def test_accepted_findings_are_hidden_and_new_ones_shown(session: Session, folder: Path):
    path = folder / "old.py"
    write(path, OLD)
    baseline = accept(folder, path, OLD)
    uri = session.open(path, OLD)
    assert codes(await session.diagnostics(uri)) == []
    session.replace(uri, OLD, NEW)
    diagnostics = await eventually(session, uri, lambda d: codes(d) == ["BP105"])
    assert diagnostics[0].range.start.line == 5  # the new copy, not the accepted one
    # The baseline is emptied on disk: the open document is checked again.
    Baseline(folder.resolve()).save(baseline)
    write(baseline, baseline.read_text(encoding="utf-8"))
    await baseline_edited(session, baseline)
    await eventually(session, uri, lambda d: codes(d) == ["BP105", "BP105"])
    session.close(uri)
    baseline.unlink()


async def test_show_baselined_turns_them_into_hints(session: Session, folder: Path):
    path = folder / "hinted.py"
    write(path, OLD)
    baseline = accept(folder, path, OLD)
    write(baseline, baseline.read_text(encoding="utf-8"))
    await baseline_edited(session, baseline)
    uri = session.open(path, OLD)
    await eventually(session, uri, lambda d: codes(d) == [])
    await configure(session, {"showBaselined": True})
    diagnostics = await eventually(session, uri, lambda d: codes(d) == ["BP105"])
    assert diagnostics[0].severity == t.DiagnosticSeverity.Hint
    assert diagnostics[0].message.endswith("(accepted in the baseline)")
    await configure(session, {})
    await eventually(session, uri, lambda d: codes(d) == [])
    session.close(uri)
    baseline.unlink()

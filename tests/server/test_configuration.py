"""End-to-end: configuration files and editor settings, in a two-folder workspace.

Covers the nearest configuration per file, multi-root folders, reloading edited,
created and deleted configuration files (through watched-file notifications where the
client has them, through saves where it does not), a broken configuration (reported on
the file and in a message, the last good one staying in force), editor settings
(severity, ignore, unsafe fixes, incremental, debounce) and their validation.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig

from tests.server.support import (
    END_TO_END,
    PROFILE_IDS,
    PROFILES,
    SERVER,
    WAIT,
    Client,
    Session,
    eventually,
    initialize_params,
    latest,
    make_client,
    messages,
    span,
    uri_of,
    wait_for,
)

pytestmark = END_TO_END

COMPARE = "def f(x):\n    return x == None\n"
CHOSEN = [p for p in PROFILES if p.name != "emacs"]
CHOSEN_IDS = [i for p, i in zip(PROFILES, PROFILE_IDS, strict=True) if p.name != "emacs"]


def write(path: Path, text: str) -> None:
    """Write a file and move its modification time on (two quick writes must differ)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text, encoding="utf-8")
    stamp = max(old + 1, path.stat().st_mtime)
    os.utime(path, (stamp, stamp))


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("multi")
    first, second = root / "alpha", root / "beta"
    write(first / "precepts.toml", 'select = ["BP105", "BP102"]\n')
    write(
        second / "pyproject.toml",
        '[project]\nname = "beta"\n\n[tool.precepts]\nselect = ["BP105"]\nignore = ["BP105"]\n',
    )
    return first, second


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=CHOSEN,
    ids=CHOSEN_IDS,
)
async def client(lsp_client: Client, request: pytest.FixtureRequest, folders: tuple[Path, Path]):
    profile = request.param
    lsp_client.profile = profile
    await lsp_client.initialize_session(initialize_params(profile, list(folders)))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def session(client: Client) -> Session:
    assert client.profile is not None
    return Session(client, client.profile)


def supports_configuration(session: Session) -> bool:
    workspace = session.profile.capabilities().workspace
    return bool(workspace and workspace.configuration)


def watches_files(session: Session) -> bool:
    workspace = session.profile.capabilities().workspace
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.dynamic_registration)


async def configure(session: Session, settings: dict[str, Any], scope: Path | None = None) -> None:
    """Change the editor's settings the way the client would."""
    if supports_configuration(session):
        session.client.set_configuration(
            settings, section="precepts", scope_uri=uri_of(scope) if scope else None
        )
    payload = {"precepts": settings} if scope is None else {}
    session.client.workspace_did_change_configuration(
        t.DidChangeConfigurationParams(settings=payload)
    )


async def config_changed(
    session: Session, config: Path, kind: t.FileChangeType, saved_uri: str
) -> None:
    """Tell the server a configuration file changed: a watcher event, else a save."""
    if watches_files(session):
        event = t.FileEvent(uri=uri_of(config), type=kind)
        session.client.workspace_did_change_watched_files(
            t.DidChangeWatchedFilesParams(changes=[event])
        )
    else:
        session.client.text_document_did_save(
            t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=saved_uri))
        )


def codes(diagnostics: list[t.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def test_each_folder_has_its_own_configuration(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, second = folders
    a = session.open(first / "a.py", COMPARE)
    b = session.open(second / "b.py", COMPARE)
    assert codes(await session.diagnostics(a)) == ["BP105"]
    assert codes(await session.diagnostics(b)) == []
    session.close(a)
    session.close(b)


async def test_a_broken_configuration_is_reported_and_the_last_good_one_stays(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    config = first / "precepts.toml"
    uri = session.open(first / "broken.py", COMPARE)
    assert codes(await session.diagnostics(uri)) == ["BP105"]
    write(config, 'select = ["BP105", "BP102"]\n\n[severity]\nBP105 = "fatal"\n')
    await config_changed(session, config, t.FileChangeType.Changed, uri)
    config_uri = uri_of(config.resolve())
    published = await wait_for(
        lambda: next(
            (p for p in session.client.published if p.uri == config_uri and p.diagnostics), None
        )
    )
    [problem] = published.diagnostics
    assert problem.range.start.line == 3  # the offending key's line
    assert "severity.BP105" in problem.message
    assert problem.severity == t.DiagnosticSeverity.Error
    await wait_for(
        lambda: any("invalid configuration" in m.message for m in session.client.messages)
    )
    assert codes(await latest(session, uri)) == ["BP105"]  # last good configuration
    write(config, 'select = ["BP105", "BP102"]\n\n[severity]\nBP105 = "error"\n')
    await config_changed(session, config, t.FileChangeType.Changed, uri)
    fixed = await eventually(
        session, uri, lambda d: [x.severity for x in d] == [t.DiagnosticSeverity.Error]
    )
    assert codes(fixed) == ["BP105"]
    await wait_for(
        lambda: not [p for p in session.client.published if p.uri == config_uri][-1].diagnostics
    )
    write(config, 'select = ["BP105", "BP102"]\n')
    await config_changed(session, config, t.FileChangeType.Changed, uri)
    await eventually(
        session, uri, lambda d: [x.severity for x in d] == [t.DiagnosticSeverity.Warning]
    )
    session.close(uri)


async def test_creating_and_deleting_a_configuration_file(
    session: Session, folders: tuple[Path, Path]
) -> None:
    _, second = folders
    nested = second / "service" / "precepts.toml"
    uri = session.open(second / "service" / "code.py", COMPARE)
    assert codes(await session.diagnostics(uri)) == []
    write(nested, 'select = ["BP105"]\n')
    await config_changed(session, nested, t.FileChangeType.Created, uri)
    await eventually(session, uri, lambda d: codes(d) == ["BP105"])
    nested.unlink()
    await config_changed(session, nested, t.FileChangeType.Deleted, uri)
    await eventually(session, uri, lambda d: codes(d) == [])
    session.close(uri)


async def test_editor_settings_override_the_configuration(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    text = "def load(userId):\n    return userId == None\n"
    uri = session.open(first / "settings.py", text)
    assert codes(await session.diagnostics(uri)) == ["BP102", "BP105"]
    await configure(
        session, {"severity": {"BP105": "hint"}, "unsafeFixes": True, "ignore": ["BP102"]}
    )
    diagnostics = await eventually(session, uri, lambda d: codes(d) == ["BP105"])
    assert diagnostics[0].severity == t.DiagnosticSeverity.Hint
    await configure(session, {"severity": {}, "unsafeFixes": True})
    diagnostics = await eventually(session, uri, lambda d: codes(d) == ["BP102", "BP105"])
    [naming] = [d for d in diagnostics if d.code == "BP102"]
    titles = {a.title for a in await session.actions(uri, naming.range, [naming])}
    assert "Rename `userId` to `user_id` (unsafe)" in titles
    await configure(session, {})
    session.close(uri)


async def test_settings_per_folder(session: Session, folders: tuple[Path, Path]) -> None:
    if not supports_configuration(session):
        pytest.skip("this client has no workspace/configuration")
    first, _ = folders
    uri = session.open(first / "scoped.py", COMPARE)
    assert codes(await session.diagnostics(uri)) == ["BP105"]
    await configure(session, {"ignore": ["BP105"]}, scope=first)
    await eventually(session, uri, lambda d: codes(d) == [])
    session.client.set_configuration({}, section="precepts", scope_uri=uri_of(first))
    await configure(session, {})
    await eventually(session, uri, lambda d: codes(d) == ["BP105"])
    session.close(uri)


async def test_bad_editor_settings_are_reported_and_skipped(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    uri = session.open(first / "bad_settings.py", COMPARE)
    await session.diagnostics(uri)
    await configure(
        session, {"select": ["NOPE9"], "debounce": "soon", "severity": {"BP105": "error"}}
    )
    await wait_for(lambda: any("precepts.select" in m for m in messages(session.client)))
    await wait_for(lambda: any("precepts.debounce" in m for m in messages(session.client)))
    diagnostics = await eventually(
        session, uri, lambda d: [x.severity for x in d] == [t.DiagnosticSeverity.Error]
    )
    assert codes(diagnostics) == ["BP105"]
    await configure(session, {})
    await eventually(
        session, uri, lambda d: [x.severity for x in d] == [t.DiagnosticSeverity.Warning]
    )
    session.close(uri)


async def test_incremental_checking_can_be_switched_off(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    uri = session.open(first / "full.py", COMPARE)
    await session.diagnostics(uri)
    await configure(session, {"incremental": False})
    await wait_for(lambda: any("incremental=False" in m for m in messages(session.client)))
    session.replace(uri, "return x == None", "a = x == None\n    return x != None")
    diagnostics = await session.diagnostics(uri)
    assert [d.range for d in diagnostics] == [
        span(session.texts[uri], "x == None", session.unit),
        span(session.texts[uri], "x != None", session.unit),
    ]
    await configure(session, {})
    session.close(uri)


async def test_a_cancelled_request_stops_waiting(
    session: Session, folders: tuple[Path, Path]
) -> None:
    first, _ = folders
    uri = session.open(first / "slow.py", COMPARE)
    await session.diagnostics(uri)
    await configure(session, {"debounce": 600_000})
    await wait_for(lambda: any("debounce=600.0" in m for m in messages(session.client)))
    session.replace(uri, "==", "!=")
    request_id = 424242
    future = session.client.protocol.send_request(
        t.TEXT_DOCUMENT_HOVER,
        t.HoverParams(t.TextDocumentIdentifier(uri=uri), t.Position(line=1, character=12)),
        msg_id=request_id,
    )
    session.client.protocol.notify(t.CANCEL_REQUEST, t.CancelParams(id=request_id))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(asyncio.wrap_future(future), WAIT)
    await configure(session, {})
    await eventually(session, uri, lambda d: codes(d) == ["BP105"] and d[0].range.start.line == 1)
    session.close(uri)

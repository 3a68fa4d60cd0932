"""End-to-end: the server checks an open ``pyproject.toml`` with the file rules (BP804).

The configuration file gets its diagnostic and a quick fix that keeps it TOML; no
"ignore" action is offered (``# noqa`` is Python's); a file BP804 reads beside it
changing on disk (a watched file) re-checks it; a README opened in the editor is never
checked; a broken ``[tool.precepts]`` is shown together with BP804, not instead of it.
"""

from __future__ import annotations

import sys
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

pytestmark = END_TO_END

PYPROJECT = '[project]\nname = "orders"  # the service\nversion = "1.0"\n'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("configfiles")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=PROFILES,
    ids=PROFILE_IDS,
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


def _project(workspace: Path, name: str, session: Session) -> Path:
    folder = workspace / f"{name}-{session.profile.name}"  # one per client: the module's
    folder.mkdir()  # workspace is shared
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return folder / "pyproject.toml"


async def test_open_pyproject_gets_bp804_and_its_fix(session: Session, workspace: Path) -> None:
    path = _project(workspace, "fix", session)
    uri = session.open(path, PYPROJECT, language="toml")
    diagnostics = await eventually(session, uri, lambda d: bool(d))
    assert [d.code for d in diagnostics] == ["BP804"]
    assert diagnostics[0].range.start.line == 0
    actions = await session.actions(uri, diagnostics[0].range, diagnostics)
    titles = {a.title for a in actions}
    assert "Add the coverage settings" in titles
    assert not [title for title in titles if title.startswith("Ignore")]
    [fix] = [a for a in actions if a.title == "Add the coverage settings"]
    assert isinstance(fix, t.CodeAction)
    fixed = await session.apply(uri, fix)
    assert fixed.startswith(PYPROJECT)  # the comment and the layout are kept
    data = tomllib.loads(fixed)
    assert data["tool"]["coverage"] == {"run": {"branch": True}, "report": {"fail_under": 80}}
    # Type the fix in: the finding goes away.
    session.change(uri, t.Range(t.Position(3, 0), t.Position(3, 0)), fixed[len(PYPROJECT) :])
    assert session.texts[uri] == fixed
    assert await eventually(session, uri, lambda d: not d) == []
    session.close(uri)


async def test_a_file_beside_it_changing_rechecks_it(session: Session, workspace: Path) -> None:
    path = _project(workspace, "watched", session)
    uri = session.open(path, PYPROJECT, language="toml")
    await eventually(session, uri, lambda d: [x.code for x in d] == ["BP804"])
    rc = path.with_name(".coveragerc")
    rc.write_text("[run]\nbranch = True\n\n[report]\nfail_under = 90\n", encoding="utf-8")
    session.client.workspace_did_change_watched_files(
        t.DidChangeWatchedFilesParams(
            changes=[t.FileEvent(uri=uri_of(rc), type=t.FileChangeType.Created)]
        )
    )
    # coverage.py reads .coveragerc first: pyproject.toml is no longer where it is set.
    await eventually(session, uri, lambda d: not d)
    session.close(uri)


async def test_a_readme_is_never_checked(session: Session, workspace: Path) -> None:
    readme = workspace / f"README-{session.profile.name}.md"
    readme_uri = session.open(readme, "[project]\nx == None\n", language="markdown")
    # A Python file opened after it: once its findings are in, the README's open was handled.
    code_uri = session.open(
        workspace / f"after_{session.profile.name.replace('@', '_')}.py", "x = 1 == None\n"
    )
    await eventually(session, code_uri, lambda d: any(x.code == "BP105" for x in d))
    assert not [p for p in session.client.published if p.uri == readme_uri and p.diagnostics]
    if session.profile.pull:
        assert await session.diagnostics(readme_uri) == []
    session.close(readme_uri)
    session.close(code_uri)


async def test_a_broken_precepts_table_is_shown_beside_bp804(
    session: Session, workspace: Path
) -> None:
    path = _project(workspace, "broken", session)
    text = PYPROJECT + '\n[tool.precepts]\nselekt = ["BP1"]\n'
    path.write_text(text, encoding="utf-8")
    uri = session.open(path, text, language="toml")
    found = await eventually(
        session, uri, lambda d: {x.code for x in d} == {"BP804", None} and len(d) == 2
    )
    problem = next(d for d in found if d.code is None)
    assert "selekt" in problem.message
    session.close(uri)

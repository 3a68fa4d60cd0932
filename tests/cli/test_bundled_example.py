"""The bundled example (the README's first command) shows what each of its files claims."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from precepts.cli.main import main
from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "service"
MODULES = sorted(EXAMPLE.rglob("*.py"))


@pytest.fixture(scope="module")
def findings_by_file() -> dict[str, set[str]]:
    """Run ``precepts check examples/service`` once, as the README does."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check", str(EXAMPLE), "--output-format", "json", "--no-cache"])
    assert status == 1, "the example is meant to have findings"
    found: dict[str, set[str]] = {}
    for finding in json.loads(out.getvalue()):
        name = Path(finding["filename"]).resolve().relative_to(EXAMPLE).as_posix()
        found.setdefault(name, set()).add(finding["code"])
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.relative_to(EXAMPLE).as_posix())
def test_every_rule_a_module_claims_is_found_there(
    module: Path, findings_by_file: dict[str, set[str]]
) -> None:
    docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8"))) or ""
    claimed = set(re.findall(r"\bBP\d{3}\b", docstring))
    found = findings_by_file.get(module.relative_to(EXAMPLE).as_posix(), set())
    assert claimed <= found, f"claimed but not found: {sorted(claimed - found)}"


def test_the_testing_rules_show_on_the_example(findings_by_file: dict[str, set[str]]) -> None:
    assert {"BP801", "BP802", "BP803"} <= findings_by_file["tests/test_users.py"]
    assert findings_by_file["pyproject.toml"] == {"BP804"}

"""Only ``server/protocol.py`` reaches into pygls' private attributes (issue 19).

pygls may rename what it keeps private in any release; when one module alone touches
those names, such a release breaks that module alone, and its tests say so.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = (ROOT / "server" / "protocol.py").resolve()
PRIVATE = ("._send_data", "._converter")


def sources() -> set[Path]:
    """Every Python file of ``server/`` and ``precepts/``."""
    found = set()
    for folder in ("server", "precepts"):
        for root, _dirs, names in os.walk(ROOT / folder):
            found.update(Path(root, name).resolve() for name in names if name.endswith(".py"))
    return found


def test_the_sources_are_found() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in sources()}
    assert {"server/app.py", "server/protocol.py", "precepts/engine.py"} <= names


def test_no_module_but_the_protocol_touches_pygls_private_attributes() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted(sources() - {ALLOWED})
        for name in PRIVATE
        if name in path.read_text(encoding="utf-8")
    ]
    assert offenders == []

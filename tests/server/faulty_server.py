"""The real language server with faults injected, for the robustness tests.

``PRECEPTS_FAULTS`` (comma-separated) chooses them:

* ``rule``: an extra rule, XX999, raises on every name ``boom``;
* ``incremental``: the incremental engine raises in the middle of its work;
* ``jedi-spy``: every ``jedi.Script`` made is logged (to see when jedi runs).

Everything else is ``precepts serve`` unchanged.
"""

from __future__ import annotations

import logging
import os
import sys

import libcst as cst

import precepts.registry as registry
from precepts.cli.main import main
from precepts.rule import Example, Rule


class ExplodingRule(Rule):
    """Raises on a name `boom` (a rule bug, as the server must survive it)."""

    code = "XX999"
    name = "exploding-rule"
    family = "testing"
    section = "Robustness"
    message = "never reported"
    summary = "Raises on a name `boom`."
    why = "It tests that a failing rule does not stop the others."
    bad = (Example("boom = 1\n", line=1),)
    good = (Example("fine = 1\n"),)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "boom":
            raise RuntimeError("kaboom")


def _inject(faults: set[str]) -> None:
    if "rule" in faults:
        plugins = registry._plugin_rules
        registry._plugin_rules = lambda: [*plugins(), ExplodingRule]
    if "incremental" in faults:
        from precepts.incremental import document

        def broken_work(self: object):
            yield
            raise RuntimeError("injected failure of the incremental engine")

        document.IncrementalDocument.work = broken_work  # type: ignore[method-assign]
    if "jedi-spy" in faults:
        import jedi

        original = jedi.Script.__init__

        def counted(self: jedi.Script, *args: object, **kwargs: object) -> None:
            logging.getLogger("precepts.test").info("jedi.Script created")
            original(self, *args, **kwargs)  # type: ignore[arg-type]

        jedi.Script.__init__ = counted  # type: ignore[method-assign]


if __name__ == "__main__":
    _inject({f for f in os.environ.get("PRECEPTS_FAULTS", "").split(",") if f})
    sys.exit(main(["serve"]))

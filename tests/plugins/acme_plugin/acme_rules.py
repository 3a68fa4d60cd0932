"""A team's own rule: no `TODO` left in string literals shipped to users."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule


class NoTodoInStrings(Rule):
    """Flags string literals that still contain ``TODO``."""

    code = "ACME101"
    name = "todo-in-string"
    family = "acme"
    section = "Core Principles"
    message = "A string literal still says TODO"
    summary = "String literals containing `TODO`."
    why = "Users should never read our reminders to ourselves."
    bad = (Example('GREETING = "TODO: write a greeting"\n', line=1),)
    good = (Example('GREETING = "Hello"\n'),)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check one string literal."""
        if "TODO" in node.value:
            self.report(node)

"""BP001 unused-noqa: a ``# noqa: BPxxx`` comment that silences nothing."""

from __future__ import annotations

from precepts.rule import Example, Rule


class UnusedNoqa(Rule):
    """Reported by the engine after suppression; the class carries docs and examples."""

    code = "BP001"
    name = "unused-noqa"
    family = "engine"
    section = "Python Best Practices"
    message = "Unused `noqa` directive"
    summary = (
        "A `# noqa: BPxxx` comment naming a precepts code that does not fire on that line. "
        "Codes of other tools (`E501`) and bare `# noqa` comments are left alone."
    )
    why = (
        "Stale suppressions hide the next real problem on the line and teach readers that "
        "the rule is wrong here when it no longer even applies."
    )
    leaves_alone = "Codes of other linters, bare `# noqa`, and codes of rules switched off."
    fix_description = "Removes the unused codes, or the whole comment when none remain."
    bad = (
        Example(
            "def total(values: list[int]) -> int:\n"
            '    """Add the values."""\n'
            "    return sum(values)  # noqa: BP105\n",
            line=3,
            fixed="def total(values: list[int]) -> int:\n"
            '    """Add the values."""\n'
            "    return sum(values)\n",
        ),
    )
    good = (
        Example(
            "def total(values: list[int]) -> int:\n"
            '    """Add the values."""\n'
            "    return sum(values)  # noqa: E501\n"
        ),
    )

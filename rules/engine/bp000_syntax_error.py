"""BP000 syntax-error: the file (or, in the editor, a statement) does not parse."""

from __future__ import annotations

from precepts.findings import Severity
from precepts.rule import Example, Rule


class SyntaxErrorRule(Rule):
    """Reported by the engine itself; the rule class carries its docs and examples."""

    code = "BP000"
    name = "syntax-error"
    family = "engine"
    section = "Python Best Practices"
    severity = Severity.ERROR
    message = "The file does not parse"
    summary = (
        "Code that Python cannot parse, a file that is not valid UTF-8 (or its declared "
        "encoding), or a binary file with NUL bytes."
    )
    why = (
        "Nothing else can be checked in code that does not parse. In the editor only the "
        "broken statement is affected; every other statement keeps its findings."
    )
    leaves_alone = "Empty files, which are valid modules (an empty `__init__.py`)."
    bad = (Example('def greet(name:\n    """Greet someone."""\n    return name\n', line=1),)
    good = (Example('def greet(name: str) -> str:\n    """Greet someone."""\n    return name\n'),)

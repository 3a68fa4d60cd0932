"""One small module per syntax feature of Python 3.8 to 3.14, each with a known finding.

Each entry: (source, the version that first parses it, the known finding inside the new
syntax as (code, 1-based line, 0-based code-point column)). The finding is BP105
(`== None`), which sits inside the feature so a wrong statement split, a lost tree or a
shifted position shows.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    source: str
    version: tuple[int, int]
    finding: tuple[str, int, int]


CORPUS: dict[str, Case] = {
    "walrus-3.8": Case(
        '"""Walrus."""\n\n\ndef size(items: list[int]) -> int:\n    """Count."""\n'
        "    if (n := len(items)) == None:\n        return 0\n    return n\n",
        (3, 8),
        ("BP105", 6, 7),
    ),
    "positional-only-3.8": Case(
        '"""Positional-only."""\n\n\ndef pick(a: int, /, b: int) -> bool:\n'
        '    """Pick."""\n    return a == None\n',
        (3, 8),
        ("BP105", 6, 11),
    ),
    "match-3.10": Case(
        '"""Match."""\n\n\ndef kind(value: object) -> bool:\n    """Kind."""\n'
        "    match value:\n        case [first, *rest]:\n            return first == None\n"
        "        case _:\n            return False\n",
        (3, 10),
        ("BP105", 8, 19),
    ),
    "except-star-3.11": Case(
        '"""Except star."""\n\n\ndef run(value: object) -> bool:\n    """Run."""\n'
        "    try:\n        return bool(value)\n    except* ValueError:\n"
        "        return value == None\n",
        (3, 11),
        ("BP105", 9, 15),
    ),
    "pep646-star-3.11": Case(
        '"""Variadic generics."""\nfrom typing import Generic, TypeVarTuple\n\n'
        'Ts = TypeVarTuple("Ts")\n\n\n'
        'class Row(Generic[*Ts]):\n    """A row."""\n\n    def put(self, *values: *Ts) -> bool:\n'
        '        """Put."""\n        return values == None\n',
        (3, 11),
        ("BP105", 12, 15),
    ),
    "pep695-function-3.12": Case(
        '"""Generic function."""\n\n\ndef first[T](items: list[T]) -> bool:\n'
        '    """First."""\n    return items[0] == None\n',
        (3, 12),
        ("BP105", 6, 11),
    ),
    "pep695-class-3.12": Case(
        '"""Generic class."""\n\n\nclass Box[T: (int, str), *Ts, **P]:\n'
        '    """A box."""\n\n    def empty(self, item: T) -> bool:\n'
        '        """Empty."""\n        return item == None\n',
        (3, 12),
        ("BP105", 9, 15),
    ),
    "pep695-alias-3.12": Case(
        '"""Alias."""\n\ntype Pair[T] = tuple[T, T]\n\n\n'
        'def same(pair: Pair[int]) -> bool:\n    """Same."""\n    return pair[0] == None\n',
        (3, 12),
        ("BP105", 8, 11),
    ),
    "pep701-fstring-3.12": Case(
        '"""F-strings."""\n\n\ndef show(names: list[str]) -> str:\n    """Show."""\n'
        '    return f"{"\\n".join(names)} {names == None}"\n',
        (3, 12),
        ("BP105", 6, 33),
    ),
    "pep696-default-3.13": Case(
        '"""Type parameter defaults."""\n\n\ndef first[T = int](items: list[T]) -> bool:\n'
        '    """First."""\n    return items[0] == None\n',
        (3, 13),
        ("BP105", 6, 11),
    ),
    "pep758-except-3.14": Case(
        '"""Bare except tuple."""\n\n\ndef parse(text: str) -> bool:\n    """Parse."""\n'
        "    try:\n        return int(text) > 0\n    except ValueError, TypeError:\n"
        "        return text == None\n",
        (3, 14),
        ("BP105", 9, 15),
    ),
    "pep750-tstring-3.14": Case(
        '"""Template strings."""\n\n\ndef greet(name: str) -> object:\n    """Greet."""\n'
        '    return t"hello 😀 {name == None}"\n',
        (3, 14),
        ("BP105", 6, 22),
    ),
}

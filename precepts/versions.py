"""Python versions a project targets: ``target-version`` values and ``requires-python``.

precepts judges code by the Python the *project* targets, never by the interpreter it
runs on. The target is ``target-version`` in ``[tool.precepts]`` (``py38`` … ``py314``);
without it, as ruff does, the lowest version the project's ``requires-python`` allows;
without that, the newest version precepts knows.
"""

from __future__ import annotations

import re

PythonVersion = tuple[int, int]

OLDEST: PythonVersion = (3, 8)
NEWEST: PythonVersion = (3, 14)
KNOWN: tuple[PythonVersion, ...] = tuple((3, minor) for minor in range(OLDEST[1], NEWEST[1] + 1))

_TARGET = re.compile(r"^py3(\d{1,2})$")
_CLAUSE = re.compile(r"^\s*(~=|===|==|!=|<=|>=|<|>|\^|~)?\s*v?(\d+)(?:\.(\d+|\*))?(?:\.(\d+|\*))?")


def parse_target(value: str) -> PythonVersion | None:
    """Read a ``target-version`` value.

    Args:
        value: ``py38`` … ``py314``.

    Returns:
        The version, or None when the value is not one precepts knows.
    """
    match = _TARGET.match(value.strip().lower())
    if match is None:
        return None
    version = (3, int(match.group(1)))
    return version if version in KNOWN else None


def target_name(version: PythonVersion) -> str:
    """Return the ``target-version`` spelling of a version (``py312``).

    Args:
        version: The version.

    Returns:
        Its name.
    """
    return f"py{version[0]}{version[1]}"


def dotted(version: PythonVersion) -> str:
    """Return ``3.12`` for ``(3, 12)``.

    Args:
        version: The version.

    Returns:
        The dotted form.
    """
    return f"{version[0]}.{version[1]}"


def lowest_allowed(requires_python: str) -> PythonVersion | None:
    """Return the lowest known Python version a ``requires-python`` specifier admits.

    A minor version is admitted when some release of it satisfies every clause
    (``>3.10`` admits 3.10, whose 3.10.1 is greater). Unknown syntax in a clause is
    ignored rather than guessed at.

    Args:
        requires_python: A PEP 440 specifier such as ``>=3.10,<4``.

    Returns:
        The version, or None when no known version is admitted or nothing bounds it.
    """
    clauses = [c for c in (part.strip() for part in requires_python.split(",")) if c]
    parsed = [clause for clause in (_parse_clause(c) for c in clauses) if clause is not None]
    if not parsed:
        return None
    for version in KNOWN:
        if all(_admits(version, clause) for clause in parsed):
            return version
    return None


_Clause = tuple[str, int, int | None, int | None]


def _parse_clause(text: str) -> _Clause | None:
    match = _CLAUSE.match(text)
    if match is None:
        return None
    operator, major, minor, patch = match.groups()

    def number(part: str | None) -> int | None:
        return None if part in (None, "*") else int(part)

    return operator or "==", int(major), number(minor), number(patch)


def _admits(version: PythonVersion, clause: _Clause) -> bool:
    """Tell whether some release of ``version`` satisfies one clause."""
    operator, major, minor, patch = clause
    bound = (major, minor if minor is not None else 0)
    if operator in (">=", ">", "^"):
        return version >= bound
    if operator == "<=":
        return version <= bound
    if operator == "<":
        # ``<3.10.2`` still admits 3.10.0; ``<3.10`` does not admit any 3.10.
        return version <= bound if minor is not None and patch else version < bound
    if operator in ("==", "==="):
        return version == bound if minor is not None else version[0] == major
    if operator == "!=":
        return patch is not None or minor is None or version != bound
    return _compatible(version, bound, patch)


def _compatible(version: PythonVersion, bound: PythonVersion, patch: int | None) -> bool:
    """``~=3.10`` admits 3.10 and later 3.x; ``~=3.10.2`` admits only 3.10."""
    if patch is not None:
        return version == bound
    return version >= bound and version[0] == bound[0]

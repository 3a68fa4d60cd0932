"""Which of our findings a peer's rule could have made at all: the families' shared scope.

Some practices draw their line wider than the peer rule they are compared with, on
purpose (each rule's docs say where): BP109 counts a handler that logs the traceback and
carries on as swallowing the error, BLE001 accepts it; BP501 reads DDL and ``SET``, S608
only SELECT/INSERT/UPDATE/DELETE; BP108 asks for an ``Args:`` section, D417 checks only
one that exists; BP409 reads names such as ``api_key``, S105–S107 only password, token
and secret names; BP602 judges httpx and aiohttp clients, S113 module-level calls
that wait forever. Precision against the peer over all our findings mixes those
deliberate differences with real disagreements. Each predicate here decides, from the
finding's message or the code at its line, whether the peer's rule covers the case; the
precision over the findings it keeps is the agreement where the two rules mean the same.
The predicates copy each peer's documented scope, not its implementation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol


class Located(Protocol):
    """What a predicate reads of a finding."""

    path: str
    line: int
    message: str


@lru_cache(maxsize=64)
def _tree(path: str) -> ast.Module | None:
    try:
        return ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


def _handler_at(path: str, line: int) -> ast.ExceptHandler | None:
    tree = _tree(path)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.lineno == line:
            return node
    return None


def _logs_traceback(handler: ast.ExceptHandler) -> bool:
    for node in ast.walk(handler):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Attribute) and node.func.attr == "exception":
            return True
        if any(k.arg == "exc_info" for k in node.keywords):
            return True
    return False


def broad_except(finding: Located) -> bool:
    """BLE001: ``except Exception``/``BaseException`` that neither re-raises nor logs the traceback.

    A bare ``except:`` is E722's, not BLE001's.
    """
    handler = _handler_at(finding.path, finding.line)
    if handler is None or handler.type is None:
        return False
    return not _logs_traceback(handler)


def sql_injection(finding: Located) -> bool:
    """S608: statements that take bound parameters (DML); DDL, ``SET``, ``PRAGMA`` do not."""
    return "takes no bound parameters" not in finding.message


_SECRET_NAME = re.compile(r"(^|_)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)($|_)", re.I)
_NAMED = re.compile(r"Hardcoded secret in `([^`]+)`")


def secrets(finding: Located) -> bool:
    """S105–S107: a literal bound to a name that says password, token or secret."""
    named = _NAMED.search(finding.message)
    if named is None:
        return False  # an environment fallback (`os.getenv("X", "...")`): not S105-S107's
    last = re.split(r"[.\[\]'\"]+", named.group(1).strip(".[]'\""))[-1]
    return bool(_SECRET_NAME.search(last))


_ARGS_SECTION = re.compile(r"^\s*(Args|Arguments):\s*$", re.M)


def _function_near(path: str, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    tree = _tree(path)
    if tree is None:
        return None
    best = None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        end = node.end_lineno or node.lineno
        if node.lineno <= line <= end and (best is None or node.lineno > best.lineno):
            best = node
    return best


def docstring_args(finding: Located) -> bool:
    """D417: a parameter missing from an ``Args:`` section that exists."""
    function = _function_near(finding.path, finding.line)
    if function is None:
        return False
    docstring = ast.get_docstring(function, clean=False) or ""
    return bool(_ARGS_SECTION.search(docstring))


def http_timeout(finding: Located) -> bool:
    """S113: calls that wait forever (requests; httpx only with ``timeout=None``).

    BP602's message says "forever" exactly there; through an httpx client or an aiohttp
    session the libraries' own defaults apply, and S113 does not follow clients.
    """
    return "forever" in finding.message


SCOPES: dict[str, tuple[Callable[[Located], bool], str]] = {
    "broad-except": (broad_except, "handlers that neither re-raise nor log the traceback"),
    "sql-injection": (sql_injection, "statements that take bound parameters"),
    "secrets": (secrets, "literals bound to password/token/secret names"),
    "docstring-args": (docstring_args, "docstrings with an Args section"),
    "http-timeout": (http_timeout, "requests that wait forever"),
}
"""Per family: the predicate, and what it keeps (printed with the numbers)."""

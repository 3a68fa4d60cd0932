"""BP109 broad-exception-handler: bare ``except:`` and ``except Exception`` that swallow."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Range
from precepts.rule import Example, Rule

_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAMES = frozenset({"logger", "log", "logging", "LOGGER", "LOG", "_logger", "_log"})


class BroadExceptionHandler(Rule):
    """Flags bare ``except:`` and broad handlers whose body only swallows the error."""

    code = "BP109"
    name = "broad-exception-handler"
    family = "python"
    section = "Error Handling & Validation"
    message = (
        "`except Exception` swallows the error: catch the exceptions you expect, or log with "
        "`logger.exception(...)` and re-raise"
    )
    summary = (
        "A bare `except:` that does not re-raise, and an `except Exception` / "
        "`except BaseException` (alone or in a tuple) whose body only swallows the error: "
        "nothing but `pass`, `...`, `return` / `return None`, a returned default value "
        '(`return False`, `return 0`, `return "unknown error"`, `return []`), `continue`, '
        "`break` or log calls, whether or not the log records the traceback."
    )
    why = (
        "A broad handler that swallows turns every bug (a typo, a `KeyError`, a lost database "
        "connection) into a silent `None` that surfaces far away, without a traceback. A bare "
        "`except:` is worse: it also catches `KeyboardInterrupt` and `SystemExit`, so the "
        "process cannot even be stopped. Catch the exceptions you expect and let the others "
        "reach the framework's error handler, which logs them and answers 500."
    )
    leaves_alone = (
        "Handlers that raise anywhere in their body (`raise`, `raise NotFoundError(...) from "
        "error`): they translate or annotate the error instead of hiding it. Handlers that do "
        "real work (a computed or filled fallback such as `return default_config()` or "
        '`return {"status": "degraded"}`, a retry, a cleanup call); a constant default is '
        "not real work: the caller cannot tell it from a result. The yes/no check the "
        'standard itself writes as ✅ (`verify_user_exists`, "without raising"): a `try` '
        "whose body ends in `return True` and whose handler is only `return False`, without "
        "`as`; there the exception is the answer. And the top-level loop of a "
        "worker or server: an `except Exception` inside a `for`/`while` loop whose body logs "
        "with `logger.exception(...)` (or `exc_info=True`) and carries on. A worker must "
        "survive one bad message instead of dying and dropping the rest of the queue, and "
        "`logger.exception` keeps the full traceback in the logs, so nothing is hidden. A bare "
        "`except:` is never exempt: in a loop it would swallow Ctrl-C and shutdown signals. "
        "Unlike ruff's BLE001, a handler that logs with `logger.exception(...)` or "
        "`exc_info=True` and then carries on outside such a loop is still flagged: the "
        "practice counts a log call without re-raise as swallowing (the caller goes on as "
        "if nothing failed), and a `logger.debug(..., exc_info=True)` is silent in "
        "production."
    )
    bad = (
        Example(
            "import json\n"
            "\n"
            "\n"
            "def load_settings(text: str) -> dict[str, str] | None:\n"
            '    """Parse the settings document."""\n'
            "    try:\n"
            "        return json.loads(text)\n"
            "    except Exception:\n"
            "        return None\n",
            line=8,
        ),
        Example(
            "def parse_port(text: str) -> int:\n"
            '    """Read a TCP port number."""\n'
            "    try:\n"
            "        return int(text)\n"
            "    except:\n"
            "        return 8080\n",
            line=5,
        ),
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def send_invoice(client: object, invoice_id: int) -> bool:\n"
            '    """Send one invoice."""\n'
            "    try:\n"
            "        client.send(invoice_id)\n"
            "        return True\n"
            "    except Exception as error:\n"
            '        logger.error("cannot send invoice %s: %s", invoice_id, error)\n'
            "        return False\n",
            line=11,
        ),
    )
    good = (
        Example(
            "import json\n"
            "\n"
            "\n"
            "class SettingsError(ValueError):\n"
            '    """The settings document is not valid JSON."""\n'
            "\n"
            "\n"
            "def load_settings(text: str) -> dict[str, str]:\n"
            '    """Parse the settings document."""\n'
            "    try:\n"
            "        return json.loads(text)\n"
            "    except json.JSONDecodeError as error:\n"
            "        raise SettingsError(str(error)) from error\n"
        ),
        Example(
            "import logging\n"
            "from collections.abc import Callable, Iterable\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def consume(messages: Iterable[bytes], handle: Callable[[bytes], None]) -> None:\n"
            '    """Handle every message; one bad message must not stop the worker."""\n'
            "    for message in messages:\n"
            "        try:\n"
            "            handle(message)\n"
            "        except Exception:\n"
            '            logger.exception("cannot handle message %r", message[:80])\n'
        ),
    )

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        """Check one ``except`` clause."""
        self._check(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        """Check one ``except*`` clause."""
        self._check(node)

    def _check(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> None:
        if node.type is None:
            if not _raises(node.body):
                self.report(
                    self._keyword_range(node),
                    "Bare `except:` also catches `KeyboardInterrupt` and `SystemExit`: catch "
                    "the exceptions you expect (or `except Exception` and re-raise)",
                )
            return
        if not self._is_broad(node.type):
            return
        statements = _statements(node.body)
        loggers = _LOGGER_NAMES | self.context.facts.loggers
        if statements is None or not all(_swallows(s, loggers) for s in statements):
            return
        if _keeps_traceback(statements, loggers) and self._in_loop(node):
            return  # a worker loop that logs the traceback and carries on
        if _is_probe(node, statements) and _try_ends_with_true(self.context.parent):
            return  # a yes/no check: the exception is the answer
        caught = self.context.code_for(node.type)
        self.report(
            node.type,
            f"`except {caught}` swallows the error: catch the exceptions you expect, or log "
            "with `logger.exception(...)` and re-raise",
        )

    def _is_broad(self, expression: cst.BaseExpression) -> bool:
        if isinstance(expression, cst.Tuple):
            return any(self._is_broad(element.value) for element in expression.elements)
        return self.context.facts.qualify(expression) in _BROAD

    def _in_loop(self, node: cst.CSTNode) -> bool:
        # Walk up to the enclosing function: a loop whose body holds the ``try``.
        ancestors = self.context.ancestors
        below: cst.CSTNode = node
        for ancestor in reversed(ancestors):
            if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                return False
            if isinstance(ancestor, (cst.For, cst.While)) and ancestor.body is below:
                return True
            below = ancestor
        return False

    def _keyword_range(self, node: cst.CSTNode) -> Range:
        start = self.context.range_of(node).start
        return Range.of(start.line, start.column, start.line, start.column + len("except"))


def _statements(body: cst.BaseSuite) -> list[cst.BaseSmallStatement] | None:
    """Return the small statements of a handler body, or None when it holds a block."""
    lines = [body] if isinstance(body, cst.SimpleStatementSuite) else body.body
    found: list[cst.BaseSmallStatement] = []
    for line in lines:
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return None
        found.extend(line.body)
    return found


def _swallows(statement: cst.BaseSmallStatement, loggers: AbstractSet[str]) -> bool:
    """Tell whether a statement only discards the error (pass, return None, a log call)."""
    if isinstance(statement, (cst.Pass, cst.Continue, cst.Break)):
        return True
    if isinstance(statement, cst.Return):
        return statement.value is None or _is_default_value(statement.value)
    if isinstance(statement, cst.Expr):
        value = statement.value
        if isinstance(value, (cst.Ellipsis, cst.SimpleString)):
            return True
        return _log_method(value, loggers) is not None
    return False


def _is_default_value(node: cst.BaseExpression) -> bool:
    """A constant handed back instead of the error: ``None``, ``False``, ``0``, ``""``, ``[]``.

    The caller cannot tell it from a real result, so the error is swallowed as surely as
    with ``return None`` (the standard's ❌ "Catching all exceptions").
    """
    if isinstance(node, cst.Name):
        return node.value in {"None", "False", "True"}
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.expression, (cst.Integer, cst.Float))
    if isinstance(node, cst.Tuple):
        # `return {}, None, False`: several defaults at once (a filled tuple of constants).
        return all(isinstance(e, cst.Element) and _is_default_value(e.value) for e in node.elements)
    if isinstance(node, (cst.List, cst.Set, cst.Dict)):
        return not node.elements  # an empty collection; a filled one is a real fallback
    if isinstance(node, cst.Call):
        func = node.func
        empty = isinstance(func, cst.Name) and func.value in {"dict", "list", "set", "tuple"}
        return empty and not node.args
    return False


def _is_probe(handler: cst.CSTNode, statements: list[cst.BaseSmallStatement]) -> bool:
    """``try: ...; return True`` / ``except Exception: return False``: a yes/no check.

    The standard's ✅ ``verify_user_exists`` ("Verify user exists without raising") is
    written so: the exception *is* the answer "no", and the signature says so.
    """
    if len(statements) != 1 or not _returns_name(statements[0], "False"):
        return False
    return isinstance(handler, cst.ExceptHandler) and handler.name is None


def _returns_name(statement: cst.CSTNode, name: str) -> bool:
    value = statement.value if isinstance(statement, cst.Return) else None
    return isinstance(value, cst.Name) and value.value == name


def _try_ends_with_true(try_node: cst.CSTNode | None) -> bool:
    """Tell whether the ``try`` body's last statement is ``return True``."""
    if not isinstance(try_node, cst.Try):
        return False
    suite = try_node.body
    lines = [suite] if isinstance(suite, cst.SimpleStatementSuite) else list(suite.body)
    last = lines[-1] if lines else None
    if not isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return False
    return bool(last.body) and _returns_name(last.body[-1], "True")


def _log_method(node: cst.BaseExpression, loggers: AbstractSet[str]) -> str | None:
    """Return the method of a ``logger.<method>(...)`` / ``print(...)`` call, else None."""
    if not isinstance(node, cst.Call):
        return None
    func = node.func
    if isinstance(func, cst.Name):
        return "print" if func.value == "print" else None
    if dotted_name(func) == "warnings.warn":
        return "warning"  # a warning is a message too: the error goes on unseen
    if not isinstance(func, cst.Attribute) or func.attr.value not in _LOG_METHODS:
        return None
    receiver = func.value
    if isinstance(receiver, cst.Attribute):
        receiver = receiver.attr  # self.logger, app.logger
    if isinstance(receiver, cst.Name) and receiver.value in loggers:
        return func.attr.value
    return None


def _keeps_traceback(statements: list[cst.BaseSmallStatement], loggers: AbstractSet[str]) -> bool:
    """Tell whether a log call records the traceback (``.exception`` or ``exc_info=True``)."""
    for statement in statements:
        if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
            continue
        call = statement.value
        if _log_method(call, loggers) == "exception":
            return True
        if any(_is_exc_info(arg) for arg in call.args):
            return True
    return False


def _is_exc_info(arg: cst.Arg) -> bool:
    keyword = arg.keyword
    value = arg.value
    return (
        keyword is not None
        and keyword.value == "exc_info"
        and not (isinstance(value, cst.Name) and value.value in {"False", "None"})
    )


def _raises(body: cst.CSTNode) -> bool:
    """Tell whether a ``raise`` occurs in ``body`` outside nested functions and classes."""
    if isinstance(body, cst.Raise):
        return True
    if isinstance(body, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        return False
    return any(_raises(child) for child in body.children)

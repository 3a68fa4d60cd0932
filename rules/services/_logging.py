"""What a logger call looks like, shared by the logging rules (BP604, BP605)."""

from __future__ import annotations

import libcst as cst

from precepts.facts import ModuleFacts

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAMES = frozenset({"logger", "log", "LOGGER", "LOG", "_logger", "_log"})
_LOGGER_FACTORIES = frozenset({"getLogger", "get_logger"})


def is_logger(facts: ModuleFacts, receiver: cst.BaseExpression) -> bool:
    """Tell whether an expression is a logger (or the ``logging`` module itself).

    Args:
        facts: The module's facts.
        receiver: The object whose method is called.

    Returns:
        True for a module logger, a conventionally named one, ``logging`` or
        ``logging.getLogger(...)``.
    """
    if isinstance(receiver, cst.Name):
        return (
            receiver.value in facts.loggers
            or is_logger_name(receiver.value)
            or facts.qualify(receiver) == "logging"
        )
    if isinstance(receiver, cst.Attribute):
        return is_logger_name(receiver.attr.value)  # self.logger, app.run_logger
    if isinstance(receiver, cst.Call):
        called = facts.call_name(receiver) or ""
        return called.rsplit(".", 1)[-1] in _LOGGER_FACTORIES
    return False


def is_logger_name(name: str) -> bool:
    """Tell whether a name is what loggers are called (``logger``, ``run_logger``, ``audit_log``).

    Args:
        name: A variable or attribute name.

    Returns:
        True for a logger's name.
    """
    return name in _LOGGER_NAMES or name.lower().endswith(("logger", "_log"))


def is_log_call(facts: ModuleFacts, call: cst.Call) -> bool:
    """Tell whether a call is ``logger.info(...)`` and friends.

    Args:
        facts: The module's facts.
        call: The call.

    Returns:
        True for a logging call.
    """
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in LOG_METHODS
        and is_logger(facts, func.value)
    )

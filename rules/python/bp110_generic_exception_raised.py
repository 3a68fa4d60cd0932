"""BP110 generic-exception-raised: ``raise Exception(...)`` instead of a specific class."""

from __future__ import annotations

import libcst as cst

from precepts.rule import Example, Rule

_GENERIC = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


class GenericExceptionRaised(Rule):
    """Flags ``raise Exception(...)`` and ``raise BaseException(...)``."""

    code = "BP110"
    name = "generic-exception-raised"
    family = "python"
    section = "Error Handling & Validation"
    message = (
        "Raise a specific exception class (a subclass of `Exception` named after the "
        "failure), not `Exception` itself"
    )
    summary = (
        "`raise Exception(...)` and `raise BaseException(...)`, called or bare "
        "(`raise Exception`), with or without `from`."
    )
    why = (
        "Callers can only handle a generic `Exception` with an `except Exception` that also "
        "catches every bug, so the failure cannot be told apart from a typo. A named class "
        "(`UserNotFoundError`) documents the failure, lets the API layer map it to a status "
        "code, and lets tests assert on it."
    )
    leaves_alone = (
        "Re-raising a caught exception (`except Exception as error: raise error`, bare "
        "`raise`), and raising any other class, including your own subclasses of `Exception`. "
        "Tests, where a mock raising a plain `Exception` simulates an unexpected failure (as "
        "in the standard's own error-scenario tests). The standard's ✅ `UserServiceClient` "
        "(Inter-Service Communication) still raises `Exception(...)`; that snippet predates "
        "this rule, which follows the Error Handling & Validation section."
    )
    bad = (
        Example(
            "def parse_port(text: str) -> int:\n"
            '    """Read a TCP port number."""\n'
            "    port = int(text)\n"
            "    if not 0 < port < 65536:\n"
            '        raise Exception(f"port out of range: {port}")\n'
            "    return port\n",
            line=5,
        ),
    )
    good = (
        Example(
            "class InvalidPortError(ValueError):\n"
            '    """A port number outside 1-65535."""\n'
            "\n"
            "\n"
            "def parse_port(text: str) -> int:\n"
            '    """Read a TCP port number."""\n'
            "    port = int(text)\n"
            "    if not 0 < port < 65536:\n"
            '        raise InvalidPortError(f"port out of range: {port}")\n'
            "    return port\n"
        ),
    )
    bad_cases = (
        "raise Exception",  # bare, not called
        'raise BaseException("shutting down")',
        'raise Exception("port out of range") from None',
    )
    good_cases = (
        'raise ValueError("port out of range")',
        "raise",  # re-raises what was caught
        "try:\n    connect()\nexcept Exception as error:\n    raise error",
        "class PortError(Exception):\n    pass",  # your own subclass
        'error = Exception("kept, not raised")',
        Example('raise Exception("simulated outage")', path="tests/test_client.py"),
    )

    def visit_Raise(self, node: cst.Raise) -> None:
        """Flag a raise of ``Exception`` / ``BaseException``."""
        raised = node.exc
        if raised is None or self.context.is_test:
            return
        target = raised.func if isinstance(raised, cst.Call) else raised
        # A bare name resolves through the imports: ``from errors import Exception`` (or
        # any alias) is a different class. A caught ``error`` is never called Exception.
        if isinstance(target, (cst.Name, cst.Attribute)):
            if self.context.facts.qualify(target) in _GENERIC:
                self.report(raised)

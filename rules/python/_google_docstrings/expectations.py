"""What a function's docstring must document.

:func:`expected_documentation` combines the signature and the body facts into an
:class:`Expected`: the parameters, the return value or yielded values, and the
exceptions raised directly, with the same meaning of "returns a value" as BP106.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.python._google_docstrings.bodies import BodyFacts, RaisedException
from precepts.rules.python._google_docstrings.rendering import returns_placeholder
from precepts.rules.python._google_docstrings.signatures import (
    decorator_names,
    explicit_params,
    is_stub,
    param_label,
)

_NO_RETURN = frozenset({"None", "NoReturn", "Never"})


@dataclass
class Expected:
    """What a function's Google docstring must document.

    Attributes:
        params: Parameter labels (``name``, ``*args``, ``**kwargs``), self/cls excluded.
        returns: True when a ``Returns:`` section is needed.
        yields: True when a ``Yields:`` section is needed (generators).
        raises: Exceptions raised directly.
        returns_text: The placeholder for a new ``Returns:`` entry.
    """

    params: list[str]
    returns: bool
    yields: bool
    raises: list[RaisedException]
    returns_text: str


def expected_documentation(node: cst.FunctionDef, facts: BodyFacts, method: bool) -> Expected:
    """Decide what a function's docstring must document.

    Output is documented when the body returns a value, or when it is a stub (abstract
    method, protocol) annotated with a type other than ``None``. ``__init__`` and
    properties document no output. ``raise NotImplementedError`` in a stub is not a
    documented exception: it only marks the method as abstract.

    Args:
        node: The function.
        facts: What its own body does.
        method: Whether it is defined in a class body.

    Returns:
        The expectation.
    """
    params = [param_label(p) for p in explicit_params(node, method)]
    decorators = {name.rsplit(".", 1)[-1] for name in decorator_names(node)}
    annotation = dotted_name(node.returns.annotation) if node.returns else None
    silent = (
        node.name.value == "__init__"
        or bool(decorators & {"property", "cached_property"})
        or (annotation is not None and annotation.rsplit(".", 1)[-1] in _NO_RETURN)
    )
    stub = is_stub(node.body)
    yields = facts.yields and not silent
    returns = (
        not silent and not yields and (facts.returns_value or (stub and node.returns is not None))
    )
    raises = [] if stub else list(facts.raises)
    return Expected(params, returns, yields, raises, returns_placeholder(node.name.value))

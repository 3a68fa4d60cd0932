"""What a function's signature and placement say: decorators, scope, parameters, stubs.

Whether a function is a method, which parameters it declares explicitly (without
``self``/``cls``), how a parameter is labelled in a docstring, and whether its body is
a stub (abstract methods, protocols, placeholders).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from precepts.facts import dotted_name
from precepts.rules.python._google_docstrings.bodies import raised_exception


def decorator_names(node: cst.FunctionDef | cst.ClassDef) -> list[str]:
    """Return the dotted names of a definition's decorators (calls unwrapped).

    Args:
        node: A function or class.

    Returns:
        Names such as ``pytest.fixture`` or ``name.setter``.
    """
    names = []
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        name = dotted_name(expression)
        if name is not None:
            names.append(name)
    return names


def enclosing_scope(ancestors: Sequence[cst.CSTNode]) -> cst.CSTNode | None:
    """Return the nearest function, lambda or class above the current node.

    Args:
        ancestors: The walker's ancestor stack.

    Returns:
        The enclosing definition, or None at module level.
    """
    for ancestor in reversed(ancestors):
        if isinstance(ancestor, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return ancestor
    return None


def is_method(node: cst.FunctionDef, ancestors: Sequence[cst.CSTNode]) -> bool:
    """Tell whether a function is defined directly in a class body.

    Args:
        node: The function.
        ancestors: The walker's ancestor stack at the function.

    Returns:
        True for a method.
    """
    return isinstance(enclosing_scope(ancestors), cst.ClassDef)


def all_params(parameters: cst.Parameters) -> list[cst.Param]:
    """Return every parameter in order, ``*args`` and ``**kwargs`` included.

    Args:
        parameters: A function's parameters.

    Returns:
        The parameters (the bare ``*`` marker is not one).
    """
    params = [*parameters.posonly_params, *parameters.params]
    if isinstance(parameters.star_arg, cst.Param):
        params.append(parameters.star_arg)
    params.extend(parameters.kwonly_params)
    if parameters.star_kwarg is not None:
        params.append(parameters.star_kwarg)
    return params


def explicit_params(node: cst.FunctionDef, method: bool) -> list[cst.Param]:
    """Return the parameters a caller passes: ``self``/``cls`` of a method left out.

    The first parameter of a method is bound implicitly unless the method is a
    ``@staticmethod``, whatever its name (``self``, ``cls``, ``mcs``).

    Args:
        node: The function.
        method: Whether it is defined in a class body.

    Returns:
        The parameters.
    """
    params = all_params(node.params)
    positional = [*node.params.posonly_params, *node.params.params]
    static = any(name.rsplit(".", 1)[-1] == "staticmethod" for name in decorator_names(node))
    if method and not static and positional:
        params.remove(positional[0])
    return params


def param_label(param: cst.Param) -> str:
    """Return a parameter as documented: ``name``, ``*args`` or ``**kwargs``.

    Args:
        param: The parameter.

    Returns:
        The label.
    """
    star = param.star if isinstance(param.star, str) else ""
    return f"{star}{param.name.value}"


def is_stub(body: cst.BaseSuite) -> bool:
    """Tell whether a body only holds a docstring, ``pass``, ``...``, ``raise NotImplementedError``.

    Args:
        body: A function body.

    Returns:
        True for a stub (abstract methods, protocols, placeholders).
    """
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    for statement in statements:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return False
        if not all(_is_stub_statement(small) for small in statement.body):
            return False
    return True


def _is_stub_statement(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString))
    if isinstance(small, cst.Raise):
        raised = raised_exception(small)
        return raised is not None and raised.name.endswith("NotImplementedError")
    return False

"""What a test is, as pytest and unittest collect them (shared by BP801-BP803).

A test is a function whose name starts with ``test`` at the top level of a test module
(``tests/``, ``test_*.py``, ``*_test.py``: :func:`precepts.context.is_test_path`), or such
a method of a class named ``Test*`` or deriving from a ``TestCase``. Fixtures
(``@pytest.fixture``) are not tests, even when their name starts with ``test``, and
``conftest.py`` holds fixtures and hooks, never tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import libcst as cst

from precepts.context import RuleContext
from precepts.facts import ModuleFacts, dotted_name

_FIXTURE_DECORATORS = frozenset(
    {"pytest.fixture", "pytest.yield_fixture", "pytest_asyncio.fixture", "fixture"}
)


def collects_tests(context: RuleContext) -> bool:
    """Tell whether pytest (or unittest) collects tests from this module.

    pytest's default ``python_files`` are ``test_*.py`` and ``*_test.py``; unittest's
    discovery takes ``test*.py``. Other modules of a test folder (helpers, fixtures,
    ``conftest.py``) hold no tests even when they define ``test_*`` functions.

    Args:
        context: The rule context.

    Returns:
        True for a module tests are collected from.
    """
    name = PurePath(context.path.replace("\\", "/")).name
    return context.is_test and (
        (name.startswith("test") and name.endswith(".py")) or name.endswith("_test.py")
    )


def decorator_name(decorator: cst.Decorator, facts: ModuleFacts) -> str:
    """Return a decorator's qualified name (its call's, for ``@fixture(scope=...)``).

    Args:
        decorator: The decorator.
        facts: Module facts.

    Returns:
        The name, or ``""`` when it is not a name chain.
    """
    expression = decorator.decorator
    if isinstance(expression, cst.Call):
        expression = expression.func
    return facts.qualify(expression) or ""


def is_fixture(node: cst.FunctionDef, facts: ModuleFacts) -> bool:
    """Tell whether a function is a pytest fixture.

    Args:
        node: The function.
        facts: Module facts.

    Returns:
        True when a fixture decorator is applied.
    """
    return any(decorator_name(d, facts) in _FIXTURE_DECORATORS for d in node.decorators)


def is_test_class(node: cst.ClassDef) -> bool:
    """Tell whether pytest or unittest collects tests from a class.

    Args:
        node: The class.

    Returns:
        True for ``Test*`` classes and ``TestCase`` subclasses.
    """
    if node.name.value.startswith("Test"):
        return True
    return any((dotted_name(base.value) or "").endswith("TestCase") for base in node.bases)


def is_test_function(
    node: cst.FunctionDef, classes: Sequence[cst.ClassDef], nested: bool, facts: ModuleFacts
) -> bool:
    """Tell whether a function is a test.

    Args:
        node: The function.
        classes: The classes it is defined in, outermost first.
        nested: True when it is defined inside another function.
        facts: Module facts.

    Returns:
        True for a collected test.
    """
    if nested or not node.name.value.startswith("test") or is_fixture(node, facts):
        return False
    return not classes or (len(classes) == 1 and is_test_class(classes[0]))


def parameter_names(node: cst.FunctionDef) -> frozenset[str]:
    """Return every parameter name of a function.

    Args:
        node: The function.

    Returns:
        The names.
    """
    params = node.params
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.append(star.name.value)
    return frozenset(names)

"""Finds every rule: the built-in ones and team rules from other packages.

Built-in rules live under ``precepts.rules``; team rules are registered by other
packages under the ``precepts.rules`` entry-point group.

An entry point may name a rule class, a module (every rule class defined in it is
taken) or a list of rule classes.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib.metadata import entry_points
from types import GenericAlias, ModuleType

from precepts.filekinds import CONFIG_FILES
from precepts.filerule import FileRule
from precepts.rule import Rule

ENTRY_POINT_GROUP = "precepts.rules"
_CODE = re.compile(r"^[A-Z]{1,5}[0-9]{3,4}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

log = logging.getLogger(__name__)


class RegistryError(Exception):
    """A rule is malformed or two rules share a code."""


def _rules_in_module(module: ModuleType) -> list[type[Rule]]:
    found = []
    for _, value in vars(module).items():
        if (
            # ``list[int]`` passes ``isclass`` on Python 3.10 but not ``issubclass``.
            inspect.isclass(value)
            and not isinstance(value, GenericAlias)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
            and "code" in vars(value)
        ):
            found.append(value)
    return found


def _builtin_rules() -> list[type[Rule]]:
    package = importlib.import_module("precepts.rules")
    found: list[type[Rule]] = []
    for info in pkgutil.walk_packages(package.__path__, prefix="precepts.rules."):
        found.extend(_rules_in_module(importlib.import_module(info.name)))
    return found


def _plugin_rules() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
        except Exception:  # a broken plugin must not stop the built-in rules
            log.exception("cannot load precepts rule plugin %s", entry.value)
            continue
        if isinstance(loaded, ModuleType):
            found.extend(_rules_in_module(loaded))
        elif inspect.isclass(loaded) and issubclass(loaded, Rule):
            found.append(loaded)
        elif isinstance(loaded, Iterable):
            found.extend(r for r in loaded if inspect.isclass(r) and issubclass(r, Rule))
        else:
            log.error("entry point %s is not a rule, module or list of rules", entry.value)
    return found


def validate_rule(rule: type[Rule]) -> None:
    """Check that a rule class carries everything the rule format asks for.

    Args:
        rule: The rule class.

    Raises:
        RegistryError: When something is missing or malformed.
    """
    for attribute in ("code", "name", "family", "section", "message", "summary", "why"):
        if not getattr(rule, attribute, None):
            raise RegistryError(f"rule {rule.__qualname__} has no {attribute}")
    if not _CODE.match(rule.code):
        raise RegistryError(f"rule {rule.__qualname__}: bad code {rule.code!r}")
    if not _NAME.match(rule.name):
        raise RegistryError(f"rule {rule.code}: name {rule.name!r} is not kebab-case")
    if not rule.bad or not rule.good:
        raise RegistryError(f"rule {rule.code} needs at least one ❌ and one ✅ example")
    for example in (*rule.bad, *rule.cases(bad=True)):
        if example.line is None:
            raise RegistryError(f"rule {rule.code}: a ❌ example needs the line it fires on")
    if issubclass(rule, FileRule):
        _validate_file_rule(rule)


def _validate_file_rule(rule: type[FileRule]) -> None:
    unknown = sorted(set(rule.files) - set(CONFIG_FILES))
    if not rule.files or unknown:
        raise RegistryError(
            f"rule {rule.code}: a file rule reads some of {', '.join(CONFIG_FILES)}"
            + (f", not {', '.join(unknown)}" if unknown else "")
        )


@lru_cache(maxsize=1)
def all_rules() -> dict[str, type[Rule]]:
    """Return every known rule by code, built-in first, then plugins.

    Returns:
        Code → rule class, sorted by code.

    Raises:
        RegistryError: When a rule is malformed or a code is taken twice.
    """
    rules: dict[str, type[Rule]] = {}
    for rule in [*_builtin_rules(), *_plugin_rules()]:
        validate_rule(rule)
        other = rules.get(rule.code)
        if other is not None and other is not rule:
            raise RegistryError(
                f"{rule.code} is defined twice: {other.__module__} and {rule.__module__}"
            )
        rules[rule.code] = rule
    return dict(sorted(rules.items()))


def get_rule(code: str) -> type[Rule] | None:
    """Look a rule up by code or name.

    Args:
        code: ``BP101`` or ``cognitive-complexity``.

    Returns:
        The rule class, or None.
    """
    rules = all_rules()
    if code.upper() in rules:
        return rules[code.upper()]
    for rule in rules.values():
        if rule.name == code:
            return rule
    return None

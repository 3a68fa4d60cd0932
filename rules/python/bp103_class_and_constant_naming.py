"""BP103 class-and-constant-naming: classes not in CapWords, constants in mixed case."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, Rule
from precepts.rules.python.bp102_function_naming import snake_case

_LITERAL_ATOMS = (
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
)
_CONSTANT_NAMES = frozenset({"True", "False", "None"})
_LOWER_RUN = re.compile(r"[a-z]{2}")


class _Binding(NamedTuple):
    """A module-level binding of a name, as one statement makes it."""

    name: str
    target: cst.Name | None  # set only for a candidate constant: `name = <literal>`


class _Summary(NamedTuple):
    """What one top-level statement contributes (immutable, position-free)."""

    classes: tuple[tuple[cst.Name, str], ...]
    bindings: tuple[_Binding, ...]
    globals: tuple[str, ...]


def cap_words(name: str) -> str:
    """Convert a name to CapWords, keeping its leading underscores.

    Args:
        name: ``user_profile``, ``userProfile``, ``_http_client``.

    Returns:
        ``UserProfile``, ``UserProfile``, ``_HttpClient``.
    """
    core = name.lstrip("_")
    head = name[: len(name) - len(core)]
    return head + "".join(part[:1].upper() + part[1:] for part in core.split("_") if part)


def upper_snake(name: str) -> str:
    """Convert a name to UPPER_SNAKE_CASE, keeping acronyms whole.

    Args:
        name: ``maxRetries``, ``Max_Size``, ``SPECIAL_IPv4_RANGES``.

    Returns:
        ``MAX_RETRIES``, ``MAX_SIZE``, ``SPECIAL_IPV4_RANGES``.
    """
    # A part without two lower-case letters in a row is an acronym (IPv4), not words.
    parts = [
        part if _LOWER_RUN.search(part) is None else snake_case(part) for part in name.split("_")
    ]
    return "_".join(parts).upper()


def _is_cap_words(name: str) -> bool:
    core = name.lstrip("_")
    return not core or (core[0].isupper() and "_" not in core)


def _is_mixed_case(name: str) -> bool:
    return any(c.isupper() for c in name) and any(c.islower() for c in name)


def is_literal(node: cst.BaseExpression) -> bool:
    """Tell whether an expression is a literal (numbers, strings, containers of literals).

    Args:
        node: The assigned value.

    Returns:
        True for ``3``, ``-1.5``, ``"x"``, ``60 * 60``, ``("a", "b")``, ``{"k": 1}``.
    """
    if isinstance(node, _LITERAL_ATOMS):
        return True
    if isinstance(node, cst.Name):
        return node.value in _CONSTANT_NAMES
    if isinstance(node, cst.UnaryOperation):
        return is_literal(node.expression)
    if isinstance(node, cst.BinaryOperation):
        return is_literal(node.left) and is_literal(node.right)
    return _is_literal_container(node)


def _is_literal_container(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(isinstance(e, cst.Element) and is_literal(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.DictElement) and is_literal(e.key) and is_literal(e.value)
            for e in node.elements
        )
    return False


def _names_in_target(node: cst.BaseExpression) -> Iterator[str]:
    """Yield the names an assignment target binds (``a``, ``a, (b, *c)``)."""
    if isinstance(node, cst.Name):
        yield node.value
    elif isinstance(node, (cst.Tuple, cst.List)):
        for element in node.elements:
            yield from _names_in_target(element.value)
    elif isinstance(node, cst.StarredElement):
        yield from _names_in_target(node.value)


def _is_type_alias_annotation(annotation: cst.Annotation) -> bool:
    name = dotted_name(annotation.annotation)
    return name is not None and name.rsplit(".", 1)[-1] == "TypeAlias"


class ClassAndConstantNaming(Rule):
    """Flags class names not in CapWords and module constants named in mixed case."""

    code = "BP103"
    name = "class-and-constant-naming"
    family = "python"
    section = "PEP 8 Compliance"
    message = "Classes are CapWords; module constants are UPPER_SNAKE_CASE"
    summary = (
        "Class names that are not CapWords (`user_profile`, `User_Profile`), anywhere in "
        "the file; and module-level names that are assigned once, with a literal, and "
        "named in mixed case (`maxRetries = 3`, `Max_Size = 10`): constants are "
        "`UPPER_SNAKE_CASE`."
    )
    why = (
        "PEP 8's naming conventions let a reader tell a class, a constant and a variable "
        "apart at a glance: `UserProfile(...)` builds an object, `MAX_RETRIES` never "
        "changes, `retries` may. A mixed-case module name fits none of them."
    )
    leaves_alone = (
        "Type aliases (`UserId = int`, `Json = dict[str, Any]`, `X: TypeAlias = ...`, "
        "`type X = ...`: their values are not literals), `__all__` and other dunder names, "
        "names bound more than once in the module (or declared `global` in a function), "
        "stand-ins bound in an `except ImportError:` handler (`LightningRpc = None` when "
        "an optional dependency is missing: a class's name, not a constant), "
        "and module-level names in `lower_snake_case`: PEP 8 gives module-level variables "
        "the function naming style and constants UPPER_SNAKE_CASE, and a name assigned "
        "once cannot say which of the two it is, so both are accepted and only names that "
        "fit neither (mixed case) are flagged. Class attributes and locals are out of "
        "scope (BP102 covers arguments)."
    )
    scope = "module"
    summary_parts = True
    bad = (
        Example(
            "class user_profile:\n"
            '    """A user\'s public profile."""\n'
            "\n"
            '    display_name: str = ""\n',
            line=1,
        ),
        Example("maxRetries = 3\n", line=1),
    )
    good = (
        Example(
            "MAX_RETRIES = 3\n"
            "UserId = int\n"
            "\n"
            "\n"
            "class UserProfile:\n"
            '    """A user\'s public profile."""\n'
            "\n"
            "    user_id: UserId = 0\n"
        ),
    )

    def setup(self) -> None:
        """Start with nothing seen yet."""
        self._depth = 0  # functions, classes and lambdas around the current node
        self._classes: list[tuple[cst.Name, str]] = []
        self._bindings: list[_Binding] = []
        self._globals: list[str] = []

    def end_statement(self) -> _Summary:
        """Return what the top-level statement bound and the classes it misnamed.

        Returns:
            The statement's summary.
        """
        summary = _Summary(tuple(self._classes), tuple(self._bindings), tuple(self._globals))
        self._classes, self._bindings, self._globals = [], [], []
        return summary

    @classmethod
    def combine(cls, parts: Sequence[_Summary | None]) -> _Summary:
        """Every part's classes, bindings and ``global`` names, in order.

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        seen = [part for part in parts if part is not None]
        return _Summary(
            tuple(item for part in seen for item in part.classes),
            tuple(item for part in seen for item in part.bindings),
            tuple(item for part in seen for item in part.globals),
        )

    def finish(self, summaries: Sequence[_Summary | None]) -> None:
        """Report misnamed classes, and mixed-case names bound once to a literal.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        counts: Counter[str] = Counter()
        rebound: set[str] = set()
        for summary in summaries:
            # Most statements bind nothing at module level: skip them cheaply (this runs
            # on every keystroke in the editor).
            if summary is not None and (summary.bindings or summary.globals):
                counts.update(binding.name for binding in summary.bindings)
                rebound.update(summary.globals)
        # A name bound twice, or rebound through `global`, is a variable, not a constant.
        once = {name for name, count in counts.items() if count == 1} - rebound
        for index, summary in enumerate(summaries):
            if summary is not None and (summary.classes or summary.bindings):
                self._report_statement(index, summary, once)

    def _report_statement(self, index: int, summary: _Summary, once: set[str]) -> None:
        positions = self.context.positions
        for name_node, message in summary.classes:
            self.report(positions.range_of(name_node, index), message)
        for binding in summary.bindings:
            if binding.target is not None and binding.name in once:
                message = (
                    f"Module constant `{binding.name}` is in mixed case: "
                    f"use `{upper_snake(binding.name)}`"
                )
                self.report(positions.range_of(binding.target, index), message)

    # Scopes: only statements at depth 0 bind module-level names.

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check the class name; a module-level class binds its name."""
        # Replayed around a statement walked alone, the class was noted by its own walk.
        if not self.context.replaying:
            name = node.name.value
            if not _is_cap_words(name):
                message = f"Class name `{name}` is not CapWords: use `{cap_words(name)}`"
                self._classes.append((node.name, message))
            self._bind(name)
        self._depth += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Leave a class body."""
        self._depth -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """A module-level function binds its name."""
        self._bind(node.name.value)
        self._depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Leave a function."""
        self._depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        """A lambda is a scope of its own."""
        self._depth += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        """Leave a lambda."""
        self._depth -= 1

    def visit_Global(self, node: cst.Global) -> None:
        """A function that declares a name ``global`` may rebind it."""
        self._globals.extend(item.name.value for item in node.names)

    # Bindings.

    def visit_Assign(self, node: cst.Assign) -> None:
        """``NAME = value`` (also chained and unpacking assignments)."""
        if self._depth:
            return
        literal = is_literal(node.value)
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._bind_constant(target.target, literal)
            else:
                self._bind(*_names_in_target(target.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """``NAME: type = value``; ``X: TypeAlias = ...`` is an alias, never a constant."""
        if self._depth or node.value is None or not isinstance(node.target, cst.Name):
            return
        alias = _is_type_alias_annotation(node.annotation)
        self._bind_constant(node.target, not alias and is_literal(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """``NAME += 1`` rebinds the name."""
        if not self._depth:
            self._bind(*_names_in_target(node.target))

    def visit_For(self, node: cst.For) -> None:
        """A module-level loop binds its targets."""
        if not self._depth:
            self._bind(*_names_in_target(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        """``import x as NAME``, ``with f() as NAME``, ``except E as NAME``."""
        if not self._depth:
            self._bind(*_names_in_target(node.name))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        """``import a.b`` binds ``a``; ``from m import NAME`` binds ``NAME``."""
        if not self._depth and node.asname is None:
            name = dotted_name(node.name)
            if name is not None:
                self._bind(name.split(".", 1)[0])

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        """``(NAME := value)`` at module level."""
        if not self._depth:
            self._bind(*_names_in_target(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        """``del NAME`` unbinds it: not a constant."""
        if not self._depth:
            self._bind(*_names_in_target(node.target))

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        """``type NAME = ...`` binds an alias."""
        if not self._depth:
            self._bind(node.name.value)

    def _bind(self, *names: str) -> None:
        if not self._depth:
            self._bindings.extend(_Binding(name, None) for name in names)

    def _in_import_fallback(self) -> bool:
        """Tell whether the statement sits in an ``except ImportError:`` handler."""
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, cst.ExceptHandler) and ancestor.type is not None:
                caught = dotted_name(ancestor.type) or ""
                if caught.rsplit(".", 1)[-1] in {"ImportError", "ModuleNotFoundError"}:
                    return True
        return False

    def _bind_constant(self, target: cst.Name, literal: bool) -> None:
        name = target.value
        candidate = literal and _is_mixed_case(name) and not name.startswith("__")
        if candidate and self._in_import_fallback():
            candidate = False  # `except ImportError: LightningRpc = None`: a class stand-in
        self._bindings.append(_Binding(name, target if candidate else None))

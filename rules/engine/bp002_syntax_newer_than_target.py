"""BP002 syntax-newer-than-target: syntax the project's target Python cannot parse."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Severity
from precepts.rule import Example, Rule
from precepts.syntax_features import FEATURES, feature_of
from precepts.versions import dotted

_TABLE = "; ".join(f"{feature.name}: {dotted(feature.version)}" for feature in FEATURES)


class SyntaxNewerThanTarget(Rule):
    """Flags syntax that needs a newer Python than the project's ``target-version``."""

    code = "BP002"
    name = "syntax-newer-than-target"
    family = "engine"
    section = "Python Best Practices"
    severity = Severity.ERROR
    message = "This syntax needs a newer Python than the project targets"
    summary = (
        "Syntax that the Python the project targets cannot parse: `target-version` in "
        "`[tool.precepts]`, or else the lowest version the project's `requires-python` "
        f"allows. The versions it knows: {_TABLE}."
    )
    why = (
        "The module fails with a `SyntaxError` on every interpreter older than the syntax, "
        "at import time, often only once deployed. precepts judges code by the Python the "
        "project targets, not by the interpreter precepts happens to run on: the rest of "
        "the file is still checked in full (this is not `BP000`)."
    )
    leaves_alone = (
        "Syntax the target accepts; runtime features that are not syntax (`X | None` in an "
        "annotation under `from __future__ import annotations`, new library functions)."
    )
    bad = (
        Example(
            'type UserId = int\n\n\ndef owner(user_id: UserId) -> str:\n    """Name it."""\n'
            "    return str(user_id)\n",
            line=1,
            target_version="py310",
        ),
        Example(
            'def first[T](items: list[T]) -> T:\n    """Return the first item."""\n'
            "    return items[0]\n",
            line=1,
            target_version="py311",
        ),
    )
    good = (
        Example(
            'from typing import TypeVar\n\nT = TypeVar("T")\n\n\n'
            'def first(items: list[T]) -> T:\n    """Return the first item."""\n'
            "    return items[0]\n",
            target_version="py310",
        ),
        Example(
            'def first[T](items: list[T]) -> T:\n    """Return the first item."""\n'
            "    return items[0]\n",
            target_version="py312",
        ),
    )

    def _check(self, node: cst.CSTNode) -> None:
        target = self.context.target_version
        found = feature_of(node)
        if found is None or found[0].version <= target:
            return
        feature, where = found
        self.report(
            where,
            f"{feature.name[0].upper()}{feature.name[1:]} need Python "
            f"{dotted(feature.version)}; this project targets {dotted(target)}",
            data={"feature": feature.name, "pep": feature.pep},
        )

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        """Assignment expressions (3.8)."""
        self._check(node)

    def visit_Parameters(self, node: cst.Parameters) -> None:
        """Positional-only parameters (3.8)."""
        self._check(node)

    def visit_With(self, node: cst.With) -> None:
        """Parenthesized context managers (3.9)."""
        self._check(node)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        """Relaxed decorator expressions (3.9)."""
        self._check(node)

    def visit_Match(self, node: cst.Match) -> None:
        """``match`` statements (3.10)."""
        self._check(node)

    def visit_TryStar(self, node: cst.TryStar) -> None:
        """``except*`` (3.11)."""
        self._check(node)

    def visit_Index(self, node: cst.Index) -> None:
        """Star-unpacking in subscripts (3.11)."""
        self._check(node)

    def visit_Annotation(self, node: cst.Annotation) -> None:
        """Star-unpacking in annotations (3.11)."""
        self._check(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Type parameter lists of functions (3.12)."""
        self._check(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Type parameter lists of classes (3.12)."""
        self._check(node)

    def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
        """``type`` statements (3.12)."""
        self._check(node)

    def visit_TypeParam(self, node: cst.TypeParam) -> None:
        """Type parameter defaults (3.13)."""
        self._check(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """PEP 701 f-strings (3.12)."""
        self._check(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        """``except A, B:`` without parentheses (3.14)."""
        self._check(node)

    def visit_TemplatedString(self, node: cst.TemplatedString) -> None:
        """Template strings (3.14)."""
        self._check(node)

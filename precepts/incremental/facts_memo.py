"""The module facts of an open document, computed again only when they may have changed."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import fields
from typing import Any

import libcst as cst

from precepts.facts import ModelInfo, ModuleFacts, StatementFacts, compute_facts


class FactsMemo:
    """Remembers the facts of the last module, and what they were computed from."""

    def __init__(self) -> None:
        """Start with nothing remembered."""
        self._memo: tuple[tuple[Any, ...], ModuleFacts, tuple[Any, ...]] | None = None
        self._scans: dict[cst.BaseStatement, StatementFacts] = {}
        self._signatures: dict[cst.BaseStatement, Hashable] = {}

    def facts_of(self, module: cst.Module) -> ModuleFacts:
        """Return the facts of a module (the same object when they did not change).

        Args:
            module: The module the rules see.

        Returns:
            Its facts.
        """
        # Facts come from top-level statements, of which a function contributes only its
        # name and a class its header, class-level statements and method names: when
        # only function or method bodies changed, the facts are the same (a model's
        # ``node`` is pointed at the new class, for rules that look at it).
        body = tuple(module.body)
        signatures = self._signatures
        signature = tuple(
            signatures[node] if node in signatures else _facts_signature(node) for node in body
        )
        self._signatures = dict(zip(body, signature, strict=True))
        memo = self._memo
        if memo is not None and memo[0] == signature:
            if memo[2] != body:
                _rebind_models(memo[1], memo[2], body)
                self._memo = (signature, memo[1], body)
            return memo[1]
        try:
            # Statements scanned for an earlier check are not scanned again.
            facts = compute_facts(module, self._scans)
        except Exception:  # a broken fact must not stop the rules that do not need it
            facts = ModuleFacts()
        self._scans = {node: self._scans[node] for node in body if node in self._scans}
        if memo is not None and _same_facts(facts, memo[1]):
            # Typing inside one statement often gives the same facts again (a function
            # missing while its body does not parse): keep the object, so the tracker
            # does not fingerprint them again.
            facts = memo[1]
        self._memo = (signature, facts, body)  # the body keeps the ids valid
        return facts


def _facts_signature(node: cst.BaseStatement) -> Hashable:
    """What of a top-level statement the module facts can depend on (by identity)."""
    if isinstance(node, cst.FunctionDef):
        return ("def", node.name.value)
    if isinstance(node, cst.ClassDef) and isinstance(node.body, cst.IndentedBlock):
        members = node.body.body
        return (
            "class",
            node.name.value,
            tuple(id(arg) for arg in node.bases),
            tuple(id(arg) for arg in node.keywords),
            tuple(id(s) for s in members if isinstance(s, cst.SimpleStatementLine)),
            tuple(
                s.name.value if isinstance(s, cst.FunctionDef) else id(s)
                for s in members
                if not isinstance(s, cst.SimpleStatementLine)
            ),
        )
    return id(node)


def _rebind_models(
    facts: ModuleFacts,
    old: tuple[cst.BaseStatement, ...],
    new: tuple[cst.BaseStatement, ...],
) -> None:
    """Point each model's ``node`` at the statement that replaced its class.

    The signatures matched, so ``old`` and ``new`` hold the same statements in the same
    order (some of them rebuilt).
    """
    replaced = {id(before): after for before, after in zip(old, new, strict=True)}
    for info in facts.models.values():
        current = replaced.get(id(info.node))
        if isinstance(current, cst.ClassDef):
            info.node = current


def _same_facts(new: ModuleFacts, old: ModuleFacts) -> bool:
    """Tell whether two facts hold the same values, nodes compared by identity."""
    for item in fields(new):
        a, b = getattr(new, item.name), getattr(old, item.name)
        if isinstance(a, dict):
            if a.keys() != b.keys() or any(not _same_value(a[k], b[k]) for k in a):
                return False
        elif a != b:
            return False
    return True


def _same_value(a: object, b: object) -> bool:
    if isinstance(a, ModelInfo) and isinstance(b, ModelInfo):
        return a.name == b.name and a.typed == b.typed and a.node is b.node
    return a is b or (isinstance(a, str) and a == b)

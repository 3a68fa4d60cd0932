"""What the FastAPI helpers remember for one check (:class:`_Cache`, on the rule context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.rules.fastapi._routes.routes import Route


@dataclass
class _Cache:
    routes: dict[int, tuple[Route, ...]] = field(default_factory=dict)
    kinds: dict[tuple[int, str], str | None] = field(default_factory=dict)
    factories: dict[str, str | None] | None = None
    api_routes: dict[str, list[tuple[cst.Call, str]]] | None = None


def _cache(context: RuleContext) -> _Cache:
    return context.memo(_Cache, _Cache)

"""The complexity hover when radon could not measure a function."""

from __future__ import annotations

from precepts.rules.python.bp101_cognitive_complexity import FunctionMetrics
from precepts.server.hover import metrics_hover
from precepts.server.metrics import MeasuredFunction


def _hover(cyclomatic: int | None, maintainability: float | None, rank: str | None) -> str:
    metrics = FunctionMetrics("describe", 3, (), cyclomatic, maintainability, rank)
    return metrics_hover(MeasuredFunction(metrics, ()), limit=15)


def test_radon_figures_are_shown_when_measured() -> None:
    text = _hover(3, 71.5, "A")
    assert "Cognitive complexity: **3** (limit 15)" in text
    assert "Cyclomatic complexity (radon): **3**" in text
    assert "Maintainability index (radon): **71.5** (rank A)" in text


def test_unmeasured_radon_figures_say_why() -> None:
    text = _hover(None, None, None)
    assert "Cognitive complexity: **3** (limit 15)" in text
    assert "None" not in text
    assert "not measured" in text and "newer than the Python running precepts" in text

"""A rule's documentation as Markdown, in one place for every front end.

The CLI (``precepts rule``, ``precepts docs``) and the language server's hover render
the same text from the rule class: what it flags, why it matters, the ❌ and ✅
examples, what it leaves alone, the fix and the options. Plain Markdown only (no HTML),
so it reads well in VS Code, in Neovim's floating window and on a web page.
"""

from __future__ import annotations

import json
from typing import Any

from precepts import DOCS_URL
from precepts.filekinds import config_kind
from precepts.rule import Example, Rule


def fix_label(rule: type[Rule]) -> str:
    """Describe whether a rule has a fix and how safe it is.

    Args:
        rule: The rule class.

    Returns:
        ``none``, ``safe`` or ``unsafe``.
    """
    return rule.fix_applicability.value if rule.has_fix() else "none"


def _fence(code: str, path: str = "") -> str:
    kind = config_kind(path)
    language = "python" if kind is None else kind.value
    return f"```{language}\n{code.rstrip()}\n```"


def render_examples(rule: type[Rule]) -> str:
    """Render the first ❌ and ✅ examples as fenced Python blocks.

    Args:
        rule: The rule class.

    Returns:
        Markdown.
    """
    return "\n\n".join(
        [
            "❌ **Bad**" + _target_note(rule.bad[0]),
            _fence(rule.bad[0].code, rule.bad[0].path),
            "✅ **Good**" + _target_note(rule.good[0]),
            _fence(rule.good[0].code, rule.good[0].path),
        ]
    )


def _target_note(example: Example) -> str:
    if example.target_version is None:
        return ""
    return f' (with `target-version = "{example.target_version}"`)'


def render_options(rule: type[Rule]) -> str:
    """Render a rule's options as a Markdown table (empty when it has none).

    Args:
        rule: The rule class.

    Returns:
        Markdown.
    """
    if not rule.options:
        return ""
    rows = ["| option | default | description |", "|---|---|---|"]
    for name, option in rule.options.items():
        rows.append(f"| `{name}` | `{json.dumps(option.default)}` | {option.description} |")
    return "\n".join(rows)


def render_rule_markdown(rule: type[Rule], level: int = 1, with_link: bool = True) -> str:
    """Render a rule's full documentation page.

    Args:
        rule: The rule class.
        level: The Markdown heading level of the title.
        with_link: Whether to end with a link to the docs page.

    Returns:
        Markdown.
    """
    h = "#" * level
    sub = "#" * (level + 1)
    parts = [
        f"{h} {rule.code} {rule.name}",
        f"*{rule.message}*",
        (
            f"Family: **{rule.family}** · default severity: **{rule.severity.value}** · "
            f"fix: **{fix_label(rule)}** · standard: **{rule.section}**"
        ),
        f"{sub} What it flags",
        rule.summary,
        f"{sub} Why it matters",
        rule.why,
        f"{sub} Example",
        render_examples(rule),
    ]
    if rule.leaves_alone:
        parts += [f"{sub} Leaves alone", rule.leaves_alone]
    parts += [
        f"{sub} Fix",
        rule.fix_description or "No automatic fix: the ✅ example shows the way.",
    ]
    options = render_options(rule)
    if options:
        parts += [f"{sub} Options", options]
    if with_link:
        parts.append(f"[Rule page]({DOCS_URL.format(code=rule.code, name=rule.name)})")
    return "\n\n".join(parts) + "\n"


def rule_as_dict(rule: type[Rule]) -> dict[str, Any]:
    """Describe a rule as plain data (for ``--output-format json``).

    Args:
        rule: The rule class.

    Returns:
        A JSON-ready dict.
    """
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "section": rule.section,
        "severity": rule.severity.value,
        "message": rule.message,
        "summary": rule.summary,
        "why": rule.why,
        "leaves_alone": rule.leaves_alone,
        "fix": fix_label(rule),
        "fix_description": rule.fix_description,
        "options": {
            name: {"default": option.default, "description": option.description}
            for name, option in rule.options.items()
        },
        "bad": [example.code for example in rule.bad],
        "good": [example.code for example in rule.good],
        "url": DOCS_URL.format(code=rule.code, name=rule.name),
    }

"""BP107 missing-docstring: a public module, class, function or method with no docstring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

import libcst as cst

from precepts.findings import Applicability, Position, Range, TextEdit
from precepts.rule import Example, Option
from precepts.rules.fastapi import _routes

from ._google_docstrings import (
    BodyFacts,
    FunctionBodyRule,
    decorator_names,
    docstring_expression,
    expected_documentation,
    explicit_params,
    is_method,
    parse_docstring,
    sentence,
    skeleton,
    summary_for_function,
    words_of,
)

# Comments that must stay on the first lines of a file: a shebang and a PEP 263 cookie.
_PINNED_COMMENT = re.compile(r"^(#!|#.*coding[:=])")
# Nested classes that configure a framework rather than model anything.
_CONFIG_CLASSES = frozenset({"Config", "Meta"})
# Decorators after which a docstring is not wanted: the overridden method, the
# ``@overload`` signatures or the property's getter carry the documentation.
_DOCUMENTED_ELSEWHERE = frozenset({"override", "overload", "setter", "deleter"})


@dataclass(frozen=True)
class _ClassInfo:
    """What methods need to know about their class."""

    name: str
    public: bool
    documents_init: bool


class MissingDocstring(FunctionBodyRule):
    """Flags public modules, classes, functions and methods without a docstring."""

    code = "BP107"
    name = "missing-docstring"
    family = "python"
    section = "Docstrings (Google Style)"
    message = "Missing docstring"
    summary = "A public module, class, function or method (including `__init__`) with no docstring."
    why = (
        "The docstring is the contract a caller reads in the editor's hover and in the "
        "generated API docs: what the function does, its arguments, what it returns and "
        "raises. Without it every caller has to read the body."
    )
    leaves_alone = (
        "Private names (`_helper`) and everything inside private classes; magic methods "
        "other than `__init__`; `__init__` when it takes no arguments or when the class "
        "docstring has an `Args:` or `Attributes:` section; methods decorated `@override` "
        "or `@overload`; property setters and deleters (the getter documents the property); "
        "nested functions and classes defined in functions; nested `Config`/`Meta` classes "
        "(framework configuration); FastAPI route handlers, which BP307 reports with the "
        "route's own wording; test files; private modules (`_x.py`) and empty "
        "modules. The module check can be switched off with `module-docstring = false`. "
        "Public means a name without a leading underscore: a function missing from `__all__`, "
        "or a module inside a `_private` package, is still public to this rule (ruff's D1xx "
        "rules call those private)."
    )
    fix_description = (
        "Inserts a Google-style skeleton built from the signature: a summary derived from "
        "the name, `Args:` for each parameter, `Returns:`/`Yields:` when the function "
        "produces a value, `Raises:` for exceptions raised in its body. Unsafe: the text is "
        "a placeholder to rewrite, and docstrings are read at runtime (FastAPI publishes a "
        "route's docstring as its OpenAPI description)."
    )
    fix_applicability = Applicability.UNSAFE
    options = {
        "module-docstring": Option(True, "Require a docstring at the top of public modules."),
    }
    bad = (
        Example(
            "def process_user_data(user_id: int, include_history: bool = False) -> dict:\n"
            "    if user_id < 0:\n"
            '        raise ValueError("user ids are positive")\n'
            '    return {"id": user_id, "history": include_history}\n',
            line=1,
            fixed="def process_user_data(user_id: int, include_history: bool = False) -> dict:\n"
            '    """Process user data.\n'
            "\n"
            "    Args:\n"
            "        user_id: The user id.\n"
            "        include_history: The include history.\n"
            "\n"
            "    Returns:\n"
            "        The result.\n"
            "\n"
            "    Raises:\n"
            "        ValueError: User ids are positive.\n"
            '    """\n'
            "    if user_id < 0:\n"
            '        raise ValueError("user ids are positive")\n'
            '    return {"id": user_id, "history": include_history}\n',
        ),
        Example(
            "class UserService:\n"
            "    def __init__(self, timeout: float) -> None:\n"
            "        self.timeout = timeout\n",
            line=1,
            fixed="class UserService:\n"
            '    """User service."""\n'
            "\n"
            "    def __init__(self, timeout: float) -> None:\n"
            '        """Initialize the user service.\n'
            "\n"
            "        Args:\n"
            "            timeout: The timeout.\n"
            '        """\n'
            "        self.timeout = timeout\n",
        ),
        Example(
            "MAX_RETRIES = 3\n",
            line=1,
            fixed='"""Retry policy."""\n\nMAX_RETRIES = 3\n',
            path="app/retry_policy.py",
            options={"module-docstring": True},
        ),
    )
    good = (
        Example(
            "def process_user_data(user_id: int, include_history: bool = False) -> dict:\n"
            '    """Process user data with optional history inclusion."""\n'
            '    return {"id": user_id, "history": include_history}\n'
        ),
        Example(
            "class UserService:\n"
            '    """Looks users up.\n'
            "\n"
            "    Args:\n"
            "        timeout: Seconds to wait for the directory.\n"
            '    """\n'
            "\n"
            "    def __init__(self, timeout: float) -> None:\n"
            "        self.timeout = timeout\n"
            "\n"
            "    def __repr__(self) -> str:\n"
            '        return f"UserService({self.timeout})"\n'
            "\n"
            "    def _cache_key(self, user_id: int) -> str:\n"
            '        return f"user:{user_id}"\n'
        ),
        Example(
            '"""Retry policy of outgoing calls."""\n\nMAX_RETRIES = 3\n',
            path="app/retry_policy.py",
            options={"module-docstring": True},
        ),
    )

    def setup(self) -> None:
        """Start with no enclosing class."""
        super().setup()
        self._classes: list[_ClassInfo] = []

    def visit_Module(self, node: cst.Module) -> None:
        """Check the module docstring."""
        if not self.option("module-docstring") or self.context.is_test or not node.body:
            return
        stem = PurePath(self.context.path).stem
        if stem.startswith("_") and stem != "__init__":
            return  # a private module
        if docstring_expression(node.body) is not None:
            return
        first = self.context.lines.line_text(0)
        self.report(
            Range.of(0, 0, 0, len(first)),
            "Missing docstring in public module",
            fix=self.fix("Insert a module docstring", self._module_edit(node)),
        )

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check a class docstring and remember what its methods need to know."""
        super().visit_ClassDef(node)
        outer = self._classes[-1] if self._classes else None
        name = node.name.value
        public = not name.startswith("_") and (outer is None or outer.public)
        docstring = parse_docstring(docstring_expression(node.body))
        documents_init = docstring is not None and any(
            section.kind == "args" or section.title == "Attributes"
            for section in docstring.sections
        )
        self._classes.append(_ClassInfo(name, public, documents_init))
        if not public or self.context.is_test or _in_function(self.context.ancestors):
            return
        if outer is not None and name in _CONFIG_CLASSES:
            return
        if docstring_expression(node.body) is None:
            text = skeleton(sentence(words_of(name)), None)
            self.report(
                node.name,
                f"Missing docstring in public class `{name}`",
                fix=self.fix("Insert a docstring", self._body_edit(node, text)),
            )

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Forget the class."""
        super().leave_ClassDef(node)
        self._classes.pop()

    def check_function(self, node: cst.FunctionDef, facts: BodyFacts) -> None:
        """Check a function or method once its body has been walked."""
        if docstring_expression(node.body) is not None or self.context.is_test:
            return
        ancestors = self.context.ancestors
        if _in_function(ancestors):
            return
        method = is_method(node, ancestors)
        owner = self._classes[-1] if method and self._classes else None
        if not self._wants_docstring(node, method, owner):
            return
        if _routes.route_of(self.context, node) is not None:
            return  # BP307 owns route handlers: one spot, one finding
        name = node.name.value
        kind = "method" if method else "function"
        summary = summary_for_function(name, owner.name if owner else None)
        text = skeleton(summary, expected_documentation(node, facts, method))
        self.report(
            node.name,
            f"Missing docstring in public {kind} `{name}`",
            fix=self.fix("Insert a docstring skeleton", self._body_edit(node, text)),
        )

    def _wants_docstring(
        self, node: cst.FunctionDef, method: bool, owner: _ClassInfo | None
    ) -> bool:
        name = node.name.value
        if owner is not None and not owner.public:
            return False
        decorators = {d.rsplit(".", 1)[-1] for d in decorator_names(node)}
        if decorators & _DOCUMENTED_ELSEWHERE:
            return False
        if name == "__init__" and method:
            documented = owner is not None and owner.documents_init
            return not documented and bool(explicit_params(node, method))
        return not name.startswith("_")

    def _module_edit(self, module: cst.Module) -> TextEdit:
        lines = self.context.lines
        line = 0
        while line < 2 and _PINNED_COMMENT.match(lines.line_text(line)):
            line += 1
        stem = PurePath(self.context.path).stem
        if stem == "__init__":
            words = [*words_of(PurePath(self.context.path).parent.name), "package"]
        else:
            words = words_of(stem)
        newline = module.default_newline
        text = skeleton(sentence(words), None)[0] + newline
        if lines.line_text(line).strip():
            text += newline  # a blank line between the docstring and the code
        return TextEdit(Range.of(line, 0, line, 0), text)

    def _body_edit(self, node: cst.FunctionDef | cst.ClassDef, text: list[str]) -> TextEdit:
        newline = self.context.module.default_newline
        body = node.body
        if isinstance(body, cst.SimpleStatementSuite):
            # ``def f(): pass`` becomes an indented block with the docstring first.
            start = self.context.range_of(body.body[0]).start
            header = self.context.lines.line_text(self.context.range_of(node.name).start.line)
            indent = header[: len(header) - len(header.lstrip())]
            indent += self.context.module.default_indent
            colon = Position(start.line, start.column - len(body.leading_whitespace.value))
            block = _indented(text, indent, newline)
            gap = newline if isinstance(node, cst.ClassDef) else ""
            return TextEdit(Range(colon, start), newline + block + gap + indent)
        first = body.body[0]
        start = self.context.block_start(body)
        indent = self.context.lines.line_text(start.line)[: start.column]
        leading = getattr(first, "leading_lines", ())
        block = _indented(text, indent, newline)
        if isinstance(node, cst.ClassDef) and (not leading or leading[0].comment is not None):
            block += newline  # formatters keep a blank line after a class docstring
        top = start.line - len(leading)
        return TextEdit(Range.of(top, 0, top, 0), block)


def _indented(lines: list[str], indent: str, newline: str) -> str:
    return "".join(f"{indent}{line}{newline}" if line else newline for line in lines)


def _in_function(ancestors: list[cst.CSTNode]) -> bool:
    return any(isinstance(ancestor, cst.FunctionDef) for ancestor in ancestors)

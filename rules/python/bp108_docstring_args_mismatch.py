"""BP108 docstring-args-mismatch: a Google docstring that disagrees with its signature."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Range
from precepts.rule import Example, Replace
from precepts.text import split_lines

from ._google_docstrings import (
    BodyFacts,
    Docstring,
    FunctionBodyRule,
    Missing,
    all_params,
    decorator_names,
    docstring_expression,
    documented_raises,
    expected_documentation,
    explicit_params,
    is_documented,
    is_method,
    param_label,
    parse_docstring,
    with_missing,
)


class DocstringArgsMismatch(FunctionBodyRule):
    """Flags Google docstrings whose sections do not match the function."""

    code = "BP108"
    name = "docstring-args-mismatch"
    family = "python"
    section = "Docstrings (Google Style)"
    message = "The docstring does not match the function"
    summary = (
        "A Google-style docstring with sections whose `Args:` misses a parameter or names "
        "one that does not exist, with no `Returns:` although the function returns a value "
        "(`Yields:` for a generator), or whose `Raises:` misses an exception the body raises "
        "directly. A class docstring with an `Args:` section is checked against `__init__`."
    )
    why = (
        "A docstring that lists the wrong arguments is worse than none: readers and "
        "generated API docs trust it. Checking the sections against the signature and the "
        "body keeps the documentation true as the code changes."
    )
    leaves_alone = (
        "Docstrings with no Args/Returns/Yields/Raises section at all (a one-line or "
        "summary-only docstring is accepted, as in the standard's own examples); "
        "`self`/`cls`; `*args`/`**kwargs` documented as `*args` or `args`; entries under "
        "`Keyword Args:`; extra `Args:` names when the function takes `**kwargs`; "
        "`return` and `raise` inside nested functions; re-raises (`raise`, `raise error`) "
        "and exceptions caught in the same function; `raise NotImplementedError` in a "
        "stub; the output of `__init__`, properties and functions annotated `-> None`; "
        "documented exceptions that are not raised (they may come from callees); "
        "`@overload` signatures. A docstring that has a `Returns:` or `Raises:` section but "
        "no `Args:` is not left alone: its parameters are missing (ruff's D417 only checks "
        "an `Args:` section that exists)."
    )
    fix_description = (
        "Adds the missing entries, text only: parameters at the end of `Args:`, a "
        "`Returns:`/`Yields:` section, `Raises:` entries, in the docstring's own "
        "indentation and quotes. Entries for names that do not exist are reported, "
        "never removed."
    )
    bad = (
        Example(
            "def find_user(users: dict[int, str], user_id: int) -> str:\n"
            '    """Find a user\'s name.\n'
            "\n"
            "    Args:\n"
            "        users: Names by id.\n"
            "\n"
            "    Returns:\n"
            "        The user's name.\n"
            '    """\n'
            "    if user_id not in users:\n"
            '        raise KeyError("unknown user")\n'
            "    return users[user_id]\n",
            line=2,
            fixed="def find_user(users: dict[int, str], user_id: int) -> str:\n"
            '    """Find a user\'s name.\n'
            "\n"
            "    Args:\n"
            "        users: Names by id.\n"
            "        user_id: The user id.\n"
            "\n"
            "    Returns:\n"
            "        The user's name.\n"
            "\n"
            "    Raises:\n"
            "        KeyError: Unknown user.\n"
            '    """\n'
            "    if user_id not in users:\n"
            '        raise KeyError("unknown user")\n'
            "    return users[user_id]\n",
        ),
        Example(
            "def total_price(prices: list[float]) -> float:\n"
            '    """Add up prices.\n'
            "\n"
            "    Args:\n"
            "        items: The prices to add.\n"
            '    """\n'
            "    return sum(prices)\n",
            line=5,
            fixed="def total_price(prices: list[float]) -> float:\n"
            '    """Add up prices.\n'
            "\n"
            "    Args:\n"
            "        items: The prices to add.\n"
            "        prices: The prices.\n"
            "\n"
            "    Returns:\n"
            "        The result.\n"
            '    """\n'
            "    return sum(prices)\n",
        ),
    )
    good = (
        Example(
            "def find_user(users: dict[int, str], user_id: int) -> str:\n"
            '    """Find a user\'s name.\n'
            "\n"
            "    Args:\n"
            "        users: Names by id.\n"
            "        user_id: The user to look up.\n"
            "\n"
            "    Returns:\n"
            "        The user's name.\n"
            "\n"
            "    Raises:\n"
            "        KeyError: When the user is unknown.\n"
            '    """\n'
            "    if user_id not in users:\n"
            '        raise KeyError("unknown user")\n'
            "    return users[user_id]\n"
        ),
        Example(
            "def total_price(prices: list[float]) -> float:\n"
            '    """Add up prices."""\n'
            "    return sum(prices)\n"
        ),
        Example(
            "class Account:\n"
            '    """A bank account.\n'
            "\n"
            "    Args:\n"
            "        owner: Who holds the account.\n"
            '    """\n'
            "\n"
            "    def __init__(self, owner: str) -> None:\n"
            "        self.owner = owner\n"
        ),
    )

    def setup(self) -> None:
        """Start with no enclosing class."""
        super().setup()
        # Per enclosing class: whether its docstring has an Args section, which then
        # documents ``__init__`` (checked from the class, not again from ``__init__``).
        self._class_args: list[bool] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Check a class docstring's Args against ``__init__`` and remember them."""
        super().visit_ClassDef(node)
        expression = docstring_expression(node.body)
        self._keep_path(node, expression)
        docstring = parse_docstring(expression)
        has_args = docstring is not None and docstring.has("args")
        init = _init_of(node)
        if docstring is not None and has_args and init is not None and expression is not None:
            self._check_init(node.name.value, init, docstring, expression)
        self._class_args.append(has_args)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Forget the class's documented arguments."""
        super().leave_ClassDef(node)
        self._class_args.pop()

    def check_function(self, node: cst.FunctionDef, facts: BodyFacts) -> None:
        """Compare a function's structured docstring with its signature and body."""
        expression = docstring_expression(node.body)
        self._keep_path(node, expression)
        docstring = parse_docstring(expression)
        if docstring is None or expression is None or not docstring.structured:
            return
        if any(name.rsplit(".", 1)[-1] == "overload" for name in decorator_names(node)):
            return
        method = is_method(node, self.context.ancestors)
        documented = _documented_params(docstring)
        expected = expected_documentation(node, facts, method)
        if _documented_by_class(node, docstring, method, self._class_args):
            documented.update(p.lstrip("*") for p in expected.params)
        missing = Missing(
            params=[p for p in expected.params if p.lstrip("*") not in documented],
            returns=(expected.returns or expected.yields)
            and not docstring.has("returns", "yields"),
            yields=expected.yields,
            raises=[
                r for r in expected.raises if not is_documented(r, documented_raises(docstring))
            ],
            returns_text=expected.returns_text,
        )
        owner = node.name.value
        self._report_missing(owner, expression, docstring, missing)
        self._report_unknown(owner, node, expression, docstring)

    def _keep_path(
        self, node: cst.FunctionDef | cst.ClassDef, expression: cst.BaseExpression | None
    ) -> None:
        """Keep the docstring's path: placing it then renders its own line, not the body."""
        path = self.context.walker_path()
        body = node.body
        if expression is None or not path or path[-1] is not node:
            return
        if isinstance(body, cst.IndentedBlock):
            line = body.body[0]
            self.context.paths[id(expression)] = (*path, body, line, line.body[0])  # type: ignore[attr-defined]

    def _check_init(
        self,
        owner: str,
        init: cst.FunctionDef,
        docstring: Docstring,
        expression: cst.BaseExpression,
    ) -> None:
        documented = _documented_params(docstring)
        params = [param_label(p) for p in explicit_params(init, method=True)]
        missing = Missing(params=[p for p in params if p.lstrip("*") not in documented])
        self._report_missing(owner, expression, docstring, missing)
        self._report_unknown(owner, init, expression, docstring)

    def _report_missing(
        self,
        owner: str,
        expression: cst.BaseExpression,
        docstring: Docstring,
        missing: Missing,
    ) -> None:
        if not missing or not isinstance(expression, cst.SimpleString):
            return
        quote = expression.quote
        new_value = f"{expression.prefix}{quote}{with_missing(docstring, missing)}{quote}"
        self.report(
            self._first_line(expression),
            f"The docstring of `{owner}` does not document {missing.describe()}",
            fix=self.fix("Add the missing docstring entries", Replace(expression, new_value)),
        )

    def _report_unknown(
        self,
        owner: str,
        function: cst.FunctionDef,
        expression: cst.BaseExpression,
        docstring: Docstring,
    ) -> None:
        if function.params.star_kwarg is not None:
            return  # extra names may document the keyword arguments it accepts
        existing = {p.name.value for p in all_params(function.params)}
        for name, line in docstring.names("args"):
            if name.lstrip("*") not in existing:
                self.report(
                    self._docstring_line(expression, docstring, line),
                    f"The docstring of `{owner}` documents `{name}`, which is not a parameter",
                )

    def _first_line(self, expression: cst.BaseExpression) -> Range:
        start = self.context.range_of(expression).start
        first = split_lines(expression.value)[0] if isinstance(expression, cst.SimpleString) else ""
        return Range.of(start.line, start.column, start.line, start.column + len(first))

    def _docstring_line(
        self, expression: cst.BaseExpression, docstring: Docstring, index: int
    ) -> Range:
        start = self.context.range_of(expression).start
        text = docstring.lines[index]
        indent = len(text) - len(text.lstrip())
        return Range.of(start.line + index, indent, start.line + index, len(text.rstrip()))


def _documented_by_class(
    node: cst.FunctionDef, docstring: Docstring, method: bool, class_args: list[bool]
) -> bool:
    # ``__init__`` whose class docstring has the Args: its own docstring need not repeat
    # them (unless it has an Args section of its own, which is then held to the rule).
    return (
        method
        and node.name.value == "__init__"
        and bool(class_args)
        and class_args[-1]
        and not docstring.has("args")
    )


def _documented_params(docstring: Docstring) -> set[str]:
    return {name.lstrip("*") for name, _ in docstring.names("args", "keyword")}


def _init_of(node: cst.ClassDef) -> cst.FunctionDef | None:
    if not isinstance(node.body, cst.IndentedBlock):
        return None
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            return statement
    return None

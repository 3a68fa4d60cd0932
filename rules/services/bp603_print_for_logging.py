"""BP603 print-for-logging: ``print(...)`` where the module logger belongs."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability
from precepts.rule import Example, FixSpec, Replace, Rule

# Functions that are entry points of a command-line program.
_ENTRY_NAMES = frozenset({"main", "cli"})
# Decorators of command-line frameworks (``@click.command()``, ``@app.command()``).
_CLI_DECORATORS = frozenset({"command", "group"})
_CLI_PACKAGES = ("click.", "typer.")
_STREAMS = frozenset({"sys.stdout", "sys.stderr"})


class PrintForLogging(Rule):
    """Flags ``print()`` in application code."""

    code = "BP603"
    name = "print-for-logging"
    family = "services"
    section = "Logging & Monitoring"
    message = "Use the module logger instead of `print()` in application code"
    summary = (
        "`print(...)` in application code, including `print(..., file=sys.stderr)`: output "
        "that should be a log record."
    )
    why = (
        "`print` output has no level, no timestamp, no logger name and no request context, "
        "cannot be filtered or shipped as structured JSON, and is lost or interleaved when the "
        "service runs under a process manager. A module logger "
        "(`logger = logging.getLogger(__name__)`) gives every message a level and lets the "
        "deployment decide where it goes."
    )
    leaves_alone = (
        "Command-line entry points, where printing is the program's output: code under "
        '`if __name__ == "__main__":`, functions named `main` or `cli`, functions decorated '
        "with click or typer commands (`@click.command()`, `@app.command()`), and "
        "`__main__.py` modules (console scripts cannot be read from here, so name or decorate "
        "their functions). Console-output helpers whose name says so (`safe_print`, `echo`), "
        "like the standard's `safe_print`. `print(..., file=handle)` writing to a real file or "
        "stream other than `sys.stdout`/`sys.stderr`. Tests."
    )
    fix_description = (
        "When the module has a logger: `print(x)` → `logger.info(x)`; with several arguments "
        '`print("created", user_id)` → `logger.info("created %s", user_id)` (string literals '
        "are folded into the format). Unsafe: the text moves from stdout to the log "
        "handlers. No fix for `print()` with keywords (`sep=`, `end=`, `file=`)."
    )
    fix_applicability = Applicability.UNSAFE
    bad = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def create_user(name: str) -> None:\n"
            '    """Record a new user."""\n'
            '    print("created user", name)\n',
            line=8,
            fixed="import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def create_user(name: str) -> None:\n"
            '    """Record a new user."""\n'
            '    logger.info("created user %s", name)\n',
        ),
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def report_progress(done: int, total: int) -> None:\n"
            '    """Show how far the import is."""\n'
            "    print(done * 100 // total)\n",
            line=8,
            fixed="import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def report_progress(done: int, total: int) -> None:\n"
            '    """Show how far the import is."""\n'
            "    logger.info(done * 100 // total)\n",
        ),
    )
    good = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def create_user(name: str) -> None:\n"
            '    """Record a new user."""\n'
            '    logger.info("created user %s", name)\n'
            "\n"
            "\n"
            "def main() -> None:\n"
            '    """Command-line entry point: the summary is the program\'s output."""\n'
            '    create_user("admin")\n'
            '    print("1 user created")\n'
            "\n"
            "\n"
            'if __name__ == "__main__":\n'
            "    main()\n"
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a call of the built-in ``print``."""
        func = node.func
        if not isinstance(func, cst.Name) or func.value != "print":
            return
        context = self.context
        if "print" in context.facts.imports or context.is_test:
            return
        if context.path.replace("\\", "/").endswith("__main__.py"):
            return
        if not self._writes_to_console(node) or self._in_entry_point():
            return
        self.report(node, fix=self._fix(node))

    def _writes_to_console(self, node: cst.Call) -> bool:
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "file":
                return self.context.facts.qualify(arg.value) in _STREAMS
        return True

    def _in_entry_point(self) -> bool:
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, cst.If) and _is_main_guard(ancestor.test):
                return True
            if isinstance(ancestor, cst.FunctionDef) and self._is_entry_function(ancestor):
                return True
        return False

    def _is_entry_function(self, node: cst.FunctionDef) -> bool:
        name = node.name.value
        if name in _ENTRY_NAMES or "print" in name or name == "echo":
            return True
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            qualified = self.context.facts.qualify(target) or ""
            if qualified.startswith(_CLI_PACKAGES):
                return True
            if qualified.rsplit(".", 1)[-1] in _CLI_DECORATORS:
                return True
        return False

    def _fix(self, node: cst.Call) -> FixSpec | None:
        loggers = self.context.facts.loggers
        if not loggers or not node.args:
            return None
        if any(arg.keyword is not None or arg.star for arg in node.args):
            return None
        logger = "logger" if "logger" in loggers else sorted(loggers)[0]
        if len(node.args) == 1:
            change = Replace(node.func, f"{logger}.info")
        else:
            change = Replace(node, f"{logger}.info({self._format_args(node.args)})")
        return self.fix(f"Replace `print()` with `{logger}.info()`", change)

    def _format_args(self, args: Sequence[cst.Arg]) -> str:
        # print() joins its arguments with spaces; string literals go into the format,
        # everything else becomes a lazy ``%s`` argument.
        literals = [_literal_text(arg.value) for arg in args]
        pairs = zip(args, literals, strict=True)
        lazy = [self.context.code_for(arg.value) for arg, text in pairs if text is None]
        if lazy:
            literals = ["%s" if t is None else t.replace("%", "%%") for t in literals]
        return ", ".join([_quote(" ".join(t or "" for t in literals)), *lazy])


def _literal_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _quote(text: str) -> str:
    """Write ``text`` as a double-quoted literal where possible."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _is_main_guard(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = {_name_or_text(test.left), _name_or_text(target.comparator)}
    return sides == {"__name__", "__main__"}


def _name_or_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return dotted_name(node)

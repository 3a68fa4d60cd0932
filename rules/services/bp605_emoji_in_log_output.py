"""BP605 emoji-in-log-output: emoji written to the console or the logs."""

from __future__ import annotations

import libcst as cst

from precepts.findings import Position, Range
from precepts.rule import Example, Rule
from precepts.rules.services._emoji import emoji_spans
from precepts.rules.services._logging import is_log_call

# Where the search for the output call stops: a string inside these is not written by it.
_BOUNDARIES = (cst.Lambda, cst.FunctionDef, cst.ClassDef)


class EmojiInLogOutput(Rule):
    """Flags emoji in strings passed to ``print`` or a logger."""

    code = "BP605"
    name = "emoji-in-log-output"
    family = "services"
    section = "Console Output & Logging"
    message = "Emoji in console or log output: write it as text (a Windows console cannot print it)"
    summary = (
        "An emoji in a string written by `print(...)` or a logger call (`logger.info(...)`, "
        "`logging.warning(...)`): in the message, its arguments, f-strings and "
        "concatenations built inside the call. Emoji are recognised by Unicode property "
        "(`Extended_Pictographic`, flags, keycaps), whole sequences at a time (ZWJ "
        "sequences, skin tones, variation selectors); the finding covers the emoji itself."
    )
    why = (
        "Consoles and log pipelines are not all UTF-8: a Windows console with a legacy code "
        "page raises `UnicodeEncodeError` on `print`, and a log handler that hits it drops "
        "the record (printing a traceback instead). Log search, grep and alerting rules "
        "also match words, not pictures: `Action completed` is found, a ✅ is not."
    )
    leaves_alone = (
        "Strings that are not output (returned, stored, sent in a response, written to a "
        "UTF-8 file), strings built outside the call and passed in by name (their content "
        "is not followed), pictographs a Windows code page can print (`©`, `®`, `™` without "
        "an emoji variation selector), symbols that are not emoji (`→`, `✓`, `•`), tests."
    )
    bad = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def start() -> None:\n"
            '    """Announce the start."""\n'
            '    logger.info("🚀 Starting application...")\n',
            line=8,
        ),
    )
    good = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def start() -> str:\n"
            '    """Announce the start; the badge goes to the web page, not the log."""\n'
            '    logger.info("Starting application")\n'
            '    return "🚀 Ready"\n'
        ),
    )
    bad_cases = (
        'print("Deployed ✅")',
        'logging.warning(f"{count} jobs failed 🔥")',
        'logger.error("Done " + "👍🏽")',  # a skin-tone sequence
        'print("Region:", "🇬🇧")',  # a flag, in an argument
    )
    good_cases = (
        'print("Done → next step ✓")',  # symbols, not emoji
        'print("© 2024 Acme™")',  # a code page prints these
        'badge = "🚀"\nprint(badge)',  # built outside the call
        'message = "Deployed ✅"',  # not output
        Example('print("Deployed ✅")\n', path="tests/test_deploy.py"),
    )

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Check a string literal."""
        if "b" in node.prefix.lower():
            return
        spans = emoji_spans(node.value)
        if not spans:
            value = node.evaluated_value
            # ``"\U0001F680"``: the emoji is only in the value; report the whole literal.
            if isinstance(value, str) and emoji_spans(value) and self._is_output():
                self.report(node)
            return
        self._report_spans(node, node.value, spans)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        """Check the text parts of an f-string."""
        spans = emoji_spans(node.value)
        if spans:
            self._report_spans(node, node.value, spans)

    def _report_spans(self, node: cst.CSTNode, source: str, spans: list[tuple[int, int]]) -> None:
        if self.context.is_test or not self._is_output():
            return
        start = self.context.range_of(node).start
        for begin, end in spans:
            self.report(Range(_advance(start, source, begin), _advance(start, source, end)))

    def _is_output(self) -> bool:
        """Tell whether the node being visited is inside an argument of an output call."""
        ancestors = self.context.ancestors
        child = self.context.current_node
        for node in reversed(ancestors):
            if isinstance(node, _BOUNDARIES):
                return False
            if isinstance(node, cst.Call) and child is not node.func and self._writes(node):
                return True
            child = node
        return False

    def _writes(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Name) and func.value == "print":
            return True
        return is_log_call(self.context.facts, call)


def _advance(start: Position, source: str, offset: int) -> Position:
    """Return the position ``offset`` code points into ``source``, which starts at ``start``."""
    before = source[:offset]
    newlines = before.count("\n")
    if not newlines:
        return Position(start.line, start.column + offset)
    return Position(start.line + newlines, offset - before.rfind("\n") - 1)

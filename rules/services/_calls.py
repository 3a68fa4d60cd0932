"""Call helpers shared by the services rules: reading keywords and adding one to a call."""

from __future__ import annotations

import libcst as cst

from precepts.context import RuleContext
from precepts.findings import Position, Range, TextEdit
from precepts.rule import Change, InsertAfter


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """Return the ``name=`` argument of a call, or None.

    Args:
        call: The call.
        name: The keyword.

    Returns:
        The argument.
    """
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def unpacks(call: cst.Call) -> bool:
    """Tell whether a call passes ``*args`` or ``**kwargs`` (which may carry anything).

    Args:
        call: The call.

    Returns:
        True when an argument is unpacked.
    """
    return any(arg.star for arg in call.args)


def add_keyword(context: RuleContext, call: cst.Call, text: str) -> Change | None:
    """Return the change that appends ``text`` (``name=value``) to a call's arguments.

    A call written one argument per line with a trailing comma gets a new line like its
    last one; an empty call gets the text between its parentheses.

    Args:
        context: The module's context (positions, lines).
        call: The call.
        text: The keyword argument's code.

    Returns:
        The change, or None when the call's layout leaves no clear place for it.
    """
    if not call.args:
        return _insert_into_empty(context, call, text)
    last = call.args[-1]
    comma = last.comma
    if isinstance(comma, cst.Comma) and isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        # One argument per line, with a trailing comma: add a line like the last one.
        line = context.range_of(last).start.line
        line_text = context.lines.line_text(line)
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        newline = context.module.default_newline
        return InsertAfter(last, f",{newline}{indent}{text}")
    return InsertAfter(last, f", {text}")


def _insert_into_empty(context: RuleContext, call: cst.Call, text: str) -> Change | None:
    # ``path.read_text()``: insert between the parentheses, found from the end of
    # the function expression when the whitespace around ``(`` is on one line.
    before, inside = call.whitespace_after_func, call.whitespace_before_args
    if call.func.rpar or not isinstance(before, cst.SimpleWhitespace):
        return None
    if not isinstance(inside, cst.SimpleWhitespace):
        return None
    end = context.range_of(call.func).end
    column = end.column + len(before.value) + 1 + len(inside.value)
    spot = Position(end.line, column)
    return TextEdit(Range(spot, spot), text)

"""BP604 unstructured-log-message: messages formatted eagerly inside ``logger.*()`` calls."""

from __future__ import annotations

import re

import libcst as cst

from precepts.rule import Example, FixSpec, Replace, Rule
from precepts.rules.services._logging import is_log_call

# A format spec with an exact printf equivalent: [sign][#][0][width][.precision]type.
# Alignment, fill, grouping and type-less widths mean something else in printf.
_SPEC = re.compile(
    r"(?P<flags>[+ ]?#?0?)(?P<width>\d*)(?P<precision>\.\d+)?(?P<type>[doxXeEfFgGs])"
)
_KINDS = {
    "f-string": "an f-string",
    "percent": "`%`-formatting",
    "concat": "string concatenation",
    "format": "`str.format()`",
}

_StringNode = (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)


class UnstructuredLogMessage(Rule):
    """Flags log messages built with f-strings, ``%``, ``+`` or ``.format()``."""

    code = "BP604"
    name = "unstructured-log-message"
    family = "services"
    section = "Logging & Monitoring"
    message = (
        "Pass values to the logger as lazy `%s` arguments or `extra=` fields, not formatted "
        "into the message"
    )
    summary = (
        "The message of a `logger.debug/info/warning/error/exception/critical/log(...)` call "
        "built with an f-string, `%`-formatting, `+` concatenation or `str.format()`. A "
        "logger is a name bound to `logging.getLogger(...)` in the module, one called "
        "`logger`/`log`/`LOGGER`/`_logger` (also as `self.logger`), or the `logging` module "
        "itself."
    )
    why = (
        "A message formatted before the call is one opaque string: every request produces a "
        "different message, so log aggregation cannot group or count them, and the values "
        "cannot be searched as fields. It is also built even when the level is disabled. With "
        '`logger.info("User %s created", user_id)` the template stays constant and the '
        'formatting is lazy; with `extra={"user_id": user_id}` the value becomes a field of '
        "the JSON record. Several ✅ snippets in other sections of the standard (the JWT "
        "checklist, event handlers, Console Output & Logging, File System Operations, the "
        "token middleware) still log with f-strings: they contradict the Logging & "
        'Monitoring section, whose ❌ is exactly `logger.info(f"Request from ...")`, and '
        "this rule follows that section."
    )
    leaves_alone = (
        'Constant messages (with or without `extra=`), lazy arguments (`"%s"`, args), '
        "f-strings without placeholders, formatted values passed as arguments rather than as "
        "the message, and calls on objects that are not loggers."
    )
    fix_description = (
        'Rewrites an f-string message into lazy arguments: `f"User {uid} created"` → '
        '`"User %s created", uid`, `{x!r}` → `%r`, `{x:.2f}` → `%.2f`, literal `%` → `%%`; '
        'and `"..." % (a, b)` into `"...", a, b`. No fix when a placeholder has no exact '
        "printf equivalent (alignment, `,` grouping, `{x=}`, nested specs) or when the call "
        "already passes positional arguments after the message. No fix for loguru's "
        "`logger`, which formats with `str.format()` (`{}`), so a `%s` template would be "
        "logged literally: the message says `{}` there."
    )
    bad = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def record_signup(user_id: int, plan: str) -> None:\n"
            '    """Log a new signup."""\n'
            '    logger.info(f"User {user_id} signed up for {plan!r}")\n',
            line=8,
            fixed="import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def record_signup(user_id: int, plan: str) -> None:\n"
            '    """Log a new signup."""\n'
            '    logger.info("User %s signed up for %r", user_id, plan)\n',
        ),
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def record_query(name: str, elapsed_ms: float) -> None:\n"
            '    """Log a slow query."""\n'
            '    logger.warning("slow query %s took %.1f ms" % (name, elapsed_ms))\n',
            line=8,
            fixed="import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def record_query(name: str, elapsed_ms: float) -> None:\n"
            '    """Log a slow query."""\n'
            '    logger.warning("slow query %s took %.1f ms", name, elapsed_ms)\n',
        ),
    )
    good = (
        Example(
            "import logging\n"
            "\n"
            "logger = logging.getLogger(__name__)\n"
            "\n"
            "\n"
            "def record_signup(user_id: int, plan: str) -> None:\n"
            '    """Log a new signup."""\n'
            '    logger.info("User signed up", extra={"user_id": user_id, "plan": plan})\n'
            '    logger.debug("User %s signed up for %r", user_id, plan)\n'
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        """Flag an eagerly formatted message passed to a logger."""
        func = node.func
        if not isinstance(func, cst.Attribute) or not is_log_call(self.context.facts, node):
            return
        index = 1 if func.attr.value == "log" else 0
        message = _message_arg(node, index)
        if message is None:
            return
        kind = _formatting(message.value)
        if kind is None:
            return
        if self.context.facts.qualify(func.value) == "loguru.logger":
            # loguru formats with `str.format()`: a `%s` template would be logged as is.
            self.report(
                message.value,
                "Pass values to loguru as lazy `{}` arguments or `.bind()` fields, not "
                f"{_KINDS[kind]}",
            )
            return
        self.report(
            message.value,
            f"Pass values to the logger as lazy `%s` arguments or `extra=` fields, not "
            f"{_KINDS[kind]}",
            fix=self._fix(node, message, kind),
        )

    def _fix(self, call: cst.Call, message: cst.Arg, kind: str) -> FixSpec | None:
        if message.keyword is not None or message.star:
            return None
        position = list(call.args).index(message)
        if any(arg.keyword is None for arg in call.args[position + 1 :]):
            return None  # positional arguments already follow: the message has placeholders
        if kind == "f-string":
            translated = _translate(message.value)
        elif kind == "percent":
            translated = _translate_percent(message.value)
        else:
            return None
        if translated is None:
            return None
        template, values = translated
        code = ", ".join([template, *(self._argument_code(value) for value in values)])
        return self.fix("Pass the values as lazy `%s` arguments", Replace(message, code))

    def _argument_code(self, value: cst.BaseExpression) -> str:
        code = self.context.code_for(value)
        # ``f"{a, b}"`` holds an unparenthesised tuple: keep it one argument.
        if isinstance(value, cst.Tuple) and not value.lpar:
            return f"({code})"
        return code


def _message_arg(call: cst.Call, index: int) -> cst.Arg | None:
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "msg":
            return arg
    return positional[index] if len(positional) > index else None


def _formatting(node: cst.BaseExpression) -> str | None:
    """Name how a message is formatted eagerly, or None for a plain message."""
    if _has_placeholders(node):
        return "f-string"
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and (
            isinstance(node.left, _StringNode) or _is_format_call(node.left)
        ):
            return "percent"  # also `TEMPLATE.format(op="x") % value`
        if isinstance(node.operator, cst.Add) and _concatenates_text(node):
            return "concat"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value == "format" and isinstance(node.func.value, _StringNode):
            return "format"
    return None


def _is_format_call(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    )


def _has_placeholders(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.FormattedString):
        return any(isinstance(part, cst.FormattedStringExpression) for part in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        return _has_placeholders(node.left) or _has_placeholders(node.right)
    return False


def _concatenates_text(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _concatenates_text(node.left) or _concatenates_text(node.right)
    if isinstance(node, _StringNode):
        return True
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "str"
    )


def _translate(node: cst.BaseExpression) -> tuple[str, list[cst.BaseExpression]] | None:
    """Turn an f-string (possibly implicitly concatenated) into a %-template and values."""
    if isinstance(node, cst.SimpleString):
        return node.value.replace("%", "%%"), []
    if isinstance(node, cst.ConcatenatedString):
        left, right = _translate(node.left), _translate(node.right)
        if left is None or right is None:
            return None
        space = node.whitespace_between
        between = space.value if isinstance(space, cst.SimpleWhitespace) else " "
        return f"{left[0]}{between}{right[0]}", left[1] + right[1]
    if isinstance(node, cst.FormattedString):
        return _translate_fstring(node)
    return None


def _translate_fstring(node: cst.FormattedString) -> tuple[str, list[cst.BaseExpression]] | None:
    pieces: list[str] = []
    values: list[cst.BaseExpression] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text = part.value.replace("{{", "{").replace("}}", "}")
            pieces.append(text.replace("%", "%%"))
            continue
        if not isinstance(part, cst.FormattedStringExpression) or part.equal is not None:
            return None
        placeholder = _placeholder(part)
        if placeholder is None:
            return None
        pieces.append(placeholder)
        values.append(part.expression)
    prefix = node.prefix.replace("f", "").replace("F", "")
    quote = node.start[len(node.prefix) :]
    return f"{prefix}{quote}{''.join(pieces)}{node.end}", values


def _placeholder(part: cst.FormattedStringExpression) -> str | None:
    """Return the printf placeholder equivalent to ``{x!r}`` / ``{x:.2f}``, if exact."""
    spec = part.format_spec
    if part.conversion is not None:
        return f"%{part.conversion}" if not spec else None
    if not spec:
        return "%s"
    if len(spec) != 1 or not isinstance(spec[0], cst.FormattedStringText):
        return None
    match = _SPEC.fullmatch(spec[0].value)
    if match is None:
        return None
    if match["type"] == "s" and (match["flags"] or match["width"]):
        return None  # format() pads strings on the right, printf on the left
    return "%" + spec[0].value


def _translate_percent(node: cst.BaseExpression) -> tuple[str, list[cst.BaseExpression]] | None:
    """Turn ``"..." % (a, b)`` into its template and values (tuple literals only)."""
    if not isinstance(node, cst.BinaryOperation) or not isinstance(node.right, cst.Tuple):
        return None
    template = node.left
    if not isinstance(template, (cst.SimpleString, cst.ConcatenatedString)):
        return None
    if _has_placeholders(template) or template.lpar:
        return None
    elements = node.right.elements
    if not elements or any(isinstance(element, cst.StarredElement) for element in elements):
        return None
    # The template is kept as written: it already is a %-template.
    source = _source_of(template)
    return (source, [element.value for element in elements]) if source else None


def _source_of(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        return node.value
    if not isinstance(node, cst.ConcatenatedString):
        return None  # an f-string part: not a plain template
    space = node.whitespace_between
    between = space.value if isinstance(space, cst.SimpleWhitespace) else " "
    left, right = _source_of(node.left), _source_of(node.right)
    return f"{left}{between}{right}" if left and right else None

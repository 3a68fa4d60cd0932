"""A fast, read-only traversal that feeds every enabled rule in one pass.

libcst's own ``CSTNode.visit`` rebuilds every node even for read-only visitors, which
costs about as much as parsing. This walker reads dataclass fields instead (about
three times faster, see ``engine-notes.md`` §1.4) and dispatches ``visit_<Node>`` /
``leave_<Node>`` methods collected with ``BatchableCSTVisitor.get_visitors``. Fields that
hold only whitespace and punctuation are skipped unless some rule asks for such nodes;
children are visited in source order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import libcst as cst

if TYPE_CHECKING:
    from precepts.context import RuleContext
    from precepts.rule import Rule

# Fields whose values are whitespace, comments or punctuation tokens. Rules read these
# from the parent node (for example ``Arg.comma``) instead of visiting them.
_TRIVIA_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "dot",
        "comma",
        "colon",
        "semicolon",
        "equal",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "newline",
        "relative",
        "asynchronous",
        "first_line",
        "empty_lines",
    }
)

# Node types that only appear inside trivia fields.
_TRIVIA_TYPES = frozenset(
    {
        "SimpleWhitespace",
        "ParenthesizedWhitespace",
        "TrailingWhitespace",
        "EmptyLine",
        "Newline",
        "Comment",
        "LeftParen",
        "RightParen",
        "LeftSquareBracket",
        "RightSquareBracket",
        "LeftCurlyBrace",
        "RightCurlyBrace",
        "Comma",
        "Colon",
        "Semicolon",
        "Dot",
        "AssignEqual",
        "Asynchronous",
    }
)

# Field orders that differ from source order in the dataclass definitions.
_ORDER_OVERRIDES: dict[str, tuple[str, ...]] = {
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "IfExp": ("body", "test", "orelse"),
}

_FIELDS: dict[tuple[type, bool], tuple[str, ...]] = {}


def _fields_of(node_type: type, with_trivia: bool) -> tuple[str, ...]:
    key = (node_type, with_trivia)
    cached = _FIELDS.get(key)
    if cached is not None:
        return cached
    names = [f.name for f in dataclasses.fields(node_type)]
    override = _ORDER_OVERRIDES.get(node_type.__name__)
    if override:
        names = [n for n in override if n in names] + [n for n in names if n not in override]
    if not with_trivia:
        names = [n for n in names if n not in _TRIVIA_FIELDS and not n.startswith("whitespace")]
    result = tuple(names)
    _FIELDS[key] = result
    return result


Handler = Callable[[cst.CSTNode], object]

_HANDLERS: dict[type, tuple[str, ...]] = {}


def handler_names(rule_class: type) -> tuple[str, ...]:
    """Return the ``visit_<Node>``/``leave_<Node>`` methods a rule class defines.

    Methods inherited from libcst's own visitor base classes (no-op stubs) are left out.
    The result is cached per class: it is asked for on every file.

    Args:
        rule_class: A rule class.

    Returns:
        The method names.
    """
    cached = _HANDLERS.get(rule_class)
    if cached is None:
        cached = tuple(
            name
            for name in dir(rule_class)
            if name.startswith(("visit_", "leave_"))
            and callable(getattr(rule_class, name))
            and not getattr(getattr(rule_class, name), "_is_no_op", False)
            and name.count("_") == 1
        )
        _HANDLERS[rule_class] = cached
    return cached


class RuleFailure(Exception):
    """Raised inside the walker to record that a rule broke; never escapes a check."""


class Walker:
    """Runs many rules over one module in a single traversal.

    A rule that raises is switched off for the rest of the traversal and recorded in
    ``failures``; the others carry on.
    """

    def __init__(self, rules: Iterable[Rule], context: RuleContext) -> None:
        """Collect the handlers of ``rules``.

        Args:
            rules: Rule instances bound to ``context``.
            context: The module's shared context (its ancestor stack is kept up to date).
        """
        self.context = context
        rules = list(rules)
        self.module_rules = [rule for rule in rules if rule.scope == "module"]
        self.failures: dict[Rule, BaseException] = {}
        self._visit: dict[str, list[Handler]] = {}
        self._leave: dict[str, list[Handler]] = {}
        for rule in rules:
            for method_name in handler_names(type(rule)):
                kind, _, node_name = method_name.partition("_")
                table = self._visit if kind == "visit" else self._leave
                table.setdefault(node_name, []).append(getattr(rule, method_name))
        wanted = set(self._visit) | set(self._leave)
        self.with_trivia = bool(wanted & _TRIVIA_TYPES)

    def _fail(self, handler: object, error: BaseException) -> None:
        rule = getattr(handler, "__self__", handler)
        if rule is None or rule in self.failures:
            return
        self.failures[rule] = error
        for table in (self._visit, self._leave):
            for name, handlers in list(table.items()):
                table[name] = [h for h in handlers if getattr(h, "__self__", None) is not rule]

    def _call(self, handlers: list[Handler], node: cst.CSTNode) -> None:
        self.context.current_node = node
        for handler in handlers:
            try:
                handler(node)
            except Exception as error:  # a broken rule must not stop the others
                self._fail(handler, error)

    def walk_module(self, module: cst.Module) -> None:
        """Traverse the whole module, recording the top-level statement being walked.

        Args:
            module: The parsed module.
        """
        handlers = self._visit.get("Module")
        if handlers:
            self._call(handlers, module)
        ancestors = self.context.ancestors
        ancestors.append(module)
        summaries: dict[Rule, list[object]] = {rule: [] for rule in self.module_rules}
        for index, statement in enumerate(module.body):
            self.context.current_statement = index
            self.walk(statement)
            for rule, collected in summaries.items():
                collected.append(self._guard(rule, rule.end_statement))
        ancestors.pop()
        self.context.current_statement = -1
        handlers = self._leave.get("Module")
        if handlers:
            self._call(handlers, module)
        for rule, collected in summaries.items():
            self._guard(rule, lambda rule=rule, collected=collected: rule.finish(collected))

    def _guard(self, rule: Rule, call: Callable[[], object]) -> object:
        if rule in self.failures:
            return None
        try:
            return call()
        except Exception as error:  # a broken rule must not stop the others
            self._fail(rule, error)
            return None

    def enter(self, node: cst.CSTNode, replay: bool = False) -> None:
        """Call the ``visit_*`` handlers of ``node`` and make it the current ancestor.

        With :meth:`leave` this replays the path down to a statement that is walked on its
        own (the language server walks one statement of a class body at a time).

        Args:
            node: The node being entered.
            replay: True when the node's own walk happens elsewhere: its handlers see
                ``context.replaying`` set.
        """
        handlers = self._visit.get(type(node).__name__)
        if handlers:
            self._call_replaying(handlers, node, replay)
        self.context.ancestors.append(node)

    def leave(self, node: cst.CSTNode, replay: bool = False) -> None:
        """Undo :meth:`enter`: drop the ancestor and call the ``leave_*`` handlers.

        Args:
            node: The node being left (the one last entered).
            replay: As given to :meth:`enter`.
        """
        self.context.ancestors.pop()
        handlers = self._leave.get(type(node).__name__)
        if handlers:
            self._call_replaying(handlers, node, replay)

    def _call_replaying(self, handlers: list[Handler], node: cst.CSTNode, replay: bool) -> None:
        context = self.context
        context.replaying = replay
        try:
            self._call(handlers, node)
        finally:
            context.replaying = False

    def walk_split(self, node: cst.CSTNode, on_child: Callable[[int, cst.CSTNode], None]) -> None:
        """Traverse a compound statement exactly as :meth:`walk` does, except its body.

        The statements of ``node.body`` (an ``IndentedBlock``) are handed to ``on_child``
        in order, which may walk them (an ordinary traversal, statement by statement) or
        skip them (only the statement's head is walked).

        Args:
            node: A compound statement whose ``body`` is an ``IndentedBlock``.
            on_child: Called with (index, statement) for each body statement.
        """
        self.enter(node)
        for field_name in _fields_of(type(node), self.with_trivia):
            value = getattr(node, field_name)
            if field_name == "body" and isinstance(value, cst.IndentedBlock):
                self._walk_block_split(value, on_child)
            else:
                self._walk_value(value)
        self.leave(node)

    def _walk_block_split(
        self, block: cst.IndentedBlock, on_child: Callable[[int, cst.CSTNode], None]
    ) -> None:
        # The block's own fields (header comment, indent, footer) are walked as usual; its
        # statements go to ``on_child`` one by one.
        self.enter(block)
        for block_field in _fields_of(cst.IndentedBlock, self.with_trivia):
            if block_field == "body":
                for index, child in enumerate(block.body):
                    on_child(index, child)
            else:
                self._walk_value(getattr(block, block_field))
        self.leave(block)

    def _walk_value(self, value: object) -> None:
        if isinstance(value, cst.CSTNode):
            self.walk(value)
        elif isinstance(value, (list, tuple)):
            for child in value:
                if isinstance(child, cst.CSTNode):
                    self.walk(child)

    def walk(self, node: cst.CSTNode) -> None:
        """Traverse ``node`` and its children, calling the rules' handlers.

        Args:
            node: Any node of the module.
        """
        name = type(node).__name__
        handlers = self._visit.get(name)
        if handlers:
            self._call(handlers, node)
        ancestors = self.context.ancestors
        ancestors.append(node)
        walk = self.walk
        node_class = cst.CSTNode
        for field_name in _fields_of(type(node), self.with_trivia):
            value = getattr(node, field_name)
            if isinstance(value, node_class):
                walk(value)
            elif isinstance(value, (list, tuple)):
                for child in value:
                    if isinstance(child, node_class):
                        walk(child)
        ancestors.pop()
        handlers = self._leave.get(name)
        if handlers:
            self._call(handlers, node)

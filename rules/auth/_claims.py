"""The fact the authentication rules share: which values are JWT claims dicts.

A claims dict is what a decoded token gives: ``{"sub": "15", "email": ..., "exp": ...}``.
It is decided once here, for every rule of the family:

* the value of ``jwt.decode(...)`` (PyJWT, python-jose, authlib; any import alias);
* the value of a function that returns claims: annotated with a claims ``TypedDict``
  (fields such as ``sub``/``exp``), or whose ``return`` gives claims (a decode, another
  such function), or annotated ``dict``/``Dict[...]``/``Mapping`` when its name says it
  deals with tokens (``verify_token``, ``get_token_claims``) and it does not return a dict
  it builds itself. The function may live in this module or in another
  module of the workspace (:mod:`precepts.crossfile`: lazily, cached, never importing);
* the names bound to such a value: ``payload = jwt.decode(...)``, a parameter
  ``current_user: Dict[str, Any] = Depends(get_current_user)`` (or ``Annotated[dict,
  Depends(...)]``, or a module alias of that ``Annotated``), a copy (``dict(claims)``,
  ``claims.copy()``), and a parameter of a helper that a function of this module calls
  with claims (``_owner_id(current_user)``).

A ``dict``-annotated dependency that cannot be found is claims only when its name or the
parameter's name says so (``get_current_user``, ``current_user``): that is the standard's
own idiom. Any other dict (a JSON body, settings, a row mapping) is not claims.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from precepts.facts import ModuleFacts, dotted_name
from precepts.rules.auth.bp409_hardcoded_secret import name_words
from precepts.rules.sqlalchemy._orm import (
    Binding,
    Bindings,
    bindings_of,
    body_statements,
    child_blocks,
    enclosing_function,
    first_arg,
    function_bindings,
    keyword,
    short_name,
    unwrap_await,
)

if TYPE_CHECKING:
    from precepts.context import RuleContext

# Words in a function or parameter name that say it deals with the authenticated user.
AUTH_WORDS = frozenset(
    {"user", "token", "claims", "claim", "jwt", "principal", "identity", "auth", "subject"}
)
# Words that say a function found in the workspace hands out a token's claims.
_TOKEN_WORDS = frozenset({"token", "claims", "claim", "jwt", "payload"})
# Fields whose presence makes a TypedDict a claims type.
_CLAIM_FIELDS = frozenset({"sub", "exp", "iat", "iss", "aud"})
_DICT_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
_ANY_TYPES = frozenset({"Any", "object"})
_WRAPPERS = frozenset({"Optional", "Annotated", "Awaitable", "Coroutine"})
_DEPENDS = frozenset({"Depends", "Security"})
_COPIES = frozenset({"copy", "deepcopy"})
_MAX_DEPTH = 6


def jwt_call_kind(facts: ModuleFacts, call: cst.Call) -> tuple[str, str] | None:
    """Tell which JWT library function a call is: ``("pyjwt", "decode")`` and the like.

    Args:
        facts: The module's facts (for import aliases).
        call: A call.

    Returns:
        ``(library, function)`` with library ``pyjwt``, ``jose`` or ``authlib``, or None.
    """
    name = facts.qualify(call.func)
    if not name:
        return None
    head, _, last = name.rpartition(".")
    if head != "jwt" and not head.endswith(".jwt") and head != "jwt.api_jwt":
        return None
    if head.startswith("jose.") or head == "jose.jwt":
        return "jose", last
    if head.startswith("authlib."):
        return "authlib", last
    if "." in head and not head.startswith("jwt."):
        # ``self.jwt.decode``, ``app.jwt.decode``: some object's ``jwt`` attribute.
        return None
    return "pyjwt", last


def is_jwt_decode(facts: ModuleFacts, call: cst.Call) -> bool:
    """Tell whether a call decodes a JWT into its claims.

    Args:
        facts: The module's facts.
        call: A call.

    Returns:
        True for ``jwt.decode(...)`` of a JWT library.
    """
    kind = jwt_call_kind(facts, call)
    return kind is not None and kind[1] == "decode"


def depends_call(node: cst.BaseExpression | None) -> cst.Call | None:
    """Return ``Depends(f)``/``Security(f, ...)`` when ``node`` is one.

    Args:
        node: A default value or ``Annotated`` metadata.

    Returns:
        The call, or None.
    """
    if isinstance(node, cst.Call) and short_name(dotted_name(node.func)) in _DEPENDS:
        return node
    return None


def dependency_of(call: cst.Call) -> cst.BaseExpression | None:
    """Return the callable a ``Depends(...)`` call names.

    Args:
        call: The ``Depends``/``Security`` call.

    Returns:
        Its first positional or ``dependency=`` argument.
    """
    named = keyword(call, "dependency")
    return named.value if named is not None else first_arg(call)


def _string_annotation(node: cst.SimpleString) -> cst.BaseExpression | None:
    text = node.evaluated_value
    try:
        return cst.parse_expression(text) if isinstance(text, str) else None
    except cst.ParserSyntaxError:
        return None


def split_annotation(
    annotation: cst.BaseExpression | None,
) -> tuple[cst.BaseExpression | None, cst.Call | None]:
    """Strip ``Optional``/``Annotated``/``X | None``/quotes; keep ``Annotated``'s ``Depends``.

    Args:
        annotation: An annotation.

    Returns:
        The core type (the node of the source where possible) and the ``Depends(...)``
        found in ``Annotated[...]`` metadata.
    """
    dependency: cst.Call | None = None
    for _ in range(5):  # nested wrappers are few; a bound keeps odd input cheap
        inner, found = _unwrap(annotation)
        dependency = dependency or found
        if inner is annotation:
            break
        annotation = inner
    return annotation, dependency


def _unwrap(
    annotation: cst.BaseExpression | None,
) -> tuple[cst.BaseExpression | None, cst.Call | None]:
    """One wrapper less (the annotation itself when it wraps nothing), and its Depends."""
    if isinstance(annotation, cst.Subscript):
        return _unwrap_subscript(annotation)
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation.left, annotation.right
        if isinstance(right, cst.Name) and right.value == "None":
            return left, None
        if isinstance(left, cst.Name) and left.value == "None":
            return right, None
        return annotation, None
    if isinstance(annotation, cst.SimpleString):
        return _string_annotation(annotation), None
    return annotation, None


def _unwrap_subscript(
    annotation: cst.Subscript,
) -> tuple[cst.BaseExpression | None, cst.Call | None]:
    base = short_name(dotted_name(annotation.value))
    if base not in _WRAPPERS or not annotation.slice:
        return annotation, None
    elements = [element.slice for element in annotation.slice]
    dependency = None
    if base == "Annotated":
        extras = [e.value for e in elements[1:] if isinstance(e, cst.Index)]
        dependency = next((d for d in map(depends_call, extras) if d is not None), None)
    first = elements[0] if base != "Coroutine" else elements[-1]
    return (first.value if isinstance(first, cst.Index) else None), dependency


def has_auth_words(name: str | None) -> bool:
    """Tell whether a name speaks of users or tokens (``get_current_user``, ``claims``).

    Args:
        name: An identifier (or a dotted name: its last part counts).

    Returns:
        True when one of its words is an auth word.
    """
    return bool(name) and bool(AUTH_WORDS.intersection(name_words(short_name(name))))


def _returns(function: cst.FunctionDef) -> Iterator[cst.BaseExpression]:
    """Yield the values of the function's own ``return`` statements (not nested defs)."""
    stack = list(body_statements(function))
    while stack:
        statement = stack.pop()
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Return) and small.value is not None:
                    yield small.value
        elif not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            for block in child_blocks(statement):
                stack.extend(block)


def _builds_dict(value: cst.BaseExpression) -> bool:
    """A dict the function builds itself: a literal, a comprehension or ``dict(k=v)``."""
    value = unwrap_await(value)
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return True
    return isinstance(value, cst.Call) and dotted_name(value.func) == "dict"


class _CallIndex(cst.CSTVisitor):
    """Every call of a plain name in a module, with the function that makes it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, list[tuple[cst.Call, cst.FunctionDef | None]]] = {}
        self._functions: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name):
            caller = self._functions[-1] if self._functions else None
            self.calls.setdefault(node.func.value, []).append((node, caller))


@dataclass(eq=False)
class ClaimsScope:
    """What is known about claims in one module (the one being checked, or another).

    Attributes:
        path: The module's file.
        facts: Its facts.
        module: Its tree.
        context: The rule context when this is the module being checked.
        others: Scopes of other modules, shared by every scope of one check.
    """

    path: str
    facts: ModuleFacts
    module: cst.Module
    context: RuleContext | None = None
    others: dict[Path, ClaimsScope] = field(default_factory=dict)
    _bindings: dict[int, Bindings] = field(default_factory=dict)
    _returns: dict[str, bool | None] = field(default_factory=dict)
    _functions: dict[str, cst.FunctionDef] | None = None
    _classes: dict[str, cst.ClassDef] | None = None
    _calls: dict[str, list[tuple[cst.Call, cst.FunctionDef | None]]] | None = None

    # -- module contents (read lazily: reading the body costs incremental precision) ----

    def function(self, name: str) -> cst.FunctionDef | None:
        """Return the top-level function ``name`` of this module.

        Args:
            name: A function name.

        Returns:
            Its definition, or None.
        """
        if name not in self.facts.functions:
            return None
        self._read_definitions()
        return self._functions.get(name)  # type: ignore[union-attr]

    def _class(self, name: str) -> cst.ClassDef | None:
        if name not in self.facts.defined or name in self.facts.imports:
            return None
        self._read_definitions()
        return self._classes.get(name)  # type: ignore[union-attr]

    def _read_definitions(self) -> None:
        """Index the module's top-level functions and classes, once."""
        if self._functions is None or self._classes is None:
            body = self.module.body
            self._functions = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
            self._classes = {s.name.value: s for s in body if isinstance(s, cst.ClassDef)}

    def _callers(self, name: str) -> list[tuple[cst.Call, cst.FunctionDef | None]]:
        if self._calls is None:
            index = _CallIndex()
            self.module.visit(index)
            self._calls = index.calls
        return self._calls.get(name, [])

    def bindings(self, function: cst.FunctionDef | None) -> Bindings:
        """Return the bindings of a function of this module (module level for None).

        Args:
            function: The function.

        Returns:
            Its bindings.
        """
        if self.context is not None:
            return bindings_of(self.context, function)
        key = id(function) if function is not None else 0
        found = self._bindings.get(key)
        if found is None:
            if function is None:
                found = Bindings()
                for name, value in self.facts.values.items():
                    found.add(name, Binding("assign", value, None, value))
            else:
                found = function_bindings(function)
            self._bindings[key] = found
        return found

    # -- types ------------------------------------------------------------------------

    def annotation_kind(self, annotation: cst.BaseExpression | None, depth: int = 0) -> str:
        """Classify an annotation: ``claims``, ``dict``, ``any``, ``none`` or ``other``.

        Args:
            annotation: The annotation (wrappers are stripped here).
            depth: Recursion guard for type aliases.

        Returns:
            The kind: ``claims`` for a claims ``TypedDict``, ``dict`` for ``dict``/
            ``Dict[...]``/``Mapping``, ``any`` for ``Any``, ``none`` without one.
        """
        core, _ = split_annotation(annotation)
        if core is None:
            return "none"
        if isinstance(core, cst.Subscript):
            core = core.value
        name = dotted_name(core)
        if name is None:
            return "other"
        short = short_name(name)
        if short in _DICT_TYPES:
            return "dict"
        if short in _ANY_TYPES:
            return "any"
        if "." in name or depth > 3:
            return "other"
        alias = self.facts.values.get(name)
        if alias is not None and isinstance(alias, (cst.Subscript, cst.Name)):
            return self.annotation_kind(alias, depth + 1)
        node = self._class(name)
        if node is not None and _is_claims_typed_dict(node):
            return "claims"
        return "other"

    def alias_dependency(self, annotation: cst.BaseExpression | None) -> cst.Call | None:
        """Return the ``Depends`` of an annotation or of the module alias it names.

        Args:
            annotation: A parameter's annotation (``CurrentUser``, ``Annotated[...]``).

        Returns:
            The ``Depends(...)`` call, or None.
        """
        _, dependency = split_annotation(annotation)
        if dependency is None and isinstance(annotation, cst.Name):
            alias = self.facts.values.get(annotation.value)
            if isinstance(alias, cst.Subscript):
                _, dependency = split_annotation(alias)
        return dependency

    # -- claims -----------------------------------------------------------------------

    def expression(
        self, function: cst.FunctionDef | None, node: cst.BaseExpression, depth: int = 0
    ) -> bool:
        """Tell whether an expression evaluates to a claims dict.

        Args:
            function: The function the expression is in (None at module level).
            node: The expression.
            depth: Recursion guard.

        Returns:
            True for claims.
        """
        node = unwrap_await(node)
        if depth > _MAX_DEPTH:
            return False
        if isinstance(node, cst.Name):
            return self.name(function, node.value, depth + 1)
        if isinstance(node, cst.BooleanOperation):
            return self.expression(function, node.left, depth + 1) or self.expression(
                function, node.right, depth + 1
            )
        if isinstance(node, cst.IfExp):
            return self.expression(function, node.body, depth + 1) or self.expression(
                function, node.orelse, depth + 1
            )
        if isinstance(node, cst.Call):
            return self._call(function, node, depth)
        return False

    def _call(self, function: cst.FunctionDef | None, node: cst.Call, depth: int) -> bool:
        if is_jwt_decode(self.facts, node):
            return True
        func = node.func
        positional = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if isinstance(func, cst.Attribute) and func.attr.value in _COPIES and not node.args:
            return self.expression(function, func.value, depth + 1)  # claims.copy()
        called = dotted_name(func)
        if called in {"dict", "copy.copy", "copy.deepcopy"} and len(positional) == 1:
            return self.expression(function, positional[0], depth + 1)
        return self.callable_returns(func, depth + 1) is True

    def name(self, function: cst.FunctionDef | None, name: str, depth: int = 0) -> bool:
        """Tell whether a name holds claims where it is used.

        Args:
            function: The function using it (None at module level).
            name: The name.
            depth: Recursion guard.

        Returns:
            True for claims.
        """
        bindings = self.bindings(function).of(name)
        if not bindings and function is not None:
            bindings = self.bindings(None).of(name)
            function = None
        return any(self._binding(function, binding, depth) for binding in bindings)

    def _binding(self, function: cst.FunctionDef | None, binding: Binding, depth: int) -> bool:
        if binding.kind == "param" and isinstance(binding.node, cst.Param):
            return self.param(function, binding.node, depth)
        if binding.kind != "assign":
            return False
        kind = self.annotation_kind(binding.annotation)
        if kind == "claims":
            return True
        if kind == "other" or binding.value is None:
            return False
        return self.expression(function, binding.value, depth + 1)

    def param(self, function: cst.FunctionDef | None, param: cst.Param, depth: int = 0) -> bool:
        """Tell whether a parameter receives claims.

        Args:
            function: The function it belongs to.
            param: The parameter.
            depth: Recursion guard.

        Returns:
            True for claims (a dependency returning claims, a claims annotation, or the
            claims a function of this module passes to it).
        """
        annotation = param.annotation.annotation if param.annotation else None
        kind = self.annotation_kind(annotation)
        if kind == "claims":
            return True
        dependency = depends_call(param.default) or self.alias_dependency(annotation)
        if dependency is not None:
            return kind != "other" and self._dependency_gives(dependency, kind, param, depth)
        if kind == "other" or function is None:
            return False
        if "claims" in name_words(param.name.value) and kind == "dict":
            return True
        return self._passed_claims(function, param, depth)

    def _dependency_gives(
        self, dependency: cst.Call, kind: str, param: cst.Param, depth: int
    ) -> bool:
        """Whether ``Depends(f)`` gives claims: from ``f``, or (not found) from the names."""
        target = dependency_of(dependency)
        if target is None:
            return False
        returns = self.callable_returns(target, depth + 1)
        if returns is not None:
            return returns
        return kind == "dict" and (
            has_auth_words(dotted_name(target)) or has_auth_words(param.name.value)
        )

    def _passed_claims(self, function: cst.FunctionDef, param: cst.Param, depth: int) -> bool:
        """Tell whether a call of ``function`` in this module passes claims to ``param``."""
        if depth > _MAX_DEPTH or self.function(function.name.value) is not function:
            return False
        params = [*function.params.posonly_params, *function.params.params]
        position = next((i for i, p in enumerate(params) if p is param), None)
        for call, caller in self._callers(function.name.value):
            value = _argument_for(call, param.name.value, position)
            if value is not None and self.expression(caller, value, depth + 1):
                return True
        return False

    def callable_returns(self, func: cst.BaseExpression, depth: int = 0) -> bool | None:
        """Tell whether calling ``func`` returns claims.

        Args:
            func: The callee (``get_current_user``, ``security.decode_token``).
            depth: Recursion guard.

        Returns:
            True or False when the function was found, None when it cannot be found.
        """
        name = dotted_name(func)
        if name is None or depth > _MAX_DEPTH:
            return None
        head = name.split(".", 1)[0]
        if "." not in name:
            local = self._local_returns(name, depth)
            if local is not None:
                return local
        if head not in self.facts.imports:
            return None
        qualified = self.facts.qualify(func)
        return self._imported_returns(name, qualified, depth) if qualified else None

    def _local_returns(self, name: str, depth: int) -> bool | None:
        """Tell whether the top-level function ``name`` returns claims (None: no such function).

        Asked from a rule (depth 0), the answer is a module query: the leaf then depends
        on the answer, not on every statement of the module, so typing in another
        function does not re-check it.
        """
        if name not in self.facts.functions:
            return None
        if depth == 0 and self.context is not None:
            return self.context.module_query(_function_returns_claims, name)
        return self.function_returns(name, depth)

    def _imported_returns(self, name: str, qualified: str, depth: int) -> bool | None:
        from precepts.crossfile import default_service  # lazy: jedi only when needed

        service = default_service()
        here = Path(self.path)
        if not service.is_project_module(here, qualified):
            return None
        info = service.find_function(here, short_name(name), qualified)
        if info is None:
            return None
        parsed = service.module_facts(info.path)
        if parsed is None:
            return None
        other = self.others.get(info.path)
        if other is None or other.module is not parsed.module:
            other = ClaimsScope(str(info.path), parsed.facts, parsed.module, others=self.others)
            self.others[info.path] = other
        return other.function_returns(info.name, depth + 1)

    def function_returns(self, name: str, depth: int = 0) -> bool | None:
        """Tell whether the top-level function ``name`` of this module returns claims.

        Args:
            name: The function's name.
            depth: Recursion guard.

        Returns:
            True/False, or None when there is no such function.
        """
        if name in self._returns:
            return bool(self._returns[name])  # None while in progress: a cycle says no
        node = self.function(name)
        if node is None:
            return None
        self._returns[name] = None
        result = self._decide_returns(node, depth)
        self._returns[name] = result
        return result

    def _decide_returns(self, node: cst.FunctionDef, depth: int) -> bool:
        kind = self.annotation_kind(node.returns.annotation if node.returns else None)
        if kind == "claims":
            return True
        if kind == "other":
            return False
        values = list(_returns(node))
        if any(self.expression(node, value, depth + 1) for value in values):
            return True
        if kind != "dict" or any(_builds_dict(value) for value in values):
            return False
        # "user" alone is not enough here: session and profile dicts of users abound.
        return bool(_TOKEN_WORDS.intersection(name_words(node.name.value)))


def _argument_for(call: cst.Call, name: str, position: int | None) -> cst.BaseExpression | None:
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg.value
            continue
        if index == position:
            return arg.value
        index += 1
    return None


def _is_claims_typed_dict(node: cst.ClassDef) -> bool:
    if not any(short_name(dotted_name(arg.value)) == "TypedDict" for arg in node.bases):
        return False
    return not _CLAIM_FIELDS.isdisjoint(_field_names(node))


def _field_names(node: cst.ClassDef) -> Iterator[str]:
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        return
    for statement in body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    yield small.target.value


def _function_returns_claims(context: RuleContext, name: str) -> bool | None:
    """Module query: whether the module's function ``name`` returns claims (None: none such)."""
    return claims_scope(context).function_returns(name)


def claims_scope(context: RuleContext) -> ClaimsScope:
    """Return the claims knowledge of the module being checked (one per check).

    Args:
        context: The rule context.

    Returns:
        The scope.
    """
    # The scope refers to its context, so it lives in the context's own memo.
    return context.memo(
        ClaimsScope, lambda: ClaimsScope(context.path, context.facts, context.module, context)
    )


def is_claims(context: RuleContext, node: cst.BaseExpression) -> bool:
    """Tell whether an expression, where the walker stands, is a JWT claims dict.

    Args:
        context: The rule context.
        node: The expression (``current_user``, ``payload``, ``jwt.decode(...)``).

    Returns:
        True for claims.
    """
    return claims_scope(context).expression(enclosing_function(context), node)

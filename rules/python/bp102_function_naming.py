"""BP102 function-naming: function, method and argument names that are not snake_case."""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Sequence
from fnmatch import fnmatchcase

import libcst as cst

from precepts.facts import dotted_name
from precepts.findings import Applicability, Range, TextEdit
from precepts.rule import Change, Example, FixSpec, Option, Replace, Rule
from precepts.walker import Walker

# Where a lower-case letter or digit meets an upper-case one (userId), and where an
# acronym ends (HTTPResponse): the word boundaries of camelCase and CapWords.
_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_UNDERSCORES = re.compile(r"_+")
# Names unittest (and Django's TestCase) call by name: they cannot be snake_case.
_UNITTEST_NAMES = frozenset(
    {
        "setUp",
        "tearDown",
        "setUpClass",
        "tearDownClass",
        "setUpModule",
        "tearDownModule",
        "asyncSetUp",
        "asyncTearDown",
        "setUpTestData",
        "runTest",
        "shortDescription",
    }
)
# camelCase methods of standard-library base classes that subclasses override:
# logging handlers and formatters, unittest results, SAX content handlers.
_STDLIB_OVERRIDES = frozenset(
    {
        "formatTime",
        "formatException",
        "formatStack",
        "formatMessage",
        "usesTime",
        "handleError",
        "makeRecord",
        "getMessage",
        "shouldRollover",
        "doRollover",
        "createLock",
        "startTest",
        "stopTest",
        "startTestRun",
        "stopTestRun",
        "addError",
        "addFailure",
        "addSuccess",
        "addSkip",
        "addExpectedFailure",
        "addUnexpectedSuccess",
        "addSubTest",
        "addDuration",
        "startDocument",
        "endDocument",
        "startElement",
        "endElement",
        "startElementNS",
        "endElementNS",
        "setDocumentLocator",
    }
)
# Methods a framework dispatches to by node or verb name: ast/libcst/docutils visitors
# (visit_Name, leave_FunctionDef, visit_Call_func) and http.server handlers (do_GET).
_DISPATCHED = re.compile(r"^(?:(?:visit|leave|depart)_[A-Z]\w*|do_[A-Z]+)$")


def snake_case(name: str) -> str:
    """Convert a name to snake_case, keeping its leading underscores.

    Args:
        name: ``userId``, ``getHTTPResponse``, ``_privateThing``.

    Returns:
        ``user_id``, ``get_http_response``, ``_private_thing``.
    """
    core = name.lstrip("_")
    head = name[: len(name) - len(core)]
    return head + _UNDERSCORES.sub("_", _BOUNDARY.sub("_", core).lower())


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _needs_rename(name: str) -> bool:
    return name != name.lower() and not _is_dunder(name)


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _is_override(node: cst.FunctionDef) -> bool:
    for decorator in node.decorators:
        name = dotted_name(decorator.decorator)
        if name is not None and name.rsplit(".", 1)[-1] == "override":
            return True
    return False


def _docstring(func: cst.FunctionDef) -> cst.SimpleString | None:
    body = func.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return None
    first = body.body[0]
    if not isinstance(first, cst.SimpleStatementLine) or not isinstance(first.body[0], cst.Expr):
        return None
    string = first.body[0].value
    return string if isinstance(string, cst.SimpleString) else None


def _entry_offsets(docstring: str, old: str) -> list[int]:
    """Return where ``old`` starts an entry line of a Google docstring (``userId (int):``)."""
    entry = re.compile(rf"(?m)^[ \t]+\**({re.escape(old)})(?=[ \t]*(?:\([^)\n]*\))?:)")
    return [match.start(1) for match in entry.finditer(docstring)]


class _ScopeContext:
    """The little a walker needs when it walks one function body outside a check."""

    def __init__(self, ancestors: list[cst.CSTNode]) -> None:
        self.ancestors = ancestors
        self.current_statement = -1


class _References(cst.BatchableCSTVisitor):
    """Collects the uses of a name in a function body, noting whether renaming is unsafe.

    Renaming every occurrence of a name inside one function is behaviour-preserving as
    long as the new name does not already occur there and the old one is not tied to
    something outside the function: an import, a ``global`` declaration, or a class body
    (class attributes are visible from outside).
    """

    scope = "statement"

    def __init__(self, context: _ScopeContext, old: str, new: str) -> None:
        super().__init__()
        self.context = context
        self.old = old
        self.new = new
        self.found: list[cst.Name] = []
        self.conflict = False
        self._classes = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """Enter a nested class body."""
        self._classes += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        """Leave a nested class body."""
        self._classes -= 1

    def visit_Name(self, node: cst.Name) -> None:
        """Record a use of the old name, or a conflict."""
        if node.value not in (self.old, self.new) or self._is_member_name(node):
            return
        if node.value == self.new or self._classes or self._is_tied_outside(node):
            self.conflict = True
        else:
            self.found.append(node)

    def _is_member_name(self, node: cst.Name) -> bool:
        # `obj.userId`, `call(userId=1)`, `case Point(userId=1)`: not the variable.
        parent = self.context.ancestors[-1]
        return (
            (isinstance(parent, cst.Attribute) and parent.attr is node)
            or (isinstance(parent, cst.Arg) and parent.keyword is node)
            or (isinstance(parent, cst.MatchKeywordElement) and parent.key is node)
        )

    def _is_tied_outside(self, node: cst.Name) -> bool:
        near = self.context.ancestors[-2:]
        return any(
            isinstance(n, (cst.Import, cst.ImportFrom, cst.ImportAlias, cst.Global)) for n in near
        )


def references(scope: cst.FunctionDef, old: str, new: str) -> list[cst.Name] | None:
    """Find every occurrence of ``old`` in a function's parameters and body.

    Args:
        scope: The function whose locals include ``old``.
        old: The name to rename.
        new: The name it would get.

    Returns:
        The ``Name`` nodes to rename, or None when renaming could change behaviour.
    """
    found: list[cst.Name] = []
    for param in _all_params(scope.params):
        if param.name.value == new:
            return None
        if param.name.value == old:
            found.append(param.name)
    context = _ScopeContext([scope])
    collector = _References(context, old, new)
    walker = Walker([collector], context)  # type: ignore[list-item, arg-type]
    walker.walk(scope.body)
    if collector.conflict or walker.failures:
        return None
    return found + collector.found


class FunctionNaming(Rule):
    """Flags function, method and argument names that are not snake_case."""

    code = "BP102"
    name = "function-naming"
    family = "python"
    section = "PEP 8 Compliance"
    message = "Function and argument names must be snake_case"
    summary = (
        "Function, method and argument names with capital letters (`processUserData`, "
        "`userId`), as PEP 8 asks for `lowercase_with_underscores`."
    )
    why = (
        "Python code reads as one language when every library, the standard library and "
        "the team use the same conventions: `snake_case` for functions and variables, "
        "`CapWords` for classes, `UPPER_SNAKE` for constants. A camelCase name makes the "
        "reader wonder whether it is a class or comes from another language's API."
    )
    leaves_alone = (
        "Dunder methods; `_private` snake_case names; names an API makes you use: "
        "unittest's `setUp`/`tearDown` family anywhere, and, in a class that derives "
        "(directly or through classes of the same file) from an imported base, "
        "`visit_Name`/`leave_Name`-style visitor methods (`ast.NodeVisitor`, libcst "
        "visitors), `do_GET`-style handlers and the camelCase hooks of standard-library "
        "bases (`logging.Formatter.formatTime`, `Handler.handleError`, unittest's "
        "`addFailure`, SAX's `startElement`); methods decorated with `@override`; the "
        "arguments of all these methods, which the base class names; names matching the "
        "`ignore-names` option; lambda arguments."
    )
    fix_description = (
        "Renames an argument, or a function nested in another, to snake_case at every use "
        "inside the function that owns it, and an argument's entry in the Google "
        "docstring's `Args:` (attribute names such as `x.userId` and keyword names in "
        "calls are left as they are). No fix is offered when a call in the file passes the "
        "argument by keyword, when the new name is already used in the function, or when "
        "the name is imported, declared `global` or bound in a class body there. The fix "
        "is safe for nested and `_private` functions; for public functions and methods it "
        "is marked unsafe, because callers in other modules may pass the argument by "
        "keyword. Top-level function and method names are not renamed: other modules may "
        "import them."
    )
    fix_applicability = Applicability.UNSAFE
    options = {
        "ignore-names": Option(
            (), "Further names an API requires, as glob patterns (`*Event`, `handle_*`)."
        )
    }
    bad = (
        Example(
            "def processUserData(userId: int, include_history: bool = False) -> dict:\n"
            '    """Process user data with optional history inclusion."""\n'
            '    return {"id": userId, "history": include_history}\n',
            line=1,
            fixed="def processUserData(user_id: int, include_history: bool = False) -> dict:\n"
            '    """Process user data with optional history inclusion."""\n'
            '    return {"id": user_id, "history": include_history}\n',
        ),
        Example(
            "def total_price(prices: list[float]) -> float:\n"
            '    """Add up the prices, tax included."""\n'
            "\n"
            "    def withTax(price: float) -> float:\n"
            "        return price * 1.2\n"
            "\n"
            "    return sum(withTax(price) for price in prices)\n",
            line=4,
            fixed="def total_price(prices: list[float]) -> float:\n"
            '    """Add up the prices, tax included."""\n'
            "\n"
            "    def with_tax(price: float) -> float:\n"
            "        return price * 1.2\n"
            "\n"
            "    return sum(with_tax(price) for price in prices)\n",
        ),
    )
    good = (
        Example(
            "def process_user_data(user_id: int, include_history: bool = False) -> dict:\n"
            '    """Process user data with optional history inclusion."""\n'
            '    return {"id": user_id, "history": include_history}\n'
        ),
        Example(
            "import ast\n"
            "\n"
            "\n"
            "class NameCounter(ast.NodeVisitor):\n"
            '    """Count the names a module reads."""\n'
            "\n"
            "    def __init__(self) -> None:\n"
            '        """Start counting from zero."""\n'
            "        self.count = 0\n"
            "\n"
            "    def visit_Name(self, node: ast.Name) -> None:\n"
            '        """Count one name."""\n'
            "        self.count += 1\n"
        ),
    )

    def setup(self) -> None:
        """Start with no enclosing function."""
        self._defs: list[cst.FunctionDef] = []
        self._keywords: frozenset[str] | None = None
        self._api_classes: dict[str, bool] = {}
        self._top_classes: dict[str, cst.ClassDef] | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Check the function's name and its arguments."""
        ancestors = self.context.ancestors
        owner = ancestors[-2] if len(ancestors) >= 2 else None
        owner = owner if isinstance(owner, cst.ClassDef) else None
        enclosing = self._defs[-1] if self._defs else None
        self._defs.append(node)
        name = node.name.value
        params = [p for p in _all_params(node.params) if _needs_rename(p.name.value)]
        bad_name = _needs_rename(name)
        if not (bad_name or params) or self._api_requires(node, owner):
            return  # an API that fixes a method's name fixes its arguments' names too
        if bad_name:
            self._report_name(node, owner, enclosing)
        if params:
            self._check_params(node, params, local=enclosing is not None and owner is None)

    def _report_name(
        self, node: cst.FunctionDef, owner: cst.ClassDef | None, enclosing: cst.FunctionDef | None
    ) -> None:
        name = node.name.value
        new = snake_case(name)
        fix = None
        if enclosing is not None and owner is None:
            # A nested function is a local of the enclosing one: rename it there.
            fix = self._rename(enclosing, name, new, Applicability.SAFE)
        kind = "Method" if owner is not None else "Function"
        self.report(node.name, f"{kind} name `{name}` is not snake_case: use `{new}`", fix=fix)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Leave a function."""
        self._defs.pop()

    def _check_params(self, node: cst.FunctionDef, params: list[cst.Param], local: bool) -> None:
        name = node.name.value
        # Other modules cannot call a nested or private function, so its renamed
        # arguments cannot break their keyword calls.
        private = name.startswith("_") and not _is_dunder(name)
        applicability = Applicability.SAFE if local or private else Applicability.UNSAFE
        new_names = [snake_case(p.name.value) for p in params]
        for param, new in zip(params, new_names, strict=True):
            old = param.name.value
            fix = None
            # Two arguments that would get the same name cannot both be renamed.
            if new_names.count(new) == 1 and old not in self._keyword_names():
                entries = self._docstring_edits(node, old, new)
                fix = self._rename(node, old, new, applicability, entries)
            message = f"Argument `{old}` of `{name}` is not snake_case: use `{new}`"
            self.report(param.name, message, fix=fix)

    def _rename(
        self,
        scope: cst.FunctionDef,
        old: str,
        new: str,
        applicability: Applicability,
        extra: Sequence[TextEdit] = (),
    ) -> FixSpec | None:
        if not new.isidentifier() or keyword.iskeyword(new):
            return None
        found = references(scope, old, new)
        if not found:
            return None
        changes: list[Change] = [Replace(name, new) for name in found]
        changes.extend(extra)
        return self.fix(f"Rename `{old}` to `{new}`", *changes, applicability=applicability)

    def _docstring_edits(self, func: cst.FunctionDef, old: str, new: str) -> list[TextEdit]:
        """Edit the argument's entries in the docstring, touching only the name.

        Edits this narrow keep the fixes of two arguments of one function from overlapping.
        """
        string = _docstring(func)
        if string is None:
            return []
        text = string.value
        offsets = _entry_offsets(text, old)
        if not offsets:
            return []
        start = self.context.range_of(string).start
        edits = []
        for offset in offsets:
            line_start = text.rfind("\n", 0, offset) + 1
            line = start.line + text.count("\n", 0, offset)
            column = offset - line_start + (start.column if line_start == 0 else 0)
            edits.append(TextEdit(Range.of(line, column, line, column + len(old)), new))
        return edits

    def _keyword_names(self) -> frozenset[str]:
        """Names passed as keyword arguments anywhere in the file (computed once, on demand)."""
        if self._keywords is None:
            self._keywords = frozenset(
                kw.arg
                for node in ast.walk(self.context.ast_module)
                if isinstance(node, ast.Call)
                for kw in node.keywords
                if kw.arg is not None
            )
        return self._keywords

    def _api_requires(self, node: cst.FunctionDef, owner: cst.ClassDef | None) -> bool:
        name = node.name.value
        if name in _UNITTEST_NAMES or _is_override(node):
            return True
        if any(fnmatchcase(name, pattern) for pattern in self.option("ignore-names")):
            return True
        api_shaped = name in _STDLIB_OVERRIDES or bool(_DISPATCHED.match(name))
        return owner is not None and api_shaped and self._derives(owner)

    def _derives(self, cls: cst.ClassDef, seen: frozenset[str] = frozenset()) -> bool:
        """Tell whether a class derives from an imported class, through local classes too."""
        cached = self._api_classes.get(cls.name.value)
        if cached is not None:
            return cached
        imports = self.context.facts.imports
        result = False
        for base in cls.bases:
            value = base.value.value if isinstance(base.value, cst.Subscript) else base.value
            dotted = dotted_name(value)
            if dotted is None:
                continue
            head = dotted.split(".", 1)[0]
            local = self._local_classes().get(dotted)
            if head in imports or (
                local is not None and dotted not in seen and self._derives(local, seen | {dotted})
            ):
                result = True
                break
        self._api_classes[cls.name.value] = result
        return result

    def _local_classes(self) -> dict[str, cst.ClassDef]:
        if self._top_classes is None:
            self._top_classes = {
                s.name.value: s for s in self.context.module.body if isinstance(s, cst.ClassDef)
            }
        return self._top_classes

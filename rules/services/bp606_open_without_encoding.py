"""BP606 open-without-encoding: text files opened with the platform's default encoding."""

from __future__ import annotations

import libcst as cst

from precepts.facts import dotted_name
from precepts.rule import Example, FixSpec, Rule
from precepts.rules.services._calls import add_keyword

_ENCODING = 'encoding="utf-8"'
# Functions that open a file: qualified name → (mode index, encoding index), positionally.
_OPENERS: dict[str, tuple[int | None, int]] = {
    "open": (1, 3),
    "io.open": (1, 3),
    "codecs.open": (1, 2),
    "io.TextIOWrapper": (None, 1),  # wraps a binary stream: always text
}
# tempfile's files: the same, but their default mode is binary (`w+b`).
_TEMPFILES = {
    "tempfile.TemporaryFile": (0, 2),
    "tempfile.NamedTemporaryFile": (0, 2),
    "tempfile.SpooledTemporaryFile": (1, 3),
}
_TEMPFILE_NAMES = frozenset(name.rsplit(".", 1)[1] for name in _TEMPFILES)
# pathlib methods: name → (mode index or None, encoding index), positionally.
_PATH_METHODS: dict[str, tuple[int | None, int]] = {
    "open": (0, 2),
    "read_text": (None, 0),
    "write_text": (None, 1),
}
_PATH_CLASSES = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath"})
_PATH_PACKAGES = ("pathlib.", "zipfile.")
# Path methods and attributes that return another path.
_PATH_RETURNING = frozenset(
    {"with_suffix", "with_name", "with_stem", "joinpath", "resolve", "absolute", "expanduser"}
)
_PATH_ITERATORS = frozenset({"glob", "rglob", "iterdir"})
_RESOURCES = ("importlib.resources.", "importlib_resources.")


class OpenWithoutEncoding(Rule):
    """Flags text-mode file opens without an explicit ``encoding=``."""

    code = "BP606"
    name = "open-without-encoding"
    family = "services"
    section = "UTF-8 Encoding (Required)"
    message = 'Pass `encoding="utf-8"`: without it the platform\'s default encoding is used'
    summary = (
        "`open()`, `io.open()`, `codecs.open()`, `Path.open()`, `.read_text()` and "
        "`.write_text()` in text mode without `encoding=`, `io.TextIOWrapper(...)` without "
        "`encoding=`, and `tempfile`'s "
        "`TemporaryFile`, `NamedTemporaryFile` and `SpooledTemporaryFile` opened in a text "
        'mode (`NamedTemporaryFile("w")`, `mode="w+"`), which use the locale\'s encoding as '
        "`open()` does. `.open()` is only flagged on a "
        "receiver known to be a path (`Path(...)`, a name assigned from one, a parameter or "
        'variable annotated `Path`, `path / "name"`, `path.with_suffix(...)`); '
        "`.read_text()`/`.write_text()`, which are pathlib's names, on any receiver."
    )
    why = (
        "Without `encoding=`, Python uses the locale's encoding: UTF-8 on most Linux "
        "servers, cp1252 on Windows, ASCII in some containers. The same code then reads "
        "accented names or emoji correctly in production and crashes with "
        "`UnicodeDecodeError` (or silently writes mojibake) on a developer's machine or in a "
        "minimal image."
    )
    leaves_alone = (
        "Binary modes (any mode containing `b`, given positionally or as `mode=`); modes that "
        "are not literals (they cannot be judged); calls that pass `encoding` positionally or "
        "unpack `*args`/`**kwargs`; `.open()` on objects not known to be paths "
        "(`zipfile.ZipFile(...).open(name)`, `tarfile`, `webbrowser.open`, `os.open`, which "
        "takes flags, not an encoding); `importlib.resources.read_text`, which defaults to "
        "UTF-8; `tempfile` files in their default binary mode (`w+b`)."
    )
    fix_description = 'Adds `encoding="utf-8"` as the last keyword argument.'
    bad = (
        Example(
            "def read_config(path: str) -> str:\n"
            '    """Read the configuration file."""\n'
            "    with open(path) as handle:\n"
            "        return handle.read()\n",
            line=3,
            fixed="def read_config(path: str) -> str:\n"
            '    """Read the configuration file."""\n'
            '    with open(path, encoding="utf-8") as handle:\n'
            "        return handle.read()\n",
        ),
        Example(
            "from pathlib import Path\n"
            "\n"
            "\n"
            "def save_report(path: Path, report: str) -> None:\n"
            '    """Write the report."""\n'
            "    path.write_text(report)\n",
            line=6,
            fixed="from pathlib import Path\n"
            "\n"
            "\n"
            "def save_report(path: Path, report: str) -> None:\n"
            '    """Write the report."""\n'
            '    path.write_text(report, encoding="utf-8")\n',
        ),
    )
    good = (
        Example(
            "from pathlib import Path\n"
            "\n"
            "\n"
            "def read_config(path: Path) -> str:\n"
            '    """Read the configuration file."""\n'
            '    return path.read_text(encoding="utf-8")\n'
            "\n"
            "\n"
            "def read_logo(path: Path) -> bytes:\n"
            '    """Read the logo image."""\n'
            '    with path.open("rb") as handle:\n'
            "        return handle.read()\n"
        ),
    )

    def setup(self) -> None:
        """Start with the module scope's known paths."""
        self._paths: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Open a scope whose known paths are the parameters annotated ``Path``."""
        params = node.params
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        self._paths.append(
            {p.name.value for p in every if p.annotation and self._is_path_type(p.annotation)}
        )

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Close the function's scope."""
        self._paths.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        """Remember names bound to a path (and forget rebound ones)."""
        is_path = self._is_path(node.value)
        for target in node.targets:
            self._remember(target.target, is_path)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Remember names annotated ``Path`` or bound to a path."""
        is_path = self._is_path_type(node.annotation) or (
            node.value is not None and self._is_path(node.value)
        )
        self._remember(node.target, is_path)

    def visit_For(self, node: cst.For) -> None:
        """``for item in folder.glob(...)`` binds ``item`` to paths."""
        iterator = node.iter
        is_path = (
            isinstance(iterator, cst.Call)
            and isinstance(iterator.func, cst.Attribute)
            and iterator.func.attr.value in _PATH_ITERATORS
            and self._is_path(iterator.func.value)
        )
        self._remember(node.target, is_path)

    def visit_Call(self, node: cst.Call) -> None:
        """Flag a text-mode open without ``encoding=``."""
        tempfile = self._tempfile(node)
        if tempfile is not None:
            if not _text_mode_without_encoding(node, *tempfile, default_text=False):
                return
        else:
            indexes = self._indexes(node)
            if indexes is None or not _text_mode_without_encoding(node, *indexes):
                return
        func = node.func
        where = func.attr if isinstance(func, cst.Attribute) else func
        self.report(where, fix=self._fix(node))

    def _tempfile(self, node: cst.Call) -> tuple[int, int] | None:
        """Return (mode index, encoding index) for a ``tempfile`` file, else None."""
        func = node.func
        facts = self.context.facts
        if isinstance(func, cst.Name):
            if func.value not in facts.imports:  # `from tempfile import ... as NTF`
                return None
        elif not isinstance(func, cst.Attribute) or func.attr.value not in _TEMPFILE_NAMES:
            return None
        return _TEMPFILES.get(facts.qualify(func) or "")

    def _indexes(self, node: cst.Call) -> tuple[int | None, int] | None:
        """Return (mode index, encoding index) when ``node`` opens a file, else None."""
        func = node.func
        facts = self.context.facts
        if isinstance(func, cst.Name):
            # Resolve only ``open`` and imported names: most calls are neither.
            if func.value != "open" and func.value not in facts.imports:
                return None
            return _OPENERS.get(facts.qualify(func) or "")
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value not in _PATH_METHODS:
            wrapper = func.attr.value == "TextIOWrapper" and facts.qualify(func) in _OPENERS
            return _OPENERS["io.TextIOWrapper"] if wrapper else None
        qualified = facts.qualify(func) or ""
        if qualified in _OPENERS:
            return _OPENERS[qualified]  # io.open, codecs.open
        method = func.attr.value
        if method == "open" and not self._is_path(func.value):
            return None
        if qualified.startswith(_RESOURCES):
            return None
        return _PATH_METHODS[method]

    def _remember(self, target: cst.BaseExpression, is_path: bool) -> None:
        if not isinstance(target, cst.Name):
            return
        if is_path:
            self._paths[-1].add(target.value)
        else:
            self._paths[-1].discard(target.value)

    def _is_path(self, node: cst.BaseExpression) -> bool:
        """Tell whether an expression is known to be a ``pathlib`` path."""
        if isinstance(node, cst.Name):
            return any(node.value in scope for scope in self._paths)
        if isinstance(node, cst.BinaryOperation):
            return isinstance(node.operator, cst.Divide) and self._is_path(node.left)
        if isinstance(node, cst.Attribute):
            return node.attr.value == "parent" and self._is_path(node.value)
        if not isinstance(node, cst.Call):
            return False
        func = node.func
        if self._is_path_class(func):
            return True
        if isinstance(func, cst.Attribute):
            if func.attr.value in {"home", "cwd"}:
                return self._is_path_class(func.value)
            return func.attr.value in _PATH_RETURNING and self._is_path(func.value)
        return False

    def _is_path_class(self, node: cst.BaseExpression) -> bool:
        facts = self.context.facts
        if isinstance(node, cst.Name):
            if node.value not in _PATH_CLASSES and node.value not in facts.imports:
                return False  # spare the resolution for names that cannot be a path class
        elif not isinstance(node, cst.Attribute) or node.attr.value not in _PATH_CLASSES:
            return False
        qualified = facts.qualify(node)
        if qualified is None or qualified.rsplit(".", 1)[-1] not in _PATH_CLASSES:
            return False
        return qualified in _PATH_CLASSES or qualified.startswith(_PATH_PACKAGES)

    def _is_path_type(self, annotation: cst.Annotation) -> bool:
        return self._names_path(annotation.annotation)

    def _names_path(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.BinaryOperation):
            return self._names_path(node.left) or self._names_path(node.right)
        if isinstance(node, cst.Subscript):
            # Optional[Path]
            head = dotted_name(node.value) or ""
            if head.rsplit(".", 1)[-1] != "Optional":
                return False
            index = node.slice[0].slice
            return isinstance(index, cst.Index) and self._names_path(index.value)
        if isinstance(node, cst.SimpleString):
            return str(node.evaluated_value) in _PATH_CLASSES
        return self._is_path_class(node)

    def _fix(self, node: cst.Call) -> FixSpec | None:
        change = add_keyword(self.context, node, _ENCODING)
        if change is None:
            return None
        return self.fix('Add `encoding="utf-8"`', change)


def _text_mode_without_encoding(
    node: cst.Call, mode_index: int | None, encoding: int, default_text: bool = True
) -> bool:
    """Tell whether a call opens in text mode and says nothing about the encoding.

    Args:
        node: The call.
        mode_index: Where the mode is passed positionally (None: there is no mode).
        encoding: Where the encoding is passed positionally.
        default_text: Whether the call opens in text mode when no mode is given.

    Returns:
        True when the file is opened as text without an encoding.
    """
    positional: list[cst.Arg] = []
    mode: cst.BaseExpression | None = None
    for arg in node.args:
        if arg.star:
            return False  # *args / **kwargs may carry the encoding
        if arg.keyword is None:
            positional.append(arg)
        elif arg.keyword.value == "encoding":
            return False
        elif arg.keyword.value == "mode":
            mode = arg.value
    if len(positional) > encoding:
        return False
    if mode_index is not None and len(positional) > mode_index:
        mode = positional[mode_index].value
    if mode is None:
        return default_text
    if not isinstance(mode, cst.SimpleString):
        return False  # a computed mode cannot be judged
    value = mode.evaluated_value
    return isinstance(value, str) and "b" not in value

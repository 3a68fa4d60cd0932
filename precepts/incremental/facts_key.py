"""Which module facts each leaf's findings depend on.

A change to the facts then re-checks only the leaves that read what changed.

While the rules walk a leaf they see the module facts through recording containers: every
key looked up (``facts.imports.get("sa")``, ``name in facts.models``) and every container
iterated is logged for that leaf together with a fingerprint of what it found. A cached
result stays valid while each logged lookup still finds the same thing.

Facts hold libcst nodes. A small node (a top-level value such as ``DATABASE_URL = "..."``)
is fingerprinted by its code; a node that is a whole top-level statement (a model class)
by its type only, because what the facts derive from it (its name, whether it is typed)
is fingerprinted separately and its body changes with every keystroke inside it. Rules
must therefore not read another statement's body through the facts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, ItemsView, Iterator, KeysView, ValuesView
from dataclasses import dataclass, fields
from typing import Any

import libcst as cst

from precepts.crossfile import default_service
from precepts.facts import ModuleFacts

_MISSING = ("<missing>",)
#: The dependency of a leaf on every top-level statement.
BODY = "<module.body>"
#: The dependency of a leaf on answers of the cross-file (jedi) service.
CROSSFILE = "<crossfile>"
#: The dependency of a leaf's result on the top-level statements its ranges reach (a
#: fix that edits an import): they must stay, unchanged, as many lines away.
REACH = "<reach>"
#: The dependency of a leaf on the answer of a question about the whole module.
QUERY = "<query>"
Dependency = tuple[str, Hashable, Hashable]


@dataclass(frozen=True, slots=True)
class Reads:
    """What one leaf (or statement summary) read while the rules walked it.

    The flags are worked out once here, not looked up on every check: a cached result
    is re-validated against the module's statements, the module queries' answers or the
    cross-file answers only when it read them, and then only those of its reads
    (``volatile``) unless the facts changed too.

    Attributes:
        entries: (field, key or None for the whole container, fingerprint) triples.
        body: True when it read ``module.body`` or a statement another leaf holds: it is
            re-validated whenever a statement changes.
        query: True when it relied on an answer about the whole module: it is
            re-validated whenever one of those answers changes.
        crossfile: True when it asked the cross-file service (or a module query, whose
            answer may come from other files).
        volatile: The entries that are not module facts (statements, reaches, queries,
            cross-file answers): what is re-validated while the facts stay the same.
    """

    entries: tuple[Dependency, ...] = ()
    body: bool = False
    query: bool = False
    crossfile: bool = False
    volatile: tuple[Dependency, ...] = ()

    @classmethod
    def of(cls, entries: tuple[Dependency, ...]) -> Reads:
        """Return the reads of these entries, with their flags.

        Args:
            entries: The logged lookups.

        Returns:
            The reads.
        """
        names = {name for name, _, _ in entries}
        return cls(
            entries,
            not names.isdisjoint((BODY, REACH)),
            QUERY in names,
            not names.isdisjoint((CROSSFILE, QUERY)),
            tuple(entry for entry in entries if entry[0] in _VOLATILE),
        )

    def plus(self, dependency: Dependency) -> Reads:
        """Return these reads and one more.

        Args:
            dependency: The added lookup.

        Returns:
            The new reads.
        """
        return Reads.of((*self.entries, dependency))

    def queries(self) -> Iterator[tuple[Hashable, Hashable]]:
        """Yield the key and fingerprint of each module query relied on.

        Yields:
            (query key, fingerprint of its answer) pairs.
        """
        for name, key, print_ in self.volatile:
            if name == QUERY:
                yield key, print_


#: Reads that are not module facts: they can change while the facts stay the same.
_VOLATILE = frozenset((BODY, REACH, QUERY, CROSSFILE))


def _by_identity(value: Any) -> Hashable:
    """A fingerprint of a query's answer that tells nodes apart by identity."""
    if isinstance(value, (list, tuple)):
        return tuple(_by_identity(item) for item in value)
    if isinstance(value, Hashable):
        return value  # libcst nodes compare and hash by identity
    return repr(value)


class WatchedModule(cst.Module):
    """A module that tells a :class:`FactsTracker` when a rule reads its ``body``.

    A statement rule that looks at other top-level statements through
    ``context.module.body`` depends on all of them; its leaf is then re-checked whenever
    any top-level statement changes.
    """

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name == "body" and _WATCH[0] is self:
            _WATCH[1]()  # type: ignore[misc]
        return object.__getattribute__(self, name)


# Handlers are dispatched on the class name: the watched module must still be a "Module".
WatchedModule.__name__ = WatchedModule.__qualname__ = "Module"
_WATCH: list[Any] = [None, None]


def watched(module: cst.Module) -> WatchedModule:
    """Return a :class:`WatchedModule` copy of a module (sharing every node).

    Args:
        module: A module.

    Returns:
        The same module, watched.
    """
    if isinstance(module, WatchedModule):
        return module
    return WatchedModule(
        body=module.body,
        header=module.header,
        footer=module.footer,
        encoding=module.encoding,
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        has_trailing_newline=module.has_trailing_newline,
    )


class _Log:
    """The fact lookups of one leaf."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, Hashable], None] = {}


class _Recording:
    """Logs, for a container of facts, the members looked up and whether it was iterated.

    Mixed into ``dict`` and ``set``: ``_tracker`` and ``_field`` are set on each instance.
    """

    def _note(self, key: Hashable) -> None:
        log = self._tracker.log  # type: ignore[attr-defined]
        if log is not None:
            log.entries[(self._field, key)] = None  # type: ignore[attr-defined]

    def __contains__(self, key: object) -> bool:
        self._note(key)  # type: ignore[arg-type]
        return super().__contains__(key)  # type: ignore[misc, no-any-return]

    def __iter__(self) -> Iterator[Any]:
        self._note(None)
        return super().__iter__()  # type: ignore[misc, no-any-return]

    def __len__(self) -> int:
        self._note(None)
        return super().__len__()  # type: ignore[misc, no-any-return]


class _RecordingDict(_Recording, dict):  # type: ignore[type-arg]
    """A dict that logs the keys looked up and whether it was iterated."""

    def __getitem__(self, key: Hashable) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: Hashable, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def keys(self) -> KeysView[Any]:
        self._note(None)
        return super().keys()

    def values(self) -> ValuesView[Any]:
        self._note(None)
        return super().values()

    def items(self) -> ItemsView[Any, Any]:
        self._note(None)
        return super().items()


class _RecordingSet(_Recording, set):  # type: ignore[type-arg]
    """A set that logs the members tested and whether it was iterated."""


class FactsTracker:
    """Fingerprints facts and records which of them each leaf reads.

    Attributes:
        facts: The current facts, as the rules see them (recording containers).
        log: The log being filled, or None outside a leaf walk.
    """

    def __init__(self) -> None:
        """Start with no facts."""
        self._codes: dict[int, tuple[cst.CSTNode, str]] = {}
        self._memo: dict[tuple[str, Hashable], Hashable] = {}
        self.facts: ModuleFacts = ModuleFacts()
        self._plain: ModuleFacts = ModuleFacts()
        self.source: ModuleFacts | None = None
        self.log: _Log | None = None
        self._statements: set[int] = set()
        self._module = cst.Module(body=())
        self._starts_of: Callable[[], dict[int, int]] = dict
        self._starts: dict[int, int] | None = None
        self._answers: dict[Hashable, Any] = {}
        #: The context of the current check (queries are asked of it).
        self.context: Any = None

    def load(self, facts: ModuleFacts, module: cst.Module) -> Hashable:
        """Take the facts of a new check; return the fingerprint of all of them.

        Args:
            facts: The facts just computed.
            module: The module they come from.

        Returns:
            A comparable fingerprint of every fact.
        """
        self._statements = {id(statement) for statement in module.body}
        self._module = module
        self._body_ids = tuple(id(statement) for statement in module.body)
        seen: dict[int, tuple[cst.CSTNode, str]] = {}
        self._seen = seen
        self._plain = facts
        self.source = facts
        self._memo: dict[tuple[str, Hashable], Hashable] = {}  # per check
        recording = copy.copy(facts)
        for item in fields(facts):
            value = getattr(facts, item.name)
            wrapped: Any = value
            if isinstance(value, dict):
                wrapped = _RecordingDict(value)
            elif isinstance(value, set):
                wrapped = _RecordingSet(value)
            if wrapped is not value:
                wrapped._tracker = self
                wrapped._field = item.name
                setattr(recording, item.name, wrapped)
        self.facts = recording
        key = self.fingerprint(facts)
        self._codes = seen
        return key

    def rebind(self, module: cst.Module) -> None:
        """Keep the same facts for a new module (only function bodies changed).

        Args:
            module: The new module.
        """
        self._statements = {id(statement) for statement in module.body}
        self._module = module
        self._memo = {
            key: value for key, value in self._memo.items() if key[0] not in (BODY, CROSSFILE)
        }

    def begin(self, context: Any, starts: Callable[[], dict[int, int]]) -> None:
        """Take the check that starts: its context and where its leaves start.

        Module queries are asked of the context; reaches are measured between starts.

        Args:
            context: The check's rule context.
            starts: Returns ``id`` of each leaf and of each top-level statement node → its
                first line; called only when a reach is validated.
        """
        self.context = context
        self._starts_of = starts
        self._starts = None
        self._answers = {}
        self._memo = {key: value for key, value in self._memo.items() if key[0] != REACH}

    def end(self) -> None:
        """Forget the check: its context, its layout and the answers given to it."""
        self.context = None
        self._starts_of = dict
        self._starts = None
        self._answers = {}
        self._memo = {key: value for key, value in self._memo.items() if key[0] != QUERY}

    def start(self) -> None:
        """Start logging the lookups of one leaf."""
        self.log = _Log()

    def watch_body(self) -> None:
        """From now until :meth:`stop`, log reads of ``module.body`` and cross-file questions."""
        _WATCH[0], _WATCH[1] = self._module, self._note_body
        default_service().observer = self._note_crossfile

    def _note_crossfile(self) -> None:
        if self.log is not None:
            self.log.entries[(CROSSFILE, None)] = None

    def _note_body(self) -> None:
        if self.log is not None:
            self.log.entries[(BODY, None)] = None

    def body_dependency(self) -> Dependency:
        """Return a dependency on every top-level statement.

        A cross-statement finding, such as a fix that edits an import, depends on it.

        Returns:
            The dependency.
        """
        return (BODY, None, self._lookup(BODY, None))

    def reach_dependency(self, leaf: object, statements: tuple[cst.CSTNode, ...]) -> Dependency:
        """Return a dependency on top-level statements a leaf's result reaches into.

        It holds while each statement is still in the module, the same node (so the
        same text), as many lines from the leaf as when the result was computed: the
        result's ranges are kept relative to the leaf.

        Args:
            leaf: The leaf (its cache holds the result, so its ``id`` stays its own).
            statements: The statements reached.

        Returns:
            The dependency.
        """
        # The nodes themselves are in the key: they stay alive (their ids unique) as long
        # as the result that depends on them.
        key = (id(leaf), statements)
        return (REACH, key, self._lookup(REACH, key))

    def query(self, query: Callable[..., Any], args: tuple[Hashable, ...]) -> Any:
        """Answer ``query(context, *args)`` once per check and log the leaf's reliance on it.

        Reading ``module.body`` inside the query is not logged: the leaf depends on the
        answer, which is compared by identity for nodes (the same statement, not one with
        the same text) and by value otherwise.

        Args:
            query: A function of the check's context that only reads the module.
            args: Its other arguments.

        Returns:
            The answer.
        """
        key = (query, args)
        if self.log is not None:
            self.log.entries[(QUERY, key)] = None
        return self._answer(key)

    def _answer(self, key: tuple[Callable[..., Any], tuple[Hashable, ...]]) -> Any:
        try:
            return self._answers[key]
        except KeyError:
            pass
        # What the query reads (the body, facts, other files) is not the leaf's: the leaf
        # depends on the answer, computed again and compared when anything changes.
        watch, log = _WATCH[0], self.log
        _WATCH[0] = self.log = None
        try:
            value = self._answers[key] = key[0](self.context, *key[1])
        finally:
            _WATCH[0], self.log = watch, log
        return value

    def note_module_read(self) -> None:
        """Log that a rule read the whole module (its ``ast`` tree, say) for this leaf."""
        self._note_body()

    def stop(self) -> Reads:
        """Stop logging and return what was read, with fingerprints.

        Returns:
            The reads: (field, key or None for the whole container, fingerprint) triples.
        """
        _WATCH[0] = _WATCH[1] = None
        default_service().observer = None
        log, self.log = self.log, None
        if log is None:
            return Reads()
        return Reads.of(tuple((name, key, self._lookup(name, key)) for name, key in log.entries))

    def still_valid(self, dependencies: Reads, facts_too: bool = True) -> bool:
        """Tell whether every recorded lookup still finds the same thing.

        Args:
            dependencies: What :meth:`stop` returned for a leaf.
            facts_too: False when the module facts are known unchanged since the reads
                were last validated: only the other reads are looked up again.

        Returns:
            True when the leaf's cached findings still hold.
        """
        entries = dependencies.entries if facts_too else dependencies.volatile
        return all(self._lookup(name, key) == print_ for name, key, print_ in entries)

    def reach_print(self, key: Hashable) -> Hashable:
        """Return the distances of a reach's statements in the current check.

        Args:
            key: The reach's key, as recorded in the reads.

        Returns:
            One distance in lines per statement (None for one no longer there).
        """
        return self._lookup(REACH, key)

    def query_print(self, key: Hashable) -> Hashable:
        """Return the fingerprint of a module query's answer in the current check.

        Args:
            key: The query's key, as recorded in the reads.

        Returns:
            The fingerprint.
        """
        return self._lookup(QUERY, key)

    def _lookup(self, name: str, key: Hashable) -> Hashable:
        try:
            return self._memo[(name, key)]
        except (KeyError, TypeError):
            pass
        found = self._find(name, key)
        try:
            self._memo[(name, key)] = found
        except TypeError:
            pass
        return found

    def _find(self, name: str, key: Hashable) -> Hashable:
        if name == CROSSFILE:
            return default_service().generation
        if name == BODY:
            body = object.__getattribute__(self._module, "body")
            return ("body", tuple(id(statement) for statement in body))
        if name == QUERY:
            return _by_identity(self._answer(key))  # type: ignore[arg-type]
        if name == REACH:
            leaf, statements = key  # type: ignore[misc]
            if self._starts is None:
                self._starts = self._starts_of()
            starts = self._starts
            at = starts.get(leaf)
            return tuple(
                None if at is None or id(node) not in starts else at - starts[id(node)]
                for node in statements
            )
        container = getattr(self._plain, name, None)
        if key is None:
            return self.fingerprint(container)
        try:
            if isinstance(container, dict):
                return self.fingerprint(dict.get(container, key, _MISSING))
            if isinstance(container, set):
                return set.__contains__(container, key)
        except TypeError:  # an unhashable key: compare the whole container
            return self.fingerprint(container)
        return self.fingerprint(container)

    def fingerprint(self, value: Any) -> Hashable:
        """Return a comparable fingerprint of a fact value.

        Args:
            value: Any value held by the facts.

        Returns:
            A hashable value.
        """
        if isinstance(value, cst.CSTNode):
            return self._node(value)
        if isinstance(value, dict):
            return ("dict", tuple(sorted((repr(k), self.fingerprint(v)) for k, v in value.items())))
        if isinstance(value, (set, frozenset)):
            return ("set", tuple(sorted((self.fingerprint(v) for v in value), key=repr)))
        if isinstance(value, (list, tuple)):
            return ("seq", tuple(self.fingerprint(v) for v in value))
        names = getattr(value, "__dataclass_fields__", None)
        if names:
            return (
                type(value).__name__,
                tuple((n, self.fingerprint(getattr(value, n))) for n in names),
            )
        if isinstance(value, Hashable):
            return value
        return repr(value)

    def _node(self, node: cst.CSTNode) -> Hashable:
        if id(node) in self._statements:
            return ("statement", type(node).__name__)
        known = self._codes.get(id(node)) or self._seen.get(id(node))
        if known is None or known[0] is not node:
            known = (node, self._module.code_for_node(node))
        self._seen[id(node)] = known
        return ("node", known[1])

"""BP608 settings-without-basesettings: configuration read all over the code base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from precepts.configreads import (
    ConfigSpread,
    default_index,
    is_settings_path,
    is_system_variable,
)
from precepts.findings import Range
from precepts.rule import Example, Option, Rule
from precepts.rules.services._env import env_read, is_settings_class, string_value


@dataclass(frozen=True)
class StatementReads:
    """What one top-level statement holds: environment reads and settings classes."""

    reads: tuple[tuple[cst.CSTNode, str], ...]
    settings_class: bool


class SettingsWithoutBaseSettings(Rule):
    """Flags ``os.getenv`` calls scattered across modules instead of one settings class."""

    code = "BP608"
    name = "settings-without-basesettings"
    family = "services"
    section = "Service Configuration & Secrets"
    message = "Configuration read with `os.getenv` here: read it through the settings class"
    summary = (
        "Environment reads (`os.getenv(...)`, `os.environ.get(...)`, `os.environ[...]`, "
        "under any alias) in a module that is not the settings module, when the project's "
        "configuration is scattered: it has a settings module that this module bypasses, "
        "or `min-modules` or more modules read the environment themselves. A conclusion "
        "over many files: `precepts check` draws it over the files it checks, the language "
        "server over the workspace's files (scanned in the background and again after a "
        "save), and reports it on the reads of the open file."
    )
    why = (
        "When every module reads its own variables, nobody can list what a deployment must "
        "set, a typo in a variable name silently gives the default, values arrive as "
        "strings parsed differently in each place, and tests must patch the environment. "
        "One `BaseSettings` class declares every setting with its type and default, fails "
        "at start-up when a required one is missing, and is what the other modules import."
    )
    leaves_alone = (
        "The settings module itself: a module defining a settings class (a `BaseSettings` "
        "subclass, or a class whose base is named `...Settings`), and a module that binds "
        "names from the environment which other modules import (the project's settings "
        "module, written without pydantic), and a module named as one (`settings.py`, "
        "`config.py`, `app_config.py`, `env.py`, anything in a `settings`/`config` package); "
        "a project where fewer than `min-modules` modules read the environment and no "
        "settings module exists; reads with a computed key (`os.environ[name]`: templating, "
        "secrets backends, saving and restoring the environment); variables of the system, "
        "CI providers and other tools rather than the service (`PATH`, `HOME`, `TZ`, `LC_*`, "
        "`XDG_*`, `CI_*`, `GITHUB_*`, `OTEL_*`...), private ones (`_APP_CHILD`, a parent "
        "process passing context to its child) and those listed in `ignore-variables`; "
        "writes (`os.environ[key] = value`); tests."
    )
    options = {
        "min-modules": Option(
            2, "How many modules must read the environment for the reads to be scattered."
        ),
        "ignore-variables": Option(
            (), "More variables that are not the service's settings (`NAME` or `PREFIX*`)."
        ),
    }
    bad = (
        Example(
            "import os\n"
            "\n"
            "\n"
            "def connect_url() -> str:\n"
            '    """Build the database URL."""\n'
            '    return os.environ["DATABASE_URL"]\n',
            line=6,
            options={"min-modules": 1},
        ),
    )
    good = (
        Example(
            "from pydantic_settings import BaseSettings\n"
            "\n"
            "\n"
            "class Settings(BaseSettings):\n"
            '    """Settings read from the environment."""\n'
            "\n"
            "    DATABASE_URL: str\n"
            "    DEBUG: bool = False\n"
            "\n"
            "\n"
            "settings = Settings()\n",
        ),
    )
    scope = "module"
    summary_parts = True

    def setup(self) -> None:
        """Start a statement with nothing seen."""
        self._reads: list[tuple[cst.CSTNode, str]] = []
        self._settings_class = False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """A settings class makes this module the settings module."""
        self._settings_class = self._settings_class or is_settings_class(node)

    def visit_Call(self, node: cst.Call) -> None:
        """Note ``os.getenv(...)`` / ``os.environ.get(...)``."""
        self._note(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Note ``os.environ[...]`` read as a value."""
        parent = self.context.parent
        if isinstance(parent, (cst.AssignTarget, cst.Del)) or (
            isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node
        ):
            return  # a write
        self._note(node)

    def _note(self, node: cst.Call | cst.Subscript) -> None:
        key = env_read(self.context.facts, node)
        if key is None:
            return
        name = string_value(key)
        # A computed key is machinery (templating, a secrets backend), not a setting.
        if name is None or is_system_variable(name) or self._ignored(name):
            return
        self._reads.append((node, name))

    def _ignored(self, name: str) -> bool:
        for pattern in self.option("ignore-variables"):
            if name == pattern or (pattern.endswith("*") and name.startswith(pattern[:-1])):
                return True
        return False

    def end_statement(self) -> StatementReads | None:
        """Return the statement's reads and whether it defines a settings class.

        Returns:
            The summary, or None when the statement holds neither.
        """
        if not self._reads and not self._settings_class:
            return None
        summary = StatementReads(tuple(self._reads), self._settings_class)
        self._reads, self._settings_class = [], False
        return summary

    @classmethod
    def combine(cls, parts: Sequence[StatementReads | None]) -> StatementReads | None:
        """Every part's reads; a settings class when any part saw one.

        Args:
            parts: The parts' summaries, in file order.

        Returns:
            The statement's summary.
        """
        seen = [part for part in parts if part is not None]
        if not seen:
            return None
        return StatementReads(
            tuple(read for part in seen for read in part.reads),
            any(part.settings_class for part in seen),
        )

    def finish(self, summaries: Sequence[StatementReads | None]) -> None:
        """Report the reads when the project's configuration is scattered.

        Args:
            summaries: One summary per top-level statement, in file order.
        """
        present = [(index, s) for index, s in enumerate(summaries) if s is not None]
        if self.context.is_test or any(s.settings_class for _, s in present):
            return
        reads = [(index, node, name) for index, s in present for node, name in s.reads]
        if not reads:
            return
        spread = self._spread()
        message = None if spread is None else self._verdict(spread)
        if spread is None or message is None:
            return
        for index, node, name in reads:
            if name not in spread.written:
                self.report(self._range(index, node), message)

    def _spread(self) -> ConfigSpread | None:
        """Return the facts to conclude over: the checked files', or this file alone."""
        index = default_index()
        spread = index.spread()
        if spread is None and not index.serving:
            me = str(Path(self.context.path).resolve())
            spread = ConfigSpread(frozenset(), frozenset({me}))
        return spread  # None in the server until the workspace scan answers

    def _verdict(self, spread: ConfigSpread) -> str | None:
        """Return the message when this module's reads are scattered configuration."""
        me = str(Path(self.context.path).resolve())
        if me in spread.settings_modules or is_settings_path(me):
            return None
        if spread.primary is not None:
            where = _relative(spread.primary, me)
            return (
                f"Configuration read with `os.getenv` outside the settings module: declare it "
                f"in `{where}` and import it from there"
            )
        readers = len(spread.reading_modules | {me})
        if readers < self.option("min-modules"):
            return None
        return (
            f"Configuration read with `os.getenv` in {readers} modules: declare it once in a "
            "`BaseSettings` class and import the settings"
        )

    def _range(self, index: int, node: cst.CSTNode) -> Range:
        positions = self.context.positions
        try:
            return positions.range_of(node, index)
        except KeyError:  # a node kept from an earlier parse: its statement's start
            line = positions.first_line(index)
            return Range.of(line, 0, line, 0)


def _relative(target: str, me: str) -> str:
    """Show the settings module relative to the folder both files share."""
    left, right = Path(me).parent.parts, Path(target).parts
    shared = 0
    while shared < min(len(left), len(right)) and left[shared] == right[shared]:
        shared += 1
    # Keep the package folder in view: ``app/config.py`` rather than ``config.py``.
    return str(Path(*right[max(shared - 1, 1) :]))

"""The editor's settings for the server (the ``precepts`` section).

They arrive in ``initializationOptions`` (as ``{"settings": {...}}``, ``{"precepts":
{...}}`` or the keys themselves) and through ``workspace/configuration`` (per workspace
folder), which overrides them key by key. A bad value is reported and ignored; the
other keys still apply.

========================  ==========================================================
key                       meaning
========================  ==========================================================
``select``                rule codes/prefixes to enable (replaces the config's; an
                          empty list means "not set", as editors default arrays to ``[]``)
``ignore``                rule codes/prefixes to switch off (added to the config's)
``severity``              code → ``error|warning|info|hint``
``unsafeFixes``           offer and apply unsafe fixes
``debounce``              milliseconds to wait after a change before checking (default 0)
``configPath``            a configuration file for every file (relative to the folder)
``incremental``           re-check only what changed (``false``: a full check each time)
``dropTreeAfter``         seconds without an edit before a document's tree is freed
``maxFileSize``           bytes above which a document is not checked
========================  ==========================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from precepts.config import ConfigError, Settings
from precepts.findings import Severity
from precepts.registry import all_rules

log = logging.getLogger(__name__)

SECTION = "precepts"
DEFAULT_DEBOUNCE_MS = 0  # checked as soon as it changes; changes during a check coalesce
DEFAULT_DROP_TREE_AFTER = 300.0
DEFAULT_MAX_FILE_SIZE = 1_000_000


@dataclass(frozen=True)
class ClientSettings:
    """Validated editor settings.

    Attributes:
        select: Replaces the configuration's ``select`` when given.
        ignore: Added to the configuration's ``ignore``.
        severity: Code → severity, over the configuration's.
        unsafe_fixes: Overrides the configuration's ``unsafe-fixes`` when given.
        debounce: Seconds between the last change and a check.
        config_path: A configuration file that applies to every file.
        incremental: Whether documents are checked incrementally.
        drop_tree_after: Seconds without an edit before a document's tree is freed.
        max_file_size: Documents larger than this many bytes are not checked.
        show_baselined: Show the findings the baseline accepts as hints instead of hiding.
    """

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    unsafe_fixes: bool | None = None
    debounce: float = DEFAULT_DEBOUNCE_MS / 1000
    config_path: str | None = None
    incremental: bool = True
    drop_tree_after: float = DEFAULT_DROP_TREE_AFTER
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    show_baselined: bool = False

    def apply(self, settings: Settings) -> tuple[Settings, list[ConfigError]]:
        """Apply these settings over a configuration file's.

        Each override is applied on its own: a ``select`` naming no rule is dropped
        (and returned as an error) while ``ignore``, ``unsafeFixes`` and ``severity``
        still apply.

        Args:
            settings: Settings read from a file (or defaults).

        Returns:
            The effective settings and the overrides that could not be applied.
        """
        errors = []
        overrides: tuple[dict[str, Any], ...] = (
            {"select": self.select},
            {"ignore": self.ignore},
            {"unsafe_fixes": self.unsafe_fixes},
        )
        for override in overrides:
            try:
                settings = settings.with_overrides(**override)
            except ConfigError as error:
                errors.append(error)
        if self.severity:
            settings = replace(settings, severity={**settings.severity, **self.severity})
        return settings, errors


def section_of(raw: Any) -> dict[str, Any]:
    """Find the ``precepts`` settings in what a client sent.

    Args:
        raw: ``initializationOptions``, a ``didChangeConfiguration`` payload or a
            ``workspace/configuration`` answer.

    Returns:
        The settings as a dict (empty when there are none).
    """
    if not isinstance(raw, Mapping):
        return {}
    for key in ("settings", SECTION):
        inner = raw.get(key)
        if isinstance(inner, Mapping):
            return section_of(inner) if SECTION in inner else dict(inner)
    return dict(raw)


def _codes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected an array of rule codes")
    return tuple(value)


def _selection(value: Any) -> tuple[str, ...] | None:
    # Editors and plugin managers often send an empty array for "nothing configured";
    # selecting no rule at all is never what the user meant, so [] leaves select unset.
    codes = _codes(value)
    return codes or None


def _severity(value: Any) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        raise ValueError('expected an object of "CODE": "error|warning|info|hint"')
    rules = all_rules()
    result = {}
    for code, level in value.items():
        if str(code).upper() not in rules:
            raise ValueError(f"unknown rule code {code!r}")
        try:
            result[str(code).upper()] = Severity(level)
        except ValueError:
            raise ValueError(f"{code}: expected error, warning, info or hint") from None
    return result


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("expected a number >= 0")
    return float(value)


def _path(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected a path")
    return value


# key → (field, parser)
_KEYS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "select": ("select", _selection),
    "ignore": ("ignore", _codes),
    "severity": ("severity", _severity),
    "unsafeFixes": ("unsafe_fixes", _boolean),
    "debounce": ("debounce", lambda v: _number(v) / 1000),
    "configPath": ("config_path", _path),
    "incremental": ("incremental", _boolean),
    "dropTreeAfter": ("drop_tree_after", _number),
    "maxFileSize": ("max_file_size", lambda v: int(_number(v))),
    "showBaselined": ("show_baselined", _boolean),
}


def parse_client_settings(raw: Mapping[str, Any]) -> tuple[ClientSettings, list[str]]:
    """Validate editor settings; bad values are skipped and described.

    Args:
        raw: The ``precepts`` section (see :func:`section_of`).

    Returns:
        The settings and one message per rejected key.
    """
    values: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        if value is None or key not in _KEYS:
            continue  # unknown keys belong to the editor extension (path, trace, ...)
        name, parse = _KEYS[key]
        try:
            values[name] = parse(value)
        except ValueError as error:
            problems.append(f"setting `{SECTION}.{key}`: {error}")
    return ClientSettings(**values), problems


def merged(*sections: Mapping[str, Any]) -> dict[str, Any]:
    """Merge settings sections, later ones winning key by key.

    Args:
        sections: Sections from least to most specific.

    Returns:
        The merged section.
    """
    result: dict[str, Any] = {}
    for section in sections:
        result.update({key: value for key, value in section.items() if value is not None})
    return result


class EditorSettings:
    """The editor's settings for each workspace folder, from every place they arrive.

    ``initializationOptions`` come first, then the last ``didChangeConfiguration``
    payload, then the answers to ``workspace/configuration`` (global, then per folder).
    """

    def __init__(self, on_problem: Callable[[str], None]) -> None:
        """Start with no settings.

        Args:
            on_problem: Called with a message for each rejected setting.
        """
        self._on_problem = on_problem
        self._initial: dict[str, Any] = {}
        self._pushed: dict[str, Any] = {}
        self._pulled: dict[str, dict[str, Any]] = {}
        self._parsed: dict[str, ClientSettings] = {}
        self._logged: dict[str, ClientSettings] = {}

    def initial(self, options: Any) -> None:
        """Take the settings of ``initializationOptions``.

        Args:
            options: The client's initialization options.
        """
        self._initial = section_of(options)
        self._parsed.clear()

    def pushed(self, payload: Any) -> None:
        """Take the settings of a ``didChangeConfiguration`` notification.

        Args:
            payload: Its ``settings`` (ignored unless it holds a ``precepts`` section).
        """
        if isinstance(payload, Mapping) and (SECTION in payload or "settings" in payload):
            self._pushed = section_of(payload)
            self._parsed.clear()

    def pulled(self, values: list[Any], folder_uris: list[str]) -> None:
        """Take the answer to ``workspace/configuration``.

        Args:
            values: The global section, then one per folder.
            folder_uris: The folders asked about, in order.
        """
        self._pulled = {"": section_of(values[0]) if values else {}}
        for uri, value in zip(folder_uris, values[1:], strict=False):
            self._pulled[uri] = section_of(value)
        self._parsed.clear()

    def for_folder(self, folder_uri: str) -> ClientSettings:
        """Return the settings of a workspace folder (invalid keys reported once, skipped).

        Args:
            folder_uri: The folder (``""`` for files outside every folder).

        Returns:
            The settings.
        """
        cached = self._parsed.get(folder_uri)
        if cached is not None:
            return cached
        section = merged(
            self._initial,
            self._pushed,
            self._pulled.get("", {}),
            self._pulled.get(folder_uri, {}),
        )
        settings, problems = parse_client_settings(section)
        for problem in problems:
            self._on_problem(problem)
        if settings != self._logged.get(folder_uri):
            self._logged[folder_uri] = settings
            where = folder_uri or "files outside the folders"
            log.info("editor settings for %s: %s", where, settings)
        self._parsed[folder_uri] = settings
        return settings


def describe_override_error(error: ConfigError) -> str:
    """Describe an editor setting that names no rule.

    Args:
        error: Raised by :meth:`ClientSettings.apply`.

    Returns:
        A message for the user.
    """
    return f"setting `{SECTION}.{error.key}`: {error.problem} (the setting is ignored)"

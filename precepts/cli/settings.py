"""Resolving the settings that govern each checked path, with command-line overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from precepts.config import Settings, find_config, load_settings


@dataclass
class Overrides:
    """Settings given on the command line; they win over configuration files."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    unsafe_fixes: bool | None = None

    def apply(self, settings: Settings) -> Settings:
        """Return ``settings`` with these overrides applied.

        Args:
            settings: Settings read from a file.

        Returns:
            The overridden settings.
        """
        return settings.with_overrides(
            select=self.select,
            extend_select=self.extend_select,
            ignore=self.ignore,
            unsafe_fixes=self.unsafe_fixes,
        )


class SettingsResolver:
    """Finds, loads (once per file) and overrides the settings for any path."""

    def __init__(self, overrides: Overrides, config: Path | None = None) -> None:
        """Create a resolver.

        Args:
            overrides: Command-line overrides.
            config: A configuration file that applies everywhere (``--config``).
        """
        self.overrides = overrides
        self.config = config
        self._loaded: dict[Path | None, Settings] = {}

    def config_for(self, path: Path) -> Path | None:
        """Return the configuration file that governs ``path``.

        Args:
            path: A file or directory.

        Returns:
            The file, or None for defaults.
        """
        return self.config if self.config is not None else find_config(path)

    def __call__(self, path: Path) -> Settings:
        """Return the effective settings for ``path``.

        Args:
            path: A file or directory.

        Returns:
            The settings.

        Raises:
            ConfigError: When the governing configuration is invalid.
        """
        source = self.config_for(path)
        settings = self._loaded.get(source)
        if settings is None:
            base = load_settings(source) if source is not None else Settings(root=Path.cwd())
            settings = self.overrides.apply(base)
            self._loaded[source] = settings
        return settings

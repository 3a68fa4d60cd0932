"""The baseline in the editor: findings the team accepted are hidden (or shown as hints).

The server reads the same baseline file as ``precepts check`` (see
:mod:`precepts.baseline`), the one of each document's configuration. A file is read
again when its size or modification time changes, so a check never uses a stale copy;
an edit of the file on disk also re-checks the open documents (the server watches it).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path

from precepts.baseline import DEFAULT_NAME, Baseline, BaselineError, default_path
from precepts.config import Settings
from precepts.findings import Finding, Severity

log = logging.getLogger(__name__)

BASELINE_GLOB = f"**/{DEFAULT_NAME}"
_SUFFIX = " (accepted in the baseline)"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class BaselineStore:
    """The baselines of the workspace's configurations, read on demand."""

    def __init__(self) -> None:
        """Create an empty store."""
        self._lock = threading.Lock()  # checks run on a worker thread, events on the loop
        self._loaded: dict[Path, tuple[tuple[int, int] | None, Baseline | None]] = {}

    def baseline_for(self, settings: Settings) -> Baseline | None:
        """Return the baseline of a configuration (None when there is none or it is bad).

        Args:
            settings: A document's settings.

        Returns:
            The baseline.
        """
        path = default_path(settings)
        stamp = _stamp(path)
        with self._lock:
            known = self._loaded.get(path)
            if known is not None and known[0] == stamp:
                return known[1]
        baseline = None
        if stamp is not None:
            try:
                baseline = Baseline.load(path)
            except BaselineError as error:
                log.warning("%s (its findings are shown)", error)
        with self._lock:
            self._loaded[path] = (stamp, baseline)
        return baseline

    def is_baseline(self, path: Path) -> bool:
        """Tell whether a file is a baseline (the default name, or one in use).

        Args:
            path: A file path.

        Returns:
            True for a baseline file.
        """
        with self._lock:
            return path.name == DEFAULT_NAME or path.resolve() in self._loaded

    def filter(
        self, settings: Settings, path: Path | None, text: str, findings: list[Finding], show: bool
    ) -> list[Finding]:
        """Hide (or turn into hints) the findings a document's baseline accepts.

        Args:
            settings: The document's settings.
            path: Its file (unsaved documents have no baseline).
            text: Its text.
            findings: Its findings.
            show: Keep accepted findings, as hints.

        Returns:
            The findings to show, in file order.
        """
        baseline = self.baseline_for(settings) if path is not None and findings else None
        if baseline is None or path is None:
            return findings
        new, accepted = baseline.split(path, text, findings)
        if not accepted:
            return findings
        if not show:
            return new
        hints = [replace(f, severity=Severity.HINT, message=f.message + _SUFFIX) for f in accepted]
        return sorted(new + hints, key=Finding.sort_key)

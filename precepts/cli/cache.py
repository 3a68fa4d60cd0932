"""The result cache of ``precepts check``: unchanged files are not checked again.

One entry per checked file (and configuration), under ``.precepts_cache/`` beside the
configuration (``cache-dir`` in ``[tool.precepts]``). An entry is used only when all of
these are unchanged: the file's bytes, the effective settings, precepts (its version
and its own source), Python's version, the installed rule plugins' versions, and the
content of every other file the findings' cross-file lookups read (a module that
defines an imported model, say; one that was missing must still be missing).

Entries are JSON, written atomically (a private temporary file, then ``os.replace``),
so parallel workers and parallel runs never see half an entry. An entry that does not
parse, has another schema, or names another file or configuration is ignored and later
overwritten: the cache is never trusted further than it proves itself.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from precepts import __version__
from precepts.atomic import write_atomically
from precepts.cli.formats import FileReport
from precepts.cli.runner import Job, Outcome
from precepts.config import Settings
from precepts.engine import decode
from precepts.findings import (
    Applicability,
    Finding,
    Fix,
    Range,
    RelatedLocation,
    Severity,
    TextEdit,
)
from precepts.registry import ENTRY_POINT_GROUP

SCHEMA = 1
DEFAULT_DIR = ".precepts_cache"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# precepts' result cache\n"

# (path, mtime, size) → sha256 of the bytes: one run hashes a shared module once.
_hashes: dict[tuple[str, int, int], str | None] = {}


def cache_dir(settings: Settings) -> Path:
    """Return the cache directory of these settings.

    Args:
        settings: The governing settings.

    Returns:
        ``cache-dir`` relative to the configuration's directory, else ``.precepts_cache``.
    """
    base = settings.path.parent if settings.path is not None else settings.root
    return (base / (settings.cache_dir or DEFAULT_DIR)).resolve()


def source_roots() -> list[Path]:
    """Return the folders precepts' own source is read from, each once.

    ``precepts.rules`` and ``precepts.server`` are not inside ``precepts/`` in a checkout:
    ``pyproject.toml`` maps the top-level ``rules/`` and ``server/`` into the package. In a
    wheel they are; a folder inside another one already listed is left out.

    Returns:
        The folders, outermost first.
    """
    import precepts

    found = [Path(path).resolve() for path in precepts.__path__]
    for name in ("precepts.rules", "precepts.server"):
        # find_spec locates a subpackage without running it (the server imports pygls).
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            continue
        for path in spec.submodule_search_locations:
            folder = Path(path).resolve()
            if not any(folder.is_relative_to(root) for root in found):
                found.append(folder)
    return found


def _source_stamp(roots: list[Path]) -> list[tuple[str, int, int]]:
    stamps = []
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                if name.endswith(".py"):
                    path = os.path.join(directory, name)
                    stat = os.stat(path)
                    stamps.append((path, stat.st_size, stat.st_mtime_ns))
    return sorted(stamps)


@lru_cache(maxsize=1)
def tool_stamp() -> str:
    """Return what identifies the checking code: precepts, Python and rule plugins.

    precepts' own source files count by size and modification time, so that a rule
    edited in a development checkout does not serve stale results under the same
    version number.

    Returns:
        16 hex digits.
    """
    plugins = sorted(
        f"{entry.name}={entry.value}@{entry.dist.version if entry.dist else '?'}"
        for entry in entry_points(group=ENTRY_POINT_GROUP)
    )
    parts = [__version__, sys.version, *plugins]
    parts.extend(map(repr, _source_stamp(source_roots())))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def content_hash(data: bytes) -> str:
    """Return the hash files are compared by.

    Args:
        data: A file's bytes.

    Returns:
        Hex digest.
    """
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    """Return the hash of a file's bytes (None when it does not exist or cannot be read).

    Args:
        path: The file.

    Returns:
        The hash, or None.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        try:
            _hashes[key] = content_hash(path.read_bytes())
        except OSError:
            _hashes[key] = None
    return _hashes[key]


def _entry_identity(job: Job) -> tuple[Path, str]:
    """Return the entry file of a job and the identity an entry must carry."""
    identity = f"{Path(job.path).resolve()}\0{job.settings!r}\0{_spread_key(job)}"
    name = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return cache_dir(job.settings) / f"v{SCHEMA}-{tool_stamp()}" / f"{name}.json", identity


# -- findings as JSON -------------------------------------------------------------------


def _range_json(where: Range) -> list[int]:
    return [where.start.line, where.start.column, where.end.line, where.end.column]


def _range_from(value: Any) -> Range:
    if not (isinstance(value, list) and len(value) == 4 and all(type(v) is int for v in value)):
        raise ValueError("bad range")
    return Range.of(*value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def finding_json(finding: Finding) -> dict[str, Any]:
    """Turn a finding into JSON data.

    Args:
        finding: The finding.

    Returns:
        The data.
    """
    fix = finding.fix
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "severity": finding.severity.value,
        "range": _range_json(finding.range),
        "related": [[_range_json(r.range), r.message] for r in finding.related],
        "fix": None
        if fix is None
        else {
            "message": fix.message,
            "applicability": fix.applicability.value,
            "edits": [[_range_json(e.range), e.content] for e in fix.edits],
        },
        "data": finding.data,
    }


def finding_from_json(data: Any) -> Finding:
    """Rebuild a finding from JSON data, checking every field.

    Args:
        data: What :func:`finding_json` produced.

    Returns:
        The finding.

    Raises:
        ValueError: When the data is not a well-formed finding.
        KeyError: When a field is missing.
        TypeError: When a value has the wrong type.
    """
    fix_data = data["fix"]
    fix = None
    if fix_data is not None:
        edits = tuple(TextEdit(_range_from(r), _text(c)) for r, c in fix_data["edits"])
        applicability = Applicability(fix_data["applicability"])
        fix = Fix(_text(fix_data["message"]), edits, applicability)
    related = tuple(RelatedLocation(_range_from(r), _text(m)) for r, m in data["related"])
    extra = data["data"]
    if not isinstance(extra, dict):
        raise ValueError("bad data")
    return Finding(
        _text(data["code"]),
        _text(data["name"]),
        _text(data["message"]),
        Severity(data["severity"]),
        _range_from(data["range"]),
        related,
        fix,
        extra,
    )


# -- reading and writing entries ---------------------------------------------------------


def _deps_unchanged(deps: Any) -> bool:
    if not isinstance(deps, dict):
        return False
    return all(file_hash(Path(path)) == digest for path, digest in deps.items())


def _read_entry(entry: Path, identity: str, digest: str) -> list[Finding] | None:
    try:
        data = json.loads(entry.read_bytes())
        valid = (
            isinstance(data, dict)
            and data.get("schema") == SCHEMA
            and data.get("identity") == identity
            and data.get("content") == digest
            and _deps_unchanged(data.get("deps"))
        )
        return [finding_from_json(item) for item in data["findings"]] if valid else None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing, torn by a crash, foreign or corrupt: check the file instead


def _fix_pending(findings: list[Finding], job: Job) -> bool:
    if not (job.fix or job.diff):
        return False
    unsafe = job.settings.unsafe_fixes
    return any(
        f.fix is not None and (f.fix.applicability is Applicability.SAFE or unsafe)
        for f in findings
    )


def lookup(job: Job) -> Outcome | None:
    """Return a job's outcome from the cache, or None when it must be checked.

    With ``--fix`` or ``--diff``, a file whose cached findings have a fix to apply is
    checked again (the fix needs the tree).

    Args:
        job: The job.

    Returns:
        The cached outcome, or None.
    """
    path = Path(job.path)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    entry, identity = _entry_identity(job)
    findings = _read_entry(entry, identity, content_hash(data))
    if findings is None or _fix_pending(findings, job):
        return None
    text, _ = decode(data)
    return Outcome(FileReport(job.path, text or "", findings), original=text or "")


def store(job: Job, outcome: Outcome, reads: set[Path]) -> None:
    """Record a job's outcome, unless it is not the findings of the file's content.

    Args:
        job: The job.
        outcome: What checking it produced.
        reads: The other files its cross-file lookups read.
    """
    report = outcome.report
    if outcome.read_error or report.errors or (outcome.fixed_text and not outcome.written):
        return  # a rule failed (say so again next time), or these are a diff's findings
    try:
        # The bytes that were checked (re-reading the file could see a later edit).
        text = outcome.fixed_text if outcome.written and outcome.fixed_text else outcome.original
        data = text.encode(outcome.encoding, "surrogateescape")
        findings = [finding_json(f) for f in report.findings]
        entry, identity = _entry_identity(job)
        entry_text = json.dumps(
            {
                "schema": SCHEMA,
                "identity": identity,
                "content": content_hash(data),
                "deps": {str(p): file_hash(p) for p in sorted(reads)},
                "findings": findings,
            }
        )
        _prepare(entry.parent.parent)
        write_atomically(entry, entry_text.encode("utf-8", "surrogatepass"))
    except (OSError, TypeError, ValueError, LookupError):
        return  # an unwritable cache or unserialisable data only costs speed


def _prepare(root: Path) -> None:
    """Create the cache root with a CACHEDIR.TAG and a ``.gitignore`` that ignores all."""
    if (root / ".gitignore").exists():
        return
    root.mkdir(parents=True, exist_ok=True)
    write_atomically(root / "CACHEDIR.TAG", _TAG.encode())
    write_atomically(root / ".gitignore", b"# created by precepts\n*\n")


def _spread_key(job: Job) -> str:
    """Where the run's files read configuration: BP608's findings depend on all of it."""
    spread = job.config
    if spread is None:
        return ""
    parts = (spread.settings_modules, spread.reading_modules, spread.written)
    return repr([sorted(part) for part in parts] + [spread.primary])


def run_recorded(job: Job, run: Callable[[Job], Outcome]) -> Outcome:
    """Check a job, noting the files its cross-file lookups read, and cache the outcome.

    Args:
        job: The job (``job.cache`` is set).
        run: What checks it.

    Returns:
        The outcome.
    """
    from precepts.crossfile import default_service

    with default_service().recording() as reads:
        outcome = run(job)
    store(job, outcome, reads - {Path(job.path).resolve()})
    return outcome


def partition(jobs: list[Job]) -> tuple[dict[int, Outcome], list[int]]:
    """Split jobs into those the cache answers and those to check.

    Args:
        jobs: Every job of the run.

    Returns:
        (index → cached outcome, indexes to check).
    """
    _hashes.clear()  # files may have changed since the last run in this process
    hits: dict[int, Outcome] = {}
    misses: list[int] = []
    for index, job in enumerate(jobs):
        outcome = lookup(job) if job.cache else None
        if outcome is None:
            misses.append(index)
        else:
            hits[index] = outcome
    return hits, misses


def merged(jobs: list[Job], run_all: Callable[[list[Job]], list[Outcome]]) -> Iterator[Outcome]:
    """Answer what the cache can and check the rest, yielding outcomes in job order.

    Args:
        jobs: Every job.
        run_all: Checks a list of jobs, returning outcomes in order.

    Yields:
        One outcome per job.
    """
    hits, misses = partition(jobs)
    checked: Mapping[int, Outcome] = dict(
        zip(misses, run_all([jobs[i] for i in misses]), strict=True)
    )
    for index in range(len(jobs)):
        yield hits[index] if index in hits else checked[index]

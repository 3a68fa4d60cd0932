"""Lay out ``build/static/precepts/{server,rules}`` for type checkers and editors.

The import package ``precepts`` is assembled from three top-level folders (README,
"Layout"): ``precepts/``, ``server/`` (``precepts.server``) and ``rules/``
(``precepts.rules``). At run time setuptools' editable install maps the two subpackages
with an import hook, but static tools (mypy, jedi) never run import hooks: they look
for ``<root>/precepts/server`` on a search path. This script makes such a root outside
the tracked tree, in ``build/`` (ignored by git, ruff and precepts alike), holding two
directory links and no file: ``precepts/server`` -> ``server/`` and ``precepts/rules``
-> ``rules/``. So each source file keeps one real path, new rule files show up without
running anything again, and only tools told about the root (``[tool.mypy] mypy_path``,
an editor's jedi ``extra_paths``) ever look there.

The root's ``precepts/`` has no ``__init__.py``: the checkout's ``precepts/__init__.py``
stays the one package, and the view only adds the two subfolders to it.

Usage: ``python scripts/static_view.py [ROOT]`` (default ``build/static``); run it again
whenever, idempotent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO / "build" / "static"
SUBPACKAGES = ("server", "rules")


def _link_directory(target: Path, link: Path) -> None:
    """Point ``link`` at the directory ``target``, replacing what ``link`` was.

    Args:
        target: An existing directory.
        link: Where the link goes.
    """
    if link.exists() and os.path.samefile(link, target):
        return
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    if sys.platform == "win32":
        # A junction needs no privilege, unlike a symbolic link on Windows.
        import _winapi

        _winapi.CreateJunction(str(target), str(temporary))
    else:
        temporary.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    # A rename replaces an old link in one step, so two concurrent runs cannot collide.
    os.replace(temporary, link)


def lay_out(root: Path = DEFAULT_ROOT) -> Path:
    """Create ``root/precepts/server`` and ``root/precepts/rules`` as directory links.

    Args:
        root: The search-path root to lay out.

    Returns:
        ``root``, for the caller to put on a tool's search path.
    """
    package = root / "precepts"
    package.mkdir(parents=True, exist_ok=True)
    for name in SUBPACKAGES:
        _link_directory(REPO / name, package / name)
    return root


def main(argv: list[str]) -> int:
    """Lay out the root named on the command line, or the default one.

    Args:
        argv: The command-line arguments after the script's name.

    Returns:
        The exit status.
    """
    root = lay_out(Path(argv[0]).absolute() if argv else DEFAULT_ROOT)
    sys.stdout.write(f"{root}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""precepts: a backend team's coding standard, enforced in the editor and in CI.

The import package is laid out as one engine with thin fronts:

* ``precepts.engine`` and friends turn source text into findings;
* ``precepts.rules`` holds the rules (one module per rule);
* ``precepts.cli`` and ``precepts.server`` adapt the engine to a terminal and to LSP.

``precepts.server`` and ``precepts.rules`` live in the top-level folders ``server/`` and
``rules/`` (README, "Layout"); ``pyproject.toml`` maps them into this package.
"""

from pkgutil import extend_path

# For jedi, which reads this line without running it: a package whose first lines call
# ``extend_path(__path__`` is looked for in every ``precepts/`` folder on jedi's path, so
# an editor given ``build/static`` (scripts/static_view.py) finds ``precepts.server`` and
# ``precepts.rules`` there. At run time it adds any other ``precepts/`` folder on
# ``sys.path``; an install, editable or not, puts none there (its import hook or its
# wheel provides the two subpackages), so ``__path__`` stays this folder alone.
__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"

#: Where each rule's Markdown page lives; ``{code}`` and ``{name}`` are filled in.
DOCS_URL = "https://github.com/precepts-dev/precepts/blob/main/docs/rules/{code}.md"

"""precepts: a backend team's coding standard, enforced in the editor and in CI.

The import package is laid out as one engine with thin fronts:

* ``precepts.engine`` and friends turn source text into findings;
* ``precepts.rules`` holds the rules (one module per rule);
* ``precepts.cli`` and ``precepts.server`` adapt the engine to a terminal and to LSP.
"""

__version__ = "0.1.0"

#: Where each rule's Markdown page lives; ``{code}`` and ``{name}`` are filled in.
DOCS_URL = "https://github.com/precepts-dev/precepts/blob/main/docs/rules/{code}.md"

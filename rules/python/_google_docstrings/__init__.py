"""Google-style docstrings and function bodies, shared by BP106, BP107 and BP108.

One place decides what a function's docstring must document (its parameters, its
return value or yielded values, the exceptions it raises directly) and how a Google
docstring is read and extended, so that BP107's skeleton never trips BP108 and both
agree with BP106 on what "returns a value" means. One module a job:

* :mod:`.bodies`: what a body does (:class:`FunctionBodyRule` collects ``return``,
  ``yield`` and ``raise`` facts during the single traversal, so no function body is
  scanned twice);
* :mod:`.signatures`: decorators, enclosing scope, parameters, stubs;
* :mod:`.expectations`: what a docstring must document (:class:`Expected`);
* :mod:`.parsing`: how a Google docstring is read (:class:`Docstring`, sections);
* :mod:`.rendering`: how one is written and extended (skeletons, missing entries).

Callers keep importing every name from this package.
"""

from precepts.rules.python._google_docstrings.bodies import (
    BodyFacts,
    FunctionBodyRule,
    RaisedException,
    raised_exception,
)
from precepts.rules.python._google_docstrings.expectations import (
    Expected,
    expected_documentation,
)
from precepts.rules.python._google_docstrings.parsing import (
    STRUCTURED_KINDS,
    Docstring,
    Section,
    docstring_expression,
    parse_docstring,
)
from precepts.rules.python._google_docstrings.rendering import (
    Missing,
    documented_raises,
    is_documented,
    param_entry,
    raise_entry,
    returns_placeholder,
    sentence,
    skeleton,
    summary_for_function,
    with_missing,
    words_of,
)
from precepts.rules.python._google_docstrings.signatures import (
    all_params,
    decorator_names,
    enclosing_scope,
    explicit_params,
    is_method,
    is_stub,
    param_label,
)

__all__ = [
    "BodyFacts",
    "Docstring",
    "Expected",
    "FunctionBodyRule",
    "Missing",
    "RaisedException",
    "STRUCTURED_KINDS",
    "Section",
    "all_params",
    "decorator_names",
    "docstring_expression",
    "documented_raises",
    "enclosing_scope",
    "expected_documentation",
    "explicit_params",
    "is_documented",
    "is_method",
    "is_stub",
    "param_entry",
    "param_label",
    "parse_docstring",
    "raise_entry",
    "raised_exception",
    "returns_placeholder",
    "sentence",
    "skeleton",
    "summary_for_function",
    "with_missing",
    "words_of",
]

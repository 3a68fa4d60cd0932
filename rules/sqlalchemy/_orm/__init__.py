"""What the SQLAlchemy rules need to know about code: sessions, queries, models, loops.

One place decides, for every rule of the family, one module a question:

* :mod:`.vocabulary`: **the words the rules know** (usual session names, query
  methods, foreign ``Session`` packages) and small readers of calls and names;
* :mod:`.bindings`: **which names are bound to what** in the function being checked
  (:class:`Bindings`, one shallow scan per function, cached for the whole check);
* :mod:`.sessions`: **what is a session**: ``Session``/``AsyncSession``/
  ``scoped_session`` annotations, ``Depends(get_db)``-style defaults, values made by a
  session factory (``facts.session_factories``, ``SessionLocal()``,
  ``sessionmaker(...)()``), ``with SessionLocal() as s``, Flask-SQLAlchemy's
  ``db.session``, and, when nothing is known about a name, the usual names (``db``,
  ``session``, ``db_session``);
* :mod:`.queries`: **what is a query**: a chain rooted at
  ``session.query/execute/scalars/scalar/get`` (both the 1.x ``Query`` API and 2.0
  ``select()`` + ``execute``), or a Flask-SQLAlchemy ``Model.query``;
* :mod:`.models`: **what is a model and a model instance**, and whether the model is
  typed with ``Mapped[...]``: local classes from :mod:`precepts.facts`, classes imported
  from other modules of the project through :mod:`precepts.crossfile` (jedi, lazily,
  only when a name is used like a model and cannot be decided locally), and names that
  are not defined at all (the standard's snippets) from how the module uses them;
* :mod:`.loops`: **which loops repeat a statement**: ``for``/``while`` bodies and
  comprehensions, with the loops that do not count (fixed literals, batching helpers).

The rules import from this package (``from precepts.rules.sqlalchemy import _orm``),
which re-exports every public name of its modules.
"""

from precepts.rules.sqlalchemy._orm.bindings import (
    Binding,
    Bindings,
    bindings_of,
    body_statements,
    child_blocks,
    current_bindings,
    enclosing_function,
    function_bindings,
    lookup,
)
from precepts.rules.sqlalchemy._orm.loops import (
    Loop,
    enclosing_loops,
    in_error_path,
    is_batching,
    is_fixed_literal,
    is_real_loop,
    loop_target_names,
)
from precepts.rules.sqlalchemy._orm.models import ModelKind, instance_class, model_kind
from precepts.rules.sqlalchemy._orm.queries import (
    Query,
    entities_of,
    is_aggregate,
    is_all_result,
    query_of,
)
from precepts.rules.sqlalchemy._orm.sessions import (
    Verdict,
    annotation_verdict,
    binding_verdict,
    is_session,
    is_session_factory,
    session_method,
    value_verdict,
)
from precepts.rules.sqlalchemy._orm.vocabulary import (
    MAYBE_NONE_METHODS,
    NOT_DATABASE,
    ONE_ROW_METHODS,
    QUERY_METHODS,
    SELECT_FUNCTIONS,
    SESSION_ANNOTATIONS,
    SESSION_FACTORY_NAMES,
    SESSION_NAMES,
    first_arg,
    is_class_like,
    is_migration,
    keyword,
    mentions_attribute,
    method_of,
    names_in,
    receiver_of,
    short_name,
    unwrap_await,
)

__all__ = [
    "MAYBE_NONE_METHODS",
    "NOT_DATABASE",
    "ONE_ROW_METHODS",
    "QUERY_METHODS",
    "SELECT_FUNCTIONS",
    "SESSION_ANNOTATIONS",
    "SESSION_FACTORY_NAMES",
    "SESSION_NAMES",
    "Binding",
    "Bindings",
    "Loop",
    "ModelKind",
    "Query",
    "Verdict",
    "annotation_verdict",
    "binding_verdict",
    "bindings_of",
    "body_statements",
    "child_blocks",
    "current_bindings",
    "enclosing_function",
    "enclosing_loops",
    "entities_of",
    "first_arg",
    "function_bindings",
    "in_error_path",
    "instance_class",
    "is_aggregate",
    "is_all_result",
    "is_batching",
    "is_class_like",
    "is_fixed_literal",
    "is_migration",
    "is_real_loop",
    "is_session",
    "is_session_factory",
    "keyword",
    "lookup",
    "loop_target_names",
    "mentions_attribute",
    "method_of",
    "model_kind",
    "names_in",
    "query_of",
    "receiver_of",
    "session_method",
    "short_name",
    "unwrap_await",
    "value_verdict",
]

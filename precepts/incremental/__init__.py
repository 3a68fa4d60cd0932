"""Incremental checking for the language server: re-parse and re-check only what an edit touched.

See :mod:`precepts.incremental.document` for the model and the invariants its property
test holds it to.
"""

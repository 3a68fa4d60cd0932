"""The built-in rules, one module per rule, grouped by family (the catalogue's sections).

Every module defines one :class:`precepts.rule.Rule` subclass; the registry finds them
by walking this package.
"""

"""SQLAlchemy rules (BP2xx): model definitions, query patterns and session handling.

What is a session, a query, a model and a model instance is decided in one place,
:mod:`precepts.rules.sqlalchemy._orm`, which every rule of the family shares.
"""

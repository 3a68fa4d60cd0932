"""FastAPI rules (BP3xx): routers, route handlers, schemas, dependencies, versioning, health.

What is an app, a router, a route handler (with its path, status code, response model and
its parameters classified as FastAPI classifies them), a Pydantic schema and an
``include_router`` call is decided in one place, :mod:`precepts.rules.fastapi._routes`,
which every rule of the family shares.
"""

"""The service's app: routes on the app, unversioned mounts, no health check (BP301, BP309, BP310)."""

from fastapi import FastAPI

from app import users_api

gateway = FastAPI(title="Shop")

gateway.include_router(users_api.router, prefix="/api")


@gateway.get("/api/stats")
def stats() -> dict[str, int]:
    """Count what the shop holds."""
    return {"users": 0}

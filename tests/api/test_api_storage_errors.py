"""A database that is briefly unavailable answers 503 (try again) with a hint; any other
database failure is a 500. Neither echoes the SQL error's details as the hint."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from govpilot.api.errors import install_error_handlers
from govpilot.errors import StorageError


def app_raising(error: StorageError) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


def test_a_lost_database_connection_is_a_503_with_a_hint() -> None:
    error = StorageError("jobs: connection refused", hint="try again shortly", transient=True)
    response = app_raising(error).get("/boom")
    assert response.status_code == 503
    assert response.json()["error"]["hint"] == "try again shortly"


def test_a_lasting_database_failure_is_a_500() -> None:
    response = app_raising(StorageError("jobs: no such table")).get("/boom")
    assert response.status_code == 500

"""Shared fixtures: a store URL per backend. Postgres tests get a database of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from benchmarks.pgdb import postgres_database

PG_URL = os.environ.get("RINGMASTER_TEST_POSTGRES_URL")


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh Postgres database for one test, dropped afterwards."""
    if not PG_URL:
        pytest.skip("RINGMASTER_TEST_POSTGRES_URL is not set")
    with postgres_database(PG_URL, prefix="rm_test_") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str | None:
    """None means the embedded default (SQLite files under the home folder)."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_database"))

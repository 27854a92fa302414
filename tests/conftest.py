"""Shared fixtures: a store URL per backend. Postgres tests get a database of their own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("RINGMASTER_TEST_POSTGRES_URL")


def _admin(sql: str) -> None:
    import psycopg

    assert PG_URL
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh Postgres database for one test, dropped afterwards."""
    if not PG_URL:
        pytest.skip("RINGMASTER_TEST_POSTGRES_URL is not set")
    name = f"rm_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str | None:
    """None means the embedded default (SQLite files under the home folder)."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_database"))

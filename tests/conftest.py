"""Shared fixtures: a store URL per backend. Postgres tests get a database of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from benchmarks.pgdb import postgres_database

PG_URL = os.environ.get("RINGMASTER_TEST_POSTGRES_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The minutes-long tests first, then the long ones (a stable sort keeps every other
    order): under `-n` a worker starts the wheel install at once and the others run the long
    tests and then the rest beside it; last, one would run alone at the end."""
    items.sort(key=_start_order)


def _start_order(item: pytest.Item) -> int:
    for order, marker in enumerate(("slow", "long")):
        if item.get_closest_marker(marker):
            return order
    return 2


@pytest.fixture(autouse=True, scope="session")
def _ringmaster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep every test's data out of the user's data directory (the default home)."""
    saved = os.environ.get("RINGMASTER_HOME")
    if saved is None:
        os.environ["RINGMASTER_HOME"] = str(tmp_path_factory.mktemp("ringmaster-home"))
    yield
    if saved is None:
        os.environ.pop("RINGMASTER_HOME", None)


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

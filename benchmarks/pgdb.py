"""A throwaway Postgres database, created and dropped around a benchmark run or a test."""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def postgres_database(admin_url: str, prefix: str = "rm_bench_") -> Iterator[str]:
    """A fresh database on the server `admin_url` points at, dropped afterwards."""
    import psycopg

    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def add_postgres_url_argument(parser: argparse.ArgumentParser) -> None:
    """`--postgres-url`, defaulting to RINGMASTER_TEST_POSTGRES_URL (the server tests use)."""
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("RINGMASTER_TEST_POSTGRES_URL"),
        help="a server to create the benchmark's database on (default "
        "RINGMASTER_TEST_POSTGRES_URL)",
    )

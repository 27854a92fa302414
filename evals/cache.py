"""A response cache on disk: a planner's plan per (planner identity, request), in SQLite.

It makes a re-run of a model-backed planner reproducible and free: the second run reads every
plan back, with the latency and the model calls of the run that produced it, so its metrics
match the first run's while it issues no model calls at all.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def cache_key(identity: str, request: str, allowed_agents: Sequence[str] | None) -> str:
    allowed = None if allowed_agents is None else sorted(allowed_agents)
    blob = json.dumps([identity, request, allowed], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """Plans keyed by `cache_key`; safe to share between the runner's worker threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO responses (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

"""Agents' health and load for the router (graph/standins.py), read from the stores.

A snapshot of every agent's status (ringmaster/agent_status.py) is taken at most every
`ttl_seconds`, so planning a burst of requests does not re-read the audit trail for each.
Errors while reading leave the planner's choice standing (and are logged): the router
never stops a run because status could not be read.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine

from ringmaster.agent_status import QueueProvider, agent_statuses
from ringmaster.agents.spec import Team
from ringmaster.clock import Clock, utcnow
from ringmaster.graph.standins import Load

log = logging.getLogger(__name__)


class StatusAvailability:
    """`Availability` over `agent_statuses`; the engine is made on first use when given a URL."""

    def __init__(
        self,
        engine: Engine | str,
        team: Team,
        *,
        clock: Clock = utcnow,
        window: timedelta = timedelta(hours=1),
        unhealthy_error_rate: float = 0.5,
        queue: QueueProvider | None = None,
        ttl_seconds: float = 5.0,
    ) -> None:
        self._engine = engine
        self.team = team
        self.clock = clock
        self.options: dict[str, Any] = {
            "window": window,
            "unhealthy_error_rate": unhealthy_error_rate,
            "queue": queue,
            "hours": 1,  # the router needs no chart
        }
        self.ttl = ttl_seconds
        self._loads: dict[str, Load] = {}
        self._taken = float("-inf")
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if isinstance(self._engine, str):
            from ringmaster.tables import make_engine

            self._engine = make_engine(self._engine)
        return self._engine

    def refresh(self) -> None:
        statuses = agent_statuses(self.engine, self.team, self.clock(), **self.options)
        self._loads = {
            s.name: Load(s.healthy, s.queue_depth, s.running, s.capacity, tuple(s.reasons))
            for s in statuses
        }
        self._taken = time.monotonic()

    def load(self, agent: str) -> Load | None:
        with self._lock:
            if time.monotonic() - self._taken >= self.ttl:
                try:
                    self.refresh()
                except Exception:
                    log.exception("agent status unavailable; the planner's choices stand")
                    return None
            return self._loads.get(agent)

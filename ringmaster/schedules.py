"""Schedules inside the workers: check-ins, rebalancing passes, the daily summary and the
outbox sender, each tick run once across every process.

A schedule's ticks are the multiples of its interval since the epoch (shifted by its offset:
the daily summary's tick turns at `RINGMASTER_SUMMARY_AT_HOUR_UTC`). Every worker calls
`Scheduler.run_due()` on a thread beside its claim loop (ringmaster/worker.py), so a slow
outbox send never holds up a claim; for a tick not yet seen here it asks the run queue
(`SqlRunQueue.tick`, a row in `rm_schedule_ticks` whose primary key is the schedule's name and
tick) and runs the schedule only if it was first. So two workers, or twenty, run each tick
once. A tick runs when it turns while some worker runs (not the one current when a worker
starts). It is taken before the run: a worker that dies mid-run loses that tick, and the next
one runs as usual (each run is a whole pass; nothing is left half-applied for later).

`ringmaster checkin`, `ringmaster outbox send` and `ringmaster summary --send` still serve
cron; they are idempotent beside these (outbox rows are deduplicated by their item ids).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from ringmaster.clock import Clock

if TYPE_CHECKING:
    from ringmaster.runner import Runner

log = logging.getLogger(__name__)


class Ticks(Protocol):
    """What a scheduler needs of the run queue."""

    clock: Clock

    def tick(self, name: str, tick: int, owner: str) -> bool: ...


@dataclass(frozen=True)
class Schedule:
    name: str
    every: float  # seconds; 0 or less: off
    run: Callable[[datetime, int], Any]  # (now, tick)
    offset: float = 0.0  # seconds after each multiple of `every` at which a tick turns

    def tick_at(self, now: datetime) -> int:
        return int((now.timestamp() - self.offset) // self.every)


class Scheduler:
    """Runs each due schedule's tick here if no process has taken it (see the module docstring)."""

    def __init__(self, ticks: Ticks, schedules: list[Schedule], owner: str) -> None:
        self.ticks = ticks
        self.schedules = [s for s in schedules if s.every > 0]
        self.owner = owner
        # Ticks run when they turn: a worker starting mid-interval waits for the next one (no
        # summary at every deployment), and a tick that turned while no worker ran is skipped.
        now = ticks.clock()
        self._seen: dict[str, int] = {s.name: s.tick_at(now) for s in self.schedules}

    def run_due(self) -> list[tuple[str, int]]:
        """Run what is due and taken here; the (name, tick) of each run. A failing schedule is
        logged and does not stop the others (nor the worker)."""
        now = self.ticks.clock()
        ran = []
        for s in self.schedules:
            tick = s.tick_at(now)
            if self._seen.get(s.name) == tick:
                continue  # asked already: one insert per schedule and tick per process
            self._seen[s.name] = tick
            try:
                if not self.ticks.tick(s.name, tick, self.owner):
                    continue  # another process has it
                s.run(now, tick)
            except Exception:
                log.exception("schedule %s, tick %d, failed", s.name, tick)
                continue
            ran.append((s.name, tick))
        return ran


# -- the worker's schedules --------------------------------------------------------------------
def worker_schedules(runner: Runner) -> list[Schedule]:
    """Check-ins, rebalancing, the daily summary and the outbox sender, from the settings."""
    settings = runner.settings
    window = timedelta(minutes=settings.status_window_minutes)
    rate = settings.unhealthy_error_rate
    team = runner.deps.registry.team

    def checkin(now: datetime, tick: int) -> None:
        from ringmaster.checkin import checkin

        stuck_after = timedelta(seconds=settings.stuck_run_seconds)
        checkin(
            runner.engine, team, now, stuck_after=stuck_after, window=window,
            unhealthy_error_rate=rate,
        )  # fmt: skip

    def rebalance(now: datetime, tick: int) -> None:
        from ringmaster.agent_status import flagged_unhealthy
        from ringmaster.rebalance import JobsMovable, rebalance_pass, status_health

        movable = JobsMovable(runner.jobs, runner.audit, team, group=runner.policy.escalation.group)
        if not movable.waiting() and not flagged_unhealthy(runner.engine):
            return  # nothing queued and no agent held back: skip reading every agent's health
        health = status_health(movable, window=window, unhealthy_error_rate=rate)()
        report = rebalance_pass(movable, health, threshold=settings.rebalance_threshold)
        if report.moved or report.to_person:
            log.info(
                "rebalanced: %d moved, %d to a person", len(report.moved), len(report.to_person)
            )

    summary_every = settings.summary_interval_hours * 3600

    def summary(now: datetime, tick: int) -> None:
        from ringmaster.agent_status import agent_statuses
        from ringmaster.summary import build_summary, queue_summary

        statuses = agent_statuses(
            runner.engine, team, now, window=window, unhealthy_error_rate=rate
        )
        s = build_summary(runner.engine, now - timedelta(seconds=summary_every), now, statuses)
        queue_summary(runner.engine, s, f"summary:schedule:{tick}", now)

    def outbox(now: datetime, tick: int) -> None:
        from ringmaster.outbox import outbox_from_settings

        outbox_from_settings(runner.engine, settings, runner.clock).send_due()

    return [
        Schedule("checkin", settings.checkin_interval_seconds, checkin),
        Schedule("rebalance", settings.rebalance_interval_seconds, rebalance),
        Schedule("summary", summary_every, summary, settings.summary_at_hour_utc * 3600),
        Schedule("outbox", settings.outbox_interval_seconds, outbox),
    ]


def worker_scheduler(runner: Runner, owner: str) -> Scheduler:
    return Scheduler(runner.jobs, worker_schedules(runner), owner)

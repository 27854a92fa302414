"""Workers: claim jobs from the run queue and run them, each fault kept in its own thread.

    loop: reap leases of dead local workers ─ claim ─ run (a heartbeat renews the lease)
      ok          → complete
      ThreadBusy  → back to the queue at once, the attempt not counted
      Ctrl-C      → the same, thread `queued`, and the interrupt goes on up
      CapacityWait → (a subtask waited its bound for an agent's slot) back to the queue after
                    RINGMASTER_SLOT_REQUEUE_SECONDS, the attempt not counted, thread `waiting`;
                    for an agent flagged unhealthy, at once and until the next health reading
      any error   → retried after backoff (RINGMASTER_RUN_RETRY_SECONDS, doubling) until
                    RINGMASTER_RUN_MAX_ATTEMPTS, then quarantined (ringmaster/quarantine.py)
      a job claimed more than the maximum (it killed its workers) is quarantined unrun

`ringmaster worker` runs `serve_forever`; `ringmaster serve` runs one in a thread unless
`--no-worker`; the CLI and API drive a thread's own jobs in-process when a caller waits.
Given a scheduler (ringmaster/schedules.py), `serve_forever` also runs the schedules due
(check-ins, rebalancing, the daily summary, the outbox), each tick once across processes, on
a thread of their own: an outbox send retrying a slow webhook or SMTP server never holds up a
claim. Stopping waits for a schedule that is running to finish (its tick is taken, so it is
not run again elsewhere).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select, update

from ringmaster.agents.spec import Team
from ringmaster.errors import ThreadBusy
from ringmaster.graph.slots import CapacityWait
from ringmaster.quarantine import quarantine
from ringmaster.run_queue import OPEN_STATES, Job, Limits, kept_alive
from ringmaster.runner import Runner
from ringmaster.schedules import Scheduler
from ringmaster.tables import jobs, workers
from ringmaster.thread_store import new_owner, owner_is_gone

log = logging.getLogger(__name__)
Handler = Callable[[Job], None]


def team_limits(team: Team) -> Limits:
    """The team file's `capacity` and `rate_limit` per agent, as the queue's limits."""
    return Limits(
        capacity={a.name: a.capacity for a in team.agents},
        rate={
            a.name: (a.rate_limit.calls, a.rate_limit.seconds)
            for a in team.agents
            if a.rate_limit is not None
        },
    )


class Worker:
    """Runs queued jobs for a runner (a `run` or `resume` job: `Runner.run_job`)."""

    def __init__(
        self,
        runner: Runner,
        *,
        owner: str | None = None,
        handler: Handler | None = None,
        kinds: tuple[str, ...] | None = ("run", "resume"),
        scheduler: Scheduler | None = None,
    ) -> None:
        self.runner = runner
        self.queue = runner.jobs
        self.queue.limits = team_limits(runner.deps.registry.team)
        self.owner = owner or new_owner()
        self.handler = handler or runner.run_job
        self.kinds = kinds
        self.scheduler = scheduler
        settings = runner.settings
        self.max_attempts = settings.run_max_attempts
        self.retry_seconds = settings.run_retry_seconds
        self.requeue_seconds = settings.slot_requeue_seconds

    # -- one job -------------------------------------------------------------------------
    def run(self, job: Job) -> None:
        if job.attempts > self.max_attempts:
            quarantine(self.runner, job, job.last_error or "its worker died", self.owner)
            return
        try:
            with kept_alive(self.queue, job.id, self.owner):
                self.handler(job)
        except ThreadBusy:
            self.queue.release(job.id, self.owner, delay=0.05)
            return
        except CapacityWait as exc:  # parked: back in line later, its slot keeps its place
            delay = self.requeue_seconds if exc.retry_after is None else exc.retry_after
            if self.queue.release(job.id, self.owner, delay=delay):
                self.runner.threads.set(job.thread_id, status="waiting")
                self.runner.audit.append(
                    job.thread_id, "capacity_wait", "system:queue",
                    subtask_id=exc.subtask_id, agent=exc.agent, why=exc.why, requeued_in=delay,
                )  # fmt: skip
            return
        except KeyboardInterrupt:
            # Ctrl-C (`run`, `chat`, `worker`): not the run's fault. Back in line at once, the
            # attempt not counted, rather than `running` under a lease nobody renews; the
            # next worker continues it from its last checkpoint.
            if self.queue.release(job.id, self.owner, delay=0):
                self.runner.threads.set(job.thread_id, status="queued")
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if job.attempts < self.max_attempts:
                delay = self.retry_seconds * 2 ** (job.attempts - 1)
                self.queue.retry(job.id, self.owner, error, delay)
                self.runner.threads.set(job.thread_id, status="queued", error=error)
                log.warning("job %s failed (attempt %d), retrying: %s", job.id, job.attempts, error)
            else:
                log.warning("job %s failed %d times, quarantined: %s", job.id, job.attempts, error)
                quarantine(self.runner, job, error, self.owner)
            return
        self.queue.complete(job.id, self.owner)

    def step(self, thread_id: str | None = None) -> bool:
        """Claim and run one job; False if none was claimable."""
        job = self.queue.claim(self.owner, kinds=self.kinds, thread_id=thread_id)
        if job is None:
            return False
        self.run(job)
        return True

    # -- loops ---------------------------------------------------------------------------
    def drive(self, thread_id: str, timeout: float | None = None) -> None:
        """Run the thread's jobs here until none is open (another worker's: wait for it), or
        until its run is parked for an agent flagged unhealthy: nothing starts there before a
        health reading says it recovered, which no caller should sit through (the run stays
        in line for a worker; its outcome says what it waits for)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.queue.for_thread(thread_id, open_only=True):
            self.reap()
            if self.step(thread_id):
                continue
            if self._parked_on_unhealthy(thread_id):
                return
            left = 1.0 if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return
            self.queue.wait(min(left, 1.0))

    def _parked_on_unhealthy(self, thread_id: str) -> bool:
        return any(reasons is not None for _, reasons in self.queue.waiting_slots(thread_id))

    def run_until_idle(self) -> int:
        """Run claimable jobs until there are none; how many ran (for tests and `worker
        --once`)."""
        n = 0
        self.reap()
        while self.step():
            n += 1
        return n

    def serve_forever(self, stop: threading.Event, idle_wait: float = 1.0) -> None:
        """Claim and run jobs until `stop` is set, sleeping on the queue's wakeups."""
        self._register()
        schedules, halt = None, threading.Event()
        if self.scheduler is not None:
            schedules = threading.Thread(
                target=self._run_schedules, args=(self.scheduler, stop, halt, idle_wait),
                name=f"schedules-{self.owner[:8]}", daemon=True,
            )  # fmt: skip
            schedules.start()
        try:
            while not stop.is_set():
                self._seen()
                self.reap()
                try:
                    ran = self.step()
                except Exception:  # the database went away: keep serving, try again
                    log.exception("worker %s could not claim", self.owner)
                    ran = False
                if not ran:
                    self.queue.wait(idle_wait)
        finally:
            halt.set()  # stopped, or the loop failed: the schedules' thread ends too
            if schedules is not None:
                schedules.join()
            self._stopped()

    @staticmethod
    def _run_schedules(
        scheduler: Scheduler, stop: threading.Event, halt: threading.Event, every: float
    ) -> None:
        """Run what is due every `every` seconds until `stop` or `halt` (a schedule's failure
        is logged by `run_due`; anything else, a database gone, is logged and tried again)."""
        while not (stop.is_set() or halt.is_set()):
            try:
                scheduler.run_due()
            except Exception:
                log.exception("schedules could not run")
            halt.wait(every)

    def reap(self) -> int:
        """Expire the leases of jobs (and slots, held or waited for) whose worker ran on this
        host and is gone, so that they are claimable at once instead of after their lease."""
        c = jobs.c
        with self.queue.engine.connect() as conn:
            owners = {
                o
                for (o,) in conn.execute(
                    select(c.lease_owner).where(c.state.in_(OPEN_STATES)).distinct()
                )
                if o
            }
        dead = [o for o in owners if owner_is_gone(o)]
        if not dead:
            return 0
        with self.queue.writer.begin() as conn:
            return conn.execute(
                update(jobs)
                .where(c.state.in_(OPEN_STATES), c.lease_owner.in_(dead))
                .values(lease_expires=self.queue.clock())
            ).rowcount

    # -- liveness, for the stuck-work check-in ---------------------------------------------
    def _register(self) -> None:
        now = self.queue.clock()
        with self.queue.writer.begin() as conn:
            conn.execute(workers.insert().values(id=self.owner, started_at=now, seen_at=now))
        self._last_seen = time.monotonic()

    def _seen(self) -> None:
        if time.monotonic() - self._last_seen < 5:
            return
        self._last_seen = time.monotonic()
        with self.queue.writer.begin() as conn:
            conn.execute(
                update(workers).where(workers.c.id == self.owner).values(seen_at=self.queue.clock())
            )

    def _stopped(self) -> None:
        with self.queue.writer.begin() as conn:
            conn.execute(
                update(workers)
                .where(workers.c.id == self.owner)
                .values(stopped_at=self.queue.clock())
            )

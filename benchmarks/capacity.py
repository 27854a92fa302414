"""The run queue under load: per-agent capacity across worker processes, drain time, and
enqueue→start latency (ringmaster/run_queue.py, ringmaster/worker.py).

    python -m benchmarks.capacity [--backend sqlite|postgres|both] [--jobs 1000] [--workers 1 2]

Each worker process runs one `Worker` thread per unit of total capacity, claiming `task` jobs
whose handler sleeps the agent's scripted latency. Figures come from the jobs table itself:
a job runs inside [started_at, finished_at] (claim to complete), so the largest overlap of
those intervals per agent is the largest concurrency the queue allowed.

    drain     all jobs queued up front; time from the first start to the last finish
              against the ideal, sum(latency) / sum(capacity) per agent, the slowest agent
    latency   jobs enqueued one at a time while the workers are idle (a slot is free):
              started_at - created_at, p50 and p95
    unhealthy a spike on `billing` (half of the jobs), whose stand-in is `billing2`, queued
              as the graph's `slot` jobs; when half of all jobs are done `billing` is made
              unhealthy for `--down-seconds` (a flag file: its runs take 10× as long; and its
              health kept as a check-in or pass keeps it, `record_health`, which the queue's
              grant reads), then healthy again. Without rebalancing its queue waits for it to
              recover; with it, a rebalancing pass every `--pass-seconds` moves its queued work
              with the real mover (ringmaster/rebalance.py) onto `billing2`. Per row: drain
              time, per-agent maximum concurrency, moves (each one `reroute` audit event),
              and how many jobs `billing` started while it was unhealthy (from the moment
              its flag was committed to the moment it was cleared)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from benchmarks.pgdb import add_postgres_url_argument, postgres_database
from ringmaster.agent_status import record_health
from ringmaster.agents.spec import parse_team
from ringmaster.audit import AuditLog
from ringmaster.clock import as_utc
from ringmaster.rebalance import JobsMovable, rebalance_pass
from ringmaster.run_queue import Job, Limits, SqlRunQueue
from ringmaster.tables import agent_health, audit_events, audit_head, jobs, make_engine

# agent: (capacity, scripted latency in seconds)
AGENTS = {"billing": (2, 0.02), "support": (4, 0.01), "legal": (1, 0.005)}


def limits(
    agents: dict[str, tuple[int, float]], rate: dict[str, tuple[int, float]] | None = None
) -> Limits:
    return Limits(capacity={a: c for a, (c, _) in agents.items() if c > 0}, rate=rate or {})


def parse_agents(text: str) -> dict[str, tuple[int, float]]:
    out = {}
    for part in text.split(","):
        name, cap, lat = part.split(":")
        out[name] = (int(cap), float(lat))
    return out


def format_agents(agents: dict[str, tuple[int, float]]) -> str:
    return ",".join(f"{a}:{c}:{lat}" for a, (c, lat) in agents.items())


# -- a worker process ----------------------------------------------------------------------
def work(
    url: str,
    agents: dict[str, tuple[int, float]],
    threads: int,
    seconds: float,
    rate: dict[str, tuple[int, float]] | None = None,
    kind: str = "task",
    slow: tuple[str, str] | None = None,
) -> None:
    """Claim and run `kind` jobs for `seconds`, on `threads` threads (a worker process).
    An agent of capacity 0 has no capacity limit. With `slow` (flag file, agent), that agent's
    runs take 10× its latency while the file exists."""
    from ringmaster.thread_store import new_owner

    queue = SqlRunQueue(make_engine(url), limits=limits(agents, rate), lease_seconds=30)
    stop = threading.Event()

    def loop() -> None:
        owner = new_owner()
        while not stop.is_set():
            try:
                job = queue.claim(owner, kinds=[kind])
                if job is None:
                    queue.wait(0.5)
                    continue
                run(job)
                queue.complete(job.id, owner)
            except OperationalError as exc:  # SQLite busy past its timeout: try again
                print(f"worker: {str(exc).splitlines()[0]}", file=sys.stderr)

    def run(job: Job) -> None:
        factor = 10 if slow and job.agent == slow[1] and Path(slow[0]).exists() else 1
        time.sleep(agents[job.agent or ""][1] * factor)

    pool = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in pool:
        t.join()
    queue.close()


def spawn(
    url: str,
    agents: dict[str, tuple[int, float]],
    threads: int,
    seconds: float,
    rate: dict[str, tuple[int, float]] | None = None,
    kind: str = "task",
    slow: tuple[str, str] | None = None,
) -> Any:
    root = Path(__file__).resolve().parents[1]
    args = ["worker", url, "--agents", format_agents(agents), "--threads", str(threads)]
    args += ["--kind", kind]
    if rate:
        args += ["--rate", format_agents(rate)]
    if slow:
        args += ["--slow", f"{slow[0]}:{slow[1]}"]
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.capacity", *args, "--seconds", str(seconds)],
        cwd=root,
    )


# -- measuring -----------------------------------------------------------------------------
def intervals(url: str) -> list[tuple[str, float, float, float]]:
    """(agent, created, started, finished) of every finished job, in seconds."""
    engine = make_engine(url)
    c = jobs.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.agent, c.created_at, c.started_at, c.finished_at).where(c.state == "done")
        ).all()
    engine.dispose()
    return [(a, cr.timestamp(), s.timestamp(), f.timestamp()) for a, cr, s, f in rows]


def max_overlap(spans: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(f, -1) for _, f in spans])
    best = now = 0
    for _, step in events:  # a finish at the same instant as a start is counted first
        now += step
        best = max(best, now)
    return best


def wait_done(queue: SqlRunQueue, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while queue.counts().get("done", 0) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"not drained in {timeout:.0f} s: {queue.counts()}")
        time.sleep(0.05)


def enqueue_tasks(
    queue: SqlRunQueue, agents: dict[str, tuple[int, float]], n: int, tag: str
) -> None:
    names = list(agents)
    with queue.writer.begin() as conn:
        for i in range(n):
            queue.enqueue_in(
                conn, key=f"{tag}:{i}", kind="task", thread_id=f"{tag}-{i}",
                agent=names[i % len(names)], priority=i % 4,
            )  # fmt: skip


def drain(url: str, agents: dict[str, tuple[int, float]], n: int, workers: int) -> dict[str, Any]:
    """All jobs queued, then `workers` processes drain them; figures from the jobs table."""
    queue = SqlRunQueue(make_engine(url), limits=limits(agents))
    enqueue_tasks(queue, agents, n, "drain")
    per_agent = {a: n // len(agents) + (i < n % len(agents)) for i, a in enumerate(agents)}
    ideal = max(per_agent[a] * lat / cap for a, (cap, lat) in agents.items())
    threads = sum(c for c, _ in agents.values())
    procs = [spawn(url, agents, threads, seconds=ideal * 10 + 300) for _ in range(workers)]
    try:
        wait_done(queue, n, timeout=ideal * 10 + 280)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    rows = intervals(url)
    first = min(s for _, _, s, _ in rows)
    last = max(f for _, _, _, f in rows)
    conc = {a: max_overlap([(s, f) for ag, _, s, f in rows if ag == a]) for a in agents}
    queue.close()
    queue.engine.dispose()
    return {"drain_s": last - first, "ideal_s": ideal, "max_concurrency": conc}


def latency(
    url: str, agents: dict[str, tuple[int, float]], n: int, workers: int
) -> dict[str, float]:
    """Jobs enqueued one at a time while slots are free: enqueue→start, p50 and p95 (ms)."""
    queue = SqlRunQueue(make_engine(url), limits=limits(agents))
    threads = sum(c for c, _ in agents.values())
    procs = [spawn(url, agents, threads, seconds=n * 0.05 + 60) for _ in range(workers)]
    try:
        time.sleep(3.0)  # the workers start (imports, connections) before the clock runs
        done = queue.counts().get("done", 0)
        for i in range(n):
            enqueue_tasks(queue, {"support": agents["support"]}, 1, f"lat{i}")
            wait_done(queue, done + i + 1, timeout=30)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
    waits = sorted((s - c) * 1000 for a, c, s, _ in intervals(url) if a == "support")[-n:]
    queue.close()
    queue.engine.dispose()
    return {
        "p50_ms": statistics.median(waits),
        "p95_ms": statistics.quantiles(waits, n=20)[18],
    }


# -- an agent made unhealthy halfway ------------------------------------------------------------
# billing gets the spike; billing2 stands in for it (the requesters reach both); support is
# busy with its own work and no stand-in.
FAULT_AGENTS = {"billing": (2, 0.02), "billing2": (2, 0.02), "support": (4, 0.01)}
FAULT_SHARE = {"billing": 3, "billing2": 1, "support": 2}  # of every 6 jobs
FAULT_TEAM = parse_team(
    """
name: bench
agents:
  - {name: billing, description: refunds, scopes: [billing], capacity: 2, standins: [billing2],
     runtime: {kind: python, entry: "x:y"}}
  - {name: billing2, description: refunds too, scopes: [billing], capacity: 2,
     runtime: {kind: python, entry: "x:y"}}
  - {name: support, description: tickets, scopes: [support], capacity: 4,
     runtime: {kind: python, entry: "x:y"}}
"""
)


def enqueue_slots(queue: SqlRunQueue, n: int) -> None:
    """`slot` jobs as the graph's subtasks queue them (key, agent, requester's scopes)."""
    names = [a for a, k in FAULT_SHARE.items() for _ in range(k)]
    with queue.writer.begin() as conn:
        for i in range(n):
            agent = names[i % len(names)]
            queue.enqueue_in(
                conn, key=f"slot:f{i}:1:s1", kind="slot", thread_id=f"f{i}", turn=1,
                agent=agent, priority=1,
                payload={"subtask_id": "s1", "planned_agent": agent, "requester": "bench",
                         "scopes": ["support"] if agent == "support" else ["billing"]},
            )  # fmt: skip


def unhealthy_halfway(
    url: str,
    n: int,
    workers: int,
    rebalance: bool,
    pass_seconds: float,
    threshold: int,
    down_seconds: float,
) -> dict[str, Any]:
    """See the module docstring; figures from the jobs table and the audit trail."""
    queue = SqlRunQueue(make_engine(url), limits=limits(FAULT_AGENTS))
    audit = AuditLog(queue.engine, key=b"benchmark")
    movable = JobsMovable(queue, audit, FAULT_TEAM)
    enqueue_slots(queue, n)
    flag = Path(tempfile.mkdtemp()) / "billing-down"
    health: dict[str, tuple[bool, tuple[str, ...]]] = {a: (True, ()) for a in FAULT_AGENTS}
    threads = sum(c for c, _ in FAULT_AGENTS.values())
    slow = (str(flag), "billing")
    procs = [spawn(url, FAULT_AGENTS, threads, 600, kind="slot", slow=slow) for _ in range(workers)]
    down_at: float | None = None
    up_at: float | None = None
    down_until = 0.0
    moved = passes = 0
    try:
        deadline = time.monotonic() + 580
        while (done := queue.counts().get("done", 0)) < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"not drained: {queue.counts()}")
            if down_at is None and done >= n // 2:
                flag.touch()  # from now on billing's runs are slow …
                health["billing"] = (False, ("its runs take 10x as long",))  # … and it says so
                record_health(queue.engine, health, queue.clock())
                down_at = queue.clock().timestamp()  # committed: no grant may start it now
                down_until = time.monotonic() + down_seconds
            elif down_at is not None and up_at is None and time.monotonic() >= down_until:
                flag.unlink()  # recovered
                health["billing"] = (True, ())
                up_at = queue.clock().timestamp()  # before the flag: starts from here count
                record_health(queue.engine, health, queue.clock())
            if rebalance:
                moved += len(rebalance_pass(movable, health, threshold=threshold).moved)
                passes += 1
            time.sleep(pass_seconds)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        flag.unlink(missing_ok=True)
    c = jobs.c
    with queue.engine.connect() as conn:
        rows = conn.execute(
            select(c.agent, c.started_at, c.finished_at).where(c.state == "done")
        ).all()
    spans = [(str(a), seconds(s), seconds(f)) for a, s, f in rows]
    first = min(s for _, s, _ in spans)
    last = max(f for _, _, f in spans)
    reroutes = [e for e in audit._rows() if e.kind == "reroute"]
    assert down_at is not None and len(reroutes) == moved  # one audit event a move
    conc = {a: max_overlap([(s, f) for ag, s, f in spans if ag == a]) for a in FAULT_AGENTS}
    queue.close()
    queue.engine.dispose()
    return {
        "drain_s": last - first,
        "max_concurrency": conc,
        "moved": moved,
        "passes": passes,
        "to_unhealthy": sum(
            1
            for e in reroutes
            if e.data["to"] == "billing"
            and down_at < e.at.timestamp()
            and (up_at is None or e.at.timestamp() < up_at)
        ),
        "billing_started_unhealthy": sum(
            1
            for a, s, _ in spans
            if a == "billing" and down_at < s and (up_at is None or s < up_at)
        ),
        "recovered": up_at is not None,
    }


def seconds(value: datetime) -> float:
    """A stored time as epoch seconds (SQLite hands back naive UTC)."""
    t = as_utc(value)
    assert t is not None
    return t.timestamp()


def run_unhealthy(
    name: str, url: str, n: int, workers: int, pass_seconds: float, down_seconds: float
) -> None:
    for rebalance in (False, True):
        d = unhealthy_halfway(
            url, n, workers, rebalance, pass_seconds, threshold=4, down_seconds=down_seconds
        )
        conc = ", ".join(
            f"{a} {d['max_concurrency'][a]}/{FAULT_AGENTS[a][0]}" for a in FAULT_AGENTS
        )
        how = f"rebalancing every {pass_seconds:g} s" if rebalance else "no rebalancing      "
        print(
            f"{name:8} workers={workers}  {n} slot jobs, billing unhealthy halfway for"
            f" {down_seconds:g} s{'' if d['recovered'] else ' (drained before it recovered)'},"
            f" {how}  drain {d['drain_s']:.2f} s  max concurrency {conc}  moved {d['moved']}"
            f" ({d['to_unhealthy']} to billing while it was unhealthy)"
            f"  billing started {d['billing_started_unhealthy']} while unhealthy",
            flush=True,
        )
        _reset(url)


def run_backend(name: str, url: str, args: argparse.Namespace) -> None:
    n, workers = args.jobs, args.workers
    if args.rows in ("all", "unhealthy"):
        for w in workers:
            run_unhealthy(name, url, args.fault_jobs, w, args.pass_seconds, args.down_seconds)
    if args.rows == "unhealthy":
        return
    for w in workers:
        d = drain(url, AGENTS, n, w)
        conc = ", ".join(f"{a} {d['max_concurrency'][a]}/{AGENTS[a][0]}" for a in AGENTS)
        ratio = d["drain_s"] / d["ideal_s"]
        print(
            f"{name:8} workers={w}  {n} jobs  drain {d['drain_s']:.2f} s"
            f"  ideal {d['ideal_s']:.2f} s ({ratio:.2f}x)  max concurrency {conc}",
            flush=True,
        )
        _reset(url)
    for w in workers:
        lat = latency(url, AGENTS, 100, w)
        print(
            f"{name:8} workers={w}  enqueue→start p50 {lat['p50_ms']:.1f} ms"
            f"  p95 {lat['p95_ms']:.1f} ms",
            flush=True,
        )
        _reset(url)


def _reset(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in (jobs, audit_events, audit_head, agent_health):
            conn.execute(table.delete())
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd")
    wk = sub.add_parser("worker")
    wk.add_argument("url")
    wk.add_argument("--agents", required=True)
    wk.add_argument("--threads", type=int, default=4)
    wk.add_argument("--seconds", type=float, default=60)
    wk.add_argument("--rate", default="", help="agent:calls:seconds,…")
    wk.add_argument("--kind", default="task")
    wk.add_argument("--slow", default="", help="flagfile:agent")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--rows", choices=["all", "capacity", "unhealthy"], default="all",
        help="capacity: drain and latency rows; unhealthy: an agent made unhealthy halfway",
    )  # fmt: skip
    parser.add_argument("--fault-jobs", type=int, default=600)
    parser.add_argument("--pass-seconds", type=float, default=0.05)
    parser.add_argument("--down-seconds", type=float, default=3.0)
    add_postgres_url_argument(parser)
    args = parser.parse_args()
    if args.cmd == "worker":
        rate = parse_agents(args.rate) if args.rate else None
        slow = tuple(args.slow.rsplit(":", 1)) if args.slow else None
        work(
            args.url, parse_agents(args.agents), args.threads, args.seconds, rate, args.kind,
            slow,  # type: ignore[arg-type]
        )  # fmt: skip
        return
    print(f"agents (capacity, latency s): {AGENTS}; unhealthy rows: {FAULT_AGENTS}", flush=True)
    print("load average (1/5/15 min) before: {:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()))
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args)
    if args.backend in ("postgres", "both"):
        if not args.postgres_url:
            raise SystemExit("--postgres-url (or RINGMASTER_TEST_POSTGRES_URL) is not set")
        with postgres_database(args.postgres_url) as url:
            app_url = "postgresql+psycopg://" + url.split("://", 1)[1]
            run_backend("postgres", app_url, args)
    print("load average (1/5/15 min) after: {:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

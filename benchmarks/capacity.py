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
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from benchmarks.pgdb import add_postgres_url_argument, postgres_database
from ringmaster.run_queue import Job, Limits, SqlRunQueue
from ringmaster.tables import jobs, make_engine

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
) -> None:
    """Claim and run `task` jobs for `seconds`, on `threads` threads (a worker process).
    An agent of capacity 0 has no capacity limit."""
    from ringmaster.thread_store import new_owner

    queue = SqlRunQueue(make_engine(url), limits=limits(agents, rate), lease_seconds=30)
    stop = threading.Event()

    def loop() -> None:
        owner = new_owner()
        while not stop.is_set():
            try:
                job = queue.claim(owner, kinds=["task"])
                if job is None:
                    queue.wait(0.5)
                    continue
                run(job)
                queue.complete(job.id, owner)
            except OperationalError as exc:  # SQLite busy past its timeout: try again
                print(f"worker: {str(exc).splitlines()[0]}", file=sys.stderr)

    def run(job: Job) -> None:
        time.sleep(agents[job.agent or ""][1])

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
) -> Any:
    root = Path(__file__).resolve().parents[1]
    args = ["worker", url, "--agents", format_agents(agents), "--threads", str(threads)]
    if rate:
        args += ["--rate", format_agents(rate)]
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


def run_backend(name: str, url: str, n: int, workers: list[int]) -> None:
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
        conn.execute(jobs.delete())
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
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    add_postgres_url_argument(parser)
    args = parser.parse_args()
    if args.cmd == "worker":
        rate = parse_agents(args.rate) if args.rate else None
        work(args.url, parse_agents(args.agents), args.threads, args.seconds, rate)
        return
    print(f"agents (capacity, latency s): {AGENTS}", flush=True)
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", args.jobs, args.workers)
    if args.backend in ("postgres", "both"):
        if not args.postgres_url:
            raise SystemExit("--postgres-url (or RINGMASTER_TEST_POSTGRES_URL) is not set")
        with postgres_database(args.postgres_url) as url:
            app_url = "postgresql+psycopg://" + url.split("://", 1)[1]
            run_backend("postgres", app_url, args.jobs, args.workers)


if __name__ == "__main__":
    main()

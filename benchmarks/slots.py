"""The graph's own subtasks under an agent's capacity (ringmaster/slots.py), through real runs:
requests whose plans give one agent (capacity 2, 30 ms of scripted work) PARTS subtasks each,
run by `Worker` processes (tests/ringmaster/slot_app.py, the acceptance test's worker).

    python -m benchmarks.slots [--backend sqlite|postgres|both] [--requests 20] [--workers 1 2]

Figures, from what the agent itself recorded (each call's start and end) and the database:

    drain     first agent start to last agent end, against the ideal: subtasks × 30 ms / 2
    max       the largest number of the agent's calls at once (never above its capacity 2)
    parked    `capacity_wait` events: runs put back in the queue after the wait's bound
    per run   accept → thread completed, p50 / p95 (queueing behind other runs included)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.capacity import max_overlap
from benchmarks.pgdb import add_postgres_url_argument, postgres_database
from ringmaster.graph.priority import Priority
from ringmaster.graph.state import Requester
from ringmaster.tables import audit_events, threads
from tests.ringmaster import slot_app

ROOT = Path(__file__).resolve().parents[1]
PRIORITIES: list[Priority] = ["low", "normal", "high", "urgent"]


def run(home: Path, db_url: str, requests: int, workers: int) -> str:
    spans_file = home / "spans.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    app = home / "app"  # one home for every process: on SQLite it holds the database
    with slot_app.build(app, db_url, None) as runner:
        ids = [
            runner.accept(f"r{i}", requester=Requester(id="u", priority=PRIORITIES[i % 4]))[0]
            for i in range(requests)
        ]
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.ringmaster.slot_app",
                    str(app),
                    db_url,
                    str(spans_file),
                ],
                cwd=ROOT,
                env=env,
            )  # fmt: skip
            for n in range(workers)
        ]
        try:
            deadline = time.monotonic() + 600
            while len(runner.threads.list(status="completed", limit=requests + 1)) < requests:
                if time.monotonic() > deadline:
                    raise SystemExit("not drained in 600 s")
                time.sleep(0.1)
        finally:
            for p in procs:
                p.terminate()
                p.wait()
        with runner.jobs.engine.connect() as conn:
            parked = conn.execute(
                select(func.count())
                .select_from(audit_events)
                .where(audit_events.c.kind == "capacity_wait")
            ).scalar_one()
            t = threads.c
            rows = conn.execute(select(t.created_at, t.updated_at).where(t.id.in_(ids))).all()
    lines = [ln.split() for ln in spans_file.read_text().splitlines()]
    spans = [(float(s), float(e)) for *_, s, e in lines]
    n = len(spans)
    drain = max(e for _, e in spans) - min(s for s, _ in spans)
    ideal = n * slot_app.LATENCY / 2
    per_run = sorted((u - c).total_seconds() for c, u in rows)
    p95 = per_run[max(0, int(len(per_run) * 0.95) - 1)]
    return (
        f"workers={workers}  {n} subtasks  drain {drain:.2f} s  ideal {ideal:.2f} s "
        f"({drain / ideal:.2f}x)  max concurrency {max_overlap(spans)}/2  parked {parked}  "
        f"per run p50 {statistics.median(per_run):.2f} s  p95 {p95:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    add_postgres_url_argument(parser)
    args = parser.parse_args()
    print(f"{slot_app.PARTS} subtasks a request, capacity 2, {slot_app.LATENCY * 1000:.0f} ms each")
    print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for w in args.workers:
        if args.backend in ("sqlite", "both"):
            with tempfile.TemporaryDirectory() as tmp:
                print("sqlite  ", run(Path(tmp), "", args.requests, w), flush=True)
        if args.backend in ("postgres", "both"):
            if not args.postgres_url:
                raise SystemExit("--postgres-url (or RINGMASTER_TEST_POSTGRES_URL) is not set")
            with tempfile.TemporaryDirectory() as tmp, postgres_database(args.postgres_url) as url:
                print("postgres", run(Path(tmp), url, args.requests, w), flush=True)


if __name__ == "__main__":
    main()

"""Listing pending reviews: ringmaster's queue table against scanning the checkpointer.

A store with `--threads` threads (default 100,000), `--pending` of them (default 10,000)
stopped at an approval. Two ways to answer "what is waiting for a person?":

    queue   `ringmaster.queries.list_reviews`: the first page (50 items, most urgent and
            oldest first) and the total, from the indexed `rm_review_items` table; what
            GET /reviews and the web queue run. Also timed through the real app (GET /reviews
            over an in-process ASGI client, token checked, JSON rendered).
    scan    what a LangGraph user without a queue has to do: for every thread, load its
            latest checkpoint and look for pending interrupts, either with
            `graph.get_state(config).interrupts` (the documented way) or one level lower with
            `checkpointer.get_tuple(config)` and its pending `__interrupt__` writes. The scan
            is given the thread ids for free (they are read before the clock starts).

How the store is built: three template threads are run for real through ringmaster's graph on
the demo team with the local planner (no model), on the backend being measured: one stopped at
an approval ("Apply a credit of $150 to customer CUS-1001 …", over the 100 limit), one
read-only request completed, one credit approved by a reviewer and completed. Their rows (every
checkpoint of every namespace, the blobs and the pending writes, exactly as the official saver
wrote them) are then copied in bulk with INSERT … SELECT under new thread ids: `--pending`
copies of the waiting thread, and of the rest 3/4 read-only and 1/4 approved. Every thread has
its row in `rm_threads`; the queue holds one pending row per waiting thread (the real item's
payload, priorities low/normal/high/urgent 10/60/20/10 %, created over the last three days)
and one resumed row per approved thread. The templates are removed afterwards. Postgres gets
`VACUUM ANALYZE` after the load, as autovacuum would do on a live database.

Queue figures are p50/p95 over `--repeats` calls after warm-up; scan figures over
`--scan-repeats` full scans. The ratio is the faster scan's p50 over the queue's p95
(target: at least 1,000), next to the target p95 < 20 ms.

    .venv/bin/python -m benchmarks.review_queue                   # SQLite and Postgres
    .venv/bin/python -m benchmarks.review_queue --threads 2000 --pending 200 --json
    .venv/bin/python -m benchmarks.review_queue --backends sqlite
    .venv/bin/python -m benchmarks.review_queue --postgres-url postgresql://u@host:5432/db

Postgres: the URL (`--postgres-url`, default `RINGMASTER_TEST_POSTGRES_URL`) is used to create
a database of the benchmark's own, dropped at the end; without a URL Postgres is skipped.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from benchmarks.pgdb import add_postgres_url_argument, postgres_database
from ringmaster.clock import utcnow
from ringmaster.decisions import Decision, DecisionService
from ringmaster.graph.build import build_graph
from ringmaster.graph.checkpoint import open_checkpointer, sqlite_path
from ringmaster.graph.state import Requester
from ringmaster.percentiles import percentile
from ringmaster.queries import ReviewFilter, list_reviews
from ringmaster.runner import Runner, turn_checkpoint
from ringmaster.settings import Settings
from ringmaster.tables import review_items, threads

REPO = Path(__file__).resolve().parents[1]
P95_TARGET_MS = 20.0
RATIO_TARGET = 1000.0
PAGE = 50

WAITING_REQUEST = "Apply a credit of $150 to customer CUS-1001 for the outage."
READ_REQUEST = "What is the status of ticket TCK-1001?"
PRIORITY_WEIGHTS = {0: 10, 1: 60, 2: 20, 3: 10}  # low, normal, high, urgent: share in %


@dataclass
class Timing:
    method: str
    repeats: int
    p50_ms: float
    p95_ms: float
    found: int  # pending items (queue: total; scan: threads with interrupts)


@dataclass
class BackendReport:
    backend: str
    threads: int
    pending: int
    build_seconds: float
    checkpoint_rows: int
    timings: list[Timing] = field(default_factory=list)
    queue_p95_ms: float = 0.0
    scan_ms: float = 0.0  # the faster scan's p50
    ratio: float = 0.0
    p95_met: bool = False
    ratio_met: bool = False


@dataclass
class Report:
    threads: int
    pending: int
    backends: list[BackendReport]


# -- timing --------------------------------------------------------------------------------------


def timed(method: str, fn: Callable[[], int], repeats: int, warmup: int) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    found = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        found = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return Timing(
        method, repeats, round(percentile(samples, 50), 3), round(percentile(samples, 95), 3), found
    )


# -- building the store --------------------------------------------------------------------------


@dataclass(frozen=True)
class Templates:
    waiting: str
    read: str
    approved: str
    item_payload: dict[str, Any]  # the waiting thread's queue row payload
    approved_item: dict[str, Any]  # the approved thread's queue row (decision etc.)


def run_templates(runner: Runner) -> Templates:
    """Three real runs through the graph on the demo team; see the module docstring."""
    req = Requester(id="requester", scopes=runner.default_scopes())
    waiting = runner.submit(WAITING_REQUEST, requester=req)
    read = runner.submit(READ_REQUEST, requester=req)
    approved = runner.submit(WAITING_REQUEST, requester=req)
    if waiting.status != "waiting" or read.status != "completed" or approved.status != "waiting":
        raise RuntimeError(
            f"templates did not run as expected: {waiting.status}, {read.status}, {approved.status}"
        )
    (item,) = approved.pending
    done = DecisionService(runner).decide(item.id, Decision("approve"), "reviewer")
    if done.status != "completed":
        raise RuntimeError(f"the approved template ended {done.status}")
    approved_item = runner.queue.get(item.id)
    return Templates(
        waiting=waiting.thread_id,
        read=read.thread_id,
        approved=approved.thread_id,
        item_payload=waiting.pending[0].payload,
        approved_item={
            "payload": approved_item.payload,
            "decision": approved_item.decision,
            "summary": approved_item.summary,
        },
    )


def plan_threads(n_threads: int, n_pending: int, t: Templates) -> list[tuple[str, str]]:
    """(new thread id, template id) for every thread of the store."""
    rest = n_threads - n_pending
    n_approved = rest // 4
    kinds = [t.waiting] * n_pending + [t.approved] * n_approved + [t.read] * (rest - n_approved)
    random.Random(7).shuffle(kinds)
    return [(uuid.uuid4().hex[:16], template) for template in kinds]


def _copy_sqlite_checkpoints(path: Path, plan: list[tuple[str, str]], templates: list[str]) -> int:
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TEMP TABLE bench_ids (id TEXT PRIMARY KEY, template TEXT NOT NULL)")
        conn.executemany("INSERT INTO bench_ids VALUES (?, ?)", plan)
        with conn:
            for table in ("checkpoints", "writes"):
                cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                rest = ", ".join(f"t.{c}" for c in cols if c != "thread_id")
                names = ", ".join(cols)
                conn.execute(
                    f"INSERT INTO {table} ({names}) SELECT b.id, {rest} "
                    f"FROM bench_ids b JOIN {table} t ON t.thread_id = b.template"
                )
            marks = ",".join("?" * len(templates))
            for table in ("checkpoints", "writes"):
                conn.execute(f"DELETE FROM {table} WHERE thread_id IN ({marks})", templates)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0])
    finally:
        conn.close()


def _copy_postgres_checkpoints(url: str, plan: list[tuple[str, str]], templates: list[str]) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TEMP TABLE bench_ids (id TEXT PRIMARY KEY, template TEXT NOT NULL)")
        with conn.cursor() as cur, cur.copy("COPY bench_ids (id, template) FROM STDIN") as copy:
            for pair in plan:
                copy.write_row(pair)
        with conn.transaction():
            for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
                cols = [
                    r[0]
                    for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = %s ORDER BY ordinal_position",
                        (table,),
                    )
                ]
                rest = ", ".join(f"t.{c}" for c in cols if c != "thread_id")
                names = ", ".join(cols)
                conn.execute(
                    f"INSERT INTO {table} ({names}) SELECT b.id, {rest} "  # type: ignore[arg-type]
                    f"FROM bench_ids b JOIN {table} t ON t.thread_id = b.template"
                )
                conn.execute(
                    f"DELETE FROM {table} WHERE thread_id = ANY(%s)",  # type: ignore[arg-type]
                    (templates,),
                )
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
            conn.execute(f"VACUUM ANALYZE {table}")  # type: ignore[arg-type]
        count = conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()
        return int(count[0]) if count else 0


def _fill_app_tables(runner: Runner, plan: list[tuple[str, str]], t: Templates) -> None:
    rng = random.Random(11)
    now = utcnow()
    priorities = list(PRIORITY_WEIGHTS)
    weights = list(PRIORITY_WEIGHTS.values())
    thread_rows, item_rows = [], []
    for thread_id, template in plan:
        created = now - timedelta(seconds=rng.uniform(60, 3 * 86_400))
        waiting = template == t.waiting
        request = READ_REQUEST if template == t.read else WAITING_REQUEST
        thread_rows.append(
            {
                "id": thread_id,
                "requester": f"user{rng.randrange(500)}",
                "status": "waiting" if waiting else "completed",
                "turn": 1,
                "last_request": request,
                "error": None,
                "lock_owner": None,
                "locked_at": None,
                "created_at": created,
                "updated_at": created,
            }
        )
        if template == t.read:
            continue
        base = {
            "id": uuid.uuid4().hex,
            "thread_id": thread_id,
            "turn": 1,
            "subtask_id": "t1",
            "kind": "approval",
            "agent": "billing",
            "category": "credit",
            "requester": thread_rows[-1]["requester"],
            "claimed_by": None,
            "created_at": created,
            "deadline": created + timedelta(hours=4),
        }
        if waiting:
            priority = rng.choices(priorities, weights)[0]
            item_rows.append(
                {
                    **base,
                    "priority": priority,
                    "status": "pending",
                    "summary": t.approved_item["summary"],
                    "payload": t.item_payload,
                    "decision": None,
                    "decided_by": None,
                    "decided_at": None,
                    "resumed_at": None,
                }
            )
        else:
            decided = created + timedelta(minutes=rng.uniform(1, 120))
            item_rows.append(
                {
                    **base,
                    "priority": 1,
                    "status": "resumed",
                    "summary": t.approved_item["summary"],
                    "payload": t.approved_item["payload"],
                    "decision": t.approved_item["decision"],
                    "decided_by": "reviewer",
                    "decided_at": decided,
                    "resumed_at": decided,
                }
            )
    templates = [t.waiting, t.read, t.approved]
    with runner.queue.writer.begin() as conn:
        conn.execute(review_items.delete().where(review_items.c.thread_id.in_(templates)))
        conn.execute(threads.delete().where(threads.c.id.in_(templates)))
        for i in range(0, len(thread_rows), 5000):
            conn.execute(insert(threads), thread_rows[i : i + 5000])
        for i in range(0, len(item_rows), 5000):
            conn.execute(insert(review_items), item_rows[i : i + 5000])
    if runner.engine.dialect.name == "postgresql":
        with runner.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("rm_threads", "rm_review_items"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def build_store(runner: Runner, n_threads: int, n_pending: int) -> tuple[int, list[str]]:
    """Fill the store; the checkpoint rows in all and the threads' checkpoint thread ids (for
    the scans)."""
    t = run_templates(runner)
    plan = plan_threads(n_threads, n_pending, t)
    templates = [t.waiting, t.read, t.approved]
    # Each thread has one turn, on a LangGraph thread of its own: copy those checkpoints.
    ckpt = {tid: runner.checkpoint_thread(tid, 1) for tid in templates}
    copies = [(turn_checkpoint(new, 1), ckpt[template]) for new, template in plan]
    settings = runner.settings
    if settings.is_postgres:
        rows = _copy_postgres_checkpoints(settings.checkpoint_url, copies, list(ckpt.values()))
    else:
        path = sqlite_path(settings.checkpoint_url)
        rows = _copy_sqlite_checkpoints(path, copies, list(ckpt.values()))
    _fill_app_tables(runner, plan, t)
    return rows, [checkpoint_thread for checkpoint_thread, _ in copies]


# -- the two ways of finding pending interrupts ---------------------------------------------------


def queue_page(runner: Runner) -> Callable[[], int]:
    def run() -> int:
        items, total = list_reviews(runner.engine, ReviewFilter(status="pending"), limit=PAGE)
        assert len(items) == min(PAGE, total)
        return total

    return run


@contextmanager
def api_page(runner: Runner) -> Iterator[Callable[[], int]]:
    """GET /reviews through the real app, in-process (no socket), with a reviewer's token."""
    from fastapi.testclient import TestClient

    from ringmaster.api.app import create_app

    app = create_app(runner.settings, runner)
    accounts = app.state.rm.accounts
    accounts.add("bench-reviewer", "reviewer")
    headers = {"Authorization": f"Bearer {accounts.issue_token('bench-reviewer')}"}
    with TestClient(app) as client:

        def run() -> int:
            r = client.get("/reviews", params={"limit": PAGE}, headers=headers)
            r.raise_for_status()
            body = r.json()
            assert len(body["items"]) == min(PAGE, body["total"])
            return int(body["total"])

        yield run


def scan_get_state(graph: Any, thread_ids: list[str]) -> Callable[[], int]:
    def run() -> int:
        found = 0
        for tid in thread_ids:
            if graph.get_state({"configurable": {"thread_id": tid}}).interrupts:
                found += 1
        return found

    return run


def scan_get_tuple(saver: Any, thread_ids: list[str]) -> Callable[[], int]:
    def run() -> int:
        found = 0
        for tid in thread_ids:
            tup = saver.get_tuple({"configurable": {"thread_id": tid}})
            if tup is not None and any(w[1] == "__interrupt__" for w in tup.pending_writes or []):
                found += 1
        return found

    return run


# -- one backend ---------------------------------------------------------------------------------


def measure_backend(
    backend: str,
    args: argparse.Namespace,
    log: Callable[[str], None],
) -> BackendReport:
    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rm-bench-")))
        db_url = None
        if backend == "postgres":
            db_url = stack.enter_context(postgres_database(args.postgres_url))
        settings = Settings(
            home=home,
            db_url=db_url,
            planner_cache=args.planner_cache,
            escalation_interval_seconds=0,
        )
        runner = stack.enter_context(Runner(settings))
        log(f"[{backend}] building {args.threads:,} threads ({args.pending:,} pending) …")
        t0 = time.perf_counter()
        ckpt_rows, thread_ids = build_store(runner, args.threads, args.pending)
        report = BackendReport(
            backend=backend,
            threads=args.threads,
            pending=args.pending,
            build_seconds=round(time.perf_counter() - t0, 1),
            checkpoint_rows=ckpt_rows,
        )
        log(f"[{backend}] built in {report.build_seconds} s ({ckpt_rows:,} checkpoints)")

        queue = timed(
            "queue: list_reviews (first page + total)", queue_page(runner), args.repeats, 20
        )
        report.timings.append(queue)
        api = stack.enter_context(api_page(runner))
        report.timings.append(timed("queue: GET /reviews (in-process app)", api, args.repeats, 20))
        log(f"[{backend}] queue p50 {queue.p50_ms} ms, p95 {queue.p95_ms} ms")

        saver = stack.enter_context(open_checkpointer(settings.checkpoint_url))
        graph = build_graph(runner.deps, saver)
        scans = []
        for name, fn in (
            ("scan: checkpointer.get_tuple per thread", scan_get_tuple(saver, thread_ids)),
            ("scan: graph.get_state(…).interrupts per thread", scan_get_state(graph, thread_ids)),
        ):
            scan = timed(name, fn, args.scan_repeats, 1 if args.scan_warmup else 0)
            log(f"[{backend}] {name}: p50 {scan.p50_ms / 1000:.1f} s")
            scans.append(scan)
            report.timings.append(scan)
        for t in report.timings:
            if t.found != args.pending:
                raise AssertionError(f"{t.method} found {t.found} pending, not {args.pending}")
        report.queue_p95_ms = max(queue.p95_ms, report.timings[1].p95_ms)
        report.scan_ms = min(s.p50_ms for s in scans)
        report.ratio = round(report.scan_ms / queue.p95_ms, 1)
        report.p95_met = queue.p95_ms < P95_TARGET_MS
        report.ratio_met = report.ratio >= RATIO_TARGET
        return report


# -- output --------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.2f} ms" if value < 1_000 else f"{value / 1000:,.1f} s"


def print_table(report: Report) -> None:
    print(f"\nPending reviews among {report.threads:,} threads ({report.pending:,} pending)\n")
    print("| backend | method | runs | p50 | p95 |")
    print("| --- | --- | ---: | ---: | ---: |")
    for b in report.backends:
        for t in b.timings:
            print(f"| {b.backend} | {t.method} | {t.repeats} | {_ms(t.p50_ms)} | {_ms(t.p95_ms)} |")
    print(
        "\n| backend | build | checkpoints | queue p95 | target < 20 ms | scan / queue p95 "
        "| target ≥ 1,000× |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | --- |")
    for b in report.backends:
        queue = b.timings[0]
        print(
            f"| {b.backend} | {b.build_seconds} s | {b.checkpoint_rows:,} | {_ms(queue.p95_ms)} "
            f"| {'met' if b.p95_met else 'NOT MET'} | {b.ratio:,.0f}× "
            f"| {'met' if b.ratio_met else 'NOT MET'} |"
        )


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=300, help="queue calls timed")
    parser.add_argument("--scan-repeats", type=int, default=2, help="full scans timed")
    parser.add_argument(
        "--no-scan-warmup", dest="scan_warmup", action="store_false", help="no untimed scan"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    add_postgres_url_argument(parser)
    parser.add_argument("--planner-cache", type=Path, default=REPO / ".ringmaster" / "cache")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not 0 < args.pending <= args.threads:
        parser.error("need 0 < --pending <= --threads")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results = []
    for backend in backends:
        if backend == "postgres" and not args.postgres_url:
            log("[postgres] skipped: no --postgres-url and RINGMASTER_TEST_POSTGRES_URL unset")
            continue
        if backend not in ("sqlite", "postgres"):
            parser.error(f"unknown backend {backend!r}")
        results.append(measure_backend(backend, args, log))
    report = Report(args.threads, args.pending, results)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print_table(report)
    return report


if __name__ == "__main__":
    main()

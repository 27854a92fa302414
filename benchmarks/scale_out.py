"""Scale-out: two `ringmaster serve` processes on one Postgres database, loaded over loopback.

What runs: a Postgres database of the benchmark's own (created on the server that
`--postgres-url` or RINGMASTER_TEST_POSTGRES_URL names, dropped at the end) and two
`ringmaster serve` subprocesses on 127.0.0.1 (each on a port the system picks), both with
RINGMASTER_DB_URL on that database and one RINGMASTER_HOME (so one demo-company database,
where the side effects land). The team is the embedded default: the demo team with the local
planner, no model, so every request does real work (planning, an agent calling the demo tools,
validation, review, side effects, audit) in a few tens of milliseconds. Users and tokens come
from `ringmaster users add … --json`.

The load: `--requests` requests (default 1,000) per phase, each on a new thread
(POST /threads, then POST /threads/{id}/requests, answered when the run completes or stops),
`--concurrency` at a time (default 8). Request i is, by i mod 10:

    0, 1, 2   a credit of $150 (over the 100 limit): stops for approval; the reviewer then
              approves it through the other process (POST /reviews/{id}/decision), except every
              tenth such request, which is left waiting in the queue
    3, 4      a credit of $50: runs at once, one side effect
    5 … 9     read-only: a ticket's status, a service's health, a ticket count (support, ops,
              analytics)

Phase "1 process": requests and decisions all go to process A. Phase "2 processes": requests
alternate between A and B, and each approval goes to the process that did not run the request.
Requests per second = requests finished (answered, and approved where due) / wall time of the
phase.

The check at the end, over every request of both phases, from the database itself: the thread
exists, ran exactly one turn, and has the expected status (completed, or waiting); it has
exactly one queue row if it stopped for approval (resumed, or still pending) and none otherwise;
its side effects, counted by idempotency key in the demo company's `side_effects` table and as
`side_effect` events in the audit trail, are exactly one for each credit that ran and zero
otherwise; each approval has one `human_decision` event; the credits table grew by exactly the
credits expected; and the audit chain verifies. Any HTTP error counts as lost.

    .venv/bin/python -m benchmarks.scale_out                      # 1,000 requests per phase
    .venv/bin/python -m benchmarks.scale_out --requests 100 --json

Every loop is bounded: each HTTP call has a timeout, each phase a deadline (`--phase-timeout`),
start-up a deadline; the servers are stopped and the database dropped whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.pgdb import add_postgres_url_argument, postgres_database

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 180.0
CALL_TIMEOUT_S = 120.0

READ_REQUESTS = (
    "What is the status of ticket TCK-{n}?",
    "Is the api service healthy?",
    "How many tickets were opened last week?",
)


@dataclass(frozen=True)
class Job:
    index: int
    kind: str  # approve | leave | credit | read
    text: str


def job(i: int) -> Job:
    customer = f"CUS-{1001 + i % 50}"
    slot = i % 10
    if slot < 3:
        nth = (i // 10) * 3 + slot  # the nth approval request
        kind = "leave" if nth % 10 == 9 else "approve"
        return Job(i, kind, f"Apply a credit of $150 to customer {customer} for the outage.")
    if slot < 5:
        return Job(i, "credit", f"Apply a credit of $50 to customer {customer} for the outage.")
    text = READ_REQUESTS[slot % len(READ_REQUESTS)].format(n=1001 + i % 150)
    return Job(i, "read", text)


@dataclass
class Done:
    job: Job
    phase: str
    thread_id: str | None = None
    status: str | None = None  # the thread's status as the API last answered it
    ran_on: int = 0
    decided_on: int | None = None
    seconds: float = 0.0
    error: str | None = None


@dataclass
class Phase:
    name: str
    processes: int
    requests: int
    finished: int
    errors: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float


@dataclass
class Check:
    requests: int
    completed: int
    waiting: int
    side_effects: int
    approvals: int
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class Report:
    requests_per_phase: int
    concurrency: int
    phases: list[Phase]
    speedup: float
    check: Check
    exactly_once: bool


# -- processes ------------------------------------------------------------------------------------


# uvicorn's start-up line (INFO), which names the port it bound: the one the system picked
# when asked for port 0.
_LISTENING = re.compile(r"Uvicorn running on (https?://[\w.\-\[\]:]*:\d+)")


def listening_url(log: str) -> str | None:
    """The URL a server started with `--port 0` listens on, once its log says it."""
    match = _LISTENING.search(log)
    return match.group(1) if match else None


def policy_without_cumulative_limits(home: Path) -> Path:
    import yaml

    policy = yaml.safe_load((REPO / "agents" / "demo" / "policy.yaml").read_text())
    policy.pop("cumulative", None)
    path = home / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    return path


def server_env(home: Path, db_url: str, planner_cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGMASTER_")}
    env.update(
        PYTHONPATH=str(REPO),
        RINGMASTER_HOME=str(home),
        RINGMASTER_DB_URL=db_url,
        RINGMASTER_PLANNER_CACHE=str(planner_cache),
        # The load generator is one client: per-token limits would throttle the benchmark.
        RINGMASTER_API_REQUESTS_PER_MINUTE="10000000",
        RINGMASTER_API_DECISIONS_PER_MINUTE="10000000",
        RINGMASTER_API_RATE_BURST="100000",
        RINGMASTER_ESCALATION_INTERVAL_SECONDS="0",
    )
    return env


def cli(env: dict[str, str], *args: str) -> Any:
    """`ringmaster ARGS --json`, parsed."""
    out = subprocess.run(
        [sys.executable, "-m", "ringmaster.cli", *args, "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"ringmaster {' '.join(args)} failed: {out.stderr.strip()}")
    return json.loads(out.stdout)


class Server:
    """One `ringmaster serve` subprocess; its output goes to a log file."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.base = ""  # known once the server has bound its port (wait_ready)
        self.log_path = logs / f"serve-{name}.log"
        self._log = self.log_path.open("w")
        # Port 0: the server binds a port the system picks, so that no other process can take
        # it between choosing and binding; its start-up line (INFO) names it.
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ringmaster.cli_serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--log-level",
                "info",
            ],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server {self.name} exited: {self.tail()}")
            self.base = self.base or listening_url(self.tail(None)) or ""
            try:
                if self.base and httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # not listening or not ready yet; nothing else to wait on
        raise RuntimeError(f"server {self.name} not ready after {timeout:.0f} s: {self.tail()}")

    def tail(self, chars: int | None = 2000) -> str:
        self._log.flush()
        text = self.log_path.read_text()
        return text if chars is None else text[-chars:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


# -- load -----------------------------------------------------------------------------------------


async def run_one(
    client: httpx.AsyncClient,
    servers: list[Server],
    tokens: dict[str, str],
    job_: Job,
    phase: str,
    on: int,
    decide_on: int,
) -> Done:
    done = Done(job_, phase, ran_on=on)
    as_requester = {"Authorization": f"Bearer {tokens['requester']}"}
    as_reviewer = {"Authorization": f"Bearer {tokens['reviewer']}"}
    t0 = time.perf_counter()
    try:
        r = await client.post(f"{servers[on].base}/threads", headers=as_requester)
        r.raise_for_status()
        done.thread_id = r.json()["id"]
        r = await client.post(
            f"{servers[on].base}/threads/{done.thread_id}/requests",
            json={"request": job_.text},
            headers=as_requester,
        )
        r.raise_for_status()
        body = r.json()
        done.status = body["status"]
        if job_.kind == "approve" and body["status"] == "waiting" and body["pending"]:
            item = body["pending"][0]["id"]
            done.decided_on = decide_on
            r = await client.post(
                f"{servers[decide_on].base}/reviews/{item}/decision",
                json={"decision": "approve"},
                headers=as_reviewer,
            )
            r.raise_for_status()
            done.status = r.json()["status"]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        detail = ""
        if isinstance(exc, httpx.HTTPStatusError):
            detail = f": {exc.response.text[:300]}"
        done.error = f"{type(exc).__name__}: {exc}{detail}"
    done.seconds = time.perf_counter() - t0
    return done


async def run_phase(
    name: str,
    servers: list[Server],
    tokens: dict[str, str],
    jobs: list[Job],
    concurrency: int,
    phase_seconds: float,
) -> tuple[Phase, list[Done]]:
    sem = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(
        max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2
    )
    async with httpx.AsyncClient(timeout=CALL_TIMEOUT_S, limits=limits) as client:

        async def bounded(j: Job) -> Done:
            async with sem:
                on = j.index % len(servers)
                other = (on + 1) % len(servers)
                return await run_one(client, servers, tokens, j, name, on, other)

        t0 = time.perf_counter()
        tasks = [asyncio.create_task(bounded(j)) for j in jobs]
        finished, unfinished = await asyncio.wait(tasks, timeout=phase_seconds)
        for t in unfinished:
            t.cancel()
        seconds = time.perf_counter() - t0
    results = [t.result() for t in finished]
    by_index = {d.job.index for d in results}
    results += [Done(j, name, error="not finished before the phase deadline") for j in jobs
                if j.index not in by_index]  # fmt: skip
    ok = [d for d in results if d.error is None]
    lat = sorted(d.seconds * 1000 for d in ok) or [0.0]
    p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
    phase = Phase(
        name=name,
        processes=len(servers),
        requests=len(jobs),
        finished=len(ok),
        errors=len(results) - len(ok),
        seconds=round(seconds, 2),
        requests_per_second=round(len(ok) / seconds, 2),
        p50_ms=round(statistics.median(lat), 1),
        p95_ms=round(p95, 1),
    )
    return phase, sorted(results, key=lambda d: d.job.index)


# -- the exactly-once check -----------------------------------------------------------------------


def check_exactly_once(db_url: str, home: Path, done: list[Done], credits_before: int) -> Check:
    """Every request completed or waits in the queue exactly once; see the module docstring."""
    from sqlalchemy import func, select

    from ringmaster.audit import AuditLog, audit_events
    from ringmaster.settings import Settings
    from ringmaster.tables import make_engine, review_items, threads

    settings = Settings(home=home, db_url=db_url)
    engine = make_engine(settings.app_db_url)
    problems: list[str] = []
    try:
        ids = [d.thread_id for d in done if d.thread_id]
        with engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(select(threads).where(threads.c.id.in_(ids)))}
            items: dict[str, list[Any]] = {}
            for r in conn.execute(select(review_items).where(review_items.c.thread_id.in_(ids))):
                items.setdefault(r.thread_id, []).append(r)
            events: Counter[tuple[str, str]] = Counter()
            for tid, kind, n in conn.execute(
                select(audit_events.c.thread_id, audit_events.c.kind, func.count())
                .where(audit_events.c.thread_id.in_(ids))
                .group_by(audit_events.c.thread_id, audit_events.c.kind)
            ):
                events[(tid, kind)] = n
            all_threads = conn.execute(select(func.count()).select_from(threads)).scalar_one()
        audit_problems = AuditLog(engine, key=settings.audit_secret()).verify()
    finally:
        engine.dispose()
    with sqlite3.connect(str(settings.demo_db_path)) as demo:
        effects: Counter[str] = Counter()
        for (key,) in demo.execute("SELECT idempotency_key FROM side_effects"):
            effects[key.split(":", 1)[0]] += 1
        credits_after = demo.execute("SELECT COUNT(*) FROM credits").fetchone()[0]

    expected_effects = 0
    completed = waiting = approvals = 0
    for d in done:
        label = f"request {d.phase}#{d.job.index} ({d.job.kind})"
        if d.error or not d.thread_id:
            problems.append(f"{label} lost: {d.error}")
            continue
        row = rows.get(d.thread_id)
        if row is None:
            problems.append(f"{label}: thread {d.thread_id} is not in the store")
            continue
        want_status = "waiting" if d.job.kind == "leave" else "completed"
        want_items = 1 if d.job.kind in ("approve", "leave") else 0
        want_effects = 1 if d.job.kind in ("approve", "credit") else 0
        expected_effects += want_effects
        got_items = items.get(d.thread_id, [])
        if row.status != want_status:
            problems.append(f"{label}: thread {d.thread_id} is {row.status}, not {want_status}")
        if row.turn != 1:
            problems.append(f"{label}: thread {d.thread_id} ran {row.turn} turns, not 1")
        if len(got_items) != want_items:
            problems.append(f"{label}: {len(got_items)} queue rows, not {want_items}")
        want_item_status = {"approve": "resumed", "leave": "pending"}.get(d.job.kind)
        if want_item_status and got_items and got_items[0].status != want_item_status:
            problems.append(f"{label}: queue row is {got_items[0].status}")
        if effects[d.thread_id] != want_effects:
            problems.append(f"{label}: {effects[d.thread_id]} side effects, not {want_effects}")
        audited = events[(d.thread_id, "side_effect")]
        if audited != want_effects:
            problems.append(f"{label}: {audited} side_effect audit events, not {want_effects}")
        decisions = events[(d.thread_id, "human_decision")]
        if decisions != (1 if d.job.kind == "approve" else 0):
            problems.append(f"{label}: {decisions} human_decision audit events")
        completed += row.status == "completed"
        waiting += row.status == "waiting"
        approvals += decisions
    if all_threads != len(done):
        problems.append(f"{all_threads} threads in the store for {len(done)} requests")
    if credits_after - credits_before != expected_effects:
        problems.append(
            f"the credits table grew by {credits_after - credits_before}, not {expected_effects}"
        )
    if sum(effects.values()) != expected_effects:
        problems.append(f"{sum(effects.values())} side effects in all, not {expected_effects}")
    problems += [f"audit: {p}" for p in audit_problems]
    return Check(len(done), completed, waiting, sum(effects.values()), approvals, problems)


# -- main -----------------------------------------------------------------------------------------


def print_report(report: Report) -> None:
    print(f"\n{report.requests_per_phase:,} requests per phase, {report.concurrency} at a time\n")
    print(
        "| phase | processes | requests | finished | errors | seconds | req/s | p50 ms | p95 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in report.phases:
        print(
            f"| {p.name} | {p.processes} | {p.requests} | {p.finished} | {p.errors} | "
            f"{p.seconds} | {p.requests_per_second} | {p.p50_ms} | {p.p95_ms} |"
        )
    c = report.check
    print(f"\ntwo processes / one: {report.speedup:.2f}×")
    print(
        f"exactly once: {'PASSED' if c.passed else 'FAILED'} — {c.requests} requests: "
        f"{c.completed} completed, {c.waiting} waiting in the queue, {c.side_effects} side "
        f"effects, {c.approvals} approvals"
    )
    for problem in c.problems[:20]:
        print(f"  - {problem}")


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--phase-timeout", type=float, default=900.0, help="seconds per phase")
    add_postgres_url_argument(parser)
    parser.add_argument("--planner-cache", type=Path, default=REPO / ".ringmaster" / "cache")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.postgres_url:
        parser.error("needs Postgres: --postgres-url or RINGMASTER_TEST_POSTGRES_URL")
    if args.requests < 1 or args.concurrency < 1:
        parser.error("--requests and --concurrency must be at least 1")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with ExitStack() as stack:
        home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rm-scale-")))
        db_url = stack.enter_context(postgres_database(args.postgres_url))
        env = server_env(home, db_url, args.planner_cache)
        # The demo policy's cumulative limits would hold the one load user's credits for a
        # person after the first few; this measures exactly-once delivery, not the policy.
        env["RINGMASTER_POLICY_FILE"] = str(policy_without_cumulative_limits(home))
        tokens = {
            "requester": cli(
                env, "users", "add", "loadgen", "--role", "requester", "--scopes", "all"
            )["token"],
            "reviewer": cli(env, "users", "add", "approver", "--role", "reviewer")["token"],
        }
        from ringmaster.settings import Settings
        from ringmaster.wiring import build_deps

        # The team as the servers build it: this seeds the demo company's database and the
        # planner's cache once, and the checkpointer's tables are made once, so that both
        # servers can start at the same time (two processes setting up a fresh database at
        # once can collide on CREATE TABLE / CREATE INDEX).
        settings = Settings(home=home, planner_cache=args.planner_cache)
        build_deps(settings)
        from ringmaster.graph.checkpoint import open_checkpointer

        with open_checkpointer(Settings(home=home, db_url=db_url).checkpoint_url):
            pass
        servers: list[Server] = []
        for name in ("A", "B"):
            server = Server(name, env, home)
            servers.append(server)
            stack.callback(server.stop)
        t0 = time.perf_counter()
        for server in servers:
            server.wait_ready()
            log(f"server {server.name} ready on {server.base} ({time.perf_counter() - t0:.1f} s)")

        with sqlite3.connect(str(settings.demo_db_path)) as demo:
            credits_before = demo.execute("SELECT COUNT(*) FROM credits").fetchone()[0]

        phases, done = [], []
        for name, group, offset in (
            ("1 process", servers[:1], 0),
            ("2 processes", servers, args.requests),
        ):
            jobs = [job(offset + i) for i in range(args.requests)]
            log(f"phase {name}: {len(jobs)} requests …")
            phase, results = asyncio.run(
                run_phase(name, group, tokens, jobs, args.concurrency, args.phase_timeout)
            )
            log(f"phase {name}: {phase.requests_per_second} req/s, {phase.errors} errors")
            phases.append(phase)
            done += results
        check = check_exactly_once(db_url, home, done, credits_before)
        for server in servers:
            server.stop()
        report = Report(
            requests_per_phase=args.requests,
            concurrency=args.concurrency,
            phases=phases,
            speedup=round(phases[1].requests_per_second / phases[0].requests_per_second, 2)
            if phases[0].requests_per_second
            else 0.0,
            check=check,
            exactly_once=check.passed,
        )
    if args.json:
        print(json.dumps(asdict(report), indent=2))
    else:
        print_report(report)
    return report


if __name__ == "__main__":
    main()

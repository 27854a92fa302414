"""Orchestration overhead against `langgraph-supervisor`, with and without model latency.

Both systems answer the same three-part request ("ticket? invoice? service health?") with the
same three specialists, each owning one read-only look-up tool, and the same scripted chat
model (`benchmarks/scripted.py`): the same plan, the same tool calls, the same final texts
(`benchmarks/workload.py`; the systems are in `benchmarks/systems.py`).
Both checkpoint to a fresh SQLite file (`ringmaster.graph.checkpoint`, WAL) with
`durability="sync"`, as the runner does.

Equal-work rows (the same agents' work, the same scripted answers, the same durability):
    ringmaster · llm planner · llm agents      the headline: one planning call, then each
                                               specialist as ringmaster's own LLM agent
                                               (the `create_agent` loop, run as a plain
                                               loop in the agent node: tool call, tool,
                                               answer)
    ringmaster · llm planner · react agents    the supervisor's very `create_react_agent`
                                               specialists, run as GraphRuntime
    create_supervisor · react agents           the baseline: the supervisor model hands off
                                               with `transfer_to_<agent>`, one at a time
Rows that are not equal work (labelled so, never the headline):
    ringmaster · cascade · llm agents          the local planner plans when it is sure, so
                                               there is no planning call
    ringmaster · llm planner · python agents   Python runtimes call the tool: no agent calls
    ringmaster · local planner · python agents the embedded default: no model call at all

Part 1, zero latency: what the orchestration itself costs per request (time from `invoke` to
the final state, checkpoint bytes, model calls, tokens). Part 2, latency: every model call takes
`--latency-ms` plus `--latency-prompt-ms` per prompt token and `--latency-output-ms` per output
token; wall time per request, the floor (the calls a system must make one after another: for
create_supervisor every call; for ringmaster the plan, then the longest agent's calls, as the
agents run in parallel), and the overhead above the floor.

Requests run interleaved (request i of every system before request i+1 of any), each on its own
thread id, after one warm-up request per system. Every final state is checked, so a system that
stopped doing the work cannot look fast. The run ends with one verdict line per target.

    .venv/bin/python -m benchmarks.overhead [--requests 40] [--latency-requests 5] [--json]
        [--latency-ms 300] [--latency-prompt-ms 0.05] [--latency-output-ms 0]
        [--no-local-planner] [--planner-cache DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.scripted import Latency, machine, percentile
from benchmarks.systems import (
    CASCADE,
    HEADLINE,
    LOCAL_PYTHON,
    PYTHON_AGENTS,
    REACT_INSIDE,
    SUPERVISOR,
    System,
    ringmaster_system,
    supervisor_system,
)
from benchmarks.workload import REQUEST, local_planner
from ringmaster.graph.checkpoint import open_checkpointer
from ringmaster.graph.planner.base import Planner

# Equal work, zero latency: ringmaster's own LLM agents against create_supervisor's.
TIME_TARGET = 0.5  # median time at most half of create_supervisor's
BYTES_TARGET = 0.2  # checkpoint bytes at most a fifth
# Latency: wall time against create_supervisor's, and above the system's own floor.
LATENCY_LLM_TARGET = 0.35
LATENCY_CASCADE_TARGET = 0.25
FLOOR_TARGET = 0.10  # ringmaster's wall time at most 10% above its floor


def stored_bytes(db: Path, warmup_thread: str) -> tuple[int, int, int]:
    """Blob bytes, checkpoint rows and write rows of every thread but the warm-up's."""
    with sqlite3.connect(db) as conn:
        cp_bytes, cp_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0), COUNT(*) "
            "FROM checkpoints WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
        w_bytes, w_rows = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(value)), 0), COUNT(*) FROM writes WHERE thread_id != ?",
            (warmup_thread,),
        ).fetchone()
    return cp_bytes + w_bytes, cp_rows, w_rows


# -- the systems under test -------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    requests: int = 40
    latency_requests: int = 5
    latency: Latency = Latency(300.0, 0.05, 0.0)
    with_local: bool = True
    planner_cache: Path | None = None


@contextmanager
def systems_under_test(
    workdir: Path, latency: Latency, local: Planner | None, *, full: bool
) -> Iterator[list[System]]:
    """The equal-work systems, the cascade (with a local planner) and, when `full`, the rows
    that are not equal work; create_supervisor last."""
    with ExitStack() as stack:

        def saver(tag: str) -> tuple[Any, Path]:
            db = workdir / tag / "checkpoints.db"
            return stack.enter_context(open_checkpointer(f"sqlite:///{db}")), db

        def rm(name: str, tag: str, **kw: Any) -> System:
            cp, db = saver(tag)
            return ringmaster_system(name, cp, db, latency=latency, local=local, **kw)

        systems = [
            rm(HEADLINE, "rm-llm", planner="llm", agents="llm", equal_work=True, note="headline"),
            rm(
                REACT_INSIDE,
                "rm-react",
                planner="llm",
                agents="react",
                equal_work=True,
                note="the supervisor's own agents",
            ),
        ]
        if local is not None:
            systems.append(
                rm(
                    CASCADE,
                    "rm-cascade",
                    planner="cascade",
                    agents="llm",
                    equal_work=False,
                    note="no planning call when the local planner is sure",
                )
            )
        if full:
            systems.append(
                rm(
                    PYTHON_AGENTS,
                    "rm-python",
                    planner="llm",
                    agents="python",
                    equal_work=False,
                    note="no agent model calls",
                )
            )
            if local is not None:
                systems.append(
                    rm(
                        LOCAL_PYTHON,
                        "rm-local",
                        planner="local",
                        agents="python",
                        equal_work=False,
                        note="no model calls at all",
                    )
                )
        cp, db = saver("supervisor")
        systems.append(supervisor_system(cp, db, latency))
        yield systems


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one system costs per request with a zero-latency model."""

    system: str
    equal_work: bool
    note: str
    requests: int
    median_ms: float
    p95_ms: float
    cpu_median_ms: float  # the process's CPU time per request, every thread
    checkpoint_bytes_per_request: float  # checkpoints.checkpoint + .metadata + writes.value
    file_bytes_per_request: float  # growth of the SQLite file (WAL folded in)
    checkpoints_per_request: float
    writes_per_request: float
    model_calls_per_request: float
    prompt_tokens_per_request: float
    output_tokens_per_request: float
    planned_locally: float | None  # the cascade: share of requests planned with no model call


@dataclass
class LatencyFigures:
    """Wall time per request when every model call takes time, against the system's floor."""

    system: str
    equal_work: bool
    requests: int
    wall_median_ms: float
    wall_p95_ms: float
    floor_median_ms: float
    overhead_median_ms: float  # wall minus floor, per request
    overhead_share: float  # median of (wall - floor) / floor


def warm_up(systems: list[System]) -> None:
    for system in systems:
        system.invoke("warm-up")


def run_rounds(systems: list[System], requests: int) -> None:
    for i in range(requests):  # interleaved, so drift and load fall on every system alike
        for system in systems:
            elapsed, cpu, floor = system.invoke(f"request-{i:04d}")
            system.times.append(elapsed)
            system.cpu.append(cpu)
            system.floors.append(floor)


def measure(systems: list[System], requests: int) -> list[Figures]:
    warmup = "warm-up"
    warm_up(systems)
    counts = {s.name: s.counts() for s in systems}
    local0 = {s.name: s.cascade.local_only for s in systems if s.cascade}
    size_before = {s.name: s.file_bytes() for s in systems}
    run_rounds(systems, requests)
    figures = []
    for system in systems:
        blob, checkpoints, writes = stored_bytes(system.db, warmup)
        grown = system.file_bytes() - size_before[system.name]
        calls, prompt, output = (
            b - a for a, b in zip(counts[system.name], system.counts(), strict=True)
        )
        ms = [t * 1000 for t in system.times]
        local = None
        if system.cascade is not None:
            local = (system.cascade.local_only - local0[system.name]) / requests
        figures.append(
            Figures(
                system=system.name,
                equal_work=system.equal_work,
                note=system.note,
                requests=requests,
                median_ms=round(statistics.median(ms), 3),
                p95_ms=round(percentile(ms, 95), 3),
                cpu_median_ms=round(statistics.median(system.cpu) * 1000, 3),
                checkpoint_bytes_per_request=round(blob / requests, 1),
                file_bytes_per_request=round(grown / requests, 1),
                checkpoints_per_request=round(checkpoints / requests, 2),
                writes_per_request=round(writes / requests, 2),
                model_calls_per_request=round(calls / requests, 2),
                prompt_tokens_per_request=round(prompt / requests, 1),
                output_tokens_per_request=round(output / requests, 1),
                planned_locally=local,
            )
        )
    return figures


def measure_latency(systems: list[System], requests: int) -> list[LatencyFigures]:
    warm_up(systems)
    run_rounds(systems, requests)
    out = []
    for s in systems:
        over = [t - f for t, f in zip(s.times, s.floors, strict=True)]
        share = [(t - f) / f for t, f in zip(s.times, s.floors, strict=True) if f > 0]
        out.append(
            LatencyFigures(
                system=s.name,
                equal_work=s.equal_work,
                requests=requests,
                wall_median_ms=round(statistics.median(s.times) * 1000, 1),
                wall_p95_ms=round(percentile(s.times, 95) * 1000, 1),
                floor_median_ms=round(statistics.median(s.floors) * 1000, 1),
                overhead_median_ms=round(statistics.median(over) * 1000, 1),
                overhead_share=round(statistics.median(share), 3) if share else 0.0,
            )
        )
    return out


@dataclass
class Report:
    options: Options
    figures: list[Figures]
    latency: list[LatencyFigures]
    times_ms: dict[str, list[float]]  # zero latency, per request, in the order they ran
    final_states: dict[str, dict[str, Any]]
    machine_before: dict[str, Any]
    machine_after: dict[str, Any]

    def paired_time_ratio(self, system: str, against: str) -> float:
        """The median of per-round ratios: each pair ran close together, so load swings cancel."""
        pairs = zip(self.times_ms[system], self.times_ms[against], strict=True)
        return statistics.median(a / b for a, b in pairs)

    def verdicts(self) -> list[dict[str, Any]]:
        """One per target: what was measured, the limit, and whether it was met."""
        by = {f.system: f for f in self.figures}
        base, head = by[SUPERVISOR], by[HEADLINE]
        out = [
            verdict(
                f"equal work, zero latency: {HEADLINE} checkpoint bytes / {SUPERVISOR}'s",
                head.checkpoint_bytes_per_request / base.checkpoint_bytes_per_request,
                BYTES_TARGET,
            ),
            verdict(
                f"equal work, zero latency: {HEADLINE} median time / {SUPERVISOR}'s",
                head.median_ms / base.median_ms,
                TIME_TARGET,
                also=f"paired per round {self.paired_time_ratio(HEADLINE, SUPERVISOR):.2f}, "
                f"CPU time {head.cpu_median_ms / base.cpu_median_ms:.2f}",
            ),
        ]
        lat = {f.system: f for f in self.latency}
        if SUPERVISOR in lat:
            sup = lat[SUPERVISOR]
            for name, target in ((HEADLINE, LATENCY_LLM_TARGET), (CASCADE, LATENCY_CASCADE_TARGET)):
                if name not in lat:
                    continue
                row = lat[name]
                out.append(
                    verdict(
                        f"latency: {name} wall time / {SUPERVISOR}'s",
                        row.wall_median_ms / sup.wall_median_ms,
                        target,
                    )
                )
                out.append(
                    verdict(
                        f"latency: {name} wall time above its floor",
                        row.overhead_share,
                        FLOOR_TARGET,
                        also=f"{row.overhead_median_ms:.0f} ms over {row.floor_median_ms:.0f} ms",
                    )
                )
        return out


def verdict(what: str, value: float, limit: float, also: str = "") -> dict[str, Any]:
    # Decided on the figure it reports: 0.50004 against 0.5 printed "0.500 ... NOT met".
    value = round(value, 3)
    met = value <= limit
    text = f"{what}: {value:.3f} (target <= {limit}): {'met' if met else 'NOT met'}"
    return {
        "target": what,
        "value": value,
        "limit": limit,
        "met": met,
        "text": text + (f" [{also}]" if also else ""),
    }


def run(options: Options) -> Report:
    before = machine()
    local = local_planner(options.planner_cache) if options.with_local else None
    with tempfile.TemporaryDirectory(prefix="ringmaster-bench-") as tmp:
        with systems_under_test(Path(tmp) / "zero", Latency(), local, full=True) as systems:
            figures = measure(systems, options.requests)
            finals = {s.name: s.last_state or {} for s in systems}
            times = {s.name: [t * 1000 for t in s.times] for s in systems}
        latency: list[LatencyFigures] = []
        if options.latency_requests > 0:
            with systems_under_test(
                Path(tmp) / "latency", options.latency, local, full=False
            ) as systems:
                latency = measure_latency(systems, options.latency_requests)
    return Report(options, figures, latency, times, finals, before, machine())


# -- output ------------------------------------------------------------------------------------

COLUMNS = (
    ("median ms", "median_ms", "{:.2f}"),
    ("p95 ms", "p95_ms", "{:.2f}"),
    ("cpu ms", "cpu_median_ms", "{:.2f}"),
    ("ckpt bytes/req", "checkpoint_bytes_per_request", "{:,.0f}"),
    ("file bytes/req", "file_bytes_per_request", "{:,.0f}"),
    ("checkpoints/req", "checkpoints_per_request", "{:.1f}"),
    ("writes/req", "writes_per_request", "{:.1f}"),
    ("calls/req", "model_calls_per_request", "{:.1f}"),
    ("prompt tok/req", "prompt_tokens_per_request", "{:,.0f}"),
    ("output tok/req", "output_tokens_per_request", "{:,.0f}"),
)
LATENCY_COLUMNS = (
    ("wall ms", "wall_median_ms", "{:,.0f}"),
    ("p95 ms", "wall_p95_ms", "{:,.0f}"),
    ("floor ms", "floor_median_ms", "{:,.0f}"),
    ("over floor ms", "overhead_median_ms", "{:,.0f}"),
    ("over floor", "overhead_share", "{:.1%}"),
)


def label(system: str, equal_work: bool) -> str:
    return system if equal_work else f"{system} (not equal work)"


def table(rows: Sequence[Any], columns: Sequence[tuple[str, str, str]]) -> str:
    names = [label(r.system, r.equal_work) for r in rows]
    width = max(len(n) for n in names)
    head = f"{'system':<{width}}  " + "  ".join(f"{c:>15}" for c, _, _ in columns)
    lines = [head, "-" * len(head)]
    for name, r in zip(names, rows, strict=True):
        row = asdict(r)
        cells = "  ".join(f"{fmt.format(row[key]):>15}" for _, key, fmt in columns)
        lines.append(f"{name:<{width}}  {cells}")
    return "\n".join(lines)


def command(argv: Sequence[str]) -> str:
    return " ".join([".venv/bin/python -m benchmarks.overhead", *argv])


def document(report: Report, argv: Sequence[str]) -> dict[str, Any]:
    """The --json output; `benchmarks/readme.py` renders README tables from it."""
    o = report.options
    return {
        "benchmark": "overhead",
        "command": command(argv),
        "machine": {"before": report.machine_before, "after": report.machine_after},
        "request": REQUEST,
        "requests": o.requests,
        "latency_requests": o.latency_requests,
        "latency_model": asdict(o.latency),
        "targets": {
            "bytes": BYTES_TARGET,
            "time": TIME_TARGET,
            "latency_llm": LATENCY_LLM_TARGET,
            "latency_cascade": LATENCY_CASCADE_TARGET,
            "floor": FLOOR_TARGET,
        },
        "systems": [asdict(f) for f in report.figures],
        "latency": [asdict(f) for f in report.latency],
        "verdicts": report.verdicts(),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=40, help="zero-latency requests each")
    parser.add_argument(
        "--latency-requests", type=int, default=5, help="requests each with latency (0: none)"
    )
    parser.add_argument("--latency-ms", type=float, default=300.0, help="per model call")
    parser.add_argument("--latency-prompt-ms", type=float, default=0.05, help="per prompt token")
    parser.add_argument("--latency-output-ms", type=float, default=0.0, help="per output token")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-local-planner",
        action="store_true",
        help="skip the rows with the local planner (the demo team's model ships in the package)",
    )
    parser.add_argument(
        "--planner-cache", type=Path, default=None, help="directory for the local planner model"
    )
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.latency_requests < 0:
        parser.error("--latency-requests must be 0 or more")
    if min(args.latency_ms, args.latency_prompt_ms, args.latency_output_ms) < 0:
        parser.error("latencies must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark, print the tables and verdicts (or JSON), and return the report."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    options = Options(
        requests=args.requests,
        latency_requests=args.latency_requests,
        latency=Latency(args.latency_ms, args.latency_prompt_ms, args.latency_output_ms),
        with_local=not args.no_local_planner,
        planner_cache=args.planner_cache,
    )
    report = run(options)
    if args.json:
        print(json.dumps(document(report, argv), indent=2))
        return report
    load = report.machine_before["load"]
    print(f"{command(argv)}  (load average before: {load[0]} {load[1]} {load[2]})")
    print(f"Zero latency, {options.requests} requests each: {REQUEST!r}")
    print(table(report.figures, COLUMNS))
    if report.latency:
        lat = options.latency
        print()
        print(
            f"Latency: {lat.per_call_ms:g} ms a call + {lat.per_prompt_token_ms:g} ms a prompt "
            f"token + {lat.per_output_token_ms:g} ms an output token, "
            f"{options.latency_requests} requests each"
        )
        print(table(report.latency, LATENCY_COLUMNS))
    print()
    load = report.machine_after["load"]
    print(f"(load average after: {load[0]} {load[1]} {load[2]})")
    for v in report.verdicts():
        print(v["text"])
    return report


if __name__ == "__main__":
    main()

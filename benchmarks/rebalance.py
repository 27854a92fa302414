"""A simulation of the rebalancing policy (graph/standins.plan_moves) on a queue spike with one
agent made unhealthy halfway: time to drain and per-agent maximum concurrency, with and without
rebalancing.

This is NOT the run queue: it is a discrete-time model (one tick per second of simulated time)
of per-agent queues with capacities, in which the real `plan_moves` decides every tick. The
measured rows for `benchmarks/capacity.py` need the run queue (issue #10) and are left for
when it lands.

    .venv/bin/python -m benchmarks.rebalance
    .venv/bin/python -m benchmarks.rebalance --jobs 400 --down-for 600 --json
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field

from ringmaster.agents.spec import parse_team
from ringmaster.graph.standins import Load, QueuedSubtask, plan_moves

TEAM = parse_team(
    """
name: bench
agents:
  - {name: billing, description: refunds, scopes: [billing], capacity: 4,
     standins: [billing2, support], runtime: {kind: python, entry: "x:y"}}
  - {name: billing2, description: refunds too, scopes: [billing], capacity: 2,
     runtime: {kind: python, entry: "x:y"}}
  - {name: support, description: tickets, scopes: [support], capacity: 4,
     runtime: {kind: python, entry: "x:y"}}
"""
)


@dataclass
class Job:
    key: str
    agent: str
    scopes: tuple[str, ...]
    seconds: int
    left: int = 0


@dataclass
class Result:
    rebalance: bool
    drained_at: int
    max_concurrency: dict[str, int]
    moved: int
    to_person: int
    done: dict[str, int] = field(default_factory=dict)


def simulate(
    *, jobs: int, down_at: int | None, down_for: int, rebalance: bool, threshold: int, seed: int
) -> Result:
    rng = random.Random(seed)
    queues: dict[str, list[Job]] = {a.name: [] for a in TEAM.agents}
    for i in range(jobs):
        scopes = ("billing", "support") if rng.random() < 0.3 else ("billing",)
        queues["billing"].append(Job(f"j{i}", "billing", scopes, rng.randint(2, 6)))
    for i in range(jobs // 4):  # support has its own steady work
        queues["support"].append(Job(f"s{i}", "support", ("support",), rng.randint(2, 6)))
    running: dict[str, list[Job]] = {a: [] for a in queues}
    peak = dict.fromkeys(queues, 0)
    done = dict.fromkeys(queues, 0)
    moved = to_person = 0
    t = 0
    while any(queues.values()) or any(running.values()):
        healthy = {
            a: not (a == "billing" and down_at is not None and down_at <= t < down_at + down_for)
            for a in queues
        }  # noqa: E501
        if rebalance:
            loads = {
                a: Load(healthy[a], len(queues[a]), len(running[a]), TEAM.agent(a).capacity)
                for a in queues
            }
            waiting = [QueuedSubtask(j.key, a, j.scopes) for a, q in queues.items() for j in q]
            for m in plan_moves(TEAM, waiting, loads, threshold=threshold):
                job = next(j for j in queues[m.source] if j.key == m.key)
                queues[m.source].remove(job)
                if m.target is None:
                    to_person += 1
                else:
                    queues[m.target].append(job)
                    moved += 1
        for a, q in queues.items():
            while healthy[a] and q and len(running[a]) < TEAM.agent(a).capacity:
                job = q.pop(0)
                job.left = job.seconds
                running[a].append(job)
            peak[a] = max(peak[a], len(running[a]))
        t += 1
        for a, r in running.items():
            for job in list(r):
                job.left -= 1
                if job.left == 0:
                    r.remove(job)
                    done[a] += 1
    return Result(rebalance, t, peak, moved, to_person, done)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--down-for", type=int, default=300, help="seconds billing is unhealthy")
    ap.add_argument("--threshold", type=int, default=8, help="queue length that triggers moves")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    base = simulate(
        jobs=args.jobs, down_at=None, down_for=0, rebalance=False, threshold=args.threshold,
        seed=args.seed,
    )  # fmt: skip
    half = base.drained_at // 2
    rows = [("healthy throughout", False, None), ("healthy throughout", True, None)]
    rows += [(f"billing unhealthy at {half}s for {args.down_for}s", r, half) for r in (False, True)]
    results = []
    for label, rebalance, down_at in rows:
        res = simulate(
            jobs=args.jobs, down_at=down_at, down_for=args.down_for, rebalance=rebalance,
            threshold=args.threshold, seed=args.seed,
        )  # fmt: skip
        for a, n in res.max_concurrency.items():
            assert n <= TEAM.agent(a).capacity, (a, n)
        results.append({"scenario": label, **res.__dict__})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{args.jobs} billing jobs at t=0 (30% may reach support), {args.jobs // 4} support jobs")
    print("| scenario | rebalancing | drained at | max concurrency (cap) | moved | to a person |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        conc = ", ".join(
            f"{a} {n} ({TEAM.agent(a).capacity})" for a, n in r["max_concurrency"].items()
        )
        print(
            f"| {r['scenario']} | {'yes' if r['rebalance'] else 'no'} | {r['drained_at']} s "
            f"| {conc} | {r['moved']} | {r['to_person']} |"
        )


if __name__ == "__main__":
    main()

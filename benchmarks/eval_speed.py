"""Rows per second of the local planner over an eval set, with planner training excluded and
included (training time reported on its own).

    .venv/bin/python benchmarks/eval_speed.py
    .venv/bin/python benchmarks/eval_speed.py --team evals/datasets/clinc150-team-k20.yaml

"Included" trains from scratch in a temporary cache directory, so an earlier run's cached model
cannot make it look cheap; "excluded" then plans the rows again with that trained planner, and
"cached load" is what a later run pays to load the trained model from the cache instead, and
"cached, new planner" that load plus a first run (which loads the sentence model, if any).

    .venv/bin/python benchmarks/eval_speed.py --agents-150 [--examples-per-agent 20] [--limit 600]

The 150-agent row: CLINC150's 150 intents as 150 agents (team built from its train split with
`build_team`), planning CLINC150 val's in-scope rows one by one with each classifier; prints
training time, p50/p95 planner latency per request (trained model, warm) and rows per second.
Target: p95 under 50 ms per request at 150 agents, whichever classifier.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ringmaster.agents.spec import load_team
from ringmaster.evals.dataset import load_dataset
from ringmaster.evals.planners import make_planner
from ringmaster.evals.runner import run_planner

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "evals" / "datasets" / "source"


def agents_150(classifiers: list[str], examples: int, limit: int) -> None:
    """p50/p95 per request and rows/s at 150 agents, per classifier."""
    import random

    from ringmaster.agents.spec import parse_team
    from ringmaster.evals.convert import (
        RosterOptions,
        build_team,
        read_labelled,
        team_yaml,
        to_eval_rows,
    )
    from ringmaster.evals.dataset import parse_row
    from ringmaster.percentiles import percentile

    train = read_labelled(SOURCE / "clinc150-train.jsonl", "intent")
    val = [r for r in read_labelled(SOURCE / "clinc150-val.jsonl", "intent") if r.label != "oos"]
    val = random.Random(0).sample(val, min(limit, len(val)))
    team_data = build_team(
        train, RosterOptions(name="clinc150-intents", examples_per_agent=examples)
    )
    rows = [parse_row(r, line=i + 1, source="bench") for i, r in enumerate(to_eval_rows(val))]
    print(f"150 agents ({examples} examples each), {len(rows)} CLINC150 val rows")
    print(
        f"  {'classifier':<10} {'train s':>8} {'p50 ms':>8} {'p95 ms':>8} {'rows/s':>8} {'acc':>6}"
    )
    for kind in classifiers:
        team_data["routing"] = {"classifier": kind}
        team = parse_team(team_yaml(team_data), source="<bench>")
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            planner = make_planner("local", team, cache_dir=Path(tmp))
            train_s = time.perf_counter() - start
            run_planner(planner, rows[:20], team=team, progress=False)  # loads lazy parts
            done = run_planner(planner, rows, team=team, progress=False)
        latencies = [r.latency_ms for r in done.rows]
        p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
        acc = sum(r.guessed_agents == r.expected_set for r in done.rows) / len(rows)
        print(
            f"  {kind:<10} {train_s:8.1f} {p50:8.1f} {p95:8.1f} "
            f"{len(rows) / done.elapsed_s:8.1f} {acc:6.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=ROOT / "evals/datasets/clinc150-val.jsonl")
    parser.add_argument("--team", default=ROOT / "evals/datasets/clinc150-team.yaml")
    parser.add_argument("--planner", default="local")
    parser.add_argument("--agents-150", action="store_true", help="The 150-agent row.")
    parser.add_argument("--classifiers", nargs="*", default=["tfidf", "hybrid"])
    parser.add_argument("--examples-per-agent", type=int, default=20)
    parser.add_argument("--limit", type=int, default=600)
    args = parser.parse_args()
    if args.agents_150:
        agents_150(args.classifiers, args.examples_per_agent, args.limit)
        return

    rows = load_dataset(args.dataset).rows
    team = load_team(args.team)
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = Path(tmp)
        start = time.perf_counter()
        planner = make_planner(args.planner, team, cache_dir=cache_dir)
        train_s = time.perf_counter() - start
        first = run_planner(planner, rows, team=team, progress=False)
        included_s = train_s + first.elapsed_s

        warm = run_planner(planner, rows, team=team, progress=False)

        # What a later process pays: load the trained planner from the cache, then plan every
        # row (the sentence model, when the planner has one, loads on first use: counted here).
        start = time.perf_counter()
        loaded = make_planner(args.planner, team, cache_dir=cache_dir)
        load_s = time.perf_counter() - start
        cold = run_planner(loaded, rows, team=team, progress=False)

    n = len(rows)
    print(f"planner {args.planner}, team {args.team} ({len(team.agents)} agents), {n} rows")
    print(f"  training            {train_s:8.2f} s")
    print(f"  cached load         {load_s:8.2f} s")
    print(f"  training excluded   {warm.elapsed_s:8.2f} s  {n / warm.elapsed_s:9.1f} rows/s")
    print(f"  training included   {included_s:8.2f} s  {n / included_s:9.1f} rows/s")
    cold_s = load_s + cold.elapsed_s
    print(f"  cached, new planner {cold_s:8.2f} s  {n / cold_s:9.1f} rows/s  (load + first run)")


if __name__ == "__main__":
    main()

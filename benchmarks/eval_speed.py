"""Rows per second of the local planner over an eval set, with planner training excluded and
included (training time reported on its own).

    .venv/bin/python benchmarks/eval_speed.py
    .venv/bin/python benchmarks/eval_speed.py --team evals/datasets/clinc150-team-k20.yaml

"Included" trains from scratch in a temporary cache directory, so an earlier run's cached model
cannot make it look cheap; "excluded" then plans the rows again with that trained planner, and
"cached load" is what a later run pays to load the trained model from the cache instead, and
"cached, new planner" that load plus a first run (which loads the sentence model, if any).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=ROOT / "evals/datasets/clinc150-val.jsonl")
    parser.add_argument("--team", default=ROOT / "evals/datasets/clinc150-team.yaml")
    parser.add_argument("--planner", default="local")
    args = parser.parse_args()

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

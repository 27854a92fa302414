"""The local planner's routing figures on the tuning splits, as mean and range over cutter seeds.

    .venv/bin/python -m benchmarks.routing_seeds   # seeds 0-2, every demo-team-dev*.jsonl
    .venv/bin/python -m benchmarks.routing_seeds --seeds 0 1 2 3 4 --splits dev5 dev12
    .venv/bin/python -m benchmarks.routing_seeds --splits clinc-multi-tune   # its own team
    .venv/bin/python -m benchmarks.routing_seeds --json > /tmp/seeds.json
    .venv/bin/python -m benchmarks.routing_seeds --seeds 0 --classifier hybrid
    .venv/bin/python -m benchmarks.routing_seeds --seeds 0 --team /tmp/demo-other-routing.yaml

The learned cutter is trained on synthetic joins of the team's examples, drawn with
`CutterConfig.seed` (which examples are held out of its scoring classifier, the joins, the
requests kept to choose its threshold on); another seed moves a dev split by a row or three, so a
change to the cutter judged on one seed is judged partly on that noise. Per seed, each team's
planner is built as `ringmaster eval run --classifier tfidf` builds it (`--classifier hybrid`:
the TF-IDF + sentence embedding classifier, with the team's thresholds for it), with
`LocalPlannerSettings(kind=CLASSIFIER, cutter=CutterConfig(seed=s))`, in a temporary model cache
(the models under graph/planner/models are never written; seed 0 is the shipped model when the
working tree's training code still matches its cache key, and is trained like the others when
not), and every split is run through `ringmaster.evals.runner.evaluate`, the command's own code.
The TF-IDF classifier and the cutter's boosting keep their fixed seeds (`random_state=0`), as in
every model the planner trains: only the draw of the cutter's training data varies.

Splits: the demo team's tuning splits (`evals/datasets/demo-team-dev*.jsonl`, with
`agents/demo/team.yaml`, or `--team FILE`: a copy with other thresholds, say) and
`clinc-multi-tune` (with `evals/datasets/clinc150-team-tune.yaml`; its 150-agent cutter took 7-8
minutes a seed to train at a load average of 10 on 2 CPUs, the demo team's 2). Held-out sets are
not among the choices; benchmarks/README.md has the figures.

Printed per split and in total, per slice (one-part, multi-part and out-of-scope exact-set
accuracy; `count`, the subtask-count accuracy on rows expecting two or more subtasks): the mean
over the seeds and its min-max; then, per slice over all the splits run, the rows right on each
seed and their mean, the figures to compare two runs by (rows, not rates, so a one-row change
shows), and `unsteady`: the rows right on some seeds and wrong on others.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringmaster.agents.spec import Team, load_team
from ringmaster.evals.records import RowPrediction
from ringmaster.evals.runner import commit_label, evaluate, git_state, run_rows
from ringmaster.graph.planner.cutter import CutterConfig
from ringmaster.graph.planner.embedding_config import embeddings_available
from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "evals" / "datasets"
DEMO_TEAM = ROOT / "agents" / "demo" / "team.yaml"
CLINC = "clinc-multi-tune"
CLINC_TEAM = DATASETS / "clinc150-team-tune.yaml"
CLASSIFIER = "tfidf"  # the default of --classifier
CLASSIFIERS = ("tfidf", "hybrid")
# Exact-set accuracy on a tag's rows (the eval's `slices`), and subtask-count accuracy on the
# rows that expect two or more subtasks (its `decomposition_count_accuracy`).
SLICES = ("one-part", "multi-part", "out-of-scope", "count")


def demo_splits() -> list[str]:
    """The demo team's tuning splits by name ("dev", "dev2", …), in number order; the glob
    cannot match the held-out demo-team.jsonl or demo-team-2.jsonl."""
    names = [p.stem.removeprefix("demo-team-") for p in DATASETS.glob("demo-team-dev*.jsonl")]
    return sorted(names, key=lambda n: int(re.sub(r"\D", "", n) or 1))


def split_files(name: str) -> tuple[Path, Path]:
    """The dataset and team file of split `name`."""
    if name == CLINC:
        return DATASETS / f"{CLINC}.jsonl", CLINC_TEAM
    return DATASETS / f"demo-team-{name}.jsonl", DEMO_TEAM


@dataclass
class SeedRun:
    """One split planned by one seed's planner: which rows each slice has, and which are right."""

    size: int = 0
    rows: dict[str, list[int]] = field(default_factory=dict)  # slice -> line numbers
    right: dict[str, set[int]] = field(default_factory=dict)
    setup_s: float = 0.0
    planning_s: float = 0.0


def slice_rows(predictions: Sequence[RowPrediction]) -> SeedRun:
    """Each slice's rows and the ones right, from a run's row predictions."""
    run = SeedRun()
    for name in SLICES:
        if name == "count":
            rows = [p for p in predictions if p.multi_part]
            ok = [p for p in rows if len(p.subtasks) == p.expected_subtasks]
        else:
            rows = [p for p in predictions if name in p.tags]
            ok = [p for p in rows if p.correct]
        if rows:
            run.rows[name] = [p.line for p in rows]
            run.right[name] = {p.line for p in ok}
    return run


def tuned(team: Team, classifier: str = CLASSIFIER) -> Team:
    """`team` with the thresholds tuned for `classifier`, as `eval run --classifier X` routes."""
    return team.model_copy(update={"routing": team.routing.for_classifier(classifier)})


def seed_planner(
    team: Team, cache_dir: Path, seed: int = 0, classifier: str = CLASSIFIER
) -> LocalPlanner:
    """The planner the benchmarks run (this one, `envelope_mutations`, `join_mutations`):
    `classifier` (TF-IDF unless told), cutter seed `seed`, the thresholds tuned for it,
    trained into `cache_dir`."""
    settings = LocalPlannerSettings(kind=classifier, cutter=CutterConfig(seed=seed))
    return LocalPlanner(tuned(team, classifier), cache_dir=cache_dir, settings=settings)


def run_seed(
    seed: int,
    splits: Sequence[str],
    teams: dict[Path, Team],
    cache: Path,
    classifier: str = CLASSIFIER,
) -> dict[str, SeedRun]:
    """Every split planned by the planners of cutter seed `seed` and `classifier`, trained into
    `cache`."""

    def factory(_name: str, team: Team, cache_dir: Path) -> LocalPlanner:
        return seed_planner(team, cache_dir, seed, classifier)

    out: dict[str, SeedRun] = {}
    for name in splits:
        dataset, team_file = split_files(name)
        done = evaluate(
            dataset,
            team_file,
            team=teams[team_file],
            runs_dir=None,
            cache_dir=cache,
            planner_cache_dir=cache / "planner",
            progress=False,
            planner_factory=factory,
        )
        record = done.record
        run = slice_rows(run_rows(record))
        # Cross-check against the eval's own figures, so this script cannot drift from them.
        for tag, figures in record["slices"].items():
            if tag in run.rows:
                assert round(figures["accuracy"] * figures["rows"]) == len(run.right[tag]), tag
        run.size = len(record["rows"])
        run.setup_s = record["timing"]["planner_setup_s"]
        run.planning_s = record["timing"]["planning_s"]
        out[name] = run
    return out


def _figures(n: int, right: list[int], unsteady: int) -> dict[str, Any]:
    """A slice's figures from its rows, the rows right on each seed and the unsteady ones."""
    return {
        "rows": n,
        "right": right,
        "right_mean": round(statistics.fmean(right), 2),
        "mean": round(statistics.fmean(right) / n, 4),
        "min": round(min(right) / n, 4),
        "max": round(max(right) / n, 4),
        "unsteady": unsteady,
    }


def summary(runs: Sequence[SeedRun], name: str) -> dict[str, Any] | None:
    """One slice over the seeds: rows, rows right per seed, accuracy mean / min / max."""
    if not runs or name not in runs[0].rows:
        return None
    n = len(runs[0].rows[name])
    right = [len(r.right[name]) for r in runs]
    sets = [r.right[name] for r in runs]
    unsteady = set[int]().union(*sets) - sets[0].intersection(*sets[1:])
    return _figures(n, right, len(unsteady))


def totals(by_split: dict[str, list[SeedRun]], name: str) -> dict[str, Any] | None:
    """One slice summed over the splits: per seed rows right, and the same figures as a split's."""
    parts = [s for runs in by_split.values() if (s := summary(runs, name)) is not None]
    if not parts:
        return None
    n = sum(p["rows"] for p in parts)
    right = [sum(col) for col in zip(*(p["right"] for p in parts), strict=True)]
    return _figures(n, right, sum(p["unsteady"] for p in parts))


def cell(s: dict[str, Any] | None) -> str:
    return "-" if s is None else f"{s['mean']:.3f} {s['min']:.3f}-{s['max']:.3f}"


def print_table(result: dict[str, Any]) -> None:
    seeds = result["seeds"]
    git = result["git"]
    print(
        f"routing_seeds: cutter seeds {' '.join(map(str, seeds))}, "
        f"classifier {result['classifier']}; "
        + ("" if result["team"] == str(DEMO_TEAM) else f"team {result['team']}; ")
        + f"{commit_label(git)}; "
        f"{result['seconds']['total']:.0f} s"
    )
    print("mean over the seeds and min-max; exact set per slice, subtask count on multi-part rows")
    rows = [("split", list(SLICES))]
    rows += [
        (f"{n} ({split['rows']})", [cell(split[s]) for s in SLICES])
        for n, split in result["splits"].items()
    ]
    rows.append(("total", [cell(result["total"][s]) for s in SLICES]))
    for label, cells in rows:
        print((f"{label:<24}" + "".join(f"{c:<20}" for c in cells)).rstrip())
    print()
    print(
        "rows right over the splits: per seed, mean, of rows; unsteady = right on some seeds only"
    )
    for name in SLICES:
        t = result["total"][name]
        if t is None:
            continue
        per_seed = " / ".join(map(str, t["right"]))
        print(
            f"  {name:<13} {per_seed:<20} mean {t['right_mean']:7.2f} of {t['rows']:<5} "
            f"unsteady {t['unsteady']}"
        )
    one_multi = result["total_one_plus_multi"]
    if one_multi is not None:
        print(
            f"  {'one+multi':<13} {' / '.join(map(str, one_multi)):<20} mean "
            f"{statistics.fmean(one_multi):7.2f}"
        )
    print()
    print(
        "seconds per seed (model setup, i.e. training or loading; planning): "
        + ", ".join(
            f"seed {s}: {t['setup']:.0f} / {t['planning']:.0f}"
            for s, t in zip(seeds, result["seconds"]["per_seed"], strict=True)
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    splits = demo_splits()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="cutter seeds (default: 0 1 2)"
    )
    parser.add_argument(
        "--splits",
        nargs="+",
        default=splits,
        choices=[*splits, CLINC],
        metavar="SPLIT",
        help=f"from {', '.join([*splits, CLINC])} (default: the demo team's)",
    )
    parser.add_argument(
        "--classifier",
        default=CLASSIFIER,
        choices=CLASSIFIERS,
        help=f"the local planner's classifier (default: {CLASSIFIER})",
    )
    parser.add_argument(
        "--team",
        type=Path,
        default=DEMO_TEAM,
        metavar="FILE",
        help="the team file the demo splits are planned with (default: agents/demo/team.yaml)",
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    if args.classifier == "hybrid" and not embeddings_available():
        parser.error("--classifier hybrid needs the embeddings extra (make install)")
    files = {split_files(s)[1] for s in args.splits}
    teams = {f: load_team(args.team if f == DEMO_TEAM else f) for f in files}
    # The thresholds tuned for the classifier, as `eval run --classifier X` routes with them.
    teams = {f: tuned(t, args.classifier) for f, t in teams.items()}
    # Read before the run: the code it plans with is what the tree held when it started.
    git = git_state(ROOT)
    start = time.perf_counter()
    by_seed: list[dict[str, SeedRun]] = []
    with tempfile.TemporaryDirectory(prefix="routing-seeds-") as tmp:
        for seed in args.seeds:
            # A cache per seed: storing a team's model prunes the team's other models there.
            cache = Path(tmp) / f"seed-{seed}"
            by_seed.append(run_seed(seed, args.splits, teams, cache, args.classifier))
    by_split = {name: [runs[name] for runs in by_seed] for name in args.splits}
    one_multi = [
        sum(len(r.right.get(s, ())) for r in runs.values() for s in ("one-part", "multi-part"))
        for runs in by_seed
    ]
    result: dict[str, Any] = {
        "command": "python -m benchmarks.routing_seeds",
        "seeds": args.seeds,
        "classifier": args.classifier,
        "team": str(args.team),
        "git": git,
        "splits": {
            name: {
                "rows": runs[0].size,
                **{s: summary(runs, s) for s in SLICES},
                "wrong": {
                    str(seed): {s: sorted(set(run.rows[s]) - run.right[s]) for s in run.rows}
                    for seed, run in zip(args.seeds, runs, strict=True)
                },
            }
            for name, runs in by_split.items()
        },
        "total": {s: totals(by_split, s) for s in SLICES},
        "total_one_plus_multi": one_multi,
        "seconds": {
            "total": round(time.perf_counter() - start, 1),
            "per_seed": [
                {
                    "setup": round(sum(r.setup_s for r in runs.values()), 1),
                    "planning": round(sum(r.planning_s for r in runs.values()), 1),
                }
                for runs in by_seed
            ],
        },
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_table(result)


if __name__ == "__main__":
    main()

"""Scoring cost: the local planner's plain-Python scorer against scikit-learn, same model.

Trains the team's TF-IDF classifier once (scikit-learn, the `train` extra), exports it to the
JSON document the planner loads, and scores the same texts (an eval set's requests and the parts
the splitter cuts them into) with both: `TfidfClassifier.score` (scikit-learn's sparse products)
and `TfidfScorer.score` (graph/planner/scoring.py, what the default install runs). Prints the
median of `--repeats` passes in ms a text, their ratio, the time to load the document, and the
largest probability difference between the two.

    .venv/bin/python -m benchmarks.scoring                     # the demo team, demo-team.jsonl
    .venv/bin/python -m benchmarks.scoring --team evals/datasets/clinc150-team.yaml \\
        --dataset evals/datasets/clinc150-val.jsonl --limit 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ringmaster.agents.demo import load_demo_team
from ringmaster.agents.spec import load_team
from ringmaster.graph.planner.classifier import TfidfClassifier
from ringmaster.graph.planner.local_model import training_data
from ringmaster.graph.planner.scoring import TfidfScorer
from ringmaster.graph.planner.splitter import split_request

REPO = Path(__file__).resolve().parent.parent


def _texts(dataset: Path, limit: int | None) -> list[str]:
    rows = [json.loads(line)["text"] for line in dataset.read_text().splitlines() if line.strip()]
    out: list[str] = []
    for r in rows[:limit]:
        out.append(r)
        out.extend(s.text for s in split_request(r))
    return list(dict.fromkeys(out))


def _median_ms_per_text(score: Any, texts: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        score(texts)
        runs.append((time.perf_counter() - start) * 1000 / len(texts))
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--team", type=Path, default=None, help="a team file (default: demo)")
    parser.add_argument("--dataset", type=Path, default=REPO / "evals/datasets/demo-team.jsonl")
    parser.add_argument("--limit", type=int, default=None, help="first N rows of the dataset")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    team = load_demo_team() if args.team is None else load_team(args.team)
    examples, labels = training_data(team)
    fitted = TfidfClassifier.train(examples, labels)
    document = json.dumps(fitted.to_document())
    loads = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        scorer = TfidfScorer(json.loads(document))
        loads.append(time.perf_counter() - start)
    texts = _texts(args.dataset, args.limit)
    sklearn_ms = _median_ms_per_text(fitted.score, texts, args.repeats)
    python_ms = _median_ms_per_text(scorer.score, texts, args.repeats)
    diff = max(
        abs(p - b.probs[label])
        for a, b in zip(fitted.score(texts), scorer.score(texts), strict=True)
        for label, p in a.probs.items()
    )
    report = {
        "benchmark": "scoring",
        "command": " ".join([".venv/bin/python -m benchmarks.scoring", *(argv or sys.argv[1:])]),
        "team": team.name,
        "examples": len(examples),
        "texts": len(texts),
        "repeats": args.repeats,
        "load_average": os.getloadavg(),
        "sklearn_ms_per_text": sklearn_ms,
        "python_ms_per_text": python_ms,
        "ratio": python_ms / sklearn_ms,
        "document_mb": len(document) / 1e6,
        "load_s": statistics.median(loads),
        "max_probability_difference": diff,
    }
    out = sys.stdout.write
    out(f"{report['command']}\n")
    out(
        f"team {team.name}: {len(examples)} examples; {len(texts)} texts; median of "
        f"{args.repeats}; load average {' / '.join(f'{x:.2f}' for x in report['load_average'])}\n"
    )
    out(f"  scikit-learn  {sklearn_ms:8.2f} ms a text\n")
    out(f"  plain Python  {python_ms:8.2f} ms a text  ({report['ratio']:.1f}x)\n")
    out(f"  model document {report['document_mb']:.1f} MB, loaded in {report['load_s']:.2f} s\n")
    out(f"  largest probability difference {diff:.1e}\n")
    return report


if __name__ == "__main__":
    main()

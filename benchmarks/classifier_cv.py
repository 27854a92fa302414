"""The planner's TF-IDF classifier alone, and variants of its settings, by k-fold cross-validation
on a team file's own examples: what each setting buys before splitting and escalation.

    .venv/bin/python benchmarks/classifier_cv.py evals/datasets/slurp-team.yaml \\
        [--folds 5] [--variants shipped c3 c30 words13 chars16 chars35 svm05 svm1]

Rows are the team's agents' examples (human examples left out: this is routing accuracy), cut
into the stratified folds of `benchmarks/planner_cv.py` (the same folds, so its
`classifier_top1` is this script's `shipped`). Each variant is a `TfidfConfig` the planner could
be given (`LocalPlannerSettings.classifier`), trained by the planner's own pipeline; the top
label does not depend on the fitted temperature, so none is fitted. Printed per variant: top-1
accuracy over every row, and the rows it gets right that `shipped` misses and the reverse.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.planner_cv import folds_of, team_rows
from ringmaster.evals.convert import LabelledRow
from ringmaster.graph.planner.classifier import _pipeline
from ringmaster.graph.planner.scoring import TfidfConfig

SHIPPED = TfidfConfig()
VARIANTS: dict[str, TfidfConfig] = {
    "shipped": SHIPPED,
    "c3": replace(SHIPPED, c=3.0),
    "c30": replace(SHIPPED, c=30.0),
    "words13": replace(SHIPPED, word_ngrams=(1, 3)),
    "chars16": replace(SHIPPED, char_ngrams=(1, 6)),
    "chars35": replace(SHIPPED, char_ngrams=(3, 5)),
    "svm05": replace(SHIPPED, model="svm", svm_c=0.5),
    "svm1": replace(SHIPPED, model="svm", svm_c=1.0),
}


def predictions(rows: Sequence[LabelledRow], config: TfidfConfig, folds: int) -> list[str]:
    """Each row's top label from a model trained on the other folds (in the order of `rows`)."""
    where = {id(r): i for i, r in enumerate(rows)}
    out = [""] * len(rows)
    cut = folds_of(rows, folds)
    for k, held in enumerate(cut):
        train = [r for j, f in enumerate(cut) if j != k for r in f]
        model = _pipeline(config, len(train))
        model.fit([r.text for r in train], [r.label for r in train])
        for r, p in zip(held, model.predict([r.text for r in held]), strict=True):
            out[where[id(r)]] = str(p)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("team", type=Path, help="A team file; its agents' examples are the rows.")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args(argv)
    rows = [r for r in team_rows(args.team) if r.label != "oos"]
    labels = [r.label for r in rows]
    base: list[str] | None = None
    for name in ["shipped", *(v for v in args.variants if v != "shipped")]:
        start = time.perf_counter()
        got = predictions(rows, VARIANTS[name], args.folds)
        right = [g == lab for g, lab in zip(got, labels, strict=True)]
        if base is None:
            base = got
        was = [b == lab for b, lab in zip(base, labels, strict=True)]
        line = {
            "team": str(args.team),
            "variant": name,
            "rows": len(rows),
            "top1": round(sum(right) / len(rows), 4),
            "gained": sum(r and not w for r, w in zip(right, was, strict=True)),
            "lost": sum(w and not r for r, w in zip(right, was, strict=True)),
            "seconds": round(time.perf_counter() - start, 1),
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

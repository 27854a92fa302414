"""Offline routing evals: datasets, runs, metrics, reports, comparisons and threshold tuning.

dataset.py   eval rows (JSONL) and their checks       convert.py   labelled JSONL -> rows, team
runner.py    plan every row, save the run             cache.py     response cache on disk
planners.py  planners by name, optional extras        records.py   per-row predictions
metrics.py   every routing metric                     report.py    terminal, Markdown, HTML
compare.py   deltas and flipped rows between runs     gate.py      --fail-under bars
threshold.py tune and write escalation thresholds     build_datasets.py  CLINC150 files

Every part needs the `train` extra (scikit-learn's metrics, and training each dataset's team):
importing this package without it raises `MissingExtra`, one line naming the extra.
"""

from ringmaster.extras import require

for _module in ("numpy", "scipy", "sklearn"):
    require(_module, "train")

"""The conversation eval's figures on its tuning splits, per split and pooled.

    .venv/bin/python -m benchmarks.conversation_splits                  # every conversations-dev*
    .venv/bin/python -m benchmarks.conversation_splits --splits dev4 dev12
    .venv/bin/python -m benchmarks.conversation_splits --json > /tmp/conv.json
    .venv/bin/python -m benchmarks.conversation_splits --classifier hybrid

Each split (`evals/datasets/conversations-dev*.jsonl`, by the name after "conversations-":
"dev", "dev2", …) is read by `load_conversations` and run by `run_on_team` with the settings
of the environment, the code `ringmaster eval conversations --dataset FILE` runs, so a split's
figures are that command's (`--classifier`: the local planner's classifier and the team's
thresholds for it, `ringmaster.evals.conversations.with_classifier`; unset, the team's own).
The held-out `conversations.jsonl` is never among them: the glob cannot match it, and
`dev_splits` leaves it out by name as well.

Printed per split: agent set accuracy (of every turn), resolution accuracy (of the referring
turns), clarifying-question rate (of the ambiguous turns), ambiguous turns acted on and
questions on clear turns, each as the eval gives it with the turns behind it (right / turns);
then the same pooled over the splits run, the figures to compare two runs by (turns, not
rates, so a one-turn change shows). `--json` adds, per split and figure, the wrong turns
(`conversation:turn`: not right, or acted on, or asked), to compare two runs turn by turn.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ringmaster.evals.conversations import TurnResult, load_conversations, run_on_team
from ringmaster.evals.runner import commit_label, git_state
from ringmaster.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "evals" / "datasets"
# The held-out conversation set: no figure here is ever read from it.
HELD_OUT = "conversations.jsonl"


@dataclass(frozen=True)
class Figure:
    """One headline figure: the eval's metric, the turns it is over, and which of them are
    wrong (for a rate, the turns not right; for a count, the turns it counts)."""

    name: str
    metric: str
    over: Callable[[TurnResult], bool]
    wrong: Callable[[TurnResult], bool]
    rate: bool = True  # the share of `over` not wrong; else the count of wrong turns


FIGURES = (
    Figure("agent_set", "agent_set_accuracy", lambda t: True, lambda t: not t.agents_ok),
    Figure(
        "resolution",
        "resolution_accuracy",
        lambda t: bool(t.expected_resolved),
        lambda t: set(t.resolved) != set(t.expected_resolved),
    ),
    Figure("asked", "clarifying_question_rate", lambda t: t.ambiguous, lambda t: not t.asked),
    Figure("acted_on", "ambiguous_acted_on", lambda t: t.ambiguous, lambda t: t.acted, False),
    Figure("asked_on_clear", "questions_on_clear_turns", lambda t: not t.ambiguous,
           lambda t: t.asked, False),
)  # fmt: skip


def dev_splits(datasets: Path = DATASETS) -> list[str]:
    """The conversation tuning splits in `datasets` by name ("dev", "dev2", …), in number
    order; never the held-out conversations.jsonl, even were a split's name to lead to it."""
    held_out = (datasets / HELD_OUT).resolve()
    names = [
        p.stem.removeprefix("conversations-")
        for p in datasets.glob("conversations-dev*.jsonl")
        if p.name != HELD_OUT and p.resolve() != held_out
    ]
    return sorted(names, key=lambda n: int(re.sub(r"\D", "", n) or 1))


def split_file(name: str, datasets: Path = DATASETS) -> Path:
    return datasets / f"conversations-{name}.jsonl"


def figures(turns: Sequence[TurnResult]) -> dict[str, dict[str, Any]]:
    """Each figure's turns: how many it is over, its hits (the turns right for a rate, the
    wrong ones for a count) and the wrong turns as `conversation:turn`."""
    out = {}
    for f in FIGURES:
        over = [t for t in turns if f.over(t)]
        wrong = [f"{t.conversation}:{t.turn}" for t in over if f.wrong(t)]
        hits = len(over) - len(wrong) if f.rate else len(wrong)
        out[f.name] = {"turns": len(over), "hits": hits, "wrong": wrong}
    return out


def value(f: Figure, hits: int, turns: int) -> float | int | None:
    """The figure as the eval reports it: a rate rounded to 4 places (None over no turns),
    or the count."""
    if not f.rate:
        return hits
    return round(hits / turns, 4) if turns else None


def run_split(
    name: str, datasets: Path, base: Settings, classifier: str | None = None
) -> dict[str, Any]:
    """One split through `ringmaster eval conversations`'s own code, with its figures."""
    start = time.perf_counter()
    path = split_file(name, datasets)
    report = run_on_team(load_conversations(path), base, classifier)
    metrics = report.metrics()
    figs = figures(report.turns)
    # Cross-check against the eval's own metrics, so this script cannot drift from them.
    for f in FIGURES:
        assert value(f, figs[f.name]["hits"], figs[f.name]["turns"]) == metrics[f.metric], f
    return {
        "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "conversations": metrics["conversations"],
        "turns": metrics["turns"],
        "metrics": metrics,
        "figures": figs,
        "seconds": round(time.perf_counter() - start, 1),
    }


def totals(splits: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each figure pooled over the splits: turns, hits and the value over them."""
    out = {}
    for f in FIGURES:
        turns = sum(s["figures"][f.name]["turns"] for s in splits.values())
        hits = sum(s["figures"][f.name]["hits"] for s in splits.values())
        out[f.name] = {"turns": turns, "hits": hits, "value": value(f, hits, turns)}
    return out


def cell(f: Figure, hits: int, turns: int) -> str:
    if not f.rate:
        return f"{hits} of {turns}"
    rate = value(f, hits, turns)
    return f"{'-' if rate is None else rate} ({hits}/{turns})"


def print_table(result: dict[str, Any]) -> None:
    git = result["git"]
    classifier = result.get("classifier") or "the team's own"
    print(
        f"conversation_splits: {len(result['splits'])} split(s), classifier {classifier}; "
        f"{commit_label(git)}; "
        f"{result['seconds']:.0f} s"
    )
    print(
        "agent set, resolution and asked: rate (right/turns) over all, referring and ambiguous "
        "turns; acted on: ambiguous turns acted on; on clear: questions on clear turns"
    )
    heads = ["agent set", "resolution", "asked", "acted on", "on clear"]
    rows = [("split (conversations, turns)", heads)]
    for name, split in result["splits"].items():
        figs = split["figures"]
        rows.append(
            (
                f"{name} ({split['conversations']}, {split['turns']})",
                [cell(f, figs[f.name]["hits"], figs[f.name]["turns"]) for f in FIGURES],
            )
        )
    total = result["total"]
    rows.append(
        ("total", [cell(f, total[f.name]["hits"], total[f.name]["turns"]) for f in FIGURES])
    )
    for label, cells in rows:
        print((f"{label:<30}" + "".join(f"{c:<22}" for c in cells)).rstrip())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--splits", nargs="+", metavar="SPLIT", help="e.g. dev4 dev12 (default: every one)"
    )
    parser.add_argument(
        "--datasets",
        type=Path,
        default=DATASETS,
        help="the folder of the conversations-dev*.jsonl splits (default: evals/datasets)",
    )
    parser.add_argument(
        "--classifier",
        choices=("tfidf", "hybrid"),
        help="the local planner's classifier (default: the team's own)",
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args(argv)
    available = dev_splits(args.datasets)
    unknown = [s for s in args.splits or () if s not in available]
    if unknown:
        parser.error(f"no split {', '.join(unknown)}; from {', '.join(available) or 'none'}")
    chosen = args.splits or available
    if not chosen:
        parser.error(f"no conversations-dev*.jsonl in {args.datasets}")
    # Read before the run: the code it ran is what the tree held when it started.
    git = git_state(ROOT)
    base = Settings()  # the environment's, as the command reads them
    start = time.perf_counter()
    splits = {name: run_split(name, args.datasets, base, args.classifier) for name in chosen}
    result: dict[str, Any] = {
        "command": "python -m benchmarks.conversation_splits",
        "classifier": args.classifier,
        "git": git,
        "splits": splits,
        "total": totals(splits),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print_table(result)


if __name__ == "__main__":
    main()

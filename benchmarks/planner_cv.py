"""The local planner's routing on k-fold cross-validation of training data: the figure to tune on.

    .venv/bin/python benchmarks/planner_cv.py [--sets slurp banking77 clinc150] [--folds 5] \\
        [--per-fold 200] [--classifier tfidf]

Sets (public data under ../shared/data/routing; only training data or half A, never a split a
headline figure is measured on):

- slurp: `slurp-val.jsonl` half A (`evals/headline.py`'s seeded per-label half), 18 scenarios;
- banking77: `banking77-train.jsonl` half A, 77 intents;
- clinc150: `clinc150-train.jsonl`, its 10 domains as agents and its out-of-scope rows as human
  examples (as `evals/datasets/clinc150-team.yaml` is built);
- a team file (`evals/datasets/slurp-team.yaml`, say): its agents' examples, labelled with the
  agent, and its human examples as out-of-scope rows; nothing but the team's own examples.

Per fold, the team is built from the other folds the way `eval build-team` builds it (every
example, and a routing block chosen by `evals/routing_cv.py` on those examples), and the planner
plans up to `--per-fold` of the held-out rows (a seeded sample). Printed per set: accuracy (the
exact agent set, nothing sent to a person), the share with any part sent to a person, the share
routed to a wrong agent set without a person, the whole text's top label accuracy (the
classifier alone), the share sent to a person although that label was right, the share planned
as two or more parts (every row here is one request), the routing block each fold chose, and
the misses by cause (`causes`): escalated by the similarity floor, the human label or score, the
confidence floor or the margin (a right top label or a wrong one), split into parts, or routed to
a wrong agent (with the most frequent wrong pairs); `--show` prints the rows the planner lost
although the classifier had them right.
`--routing-from TEAM.yaml` routes with that file's block instead (its thresholds for
`--classifier`, `routing.by_classifier`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from ringmaster.agents.spec import RoutingConfig, load_team, parse_team
from ringmaster.evals.convert import (
    LabelledRow,
    RosterOptions,
    agent_name,
    build_team,
    read_labelled,
    team_yaml,
)
from ringmaster.evals.headline import DATA, built_team, halves
from ringmaster.graph.planner.base import Subtask
from ringmaster.graph.planner.local import LocalPlanner


def team_rows(path: Path) -> list[LabelledRow]:
    """A team file's own examples as labelled rows: agents' examples, then human ones as oos."""
    team = load_team(path)
    rows = [LabelledRow(t, a.name) for a in team.agents for t in a.examples]
    return rows + [LabelledRow(t, "oos") for t in team.human_examples]


def rows_of(name: str, data: Path) -> list[LabelledRow]:
    if name.endswith((".yaml", ".yml")):
        return team_rows(Path(name))
    if name == "slurp":
        return halves(read_labelled(data / "slurp-val.jsonl", "domain"))[0]
    if name == "banking77":
        return halves(read_labelled(data / "banking77-train.jsonl", "intent"))[0]
    if name == "clinc150":
        rows = read_labelled(data / "clinc150-train.jsonl", "domain")
        return [LabelledRow(r.text, "oos" if r.label in ("oos", "") else r.label) for r in rows]
    raise ValueError(name)


def folds_of(rows: Sequence[LabelledRow], k: int, seed: int = 0) -> list[list[LabelledRow]]:
    """Stratified: each label's rows shuffled (seeded) and dealt round the folds."""
    by: dict[str, list[LabelledRow]] = defaultdict(list)
    for r in rows:
        by[r.label].append(r)
    out: list[list[LabelledRow]] = [[] for _ in range(k)]
    for label in sorted(by):
        group = by[label][:]
        random.Random(f"{seed}:{label}").shuffle(group)
        for i, r in enumerate(group):
            out[i % k].append(r)
    return out


def run_set(name: str, args: argparse.Namespace) -> dict[str, object]:
    rows = rows_of(name, args.data)
    folds = folds_of(rows, args.folds)
    n = right = escalated = misrouted = top_right = in_scope = 0
    oos = oos_caught = lost = split = 0
    blocks = []
    causes: Counter[str] = Counter()
    wrong_pairs: Counter[str] = Counter()
    start = time.perf_counter()
    latencies: list[float] = []
    for k in range(args.folds if args.max_folds is None else args.max_folds):
        train = [r for j, f in enumerate(folds) if j != k for r in f]
        test = random.Random(k).sample(folds[k], min(args.per_fold, len(folds[k])))
        if args.routing_from is None:
            team_data = built_team(train, f"{name}-cv", args.classifier)
            routing = RoutingConfig.model_validate(team_data.get("routing", {}))
        else:  # a shipped team file's routing block, as `eval run` would apply it
            team_data = build_team(train, RosterOptions(name=f"{name}-cv"))
            routing = load_team(args.routing_from).routing
        routing = routing.for_classifier(args.classifier)
        team_data["routing"] = routing.model_dump(exclude_unset=True) | {
            "classifier": args.classifier
        }
        blocks.append(team_data.get("routing"))
        team = parse_team(team_yaml(team_data))
        with tempfile.TemporaryDirectory(prefix="planner-cv-") as tmp:
            planner = LocalPlanner(team, cache_dir=Path(tmp))
            for r in test:
                t0 = time.perf_counter()
                plan = planner.plan(r.text)
                latencies.append(time.perf_counter() - t0)
                whole = planner.classifier.score([r.text])[0]
                top = max(whole.probs, key=whole.probs.__getitem__)
                sent = any(s.agent is None or s.escalate for s in plan.subtasks)
                got = {s.agent for s in plan.subtasks if s.agent is not None}
                n += 1
                if r.label == "oos":
                    oos += 1
                    oos_caught += sent
                    continue
                in_scope += 1
                want = {agent_name(r.label)}
                top_right += top == agent_name(r.label)
                escalated += sent
                lost += sent and top == agent_name(r.label)
                split += len(plan.subtasks) > 1
                right += (not sent) and got == want
                misrouted += (not sent) and got != want
                if sent or got != want:
                    cause = miss_cause(plan.subtasks, top == agent_name(r.label))
                    causes[cause] += 1
                    if cause == "misrouted":
                        wrong_pairs[f"{agent_name(r.label)}->{'+'.join(sorted(got))}"] += 1
                    elif args.show and (cause == "split" or cause.endswith("top-right")):
                        parts = " | ".join(
                            f"{s.description!r} -> {s.agent or 'person'}" for s in plan.subtasks
                        )
                        sys.stderr.write(f"{cause}: {r.label}: {parts}\n")
    latencies.sort()
    out: dict[str, object] = {
        "set": name,
        "in_scope_rows": in_scope,
        "accuracy": round(right / in_scope, 4),
        "escalated": round(escalated / in_scope, 4),
        "misrouted": round(misrouted / in_scope, 4),
        "classifier_top1": round(top_right / in_scope, 4),
        # sent to a person although the whole text's top label was right; planned as 2+ parts
        "escalated_top1_right": round(lost / in_scope, 4),
        "split": round(split / in_scope, 4),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
        "causes": dict(causes.most_common()),
        "wrong_pairs": dict(wrong_pairs.most_common(8)),
        "routing_blocks": blocks,
        "seconds": round(time.perf_counter() - start, 1),
    }
    if oos:
        out["oos_rows"] = oos
        out["oos_to_person"] = round(oos_caught / oos, 4)
    return out


# The check behind an escalation, by `Subtask.escalation_kind`.
_CHECKS = {
    "unfamiliar": "similarity",
    "out_of_scope": "human",
    "low_confidence": "floor",
    "ambiguous": "margin",
}


def miss_cause(subtasks: Sequence[Subtask], top_right: bool) -> str:
    """Why a one-part in-scope row was missed: split, an escalation (by which check, and
    whether the whole text's top label was right), or a wrong agent."""
    if len(subtasks) > 1:
        return "split"
    if not subtasks[0].escalate and subtasks[0].agent is not None:
        return "misrouted"
    which = _CHECKS.get(subtasks[0].escalation_kind or "", "other")
    return f"escalated:{which}:{'top-right' if top_right else 'top-wrong'}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        nargs="*",
        default=["slurp", "banking77", "clinc150"],
        help="slurp, banking77, clinc150 or a team file (its own examples).",
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-folds", type=int, help="Run only the first N folds.")
    parser.add_argument("--per-fold", type=int, default=200, help="Held-out rows planned a fold.")
    parser.add_argument("--classifier", default="tfidf", choices=("tfidf", "hybrid"))
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--routing-from",
        type=Path,
        help="Route with this team file's routing block instead of one chosen by CV per fold.",
    )
    parser.add_argument(
        "--show",
        action="store_true",
        help="Print the rows split or escalated with a right top label (stderr).",
    )
    args = parser.parse_args(argv)
    for name in args.sets:
        sys.stdout.write(json.dumps(run_set(name, args)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

"""The README's routing table: every figure measured on a split not used for tuning, named.

    .venv/bin/python -m ringmaster.evals.headline [--classifier tfidf] [--only NAME ...] \\
        [--markdown FILE]       (`make eval-report` writes the README table this way)

Sets (public data under ../shared/data/routing, see its SOURCES.md; nothing here tunes on them):

- banking77: `banking77-train.jsonl` cut per intent by a seeded half; the team (77 agents, built
  with `build_team`) from half A, measured on one-part rows of half B. Next to it, in the same
  run and on the same halves, a plain TF-IDF + logistic regression baseline.
- snips-joins: `snips-train.jsonl` halved the same way; 7 agents from half A; half B's utterances
  as they are and joined two or three at a time with " and ", ", then ", ". " (a fixed, plain
  joiner of this script's own, not the planner's synthesiser).
- clinc-multi-val: `clinc-multi-val.jsonl` (multi-intent with anaphora, cataphora, ellipsis) on
  the shipped `evals/datasets/clinc150-team.yaml` (CLINC150 train), with its thresholds for the
  classifier run (`routing.by_classifier`, chosen by cross-validation on train); measuring only.
- conversations: `evals/datasets/conversations.jsonl` (issue 16's held-out conversations) on
  the demo team, scored as `ringmaster eval conversations` scores them.
- slurp-val: `slurp-val.jsonl` halved by a seeded split; 18 scenario agents from half A, measured
  on half B.

Each section trains its own team, so a run takes minutes; `--only` picks sections.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ringmaster.agents.spec import RoutingConfig
from ringmaster.evals.convert import (
    LabelledRow,
    RosterOptions,
    build_team,
    read_labelled,
    team_yaml,
    to_eval_rows,
    write_jsonl,
)
from ringmaster.evals.runner import evaluate

REPO = Path(__file__).resolve().parents[1]
# ../shared/data/routing next to the checkout (or set --data).
DATA = REPO.parent / "shared" / "data" / "routing"
JOINERS = (" and ", ", then ", ". ")


@dataclass
class Figure:
    section: str
    measured_on: str
    team_from: str
    metric: str
    value: float | None
    bar: str = ""
    count: bool = False  # a number of rows, printed as a whole number


def halves(
    rows: Sequence[LabelledRow], seed: int = 0
) -> tuple[list[LabelledRow], list[LabelledRow]]:
    """Per label, a seeded half of its rows to A and the rest to B."""
    by: dict[str, list[LabelledRow]] = defaultdict(list)
    for r in rows:
        by[r.label].append(r)
    a: list[LabelledRow] = []
    b: list[LabelledRow] = []
    for label in sorted(by):
        group = by[label][:]
        random.Random(f"{seed}:{label}").shuffle(group)
        a += group[: len(group) // 2]
        b += group[len(group) // 2 :]
    return a, b


# Set by --split: None, the planner's default (the team's learned cutter when its agents have
# enough examples on average, else the rules); True, always the cutter; False, always the rules.
LEARNED_SPLIT: bool | None = None


def _factory(name: str, team: Any, cache_dir: Path) -> Any:
    from ringmaster.graph.planner.local import LocalPlanner, LocalPlannerSettings

    settings = LocalPlannerSettings(learned_split=LEARNED_SPLIT)
    return LocalPlanner(team, cache_dir=cache_dir, settings=settings)


def _run(
    team: dict[str, Any], rows: list[dict[str, Any]], classifier: str, cache: Path
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="headline-") as tmp:
        team_path, rows_path = Path(tmp) / "team.yaml", Path(tmp) / "rows.jsonl"
        # Run `classifier` with the thresholds the team file holds for it (`by_classifier`).
        routing = RoutingConfig.model_validate(team.get("routing") or {}).for_classifier(classifier)
        team["routing"] = routing.model_dump(exclude_unset=True) | {"classifier": classifier}
        team_path.write_text(team_yaml(team), encoding="utf-8")
        write_jsonl(rows, rows_path)
        record = evaluate(
            rows_path,
            team_path,
            runs_dir=None,
            cache_dir=cache,
            progress=False,
            planner_factory=_factory,
        ).record
    return {**record["metrics"], "slices": record["slices"]}


def built_team(rows: Sequence[LabelledRow], name: str, classifier: str = "tfidf") -> dict[str, Any]:
    """A team as `eval build-team --classifier CLASSIFIER` writes it: every example, and a
    routing block chosen by cross-validation on those examples for that classifier
    (`evals/routing_cv.py`)."""
    from ringmaster.evals.routing_cv import routing_block

    team = build_team(rows, RosterOptions(name=name))
    by_agent = {a["name"]: list(a["examples"]) for a in team["agents"]}
    picked = routing_block(by_agent, team.get("human_examples", []), classifier)
    if picked is not None:
        team["routing"] = picked[0]
    return team


def _joined(rows: Sequence[LabelledRow], n: int, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    by: dict[str, list[LabelledRow]] = defaultdict(list)
    for r in rows:
        by[r.label].append(r)
    labels = sorted(by)
    out: list[dict[str, Any]] = []
    for _ in range(count):
        picked = rng.sample(labels, n)
        texts = [rng.choice(by[lab]).text.strip().rstrip(".") for lab in picked]
        text = texts[0]
        for t in texts[1:]:
            text += rng.choice(JOINERS) + t
        agents = [to_eval_rows([LabelledRow(t, lab)])[0]["agents"][0] for lab in picked]
        out.append(
            {
                "text": text,
                "agents": agents,
                "escalate": False,
                "subtasks": n,
                "tags": ["multi-part", f"parts:{n}"],
            }
        )
    return out


def tfidf_lr_baseline(train: Sequence[LabelledRow], test: Sequence[LabelledRow]) -> float:
    """Accuracy of a plain TF-IDF (word 1-2 grams) + logistic regression on the same split."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(max_iter=2000)
    )
    model.fit([r.text for r in train], [r.label for r in train])
    predicted = model.predict([r.text for r in test])
    return float(sum(p == r.label for p, r in zip(predicted, test, strict=True)) / len(test))


def banking77(classifier: str, cache: Path, limit: int) -> list[Figure]:
    rows = read_labelled(DATA / "banking77-train.jsonl", "intent")
    a, b = halves(rows)
    test = random.Random(1).sample(b, min(limit, len(b)))
    team = built_team(a, "banking77-half-a", classifier)
    m = _run(team, to_eval_rows(test), classifier, cache)
    split = f"banking77-train half B ({len(test)} one-part rows)"
    base = tfidf_lr_baseline(a, test)
    return [
        Figure("banking77", split, "half A", "accuracy (exact agent set)", m["agent_set_match"]),
        Figure("banking77", split, "half A", "one-part kept whole", m["one_part_kept_whole"]),
        Figure("banking77", split, "half A", "TF-IDF + LR baseline accuracy", base),
        Figure("banking77", split, "half A", "planner latency p95 ms", m["latency_p95_ms"]),
    ]


def snips_joins(classifier: str, cache: Path, limit: int) -> list[Figure]:
    rows = read_labelled(DATA / "snips-train.jsonl", "intent")
    a, b = halves(rows)
    singles = to_eval_rows(random.Random(2).sample(b, min(limit, len(b))))
    multi = _joined(b, 2, limit // 2, 3) + _joined(b, 3, limit // 4, 4)
    team = built_team(a, "snips-half-a", classifier)
    one = _run(team, singles, classifier, cache)
    many = _run(team, multi, classifier, cache)
    split = "snips-train half B"
    return [
        Figure(
            "snips",
            f"{split}, {len(singles)} one-part",
            "half A",
            "exact agent set",
            one["agent_set_match"],
        ),  # fmt: skip
        Figure(
            "snips",
            f"{split}, {len(multi)} joined 2-3",
            "half A",
            "exact agent set",
            many["agent_set_match"],
        ),  # fmt: skip
        Figure(
            "snips",
            f"{split}, {len(multi)} joined 2-3",
            "half A",
            "subtask-count accuracy",
            many["decomposition_count_accuracy"],
        ),  # fmt: skip
    ]


def clinc_multi(classifier: str, cache: Path, limit: int) -> list[Figure]:
    rows = read_labelled(DATA / "clinc-multi-val.jsonl", "domains")
    team = load_yaml(REPO / "evals" / "datasets" / "clinc150-team.yaml")
    m = _run(team, to_eval_rows(rows), classifier, cache)
    split = f"clinc-multi-val ({len(rows)} rows)"
    return [
        Figure(
            "clinc-multi",
            split,
            "clinc150 train",
            "exact agent set",
            m["agent_set_match"],
            ">= 0.95",
        ),  # fmt: skip
        Figure(
            "clinc-multi",
            split,
            "clinc150 train",
            "subtask-count accuracy",
            m["decomposition_count_accuracy"],
        ),  # fmt: skip
    ]


def slurp(classifier: str, cache: Path, limit: int) -> list[Figure]:
    rows = read_labelled(DATA / "slurp-val.jsonl", "domain")
    a, b = halves(rows)
    team = built_team(a, "slurp-half-a", classifier)
    m = _run(team, to_eval_rows(b), classifier, cache)
    split = f"slurp-val half B ({len(b)} rows)"
    return [
        Figure(
            "slurp",
            split,
            "slurp-val half A",
            "accuracy (exact agent set)",
            m["agent_set_match"],
            ">= 0.90",
        ),  # fmt: skip
        Figure(
            "slurp", split, "slurp-val half A", "one-part kept whole", m["one_part_kept_whole"]
        ),  # fmt: skip
    ]


def demo(classifier: str, cache: Path, limit: int) -> list[Figure]:
    """Both held-out demo-team sets on the bundled demo team (its own routing block)."""
    from ringmaster.evals.dataset import load_dataset

    team = load_yaml(REPO / "agents" / "demo" / "team.yaml")
    figures: list[Figure] = []
    for name in ("demo-team.jsonl", "demo-team-2.jsonl"):
        rows = [r.to_dict() for r in load_dataset(REPO / "evals" / "datasets" / name).rows]
        m = _run(dict(team), rows, classifier, cache)
        slices = m["slices"]
        split = f"{name} ({len(rows)} rows, held out)"

        def part(tag: str, slices: dict[str, Any] = slices) -> float | None:
            return slices[tag]["accuracy"] if tag in slices else None

        figures += [
            Figure(
                "demo", split, "team examples", "one-part exact set", part("one-part"), ">= 0.95"
            ),
            Figure(
                "demo",
                split,
                "team examples",
                "multi-part exact set",
                part("multi-part"),
                ">= 0.90",
            ),  # fmt: skip
            Figure(
                "demo",
                split,
                "team examples",
                "out-of-scope to a person",
                m["escalation_recall"],
                ">= 0.95",
            ),  # fmt: skip
        ]
    return figures


def conversations(classifier: str, cache: Path, limit: int) -> list[Figure]:
    """The held-out conversations on the demo team, run as `ringmaster eval conversations`
    runs them (the demo team's own classifier, TF-IDF; `classifier` and `limit` do not
    apply, and the rows say so)."""
    from ringmaster.evals.conversations import load_conversations, run_on_team
    from ringmaster.settings import Settings

    name = "conversations.jsonl"
    convs = load_conversations(REPO / "evals" / "datasets" / name)
    # The demo team on SQLite, whatever the environment says.
    demo = Settings(team_file=None, db_url=None, planner_cache=cache / "conversations")
    m = run_on_team(convs, demo).metrics()
    split = f"{name} ({len(convs)} conversations, {m['turns']} turns, held out)"
    team = "team examples (its own classifier)"
    return [
        Figure("conversations", split, team, metric, m[key], bar, count=key.endswith("_on"))
        for metric, key, bar in (
            ("turn exact agent set", "agent_set_accuracy", ">= 0.90"),
            ("reference resolution", "resolution_accuracy", ">= 0.90"),
            ("ambiguous turns asked", "clarifying_question_rate", ""),
            (f"ambiguous turns acted on (of {m['ambiguous_turns']})", "ambiguous_acted_on", "0"),
        )
    ]


def load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


SECTIONS: dict[str, Callable[[str, Path, int], list[Figure]]] = {
    "demo": demo,
    "conversations": conversations,
    "banking77": banking77,
    "snips": snips_joins,
    "clinc-multi": clinc_multi,
    "slurp": slurp,
}


def markdown(figures: Sequence[Figure], classifier: str, command: str) -> str:
    lines = [
        f"Generated by `{command}` (classifier `{classifier}`); every figure is measured on a "
        "split not used to build, tune or design the planner.",
        "",
        "| set | measured on | team from | metric | value | bar |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in figures:
        value = "n/a" if f.value is None else f"{f.value:.{0 if f.count else 3}f}"
        lines.append(
            f"| {f.section} | {f.measured_on} | {f.team_from} | {f.metric} | {value} | {f.bar} |"
        )
    return "\n".join(lines) + "\n"


ATTRIBUTION = {
    "slurp": "SLURP (Bastianelli et al., 2020), pswietojanski/slurp devel.jsonl, CC BY 4.0 (text)",
    "snips": "SNIPS NLU benchmark (Coucke et al., 2018), sonos/nlu-benchmark, CC0 1.0",
    "clinc-multi": "Multi-intent CLINC150 with anaphora, cataphora and ellipsis "
    "(vanaarxonti/Multi-intent-Dataset-including-Anaphora-Cataphora-and-Ellipsis), CC BY 3.0",
}


def write_datasets(out: Path, limit: int) -> list[Path]:
    """The eval teams and rows this script measures, as files `ringmaster eval run` takes."""
    written: list[Path] = []

    def save_team(team: dict[str, Any], name: str, source: str) -> None:
        path = out / name
        header = f"Built by evals/headline.py --write-datasets from {source}. Routing evals only."
        path.write_text(team_yaml(team, header), encoding="utf-8")
        written.append(path)

    def save_rows(rows: list[dict[str, Any]], name: str) -> None:
        write_jsonl(rows, out / name)
        written.append(out / name)

    a, b = halves(read_labelled(DATA / "slurp-val.jsonl", "domain"))
    save_team(built_team(a, "slurp-half-a"), "slurp-team.yaml", ATTRIBUTION["slurp"] + ", half A")
    save_rows(to_eval_rows(b), "slurp-val-b.jsonl")
    a, b = halves(read_labelled(DATA / "snips-train.jsonl", "intent"))
    small = [r for k, r in enumerate(a) if k % 5 == 0]  # a fifth of half A keeps the file small
    save_team(
        built_team(small, "snips-half-a"), "snips-team.yaml", ATTRIBUTION["snips"] + ", half A"
    )
    singles = to_eval_rows(random.Random(2).sample(b, min(limit, len(b))))
    save_rows(
        singles + _joined(b, 2, limit // 2, 3) + _joined(b, 3, limit // 4, 4), "snips-b.jsonl"
    )
    save_rows(to_eval_rows(read_labelled(DATA / "clinc-multi-val.jsonl", "domains")),
              "clinc-multi-val.jsonl")  # fmt: skip
    return written


def main(argv: Sequence[str] | None = None) -> None:
    global DATA, LEARNED_SPLIT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", default="tfidf", choices=("tfidf", "hybrid"))
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS))
    parser.add_argument("--limit", type=int, default=1500, help="Rows per measured set at most.")
    parser.add_argument("--markdown", type=Path, help="Write the table to this file.")
    parser.add_argument("--readme", type=Path, help="Replace the table between its markers.")
    parser.add_argument(
        "--split",
        choices=("default", "learned", "rules"),
        default="default",
        help="How cuts are decided: the planner's default, the per-team cutter, or the rules.",
    )
    parser.add_argument("--cache-dir", type=Path, default=Path(".ringmaster/evals/headline"))
    parser.add_argument("--data", type=Path, default=DATA, help="The public sets' folder.")
    parser.add_argument("--write-datasets", type=Path, help="Write the eval teams and rows here.")
    args = parser.parse_args(argv)
    DATA = args.data
    if args.write_datasets:
        for path in write_datasets(args.write_datasets, args.limit):
            sys.stdout.write(f"wrote {path}\n")
        return
    LEARNED_SPLIT = {"default": None, "learned": True, "rules": False}[args.split]
    figures: list[Figure] = []
    for name in args.only or list(SECTIONS):
        start = time.perf_counter()
        got = SECTIONS[name](args.classifier, args.cache_dir, args.limit)
        figures += got
        for f in got:
            line = {**f.__dict__, "seconds": round(time.perf_counter() - start, 1)}
            sys.stdout.write(json.dumps(line) + "\n")
    command = "python -m ringmaster.evals.headline --classifier " + args.classifier
    command += f" --split {args.split}" if args.split != "default" else ""
    command += f" --limit {args.limit}" + (" --only " + " ".join(args.only) if args.only else "")
    text = markdown(figures, args.classifier, command)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.readme:
        replace_between_markers(args.readme, text)
    if not (args.markdown or args.readme):
        sys.stdout.write(text)


START, END = "<!-- routing-headline:start -->", "<!-- routing-headline:end -->"


def replace_between_markers(path: Path, table: str) -> None:
    """Put `table` between the README's markers (appended with them when they are missing)."""
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{table}{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

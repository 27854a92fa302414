"""Multi-part requests made by joining tuning rows, over a catalogue of connectors, and controls.

    .venv/bin/python -m benchmarks.join_mutations                 # the figures
    .venv/bin/python -m benchmarks.join_mutations --json          # and half A's outcomes
    .venv/bin/python -m benchmarks.join_mutations --list          # the joins, not run
    .venv/bin/python -m benchmarks.join_mutations --limit 10 --half A

The learned cutter trains on synthetic joins of the team's *own examples*
(`graph/planner/synthesis.py`), so a join of those would measure recall of its training data.
This joins *tuning rows* instead: the one-part rows of the demo tuning splits
(`evals/datasets/demo-team-dev*.jsonl`, the ones `benchmarks.routing_seeds` runs; never the
held-out demo-team.jsonl or demo-team-2.jsonl) that are one line of text (an email's greeting,
quoted history or signature is not something to paste mid-sentence).

A *source* is such a row; it counts only when the planner gets it right alone (its agent, one
subtask): a join is made from every one-part row, in a fixed order, and the joins with a source
the planner gets wrong alone are left out (and counted), so fixing or breaking one row never
reshuffles the other joins. Each *family* is one way to join:

- two rows of different agents joined by a connector (". Also,", "; and", " and then", "After
  that,", "Separately,", "One more thing:", "P.S.", a new paragraph, "Second,", "while you're at
  it", "oh and"), three rows in a numbered or bulleted list, or in three sentences; a question
  row and then a command row; a second row that refers back to the first's result ("… and let
  them know"). Expected: the union of the sources' agents, one subtask each.
- controls that must stay one subtask: a row followed by a sentence about the same thing ("It's
  been like this since Monday."), and two rows of the same agent joined by a connector (the
  dataset convention, evals/datasets/README.md: parts for one agent are one subtask).

Halves: a source row is in half A or B by the SHA-256 of its text, and every family has one
connector of half A and one of half B, so half B's joins are unseen rows joined by unseen
connectors: tune on half A's failures, read only half B's totals (the transfer check).

Each family takes at most `--limit` joins per half, spread evenly over the sources. The joins
are planned by the shipped planner (TF-IDF classifier, cutter seed 0, as `routing_seeds --seeds
0` builds it) through `ringmaster.evals.runner.run_planner` and scored by the eval's own
`RowPrediction`: exact agent set, and subtask count. Printed per family and per half.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.halves import HALVES, half_of
from benchmarks.routing_seeds import DATASETS, DEMO_TEAM, ROOT, demo_splits, seed_planner
from ringmaster.agents.spec import Team, load_team
from ringmaster.evals.dataset import EvalRow, load_dataset
from ringmaster.evals.records import RowPrediction
from ringmaster.evals.runner import commit_label, git_state, run_planner
from ringmaster.graph.planner.local import LocalPlanner

DEFAULT_LIMIT = 24


@dataclass(frozen=True)
class Source:
    """A one-part tuning row of one line."""

    split: str
    line: int
    text: str
    agent: str

    @property
    def where(self) -> str:
        return f"{self.split}:{self.line}"

    @property
    def half(self) -> str:
        return half_of(self.text)

    @property
    def question(self) -> bool:
        return self.text.rstrip().endswith("?")


# -- how texts are joined ---------------------------------------------------------------

_END = re.compile(r"[\s.!?;,:]+$")


def bare(text: str) -> str:
    """A text without its closing punctuation, to go on mid-sentence."""
    return _END.sub("", text.strip())


def closed(text: str) -> str:
    """A text ending a sentence: its own closing ? or ! or ., else a full stop."""
    t = text.strip()
    return t if t[-1:] in ".!?" else f"{bare(t)}."


def lower_first(text: str) -> str:
    """A text to go on after a connector: its first word lower-cased when it is a plain
    capitalised word ("Can" -> "can"; "TCK-1042", "I", "EU" stay)."""
    t = text.strip()
    word = t.split(maxsplit=1)[0] if t else ""
    if word != "I" and word[0:1].isupper() and word[1:].islower() and word.isalpha():
        return t[0].lower() + t[1:]
    return t


def upper_first(text: str) -> str:
    t = text.strip()
    return t[:1].upper() + t[1:]


Joiner = Callable[[Sequence[str]], str]


def infix(before: str, after: str, *, lower: bool = True) -> Joiner:
    """Two texts as `a` + connector + `b`: `before` says how `a` ends (",": bare, ".": as a
    sentence), `after` is the connector's words; `b` lower-cased after them when `lower`."""

    def join(texts: Sequence[str]) -> str:
        a, b = texts
        head = bare(a) if before == "," else closed(a)
        tail = lower_first(b) if lower else upper_first(b)
        return f"{head}{after}{tail}"

    return join


def listed(marks: Sequence[str], sep: str = "\n", lead: str = "") -> Joiner:
    """Texts as a list, the i-th after marks[i] ("1. ", "- "), one per line, after `lead`."""

    def join(texts: Sequence[str]) -> str:
        items = [f"{m}{upper_first(t)}" for m, t in zip(marks, texts, strict=False)]
        return lead + sep.join(items)

    return join


def sentences(*connectors: str) -> Joiner:
    """Texts as sentences, the i-th (i >= 1) after connectors[i - 1] ("Second, ")."""

    def join(texts: Sequence[str]) -> str:
        out = [closed(texts[0])]
        for c, t in zip(connectors, texts[1:], strict=False):
            out.append(f"{c}{lower_first(t) if c else upper_first(t)}")
            out[-1] = closed(out[-1])
        return " ".join(out)

    return join


def referring(tail: str, connector: str) -> Joiner:
    """Two texts, the second followed by a clause that refers back to the first's result."""

    def join(texts: Sequence[str]) -> str:
        a, b = texts
        return f"{closed(a)} {connector}{lower_first(bare(b))}{tail}"

    return join


def followed(sentence: str) -> Joiner:
    """One text and a sentence about the same thing after it (a control)."""

    def join(texts: Sequence[str]) -> str:
        return f"{closed(texts[0])} {sentence}"

    return join


@dataclass(frozen=True)
class Family:
    """A way to join rows, with its connector of each half."""

    name: str
    joiners: dict[str, Joiner]
    size: int = 2  # rows joined
    kind: str = "multi"  # multi: different agents; same: one agent (control); follow: control
    first_question: bool = False  # the first row is a question
    later_command: bool = False  # the rows after the first are no questions

    @property
    def control(self) -> bool:
        return self.kind != "multi"


FAMILIES: tuple[Family, ...] = (
    Family("also", {"A": infix(".", " Also, "), "B": infix(".", " Plus, ")}),
    Family("semicolon-and", {"A": infix(",", "; and "), "B": infix(",", "; also ")}),
    Family("and-then", {"A": infix(",", " and then "), "B": infix(",", ", then ")}),
    Family("after-that", {"A": infix(".", " After that, "), "B": infix(".", " Once done, ")}),
    Family("separately", {"A": infix(".", " Separately, "), "B": infix(".", " On another note, ")}),
    Family(
        "one-more-thing",
        {"A": infix(".", " One more thing: "), "B": infix(".", " Another thing - ")},
    ),
    Family(
        "postscript",
        {"A": infix(".", "\n\nP.S. ", lower=False), "B": infix(".", "\n\nPS: ", lower=False)},
    ),
    Family(
        "new-paragraph",
        {"A": infix(".", "\n\n", lower=False), "B": infix(".", "\n", lower=False)},
    ),
    Family("second", {"A": sentences("Second, "), "B": sentences("Secondly, ")}),
    Family(
        "while-at-it",
        {
            "A": infix(",", ", and while you're at it, "),
            "B": infix(".", " While you're in there, "),
        },
    ),
    Family("oh-and", {"A": infix(",", " oh and "), "B": infix(".", " Oh, and also ")}),
    Family(
        "question-command",
        {"A": infix(".", " ", lower=False), "B": infix(".", " And ")},
        first_question=True,
        later_command=True,
    ),
    Family(
        "refers-back",
        {
            "A": referring(", and let them know", "Then "),
            "B": referring(" and tell them once it's done", "After that "),
        },
        later_command=True,
    ),
    Family(
        "numbered",
        {"A": listed(("1. ", "2. ", "3. ")), "B": listed(("1) ", "2) ", "3) "))},
        size=3,
    ),
    Family(
        "bullets",
        {
            "A": listed(("- ", "- ", "- "), lead="A few things:\n"),
            "B": listed(("* ", "* ", "* "), lead="Can you:\n"),
        },
        size=3,
    ),
    Family(
        "three-sentences",
        {"A": sentences("Also, ", "And finally, "), "B": sentences("Then ", "Lastly, ")},
        size=3,
    ),
    Family(
        "same-agent",
        {"A": infix(".", " Also, "), "B": infix(",", " and then ")},
        kind="same",
    ),
    Family(
        "same-thing",
        {
            "A": followed("It's been like this since Monday."),
            "B": followed("The customer asked about it again this morning."),
        },
        size=1,
        kind="follow",
    ),
)


@dataclass(frozen=True)
class Join:
    id: str
    family: str
    half: str
    sources: tuple[Source, ...]
    text: str

    @property
    def control(self) -> bool:
        return len({s.agent for s in self.sources}) == 1

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.agent for s in self.sources))

    def row(self, line: int) -> EvalRow:
        tags = (self.family, f"half-{self.half}", "control" if self.control else "multi-part")
        return EvalRow(self.text, self.agents, False, len(self.agents), tags, line)


# A row that opens with a greeting or ends with a sign-off is a whole message, not a part to
# paste into another ("… Also, Hi there, quick one: …"); one over MAX_CHARS is a long email.
_ENVELOPE = re.compile(
    r"^\W*(?:hi|hey|hello|dear|good\s+(?:morning|afternoon)|morning|sir|madam)\b"
    r"|\b(?:thanks|thank\s+you|thx|cheers|regards|best)[,!.]?\s+[A-Z]\w*\W*$",
    re.IGNORECASE,
)
MAX_CHARS = 240


def load_sources(splits: Sequence[str]) -> list[Source]:
    """Every one-part row of one line in the splits, without greeting or sign-off and at most
    MAX_CHARS long, in split and line order."""
    out = []
    for name in splits:
        for row in load_dataset(DATASETS / f"demo-team-{name}.jsonl").rows:
            text = row.text.strip()
            if (
                "one-part" in row.tags
                and len(row.agents) == 1
                and "\n" not in text
                and len(text) <= MAX_CHARS
                and not _ENVELOPE.search(text)
            ):
                out.append(Source(name, row.line, text, row.agents[0]))
    return out


def _picks(sources: Sequence[Source], family: Family, limit: int, seed: int) -> Iterator[tuple]:
    """Up to `limit` tuples of sources for `family`, the first spread evenly over `sources`
    (offset by `seed`, a family's index, so families start at different rows), each next one the
    first after it in a fixed stride whose agent fits (another agent, or the same one)."""
    firsts = [s for s in sources if s.question] if family.first_question else list(sources)
    if not firsts or family.size < 1:
        return
    n = len(sources)
    count = min(limit, len(firsts))
    for k in range(count):
        first = firsts[(k * len(firsts) // count + seed) % len(firsts)]
        chosen = [first]
        start = (sources.index(first) + n // 2 + 7 * k) % n
        for j in range(n):
            if len(chosen) == family.size:
                break
            s = sources[(start + j * 5) % n]
            if s in chosen or (family.later_command and s.question):
                continue
            if (family.kind == "same") == (s.agent == first.agent) and (
                family.kind == "same" or s.agent not in {c.agent for c in chosen}
            ):
                chosen.append(s)
        if len(chosen) == family.size:
            yield tuple(chosen)


def make_joins(sources: Sequence[Source], limit: int = DEFAULT_LIMIT) -> list[Join]:
    """Every family's joins in each half, from that half's sources, in a fixed order."""
    joins = []
    for half in HALVES:
        mine = [s for s in sources if s.half == half]
        for f, family in enumerate(FAMILIES):
            for k, picked in enumerate(_picks(mine, family, limit, seed=3 * f)):
                text = family.joiners[half]([s.text for s in picked])
                joins.append(Join(f"{family.name}-{half}{k + 1}", family.name, half, picked, text))
    return joins


# -- running ----------------------------------------------------------------------------


def plan_all(planner: LocalPlanner, team: Team, rows: Sequence[EvalRow]) -> list[RowPrediction]:
    return run_planner(planner, rows, team=team, progress=False).rows


def right_alone(sources: Sequence[Source], planner: LocalPlanner, team: Team) -> set[Source]:
    """The sources the planner gets right alone: their agent, as one subtask."""
    rows = [EvalRow(s.text, (s.agent,), False, 1, (), i) for i, s in enumerate(sources)]
    preds = plan_all(planner, team, rows)
    return {s for s, p in zip(sources, preds, strict=True) if p.correct and len(p.subtasks) == 1}


def score(joins: Sequence[Join], preds: Sequence[RowPrediction]) -> dict[str, Any]:
    """Exact set and subtask count per family and half, and per half over the families."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for join, pred in zip(joins, preds, strict=True):
        kind = "control" if join.control else "joined"
        for key in (
            (join.family, join.half),
            (join.family, "all"),
            (kind, join.half),
            (kind, "all"),
        ):
            c = cells[key]
            c[0] += 1
            c[1] += pred.correct
            c[2] += len(pred.subtasks) == pred.expected_subtasks
    return {
        f"{name}/{half}": {"rows": c[0], "exact": c[1], "count": c[2]}
        for (name, half), c in cells.items()
    }


def outcome(join: Join, pred: RowPrediction, parts: list[str] | None) -> dict[str, Any]:
    """A join's outcome; `parts`, the texts of its planned subtasks (for a wrong one)."""
    return {
        "id": join.id,
        "family": join.family,
        "half": join.half,
        "sources": [s.where for s in join.sources],
        "text": join.text,
        "expected": list(join.agents),
        "planned": [
            s.agent if not s.escalate else f"human ({s.best_guess})" for s in pred.subtasks
        ],
        "parts": parts,
        "exact": pred.correct,
        "count": len(pred.subtasks) == pred.expected_subtasks,
    }


def print_table(result: dict[str, Any]) -> None:
    git = result["git"]
    print(
        f"join_mutations: {result['joins']} joins of {result['sources']} one-line one-part rows "
        f"({result['sources_right']} right alone; {result['dropped']} joins left out for a source "
        f"wrong alone); {commit_label(git)}; {result['seconds']:.0f} s"
    )
    print("exact agent set and subtask count, right / rows")
    figures = result["figures"]
    names = [f.name for f in FAMILIES] + ["joined", "control"]
    print(f"{'family':<20}" + "".join(f"{'half ' + h:<24}" for h in (*HALVES, "all")))
    for name in names:
        if name in ("joined", "control"):
            print()
        cells = []
        for half in (*HALVES, "all"):
            c = figures.get(f"{name}/{half}")
            cells.append(
                "-" if c is None else f"{c['exact']}/{c['rows']}  {c['count']}/{c['rows']}"
            )
        print((f"{name:<20}" + "".join(f"{c:<24}" for c in cells)).rstrip())


def main(argv: Sequence[str] | None = None) -> None:
    splits = demo_splits()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"joins per family and half, at most (default {DEFAULT_LIMIT})",
    )
    parser.add_argument("--half", choices=HALVES, help="only this half's joins")
    parser.add_argument("--list", action="store_true", help="List the joins; plan nothing.")
    parser.add_argument(
        "--json", action="store_true", help="Print figures and half A's outcomes as JSON."
    )
    args = parser.parse_args(argv)
    sources = load_sources(splits)
    joins = make_joins(sources, args.limit)
    if args.half:
        joins = [j for j in joins if j.half == args.half]
    if args.list:
        for j in joins:
            where = " + ".join(s.where for s in j.sources)
            print(f"{j.id}\t{','.join(j.agents)}\t{where}\t{json.dumps(j.text)}")
        return
    git = git_state(ROOT)
    start = time.perf_counter()
    team = load_team(DEMO_TEAM)
    with tempfile.TemporaryDirectory(prefix="join-mutations-") as tmp:
        planner = seed_planner(team, Path(tmp))
        good = right_alone(sources, planner, team)
        kept = [j for j in joins if all(s in good for s in j.sources)]
        preds = plan_all(planner, team, [j.row(i + 1) for i, j in enumerate(kept)])
        parts = (
            [
                None
                if p.correct and len(p.subtasks) == p.expected_subtasks
                else [s.description for s in planner.plan(j.text).subtasks]
                for j, p in zip(kept, preds, strict=True)
            ]
            if args.json
            else []
        )
    result: dict[str, Any] = {
        "command": "python -m benchmarks.join_mutations",
        "git": git,
        "limit": args.limit,
        "sources": len(sources),
        "sources_right": len(good),
        "joins": len(kept),
        "dropped": len(joins) - len(kept),
        "figures": score(kept, preds),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        # half B is the transfer check: its totals only, never its rows
        result["outcomes"] = [
            outcome(j, p, t) for j, p, t in zip(kept, preds, parts, strict=True) if j.half == "A"
        ]
        print(json.dumps(result, indent=1))
    else:
        print_table(result)


if __name__ == "__main__":
    main()

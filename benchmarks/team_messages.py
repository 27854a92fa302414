"""Does the demo team route better when its examples include whole messages in other voices?

    .venv/bin/python -m benchmarks.team_messages                 # seeds 0 1 2, the default halves
    .venv/bin/python -m benchmarks.team_messages --seeds 0 --swap

The demo team's examples are single asks, mostly one sentence in the project's own voice; the
tuning splits (`evals/datasets/demo-team-dev*.jsonl`) hold one-part requests as people send
them: chat lines, emails with a greeting and a sign-off, tickets. This plans the splits of one
half with two teams and prints both side by side, per cutter seed:

- `without`: the demo team's examples minus any that are the text of a one-part row of a dev
  split (agents/demo/team.yaml before such rows were added, or as it stands if none are);
- `with`: those examples plus the one-part rows (one agent, not escalated) of the splits of the
  other half, appended to their agent's examples in file order, duplicates dropped.

With `--cut`, each message is added as the text the `without` team's planner routes for it
(the greeting, sign-off, quoted mail and background it takes off are not trained on); a message
it cuts into several parts is added whole. `--humans FILE` and `--oos-rows` plan each team again
with out-of-scope requests added to its human examples (`+h`: the file's; `+o`: the out-of-scope
rows of the giving half), cut by the same planner into the parts it routes when `--cut`.

The halves: the odd-numbered splits (dev, dev3, dev5 … dev17) give the messages and the
even-numbered ones (dev2 … dev16) are measured, so no measured row was ever an example;
`--swap` gives from the even and measures the odd. Each team is planned as `routing_seeds`
plans it (its `run_seed`: TF-IDF, the file's thresholds, cutter seed s), in a fresh model cache.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import ringmaster.graph.planner.local as local_planner
from benchmarks.routing_seeds import (
    DEMO_TEAM,
    SLICES,
    demo_splits,
    run_seed,
    seed_planner,
    split_files,
    totals,
)
from ringmaster.agents.spec import Team, load_team
from ringmaster.evals.dataset import EvalRow, load_dataset
from ringmaster.evals.runner import commit_label, git_state

ROOT = Path(__file__).resolve().parents[1]


def halves() -> tuple[list[str], list[str]]:
    """The odd-numbered demo splits (dev counts as 1) and the even-numbered ones."""
    splits = demo_splits()
    odd = [s for s in splits if int(s.removeprefix("dev") or 1) % 2]
    return odd, [s for s in splits if s not in odd]


def split_rows(split: str) -> list[EvalRow]:
    """The rows of a demo dev split."""
    return load_dataset(split_files(split)[0]).rows


def one_part_rows(split: str) -> list[tuple[str, str]]:
    """(text, agent) of a split's one-part rows that go to one agent and are not escalated."""
    return [
        (r.text, r.agents[0])
        for r in split_rows(split)
        if "one-part" in r.tags and not r.escalate and len(r.agents) == 1
    ]


def without_messages(team: Team) -> Team:
    """`team` with no example that is a one-part row of a dev split."""
    dev = {text for split in demo_splits() for text, _ in one_part_rows(split)}
    agents = [
        a.model_copy(update={"examples": [e for e in a.examples if e not in dev]})
        for a in team.agents
    ]
    return team.model_copy(update={"agents": agents})


def routed_texts(team: Team, cache: Path) -> Callable[[str], list[str]]:
    """A function giving the texts `team`'s planner (cutter seed 0) routes for a request: what
    is left of it once the planner has taken off what it does not classify, cut into parts."""
    planner = seed_planner(team, cache, 0)
    route = local_planner.route
    seen: list[str] = []

    def spy(part: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(part.text)
        return route(part, *args, **kwargs)

    def texts(request: str) -> list[str]:
        seen.clear()
        with mock.patch.object(local_planner, "route", spy):
            planner.plan(request)
        return [t.strip() for t in seen if t.strip()]

    return texts


def with_messages(
    team: Team, splits: Sequence[str], routed: Callable[[str], list[str]] | None = None
) -> Team:
    """`without_messages(team)` plus the one-part rows of `splits` as their agents' examples:
    whole, or as `routed` (`routed_texts`) gives each (whole if it gives several parts)."""
    base = without_messages(team)
    seen = {e for a in base.agents for e in a.examples} | set(base.human_examples)
    extra: dict[str, list[str]] = {a.name: [] for a in base.agents}
    for split in splits:
        for text, agent in one_part_rows(split):
            if text not in seen and agent in extra:
                seen.add(text)
                parts = routed(text) if routed else []
                extra[agent].append(parts[0] if len(parts) == 1 else text)
    agents = [a.model_copy(update={"examples": [*a.examples, *extra[a.name]]}) for a in base.agents]
    return base.model_copy(update={"agents": agents})


def with_human_floor(team: Team, floor: float) -> Team:
    """`team` routing with `routing.human_floor` set to `floor` (no retraining: the models'
    cache key leaves the routing block out)."""
    routing = team.routing.model_copy(update={"human_floor": floor})
    return team.model_copy(update={"routing": routing})


def read_humans(path: Path) -> list[str]:
    """Out-of-scope requests from a file, one a line, `\\n` standing for a line break."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines if line.strip()]


def oos_rows(split: str) -> list[str]:
    """The texts of a split's out-of-scope rows (no agent: all of it goes to a person)."""
    return [r.text for r in split_rows(split) if "out-of-scope" in r.tags and not r.agents]


def with_humans(team: Team, humans: Sequence[str]) -> Team:
    """`team` with `humans` added to its human examples, each once, after the ones it has."""
    added = list(dict.fromkeys(h for h in humans if h not in team.human_examples))
    return team.model_copy(update={"human_examples": [*team.human_examples, *added]})


def measure(team: Team, splits: Sequence[str], seed: int, cache: Path) -> dict[str, Any]:
    """Rows right of rows per slice over `splits`, planned by `team` with cutter seed `seed`."""
    runs = run_seed(seed, splits, {DEMO_TEAM: team}, cache)
    by_split = {name: [run] for name, run in runs.items()}
    return {s: [t["right"][0], t["rows"]] for s in SLICES if (t := totals(by_split, s))}


def measure_all(teams: dict[str, Team], splits: Sequence[str], seed: int) -> dict[str, Any]:
    """`measure` for each team, in one model cache (a team that differs from the one before
    only in its routing block plans with that team's models)."""
    with tempfile.TemporaryDirectory(prefix="team-messages-") as tmp:
        return {name: measure(t, splits, seed, Path(tmp)) for name, t in teams.items()}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--swap", action="store_true", help="messages from the even half")
    parser.add_argument(
        "--cut", action="store_true", help="add each message as the text the planner routes"
    )
    parser.add_argument(
        "--human-floors",
        type=float,
        nargs="+",
        default=[],
        metavar="F",
        help="also plan each team with routing.human_floor set to F",
    )
    parser.add_argument(
        "--humans",
        type=Path,
        metavar="FILE",
        help="also plan each team with these out-of-scope requests (one a line, \\n for a "
        "line break) added to its human examples (with --cut, as the planner routes them)",
    )
    parser.add_argument(
        "--oos-rows",
        action="store_true",
        help="also plan each team with the giving half's out-of-scope rows added to its human "
        "examples (with --cut, as the planner routes them)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    odd, even = halves()
    source, measured = (even, odd) if args.swap else (odd, even)
    team = load_team(DEMO_TEAM)
    extra = {"+h": read_humans(args.humans) if args.humans else []}
    extra["+o"] = [t for split in source for t in oos_rows(split)] if args.oos_rows else []
    with tempfile.TemporaryDirectory(prefix="team-messages-cut-") as tmp:
        # One planner (the team without messages) cuts the messages and the human examples.
        routed = routed_texts(without_messages(team), Path(tmp)) if args.cut else None
        one_part: list[str] = []  # the messages the planner routes as one part

        def routed_message(text: str) -> list[str]:
            parts = routed(text) if routed else []
            if len(parts) == 1:
                one_part.append(text)
            return parts

        messages = with_messages(team, source, routed_message if routed else None)
        teams = {"without": without_messages(team), "with": messages}
        for mark, texts in extra.items():
            humans = [part for t in texts for part in routed(t)] if routed else texts
            for name, base in list(teams.items())[:2] if humans else []:
                teams[f"{name} {mark}"] = with_humans(base, humans)
    ordered: dict[str, Team] = {}
    for name, base in teams.items():  # each team's floor variants right after it: no retraining
        ordered[name] = base
        for floor in args.human_floors:
            ordered[f"{name} h{floor:g}"] = with_human_floor(base, floor)
    teams = dict(sorted(ordered.items(), key=lambda kv: kv[0].split()[0] != "without"))
    added = sum(len(a.examples) for a in teams["with"].agents) - sum(
        len(a.examples) for a in teams["without"].agents
    )
    result: dict[str, Any] = {
        "git": commit_label(git_state(ROOT)),
        "messages_from": source,
        "measured_on": measured,
        "messages_added": added,
        "cut": args.cut,
        "messages_one_part": len(one_part) if args.cut else None,
        "file_is": next((k for k, t in teams.items() if t.agents == team.agents), "neither"),
        "seeds": {str(s): measure_all(teams, measured, s) for s in args.seeds},
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    cut = f" ({len(one_part)} routed as one part and added as that part, the rest whole)"
    print(
        f"team_messages: {result['git']}; {added} messages{cut if args.cut else ''} from "
        f"{' '.join(source)}; measured on {' '.join(measured)}; "
        f"agents/demo/team.yaml is `{result['file_is']}`"
    )
    print(f"{'seed':<6}{'team':<14}" + "".join(f"{s:<16}" for s in SLICES))
    for seed, by_team in result["seeds"].items():
        for name, figures in by_team.items():
            cells = [f"{figures[s][0]}/{figures[s][1]}" if s in figures else "-" for s in SLICES]
            print(f"{seed:<6}{name:<14}" + "".join(f"{c:<16}" for c in cells))


if __name__ == "__main__":
    main()

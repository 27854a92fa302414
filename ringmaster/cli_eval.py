"""`ringmaster eval …`: offline routing evals. Run a planner over a labelled dataset, compare
saved runs, gate CI on bars, build a team or eval rows from labelled data, tune thresholds.

Bad input (a missing file, a bad row, an unknown metric) prints one message and exits 2;
`--fail-under` exits 1 when a metric is below its bar.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ringmaster.agents.errors import AgentError
from ringmaster.agents.spec import RoutingConfig, Team, load_team
from ringmaster.cli_options import check_file_to_write
from ringmaster.errors import ConfigError
from ringmaster.evals.compare import compare_runs
from ringmaster.evals.convert import (
    RosterOptions,
    build_team,
    read_labelled_rows,
    team_yaml,
    to_eval_rows,
)
from ringmaster.evals.convert import write_jsonl as write_rows
from ringmaster.evals.dataset import load_dataset
from ringmaster.evals.errors import EvalError
from ringmaster.evals.gate import failures, parse_bars
from ringmaster.evals.metrics import HIGHER_IS_BETTER, score
from ringmaster.evals.report import fmt, html_page, markdown, print_terminal
from ringmaster.evals.runner import (
    evaluate,
    load_run,
    run_rows,
)
from ringmaster.evals.threshold import OBJECTIVES, observed_oos_rate, tune, write_routing
from ringmaster.graph.planner.local import CLASSIFIERS

if TYPE_CHECKING:  # routing_cv imports numpy: loaded only when build-team picks a block
    from ringmaster.evals.routing_cv import ChosenRouting

eval_app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

out = Console(soft_wrap=True)  # paths and messages stay on one line, greppable
err = Console(stderr=True, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
DatasetOpt = Annotated[Path, typer.Option("--dataset", help="JSONL file.")]
TeamOpt = Annotated[Path, typer.Option("--team", help="Team file (YAML).")]
PlannerOpt = Annotated[
    str, typer.Option("--planner", help="local, llm, cascade, or module:factory.")
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Cached responses (default RINGMASTER_HOME/evals/cache) and, unless "
        "RINGMASTER_PLANNER_CACHE is set, planner models (in its planner/).",
    ),
]
RunsDirOpt = Annotated[
    Path | None,
    typer.Option("--runs-dir", help="Where runs are saved (default RINGMASTER_HOME/evals/runs)."),
]
ClassifierOpt = Annotated[
    str | None,
    typer.Option(
        "--classifier",
        help="The local planner's classifier, tfidf or hybrid (default: the team's).",
    ),
]
LabelOpt = Annotated[
    str,
    typer.Option("--label", help="The field holding each row's label (a string or a list)."),
]
SkipOpt = Annotated[
    bool,
    typer.Option("--skip-unlabelled", help="Skip (and count) rows whose label is missing."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")]


def _eval_dirs(cache_dir: Path | None, runs_dir: Path | None) -> tuple[Path, Path, Path]:
    """(responses cache, planner models, runs): every eval file under RINGMASTER_HOME unless
    told otherwise; planner models where the application keeps them when that is set."""
    from ringmaster.settings import Settings

    settings = Settings()
    base = settings.home / "evals"
    cache = cache_dir or base / "cache"
    if cache_dir is None and settings.planner_cache is not None:
        models = settings.planner_cache
    else:
        models = cache / "planner"
    return cache, models, runs_dir or base / "runs"


def _with_classifier(team: Team, classifier: str | None) -> Team:
    if classifier is None:
        return team
    if classifier not in CLASSIFIERS:
        raise EvalError(f"unknown classifier {classifier!r} (choose from {', '.join(CLASSIFIERS)})")
    # The thresholds tuned for that classifier, when the team file has them (`by_classifier`).
    return team.model_copy(update={"routing": team.routing.for_classifier(classifier)})


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def _planner_factory() -> Any:
    """llm and cascade planners from the settings (RINGMASTER_PLANNER_MODEL …)."""
    from ringmaster.models import eval_planner_factory
    from ringmaster.settings import Settings

    return eval_planner_factory(Settings())


@contextmanager
def _user_errors(json_mode: bool) -> Iterator[None]:
    """Bad input is the user's to fix: one clear message and exit 2, never a traceback."""
    try:
        yield
    except (EvalError, AgentError, ConfigError, OSError) as exc:
        said = str(exc)
        if isinstance(exc, OSError) and exc.filename is not None:  # not "[Errno 17] File …"
            said = f"cannot write {str(exc.filename)!r}: {exc.strerror}"
        if json_mode:
            _print_json({"error": said})
        else:
            err.print(f"error: {said}", markup=False)
        raise typer.Exit(2) from None


def _summary(record: dict[str, Any], path: Path | None) -> dict[str, Any]:
    keys = ("id", "config", "dataset", "git", "timing", "calls", "metrics", "per_label", "slices")
    return {"run": str(path) if path else None, **{k: record.get(k) for k in keys}}


@eval_app.command("run")
def run_cmd(
    dataset: DatasetOpt,
    team: TeamOpt,
    planner: PlannerOpt = "local",
    json_mode: JsonOpt = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report.")] = None,
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown report.")
    ] = None,
    fail_under: Annotated[
        str | None,
        typer.Option("--fail-under", help="Bars, e.g. accuracy=0.95,escalation_f1=0.7."),
    ] = None,
    runs_dir: RunsDirOpt = None,
    cache_dir: CacheDirOpt = None,
    classifier: ClassifierOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Concurrent requests.")
    ] = None,
    cache: Annotated[
        bool | None,
        typer.Option("--cache/--no-cache", help="Response cache (default: model planners)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --report or --markdown file if it exists.")
    ] = False,
) -> None:
    """Run a planner over a dataset, save the run, print metrics, and gate on --fail-under."""
    with _user_errors(json_mode):
        # Refused before the run, not after it; an existing file (a mistyped path, a team file
        # tuned by hand) only with --force.
        for option, written in (("--report", report), ("--markdown", markdown_out)):
            if written is not None:
                check_file_to_write(written, option, force=force)
        bars = None
        if fail_under is not None:
            bars = parse_bars(
                fail_under,
                known=HIGHER_IS_BETTER,
                lower_is_better=_metric_names() - HIGHER_IS_BETTER,
            )
        responses, models, runs = _eval_dirs(cache_dir, runs_dir)
        # Refused before the run, not after it: a run of minutes lost to a mistyped path.
        for folder, option in ((runs, "--runs-dir"), (responses, "--cache-dir")):
            if folder.exists() and not folder.is_dir():
                raise EvalError(f"{option}: {str(folder)!r} is a file, not a folder")
        done = evaluate(
            dataset,
            team,
            planner_name=planner,
            team=_with_classifier(load_team(team), classifier),
            runs_dir=runs,
            cache_dir=responses,
            planner_cache_dir=models,
            workers=workers,
            use_cache=cache,
            progress=not json_mode,
            planner_factory=_planner_factory(),
        )
        record = done.record
        if report is not None:
            report.write_text(html_page(record), encoding="utf-8")
        if markdown_out is not None:
            markdown_out.write_text(markdown(record), encoding="utf-8")
    problems = failures(record["metrics"], bars) if bars else []
    if json_mode:
        summary = _summary(record, done.path)
        if bars:
            summary["gate"] = {"bars": bars, "failures": problems, "passed": not problems}
        _print_json(summary)
    else:
        print_terminal(record, out)
        out.print(f"saved run: {done.path}", markup=False)
        for written in (report, markdown_out):
            if written is not None:
                out.print(f"wrote {written}", markup=False)
        errors = int(record["metrics"].get("planner_errors") or 0)
        if errors:
            err.print(f"warning: the planner failed on {errors} row(s); they count as escalations")
    if problems:
        if not json_mode:
            for problem in problems:
                err.print(f"FAIL: {problem}", markup=False)
        raise typer.Exit(1)
    if bars and not json_mode:
        out.print("all bars met: " + ", ".join(f"{k}>={v:g}" for k, v in bars.items()))


def _metric_names() -> set[str]:
    return set(score([]).metrics)


@eval_app.command("compare")
def compare_cmd(
    run_a: Annotated[Path, typer.Argument(help="The baseline run (JSON).")],
    run_b: Annotated[Path, typer.Argument(help="The run to judge against it.")],
    json_mode: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="Flipped rows shown per kind.")] = 20,
) -> None:
    """Every metric's delta (B - A) and the rows that flipped between two saved runs."""
    with _user_errors(json_mode):
        result = compare_runs(load_run(run_a), load_run(run_b))
    if json_mode:
        _print_json(result)
        return
    if not result["same_dataset"]:
        err.print(
            f"note: the runs saw different dataset files; comparing the "
            f"{result['rows_compared']} rows they share"
        )
    table = Table(title=f"{result['a']['id']} → {result['b']['id']}")
    for col in ("metric", "A", "B", "delta"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, d in result["deltas"].items():
        colour = {True: "green", False: "red", None: ""}[d["better"]]
        delta = "n/a" if d["delta"] is None else f"{d['delta']:+.4f}"
        table.add_row(
            name, fmt(name, d["a"]), fmt(name, d["b"]), f"[{colour}]{delta}[/]" if colour else delta
        )
    out.print(table)
    for kind, title in (("right_to_wrong", "right → wrong"), ("wrong_to_right", "wrong → right")):
        rows = result["flipped"][kind]
        flips = Table(title=f"{title}: {len(rows)} row(s)")
        for col in ("line", "text", "expected", "A", "B"):
            flips.add_column(col, overflow="fold")
        for r in rows[:limit]:
            flips.add_row(
                str(r["line"]),
                r["text"],
                ", ".join(r["expected"]),
                ", ".join(r["a"]),
                ", ".join(r["b"]),
            )
        out.print(flips)


# A hybrid team's TF-IDF thresholds, the ones the planner uses where the embeddings extra is not
# installed (`routing_cv.routing_block`).
_FALLBACK = "fallback (tfidf, without the embeddings extra)"


def _routing_figures(chosen: ChosenRouting, how: str = "") -> str:
    """A picked floor and margin and what they send to a person on the held-out examples, as
    build-team prints them (the chosen block's line and the TF-IDF fallback's alike)."""
    caught = ""
    if chosen.out_of_scope:
        caught = f", {chosen.out_of_scope_caught:.1%} of {chosen.out_of_scope} held-out human "
        caught += "examples escalated"
    return (
        f"confidence_floor {chosen.confidence_floor:g}, min_margin {chosen.min_margin:g}{how} "
        f"({chosen.escalated:.1%} of held-out in-scope examples escalated, "
        f"{chosen.by_check:.1%} by the out-of-scope check{caught})"
    )


def _scope_warnings(chosen: ChosenRouting, oos_label: str, humans: int = 0) -> list[str]:
    """What a chosen routing block leaves a person to know about requests outside the team:
    that nothing measured how many reach a person (no human examples, or `humans` distinct ones,
    too few to hold one out: one is kept to train on), or that none of the held-out ones did."""
    if not chosen.out_of_scope:
        if humans:
            return [
                f"only {humans} distinct human ({oos_label!r}) example(s), none held out: nothing "
                "measured how often a request outside the team goes to a person; add more with "
                "that label to check"
            ]
        return [
            f"no human ({oos_label!r}) examples: nothing measured how often a request outside "
            "the team goes to a person; add some with that label to check"
        ]
    if not chosen.out_of_scope_caught:
        return [
            f"none of the {chosen.out_of_scope} held-out human examples went to a person at "
            "the chosen thresholds: requests outside the team will reach an agent"
        ]
    return []


@eval_app.command("build-team")
def build_team_cmd(
    dataset: DatasetOpt,
    label: LabelOpt,
    out_path: Annotated[Path, typer.Option("--out", help="Team file to write.")],
    examples_per_agent: Annotated[
        int | None,
        typer.Option(
            "--examples-per-agent",
            min=1,
            help="Seeded sample per agent, and of the human (--oos-label) examples (default: all).",
        ),
    ] = None,
    sublabel: Annotated[
        str | None, typer.Option("--sublabel", help="A finer label to list and sample across.")
    ] = None,
    text_field: Annotated[str, typer.Option("--text-field")] = "text",
    oos_label: Annotated[str, typer.Option("--oos-label", help="Label meaning a human.")] = "oos",
    name: Annotated[str | None, typer.Option("--name", help="Team name.")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    skip_unlabelled: SkipOpt = False,
    routing: Annotated[
        bool,
        typer.Option(
            "--routing/--no-routing",
            help="Write a routing block chosen by cross-validation on the team's examples.",
        ),
    ] = True,
    max_escalated: Annotated[
        float,
        typer.Option(
            "--max-escalated",
            help="Held-out in-scope share the floor and margin may send to a person "
            "(on top of the out-of-scope check's).",
        ),
    ] = 0.03,
    classifier: Annotated[
        str | None,
        typer.Option(
            "--classifier",
            help="The team's classifier, tfidf or hybrid; thresholds are chosen for it "
            "(default: hybrid when the embeddings extra is installed, else tfidf).",
        ),
    ] = None,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """A team roster from labelled JSONL: one agent per label value, examples from the file."""
    with _user_errors(json_mode):
        if not 0 <= max_escalated <= 1:  # also nan
            raise EvalError(f"--max-escalated must be a share from 0 to 1, not {max_escalated}")
        if classifier is None:
            from ringmaster.graph.planner.embedding_config import embeddings_available

            # The hybrid routed SLURP val half A 0.857 against TF-IDF's 0.810 (5-fold).
            classifier = "hybrid" if embeddings_available() else "tfidf"
        elif classifier not in CLASSIFIERS:
            raise EvalError(
                f"unknown classifier {classifier!r} (choose from {', '.join(CLASSIFIERS)})"
            )
        check_file_to_write(out_path, "--out", force=force)
        read = read_labelled_rows(
            dataset,
            label,
            text_field=text_field,
            sublabel=sublabel,
            skip_unlabelled=skip_unlabelled,
        )
        rows = read.rows
        multi = sum(len(r.all_labels) > 1 for r in rows)
        options = RosterOptions(
            name=name or dataset.stem,
            examples_per_agent=examples_per_agent,
            seed=seed,
            oos_label=oos_label,
        )
        team = build_team(rows, options)
        chosen = fallback = None
        if routing:
            from ringmaster.evals.routing_cv import routing_block

            by_agent = {a["name"]: list(a["examples"]) for a in team["agents"]}
            picked = routing_block(
                by_agent,
                team.get("human_examples", []),
                classifier,
                max_escalated=max_escalated,
                seed=seed,
            )
            if picked is not None:
                block, chosen, fallback = picked
                team = {"name": team["name"], "routing": block} | team
        shots = f"up to {examples_per_agent}" if examples_per_agent else "all"
        header = f"Built by `ringmaster eval build-team` from {dataset} (label {label!r}, {shots} "
        header += f"examples per agent and of the human label {oos_label!r}, seed {seed}). Agents "
        header += "run ringmaster.evals.echo_agent: routing evals only."
        if chosen is not None:
            header += (
                f"\nrouting: chosen by {chosen.held_out}-example cross-validation on these "
                f"examples ({chosen.classifier}); {chosen.escalated:.1%} of held-out in-scope "
                f"examples go to a person ({chosen.by_check:.1%} by the out-of-scope check, "
                f"the rest by the floor and margin, at most --max-escalated {max_escalated:g}), "
                f"{chosen.routed_accuracy:.3f} of the rest to their agent."
            )
            if chosen.out_of_scope:
                header += (
                    f" {chosen.out_of_scope_caught:.1%} of {chosen.out_of_scope} held-out human "
                    "examples go to a person."
                )
        if fallback is not None:
            header += f"\n{_FALLBACK}: {_routing_figures(fallback)}."
        distinct = len(set(team.get("human_examples", [])))
        warnings = [] if chosen is None else _scope_warnings(chosen, oos_label, distinct)
        text = team_yaml(team, header)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(text, encoding="utf-8")
    examples = {a["name"]: len(a["examples"]) for a in team["agents"]}
    humans = len(team.get("human_examples", []))
    if json_mode:
        _print_json(
            {
                "team": str(out_path),
                "agents": examples,
                "human_examples": humans,
                "skipped_unlabelled": read.skipped,
                "skipped_multi_label": multi,
                "routing": None if chosen is None else vars(chosen),
                "fallback_routing": None if fallback is None else vars(fallback),
                "warnings": warnings,
            }
        )
    else:
        out.print(
            f"wrote {out_path}: {len(examples)} agent{'' if len(examples) == 1 else 's'}, "
            f"{sum(examples.values())} examples, "
            f"{humans} human examples",
            markup=False,
        )
        if chosen is not None:
            out.print(f"routing: {_routing_figures(chosen, ' by cross-validation')}", markup=False)
            if fallback is not None:
                out.print(f"{_FALLBACK}: {_routing_figures(fallback)}", markup=False)
        elif routing:
            out.print(
                "routing: none chosen (too few agents or examples to cross-validate: it needs "
                "two agents with two examples each); the planner's defaults apply",
                markup=False,
            )
        if read.skipped:
            out.print(f"skipped {read.skipped} row(s) without a label", markup=False)
        if multi:
            out.print(f"skipped {multi} multi-label row(s): no one agent's example", markup=False)
        for warning in warnings:
            err.print(f"warning: {warning}", markup=False)


@eval_app.command("convert")
def convert_cmd(
    dataset: DatasetOpt,
    label: LabelOpt,
    out_path: Annotated[Path, typer.Option("--out", help="Eval rows (JSONL) to write.")],
    text_field: Annotated[str, typer.Option("--text-field")] = "text",
    oos_label: Annotated[str, typer.Option("--oos-label", help="Label meaning a human.")] = "oos",
    sublabel: Annotated[str | None, typer.Option("--sublabel", help="Kept as a tag.")] = None,
    skip_unlabelled: SkipOpt = False,
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Eval rows from labelled JSONL (the `oos` label becomes an escalation; a list of labels,
    a multi-part row)."""
    with _user_errors(json_mode):
        check_file_to_write(out_path, "--out", force=force)
        read = read_labelled_rows(
            dataset,
            label,
            text_field=text_field,
            sublabel=sublabel,
            skip_unlabelled=skip_unlabelled,
        )
        rows = to_eval_rows(read.rows, oos_label=oos_label)
        write_rows(rows, out_path)
        load_dataset(out_path)  # what we write must load as eval rows
    escalations = sum(r["escalate"] for r in rows)
    multi = sum(r["subtasks"] > 1 for r in rows)
    if json_mode:
        _print_json(
            {
                "rows": len(rows),
                "escalations": escalations,
                "multi_part": multi,
                "skipped_unlabelled": read.skipped,
                "out": str(out_path),
            }
        )
    else:
        out.print(
            f"wrote {out_path}: {len(rows)} rows, {escalations} escalations, {multi} multi-part",
            markup=False,
        )
        if read.skipped:
            out.print(f"skipped {read.skipped} row(s) without a label", markup=False)


@eval_app.command("tune-threshold")
def tune_cmd(
    dataset: DatasetOpt,
    team: TeamOpt,
    planner: PlannerOpt = "local",
    objective: Annotated[
        str, typer.Option("--objective", help=f"One of: {', '.join(OBJECTIVES)}.")
    ] = "escalation_f1",
    min_in_scope_accuracy: Annotated[
        float | None,
        typer.Option("--min-in-scope-accuracy", help="Only thresholds keeping this or more."),
    ] = None,
    margin: Annotated[
        bool, typer.Option("--margin/--no-margin", help="Tune min_margin too.")
    ] = True,
    human_floor: Annotated[
        bool,
        typer.Option(
            "--human-floor/--no-human-floor",
            help="Tune routing.human_floor (the out-of-scope floor) too; without it, keep the "
            "team's.",
        ),
    ] = True,
    oos_rate: Annotated[
        float | None,
        typer.Option(
            "--oos-rate",
            help="The out-of-scope share expected in traffic (default: the dataset's own).",
        ),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Write them into the team file.")] = False,
    verify: Annotated[
        bool, typer.Option("--verify/--no-verify", help="Re-run at the chosen thresholds.")
    ] = True,
    cache_dir: CacheDirOpt = None,
    classifier: ClassifierOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Pick routing.confidence_floor (and min_margin, human_floor) on a validation set; --write
    saves them."""
    with _user_errors(json_mode):
        base = _with_classifier(load_team(team), classifier)
        responses, models, _ = _eval_dirs(cache_dir, None)

        def run_with(routing: RoutingConfig) -> dict[str, Any]:
            """An unsaved run of the dataset with the team's routing block replaced."""
            return evaluate(
                dataset,
                team,
                planner_name=planner,
                team=base.model_copy(update={"routing": routing}),
                runs_dir=None,
                cache_dir=responses,
                planner_cache_dir=models,
                progress=not json_mode,
            ).record

        # Only the tuned thresholds change: the rest of the routing block (the classifier, and
        # human_floor with --no-human-floor) stays.
        tuned: dict[str, float | None] = {"confidence_floor": 0.0, "min_margin": 0.0}
        if human_floor:
            tuned["human_floor"] = None
        probe = run_with(base.routing.model_copy(update=tuned))
        chosen, tried = tune(
            run_rows(probe),
            objective=objective,
            min_in_scope_accuracy=min_in_scope_accuracy,
            tune_margin=margin,
            tune_human_floor=human_floor,
            oos_rate=oos_rate,
        )
        observed = observed_oos_rate(run_rows(probe))
        assumed = observed if oos_rate is None else oos_rate
        tuned = {"confidence_floor": chosen.confidence_floor, "min_margin": chosen.min_margin}
        if human_floor:
            tuned["human_floor"] = chosen.human_floor
        routing = base.routing.model_copy(update=tuned)
        measured = None
        if verify:
            measured = run_with(routing)["metrics"]
        if write:
            write_routing(
                team,
                chosen.confidence_floor,
                chosen.min_margin,
                human_floor=chosen.human_floor,
                set_human_floor=human_floor,
            )
    simulated = {k: v for k, v in vars(chosen).items() if k not in routing.model_dump()}
    result = {
        "team": str(team),
        "dataset": str(dataset),
        "objective": objective,
        "min_in_scope_accuracy": min_in_scope_accuracy,
        "oos_rate": {"assumed": assumed, "in_dataset": observed, "given": oos_rate is not None},
        "candidates": tried,
        "before": base.routing.model_dump(),
        "chosen": routing.model_dump(),
        "simulated": simulated,
        "measured": measured,
        "written": write,
    }
    if json_mode:
        _print_json(result)
        return
    source = "given by --oos-rate" if oos_rate is not None else "the dataset's own"
    out.print(
        f"assumes an out-of-scope rate of {assumed:.1%} ({source}; the dataset has "
        f"{observed:.1%}): precision, F1 and accuracy below are at that rate",
        markup=False,
    )
    table = Table(title=f"tuned on {dataset} for {objective} ({tried} candidates)")
    for col in ("metric", "simulated", "measured"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for name, value in simulated.items():
        table.add_row(name, fmt(name, value), fmt(name, measured.get(name)) if measured else "-")
    out.print(table)
    out.print(
        f"confidence_floor {chosen.confidence_floor:g}, min_margin {chosen.min_margin:g}, "
        f"human_floor {routing.human_floor} (was {base.routing.confidence_floor:g}, "
        f"{base.routing.min_margin:g}, {base.routing.human_floor})"
        + (f"; written to {team}" if write else "; not written (use --write)"),
        markup=False,
    )


@eval_app.command("export-corrections")
def export_corrections_cmd(
    out_path: Annotated[Path, typer.Option("--out", help="Eval rows (JSONL) to write.")],
    force: ForceOpt = False,
    json_mode: JsonOpt = False,
) -> None:
    """Reviewers' routing corrections as eval rows, to test the next planner against them."""
    from ringmaster.corrections import CorrectionStore
    from ringmaster.settings import Settings
    from ringmaster.tables import make_engine

    with _user_errors(json_mode):
        check_file_to_write(out_path, "--out", force=force)
        engine = make_engine(Settings().app_db_url)
        rows = [c.as_eval_row() for c in CorrectionStore(engine).all()]
        engine.dispose()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if json_mode:
        _print_json({"out": str(out_path), "rows": len(rows)})
    else:
        out.print(f"{len(rows)} correction(s) written to {out_path}", markup=False)


@eval_app.command("conversations")
def conversations_cmd(
    dataset: Annotated[Path, typer.Option(help="Conversations JSONL (evals/conversations.py).")],
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N.")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Score multi-turn conversations: agent sets, resolved references, questions asked."""
    from ringmaster.evals.conversations import load_conversations, run_on_team
    from ringmaster.settings import Settings

    with _user_errors(json_mode):
        report = run_on_team(load_conversations(dataset)[:limit], Settings())
    metrics = report.metrics()
    if json_mode:
        _print_json({"metrics": metrics, "turns": [t.__dict__ for t in report.turns]})
        return
    for key, value in metrics.items():
        out.print(f"{key:<28} {value}", markup=False)
    for t in report.turns:
        if not t.agents_ok or set(t.resolved) != set(t.expected_resolved) or t.ambiguous != t.asked:
            out.print(
                f"miss {t.conversation}#{t.turn}: {t.text!r} → agents {t.agents} "
                f"(want {t.expected_agents}), resolved {t.resolved} (want {t.expected_resolved})"
                + (", asked" if t.asked else ""),
                markup=False,
            )


if __name__ == "__main__":
    # `python -m ringmaster.cli_eval …` is `ringmaster eval …`, through the CLI's own entry
    # point (one line and exit 2 for a mistake), with every command defined above.
    import sys

    from ringmaster.cli import main

    main(["eval", *sys.argv[1:]])

"""Run a planner over eval rows and save the run: plans, confidences, timings, calls, tokens.

Only the planner runs (no agents, no tools): routing evals must be fast and free of side effects.
Model-backed planners (those with a `model`) run rows concurrently, and their answers go through
the response cache; the local planner is CPU-bound and runs rows one by one on one thread.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ringmaster.agents.spec import Team, load_team
from ringmaster.evals.cache import ResponseCache, cache_key
from ringmaster.evals.dataset import EvalRow, check_agents, load_dataset
from ringmaster.evals.errors import RunFileError
from ringmaster.evals.metrics import score
from ringmaster.evals.planners import (
    ScoresEscalation,
    make_planner,
    model_name,
    planner_identity,
    team_digest,
    usage,
)
from ringmaster.evals.records import RowPrediction
from ringmaster.graph.planner.base import Plan, Planner

RUN_FORMAT = 1
DEFAULT_RUNS_DIR = Path(".ringmaster/evals/runs")
DEFAULT_CACHE_DIR = Path(".ringmaster/evals/cache")


@dataclass
class RunOutcome:
    """Row predictions in dataset order, and what producing them cost."""

    rows: list[RowPrediction]
    elapsed_s: float
    model_calls_issued: int
    tokens_issued: int
    cache_hits: int


def _plan_one(
    planner: Planner,
    row: EvalRow,
    cache: ResponseCache | None,
    identity: str,
    exact_usage: bool,
    batch_ms: float = 0.0,
) -> RowPrediction:
    key = cache_key(identity, row.text, None)
    if cache is not None and (hit := cache.get(key)) is not None:
        return RowPrediction.from_plan(
            row,
            Plan.model_validate(hit["plan"]) if hit["plan"] else None,
            latency_ms=hit["latency_ms"],
            escalation_score=hit["escalation_score"],
            model_calls=hit["model_calls"],
            tokens=hit["tokens"],
            cached=True,
            error=hit["error"],
            planned_locally=_locally(planner, hit["plan"]),
        )
    calls0, tokens0 = usage(planner)
    start = time.perf_counter()
    plan: Plan | None = None
    esc: float | None = None
    error: str | None = None
    try:
        plan = planner.plan(row.text)
        if isinstance(planner, ScoresEscalation):
            esc = float(planner.escalation_score(row.text))
    except Exception as exc:  # a planner failure is a result to score (fail closed), not a crash
        error = f"{type(exc).__name__}: {exc}"
    latency_ms = (time.perf_counter() - start) * 1000.0 + batch_ms
    calls1, tokens1 = usage(planner)
    # With several workers the counters move under us: per-row usage is spread afterwards.
    calls, tokens = (calls1 - calls0, tokens1 - tokens0) if exact_usage else (0, 0)
    pred = RowPrediction.from_plan(
        row,
        plan,
        latency_ms=latency_ms,
        escalation_score=esc,
        model_calls=calls,
        tokens=tokens,
        error=error,
        planned_locally=_locally(planner, plan),
    )
    # A failure is not an answer: a planner error or a stand-in plan (its model call failed) is
    # asked again on the next run rather than replayed from the cache.
    if cache is not None and error is None and not (plan is not None and plan.stand_in):
        cache.put(
            key,
            {
                "plan": plan.model_dump(mode="json") if plan else None,
                "latency_ms": latency_ms,
                "escalation_score": pred.escalation_score,
                "model_calls": calls,
                "tokens": tokens,
                "error": error,
            },
        )
    return pred


def _locally(planner: Planner, plan: Plan | dict[str, Any] | None) -> bool | None:
    """For a planner that tells which plans needed no model call (a cascade's
    `planned_locally`), whether this one did; None for other planners."""
    check = getattr(planner, "planned_locally", None)
    if not callable(check) or plan is None:
        return None
    return bool(check(plan if isinstance(plan, Plan) else Plan.model_validate(plan)))


def run_planner(
    planner: Planner,
    rows: Sequence[EvalRow],
    *,
    team: Team,
    workers: int = 1,
    cache: ResponseCache | None = None,
    progress: bool = True,
) -> RunOutcome:
    """Plan every row (a Rich progress bar on stderr when `progress`), in dataset order."""
    identity = planner_identity(planner, team)
    workers = max(1, workers)
    calls0, tokens0 = usage(planner)
    start = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task(f"planning ({planner.name})", total=len(rows))
        batch_ms = _prepare(planner, rows, cache, identity)

        def one(row: EvalRow) -> RowPrediction:
            pred = _plan_one(
                planner, row, cache, identity, exact_usage=workers == 1, batch_ms=batch_ms
            )
            bar.advance(task)
            return pred

        if workers == 1:
            preds = [one(r) for r in rows]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                preds = list(pool.map(one, rows))
    elapsed = time.perf_counter() - start
    calls1, tokens1 = usage(planner)
    fresh = [p for p in preds if not p.cached]
    if workers > 1 and fresh:
        _spread(fresh, calls1 - calls0, tokens1 - tokens0, cache, identity)
    return RunOutcome(
        rows=preds,
        elapsed_s=elapsed,
        model_calls_issued=calls1 - calls0,
        tokens_issued=tokens1 - tokens0,
        cache_hits=len(preds) - len(fresh),
    )


def _prepare(
    planner: Planner, rows: Sequence[EvalRow], cache: ResponseCache | None, identity: str
) -> float:
    """Let a planner that batches (`prepare(texts)`) score the uncached rows at once; returns
    each such row's share of that time in ms, added to its latency."""
    prepare = getattr(planner, "prepare", None)
    if not callable(prepare):
        return 0.0
    todo = [
        r.text
        for r in rows
        if cache is None or cache.get(cache_key(identity, r.text, None)) is None
    ]
    if not todo:
        return 0.0
    start = time.perf_counter()
    prepare(todo)
    return (time.perf_counter() - start) * 1000.0 / len(todo)


def _spread(
    fresh: list[RowPrediction],
    calls: int,
    tokens: int,
    cache: ResponseCache | None,
    identity: str,
) -> None:
    """Share the run's exact totals across the rows it planned, so sums and means stay exact."""
    n = len(fresh)
    for i, p in enumerate(fresh):
        p.model_calls = calls // n + (1 if i < calls % n else 0)
        p.tokens = tokens // n + (1 if i < tokens % n else 0)
        if cache is not None:
            key = cache_key(identity, p.text, None)
            if (hit := cache.get(key)) is not None:
                cache.put(key, {**hit, "model_calls": p.model_calls, "tokens": p.tokens})


def git_state(cwd: Path | None = None) -> dict[str, Any]:
    """The commit the code was at, and whether tracked files had changes (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def commit_label(git: dict[str, Any]) -> str:
    """ "commit 0123456789" of a `git_state`, " (dirty)" after it when tracked files had
    changes: the line a benchmark prints to say what it ran."""
    return f"commit {(git['commit'] or '?')[:10]}{' (dirty)' if git['dirty'] else ''}"


@dataclass
class EvalRun:
    """A finished run: the saved record and where it was written (None when not saved)."""

    record: dict[str, Any]
    path: Path | None


def evaluate(
    dataset_path: str | Path,
    team_path: str | Path,
    *,
    planner_name: str = "local",
    team: Team | None = None,
    runs_dir: Path | None = DEFAULT_RUNS_DIR,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    planner_cache_dir: Path | None = None,
    workers: int | None = None,
    use_cache: bool | None = None,
    progress: bool = True,
    planner_factory: Callable[[str, Team, Path], Planner] | None = None,
) -> EvalRun:
    """Load, plan, score and (when `runs_dir`) save one run; `team` overrides the file's.
    Planner models are cached in `planner_cache_dir` (default `cache_dir`/planner)."""
    dataset = load_dataset(dataset_path)
    team = team or load_team(team_path)
    check_agents(dataset, team.names())
    factory = planner_factory or (lambda n, t, d: make_planner(n, t, cache_dir=d))
    setup_start = time.perf_counter()
    planner = factory(planner_name, team, planner_cache_dir or cache_dir / "planner")
    setup_s = time.perf_counter() - setup_start
    model_backed = model_name(planner) is not None
    cached = model_backed if use_cache is None else use_cache
    cache = ResponseCache(cache_dir / "responses.sqlite") if cached else None
    workers = workers or (8 if model_backed else 1)
    try:
        outcome = run_planner(
            planner,
            dataset.rows,
            team=team,
            workers=workers,
            cache=cache,
            progress=progress,
        )
    finally:
        if cache is not None:
            cache.close()
    scores = score(outcome.rows)
    now = datetime.now(UTC)
    record: dict[str, Any] = {
        "format": RUN_FORMAT,
        "id": f"{now:%Y%m%dT%H%M%S%fZ}-{dataset.path.stem}-{planner.name}",
        "created_at": now.isoformat(),
        "config": {
            "planner": planner.name,
            "model": model_name(planner),
            "team": {
                "path": str(team_path),
                "name": team.name,
                "digest": team_digest(team),
                "routing": team.routing.model_dump(),
                "agents": team.names(),
            },
            "workers": workers,
            "cache": cached,
        },
        "dataset": {"path": str(dataset.path), "sha256": dataset.sha256, "rows": len(dataset.rows)},
        "git": git_state(),
        "timing": {
            "planner_setup_s": setup_s,
            "planning_s": outcome.elapsed_s,
            "rows_per_s": len(outcome.rows) / outcome.elapsed_s if outcome.elapsed_s else None,
        },
        "calls": {
            "model_calls_issued": outcome.model_calls_issued,
            "tokens_issued": outcome.tokens_issued,
            "cache_hits": outcome.cache_hits,
        },
        **scores.to_dict(),
        "rows": [p.to_dict() for p in outcome.rows],
    }
    path = save_run(record, runs_dir) if runs_dir is not None else None
    return EvalRun(record=record, path=path)


def save_run(record: dict[str, Any], runs_dir: Path) -> Path:
    runs_dir.mkdir(parents=True, exist_ok=True)
    path = runs_dir / f"{record['id']}.json"
    path.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return path


def load_run(path: str | Path) -> dict[str, Any]:
    """Read a saved run; RunFileError when it is missing or not a run."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFileError(f"run file not found: {p}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunFileError(f"cannot read run file {p}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT or "rows" not in data:
        raise RunFileError(f"{p} is not a saved eval run (format {RUN_FORMAT})")
    return data


def run_rows(record: dict[str, Any]) -> list[RowPrediction]:
    try:
        return [RowPrediction.from_dict(r) for r in record["rows"]]
    except (KeyError, TypeError) as exc:
        raise RunFileError(f"run {record.get('id')!r} has malformed rows: {exc}") from None

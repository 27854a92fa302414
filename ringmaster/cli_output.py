"""What the CLI commands share: consoles, options, a runner, and how plans, outcomes and
review items are printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.table import Table

from ringmaster.cli_options import (  # re-exported: the command modules import them from here
    SHORT_ID,
    AsOpt,
    JsonOpt,
    err,
    me,
    out,
    print_json,
    user_errors,
)
from ringmaster.settings import Settings

if TYPE_CHECKING:  # imported where used: the runner brings LangGraph, the team and the planner
    from ringmaster.review_queue import ReviewItem, ReviewQueue
    from ringmaster.runner import Runner, RunOutcome

__all__ = ["SHORT_ID", "USER_ERRORS", "AsOpt", "JsonOpt", "err", "me", "out", "print_json"]

USER_ERRORS = user_errors()


@contextmanager
def cli_runner(
    progress: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None,
) -> Iterator[Runner]:
    from ringmaster.runner import Runner

    with Runner(Settings(), on_event=progress) as runner:
        yield runner


@contextmanager
def read_queue() -> Iterator[ReviewQueue]:
    """The review queue alone, for commands that only read it: no runner, graph or team."""
    from ringmaster.review_queue import ReviewQueue
    from ringmaster.tables import make_engine

    engine = make_engine(Settings().app_db_url)
    try:
        yield ReviewQueue(engine)
    finally:
        engine.dispose()


def progress(json_mode: bool) -> Callable[[tuple[str, ...], dict[str, Any]], None] | None:
    if json_mode:
        return None
    from ringmaster.graph.events import EVENT_KEY
    from ringmaster.runner import PROGRESS_EVENT

    def show(namespace: tuple[str, ...], update: dict[str, Any]) -> None:
        event = update.get(PROGRESS_EVENT)
        if isinstance(event, dict):
            sid, kind = event.get("subtask_id", ""), event.get(EVENT_KEY)
            if kind == "agent_output":
                what = event.get("error") or event.get("summary") or ""
                out.print(
                    f"  {sid} {event['actor']} (attempt {event.get('attempt')}): {what}",
                    markup=False,
                )
            elif kind == "validation":
                verdict = "ok" if event.get("ok") else "; ".join(event.get("problems", []))
                out.print(f"  {sid} validated: {verdict}", markup=False)
            elif kind == "side_effect":
                out.print(f"  {sid} {event.get('tool')}: {event.get('status')}", markup=False)
            return
        for node, value in update.items():
            if node == "plan" and isinstance(value, dict) and value.get("plan"):
                print_plan(value["plan"])
            elif node == "work" and isinstance(value, dict):
                for sid, r in (value.get("results") or {}).items():
                    out.print(f"  {sid} {r.get('agent') or 'human'}: [bold]{r['status']}[/]")

    return show


def print_plan(plan: dict[str, Any]) -> None:
    table = Table(title=f"Plan ({plan.get('planner')})")
    for col in ("id", "agent", "confidence", "why", "after", "subtask"):
        table.add_column(col)
    for s in plan["subtasks"]:
        agent = s["agent"] or "human"
        if s.get("escalate"):
            agent = f"human (best guess: {s['agent'] or 'none'})"
        table.add_row(
            s["id"],
            agent,
            f"{s['confidence']:.2f}",
            (s.get("escalation_reason") or s["rationale"])[:90],
            ",".join(s["depends_on"]),
            s["description"],
        )
    out.print(table)


def print_outcome(o: RunOutcome) -> None:
    if o.results:
        table = Table(title=f"Thread {o.thread_id}: {o.status}")
        for col in ("id", "agent", "status", "result"):
            table.add_column(col)
        for sid, r in sorted(o.results.items()):
            table.add_row(sid, r.get("agent") or "human", r["status"], r.get("summary", ""))
        out.print(table)
    else:
        out.print(f"Thread {o.thread_id}: {o.status}")
    if o.error:
        err.print(f"error: {o.error}", markup=False)
    if o.usage and (o.usage["model_calls"] or o.usage["refused_calls"]):
        nodes = ", ".join(f"{n} {u['calls']}" for n, u in o.usage["per_node"].items())
        refused = o.usage["refused_calls"]
        refused = f", {refused} refused (budget)" if refused else ""
        out.print(
            f"Model calls: {o.usage['model_calls']} ({nodes}); tokens: {o.usage['tokens']:,} "
            f"({o.usage['input_tokens']:,} in, {o.usage['output_tokens']:,} out){refused}",
            markup=False,
        )
    if o.pending:
        print_items(o.pending, title="Waiting for review")
        out.print(
            "Decide with: ringmaster review show|approve|edit|reject|respond ID (any unique prefix)"
        )


def print_items(items: list[ReviewItem], title: str = "Review queue") -> None:
    table = Table(title=title)
    for col in ("id", "thread", "subtask", "kind", "agent", "priority", "status", "summary"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(
            i.id[:SHORT_ID],
            i.thread_id,
            i.subtask_id,
            i.kind,
            i.agent or "-",
            i.priority,
            i.status,
            i.summary,
        )
    out.print(table)


def emit(outcome: RunOutcome, json_mode: bool) -> None:
    print_json(outcome.to_dict()) if json_mode else print_outcome(outcome)

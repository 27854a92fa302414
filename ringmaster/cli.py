"""The `ringmaster` command line: run, chat, review, thread, recover. `--json` for scripts."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from agents.errors import AgentError
from graph.errors import GraphError
from graph.intake import validate_request
from graph.state import Requester
from ringmaster.audit import AuditEvent
from ringmaster.cli_eval import eval_app
from ringmaster.cli_ops import escalate, policy_app
from ringmaster.cli_serve import serve
from ringmaster.cli_users import users_app
from ringmaster.errors import RingmasterError
from ringmaster.review_queue import ReviewItem
from ringmaster.runner import Runner, RunOutcome
from ringmaster.settings import Settings
from tools.errors import ToolError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
review_app = typer.Typer(no_args_is_help=True, help="The review queue: list, show and decide.")
thread_app = typer.Typer(no_args_is_help=True, help="Threads: show what happened on one.")
app.add_typer(review_app, name="review")
app.add_typer(thread_app, name="thread")
app.add_typer(eval_app, name="eval")
app.add_typer(policy_app, name="policy")
app.add_typer(users_app, name="users")
app.command("escalate")(escalate)
app.command("serve")(serve)

# Piped output keeps a readable width; a terminal uses its own.
out = Console(width=None if sys.stdout.isatty() else 120)
SHORT_ID = 10  # tables show a prefix; every command accepts any unique prefix
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)
USER_ERRORS = (RingmasterError, AgentError, GraphError, ToolError)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
AsOpt = Annotated[str | None, typer.Option("--as", help="Who you are (default: your login).")]


def _me(name: str | None) -> str:
    return name or getpass.getuser()


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


@contextmanager
def _runner(
    progress: Callable[[tuple[str, ...], dict[str, Any]], None] | None = None,
) -> Iterator[Runner]:
    with Runner(Settings(), on_event=progress) as runner:
        yield runner


def _progress(json_mode: bool) -> Callable[[tuple[str, ...], dict[str, Any]], None] | None:
    if json_mode:
        return None

    def show(namespace: tuple[str, ...], update: dict[str, Any]) -> None:
        for node, value in update.items():
            if not isinstance(value, dict):
                continue
            if node == "plan" and value.get("plan"):
                _print_plan(value["plan"])
            elif node == "agent":
                out.print(
                    f"  [cyan]{value.get('agent')}[/] worked (attempt {value.get('attempt')})"
                )
            elif node == "validate":
                rec = (value.get("attempts") or [{}])[-1]
                verdict = "ok" if not rec.get("problems") else "; ".join(rec["problems"])
                out.print(f"  validated {rec.get('agent')}: {verdict}", markup=False)
            elif node in ("act", "review") and value.get("results"):
                for sid, r in value["results"].items():
                    out.print(f"  {sid} {r.get('agent') or 'human'}: [bold]{r['status']}[/]")

    return show


def _print_plan(plan: dict[str, Any]) -> None:
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


def _print_outcome(o: RunOutcome) -> None:
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
        _print_items(o.pending, title="Waiting for review")
        out.print(
            "Decide with: ringmaster review show|approve|edit|reject|respond ID (any unique prefix)"
        )


def _print_items(items: list[ReviewItem], title: str = "Review queue") -> None:
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


def _emit(outcome: RunOutcome, json_mode: bool) -> None:
    _print_json(outcome.to_dict()) if json_mode else _print_outcome(outcome)


@app.command()
def run(
    request: Annotated[str, typer.Argument(help="What you want done, in plain words.")],
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    as_: AsOpt = None,
    scopes: Annotated[
        str | None, typer.Option(help="Comma-separated scopes (default: all).")
    ] = None,
    priority: Annotated[str, typer.Option(help="low, normal, high or urgent.")] = "normal",
    json_mode: JsonOpt = False,
) -> None:
    """Plan a request, run its subtasks, and stop at reviews a human must decide."""
    validate_request(request)  # before anything is built or stored
    with _runner(_progress(json_mode)) as runner:
        scope_list = scopes.split(",") if scopes is not None else runner.default_scopes()
        requester = _requester(_me(as_), scope_list, priority)
        _emit(runner.submit(request, thread_id=thread, requester=requester), json_mode)


def _requester(who: str, scopes: list[str], priority: str) -> Requester:
    from pydantic import ValidationError

    try:
        return Requester(id=who, scopes=[s.strip() for s in scopes if s.strip()], priority=priority)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise RingmasterError(f"bad requester: {exc.errors()[0]['msg']}") from None


@app.command()
def chat(
    thread: Annotated[str | None, typer.Option(help="Continue this thread.")] = None,
    as_: AsOpt = None,
) -> None:
    """A conversation on one thread: each line is a request; an empty line or Ctrl-D ends it."""
    with _runner(_progress(False)) as runner:
        requester = _requester(_me(as_), runner.default_scopes(), "normal")
        if thread is None:
            thread = runner.submit_thread(requester.id)
        out.print(f"thread {thread} (empty line to quit)")
        while True:
            try:
                line = input("you> ").strip()
            except EOFError:
                break
            if not line:
                break
            try:
                _print_outcome(runner.submit(line, thread_id=thread, requester=requester))
            except USER_ERRORS as exc:
                err.print(f"error: {exc}", markup=False, soft_wrap=True)


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="pending, decided, resumed or all.")] = "pending",
    agent: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[
        str | None, typer.Option(help="routing, approval, human_category, validation_failed")
    ] = None,
    thread: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    json_mode: JsonOpt = False,
) -> None:
    """List review items, most urgent and oldest first."""
    with _runner() as runner:
        items = runner.queue.list(
            status=None if status == "all" else status,
            agent=agent,
            kind=kind,
            thread_id=thread,
            limit=limit,
            offset=offset,
        )
    if json_mode:
        _print_json([i.to_dict(with_payload=False) for i in items])
    else:
        _print_items(items)


@review_app.command("show")
def review_show(item: str, json_mode: JsonOpt = False) -> None:
    """Everything a reviewer needs about one item: request, plan, blocker, proposal."""
    with _runner() as runner:
        it = runner.queue.find(item)
    if json_mode:
        _print_json(it.to_dict())
        return
    ctx = it.payload.get("context", {})
    out.print(f"[bold]{it.id}[/] ({it.status}) thread {it.thread_id} subtask {it.subtask_id}")
    for label, value in (
        ("request", ctx.get("request")),
        ("blocker", ctx.get("blocker")),
        ("agent", ctx.get("agent")),
        ("category", ctx.get("category")),
        ("recommended", ctx.get("recommended")),
        ("output", ctx.get("output")),
    ):
        out.print(f"{label}: {value}", markup=False)
    for a, cfg in zip(it.payload["action_requests"], it.payload["review_configs"], strict=False):
        out.print(
            f"action {a['name']} {json.dumps(a['args'])} allowed: {cfg['allowed_decisions']}",
            markup=False,
        )
    out.print(f"prior attempts: {len(ctx.get('prior_attempts', []))}")


@review_app.command("claim")
def review_claim(item: str, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Mark an item as yours while you look at it."""
    with _runner() as runner:
        it = runner.queue.claim(runner.queue.find(item).id, _me(as_))
    _print_json(it.to_dict(with_payload=False)) if json_mode else out.print(f"claimed {it.id}")


def _decide(
    item: str, make: Callable[[ReviewItem], list[dict[str, Any]]], who: str, json_mode: bool
) -> None:
    with _runner(_progress(json_mode)) as runner:
        it = runner.queue.find(item)
        outcome = runner.decide(it.id, {"decisions": make(it)}, who)
    _emit(outcome, json_mode)


@review_app.command("approve")
def review_approve(item: str, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Approve every action of the item and resume the run."""
    _decide(
        item,
        lambda it: [{"type": "approve"} for _ in it.payload["action_requests"]],
        _me(as_),
        json_mode,
    )


@review_app.command("reject")
def review_reject(
    item: str,
    reason: Annotated[
        str, typer.Option(help="Why; the requester sees it.")
    ] = "rejected by a reviewer",
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Reject every action of the item; nothing it proposed runs."""
    _decide(
        item,
        lambda it: [{"type": "reject", "message": reason} for _ in it.payload["action_requests"]],
        _me(as_),
        json_mode,
    )


@review_app.command("respond")
def review_respond(
    item: str,
    message: Annotated[str, typer.Option(help="Your answer, given instead of the action.")],
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Answer in place of the action: it does not run; your message is the result."""
    _decide(
        item,
        lambda it: [{"type": "respond", "message": message} for _ in it.payload["action_requests"]],
        _me(as_),
        json_mode,
    )


@review_app.command("edit")
def review_edit(
    item: str,
    args: Annotated[str, typer.Option(help='New arguments as JSON, e.g. \'{"amount": "80.00"}\'.')],
    action: Annotated[
        int, typer.Option(help="Which action to edit (0-based); others are approved.")
    ] = 0,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Change an action's arguments (or a routing's agent) and approve it."""
    try:
        new_args = json.loads(args)
    except json.JSONDecodeError as exc:
        raise RingmasterError(f"--args is not valid JSON: {exc.msg}") from None
    if not isinstance(new_args, dict):
        raise RingmasterError("--args must be a JSON object")

    def make(it: ReviewItem) -> list[dict[str, Any]]:
        actions = it.payload["action_requests"]
        if not 0 <= action < len(actions):
            raise RingmasterError(f"--action must be between 0 and {len(actions) - 1}")
        decisions: list[dict[str, Any]] = [{"type": "approve"} for _ in actions]
        merged = {**actions[action]["args"], **new_args}
        decisions[action] = {
            "type": "edit",
            "edited_action": {"name": actions[action]["name"], "args": merged},
        }
        return decisions

    _decide(item, make, _me(as_), json_mode)


@review_app.command("correct")
def review_correct(
    thread: Annotated[str, typer.Argument(help="The thread.")],
    subtask: Annotated[str, typer.Argument(help="The subtask id, e.g. t2.")],
    agent: Annotated[str, typer.Option(help="The agent it should have gone to.")],
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Correct a routing ("this was billing, not support"); the planner learns from it."""
    with _runner() as runner:
        runner.correct(thread, subtask, agent, _me(as_))
        count = len(runner.corrections.all())
    if json_mode:
        _print_json(
            {"thread_id": thread, "subtask_id": subtask, "agent": agent, "corrections": count}
        )
    else:
        out.print(f"recorded: {thread}/{subtask} belongs to {agent} ({count} correction(s) in all)")


@thread_app.command("show")
def thread_show(thread: str, json_mode: JsonOpt = False) -> None:
    """A thread's status, plan, results, pending reviews and earlier turns."""
    with _runner() as runner:
        row = runner.threads.get(thread)
        outcome = runner.outcome(thread)
        history = runner.history(thread)
    if json_mode:
        _print_json({**outcome.to_dict(), "thread": row.to_dict(), "history": history})
        return
    out.print(f"thread {row.id} by {row.requester}: {row.status}, turn {row.turn}")
    if outcome.plan:
        _print_plan(outcome.plan)
    _print_outcome(outcome)


def _event_line(e: AuditEvent) -> str:
    d = e.data
    sub = f"{d['subtask_id']} " if "subtask_id" in d else ""
    detail = {
        "request_received": lambda: repr(d.get("request", ""))[:100],
        "plan": lambda: f"{len(d.get('subtasks', []))} subtask(s) by {d.get('planner')}",
        "routing": lambda: (
            f"→ {d.get('agent') or 'human'} ({d.get('confidence', 0):.2f})"
            + (f", to a human: {d.get('reason')}" if d.get("escalate") else "")
        ),
        "handoff": lambda: "receives " + ", ".join(r["from"] for r in d.get("received", [])),
        "agent_output": lambda: str(d.get("error") or d.get("summary"))[:100],
        "validation": lambda: "ok" if d.get("ok") else "; ".join(d.get("problems", []))[:100],
        "interrupt": lambda: f"{d.get('kind')}: {d.get('blocker')}"[:100],
        "human_decision": lambda: ", ".join(x["type"] for x in d.get("decisions", [])),
        "review_applied": lambda: f"{d.get('kind')} → {d.get('next')}",
        "side_effect": lambda: f"{d.get('tool')} {d.get('status')} key={d.get('idempotency_key')}",
        "final_answer": lambda: ", ".join(f"{k}={v}" for k, v in d.get("statuses", {}).items()),
    }.get(e.kind, lambda: json.dumps(d, default=str)[:100])()
    return f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<22} {e.kind:<16} {sub}{detail}"


@app.command()
def audit(
    target: Annotated[str, typer.Argument(help="A thread id, or 'verify' to check the chain.")],
    json_mode: JsonOpt = False,
) -> None:
    """A thread's story from its audit trail, or `audit verify` to check the hash chain."""
    with Runner(Settings(), recover_on_start=False) as runner:
        if target == "verify":
            problems = runner.audit.verify()
            if json_mode:
                _print_json({"ok": not problems, "problems": problems})
            elif problems:
                for p in problems:
                    err.print(f"tampered: {p}", markup=False)
            else:
                out.print("the audit trail is intact")
            if problems:
                raise typer.Exit(1)
            return
        runner.threads.get(target)  # NotFound for an unknown thread
        events = runner.audit.for_thread(target)
    if json_mode:
        _print_json([e.to_dict() for e in events])
    else:
        for e in events:
            out.print(_event_line(e), markup=False, highlight=False)


@app.command()
def recover(json_mode: JsonOpt = False) -> None:
    """Resume decided-but-not-resumed reviews and runs a crash cut short."""
    with Runner(Settings(), recover_on_start=False) as runner:
        _ = runner.graph
        done = runner.recover()
    _print_json({"recovered": done}) if json_mode else out.print(
        f"recovered {len(done)} thread(s): {', '.join(done) or '-'}"
    )


def main() -> None:
    """Entry point: user mistakes print a message and exit 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n) comes back as a return value
            sys.exit(code)
    except USER_ERRORS as exc:
        if "--json" in sys.argv:
            _print_json({"error": str(exc)})
        else:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors come through here too
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()

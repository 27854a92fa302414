"""`ringmaster review …`: list, show, claim and decide review items; correct a routing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer

from ringmaster.cli_options import PREFIX_WORDS
from ringmaster.cli_output import (
    AsOpt,
    JsonOpt,
    clean,
    cli_runner,
    emit,
    me,
    out,
    print_items,
    print_json,
    print_none,
    progress,
    read_queue,
)
from ringmaster.errors import RingmasterError
from ringmaster.review_kinds import REVIEW_KINDS
from ringmaster.settings import Settings

if TYPE_CHECKING:  # imported where used: decisions bring LangGraph, `review list` does not need it
    from ringmaster.decisions import Decision

review_app = typer.Typer(no_args_is_help=True, help="The review queue: list, show and decide.")

ItemArg = Annotated[
    str, typer.Argument(help=f"The review item's id, or {PREFIX_WORDS} of it.", show_default=False)
]


@review_app.command("list")
def review_list(
    status: Annotated[
        str,
        typer.Option(
            help="pending, decided, resumed or all.",
            click_type=click.Choice(["pending", "decided", "resumed", "all"]),
        ),
    ] = "pending",
    agent: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[
        str | None,
        typer.Option(help=", ".join(REVIEW_KINDS) + ".", click_type=click.Choice(REVIEW_KINDS)),
    ] = None,
    thread: Annotated[
        str | None, typer.Option(help="Only this thread's (its id or a unique prefix).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """List review items, most urgent and oldest first. Once users exist a reviewer sees
    every item, a requester those of their own threads (the API shows a requester theirs on
    `GET /threads/ID`; its `GET /reviews` is for reviewers)."""
    from ringmaster.accounts import Accounts, viewer_requester
    from ringmaster.thread_store import ThreadStore

    with read_queue() as queue:
        only = viewer_requester(Accounts(queue.engine), me(as_), None)
        if thread is not None:  # an id or a unique prefix, as `thread show` takes it
            thread = ThreadStore(queue.engine).find(thread).id
        items = queue.list(
            status=None if status == "all" else status,
            agent=agent,
            kind=kind,
            thread_id=thread,
            requester=only,
            limit=limit,
            offset=offset,
        )
    if agent is not None and not items:
        _check_agent(agent)
    if json_mode:
        print_json([i.to_dict(with_payload=False) for i in items])
    elif not items:
        shown = {"agent": agent, "kind": kind, "thread": thread}
        print_none("review items", status=status, **shown)
    else:
        print_items(items)


def _check_agent(agent: str) -> None:
    """Refuse an --agent the team does not have ("--agent bogus"), which would otherwise read
    as an empty queue; one with items (an agent since removed from the team) is listed."""
    from ringmaster.agents.demo import TEAM_FILE
    from ringmaster.agents.spec import load_team

    known = sorted(load_team(Settings().team_file or TEAM_FILE).names())
    if agent not in known:
        raise RingmasterError(f"unknown agent {agent!r}: the team's agents are {', '.join(known)}")


@review_app.command("show")
def review_show(item: ItemArg, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Everything a reviewer needs about one item: request, plan, blocker, proposal (and,
    once decided, the decision: what an edit changed). Once users exist a reviewer sees any
    item, a requester those of their own threads (the API shows a requester theirs on
    `GET /threads/ID`; its `GET /reviews/ID` is for reviewers)."""
    from ringmaster.accounts import Accounts, check_viewer
    from ringmaster.decision_text import decision_lines

    with cli_runner() as runner:
        it = runner.queue.find(item)
        check_viewer(Accounts(runner.engine), me(as_), it.requester, f"review item {item}")
    if json_mode:
        print_json(it.to_dict())
        return
    ctx = it.payload.get("context", {})
    out.print(f"[bold]{it.id}[/] ({it.status}) thread {it.thread_id} subtask {it.subtask_id}")
    if it.claimed_by and it.status == "pending":  # advisory: a reviewer sees who is on it
        out.print(f"claimed by {it.claimed_by} (deciding is what counts)", markup=False)
    for label, value in (
        ("request", ctx.get("request")),
        ("blocker", ctx.get("blocker")),
        ("agent", ctx.get("agent")),
        ("category", ctx.get("category")),
        ("recommended", ctx.get("recommended")),
        ("output", ctx.get("output")),
    ):
        if value is not None:  # a field this kind of item does not have is left out
            shown = value if isinstance(value, str) else json.dumps(value, default=str)
            out.print(f"{label}: {clean(shown)}", markup=False)
    _print_plan(ctx.get("plan") or [], it.subtask_id)
    # Once decided, the actions are what was proposed; the decision says what was done.
    proposed = "proposed action" if it.decision else "action"
    for a, cfg in zip(it.payload["action_requests"], it.payload["review_configs"], strict=False):
        allowed = ", ".join(cfg["allowed_decisions"])
        line = f"{proposed} {a['name']} {json.dumps(a['args'])} allowed: {allowed}"
        out.print(line, markup=False)
    for line in decision_lines(it):
        out.print(clean(line), markup=False)
    out.print(f"prior attempts: {len(ctx.get('prior_attempts', []))}")


def _print_plan(plan: list[dict[str, Any]], current: str) -> None:
    """The turn's plan, a line a subtask; `>` marks the one this item is about."""
    out.print("plan:")
    for s in plan:
        after = f" (after {', '.join(s['depends_on'])})" if s.get("depends_on") else ""
        mark = ">" if s.get("id") == current else " "
        line = f" {mark} {s.get('id')} {s.get('agent') or 'human'}: {s.get('description')}{after}"
        out.print(clean(line), markup=False)


@review_app.command("claim")
def review_claim(item: ItemArg, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Mark an item as yours while you look at it."""
    from ringmaster.accounts import Accounts
    from ringmaster.decisions import check_reviewer

    with cli_runner() as runner:
        found = runner.queue.find(item)
        what = f"review item {found.id}"  # as the API
        check_reviewer(Accounts(runner.engine), found.requester, what, me(as_), verb="claim")
        it = runner.queue.claim(found.id, me(as_))
    print_json(it.to_dict(with_payload=False)) if json_mode else out.print(f"claimed {it.id}")


def _decide(item: str, decision: Decision, who: str, json_mode: bool) -> None:
    with cli_runner(progress(json_mode)) as runner:
        from ringmaster.decisions import DecisionService

        outcome = DecisionService(
            runner, scheduler=runner.resume_scheduler, resume=runner.drive
        ).decide(item, decision, who)
    emit(outcome, json_mode)


@review_app.command("approve")
def review_approve(item: ItemArg, as_: AsOpt = None, json_mode: JsonOpt = False) -> None:
    """Approve every action of the item and resume the run."""
    from ringmaster.decisions import Decision

    _decide(item, Decision("approve"), me(as_), json_mode)


def _once(typed: str | None, option: str | None, what: str, flag: str) -> str | None:
    """A decision's words or JSON, after the id (as chat's `/reject ID reason`) or with its
    option, given once."""
    if typed is not None and option is not None:
        raise RingmasterError(f"give the {what} once: after the id or with {flag}")
    return option if option is not None else typed


@review_app.command("reject")
def review_reject(
    item: ItemArg,
    words: Annotated[str | None, typer.Argument(metavar="[REASON]", show_default=False)] = None,
    reason: Annotated[str | None, typer.Option(help="Why (needed: the requester sees it).")] = None,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Reject every action of the item; nothing it proposed runs. The reason (needed: the
    requester is shown it) goes after the id or with --reason."""
    from ringmaster.decisions import Decision

    reason = _once(words, reason, "reason", "--reason")
    _decide(item, Decision("reject", reason=reason), me(as_), json_mode)


@review_app.command("respond")
def review_respond(
    item: ItemArg,
    words: Annotated[str | None, typer.Argument(metavar="[MESSAGE]", show_default=False)] = None,
    message: Annotated[
        str | None, typer.Option(help="Your answer, given instead of the action.")
    ] = None,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Answer in place of the action: it does not run; your message (after the id or with
    --message) is the result."""
    from ringmaster.decisions import Decision

    message = _once(words, message, "message", "--message")
    _decide(item, Decision("respond", message=message), me(as_), json_mode)


@review_app.command("edit")
def review_edit(
    item: ItemArg,
    changes: Annotated[
        str | None,
        typer.Argument(
            metavar="[JSON]",
            help="The arguments to change, as --args takes them (as chat's /edit ID {…}).",
            show_default=False,
        ),
    ] = None,
    args: Annotated[
        str | None,
        typer.Option(
            help='Arguments to change, as JSON, e.g. \'{"amount": "80.00"}\'; '
            "the others keep their proposed value."
        ),
    ] = None,
    action: Annotated[
        int, typer.Option(help="Which action to edit (0-based); others are approved.")
    ] = 0,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Change some of an action's arguments (or a routing's agent) and approve it: `review
    edit ID '{"amount": "40.00"}'`, or the same JSON with --args.

    The given keys are merged onto the proposed arguments and checked against the tool's
    arguments before anything is recorded: a misspelt or mistyped argument is refused
    (exit 2) and the item stays pending."""
    from ringmaster.decisions import Decision, Edit, parse_args_json

    text = _once(changes, args, "arguments to change", "--args")
    if text is None:
        raise RingmasterError(
            "edit wants the arguments to change, as JSON after the id or with --args, e.g. "
            """review edit ID '{"amount": "40.00"}'"""
        )
    new_args = parse_args_json(text, "--args" if args is not None else "the JSON after the id")
    _decide(item, Decision("edit", edits=(Edit(action, new_args),)), me(as_), json_mode)


@review_app.command("correct")
def review_correct(
    thread: Annotated[str, typer.Argument(help="The thread's id, or a unique prefix of it.")],
    subtask: Annotated[str, typer.Argument(help="The subtask id, e.g. t2.")],
    agent: Annotated[str, typer.Option(help="The agent it should have gone to.")],
    turn: Annotated[
        int | None, typer.Option(min=1, help="The turn whose plan it is (default: the latest).")
    ] = None,
    as_: AsOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Correct a routing ("this was billing, not support"); the planner learns from it.

    A later correction of the subtask replaces the earlier one; naming the agent it was
    routed to removes it."""
    with cli_runner() as runner:
        from ringmaster.decisions import DecisionService

        thread = runner.threads.find(thread).id  # as `thread show` takes it
        done = DecisionService(runner).correct(thread, subtask, agent, me(as_), turn=turn)
        count = len(runner.corrections.all())
    if json_mode:
        print_json(
            {
                "thread_id": thread,
                "subtask_id": subtask,
                "agent": agent,
                "recorded": done.outcome in ("recorded", "replaced"),
                "outcome": done.outcome,
                "earlier": done.earlier,
                "corrections": count,
            }
        )
    else:
        where = f"{thread}/{subtask}"
        said = {
            "recorded": f"recorded: {where} belongs to {agent}",
            "replaced": f"recorded: {where} belongs to {agent}, replacing the correction to "
            f"{done.earlier}",
            "removed": f"removed the correction to {done.earlier}: {where} was routed to {agent}",
            "unchanged": f"nothing recorded: {where} "
            + (f"is already corrected to {agent}" if done.earlier else f"was routed to {agent}"),
        }[done.outcome]
        out.print(f"{said} ({count} correction(s) in all)")

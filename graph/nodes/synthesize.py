"""Synthesize: one answer for the requester, with each subtask's result and status."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from ringmaster.graph.events import emit
from ringmaster.graph.references import EntityKind, turn_entities
from ringmaster.graph.state import RunState
from ringmaster.tools.money import money_text
from ringmaster.tools.redaction import said_redacted

CENT = Decimal("0.01")


def make_synthesize(kinds: Sequence[EntityKind]) -> Any:
    """The synthesize node; each turn's history entry keeps the records it named and touched."""

    def node(state: RunState) -> dict[str, Any]:
        return synthesize(state, kinds)

    return node


def synthesize(state: RunState, kinds: Sequence[EntityKind] = ()) -> dict[str, Any]:
    update = answer_of(state, kinds)
    results = state.get("results") or {}
    emit(
        "final_answer",
        "system",
        answer=update["answer"],
        statuses={sid: r.get("status") for sid, r in results.items()},
    )
    return update


def answer_of(state: RunState, kinds: Sequence[EntityKind] = ()) -> dict[str, Any]:
    """The turn's answer as the synthesize node writes it (`answer`, the AI message, the
    turn's history entry) from its plan and results; what else writes a turn's answer (a
    call-off: ringmaster/withdraw.py) writes it the same way."""
    results = state.get("results") or {}
    plan = state["plan"]
    assert plan is not None
    # A reference the turn guessed is said first: the requester sees what was read.
    lines = [f"({'; '.join(state.get('read_as') or [])})"] if state.get("read_as") else []
    if plan.get("reply") is not None:  # the supervisor's own short reply: it has no subtask
        lines.append(str(plan["reply"]))
    for s in plan["subtasks"]:
        r = results.get(s["id"], {})
        who = r.get("agent") or "human"
        lines.append(f"[{s['id']} {who}: {r.get('status', 'missing')}] {r.get('summary', '')}")
        draft = drafted_text(r.get("output") or {})
        if draft:  # the text itself, not only that one was drafted
            lines += ["    " + line for line in draft.splitlines()]
    redacted = plan.get("redacted")  # graph/nodes/plan.py: taken out of the request
    if redacted:
        lines.append(said_redacted([str(k) for k in redacted]))
    answer = "\n".join(lines)
    entry = {
        "turn": state.get("turn", 1),
        "request": state["request"],
        "answer": answer,
        "entities": turn_entities(kinds, state["request"], results),
    }
    typed = _typed(state)
    if typed is not None and typed != state["request"]:
        # The request was rewritten ("no, the older one" to the request it corrects): the
        # words typed tell the next turns a correction set the earlier record aside.
        entry["typed"] = typed
    return {
        "answer": answer,
        "messages": [AIMessage(answer)],  # what chat clients show as the reply
        "history": [entry],
    }


def _typed(state: RunState) -> str | None:
    """The turn's request as typed: the newest human message of the transcript."""
    human = [m for m in state.get("messages") or [] if isinstance(m, HumanMessage)]
    return human[-1].text if human else None


def _money(value: Any) -> str:
    return f"{value} USD"


def _effect_text(tool: str, args: dict[str, Any], result: Any) -> str:
    """What one executed call did and the state it left, from its result (not its proposal)."""
    r = result if isinstance(result, dict) else {}
    if tool == "issue_refund" and r.get("refund_id"):
        return (
            f"refunded {_money(r['amount'])} on {r['invoice_id']} to {r['customer_id']} "
            f"({r['refund_id']}); {r['invoice_id']} now has {_money(r['refunded_total'])} "
            f"refunded and is {r['invoice_status']}"
        )
    if tool == "apply_credit" and r.get("credit_id"):
        return f"credited {_money(r['amount'])} to {r['customer_id']} ({r['credit_id']})"
    if tool == "change_plan" and r.get("change_id"):
        return (
            f"moved {r['customer_id']} from {r['from_plan']} to {r['to_plan']} "
            f"({r['new_price']}/month, {r['change_id']})"
        )
    if tool == "rollback_deployment" and r.get("rollback_id"):
        return (
            f"rolled {r['service']} back in {r['environment']} from {r['from_version']} to "
            f"{r['to_version']} ({r['rollback_id']}); {r['service']} now runs "
            f"{r['to_version']} there ({r['deployment_id']})"
        )
    if tool == "create_incident" and isinstance(r.get("incident"), dict):
        inc = r["incident"]
        return (
            f"opened incident {inc.get('id')} ({inc.get('severity')}) on {inc.get('service')}: "
            f"{inc.get('title')}; it is {inc.get('status')}"
        )
    if tool in ("open_ticket", "update_ticket", "close_ticket") and isinstance(
        r.get("ticket"), dict
    ):
        return _ticket_text(tool, args, r["ticket"])
    if tool == "send_email" and r.get("message_id"):
        return (
            f"sent '{r['subject']}' to {', '.join(map(str, r.get('recipients') or []))} "
            f"({r['message_id']}): {args.get('body', '')}"
        )
    return f"ran {tool}({args_text(args)})" + (
        f": {result}" if result not in (None, {}, "") else ""
    )


def _ticket_text(tool: str, args: dict[str, Any], t: dict[str, Any]) -> str:
    """A ticket call's line: what changed, with the executed note's words, and the state left."""
    state = f"it is {t.get('status')}, {t.get('priority')} priority"
    if tool == "open_ticket":
        return f"opened {t.get('id')} for {t.get('customer_id')}: {t.get('subject')}; {state}"
    if tool == "close_ticket":
        note = (
            f" with the note 'Resolution: {args['resolution']}'" if args.get("resolution") else ""
        )
        return f"closed {t.get('id')} ({t.get('subject')}){note}; {state}"
    changed = [f"set {k} to {args[k]}" for k in ("status", "priority") if args.get(k)]
    if args.get("note"):
        changed.append(f"added the note '{args['note']}'")
    return f"updated {t.get('id')}: {', '.join(changed)}; {state}"


def arg_text(name: str, value: Any) -> str:
    """An action's argument as a person reads it: an amount of money with two decimals (an
    edit's `40` and a proposal's `"999.00"` alike); one with more decimals is shown as it is,
    never rounded, and anything else as given."""
    if name == "amount" or name.endswith("_amount"):
        return money_text(value)
    return str(value)


def args_text(args: dict[str, Any]) -> str:
    """A call's arguments in a line: `invoice_id=INV-1004, amount=40.00`."""
    return ", ".join(f"{k}={arg_text(k, v)}" for k, v in args.items())


def edit_changes(proposed: dict[str, Any], args: dict[str, Any]) -> list[str]:
    """What an edit changed, one `name old → new` each, both sides shown alike."""
    return [
        f"{k} {arg_text(k, proposed.get(k))} → {arg_text(k, args.get(k))}"
        for k in sorted(set(args) | set(proposed))
        if args.get(k) != proposed.get(k)
    ]


def _edited(args: dict[str, Any], proposed: dict[str, Any] | None) -> str:
    if proposed is None or proposed == args:
        return ""
    return f" (as edited by the reviewer: {', '.join(edit_changes(proposed, args))})"


def action_outcome(record: dict[str, Any], proposed: dict[str, Any] | None = None) -> str:
    """One action's line in an answer: what ran with which arguments, or why it did not."""
    tool, args, status = record["tool"], record.get("args") or {}, record.get("status")
    if status == "executed":
        return _effect_text(tool, args, record.get("result")) + _edited(args, proposed)
    if status == "error":
        return f"{tool} failed and changed nothing: {record.get('error')}"
    if status == "rejected":
        why = record.get("message") or "no reason given"
        if record.get("withdrawn"):
            who = "the requester withdrew it"
        elif record.get("timed_out"):
            who = "nobody decided it before its review deadline"
        else:
            who = "a reviewer rejected it"
        return f"{tool} was not run: {who} ({why})"
    if status == "answered":
        return f"{tool} was not run; the reviewer answered: {record.get('message')}"
    return f"{tool}: {status}"


def outcome_summary(
    output: dict[str, Any],
    actions: list[dict[str, Any]],
    proposals: list[dict[str, Any]] | None = None,
) -> str:
    """A subtask's summary rebuilt from what ran: each action's outcome, then the draft.

    The agent's own summary describes its proposal ("proposed refunding 999.00 …"), which
    stops being true once a reviewer edits or rejects it, so with actions it is replaced.
    """
    if not actions:
        return str(output.get("summary", ""))
    proposed = [p.get("args") for p in proposals or []]
    lines = [
        action_outcome(a, proposed[i] if i < len(proposed) else None) for i, a in enumerate(actions)
    ]
    redacted = output.get("redacted")  # graph/nodes/agent.py: scrub_secrets
    where = str(output.get("redacted_from") or "the request")
    said = (
        f" {said_redacted([str(k) for k in redacted], where)}" if isinstance(redacted, list) else ""
    )
    text = "; ".join(lines)
    # A reviewer's answer or a reason may end its own sentence ("… no refund is due.").
    return text + ("" if text.endswith((".", "!", "?")) else ".") + said


def drafted_text(output: dict[str, Any]) -> str | None:
    """A drafted text (title and body) in an output, to print in full with the answer."""
    body = output.get("body")
    if not isinstance(body, str) or not body.strip():
        return None
    title = output.get("title")
    return (f"{title}\n" if title else "") + body

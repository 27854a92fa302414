"""The act node: runs approved side effects, each once, and writes the subtask's result.

Each call carries an idempotency key made of the thread, turn, subtask and action index, so a
node that runs again after a crash gets the stored result instead of a second effect.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.runnables import RunnableConfig

from ringmaster.graph.deps import GraphDeps
from ringmaster.graph.events import emit
from ringmaster.graph.nodes.agent import thread_id
from ringmaster.graph.nodes.edited import as_executed, edits_of
from ringmaster.graph.nodes.synthesize import outcome_summary
from ringmaster.graph.state import SubtaskStatus, WorkState, subtask_result
from ringmaster.tools.base import CALL_CONTEXT, CallContext, Tool
from ringmaster.tools.errors import ApprovalRequired, ToolError

log = logging.getLogger(__name__)


def idempotency_key(thread: str, turn: int, subtask_id: str, index: int, tool: str) -> str:
    return f"{thread}:{turn}:{subtask_id}:{index}:{tool}"


def finished(
    state: WorkState, output: dict[str, Any], actions: list[dict[str, Any]], extra: int = 0
) -> dict[str, Any]:
    """The subtask's result from its output and what happened to its actions.

    `extra` counts an attempt recorded in the same update (validate finishing directly).
    """
    sub = state["subtask"]
    errors = [a for a in actions if a["status"] == "error"]
    all_rejected = bool(actions) and all(a["status"] == "rejected" for a in actions)
    status: SubtaskStatus = "done"
    if errors:
        status = "failed"
    elif all_rejected:
        status = "rejected"
    elif not actions and output.get("question"):
        # The agent could not tell what the request asks of it: a question back, not a done.
        status = "needs_input"
    proposals = (state.get("candidate") or {}).get("proposed_actions") or []
    summary = outcome_summary(output, actions, proposals)
    if actions:  # the output says what happened, as the answer does; the proposal stays beside
        reviewer = (state.get("review") or {}).get("reviewer")
        output = as_executed(output, edits_of(actions, proposals, reviewer))
        output = {**output, "summary": summary, "proposal": output.get("summary", "")}
        output["effects"] = [
            {"tool": a["tool"], "args": a.get("args"), "result": a.get("result")}
            for a in actions
            if a["status"] == "executed"
        ]
    result = subtask_result(
        sub,
        state.get("agent"),
        status,
        summary.strip(),
        output=output,
        actions=actions,
        category=(state.get("candidate") or {}).get("category"),
        attempts=len(state.get("attempts", [])) + extra,
        review=state.get("review"),
    )
    return {"results": {sub["id"]: result}}


def call_context(state: WorkState, tool: Tool, approved_by: str | None = None) -> CallContext:
    """Who a call of `tool` in this subtask is made for: the validate node checks running
    totals with it before a review, and the act node runs the call under it."""
    return CallContext(
        requester=str(state["requester"].get("id", "anonymous")),
        agent=state.get("agent"),
        approved_by=approved_by,
        limits=tool.limits,
    )


def _call(deps: GraphDeps, tool: Tool, key: str, args: dict[str, Any], ctx: CallContext) -> Any:
    """Run the tool once under its key, inside the policy's running totals.

    A tool that keeps no totals of its own is checked and counted in the ledger first (in one
    transaction, so concurrent calls cannot both pass), and uncounted if it raises.
    """
    ledger = None
    if tool.limits and not tool.keeps_totals:
        if deps.ledger is None:
            raise ToolError(
                f"{tool.name} has cumulative limits and there is no ledger to keep them"
            )
        ledger = deps.ledger
        ledger.reserve(tool.name, key, args, ctx)
    token = CALL_CONTEXT.set(ctx)
    try:
        return tool.fn(idempotency_key=key, **args)
    except BaseException:
        if ledger is not None:
            ledger.release(key)
        raise
    finally:
        CALL_CONTEXT.reset(token)


def make_act(deps: GraphDeps) -> Any:
    def act(state: WorkState, config: RunnableConfig) -> dict[str, Any]:
        sub = state["subtask"]
        thread = thread_id(config)
        scopes = frozenset(state["requester"].get("scopes", []))
        candidate = state.get("candidate") or {}
        output = dict(candidate.get("output") or {})
        actions = []
        held: list[int] = []
        reasons: list[str] = []
        rules: list[dict[str, str]] = []  # each reason tagged, for the review's summary line
        for i, action in enumerate(state.get("approved_actions") or []):
            record: dict[str, Any] = {"tool": action["tool"], "args": action["args"]}
            if action.get("skip"):
                record.update(status=action["skip"], message=action.get("message", ""))
                for said in ("withdrawn", "timed_out"):  # who rejected it, for the answer
                    if action.get(said):
                        record[said] = True
                actions.append(record)
                continue
            key = idempotency_key(thread, state.get("turn", 1), sub["id"], i, action["tool"])
            record["idempotency_key"] = key
            try:
                tool = deps.registry.tools.get(action["tool"])
                if not tool.reachable_by(scopes):  # checked in code, again, at the last moment
                    raise ToolError(f"the requester's scopes do not reach {tool.name!r}")
                context = call_context(state, tool, action.get("approved_by"))
                done = _call(deps, tool, key, action["args"], context)
                record.update(status="executed", result=done)
            except ApprovalRequired as exc:  # a running total is over a limit: ask a person
                held.append(i)
                reasons.append(f"{action['tool']}: {exc}")
                rules.append({"kind": "total", "tool": action["tool"], "text": str(exc)})
                continue
            except ToolError as exc:
                record.update(status="error", error=str(exc))
            except Exception as exc:  # fail closed, and keep the run alive to report it
                log.exception("tool %s failed", action["tool"])
                record.update(status="error", error=f"{type(exc).__name__}: {exc}")
            actions.append(record)
            emit("side_effect", f"tool:{action['tool']}", subtask_id=sub["id"], **record)
        if held:
            # Nothing of the held calls ran; what did run is kept under its idempotency key
            # and is not repeated when the act node runs again after the review.
            blocker = {
                "kind": "approval",
                "reason": "; ".join(reasons),
                "actions": held,
                "rules": rules,
            }
            emit("cumulative_limit", "policy", subtask_id=sub["id"], reason=blocker["reason"])
            return {"blocker": blocker, "next": "review"}
        return {**finished(state, output, actions), "next": "end"}

    return act

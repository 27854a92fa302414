"""The one decision service: every decision on a review item — from the CLI, the HTTP API, the
web page or deadline escalation — is checked, committed and resumed here, the same way.

    Decision (kind, edits, reason, message)
      │ build_response: one queue decision per action; an edit's arguments are MERGED onto
      │                 the proposed ones (keys it does not name keep their proposed value)
      │ checks, before anything is written (InvalidDecision: CLI exit 2, HTTP 422, and the
      │ item stays pending): the kind exists and the item allows it; each edit's arguments
      │ fit the JSON limits (depth, 64-bit integers, string and total sizes) and the tool's
      │ argument schema and `check` (tools/base.py); a routing names an agent the requester
      │ may reach; a rejection has a reason with words in it (the requester is shown it)
      │ an edited call over the policy (its approval rule, every running-total limit it
      │ passes) is approved by this decision, and its `edit_needs_approval` says why;
      │ an approved call past running totals its review did not show (calls ran since) is
      │ refused once with the totals now (`check_seen`), then approved naming them
      │ (`passed_since_review`)
      ▼
    commit, ONE transaction: pending → decided (`WHERE status = 'pending'`, so exactly one
      │ decider wins) + its audit event + the routing correction a reviewer's pick makes
      │ + ResumeScheduler.schedule_resume(conn, thread_id)
      ▼
    after commit: the runner relearns from a correction, then `resume` (by default the thread
    is resumed inline in this process, as before a run queue existed)

A run queue plugs in as a `ResumeScheduler` that writes the resume job in the decision's own
transaction, and a `resume` that waits for a worker instead of running the thread inline.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import Connection

from ringmaster.accounts import Accounts, not_a_user
from ringmaster.errors import AlreadyDecided, Conflict, InvalidDecision, NotAllowed, NotFound
from ringmaster.graph.nodes.plan import allowed_agents
from ringmaster.graph.nodes.review import asks_requester, check_response
from ringmaster.graph.review_actions import ACCEPT_ACTION, RELEASE_ACTION, ROUTE_ACTION
from ringmaster.graph.state import Requester
from ringmaster.review_queue import ReviewItem, ReviewQueue
from ringmaster.tools.base import (
    CallContext,
    LimitLedger,
    Tool,
    ToolRegistry,
    check_arguments,
    limits_passed,
)
from ringmaster.tools.errors import ToolArgumentError

if TYPE_CHECKING:
    from ringmaster.run_queue import Job
    from ringmaster.runner import Runner, RunOutcome

DECISION_KINDS = ("approve", "edit", "reject", "respond")
MAX_DEPTH = 8  # nesting of an edit's arguments: objects and lists inside the arguments object
MAX_STRING = 10_000  # characters in one string (a key or a value)
MAX_ARGS_CHARS = 20_000  # an edit's arguments as JSON
MAX_REASON = 2_000
MAX_MESSAGE = 8_000
INT64 = (-(2**63), 2**63 - 1)  # what a checkpoint (msgpack) and every SQL store can hold
OUTPUT_ACTIONS = (ACCEPT_ACTION, RELEASE_ACTION)  # edits of an output: any fields, summary text
NO_REASON = "a rejection needs a reason, in words: the requester is shown it"


@dataclass(frozen=True)
class Edit:
    """New values for some arguments of one of the item's actions (0-based)."""

    action: int
    args: Mapping[str, Any]


@dataclass(frozen=True)
class Corrected:
    """What a routing correction did: `earlier` is the agent of the subtask's correction it
    replaced or removed (or that stands, unchanged)."""

    outcome: Literal["recorded", "replaced", "removed", "unchanged"]
    earlier: str | None = None


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on every action of an item.

    approve: run the actions as proposed. edit: run them with `edits` merged in (actions
    without an edit are approved). reject: run none, `reason` says why. respond: run none,
    `message` is the answer the requester gets instead.
    """

    kind: str
    edits: Sequence[Edit] = field(default_factory=tuple)
    reason: str | None = None
    message: str | None = None


class ResumeScheduler(Protocol):
    """Makes a decided thread's resume durable, inside the transaction that commits the
    decision (so a crash can never leave a decision with nothing behind it)."""

    def schedule_resume(self, conn: Connection, thread_id: str) -> None: ...


class ResumeAfterCommit:
    """The default: nothing more in the transaction. The committed `decided` row is itself
    the durable record; the deciding process resumes the thread right after the commit, and
    `Runner.recover()` resumes any decision a crash left behind."""

    def schedule_resume(self, conn: Connection, thread_id: str) -> None:
        return None


# -- checks --------------------------------------------------------------------------------
def check_json_limits(value: Any, where: str) -> None:
    """InvalidDecision unless `value` is JSON ringmaster can store and checkpoint: objects
    with string keys, at most MAX_DEPTH deep, 64-bit integers, finite numbers, strings of at
    most MAX_STRING characters without NUL, and MAX_ARGS_CHARS in all."""
    _limits(value, where, 0)
    size = len(json.dumps(value))
    if size > MAX_ARGS_CHARS:
        raise InvalidDecision(
            f"{where}: the arguments are {size:,} characters, over {MAX_ARGS_CHARS:,}"
        )


def _limits(value: Any, where: str, depth: int) -> None:
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        raise InvalidDecision(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidDecision(f"{where}: keys must be strings, not {key!r}")
            _text_limit(key, f"{where}: key")
            name = key[:40] if key[:40].isidentifier() else json.dumps(key[:40])
            _limits(item, f"{where}.{name}", depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _limits(item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise InvalidDecision(f"{where}: integer outside the 64-bit range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidDecision(f"{where}: {value} is not a finite number")
    elif isinstance(value, str):
        _text_limit(value, where)
    else:
        raise InvalidDecision(f"{where}: {type(value).__name__} is not a JSON value")


def _text_limit(text: str, where: str, limit: int = MAX_STRING) -> None:
    if len(text) > limit:
        raise InvalidDecision(f"{where}: {len(text):,} characters, over {limit:,}")
    if "\x00" in text:
        raise InvalidDecision(f"{where}: contains a NUL character")


def _text(value: str | None, what: str, limit: int) -> str:
    text = (value or "").strip()
    _text_limit(text, what, limit)
    return text


def reject_reason(value: str | None) -> str:
    """A rejection's reason, stripped; InvalidDecision unless it has a word in it. The
    requester is shown it, so none, spaces or '.' would tell them nothing (every surface:
    the CLI, chat's /reject, the API and the web form)."""
    reason = _text(value, "reason", MAX_REASON)
    if not re.search(r"\w", reason):
        raise InvalidDecision(NO_REASON)
    return reason


def parse_args_json(text: str, where: str) -> dict[str, Any]:
    """Arguments typed as JSON text (CLI `--args`, the web form): an object, or InvalidDecision."""
    if len(text) > MAX_ARGS_CHARS:
        raise InvalidDecision(f"{where}: the arguments are over {MAX_ARGS_CHARS:,} characters")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDecision(
            f"{where}: the arguments are not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from None
    except RecursionError:
        raise InvalidDecision(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(value, dict):
        raise InvalidDecision(f"{where}: the arguments must be a JSON object")
    return value


@dataclass(frozen=True)
class Checks:
    """What edits are checked against: the tools' schemas, the running totals an edited call
    would pass (`ledger`, for tools that keep none of their own) and the agents a routing may
    pick."""

    tools: ToolRegistry | None = None
    agents: Sequence[str] = ()
    reachable: Callable[[Requester], Sequence[str]] | None = None
    ledger: LimitLedger | None = None


def build_response(item: ReviewItem, decision: Decision, checks: Checks) -> dict[str, Any]:
    """The queue's value `{"decisions": [...], "reason"?}` for `decision`, every check passed."""
    actions: list[dict[str, Any]] = item.payload.get("action_requests", [])
    kind = decision.kind
    if kind not in DECISION_KINDS:
        raise InvalidDecision(
            f"unknown decision {kind!r} (use one of: {', '.join(DECISION_KINDS)})"
        )
    if decision.edits and kind != "edit":
        raise InvalidDecision(f"`edits` go with an edit decision, not {kind}")
    if kind in ("approve", "edit") and asks_requester(item.payload.get("context") or {}):
        # Checked here too, not only by the packet's allowed decisions: items parked before
        # the packet said so still allow an edit.
        raise InvalidDecision(
            f"this item asks the requester which record they mean, so it cannot be routed "
            f"(that would act on a guess): respond or reject it, not {kind}"
        )
    response: dict[str, Any] = {}
    if kind == "approve":
        decisions: list[dict[str, Any]] = [{"type": "approve"} for _ in actions]
    elif kind == "reject":
        reason = reject_reason(decision.reason)
        decisions = [{"type": "reject", "message": reason} for _ in actions]
        response["reason"] = reason
    elif kind == "respond":
        message = _text(decision.message, "message", MAX_MESSAGE)
        if not message:
            raise InvalidDecision("a respond decision needs a message")
        decisions = [{"type": "respond", "message": message} for _ in actions]
    else:
        decisions = _edits(actions, decision.edits)
    response["decisions"] = decisions
    try:
        check_response(item.payload, response)  # the decision kinds each action allows
    except ValueError as exc:
        raise InvalidDecision(str(exc)) from None
    # The item's calls that run before each one (approved or edited, in order): counted in its
    # totals, as the validate node counted them in the review.
    earlier: list[tuple[Tool, Mapping[str, Any]]] = []
    for i, (action, d) in enumerate(zip(actions, decisions, strict=True)):
        if d["type"] == "approve":
            runs = action
            since = _passed_since_review(item, action, checks, earlier)
            if since:  # the call runs approved past totals its review did not show
                d["passed_since_review"] = since
        elif d["type"] == "edit":
            runs = d["edited_action"]
            needs = _check_edit(item, i, runs["name"], runs["args"], checks, earlier)
            if needs:  # the edited call is itself over the policy: this decision approves it
                d["edit_needs_approval"] = needs
        else:  # rejected or answered: it does not run
            continue
        name = runs.get("name")
        if checks.tools is not None and isinstance(name, str) and name in checks.tools:
            earlier.append((checks.tools.get(name), runs.get("args") or {}))
    return response


def _edits(actions: list[dict[str, Any]], edits: Sequence[Edit]) -> list[dict[str, Any]]:
    if not edits:
        raise InvalidDecision("an edit needs at least one entry in `edits`")
    decisions: list[dict[str, Any]] = [{"type": "approve"} for _ in actions]
    seen: set[int] = set()
    for edit in edits:
        if not 0 <= edit.action < len(actions):
            raise InvalidDecision(
                f"edits: action {edit.action} does not exist (the item has {len(actions)})"
            )
        if edit.action in seen:
            raise InvalidDecision(f"edits: action {edit.action} is edited twice")
        seen.add(edit.action)
        if not isinstance(edit.args, Mapping):
            raise InvalidDecision(f"action {edit.action}: the arguments must be a JSON object")
        check_json_limits(dict(edit.args), f"action {edit.action}")
        proposed = actions[edit.action]
        merged = {**(proposed.get("args") or {}), **edit.args}
        decisions[edit.action] = {
            "type": "edit",
            "edited_action": {"name": proposed["name"], "args": merged},
        }
    if not any(edit.args for edit in edits):  # `--args '{}'`: the action as proposed, as an edit
        raise InvalidDecision(
            "the edit changes no argument: name one to change, or approve the item to run its "
            "actions as proposed"
        )
    return decisions


def _check_edit(
    item: ReviewItem,
    index: int,
    name: str,
    args: dict[str, Any],
    checks: Checks,
    earlier: Sequence[tuple[Tool, Mapping[str, Any]]] = (),
) -> str | None:
    """InvalidDecision unless the edited call may run; the policy's reason the edited call
    needs a person (its approval rule on the edited arguments), if it does.

    The team's policy has approval thresholds (`approvals`, and `cumulative` windows, which
    also wait for a person) and no cap a person cannot lift, so an edit over a threshold is
    approved by the reviewer who makes it, as an approval is; the reason is returned so the
    reviewer's result and the audit trail say the edited call needed it. That names every
    running-total limit the edited call passes (`_needs`), as the review the validate node
    raises does: the edited call runs approved, past the totals unchecked, and counted. What
    the records forbid (a refund above what is left on the invoice) is the tool's `check`,
    and refuses the edit."""
    where = f"action {index} ({name})"
    if name == ROUTE_ACTION:
        _check_route(item, where, args, checks)
    elif name in OUTPUT_ACTIONS:
        # An output's fields are the agent's own; only the summary has a type to keep.
        if not isinstance(args.get("summary"), str | None):
            raise InvalidDecision(f"{where}: argument 'summary': must be text")
    elif checks.tools is not None and name in checks.tools:
        tool = checks.tools.get(name)
        try:
            # What runs, and what every view of the decision shows, is the tool's own form.
            args.update(check_arguments(tool, args))
            if tool.check is not None:  # against the records now: nothing is written
                tool.check(args)
        except ToolArgumentError as exc:
            raise InvalidDecision(f"{where}: {exc}") from None
        return _needs(item, tool, args, checks, earlier)
    return None


def _needs(
    item: ReviewItem,
    tool: Tool,
    args: dict[str, Any],
    checks: Checks,
    earlier: Sequence[tuple[Tool, Mapping[str, Any]]] = (),
) -> str | None:
    """Why the edited call needs a person: its approval rule, then every running-total limit
    it would pass for the item's requester and agent (`tools.base.limits_passed`, read-only,
    worded as the validate node's review words them); None when nothing does."""
    try:
        rule = tool.needs_approval(args)
    except Exception as exc:  # fail closed: an unchecked edit is said to need a person
        rule = f"the approval rule could not be checked ({type(exc).__name__}: {exc})"
    said = [rule] if rule else []
    said += limits_passed(tool, args, _call_context(item, tool), checks.ledger, earlier)
    return "; ".join(said) or None


def _passed_since_review(
    item: ReviewItem,
    action: Mapping[str, Any],
    checks: Checks,
    earlier: Sequence[tuple[Tool, Mapping[str, Any]]] = (),
) -> str | None:
    """The running-total limits an approved call passes now that its review did not name.

    The review named the limits the call passed when it was raised; calls that ran since
    (on this thread or any other) can take it past another, or further past one it named.
    An approved call runs past them unchecked (`approved_by`), so what the totals are now is
    said, in the words the review would use (exact text: a total that moved is new)."""
    name = action.get("name")
    if checks.tools is None or not isinstance(name, str) or name not in checks.tools:
        return None
    tool = checks.tools.get(name)
    named = str((item.payload.get("context") or {}).get("blocker") or "")
    ctx = _call_context(item, tool)
    passed = limits_passed(tool, action.get("args") or {}, ctx, checks.ledger, earlier)
    return "; ".join(why for why in passed if why not in named) or None


def _call_context(item: ReviewItem, tool: Tool) -> CallContext:
    """Who a call of the item runs for, as the act node runs it (graph/nodes/act.call_context):
    the item's requester and agent, under the tool's limits."""
    return CallContext(requester=item.requester, agent=item.agent, limits=tool.limits)


def check_seen(queue: ReviewQueue, item: ReviewItem, response: dict[str, Any], who: str) -> None:
    """Refuse (InvalidDecision, nothing decided) an approval of a call past running totals
    its review did not show, the first time `who` makes it: they are told the totals now and
    approve again having seen them (`ReviewQueue.note_shown` remembers what they were told).
    A reviewer does not approve blind; the approval that goes through still names them."""
    since = [s for d in response["decisions"] if (s := d.get("passed_since_review"))]
    if not since:  # the common case: nothing to have been shown, so nothing read
        return
    shown = set(queue.shown_to(item.id, who))
    unseen = [s for s in since if s not in shown]
    if not unseen:
        return
    queue.note_shown(item.id, who, unseen)
    raise InvalidDecision(
        f"since review item {item.id} was raised, other calls changed its running totals: "
        f"{'; '.join(unseen)}. Nothing was decided; approve again to run it past them"
    )


def _check_route(item: ReviewItem, where: str, args: dict[str, Any], checks: Checks) -> None:
    extra = sorted(set(args) - {"agent"})
    if extra:
        raise InvalidDecision(f"{where}: unknown argument {extra[0]!r} (it takes: agent)")
    agent = args.get("agent")
    if agent not in checks.agents:
        raise InvalidDecision(
            f"{where}: route to one of the team's agents ({', '.join(sorted(checks.agents))}), "
            f"not {agent!r}"
        )
    requester = (item.payload.get("context") or {}).get("requester")
    if checks.reachable is not None and isinstance(requester, dict):
        reachable = checks.reachable(Requester.model_validate(requester))
        if agent not in reachable:
            raise InvalidDecision(f"{where}: the requester's scopes do not reach agent {agent!r}")


# -- commit --------------------------------------------------------------------------------
Extra = Callable[[Connection], None]


def commit(
    queue: ReviewQueue,
    item: ReviewItem,
    response: dict[str, Any],
    reviewer: str,
    scheduler: ResumeScheduler,
    extra: Extra | None = None,
) -> None:
    """pending → decided with its audit event, `extra` (a correction) and the scheduled
    resume, in one transaction; AlreadyDecided (and nothing written) if anyone was first."""
    with queue.writer.begin() as conn:
        if not queue.decide_in(conn, item, response, reviewer):
            raise AlreadyDecided(f"review item {item.id} was decided by someone else just now")
        if extra is not None:
            extra(conn)
        scheduler.schedule_resume(conn, item.thread_id)


def decide_item(
    queue: ReviewQueue,
    item: ReviewItem,
    decision: Decision,
    reviewer: str,
    *,
    checks: Checks,
    scheduler: ResumeScheduler,
    extra: Extra | None = None,
    withdrawn: bool = False,
    timed_out: bool = False,
) -> dict[str, Any]:
    """Check and commit a decision on an item (no resume), with `extra` (what records why it
    was made) in its transaction; the committed response. `withdrawn`: a rejection the
    requester's own turn made (ringmaster/withdraw.py); `timed_out`: the deadline's denial
    when nobody decided in time (ringmaster/escalation.py); the result says each as such."""
    if item.status != "pending":
        raise AlreadyDecided(
            f"review item {item.id} was already decided by {item.decided_by or 'someone'}"
        )
    response = build_response(item, decision, checks)
    check_seen(queue, item, response, reviewer)
    if withdrawn:
        response["withdrawn"] = True
    if timed_out:
        response["timed_out"] = True
    commit(queue, item, response, reviewer, scheduler, extra)
    return response


def check_reviewer(
    accounts: Accounts, requester: str, what: str, who: str, verb: str = "decide"
) -> None:
    """Refuse (NotAllowed) `who` as a reviewer of `what` (e.g. "review item 3f2a…"), raised
    by `requester`'s request, once users exist: they must be one, enabled, a reviewer or
    admin, and not that requester. Deciding (`check_decider`), claiming (`review claim`) and
    correcting a routing (`DecisionService.correct`) all check this."""
    if not accounts.any_users():
        return
    refusal = _not_a_reviewer(accounts, who)
    if requester == who:
        if refusal is None:  # a reviewer: another one decides it
            who_else = f"another reviewer {verb}s it (`--as NAME`, `users list`)"
        else:  # a requester: no reviewer to be "another" of, and only a withdrawal is theirs
            who_else = f"a reviewer {verb}s it; {WITHDRAW_HINT}"
        raise NotAllowed(f"{who} cannot {verb} {what}: their own request raised it; {who_else}")
    if refusal is not None:
        raise NotAllowed(refusal)


# What a requester may do about a pending review of their own request: call it off with a
# request on its thread (ringmaster/withdraw.py rejects it in their name).
WITHDRAW_HINT = 'to call it off, say so on its thread ("cancel that", "never mind")'


def _not_a_reviewer(accounts: Accounts, who: str) -> str | None:
    """Why `who` may not review at all once users exist (None: they may)."""
    user = accounts.find(who)
    if user is None:
        return not_a_user(accounts, who)
    if user.disabled:
        return f"user {who!r} is disabled"
    if not user.can("reviewer"):
        return f"user {who!r} is a {user.role}, not a reviewer"
    return None


def may_review(accounts: Accounts, who: str) -> bool:
    """Whether `who` may decide any review at all (others' requests'): anyone while no users
    exist, else an enabled reviewer or admin, as `check_reviewer` refuses the rest."""
    return not accounts.any_users() or _not_a_reviewer(accounts, who) is None


def may_decide(accounts: Accounts, item: ReviewItem, who: str) -> bool:
    """Whether `who` may decide `item` at all (a rejection is allowed wherever any decision
    is), by `check_decider` itself: what a surface offers them is what it would accept."""
    try:
        check_decider(accounts, item, Decision("reject"), who)
    except NotAllowed:
        return False
    return True


def check_decider(accounts: Accounts, item: ReviewItem, decision: Decision, who: str) -> None:
    """Refuse (NotAllowed) a decision its maker may not make; the same for every path.

    Once users exist, the decider must be one of them, enabled, a reviewer or admin, and not
    the requester whose request raised the item; an item whose requester has been disabled can
    only be rejected, so a shut-out user's work does not run after all. With no users at all
    (one person on one machine, deciding their own chat's reviews) there is no identity to
    check beyond the login.
    """
    if not accounts.any_users():
        return
    check_reviewer(accounts, item.requester, f"review item {item.id}", who)
    requester = accounts.find(item.requester)
    if requester is not None and requester.disabled and decision.kind != "reject":
        raise NotAllowed(
            f"review item {item.id} comes from disabled user {item.requester!r}: it can only "
            "be rejected"
        )


class DecisionService:
    """Decides review items for a runner: the one path for the CLI, the API and the web page.

    `scheduler` makes the resume durable in the decision's transaction; `resume` runs after
    the commit and answers with the thread (default: resume it inline in this process).
    """

    def __init__(
        self,
        runner: Runner,
        *,
        scheduler: ResumeScheduler | None = None,
        resume: Callable[[str], RunOutcome] | None = None,
    ) -> None:
        self.runner = runner
        self.scheduler = scheduler or ResumeAfterCommit()
        self.resume = resume or runner.resume_thread

    def checks(self) -> Checks:
        deps = self.runner.deps
        return Checks(
            tools=deps.registry.tools,
            agents=deps.registry.team.names(),
            reachable=lambda requester: allowed_agents(deps, requester),
            ledger=deps.ledger,
        )

    def decide(self, item: ReviewItem | str, decision: Decision, reviewer: str) -> RunOutcome:
        """Check, commit (exactly once) and resume; the thread afterwards."""
        runner = self.runner
        if isinstance(item, str):
            item = runner.queue.find(item)
        if item.status != "pending":
            raise AlreadyDecided(
                f"review item {item.id} was already decided by {item.decided_by or 'someone'}"
            )
        check_decider(Accounts(runner.engine), item, decision, reviewer)
        response = build_response(item, decision, self.checks())
        check_seen(runner.queue, item, response, reviewer)
        correction = self._routing_correction(item, response, reviewer)
        commit(runner.queue, item, response, reviewer, self.scheduler, correction)
        if correction is not None:
            runner.relearn()
        outcome = self.resume(item.thread_id)
        # The decided review's turn, though a later turn of the thread may have run since.
        if not item.turn or outcome.turn == item.turn:  # a failure item of no one turn: the latest
            return outcome
        return runner.outcome(item.thread_id, item.turn)

    def withdraw_turn(
        self, thread_id: str, turn: int, who: str, *, by_turn: int | None = None
    ) -> Job:
        """Call off a turn queued behind reviews (ringmaster/turns.py) before it runs: its job
        cancelled with a `turn_withdrawn` audit event, in one transaction; the job. The checks
        are the chat's ("never mind", ringmaster/withdraw.py): only the turn's requester, only
        while it is held. NotFound for no such turn, NotAllowed for another's, Conflict for
        one that is not (or no longer) held."""
        from ringmaster.run_queue import HELD

        runner = self.runner
        runner.threads.get(thread_id)  # NotFound for an unknown thread
        runs = [j for j in runner.jobs.for_thread(thread_id) if j.kind == "run" and j.turn == turn]
        if not runs:
            raise NotFound(f"thread {thread_id} has no turn {turn}")
        job = runs[-1]
        owner = str(((job.payload or {}).get("requester") or {}).get("id") or "anonymous")
        if owner != who:
            raise NotAllowed(f"{who} cannot withdraw turn {turn}: only its requester ({owner}) can")
        if job.state != HELD:
            raise Conflict(
                f"turn {turn} of thread {thread_id} is not queued behind a review (it is "
                f"{job.state}): only a queued turn can be withdrawn"
            )
        with runner.jobs.writer.begin() as conn:
            if not runner.jobs.withdraw_in(conn, job.id):
                raise Conflict(
                    f"turn {turn} of thread {thread_id} started or was cancelled just now"
                )
            runner.audit.append_in(
                conn, thread_id, "turn_withdrawn", f"requester:{who}", turn=turn,
                by_turn=by_turn, request=(job.payload or {}).get("request"),
            )  # fmt: skip
        return job

    def correct(
        self,
        thread_id: str,
        subtask_id: str,
        agent: str,
        reviewer: str,
        turn: int | None = None,
    ) -> Corrected:
        """Record that a subtask of the turn's plan (default: the latest turn that has one)
        should have gone to `agent`, in place of its earlier correction; the planner learns
        it. Back to the agent it was routed to, its correction is removed."""
        runner = self.runner
        row = runner.threads.get(thread_id)  # NotFound for an unknown thread
        if row.turn == 0:  # a thread made with no request yet (`POST /threads`)
            raise NotFound(f"thread {thread_id} has no turn yet: nothing was planned on it")
        if turn is not None and not 1 <= turn <= row.turn:
            turns = "its only turn is 1" if row.turn == 1 else f"its turns are 1-{row.turn}"
            raise NotFound(f"thread {thread_id} has no turn {turn} ({turns})")
        # A later turn held behind a review has no plan yet: the latest planned one is meant.
        for k in [turn] if turn is not None else range(row.turn, 0, -1):
            plan = runner.stored_plan(thread_id, k)
            if plan:
                break
        subtasks = (plan or {}).get("subtasks", [])
        subtask = next((s for s in subtasks if s["id"] == subtask_id), None)
        if subtask is None:
            which = f"turn {turn}'s plan" if turn is not None else "its last plan"
            raise NotFound(
                f"thread {thread_id} has no subtask {subtask_id!r} in {which} (--turn N for "
                "another turn)"
            )
        names = runner.team_names()
        if agent not in names:
            raise InvalidDecision(f"no agent {agent!r} (agents: {', '.join(names)})")
        what = f"the routing of thread {thread_id}"
        check_reviewer(Accounts(runner.engine), row.requester, what, reviewer, "correct")
        corrected, record = self._correction(thread_id, subtask, agent, reviewer)
        if record is not None:
            with runner.queue.writer.begin() as conn:
                record(conn)
            runner.relearn()
        return corrected

    def _routing_correction(
        self, item: ReviewItem, response: dict[str, Any], reviewer: str
    ) -> Extra | None:
        # A reviewer who picks the agent of a routing is correcting the planner: remember it.
        first = response["decisions"][0] if response["decisions"] else {}
        if item.kind != "routing" or first.get("type") != "edit":
            return None
        subtask = {
            **item.payload["context"]["subtask"],
            "id": item.subtask_id,
            "agent": item.agent,
            "escalate": True,
        }
        return self._correction(
            item.thread_id, subtask, first["edited_action"]["args"]["agent"], reviewer
        )[1]

    def _correction(
        self, thread_id: str, subtask: dict[str, Any], agent: str, reviewer: str
    ) -> tuple[Corrected, Extra | None]:
        wrong = None if subtask.get("escalate") else subtask.get("agent")
        runner = self.runner
        key = {"thread_id": thread_id, "subtask_id": subtask["id"], "text": subtask["description"]}
        found = runner.corrections.of_subtask(**key)
        earlier = found.right_agent if found else None
        if agent == (earlier or wrong):  # it stands corrected there, or was routed there
            return Corrected("unchanged", earlier), None
        if agent == wrong:  # back to the planned agent: the correction was the mistake

            def remove(conn: Connection) -> None:
                runner.corrections.remove_in(conn, **key)
                runner.audit.append_in(
                    conn,
                    thread_id,
                    "correction_removed",
                    f"human:{reviewer}",
                    subtask_id=subtask["id"],
                    planned_agent=wrong,
                    removed_agent=earlier,
                    text=subtask["description"],
                )

            return Corrected("removed", earlier), remove

        def record(conn: Connection) -> None:
            runner.corrections.add_in(
                conn, **key, wrong_agent=wrong, right_agent=agent, reviewer=reviewer
            )
            runner.audit.append_in(
                conn,
                thread_id,
                "correction",
                f"human:{reviewer}",
                subtask_id=subtask["id"],
                wrong_agent=wrong,
                right_agent=agent,
                replaces=earlier,
                text=subtask["description"],
            )

        return Corrected("replaced" if earlier else "recorded", earlier), record

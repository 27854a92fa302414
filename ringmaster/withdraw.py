"""A turn that calls off the thread's unfinished work: "cancel that refund", "never mind".

When a new turn's request starts by calling something off and refers to work of this thread
that has not run yet, that work is withdrawn instead of the request being planned (where it
would be read as a new refund, or wait behind the very review it means to stop):

- a pending review of an earlier turn, named by its action ("that refund", "the rollback")
  or, with nothing named ("cancel that", "never mind"), the latest turn's: rejected in the
  requester's name, with the reason that they withdrew it; its turn resumes and says the
  action did not run. Only a rejection is ever made here, so nothing runs on these words; it
  is the requester's to make even where users exist and none may decide their own review
  (decisions.check_decider), as a disabled requester's items may still be rejected.
- a turn held behind reviews (turns.py) whose request names the same thing (or the latest
  one, with nothing named): its job cancelled with a `turn_withdrawn` audit event; it never
  runs.

A correction ("sorry, I meant INV-1012") is planned as the request it repeats, for the other
record; the pending reviews of the turn it corrects are then withdrawn the same way
(`withdraw_corrected`), so that approving them cannot do what the requester took back.

The calling-off turn itself runs no agent: its answer says what was withdrawn (or that an
item was decided already), written to its checkpoint as the synthesize node would have, with
a `final_answer` event. A call-off that refers to nothing unfinished is an ordinary request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ringmaster.errors import AlreadyDecided
from ringmaster.graph.planner.base import Plan, Subtask
from ringmaster.graph.references import entity_ids, kinds_from_team
from ringmaster.graph.references.entities import _strip_ids
from ringmaster.graph.state import SubtaskStatus, subtask_result
from ringmaster.review_queue import ReviewItem
from ringmaster.run_queue import Job
from ringmaster.turn_order import action_nouns

if TYPE_CHECKING:
    from ringmaster.runner import Runner

WHO = "conversation"  # what a calling-off turn's subtask is done by: no agent, the runner

# The request opens with calling something off; what follows is what it calls off.
_CALL_OFF = re.compile(
    r"^\W*(?:(?:please|ok(?:ay)?|actually|sorry|wait|no|oh)\W+)*"
    r"(?:cancel|withdraw|call\s+off|never\s*mind|forget(?:\s+about)?|scrap|drop|undo|"
    r"(?:don'?t|do\s+not)(?!\s+(?:forget|miss|worry|hesitate)\b)(?:\s+(?:do|make|issue|run|send))?|"
    r"hold\s+off(?:\s+on)?|stop)\b"
    r"(?P<what>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Nothing named: "cancel that", "never mind", "cancel my last request", "forget it".
_BARE = re.compile(
    r"^\W*(?:(?:it|that|this|all\s+that|everything|my|the|last|previous|request|one|"
    r"please|then|after\s+all|for\s+now)\W*)*$",
    re.IGNORECASE,
)


# Words of a call-off that name nothing: "cancel that one too, please".
_NOT_NAMES = {"that", "this", "the", "one", "too", "also", "please", "after", "all", "for", "now",
              "then", "last", "previous", "request", "those", "these", "them", "and"}  # fmt: skip


# Where a call-off's reason begins: what follows says why, not what is called off.
_REASON = re.compile(r"[,;:.!?()]|\s[-–—]\s|\b(?:because|since|as|the customer|they|we)\b", re.I)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def _requester(job: Job) -> str:
    return str(((job.payload or {}).get("requester") or {}).get("id") or "anonymous")


def called_off(request: str) -> str | None:
    """What the request calls off ("" for nothing named), or None when it calls nothing off."""
    m = _CALL_OFF.match(request)
    return m.group("what").strip() if m else None


@dataclass
class Withdrawal:
    """What a calling-off turn withdrew, for its answer."""

    reviews: list[ReviewItem] = field(default_factory=list)
    turns: list[Job] = field(default_factory=list)
    already: list[ReviewItem] = field(default_factory=list)  # decided before it could be

    def __bool__(self) -> bool:
        return bool(self.reviews or self.turns or self.already)


def _names(what: str, noun: str) -> bool:
    return re.search(rf"\b{re.escape(noun)}s?\b", what, re.IGNORECASE) is not None


def _about(item: ReviewItem) -> str:
    """What a pending review is about, in words: its actions with their arguments and the
    request that raised it."""
    return f"{_action(item)} {(item.payload or {}).get('context', {}).get('request') or ''}"


def targets(
    what: str, pending: list[ReviewItem], held: list[Job], ids: list[str]
) -> tuple[list[ReviewItem], list[Job]]:
    """The pending reviews and held turns `what` refers to, the latest turn's of them ("that
    refund" is the refund last spoken of): with nothing named, everything unfinished; with a
    record named ("the refund for INV-1004"), only work on that record; else the reviews
    whose action it names ("refund": `issue_refund`), and only when none does, the held turns
    whose request shares a word with it — a held "what is the status of that refund?" is not
    the refund a pending review is about to make. Nothing, when `what` asks for more than the
    work it names ("stop sending me refund emails", "refund INV-1003 instead"): that is a
    request of its own, planned as one."""
    if ids:
        pending = [i for i in pending if any(x in _about(i) for x in ids)]
        held = [j for j in held if any(x in str((j.payload or {}).get("request")) for x in ids)]
    if not _BARE.match(what):
        pending = [i for i in pending if any(_names(what, n) for n in action_nouns(i))]
        words = _words(what) - _NOT_NAMES
        held = [] if pending else [
            j for j in held if words & _words(str((j.payload or {}).get("request")))
        ]  # fmt: skip
    latest = max([i.turn for i in pending] + [j.turn for j in held], default=0)
    reviews = [i for i in pending if i.turn == latest]
    turns = [j for j in held if j.turn == latest]
    said = " ".join(
        [_about(i) for i in reviews] + [str((j.payload or {}).get("request")) for j in turns]
    )
    clause = _REASON.split(what, maxsplit=1)[0]  # "cancel the refund, they changed their mind"
    nouns = {n for i in reviews for n in action_nouns(i)}
    if _words(clause) - _NOT_NAMES - _words(said) - nouns or any(x not in said for x in ids):
        return [], []  # words or records of its own beyond the work it names: a request
    return reviews, turns


def withdraw(runner: Runner, job: Job, context: list[dict[str, Any]]) -> bool:
    """Withdraw what the job's request calls off and write the turn's answer; False (nothing
    done) when it calls nothing off, or nothing unfinished of the thread."""
    request = str((job.payload or {}).get("request") or "")
    what = called_off(request)
    if what is None:
        return False
    # Only the requester's own work: someone else's review in the thread is not theirs to
    # withdraw (they are refused it as a decider: decisions.check_decider).
    requester = _requester(job)
    pending = _own_pending(runner, job)
    held = [
        j
        for j in runner.jobs.held(job.thread_id)
        if j.turn < job.turn and _requester(j) == requester
    ]
    kinds = kinds_from_team(runner.deps.registry.team.entities)
    ids = [x for _, x in entity_ids(kinds, what)]
    reviews, turns = targets(_strip_ids(what, kinds), pending, held, ids)
    reason = f"called off in turn {job.turn}: {request}"
    done = Withdrawal(reviews=_withdrawn_before(runner, job, reason))  # a retried job's
    if not reviews and not turns and not done:
        return False
    for j in turns:
        with runner.jobs.writer.begin() as conn:
            if not runner.jobs.withdraw_in(conn, j.id):
                continue  # released or cancelled meanwhile
            runner.audit.append_in(
                conn, job.thread_id, "turn_withdrawn", f"requester:{requester}",
                turn=j.turn, by_turn=job.turn, request=(j.payload or {}).get("request"),
            )  # fmt: skip
        done.turns.append(j)
    for item in reviews:
        if _reject(runner, item, requester, reason):
            done.reviews.append(item)
        else:
            done.already.append(runner.queue.get(item.id))
    _answer(runner, job, context, request, done)
    return True


# "sorry, I meant INV-1012", "no, INV-1052 not INV-1005": the last request again, for another
# record instead; "actually, CUS-1002 too" adds one and withdraws nothing.
_CORRECTS = re.compile(r"^\W*(?:sorry|no|nope|actually|i meant|meant|rather|oops)\b", re.I)
_ADDS = re.compile(r"\b(?:too|also|as well)\b", re.I)


def corrects(job: Job) -> bool:
    """True for a request that corrects the last one ("sorry, I meant INV-1012")."""
    request = str((job.payload or {}).get("request") or "")
    return bool(_CORRECTS.match(request)) and not _ADDS.search(request)


def withdraw_corrected(runner: Runner, job: Job) -> list[ReviewItem]:
    """Withdraw the pending reviews of the turn the job's correction repeats for another
    record (its `references` event says which turn and record), those whose actions do not
    act on the new record: rejected in the requester's name as `withdraw` does, the reason
    naming the correcting turn. Idempotent; returns the reviews withdrawn now."""
    request = str((job.payload or {}).get("request") or "")
    if not corrects(job):
        return []
    repeats = {
        (int(r["turn"]), str(r["entity"]))
        for e in runner.audit.for_thread(job.thread_id)
        if e.kind == "references" and e.data.get("turn") == job.turn
        for r in e.data.get("resolutions") or []
        if r.get("phrase") == e.data.get("request") and int(r.get("turn") or 0) < job.turn
    }  # a whole-request resolution: the request it repeats (graph/references/followups.py)
    if not repeats:
        return []
    reason = f"superseded in turn {job.turn}: {request}"
    return [
        item
        for item in _own_pending(runner, job)
        if any(item.turn == turn and entity not in _action(item) for turn, entity in repeats)
        and _reject(runner, item, _requester(job), reason)
    ]  # decided meanwhile, or by this job's earlier attempt: left out


def _withdrawn_before(runner: Runner, job: Job, reason: str) -> list[ReviewItem]:
    """The reviews this job's call-off rejected before its process stopped (a retry finds
    them decided, not pending): its answer still says it withdrew them."""
    return [
        i
        for i in runner.queue.list(status=None, thread_id=job.thread_id, limit=1000)
        if i.status != "pending" and i.decided_by == _requester(job)
        and any(d.get("message") == reason for d in (i.decision or {}).get("decisions") or [])
    ]  # fmt: skip


def _own_pending(runner: Runner, job: Job) -> list[ReviewItem]:
    """The earlier turns' pending reviews of actions that the job's requester asked for: only
    their own (someone else's is not theirs to withdraw: decisions.check_decider)."""
    return [
        i
        for i in runner.queue.list(status="pending", thread_id=job.thread_id, limit=1000)
        if i.turn < job.turn and i.kind in ("approval", "human_category")
        and i.requester == _requester(job)
    ]  # fmt: skip


def _reject(runner: Runner, item: ReviewItem, requester: str, reason: str) -> bool:
    """Reject a review in its requester's name through the decision service; False when it
    was decided already. Only a rejection is made here, so nothing runs on a call-off."""
    from ringmaster.decisions import Checks, Decision, ResumeAfterCommit, decide_item

    try:
        decide_item(
            runner.queue, item, Decision("reject", reason=reason), requester,
            checks=Checks(), scheduler=ResumeAfterCommit(),
        )  # fmt: skip
    except AlreadyDecided:
        return False
    return True


def _action(item: ReviewItem) -> str:
    """A review's actions with their arguments: `issue_refund(invoice_id=INV-1004, …)`."""
    acts = (item.payload or {}).get("action_requests") or []
    shown = [
        f"{a.get('name')}(" + ", ".join(f"{k}={v}" for k, v in (a.get("args") or {}).items()) + ")"
        for a in acts
    ]
    return ", ".join(shown) or item.summary


def _answer(
    runner: Runner, job: Job, context: list[dict[str, Any]], request: str, done: Withdrawal
) -> None:
    """The turn's answer, written as the synthesize node writes one."""
    from langchain_core.messages import AIMessage, HumanMessage

    lines = [
        f"withdrew review {i.id[:10]} of turn {i.turn} ({_action(i)}): it was rejected in "
        "your name and will not run"
        for i in done.reviews
    ]
    lines += [
        f"dropped turn {j.turn} ({(j.payload or {}).get('request')}), which was queued behind "
        "a review: it will not run"
        for j in done.turns
    ]
    lines += [
        f"review {i.id[:10]} of turn {i.turn} ({_action(i)}) was already decided by "
        f"{i.decided_by or 'someone'} ({i.status}); it could not be withdrawn"
        for i in done.already
    ]
    status: SubtaskStatus = "done" if done.reviews or done.turns else "failed"
    subtask = Subtask(
        id="t1",
        description=request,
        agent=WHO,
        confidence=1.0,
        rationale="calls off this thread's unfinished work: withdrawn, not planned",
    )
    plan = Plan(planner="conversation", subtasks=[subtask]).model_dump()
    summary = "; ".join(lines) + "."
    result = subtask_result(subtask.model_dump(), WHO, status, summary)
    answer = f"[t1 {WHO}: {status}] {summary}"
    entry = {"turn": job.turn, "request": request, "answer": answer, "entities": {}}
    values = {
        "request": request,
        "requester": (job.payload or {}).get("requester") or {},
        "turn": job.turn,
        "plan": plan,
        "results": {"t1": result},
        "answer": answer,
        "history": [*context, entry],
        "messages": [HumanMessage(request), AIMessage(answer)],
    }
    config = runner._config(job.thread_id, job.turn)
    runner.graph.update_state(config, values, as_node="synthesize")
    runner.audit.append(
        job.thread_id, "final_answer", "system", turn=job.turn, answer=answer,
        statuses={"t1": status},
    )  # fmt: skip

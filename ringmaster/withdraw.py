"""A turn that calls off the thread's unfinished work: "cancel that refund", "never mind".

When a new turn's request starts by calling something off and refers to work of this thread
that has not run yet, that work is withdrawn instead of the request being planned (where it
would be read as a new refund, or wait behind the very review it means to stop):

- a pending review of an earlier turn, named by its action ("that refund", "the rollback";
  with several such reviews, one named is asked which: `which_one`) or record, or, with
  nothing named ("cancel that", "never mind"), the latest turn's: rejected in the
  requester's name, with the reason that they withdrew it; its turn resumes and says the
  action did not run. Only a rejection is ever made here, so nothing runs on these words; it
  is the requester's to make even where users exist and none may decide their own review
  (decisions.check_decider), as a disabled requester's items may still be rejected.
- a turn held behind reviews (turns.py) whose request names the same thing (or the latest
  one, with nothing named): its job cancelled with a `turn_withdrawn` audit event; it never
  runs.

A correction ("sorry, I meant INV-1012") is planned as the request it repeats, for the other
record; the pending reviews of the turn it corrects are then withdrawn the same way
(`withdraw_corrected`), so that approving them cannot do what the requester took back. A
correction that names the record it takes back ("don't refund INV-1002, refund INV-1005
instead", graph/references/swaps.py) withdraws that record's reviews before the turn is
planned, so it is not held behind them. What the corrected turn had already run stands and
is said (ringmaster/already_ran.py). The supervisor's pending question ("Which ticket do you
mean?") is withdrawn by "never mind" like a review.

The calling-off turn itself runs no agent: its answer says what was withdrawn (or that an
item was decided already), written to its checkpoint as the synthesize node would have, with
a `final_answer` event. A call-off that refers to nothing unfinished is an ordinary request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from ringmaster.already_ran import record_stood
from ringmaster.decisions import Checks, Decision, DecisionService, ResumeAfterCommit, decide_item
from ringmaster.errors import AlreadyDecided, Conflict
from ringmaster.graph.nodes.review import asks_requester
from ringmaster.graph.nodes.synthesize import answer_of, arg_text, args_text
from ringmaster.graph.planner.base import Plan, Subtask
from ringmaster.graph.references import entity_ids, kinds_from_team, strip_ids
from ringmaster.graph.references.swaps import swap
from ringmaster.graph.state import RunState, SubtaskStatus, subtask_result
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
              "then", "last", "previous", "request", "those", "these", "them", "and", "both",
              "each", "every"}  # fmt: skip


# Where a call-off's reason begins: what follows says why, not what is called off.
_REASON = re.compile(r"[,;:.!?()]|\s[-–—]\s|\b(?:because|since|as|the customer|they|we)\b", re.I)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", text.lower()))


def _says_record(text: str, record: str) -> bool:
    """True when `text` names `record` whole: "INV-100" is not said by "INV-1004"."""
    return re.search(rf"(?<![\w-]){re.escape(record)}(?![\w-])", text) is not None


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
    asked: str | None = None  # which of several is meant (which_one): nothing withdrawn

    def __bool__(self) -> bool:
        return bool(self.reviews or self.turns or self.already or self.asked)


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
        # The reviews whose own actions name the record; a request's words only when none
        # does: one request raised both refunds of "refund INV-1004, and also INV-1002".
        acting = [i for i in pending if any(_says_record(_action(i), x) for x in ids)]
        pending = acting or [i for i in pending if any(_says_record(_about(i), x) for x in ids)]
        asked = {j.turn: str((j.payload or {}).get("request")) for j in held}
        held = [j for j in held if any(_says_record(asked[j.turn], x) for x in ids)]
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
    nouns |= {n + "s" for n in nouns}  # "cancel the refunds", "both refunds"
    if _words(clause) - _NOT_NAMES - _words(said) - nouns or any(
        not _says_record(said, x) for x in ids
    ):
        return [], []  # words or records of its own beyond the work it names: a request
    return reviews, turns


_MORE_THAN_ONE = re.compile(r"\b(?:both|all|each|every|them|those|these|two|three)\b", re.I)


@dataclass
class Asked:
    """A call-off's question of which one it means: its words, the noun it named and the
    reviews offered, in the order the question lists them."""

    text: str
    noun: str
    reviews: list[ReviewItem]


def which_one(what: str, reviews: list[ReviewItem]) -> Asked | None:
    """The question to ask when the words call off one piece of work ("that refund", no
    record named) and several of the reviews it would withdraw are that work: which one is
    meant is asked, and none is withdrawn, rather than every one of them rejected in the
    requester's name. None when the words pick them all ("both refunds", "the refunds")."""
    if len(reviews) < 2 or _BARE.match(what) or _MORE_THAN_ONE.search(what):
        return None
    for noun in sorted({n for i in reviews for n in action_nouns(i)}):
        same = [i for i in reviews if noun in action_nouns(i)]
        named_one = re.search(rf"\b{re.escape(noun)}\b", what, re.IGNORECASE)
        if len(same) > 1 and named_one:
            shown = " or ".join(described(i, noun) for i in same)
            text = (
                f"Which {noun} do you mean: {shown}? Nothing was withdrawn: answer with the "
                f'one meant ("the first one", its record), or "{_all(len(same))}".'
            )
            return Asked(text, noun, same)
    return None


def described(item: ReviewItem, noun: str) -> str:
    """A pending review as a person names it: "the refund of 299.00 on INV-1049 (review
    22ef…)": the action's noun, its amount and the records it acts on, no call syntax."""
    return f"{_acting(item, noun)} (review {item.id[:10]})"


def named(item: ReviewItem) -> str:
    """What a review would do, as a person names it ("the refund of 299.00 on INV-1049"),
    each of its actions so; its summary when none is a tool a person names."""
    return " and ".join(_acting(item, n) for n in action_nouns(item)) or item.summary


def _acting(item: ReviewItem, noun: str) -> str:
    """`described` without the review: "the refund of 299.00 on INV-1049"."""
    acts = [a for a in (item.payload or {}).get("action_requests") or []
            if str(a.get("name") or "").lower().endswith(noun)] or [{}]  # fmt: skip
    args = acts[0].get("args") or {}
    records = [str(v) for k, v in args.items() if k.endswith("_id") and v]
    of = f" of {arg_text('amount', args['amount'])}" if args.get("amount") else ""
    on = f" on {' and '.join(records)}" if records else ""
    return f"the {noun}{of}{on}"


def _all(count: int) -> str:
    return "both" if count == 2 else "all"


def withdraw(runner: Runner, job: Job, context: list[dict[str, Any]]) -> bool:
    """Withdraw what the job's request calls off and write the turn's answer; False (nothing
    done) when it calls nothing off, or nothing unfinished of the thread."""
    request = str((job.payload or {}).get("request") or "")
    what = called_off(request)
    kinds = kinds_from_team(runner.deps.registry.team.entities)
    if _answer_picks(runner, job, context, kinds):
        return True  # "the second one" to "Which refund do you mean: …?"
    corrected = swap(request, kinds)
    if what is None or (corrected is not None and corrected.correcting):
        return False  # "don't refund INV-1002, refund INV-1005 instead": a correction
    # Only the requester's own work: someone else's review in the thread is not theirs to
    # withdraw (they are refused it as a decider: decisions.check_decider).
    requester = _requester(job)
    pending = _own_pending(runner, job)
    held = [
        j
        for j in runner.jobs.held(job.thread_id)
        if j.turn < job.turn and _requester(j) == requester
    ]
    ids = [x for _, x in entity_ids(kinds, what)]
    reviews, turns = targets(strip_ids(what, kinds), pending, held, ids)
    question = None if ids else which_one(strip_ids(what, kinds), reviews)
    if question is not None:
        runner.audit.append(
            job.thread_id, ASKED, f"requester:{requester}", turn=job.turn, noun=question.noun,
            review_ids=[i.id for i in question.reviews], request=request,
        )  # fmt: skip
        _answer(runner, job, context, request, Withdrawal(asked=question.text))
        return True
    reason = f"called off in turn {job.turn}: {request}"
    done = Withdrawal(reviews=_withdrawn_before(runner, job, reason))  # a retried job's
    if not reviews and not turns and not done:
        return False
    service = DecisionService(runner)
    for j in turns:
        try:
            done.turns.append(service.withdraw_turn(job.thread_id, j.turn, requester,
                                                    by_turn=job.turn))  # fmt: skip
        except Conflict:
            continue  # released or cancelled meanwhile
    for item in reviews:
        if _reject(runner, item, requester, reason, job):
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
    reason = f"superseded in turn {job.turn}: {request}"
    corrected = swap(request, kinds_from_team(runner.deps.registry.team.entities))
    if corrected is not None and corrected.correcting:
        # "don't refund INV-1002, refund INV-1005 instead": the record taken back is named,
        # so its reviews are withdrawn before the turn is planned (or held behind them).
        wrong = [(0, w) for w in corrected.wrong]
        record_stood(runner, job, wrong, corrected.right)
        return [
            item
            for item in _own_pending(runner, job)
            if any(w in _action(item) for w in corrected.wrong)
            and not any(r in _action(item) for r in corrected.right)
            and _reject(runner, item, _requester(job), reason, job, superseded=True)
        ]
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
    record_stood(runner, job, [(t, "") for t, _ in repeats], [e for _, e in repeats])
    return [
        item
        for item in _own_pending(runner, job)
        if any(item.turn == turn and entity not in _action(item) for turn, entity in repeats)
        and _reject(runner, item, _requester(job), reason, job, superseded=True)
    ]  # decided meanwhile, or by this job's earlier attempt: left out


WITHDRAWN = "review_withdrawn"  # the audit event of a review a turn withdrew
ASKED = "withdraw_asked"  # a call-off's question of which one it means (which_one)
PICKED = "withdraw_picked"  # the turn that answered it: the question is closed

# Words an answer to "Which refund do you mean: …?" may say besides its pick.
_ANSWER_WORDS = _NOT_NAMES | {
    "one", "ones", "for", "on", "of", "with", "just", "only", "yes", "cancel", "withdraw",
    "review", "either", "two", "three", "first", "second", "third", "fourth", "latter",
    "former", "mean", "meant",
}  # fmt: skip
_PICK_ALL = re.compile(r"\b(?:both|all|each|every|either|them|those|these)\b", re.I)
_PICK_NTH = re.compile(r"\b(first|second|third|fourth|last|latter|former)\b", re.I)
_NTH = {"first": 0, "former": 0, "second": 1, "third": 2, "fourth": 3, "last": -1, "latter": -1}


def withdrawn_line(event: dict[str, Any]) -> str:
    """What a turn says of a review it withdrew, from its `review_withdrawn` event: which
    review, what it would have done as a person names it (`named`; the call itself for an
    event written before events kept that), and why."""
    why = (
        f"superseded by this turn's correction ({event.get('request')})"
        if event.get("superseded")
        else "called off"
    )
    what = event.get("named") or event.get("action")
    return (
        f"withdrew review {str(event.get('review_id'))[:10]} of turn {event.get('review_turn')} "
        f"({what}), {why}: it was rejected in your name and will not run"
    )


def superseded(runner: Runner, thread_id: str, turn: int) -> list[dict[str, Any]]:
    """The `review_withdrawn` events of the reviews a correcting turn superseded, oldest
    first: what its answer says it withdrew, as the audit trail recorded it."""
    return [
        e.data
        for e in runner.audit.for_thread(thread_id)
        if e.kind == WITHDRAWN and e.data.get("turn") == turn and e.data.get("superseded")
    ]


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
        if i.turn < job.turn and i.requester == _requester(job)
        and (i.kind in ("approval", "human_category") or _question(i) is not None)
    ]  # fmt: skip


def _question(item: ReviewItem) -> str | None:
    """The supervisor's question a review item asks the requester ("Which ticket do you mean:
    …?"), or None for any other review."""
    context = (item.payload or {}).get("context") or {}
    if item.kind != "routing" or not asks_requester(context):
        return None
    return str(context.get("blocker") or "")  # the question is why a person is asked


def _reject(
    runner: Runner,
    item: ReviewItem,
    requester: str,
    reason: str,
    job: Job,
    *,
    superseded: bool = False,
) -> bool:
    """Reject a review in its requester's name through the decision service, with a
    `review_withdrawn` event of the job's turn in the same transaction; False when it was decided
    already. Only a rejection is made here, so nothing runs on a call-off."""

    def record(conn: Connection) -> None:
        runner.audit.append_in(
            conn, item.thread_id, WITHDRAWN, f"requester:{requester}", turn=job.turn,
            review_id=item.id, review_turn=item.turn, action=_action(item), named=named(item),
            request=(job.payload or {}).get("request"),
            superseded=superseded,
        )  # fmt: skip

    try:
        decide_item(
            runner.queue, item, Decision("reject", reason=reason), requester,
            checks=Checks(), scheduler=ResumeAfterCommit(), extra=record, withdrawn=True,
        )  # fmt: skip
    except AlreadyDecided:
        return False
    return True


def _action(item: ReviewItem) -> str:
    """A review's actions with their arguments: `issue_refund(invoice_id=INV-1004, …)`."""
    acts = (item.payload or {}).get("action_requests") or []
    shown = [f"{a.get('name')}({args_text(a.get('args') or {})})" for a in acts]
    return ", ".join(shown) or item.summary


def _answer(
    runner: Runner, job: Job, context: list[dict[str, Any]], request: str, done: Withdrawal
) -> None:
    """The turn's answer, written as the synthesize node writes one."""
    from langchain_core.messages import HumanMessage

    lines = [
        withdrawn_line({"review_id": i.id, "review_turn": i.turn, "named": named(i)})
        if _question(i) is None
        else f"withdrew the question of turn {i.turn} ({_question(i)}): it was closed in your "
        "name and what it asked about will not run"
        for i in done.reviews
    ]
    lines += [
        f"dropped turn {j.turn} ({(j.payload or {}).get('request')}), which was queued behind "
        "a review: it will not run"
        for j in done.turns
    ]
    lines += [
        f"review {i.id[:10]} of turn {i.turn} ({named(i)}) was already decided by "
        f"{i.decided_by or 'someone'} ({i.status}); it could not be withdrawn"
        for i in done.already
    ]
    lines += [done.asked] if done.asked else []
    status: SubtaskStatus = (
        "needs_input" if done.asked else "done" if done.reviews or done.turns else "failed"
    )
    subtask = Subtask(
        id="t1",
        description=request,
        agent=WHO,
        confidence=1.0,
        rationale="calls off this thread's unfinished work: withdrawn, not planned",
    )
    plan = Plan(planner="conversation", subtasks=[subtask]).model_dump()
    text = "; ".join(lines)
    result = subtask_result(subtask.model_dump(), WHO, status, text.rstrip(".") + ".")
    state: RunState = {
        "request": request,
        "turn": job.turn,
        "plan": plan,
        "results": {"t1": result},
    }
    update = answer_of(state)  # no records of its own: it names work, it does none
    values = {
        **state,
        **update,
        "requester": (job.payload or {}).get("requester") or {},
        "history": [*context, *update["history"]],
        "messages": [HumanMessage(request), *update["messages"]],
    }
    runner.update_turn(job.thread_id, job.turn, values, as_node="synthesize")
    runner.audit.append(
        job.thread_id, "final_answer", "system", turn=job.turn, answer=update["answer"],
        statuses={"t1": status},
    )  # fmt: skip


def open_asks(runner: Runner, job: Job) -> list[tuple[dict[str, Any], list[ReviewItem]]]:
    """The call-off questions of this requester's earlier turns still open, newest first,
    each with the reviews it offered in the order it listed them: a question is open until
    a turn picks among its reviews (`withdraw_picked`) and while one of them is pending — an
    unrelated turn in between leaves it open."""
    events = runner.audit.for_thread(job.thread_id, kinds=(ASKED, PICKED))
    picked = {int(e.data.get("asked_turn") or 0) for e in events if e.kind == PICKED}
    found = []
    for e in reversed(events):
        turn = int(e.data.get("turn") or 0)
        if e.kind != ASKED or turn >= job.turn or turn in picked:
            continue
        if e.actor != f"requester:{_requester(job)}":
            continue
        offered = [runner.queue.get(str(r)) for r in e.data.get("review_ids") or []]
        if any(i.status == "pending" for i in offered):
            found.append((e.data, offered))
    return found


def picks(text: str, noun: str, offered: list[ReviewItem], ids: list[str]) -> list[ReviewItem]:
    """The reviews an answer to "Which refund do you mean: …?" picks among `offered`: the
    one whose records it names ("INV-1096", "the one for INV-1096") or whose review id it
    gives, the nth as listed ("the second one", "the last"), or every one ("both", "all");
    nothing when it says anything else (a request of its own: "refund INV-1049 again", or a
    record the question did not offer)."""
    if re.match(rf"^\W*{re.escape(noun)}\b", text, re.I):
        return []  # "refund INV-1049": a refund asked for, not one picked
    chosen: list[ReviewItem] = []
    if ids:
        chosen = [i for i in offered if any(_says_record(_action(i), x) for x in ids)]
        if not chosen or any(not any(_says_record(_action(i), x) for i in offered) for x in ids):
            return []
    by_id = [i for i in offered if re.search(rf"\b{re.escape(i.id[:6])}", text, re.I)]
    chosen += [i for i in by_id if i not in chosen]
    nth = _PICK_NTH.findall(text)
    for word in nth:
        at = _NTH[word.lower()]
        if at < len(offered) and offered[at] not in chosen:
            chosen.append(offered[at])
    if _PICK_ALL.search(text):
        chosen = list(offered)
    left = _words(re.sub(r"\b[0-9a-f]{6,}\b", " ", text)) - _ANSWER_WORDS - {noun, noun + "s"}
    return [] if left else chosen


def _answer_picks(
    runner: Runner, job: Job, context: list[dict[str, Any]], kinds: list[Any]
) -> bool:
    """Withdraw what an answer to an open call-off question picks ("the second one", "both",
    "INV-1096" to "Which refund do you mean: …?"): the question's turn called it off, this
    one says which, so the picked reviews are rejected in the requester's name as a call-off
    rejects them, and the turn says so. False when no open question is answered."""
    request = str((job.payload or {}).get("request") or "")
    what = called_off(request)
    text = request if what is None else what  # "cancel the second one" answers as well
    ids = [x for _, x in entity_ids(kinds, text)]
    for asked, offered in open_asks(runner, job):
        chosen = picks(strip_ids(text, kinds), str(asked.get("noun") or ""), offered, ids)
        if not chosen:
            continue
        also = _also_answers(runner, request, context, kinds)
        if also is not None:
            # "the first one" fits this question and a turn's "Which invoice do you mean?"
            # alike: which is asked, nothing withdrawn or run on a guess.
            _answer(runner, job, context, request, Withdrawal(asked=(
                f"Which question are you answering: turn {asked.get('turn')}'s (which "
                f"{asked.get('noun')} to call off) or turn {also[0]}'s ({also[1]})? Nothing "
                f'was withdrawn: say "cancel the {asked.get("noun")} for …" or name the record.'
            )))  # fmt: skip
            return True
        requester = _requester(job)
        reason = (
            f"called off in turn {asked.get('turn')} ({asked.get('request')}), "
            f"picked in turn {job.turn}: {request}"
        )
        done = Withdrawal(reviews=_withdrawn_before(runner, job, reason))
        runner.audit.append(
            job.thread_id, PICKED, f"requester:{requester}", turn=job.turn,
            asked_turn=asked.get("turn"), review_ids=[i.id for i in chosen],
        )  # fmt: skip
        for item in chosen:
            if any(i.id == item.id for i in done.reviews):
                continue
            if item.status == "pending" and _reject(runner, item, requester, reason, job):
                done.reviews.append(item)
            else:
                done.already.append(runner.queue.get(item.id))
        _answer(runner, job, context, request, done)
        return True
    return False


def _also_answers(
    runner: Runner, request: str, context: list[dict[str, Any]], kinds: list[Any]
) -> tuple[int, str] | None:
    """The turn and words of another question still open in the conversation (a turn still
    waiting on "Which invoice do you mean: …?") that `request` answers as well, read as if it
    had followed it; None when there is none."""
    from ringmaster.graph.nodes.plan import team_acts
    from ringmaster.graph.references import resolve

    deps = runner.deps
    for at in range(len(context) - 1, -1, -1):
        entry = context[at]
        asked = (entry.get("entities") or {}).get("question")
        if not entry.get("pending") or not asked:
            continue
        out = resolve(
            request, context[: at + 1], kinds, deps.lookup, team_acts(deps, kinds), deps.records
        )
        if out.answers == entry.get("turn"):
            return int(entry.get("turn") or 0), str(asked.get("asked") or "")
    return None

"""The support skill: accounts, access problems, tickets, and answers from the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from typing import Any

from ringmaster.agents.demo.skills import paging, ticket_claims
from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.language import asked_back, cannot_read
from ringmaster.agents.demo.skills.ticket_topics import ANY_TICKET, Topic, stems
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.stop_words import ENGLISH_STOP_WORDS
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError

# Asking for a close: the verb ("close TCK-1001", "please resolve it"), "mark … resolved", or
# "can be closed", "get it closed". Not "closed" or "resolved" said or asked about ("is
# TCK-1001 closed?", "has it been resolved?"): that is a look-up, never a close.
_CLOSE = (
    r"\b(?:close|resolve)\b|\bmark\b.*\b(?:resolved|closed|done|fixed)\b|"
    r"\b(?:can|could|should|must|may|needs? to|ought to) be (?:closed|resolved)\b|"
    r"\bget (?:\S+ ){0,2}(?:closed|resolved)\b"
)
_REOPEN = r"\bre-?open\b"
_OPEN = r"\b(open|create|log|file|raise|new)\b.*\b(ticket|case)\b|\bsupport case\b"
# "open" as what a ticket is, not as what to do: "is there an open ticket for her about login?"
# asks what she has open; it had proposed opening one more.
_OPEN_STATE = re.compile(
    r"\b(an|any|the|her|his|their|its|no|other|another|still|already|\w+'s|\w+s')\s+open\s+"
    r"(tickets?|cases?)\b",
    re.I,
)


def _opens(text: str) -> bool:
    """True when `text` asks to open (create, log, ...) a ticket."""
    return p.has(_OPEN_STATE.sub(r"\1 \2", text), _OPEN)


_PRIORITY = r"\b(urgent|high|normal|low)\b"
# "who is the customer on TCK-1001?", "whose ticket is it?", "who opened it?": the ticket's
# customer is what is asked, not the ticket's status.
_ASKS_WHOSE = (
    r"\bwho(?:'s|s| is| was)?\s+(?:the\s+)?(?:customer|client|person|requester)\b"
    r"|\bwhose\s+ticket\b|\bwho\s+(?:opened|raised|filed|reported|logged)\b"
)
# A question whose object is what a person has open: "what has she got open?", "what's open
# for Khan Bakery?" (not "what happens if I open a ticket?": nothing but "for …" after it).
_WHAT_IS_OPEN = r"\bwhat(?:'s|s)?\b[^.?!]*\bopen\b(?:\s+for\b[^.?!]*)?\s*(?:\?|$)"
# A change to a ticket that names none ("set that one to urgent", a "close it" the resolver could
# not bind): asked, never answered with a help article that shares a word with it.
_UNNAMED_CHANGE = r"\b(?:close|re-?open|resolve)\s+(?:it|them|that|this|the (?:other )?one)\b"
# Support work the skill has no tool for (parsing.NoTool): its tools open, update (status,
# priority, a note), reopen and close tickets, nothing else. "delete TCK-1001" had been answered
# `done` with the ticket's details, "merge TCK-1001 into TCK-1002" too.
_NO_TOOL = p.NoTool({
    "delete": "deleted", "remove": "removed", "merge": "merged", "split": "split",
    "assign": "assigned", "reassign": "reassigned", "transfer": "transferred",
    "unlock": "unlocked", "reset": "reset", "suspend": "suspended", "unsuspend": "unsuspended",
    "deactivate": "deactivated", "reactivate": "reactivated", "ban": "banned",
    # billing's work: asked of support when it stands in for an unhealthy billing, a refund
    # was answered with a help article and ended `done`, nothing refunded.
    "refund": "refunded", "credit": "credited",
}, nouns=r"link|email|e-mail|button|option|request|of|code|page|flow|status|policy")  # fmt: skip
# One word of an article's body in common ("one", "too") is no answer: a help article answers
# when the request shares a word with its title or tags, or two with its body.
_KB_MIN_SCORE = 2
_PROBLEM = (
    r"can'?t|cannot|unable|locked|fails?|failing|error|never arrived|not arriv|suspended|"
    r"doesn'?t work|won'?t|forgot|expired|broken|missing"
)


def support(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Handle one support subtask; ticket changes are proposed, never made here."""
    text = task.description
    # Another language, or a repeat it cannot see: asked, not answered with a look-up of its ids
    if (question := cannot_read(text)) is not None:
        empty: dict[str, Any] = {
            "summary": "",
            "customer_id": None,
            "ticket_ids": [],
            "kb_articles": [],
            "tickets": [],
        }
        return asked_back(empty, task, "knowledge", question)
    tickets = p.ids(p.TICKET_ID, text)
    customer, several = p.customer_or_several(tools, text)
    if customer is None and len(several) > 1:
        # "Olivia's account" with two Olivias: which one is asked, neither is guessed.
        return _which_of(task, tickets, several)
    out: dict[str, Any] = {
        "summary": "",
        "customer_id": customer["id"] if customer else None,
        "ticket_ids": list(tickets),
        "kb_articles": [],
        "tickets": [],
    }
    notes: list[str] = []

    if p.message_to_send(text):
        # "email CUS-1002 saying their ticket TCK-1001 is closed": an email, which support does
        # not send, and whose words ("closed") are no instruction to act on.
        _message_not_sent(text, tools, tickets, out, notes)
        out["summary"] = p.summary(notes, task.feedback)
        return AgentOutput(output=out, category="ticket" if tickets else "account")
    # A close, a reopen or a ticket change (a note: "add a note to TCK-1004: please reset it")
    # asked with it is proposed as ever; so is a ticket for a customer's problem ("unlock Greta
    # Moreau's account, she is locked out"), for a person to handle.
    if (
        (verb := _NO_TOOL.verb(text)) is not None
        and not p.has(text, f"{_CLOSE}|{_REOPEN}")
        and not (tickets and _update_args(text))
        and not (not tickets and customer and p.has(text, _PROBLEM))
    ):
        _NO_TOOL.ask(out, notes, "support", verb, "look up customers, tickets and help articles, "
                     "and open, update, reopen and close tickets", "look up or change")  # fmt: skip
        out["summary"] = p.summary(notes, task.feedback)
        return AgentOutput(output=out, category="ticket" if tickets else "account")
    if (
        not tickets
        and customer
        and (_update_args(task.description).get("priority") or p.has(text, _CLOSE))
    ):
        # "close Tariq Castillo's ticket": the one the words pick, else asked which.
        tickets = _matching_ticket(text, tools, customer, out, notes)
        if out.get("question"):
            out["summary"] = p.summary(notes, task.feedback)
            return AgentOutput(output=out, category="ticket")
    if tickets:
        category = _ticket_work(task, tools, tickets, out, notes)
    elif customer and (described := _described_ticket(text, tools, customer)):
        # "is Olivia Garcia's dashboard ticket still open?": that ticket, not all of hers.
        out["ticket_ids"].append(described)
        category = _ticket_work(task, tools, [described], out, notes)
    elif customer and p.has(text, _WHAT_IS_OPEN):
        # "locked out again. what has she got open?": the question is answered, and the
        # problem beside it is no request for one more ticket.
        category = _customer_tickets(tools, customer, "open", out, notes)
    elif _opens(text) or (customer and p.has(text, _PROBLEM)):
        category = _new_or_existing_ticket(text, tools, customer, out, notes)
    elif customer and p.has(text, r"\btickets?\b"):
        status = next((s for s in ("open", "pending", "closed") if p.has(text, rf"\b{s}\b")), None)
        # Each customer named is answered ("Liam Murphy, Greta Fischer and Olivia Garcia. Pull
        # up their tickets"), so "set all of them to high" next finds every one's tickets.
        people = _each_named(tools, text, customer, out)
        topic = Topic.of(text, tools, [w for c in people for w in c["name"].split()])
        for each in people:
            category = _customer_tickets(tools, each, status, out, notes, topic)
    elif p.has(text, r"\btickets?\b") and p.has(text, r"\b(open|pending|closed)\b"):
        status = next(s for s in ("open", "pending", "closed") if p.has(text, rf"\b{s}\b"))
        category = _listing_of(text, tools, status, out, notes)
    elif customer:
        # Each customer named is summed up ("how are CUS-1008 and Maria Lopez's accounts?").
        for each in _each_named(tools, text, customer, out):
            _account(tools, each, out, notes)
        category = "account"
    elif p.named_customer(text) and not _opens(text):
        # A look-up that finds nothing says so, rather than answer something else.
        notes.append(f"no customer matching {p.named_customer(text)} was found")
        category = "account"
    elif _update_args(text).get("priority") or p.has(text, _UNNAMED_CHANGE):
        p.ask(
            out, notes, "this asks to change a ticket but names none. Which ticket (TCK-…) is it?"
        )
        category = "ticket"
    else:
        category = "knowledge"

    if category == "knowledge" or (not tickets and p.has(text, _PROBLEM + r"|\b(how|why)\b")):
        _answer_from_kb(text, tools, out, notes, always=category == "knowledge")
    named = tickets or p.named_customer(text) or out.get("question")
    if customer is None and not named and category != "knowledge" and "customer_ids" not in out:
        notes.append("no customer was named, so none was looked up")
    if category == "knowledge" and not out["kb_articles"] and not out.get("question"):
        # No ticket, customer or article: the request was not understood, so it is asked back.
        p.ask(out, notes, "no ticket, customer or knowledge-base article matches this request. "
              "Which ticket (TCK-…) or customer is it about, or what is the question?")  # fmt: skip
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)


def _which_of(task: AgentTask, tickets: list[str], several: list[dict[str, Any]]) -> AgentOutput:
    """The question which of the customers one first name names is meant."""
    out: dict[str, Any] = {"summary": "", "customer_id": None, "ticket_ids": list(tickets),
                           "kb_articles": [], "tickets": []}  # fmt: skip
    first, names = several[0]["name"].split()[0], p.who(several)
    return asked_back(out, task, "account", f"{len(several)} customers are called {first}: "
                      f"{', '.join(names[:-1])} or {names[-1]}. Which one is it?")  # fmt: skip


def _customer_tickets(
    tools: ToolBox,
    customer: dict[str, Any],
    status: str | None,
    out: dict[str, Any],
    notes: list[str],
    topic: Topic | None = None,
) -> str:
    found = _tickets(tools, status, customer["id"])
    kind = f"{status + ' ' if status else ''}ticket(s)"
    if topic is not None:
        others = len(found)
        found = topic.pick(found)
        kind += f" about {topic.said}"
        if not found:
            notes.append(f"{customer['name']} ({customer['id']}) has no {kind}"
                         + (f"; their {others} {status or ''} ticket(s) are about other things"
                            if others else ""))  # fmt: skip
            return "ticket"
    _remember(out, found)
    notes.append(
        f"{customer['name']} ({customer['id']}) has {len(found)} {kind}"
        + (": " + ", ".join(_listing(t, status) for t in found[:5]) if found else "")
    )
    return "ticket"


def _listing_of(
    text: str, tools: ToolBox, status: str, out: dict[str, Any], notes: list[str]
) -> str:
    """The newest tickets of `status`, of those the request describes when it does ("which
    customers have open tickets about 502 errors?"), with whose they are."""
    topic = Topic.of(text, tools)
    if topic is None:
        found = _tickets(tools, status)
        _remember(out, found)
        notes.append(f"{len(found)} most recent {status} tickets listed")
        return "ticket"
    # Every ticket of the status, page by page: the newest 500 had hidden older ones of the
    # subject behind 500 newer open ones of another, and the answer said none were. Taken
    # from every ticket when the topic read them all already, in the same (newest first) order.
    statuses = _statuses(status)
    if topic.read is not None:
        wanted = [statuses] if isinstance(statuses, str) else statuses or []
        listed = [t for t in topic.read if t["status"] in wanted]
    else:
        listed = paging.every(tools, "list_tickets", status=statuses)
    found = topic.pick(listed)
    if not found:
        notes.append(f"no {status} ticket is about {topic.said}")
        return "ticket"
    shown = found[:_LISTED]
    _remember(out, shown)
    owners = list(dict.fromkeys(t["customer_id"] for t in found))
    out["customer_ids"] = owners
    names = [tools.call("get_customer", customer_id=c) for c in owners[:_LISTED]]
    notes.append(
        f"{len(found)} {status} ticket(s) about {topic.said}"
        + (f", the {len(shown)} newest" if len(shown) < len(found) else "")
        + ": "
        + ", ".join(_listing(t, status) for t in shown)
        + f"; customer(s): {', '.join(p.who(names))}"
    )
    return "ticket"


# A listing shows this many tickets.
_LISTED = 20


def _each_named(
    tools: ToolBox, text: str, first: dict[str, Any], out: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every customer `text` names, `first` first; with several, their ids go in `out`."""
    customers = p.find_customers(tools, text, first)
    if len(customers) > 1:
        out["customer_ids"] = [c["id"] for c in customers]
    return customers


def _account(
    tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> None:
    """A customer's account: plan, status, and the open tickets it counts."""
    detail = tools.call("get_customer", customer_id=customer["id"])
    # The tickets it counts are named: "2 open ticket(s)" alone left "close the SAML one"
    # next with nothing the thread had seen to pick from.
    live = _tickets(tools, "open", customer["id"])
    _remember(out, live)
    notes.append(
        f"{detail['name']} ({detail['id']}, {detail['email']}) of {detail['company']} is on "
        f"the {detail['plan']} plan, status {detail['status']}, with {len(live)} open ticket(s)"
        + (": " + ", ".join(_listing(t, "open") for t in live) if live else "")
    )


def _message_not_sent(
    text: str, tools: ToolBox, tickets: list[str], out: dict[str, Any], notes: list[str]
) -> None:
    """Read the tickets the message is about, say where their records differ from its words,
    and tell the requester that nothing was sent or changed."""
    said = p.message_words(text) or ""
    recipients = p.ids(p.CUSTOMER_ID, text) + p.emails(text)
    for ticket in _read(tools, tickets, out, notes):
        notes += ticket_claims.against(ticket, said, text) or [
            f"{ticket['id']} ('{ticket['subject']}') is {ticket['status']}"
        ]
    who = ", ".join(recipients) or "the customer"
    p.ask(out, notes, f"this asks for an email to {who}, and support sends no email: nothing "
          "was sent and no ticket was changed. What should support do?")  # fmt: skip


def _matching_ticket(
    text: str, tools: ToolBox, customer: dict[str, Any], out: dict[str, Any], notes: list[str]
) -> list[str]:
    """The customer's unfinished ticket the request is about, when it names none: their only
    one, or the one whose subject shares more words with the request than any other's. With
    several and none that the words pick, which one is asked, not guessed."""
    live = [
        t for t in tools.call("list_tickets", customer_id=customer["id"]) if t["status"] != "closed"
    ]
    shared = _shared_words(text)
    live.sort(key=lambda t: -shared(t))
    if not live:
        return []
    if len(live) > 1 and shared(live[0]) <= shared(live[1]):
        listed = ", ".join(f"{t['id']} ('{t['subject']}')" for t in live)
        p.ask(out, notes, f"{customer['name']} has {len(live)} unfinished tickets: {listed}. "
              "Which one is it?")  # fmt: skip
        return []
    notes.append(f"no ticket id was given; {live[0]['id']} is {customer['name']}'s matching ticket")
    return [live[0]["id"]]


def _shared_words(text: str, but: Collection[str] = ()) -> Callable[[dict[str, Any]], int]:
    """How many words of three letters or more (not those in `but`, nor words every sentence
    uses: "asked about a double charge, is there a ticket for that?" picked "Question about my
    latest invoice" by its "about") a ticket's subject shares with `text`, each word by its
    stem ("charge" is "Charged twice")."""
    words = stems(text, ENGLISH_STOP_WORDS | set(but))

    def shared(t: dict[str, Any]) -> int:
        return len(words & stems(t["subject"], ENGLISH_STOP_WORDS))

    return shared


def _described_ticket(text: str, tools: ToolBox, customer: dict[str, Any]) -> str | None:
    """The id of the customer's ticket a question describes in the singular ("is Olivia
    Garcia's dashboard ticket still open?"): among all of theirs, closed too, the one whose
    subject shares more of the question's own words than any other's. None for anything but
    such a question, or when no word picks one ticket."""
    if not p.has(text, r"\bticket\b") or p.has(text, r"\btickets\b") or not p.has(text, r"\?\s*$"):
        return None
    if p.has(text, f"{_CLOSE}|{_REOPEN}") or _opens(text) or _update_args(text):
        return None  # a change, or a new ticket asked for
    shared = _shared_words(text, ANY_TICKET | set(customer["name"].lower().split()))
    ranked = sorted(
        tools.call("list_tickets", customer_id=customer["id"]), key=lambda t: -shared(t)
    )
    if not ranked or shared(ranked[0]) == 0:
        return None
    top = [t for t in ranked if shared(t) == shared(ranked[0])]
    if len(top) > 1:
        # Two tickets of one subject ("Charged twice this month", one closed): the one not
        # closed, unless the question asks about a closed one.
        closed = p.has(text, r"\b(?:closed|resolved)\b")
        top = [t for t in top if (t["status"] == "closed") == closed]
    return str(top[0]["id"]) if len(top) == 1 else None


def _read(
    tools: ToolBox,
    tickets: list[str],
    out: dict[str, Any],
    notes: list[str],
    missing: list[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Each ticket named that exists, remembered in `out`; one that does not is said, in
    `missing` when one is given, else in `notes`."""
    for tid in list(tickets):
        try:
            ticket = tools.call("get_ticket", ticket_id=tid)
        except ToolError as exc:
            (notes if missing is None else missing).append(str(exc).rstrip("."))
            out["ticket_ids"].remove(tid)
            continue
        _remember(out, [ticket])
        yield ticket


def _tickets(
    tools: ToolBox, status: str | None, customer_id: str | None = None
) -> list[dict[str, Any]]:
    """Tickets of `status` (any when None), newest first."""
    return list(tools.call("list_tickets", customer_id=customer_id, status=_statuses(status)))


def _statuses(status: str | None) -> str | list[str] | None:
    """The ticket statuses a `status` people ask for stands for. An "open" ticket, as people
    ask for one, is any not closed yet, pending too, as a customer's count of open tickets is
    (`get_customer`): "CUS-1035's open tickets" lists the pending password one as well."""
    return ["open", "pending"] if status == "open" else status


def _listing(ticket: dict[str, Any], status: str | None) -> str:
    """A ticket as a listing names it: its id and subject, and its status where the status
    asked for does not say it ("pending" among the open ones)."""
    said = "" if ticket["status"] == status else f" ({ticket['status']})"
    return f"{ticket['id']} {ticket['subject']}{said}"


def _remember(out: dict[str, Any], found: list[dict[str, Any]]) -> None:
    for t in found:
        if t["id"] not in out["ticket_ids"]:
            out["ticket_ids"].append(t["id"])
    out["tickets"] += [
        {k: t[k] for k in ("id", "subject", "status", "priority", "customer_id")} for t in found
    ]


def _ticket_work(
    task: AgentTask, tools: ToolBox, tickets: list[str], out: dict[str, Any], notes: list[str]
) -> str:
    text = task.description
    changed = _changed(text, tickets)
    asks_change = p.has(text, f"{_CLOSE}|{_REOPEN}") or bool(_update_args(text))
    missing: list[str] = []
    for ticket in _read(tools, tickets, out, notes, missing if asks_change else None):
        tid = ticket["id"]
        out["customer_id"] = out["customer_id"] or ticket["customer_id"]
        detail = p.redact(p.after_colon(text) or "")
        if tid not in changed:
            notes += _read_out(tools, ticket, text)
        elif p.has(text, _REOPEN):
            tools.propose(
                "update_ticket",
                description=f"Reopen {tid}",
                ticket_id=tid,
                status="open",
                note=detail or "Reopened: the customer replied.",
            )
            notes.append(f"proposed reopening {tid} ({ticket['subject']})")
        elif p.has(text, _CLOSE):
            if ticket["status"] == "closed":
                notes.append(f"{tid} is already closed; nothing to do")
                continue
            # "add a note saying X, and close it": X is the note the close writes. No stated
            # resolution writes no note: a made-up one would be words the requester never
            # said, and asking would hold up a close that needs nothing more.
            resolution = detail or _note_text(text) or _reason(text)
            tools.propose(
                "close_ticket",
                description=f"Close {tid}: {ticket['subject']}",
                ticket_id=tid,
                **({"resolution": resolution} if resolution else {}),
            )
            notes.append(
                f"proposed closing {tid} ({ticket['subject']}): {resolution.rstrip('.')}"
                if resolution
                else f"proposed closing {tid} ({ticket['subject']}) with no resolution note, "
                "as none was stated"
            )
        elif args := _update_args(text):
            if not _update_of(ticket, args, text, out, notes):
                continue
            tools.propose("update_ticket", description=f"Update {tid}", ticket_id=tid, **args)
            changes = [f"{k} {v}" for k, v in args.items() if k != "note"]
            changes += ["a note"] if "note" in args else []
            notes.append(f"proposed updating {tid}: {', '.join(changes)}")
        else:
            notes += _read_out(tools, ticket, text)
    if missing and not out.get("question"):
        # A change of a ticket that is not there did nothing: the turn waits for the right id
        # (needs_input), it is not done ("close ticket TCK-9999" had ended `done`).
        p.ask(out, notes, f"{'; '.join(missing)}, so nothing was changed. Which ticket (TCK-…) "
              "is meant?")  # fmt: skip
    return "ticket"


_LEVELS = ["low", "normal", "high", "urgent"]
# Words that ask for a higher priority, and a lower one: "escalate TCK-1 to high" of an urgent
# ticket is no request to lower it ("de-escalate" lowers; it is not "escalate").
# ("raised", "escalated" tell what someone did: "the customer raised it, set it to low").
_RAISE = r"(?<!de-)\b(?:escalate|bump|raise)\b"
_LOWER = r"\b(?:de-?escalate|lower|downgrade)\b"
# A raise asked with no level ("escalate TCK-1", "bump it"): one level up. "bump into" is no
# raise, nor a bare "raise" ("raise a ticket" opens one).
_BARE_RAISE = r"(?<!de-)\bescalate\b|\bbump\b(?!\s+into\b)"


def _update_of(
    ticket: dict[str, Any], args: dict[str, Any], text: str, out: dict[str, Any], notes: list[str]
) -> bool:
    """Whether the update `args` is proposed for `ticket`, settling its priority first. The
    level stated is kept ("escalate TCK-1 to high" of a high ticket had proposed urgent), but
    never moved against the word asking (a raise to a lower level is none); only a bare
    "escalate" or "bump" raises one step above the ticket's own. A closed ticket's priority or
    status is not changed (the requester is asked), and a change to what the ticket already has
    is none: said, and not proposed."""
    tid, current = ticket["id"], ticket["priority"]
    stated = re.search(_PRIORITY, text, re.IGNORECASE) is not None
    if "priority" in args and not stated and p.has(text, _BARE_RAISE):
        args["priority"] = _LEVELS[min(_LEVELS.index(current) + 1, 3)]
    if "priority" in args and (step := _against_the_word(current, args["priority"], text)):
        # "escalate TCK-1 to high" of an urgent ticket had proposed high: lowered, under a
        # word that asks to raise it.
        notes.append(f"{tid} is already {current} priority, {step} {args['priority']}; no "
                     "priority change proposed")  # fmt: skip
        del args["priority"]
        if not args:
            return False
    if ticket["status"] == "closed" and ({"priority", "status"} & set(args)):
        p.ask(out, notes, f"{tid} ('{ticket['subject']}') is closed, so its priority and status "
              "were not changed. Should it be reopened first?")  # fmt: skip
        return False
    same = [k for k in ("priority", "status") if args.get(k) == ticket[k]]
    if same and not set(args) - set(same):
        said = " and ".join(f"{ticket[k]} {k}" if k == "priority" else ticket[k] for k in same)
        notes.append(f"{tid} already has {said}; no change proposed")
        return False
    for k in same:
        del args[k]
    return True


def _against_the_word(current: str, level: str, text: str) -> str | None:
    """How the ticket's `current` priority stands to the `level` asked ("above", "below") when
    moving to it would go the other way than the request's word says (a raise that lowers, a
    lowering that raises); None when it goes the way asked, or no way is said."""
    move = _LEVELS.index(level) - _LEVELS.index(current)
    if move < 0 and p.has(text, _RAISE) and not p.has(text, _LOWER):
        return "above"
    if move > 0 and p.has(text, _LOWER) and not p.has(text, _RAISE):
        return "below"
    return None


def _read_out(tools: ToolBox, ticket: dict[str, Any], text: str) -> list[str]:
    """A ticket looked up: how it stands, and who its customer is when that is asked."""
    return [_described(ticket)] + ([_whose(tools, ticket)] if p.has(text, _ASKS_WHOSE) else [])


def _whose(tools: ToolBox, ticket: dict[str, Any]) -> str:
    """Who a ticket's customer is: their name, id, email and company."""
    who = tools.call("get_customer", customer_id=ticket["customer_id"])
    return (
        f"{ticket['id']}'s customer is {who['name']} ({who['id']}, {who['email']}) of "
        f"{who['company']}"
    )


def _described(ticket: dict[str, Any]) -> str:
    return (
        f"{ticket['id']} '{ticket['subject']}' for {ticket['customer_id']} is {ticket['status']} "
        f"with {ticket['priority']} priority (opened {ticket['created_at'][:10]}, "
        f"{len(ticket['notes'])} note(s))"
    )


# "too", "also", "as well", "the same": the change is asked of more than the sentence names.
_MORE_THAN_NAMED = r"\b(?:too|also|as well|both|all|same|each|either)\b"


def _changed(text: str, tickets: list[str]) -> set[str]:
    """The tickets a change is asked of: every one named, but when the first sentence asking
    for a change names tickets of its own, not those named only in the sentences before it,
    which say what the request is about ("oh they're TCK-1110 and TCK-1010, both rate limit
    ones. could you close TCK-1110?" closed both). A sentence after it ("Close TCK-1001.
    TCK-1002 too.") and a change asked of more than it names ("close TCK-1002 too") keep all."""
    sentences = re.split(r"(?<=[.?!;])\s+|\n+", text)
    for i, sentence in enumerate(sentences):
        if not (p.has(sentence, f"{_CLOSE}|{_REOPEN}") or _update_args(sentence)):
            continue
        named = set(p.ids(p.TICKET_ID, sentence))
        if not named or p.has(sentence, _MORE_THAN_NAMED):
            break
        later = {t for s in sentences[i + 1 :] for t in p.ids(p.TICKET_ID, s)}
        return named | later
    return set(tickets)


# The words of a note asked for: "add a note (to TCK-1001) saying/that/reading X (, and close it)".
_NOTE = re.compile(
    r"\b(?:note|comment)\b(?:\s+(?:to|on)\s+(?:ticket\s+)?\S+)?\s*"
    r"(?:saying|that says|which says|reading|that|:)\s*[\"']?(?P<note>.+?)[\"']?"
    r"(?:,?\s*(?:and|then)\s+(?:close|resolve|mark)\b.*)?[.!]?$",
    re.IGNORECASE,
)


def _note_text(text: str) -> str | None:
    m = _NOTE.search(text)
    return p.redact(_sentence(m.group("note")) + ".") if m and m.group("note").strip() else None


def _reason(text: str) -> str | None:
    m = re.search(r"\?\s*(.+)$", text) or re.search(r",\s*(.+)$", text)
    instruction = r"^(?:and |then |also |separately,? )*(?:close|re-?open|resolve)\b"
    clause = m.group(1) if m else ""
    if not m or p.has(clause, instruction) or re.search(r"\b[A-Z]{2,4}-\d+\b", clause):
        return None  # another instruction ("…, close TCK-1002 too"), not why this one closes
    return p.redact(_sentence(clause))


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".?!")
    return text[:1].upper() + text[1:]


def _update_args(text: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    priority = re.search(_PRIORITY, text, re.IGNORECASE)
    if p.has(text, r"\b(priority|bump|escalate|raise|lower|set)\b") and priority:
        args["priority"] = priority.group(1).lower()
    elif p.has(text, _BARE_RAISE):
        args["priority"] = "high"  # a placeholder: `_update_of` raises the ticket one level
    if p.has(text, r"\b(to|as|status)\s+pending\b"):
        args["status"] = "pending"
    note = p.after_colon(text)
    m = re.search(r"\b(?:note|comment)\b(?: that)?\s*(.*)$", text, re.IGNORECASE)
    if note and p.has(text, r"\b(note|comment|add)\b"):
        args["note"] = p.redact(note)
    elif asked := _note_text(text):
        args["note"] = asked
    elif m and m.group(1).strip():
        args["note"] = p.redact(_sentence(m.group(1)) + ".")
    return args


def _new_or_existing_ticket(
    text: str,
    tools: ToolBox,
    customer: dict[str, Any] | None,
    out: dict[str, Any],
    notes: list[str],
) -> str:
    if customer is None:
        p.ask(out, notes, "no customer could be identified from the request (no id, email or "
              "known name), so no ticket was opened. Which customer is it for?")  # fmt: skip
        return "ticket"
    subject = _subject(text, customer)
    existing = tools.call("list_tickets", customer_id=customer["id"])
    words = set(re.findall(r"[a-z]{4,}", subject.lower()))
    same = [
        t
        for t in existing
        if t["status"] != "closed" and words & set(re.findall(r"[a-z]{4,}", t["subject"].lower()))
    ]
    if same and not _opens(text):
        _remember(out, same[:1])
        notes.append(
            f"{customer['name']} ({customer['id']}) already has {same[0]['status']} ticket "
            f"{same[0]['id']} '{same[0]['subject']}', so no duplicate was opened"
        )
        return "account"
    priority = re.search(_PRIORITY, text, re.IGNORECASE)
    level = priority.group(1).lower() if priority else "normal"
    if level == "normal" and p.has(text, r"locked|can'?t log|cannot log|suspended|fails?"):
        level = "high"  # people who cannot get in cannot work
    tools.propose(
        "open_ticket",
        description=f"Open a ticket for {customer['name']}: {subject}",
        customer_id=customer["id"],
        subject=subject,
        priority=level,
        body=p.redact(text),
    )
    notes.append(
        f"proposed a new {level} priority ticket for {customer['name']} ({customer['id']}): "
        f"{subject}"
    )
    return "ticket" if _opens(text) else "account"


def _subject(text: str, customer: dict[str, Any]) -> str:
    detail = p.after_colon(text)
    if detail:
        return p.short(p.redact(_sentence(detail)), 120)
    m = re.search(r"\babout (?:a |an |the )?(.+)$", text, re.IGNORECASE)
    if m:
        return p.short(p.redact(_sentence(m.group(1))), 120)
    cleaned = re.sub(p.CUSTOMER_ID, "", text)
    cleaned = re.sub(p.EMAIL, "", cleaned).replace(customer["name"], "")
    cleaned = re.sub(r"^\W*(customer|user)?\s*(says|reports|writes)?\s*(that\s+)?", "", cleaned,
                     flags=re.IGNORECASE)  # fmt: skip
    cleaned = re.sub(r",?\s*can you help\W*$", "", cleaned, flags=re.IGNORECASE)
    # The words that ask for the ticket are no part of its subject: "open a ticket for".
    cleaned = re.sub(_ASK_FOR_TICKET, "", cleaned, flags=re.IGNORECASE).strip(" \t,.;:-")
    return p.short(p.redact(_sentence(cleaned)), 120) or "Support request"


_ASK_FOR_TICKET = (
    r"^\W*(?:(?:please|pls|can you|could you)\s+)*(?:open|create|raise|file|log|make|start)\s+"
    r"(?:(?:a|an|new|support)\s+)*(?:ticket|case)(?:\s+(?:for|about|on))?\b"
)


def _answer_from_kb(
    text: str, tools: ToolBox, out: dict[str, Any], notes: list[str], *, always: bool
) -> None:
    if not always and not p.has(text, r"\b(how|what|why|help|article|knowledge|can'?t|forgot)"):
        return
    try:
        articles = tools.call("search_kb", query=text, limit=3)
    except ToolError:
        return
    articles = [a for a in articles if a["score"] >= _KB_MIN_SCORE]
    out["kb_articles"] = [{"id": a["id"], "title": a["title"]} for a in articles]
    if articles:
        best = articles[0]
        out["answer"] = best["excerpt"]
        notes.append(f"knowledge base: '{best['title']}' ({best['id']}) answers this")

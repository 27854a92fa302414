"""The content skill: drafts and edits, built on facts handed over by other agents. This module
reads what kind of text a request asks for and whom it goes to, and proposes sending it."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.agents.demo.skills import customer_letters as letters
from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.content_claims import against_tickets, unsupported
from ringmaster.agents.demo.skills.content_drafts import (
    apply_feedback,
    draft,
    edit,
    message_of,
    name_in,
    topic_of,
)
from ringmaster.agents.demo.skills.content_facts import (
    RESOLVED,
    handed_over,
    live_facts,
    nothing_shipped,
    still_open,
)
from ringmaster.agents.runtime import AgentOutput, AgentTask
from ringmaster.tools.base import ToolBox
from ringmaster.tools.errors import ToolError

_KINDS = [
    ("edit", r"\b(polish|rewrite|edit|proofread|tidy|fix the tone|reword)\b"),
    ("release_notes", r"\b(release notes?|changelog)\b"),
    ("status_update", r"\b(status (update|page)|incident notice|outage|post-incident|downtime)\b"),
    ("social", r"\b(tweet|social|linkedin)\b"),
    # "Remind Maria Lopez about INV-1189": a reminder as much as "send her a reminder" is.
    ("email", r"\b(e-?mail|remind(?:er|ing|s)?|notification|follow-up|letter)\b"),
    ("announcement", r"\b(announce\w*|banner|maintenance|blog|newsletter|headline)\b"),
]
_SEND = r"\bsend\b"
# "email CUS-1001 …", "let CUS-1003 know by email …", "notify them …": a request that the
# message go out (to recipients it names), not only that it be drafted.
_SEND_VERB = (
    rf"{p.OPENING}"
    r"(?:e-?mail|message|notify|tell|let|write to|write \S+ an? (?:quick )?(?:e-?mail|note)|"
    r"drop|remind)\b"
)
# What comes right before the one a message goes to ("send …", "remind …", "a note to …").
_ADDRESSEE = letters.ADDRESSEE
_PRICING = r"\b(?:pric(?:e|es|ed|ing)|discount\w*|costs?|tiers?)\b"
_EVERYONE = r"all customers|every customer|everyone|all users"


def content(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Draft or edit one piece of text; sending it is proposed, never done here."""
    text = task.description
    kind = next((k for k, pattern in _KINDS if p.has(text, pattern)), "other")
    the_customer = letters.writes_to_the_customer(text) and bool(task.handoffs)
    if kind == "other" and _wants_sent(text) and (_recipients(text) or the_customer):
        # "write to CUS-1003 and tell her …", "let the customer know …" after their records:
        # a message that goes to them
        kind = "email"
    facts, sources, reported = handed_over(task.handoffs)
    handed = list(facts)  # what the subtasks before this one did or found, not live look-ups
    # A status update always reads the services' live health, handed-over facts or not (a
    # rollback does not close an incident): a notice must not say "resolved" while one is open.
    if kind == "status_update" or (not facts and kind == "release_notes"):
        live, live_sources = live_facts(text, kind, tools)
        facts += [f for f in live if f not in facts]
        sources += [s for s in live_sources if s not in sources]

    # Release notes of what never shipped: a draft of "improvements and bug fixes" had said
    # something went out that did not.
    unshipped = (
        nothing_shipped(text)
        if kind == "release_notes" and not facts and "list_deployments" in sources
        else None
    )
    if kind == "edit":
        title, body = "Edited text", edit(p.quoted(text) or p.after_colon(text) or text)
    elif unshipped:
        title = draft(text, kind, facts)[0]
        body = f"Nothing to announce: {unshipped}."
    else:
        # An email is read by a customer: the agents' own reports to the requester are no
        # sentence of it ("closed TCK-1002 (…); it is closed, high priority").
        told = [f for f in facts if f not in reported] if kind == "email" else facts
        title, body = draft(text, kind, told)
    if task.feedback:
        body = apply_feedback(body, task.feedback)
    title, body = p.redact(title), p.redact(body)
    audience = _audience(text)
    to = _recipients(text) if _wants_sent(text) else None
    if _wants_sent(text) and not to and (addressed := _addressed(text, tools)):
        # "Send Maria Lopez a reminder about INV-1189": the customers named in full as whom it
        # goes to are the recipients (asked "who should it go to?" as if no one were named).
        to = [c["id"] for c in addressed]
        audience = " and ".join(f"{c['name']} ({c['id']})" for c in addressed)
    # (recipients, whom, title, body) of each email to propose.
    sends = [(to, audience, title, body)] if to and not unshipped else []
    if kind == "email" and _wants_sent(text) and not to and the_customer:
        # "close it and email the customer": the customers whose records were handed over,
        # each written to about their own.
        sends = [_letter(text, o, tools, task.feedback) for o in letters.owners(task.handoffs)]
        audience = " and ".join(whom for _, whom, _, _ in sends) or audience
        if len(sends) == 1:
            _, _, title, body = sends[0]
        elif sends:
            body = "\n\n".join(f"To {whom}:\n{text_}" for _, whom, _, text_ in sends)
    out: dict[str, Any] = {
        "summary": "",
        "kind": kind,
        "title": title,
        "body": body,
        "audience": audience,
        "sources": sources,
    }
    each = " (one email each, about their own records)" if len(sends) > 1 else ""
    notes = [f"drafted {kind.replace('_', ' ')} '{title}' for {audience}{each}"]
    if unshipped:
        notes = [f"no release notes were drafted: {unshipped}, as list_deployments shows"
                 + ("; nothing was sent" if _wants_sent(text) else "")]  # fmt: skip
    if kind == "status_update" and p.has(text, RESOLVED) and not title.startswith("Resolved"):
        notes.append(
            f"the request calls it resolved, but {still_open(facts)}, so the draft says it is "
            "being investigated"
        )
    if unshipped:
        pass
    elif sources:
        notes.append("based on " + ", ".join(sources))
    elif kind == "release_notes" and not facts:
        # `live_facts` read the deployments and failed (a refused scope, a tool error): the
        # draft's placeholder is no general text, and nothing was handed over to say so of.
        notes.append("the deployments could not be looked up, so the draft lists no release")
    elif kind != "edit":
        notes.append("no facts were handed over, so the draft keeps details general")
    category = "draft"
    unsent = _wants_sent(text) and not sends and kind == "email"
    if unsent and not facts and audience == "customers":
        # "send reminder" with no one and nothing named: a generic draft reported done would
        # say something was handled that was not.
        p.ask(out, notes, "the request asks for an email to be sent but names no one to send "
              "it to and nothing it is about, so nothing was sent. Who should it go to "
              "(CUS-… or an email address), and about what?")  # fmt: skip
    elif unsent and the_customer:
        # "email the customer" after records that belong to no customer: a draft to nobody
        # reported done would say the customer was written to.
        p.ask(out, notes, "the request asks for an email to the customer, but the records "
              "handed over name no customer, so nothing was sent. Who should it go to "
              "(CUS-… or an email address)?")  # fmt: skip
    if sends:
        message = message_of(text)
        # What the email says: the request's words for it, else its subject ("a reminder
        # about their unpaid invoices" says they have some).
        said = message or topic_of(text)
        # Pricing is the policy's to decide (human_categories), whoever writes to the customer.
        if p.has(said, _PRICING):
            category = "pricing"
        doubts = unsupported(said, handed, facts) + against_tickets(said, text, tools)
        if message is None and not facts and not task.feedback and not doubts:
            # Only a subject that states nothing ("about their account", "about the new
            # pricing"): a body would say nothing, or guess.
            p.ask(out, notes, f"the request gives the subject of the email to {audience} "
                  f"('{topic_of(text)}') but not what it should tell them, and no records were "
                  "handed over to tell; nothing was sent. What should the email say?")  # fmt: skip
        else:
            if doubts:
                out["evidence"] = {"checks": [], "concerns": doubts, "questions": []}
                notes.extend(f"but {d}, so a person checks it before it is sent" for d in doubts)
            for whom_to, whom, subject, text_ in sends:
                tools.propose(
                    "send_email", description=f"Send '{subject}' to {whom}", to=whom_to,
                    subject=subject, body=text_,
                )  # fmt: skip
            notes.append(f"proposed sending {'each' if each else 'it'} to {audience}")
    out["summary"] = p.summary(notes, task.feedback)
    return AgentOutput(output=out, category=category)


def _wants_sent(text: str) -> bool:
    """The request asks for the text to go out, not only to be drafted."""
    return p.has(text, _SEND) or p.has(text.strip(), _SEND_VERB)


def _letter(
    text: str, owner: letters.Owner, tools: ToolBox, feedback: str | None
) -> tuple[list[str], str, str, str]:
    """The email to one customer of the handed-over records: (to, whom, title, body)."""
    try:
        found = tools.call("find_customer", query=owner.customer_id, limit=1)
    except ToolError:  # the requester's scopes do not reach customers: greeted without a name
        found = []
    name = next((c["name"] for c in found if c["id"] == owner.customer_id), None)
    title, body = draft(text, "email", owner.told, name)
    if feedback:
        body = apply_feedback(body, feedback)
    whom = f"{name} ({owner.customer_id})" if name else owner.customer_id
    return [owner.customer_id], whom, p.redact(title), p.redact(body)


def _audience(text: str) -> str:
    if p.has(text, _EVERYONE):
        return "all customers"
    found = p.emails(text)
    if found:
        return ", ".join(found)
    named = p.ids(p.CUSTOMER_ID, text)
    if named:
        return ", ".join(named)
    if p.has(text, r"affected customers"):
        return "affected customers"
    return name_in(text) or "customers"


def _addressed(text: str, tools: ToolBox) -> list[dict[str, Any]]:
    """The customers named in full as whom a message goes to: right after its verb or "to"
    ("send James Chen and Aisha Khan a reminder", "a reminder to Maria Lopez"), each of
    them. One a message is about ("tell the team that James Chen's refund went through")
    was proposed the email in the team's place, and a second addressee was dropped."""
    addressed: list[dict[str, Any]] = []
    lead = _ADDRESSEE
    for customer in p.find_customers(tools, text):
        name = re.escape(customer["name"])
        if not re.search(rf"{lead}\s+(?:the\s+customer\s+)?{name}\b(?!['’]s)", text, re.I):
            continue
        addressed.append(customer)
        # A next one is addressed too when listed with this one ("James Chen and Aisha Khan").
        lead = rf"(?:{lead}\s+(?:[\w.'-]+\s+){{0,3}}?{name}\s*(?:,|&|\band\b)|{_ADDRESSEE})"
    return addressed


def _recipients(text: str) -> list[str] | None:
    if p.has(text, _EVERYONE):
        return ["all_customers"]
    return p.emails(text) + p.ids(p.CUSTOMER_ID, text) or None

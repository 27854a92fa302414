"""The content skill: drafts and edits, built on facts handed over by other agents."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ringmaster.agents.demo.skills import customer_letters as letters
from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills import ticket_claims
from ringmaster.agents.runtime import AgentOutput, AgentTask, Handoff
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.records import ANY_ID
from ringmaster.tools.errors import ToolError
from ringmaster.tools.redaction import REDACTED

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
# A message that is its own words: "email CUS-1001 to thank them for their business".
_THANKS = r"^(?:\S+\s+){0,4}?(?:to|and)\s+(thank (?:them|you)\b.*)$"
# What a message to a customer may state only when the records say it: money, the state of a
# record, or a commitment made in the company's name.
_MONEY = (
    r"[$€£]\s?\d|\b\d[\d,.]*\s*(?:dollars?|usd|eur|euros?|gbp|pounds?|bucks)\b|"
    r"\b(?:refund\w*|credit\w*|charg\w*|paid|payment|reimburs\w*|compensat\w*|waiv\w*|"
    r"discount\w*|free|invoice\w*)\b"
)
_RECORD = (
    r"\b(?:INV|TCK|INC|DEP|MSG)-\d+|\b(?:fixed|resolved|corrected|closed|issued|"
    r"processed|deployed|cancell?ed|deleted|erased|restored|shipped|approved|upgraded|"
    r"downgraded|due|overdue|expir\w*|renew\w*|suspend\w*|unpaid|outstanding|balance|sent|"
    r"done|completed|finished|released|merged|live)\b|\bwent out\b|\bgone out\b|"
    r"\bworks? again\b|\bis over\b|\bback (?:up|online|to normal)\b"
)
_COMMITMENT = (
    r"\b(?:will|we'll|shall|going to|promise\w*|guarantee\w*|commit\w*)\b|"
    r"\bby (?:tomorrow|monday|tuesday|wednesday|thursday|friday|the end)\b|\bwithin \d+"
)
_PRICING = r"\b(?:pric(?:e|es|ed|ing)|discount\w*|costs?|tiers?)\b"
# The request's words about the customer as said to them. The verbs that address them come
# first: "tell them hello" is "hello" to the reader, never "tell you hello"; "ask them to X"
# is "please X"; "remind them to X", "a reminder to X".
_ADDRESSED = r"(?:them|him|her)"
_TO_THEM = [
    (rf"\b(?:tell|telling|inform|informing|notify|notifying) {_ADDRESSED}\s+(?:that\s+)?", ""),
    (rf"\b(?:let|letting) {_ADDRESSED} know\s+(?:that\s+)?", ""),
    (rf"\b(?:ask|asking) {_ADDRESSED} to\b", "please"),
    (rf"\b(?:remind|reminding) {_ADDRESSED}\b", "a reminder"),
]
_ADDRESSING = "|".join(pattern for pattern, _ in _TO_THEM)
_TO_READER = [
    *_TO_THEM,
    (r"\bthem\b", "you"), (r"\btheir\b", "your"), (r"\bthey(?:'re| are)\b", "you are"),
    (r"\bthey\b", "you"), (r"\bthemselves\b", "yourselves"),
]  # fmt: skip
# An email request's own asking words before what it is about: "email CUS-1001 and …",
# "write to CUS-1003 to …", "send them a quick note and …".
_ASKING = (
    r"^(?:(?:e-?mail|message|write(?: to)?|drop|contact|tell|to)\s+)+"
    rf"(?:{p.ADDRESS}|{_ADDRESSED})\s*"
    r"(?:(?:an?\s+)?(?:quick\s+)?(?:e-?mail|note|line|message)\s*)?(?:(?:and|to)\s+|$)"
)
_RESOLVED = r"\b(resolved|is over|(is|are|back) operational|fixed|back to normal)\b"
_OPEN = r"\((open|investigating|identified)\)|degraded|outage|is down"
_EVERYONE = r"all customers|every customer|everyone|all users"
_FIXES = [(r"\bwe has\b", "we have"), (r"\bi\b", "I"), (r"\s+([,.!?])", r"\1"), (r"\s{2,}", " ")]


def content(task: AgentTask, tools: ToolBox) -> AgentOutput:
    """Draft or edit one piece of text; sending it is proposed, never done here."""
    text = task.description
    kind = next((k for k, pattern in _KINDS if p.has(text, pattern)), "other")
    the_customer = letters.writes_to_the_customer(text) and bool(task.handoffs)
    if kind == "other" and _wants_sent(text) and (_recipients(text) or the_customer):
        # "write to CUS-1003 and tell her …", "let the customer know …" after their records:
        # a message that goes to them
        kind = "email"
    facts, sources, reported = _facts(task.handoffs)
    handed = list(facts)  # what the subtasks before this one did or found, not live look-ups
    # A status update always reads the services' live health, handed-over facts or not (a
    # rollback does not close an incident): a notice must not say "resolved" while one is open.
    if kind == "status_update" or (not facts and kind == "release_notes"):
        live, live_sources = _look_up(text, kind, tools)
        facts += [f for f in live if f not in facts]
        sources += [s for s in live_sources if s not in sources]

    if kind == "edit":
        title, body = "Edited text", _edit(p.quoted(text) or p.after_colon(text) or text)
    else:
        # An email is read by a customer: the agents' own reports to the requester are no
        # sentence of it ("closed TCK-1002 (…); it is closed, high priority").
        told = [f for f in facts if f not in reported] if kind == "email" else facts
        title, body = _draft(text, kind, told)
    if task.feedback:
        body = _apply_feedback(body, task.feedback)
    title, body = p.redact(title), p.redact(body)
    audience = _audience(text)
    to = _recipients(text) if _wants_sent(text) else None
    if _wants_sent(text) and not to and (addressed := _addressed(text, tools)):
        # "Send Maria Lopez a reminder about INV-1189": the customers named in full as whom it
        # goes to are the recipients (asked "who should it go to?" as if no one were named).
        to = [c["id"] for c in addressed]
        audience = " and ".join(f"{c['name']} ({c['id']})" for c in addressed)
    # (recipients, whom, title, body) of each email to propose.
    sends = [(to, audience, title, body)] if to else []
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
    if kind == "status_update" and p.has(text, _RESOLVED) and not title.startswith("Resolved"):
        notes.append(
            f"the request calls it resolved, but {_still_open(facts)}, so the draft says it is "
            "being investigated"
        )
    if sources:
        notes.append("based on " + ", ".join(sources))
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
        message = _message(text)
        # What the email says: the request's words for it, else its subject ("a reminder
        # about their unpaid invoices" says they have some).
        said = message or _topic(text)
        # Pricing is the policy's to decide (human_categories), whoever writes to the customer.
        if p.has(said, _PRICING):
            category = "pricing"
        doubts = _unsupported(said, handed, facts) + _against_tickets(said, text, tools)
        if message is None and not facts and not task.feedback and not doubts:
            # Only a subject that states nothing ("about their account", "about the new
            # pricing"): a body would say nothing, or guess.
            p.ask(out, notes, f"the request gives the subject of the email to {audience} "
                  f"('{_topic(text)}') but not what it should tell them, and no records were "
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


def _message(text: str) -> str | None:
    """The words the request gives the message to say, or None when it names only a subject:
    as `parsing.message_words` reads them, or after a colon, or its thanks."""
    return p.message_words(text, r":\s+(.+)$", _THANKS)


def _unsupported(message: str, handed: list[str], facts: list[str]) -> list[str]:
    """What `message` states about money, a record or a commitment that `handed` (what the
    subtasks before this one did or found) does not bear out, or that `facts` (those and the
    live look-ups) contradict, each as a reason a person must read it first. A look-up of how
    things stand now confirms no claim of what was done; it can only show one false."""
    known = " ".join(handed)
    doubts = []
    if REDACTED in message:  # the request carried a secret, taken out at intake
        doubts.append(f"the email would tell the customer '{REDACTED}' where the request had a "
                      "secret, which was taken out")  # fmt: skip
    # A record's id names it; its digits are no amount ("INV-1007 was refunded" states none).
    amounts = re.findall(r"\d+(?:[.,]\d+)?", ANY_ID.sub(" ", message))
    if p.has(message, _MONEY):
        missing = [a for a in amounts if not _amount_in(a, known)]
        if missing or not p.has(known, r"\bUSD\b|\brefund|\bcredit"):
            what = f" ({', '.join(missing)})" if missing else ""
            doubts.append(f"the email states an amount of money or a payment{what} that no "
                          "record handed over supports")  # fmt: skip
    if p.has(message, _RECORD):
        # A customer's id names who it is to or about; it states nothing by itself.
        ids = re.findall(r"\b(?:INV|TCK|INC|DEP|MSG)-\d+", message, flags=re.IGNORECASE)
        named = [i for i in ids if i.upper() not in known.upper()]
        if named or not known:
            what = f" ({', '.join(i.upper() for i in named)})" if named else ""
            doubts.append(f"the email states what happened to a record{what} that no record "
                          "handed over supports")  # fmt: skip
        if p.has(message, _RESOLVED + r"|\bis over\b|\bworks? again\b|\bback (?:up|online)\b"):
            if p.has(" ".join(facts), _OPEN):
                doubts.append(f"the email says it is resolved, but {_still_open(facts)}")
    if p.has(message, _COMMITMENT):
        m = re.search(_COMMITMENT, message, flags=re.IGNORECASE)
        said = m.group(0) if m else ""
        doubts.append(f"the email makes a commitment in the company's name ('{said}') that no "
                      "record supports")  # fmt: skip
    return [f"{d}: '{p.short(message, 80)}'" for d in doubts]


def _against_tickets(said: str, request: str, tools: ToolBox) -> list[str]:
    """Where the records of the tickets the email's words name differ from them ("TCK-1001 is
    open, not closed as the email would say"), for the person who checks it."""
    found = []
    for tid in p.ids(p.TICKET_ID, said):
        try:
            ticket = tools.call("get_ticket", ticket_id=tid)
        except ToolError:
            continue  # no such ticket, or the requester's scopes do not reach tickets
        found += ticket_claims.against(ticket, said, request)
    return found


def _amount_in(amount: str, known: str) -> bool:
    try:
        value = Decimal(amount.replace(",", ""))
    except InvalidOperation:
        return False
    return any(Decimal(n) == value for n in re.findall(r"\d+(?:\.\d+)?", known))


def _still_open(facts: list[str]) -> str:
    """What the facts show still open, as the note to the requester says it."""
    incidents = [
        m.group(1)
        for f in facts
        if (m := re.match(r"Incident (INC-\d+):.*\((?:open|investigating|identified)\)", f))
    ]
    if incidents:
        return f"{', '.join(incidents)} {'is' if len(incidents) == 1 else 'are'} still open"
    unwell = [f.rstrip(".") for f in facts if p.has(f, _OPEN)]
    return "; ".join(unwell) if unwell else "the live facts do not show it resolved"


def _facts(handoffs: tuple[Handoff, ...]) -> tuple[list[str], list[str], list[str]]:
    """Sentences a draft may state, from what the subtasks before this one found or did; their
    sources; and of the sentences, those that are an agent's own report (its summary)."""
    facts: list[str] = []
    sources: list[str] = []
    reported: list[str] = []
    for h in handoffs:
        sources.append(f"{h.agent} ({h.subtask_id})")
        o = h.output or {}
        found: list[str] = []
        # Only what ran is a fact: a proposal (`rollback`, `amount`) may have been edited,
        # rejected or still be waiting, so the executed calls (`effects`) are what is told.
        for effect in o.get("effects") or []:
            r = effect.get("result") if isinstance(effect, dict) else None
            if not isinstance(r, dict):
                continue
            if effect.get("tool") == "rollback_deployment":
                found.append(
                    f"We rolled {r['service']} back from version {r['from_version']} to "
                    f"{r['to_version']} in {r['environment']}."
                )
            elif effect.get("tool") == "issue_refund":
                found.append(f"A refund of {r['amount']} USD on {r['invoice_id']} was issued.")
        for inc in (o.get("incidents") or [])[:2]:
            if isinstance(inc, dict) and inc.get("title"):
                found.append(f"Incident {inc.get('id', '')}: {inc['title']} ({inc.get('status')}).")
        # Without structured facts, the handed-over summary is the fact to build on.
        if not found:
            reported.append(h.summary.rstrip(".") + ".")
        facts += found or reported[-1:]
    return facts, sources, reported


def _letter(
    text: str, owner: letters.Owner, tools: ToolBox, feedback: str | None
) -> tuple[list[str], str, str, str]:
    """The email to one customer of the handed-over records: (to, whom, title, body)."""
    try:
        found = tools.call("find_customer", query=owner.customer_id, limit=1)
    except ToolError:  # the requester's scopes do not reach customers: greeted without a name
        found = []
    name = next((c["name"] for c in found if c["id"] == owner.customer_id), None)
    title, body = _draft(text, "email", owner.told, name)
    if feedback:
        body = _apply_feedback(body, feedback)
    whom = f"{name} ({owner.customer_id})" if name else owner.customer_id
    return [owner.customer_id], whom, p.redact(title), p.redact(body)


def _look_up(text: str, kind: str, tools: ToolBox) -> tuple[list[str], list[str]]:
    facts: list[str] = []
    services = p.services(text)
    try:
        if kind == "release_notes":
            versions = p.VERSION.findall(text)
            # "release notes for this month's web deploys": that period's, as ops lists them.
            period = p.period_in(text)
            for s in p.each_service(services):
                for d in tools.call(
                    "list_deployments", service=s, environment="production", **period
                ):
                    if (not versions or d["version"] in versions) and d["status"] == "succeeded":
                        facts.append(f"{d['service']} {d['version']} is live since "
                                     f"{d['deployed_at'][:10]}.")  # fmt: skip
            return facts[:5], ["list_deployments"] if facts else []
        for s in p.each_service(services):
            for h in tools.call("service_health", service=s):
                if h["status"] != "operational":
                    facts.append(f"{h['service']} is {h['status']}.")
                    facts += [
                        f"Incident {i['id']}: {i['title']} (open)." for i in h["open_incidents"][:1]
                    ]
    except ToolError:
        return [], []
    return facts, ["service_health"] if facts else []


def _draft(text: str, kind: str, facts: list[str], name: str | None = None) -> tuple[str, str]:
    topic = _topic(text)
    if topic == NO_TOPIC and kind != "status_update":
        # "a blog post about it": what "it" was, as the facts give it, or the generic subject.
        topic = _incident_title(facts) or topic
    detail = " ".join(facts)
    if kind == "status_update":
        # "Resolved" only when the request says so and no fact shows an incident still open:
        # a rollback alone does not close an incident.
        still_open = p.has(detail, _OPEN)
        resolved = p.has(text, _RESOLVED) and not still_open
        # Not resolved: the title does not repeat the request's claim that it is.
        ongoing = re.sub(rf"[\s,]*\b(?:(?:is|are|has been|have been)\s+)?(?:{_RESOLVED}).*$", "",
                         topic, flags=re.IGNORECASE) or topic  # fmt: skip
        subject = _status_subject(topic if resolved else ongoing, facts)
        title = ("Resolved: " if resolved else "Investigating: ") + subject
        body = (f"{detail} " if detail else "") + (
            "The issue is resolved and all systems are operating normally. We will publish a "
            "short post-incident summary. We're sorry for the disruption."
            if resolved
            else "We are investigating and will post an update within 30 minutes."
        )
        return title, body
    if kind == "release_notes":
        version = " ".join(p.VERSION.findall(text)) or "this release"
        named = " ".join(p.services(text))
        title = "Release notes" + (f": {named} {version}" if named else "")
        title = title.replace(" this release", "")
        items = "\n".join(f"- {f}" for f in facts) or "- Improvements and bug fixes."
        return title, f"What's new in {version}:\n{items}\nThanks for building with us."
    if kind == "email":
        name = name or _name(text)
        greeting = f"Hello {name}," if name else "Hello,"
        body = f"{greeting}\n\n{(detail + ' ') if detail else ''}"
        message = _message(text)
        if message:  # the request's own words, said to the reader; the subject says them
            message = _to_reader(message)
            message = message[:1].upper() + message[1:]
            body += f"{message}. If anything is unclear, just reply."
            return p.short(message, 78), body + "\n\nBest regards,\nThe team"
        # Only a subject: what it is about, said to the reader as the body says it.
        topic = re.sub(_ASKING, "", topic, flags=re.IGNORECASE)
        addressed = re.search(_ADDRESSING, topic, flags=re.IGNORECASE)
        topic = _to_reader(topic).strip(" .?!")
        topic = (topic[:1].upper() + topic[1:]) if topic else "An update from our team"
        # "remind them to …" is said as it is ("A reminder to …"), not "This is about a …".
        about = f"{topic}." if addressed else f"This is about {topic.lower()}."
        body += f"{about} If anything is unclear, just reply to this email."
        return topic, body + "\n\nBest regards,\nThe team"
    if kind == "social":
        return topic, p.short(f"{topic}! {detail}".strip(), 270)
    title = topic
    body = (detail + " " if detail else "") + (
        f"{topic}. We wanted you to hear it from us first. Questions? Our support team is "
        "happy to help."
    )
    return title, body


def _to_reader(text: str) -> str:
    """The request's words about the customer ("we refunded them") as said to them."""
    for pattern, repl in _TO_READER:
        text = re.sub(pattern, repl, text, flags=re.IGNORECASE)
    return text


# A status update's own words and chat filler are no subject: "status page update pls",
# "incident notice for INC-1012", "a quick status update re the 502s on api" ("the 502s on api").
_STATUS_FILLER = re.compile(
    r"^(?:(?:pls|please|can (?:you|u)|could you|draft|write|post|put up|publish|an?|quick|"
    r"short|brief|status (?:page )?(?:update|post)|status page|incident notice|notice|re|for|"
    r"on|about|regarding)\b\s*)+|\s*\b(?:pls|please|thanks|thx)\W*$",
    re.IGNORECASE,
)


def _status_subject(topic: str, facts: list[str]) -> str:
    """What a status update's title says it is about: the request's subject without the
    request's own words for a status update; an incident named alone, or nothing, is said by
    the incident's title the facts give ("Elevated 5xx error rate on api after 2.14.0")."""
    subject = "" if topic == NO_TOPIC else _STATUS_FILLER.sub("", topic).strip(" .?!")
    named = re.fullmatch(r"INC-\d+", subject, flags=re.IGNORECASE)
    if re.fullmatch(_PRONOUN, subject, re.I):
        subject = ""
    if subject and not named:
        return subject[:1].upper() + subject[1:]
    return _incident_title(facts, subject.upper() if named else None) or (
        subject.upper() if named else "Service status"
    )


def _incident_title(facts: list[str], incident: str | None = None) -> str | None:
    """The title of the incident the facts give (of `incident`, when named), or None."""
    for f in facts:
        m = re.match(r"Incident (INC-\d+): (.+) \(\w+\)\.?$", f)
        if m and incident in (None, m.group(1)):
            return m.group(2)
    return None


# A subject that is only a pronoun names nothing a reader has: "a status update about it" had
# been titled "Investigating: It", and a blog post or announcement about it "It".
_PRONOUN = r"it|this|that|them|these|those|the (?:issue|problem|incident)"


# What an email or update is about when the request names nothing.
NO_TOPIC = "An update from our team"


def _topic(text: str) -> str:
    t = p.after_colon(text) or text
    t = re.sub(
        r"^(please |can (you|u) |could you |i need )?(draft|write|compose|prepare|make|create|"
        r"announce|send|summari[sz]e)\s+(an?\s+|the\s+|something\s+)?",
        "",
        t.strip(),
        flags=re.IGNORECASE,
    )
    # "send CUS-1012 a reminder" -> "a reminder": the recipient is not the subject
    t = re.sub(rf"^{p.ADDRESS}\s+(?:an?\s+)?", "", t, flags=re.I)
    # "an email to X apologising for the login trouble" -> "the login trouble"
    m = re.search(
        r"^.{0,60}?\b(?:about|explaining|announcing|regarding|telling \w+ about|apologising for|"
        r"saying|that)\s+(.+)$",
        t,
        flags=re.IGNORECASE,
    )
    if m:
        t = m.group(1)
    elif thanks := re.search(_THANKS, t, flags=re.IGNORECASE):
        t = thanks.group(1)  # "email CUS-1001 to thank them …" -> "thank them …"
    t = re.sub(r"\b(the|this)\b\s*$", "", t).strip(" .?!")
    if re.fullmatch(_PRONOUN, t, re.I):
        return NO_TOPIC
    return (t[:1].upper() + t[1:]) if t else NO_TOPIC


def _edit(source: str) -> str:
    text = source.strip().strip("'\"")
    for pattern, repl in _FIXES:
        text = re.sub(pattern, repl, text)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _apply_feedback(body: str, feedback: str) -> str:
    if p.has(feedback, r"shorter|too long|concise"):
        return body.split("\n\n")[0] if "\n\n" in body else p.short(body, 200)
    if p.has(feedback, r"apolog"):
        return body + " We apologise for the inconvenience."
    return body


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
    return _name(text) or "customers"


def _name(text: str) -> str | None:
    m = re.search(r"\b(?:to|for)\s+([A-Z][a-z]+ [A-Z][a-z]+)\b", text)
    return m.group(1) if m else None


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

"""The words of a draft: its title and body for each kind (status update, release notes, email,
social post, announcement), its subject, an edit, and feedback applied."""

from __future__ import annotations

import re

from ringmaster.agents.demo.skills import parsing as p
from ringmaster.agents.demo.skills.content_facts import OPEN, RESOLVED

# A message that is its own words: "email CUS-1001 to thank them for their business".
_THANKS = r"^(?:\S+\s+){0,4}?(?:to|and)\s+(thank (?:them|you)\b.*)$"
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
# A subject that is only a pronoun names nothing a reader has: "a status update about it" had
# been titled "Investigating: It", and a blog post or announcement about it "It".
_PRONOUN = r"it|this|that|them|these|those|the (?:issue|problem|incident)"
# What was done, said as the subject: "a status update about the rollback".
_ACTION = (
    r"(?:the |our |this |that )?"
    r"(?:rollback|roll-?back|revert|redeploy(?:ment)?|deploy(?:ment)?|fix)"
)
# What an email or update is about when the request names nothing.
NO_TOPIC = "An update from our team"
_FIXES = [(r"\bwe has\b", "we have"), (r"\bi\b", "I"), (r"\s+([,.!?])", r"\1"), (r"\s{2,}", " ")]


def message_of(text: str) -> str | None:
    """The words the request gives the message to say, or None when it names only a subject:
    as `parsing.message_words` reads them, or after a colon, or its thanks."""
    return p.message_words(text, r":\s+(.+)$", _THANKS)


def draft(text: str, kind: str, facts: list[str], name: str | None = None) -> tuple[str, str]:
    """The title and body of a draft of `kind` about what `text` asks, stating `facts`;
    an email greets `name` (else the one the text names)."""
    topic = topic_of(text)
    if topic == NO_TOPIC and kind != "status_update":
        # "a blog post about it": what "it" was, as the facts give it, or the generic subject.
        topic = _incident_title(facts) or topic
    detail = " ".join(facts)
    if kind == "status_update":
        # "Resolved" only when the request says so and no fact shows an incident still open:
        # a rollback alone does not close an incident.
        still_open = p.has(detail, OPEN)
        resolved = p.has(text, RESOLVED) and not still_open
        # Not resolved: the title does not repeat the request's claim that it is.
        ongoing = re.sub(rf"[\s,]*\b(?:(?:is|are|has been|have been)\s+)?(?:{RESOLVED}).*$", "",
                         topic, flags=re.IGNORECASE) or topic  # fmt: skip
        # A rollback that ran is a fix in place, watched: "Monitoring", not "Investigating"
        # (after an approved rollback the draft had said "We rolled api back …. We are
        # investigating").
        rolled = [m.group(1) for f in facts if (m := re.match(r"We rolled (\S+) back\b", f))]
        subject = _status_subject(topic if resolved else ongoing, facts, rolled)
        stage = "Resolved" if resolved else "Monitoring" if rolled else "Investigating"
        body = (f"{detail} " if detail else "") + (
            "The issue is resolved and all systems are operating normally. We will publish a "
            "short post-incident summary. We're sorry for the disruption."
            if resolved
            else f"We are monitoring {' and '.join(rolled)} and will post an update within 30 "
            "minutes."
            if rolled
            else "We are investigating and will post an update within 30 minutes."
        )
        return f"{stage}: {subject}", body
    if kind == "release_notes":
        version = " ".join(p.VERSION.findall(text)) or "this release"
        named = " ".join(p.services(text))
        title = "Release notes" + (f": {named} {version}" if named else "")
        title = title.replace(" this release", "")
        # With no fact (the deployments could not be read), a placeholder for the reviewer,
        # not "improvements and bug fixes" no one found.
        items = "\n".join(f"- {f}" for f in facts) or (
            "- (The releases could not be looked up: list what changed before this goes out.)"
        )
        return title, f"What's new in {version}:\n{items}\nThanks for building with us."
    if kind == "email":
        name = name or name_in(text)
        greeting = f"Hello {name}," if name else "Hello,"
        body = f"{greeting}\n\n{(detail + ' ') if detail else ''}"
        message = message_of(text)
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


def _status_subject(topic: str, facts: list[str], rolled: list[str] | None = None) -> str:
    """What a status update's title says it is about: the request's subject without the
    request's own words for a status update; an incident named alone, or nothing, is said by
    the incident's title the facts give ("Elevated 5xx error rate on api after 2.14.0"). What
    was done ("the rollback") is no subject either: the incident, else the services it was
    done to (`rolled`), are."""
    subject = "" if topic == NO_TOPIC else _STATUS_FILLER.sub("", topic).strip(" .?!")
    named = re.fullmatch(r"INC-\d+", subject, flags=re.IGNORECASE)
    if re.fullmatch(_PRONOUN, subject, re.I) or re.fullmatch(_ACTION, subject, re.I):
        subject = ""
        if rolled and not _incident_title(facts):
            return " and ".join(rolled)
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


def topic_of(text: str) -> str:
    """What the request says the text is about, without its own asking words; `NO_TOPIC`
    when it names nothing."""
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


def edit(source: str) -> str:
    """`source` tidied: its quotes, spacing, capitals and end."""
    text = source.strip().strip("'\"")
    for pattern, repl in _FIXES:
        text = re.sub(pattern, repl, text)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def apply_feedback(body: str, feedback: str) -> str:
    """`body` as the reviewer's feedback asks: shorter, or with an apology."""
    if p.has(feedback, r"shorter|too long|concise"):
        return body.split("\n\n")[0] if "\n\n" in body else p.short(body, 200)
    if p.has(feedback, r"apolog"):
        return body + " We apologise for the inconvenience."
    return body


def name_in(text: str) -> str | None:
    """The full name a text is "to" or "for" ("an email to Maria Lopez"), or None."""
    m = re.search(r"\b(?:to|for)\s+([A-Z][a-z]+ [A-Z][a-z]+)\b", text)
    return m.group(1) if m else None

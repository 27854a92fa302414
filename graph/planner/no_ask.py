"""Messages that say they ask nothing: "FYI only, no action needed: DEP-1032 finished deploying".

A status note passed on for information names a deployment, an invoice or an incident, and the
classifier routes it to the agent those words belong to (0.97 ops for the deploy above), which
then acts on a request nobody made. When the writer says in so many words that nothing is to be
done ("no action needed", "nothing to do", "no need to reply", "for visibility", "just keeping
you in the loop") and their own text asks for nothing (no question mark, no "please", "can
you", "could someone", "I need" …), the message goes to a person as one part, with that reason.

Only the writer's own lines are read: quoted ("> …") and forwarded ("---------- Forwarded
message", "-----Original Message-----") text is what they pass on, and its questions were put to
someone else. A message with a marker *and* an ask ("FYI, no rush, but can you refund INV-1?")
is planned as usual, and so is one with no marker at all ("thanks all, it works again"): it
takes the writer's own words to say a message is only information.

Inside a request, a part that opens with "FYI" or "heads up" and asks nothing ("FYI the customer
below is furious. Please roll back …", "pls reopen TCK-1160 … cc @ops fyi it might be related to
DEP-1049") is context for its neighbour (`is_note`; `segmenting.Segmenter` glues it to the part
after it, or to the one before when it comes last), however surely its words route on their own.
"""

from __future__ import annotations

import re

from ringmaster.graph.planner.quoting import FORWARD_SEPARATOR

# "nothing to do with …" is a cause, not a marker.
_NO_ACTION = re.compile(
    r"\b(?:no\s+(?:further\s+)?action\s+(?:is\s+)?(?:needed|required|necessary|on\s+your\s+side)"
    r"|nothing\s+(?:for\s+(?:you|us)\s+)?to\s+(?:do|action)\b(?!\s+with)"
    r"|no\s+need\s+to\s+(?:reply|respond|answer|act|do\s+anything)"
    r"|nothing\s+(?:is\s+)?(?:needed|required)\s+(?:from|of|on\s+your\s+side)\b"
    r"|just\s+sharing\b"
    r"|(?:just|purely|only)\s+(?:for\s+)?(?:your\s+)?(?:info|information|awareness|visibility)"
    r"|for\s+(?:visibility|awareness|your\s+records)"
    r"|fyi\s+only"
    r"|just\s+keeping\s+(?:you|everyone|y'?all)\s+(?:posted|in\s+the\s+loop|updated))",
    re.IGNORECASE,
)
# What asks a request of the reader: a question, "please", "can / could / would you".
ASKS_READER = (
    r"\?|\b(?:please|pls|plz|kindly|(?:can|could|would|will)\s+(?:you|u|someone|somebody|anyone))\b"
)
# An ask passed on for someone else: "They also asked me to check whether …", "he has asked,
# through his lawyer, for a copy …", "they'd like to know if …", "and want to know where it is".
# In an email it reads as a statement of what happened, but it is what the writer wants done.
RELAYED_ASK = (
    r"(?:they|he|she)\s+(?:(?:have|has|had)\s+)?(?:also\s+)?asked\b"
    r"|(?:they|he|she)\s*(?:'d|would)\s+(?:also\s+)?like\b"
    r"|(?:they|he|she)\s+(?:also\s+)?(?:want|wants|need|needs)\b"
    r"|(?:want|wants|would\s+like|'d\s+like)\s+to\s+know\b"
)
# A need of the writer's said to the reader: "I also need …", "we'd like the …", "we still
# want …", "I'd appreciate it if …", "we would be grateful for …", "my manager asked me to …"
# (an ask handed to the writer, passed on). Not the past ("I needed", "we wanted", "you asked
# me to"; `\b` ends every word), not a courtesy ("we'd like to thank …", "I'd like to share …"),
# and not a need of something asked beside it ("I need this for the board meeting", "we need it
# by Friday"): that is context for its neighbour's ask.
_COURTESY = r"to\s+(?:thank|apologi[sz]e|welcome|congratulate|introduce|announce|share|say)\b"
_NEED_OF_NEIGHBOUR = r"(?:this|it|that|these|those|them)\s+(?:for|by|before|until|ahead)\b"
STATED_NEED = (
    r"(?:i|we)\s+(?:(?:also|still|really|just|urgently|now|only|do)\s+)?"
    rf"(?:need|want)\b(?!\s+{_NEED_OF_NEIGHBOUR})"
    r"|(?:i|we)(?:['\u2019]?d|\s+would)\s+(?:also\s+|really\s+|greatly\s+)?"
    rf"(?:like\b(?!\s+{_COURTESY})|love\s+(?:it\s+if|for|to\s+(?:know|get|have|see))"
    r"|appreciate|be\s+(?:very\s+|really\s+)?(?:grateful|thankful))"
    r"|(?:i|we)(?:\s+(?:was|were|have\s+been)|['\u2019]ve\s+been)\s+(?:also\s+)?asked\s+to"
    r"|(?!(?:you|i|we|has|have|had|also|ve|d|nobody|one|never|not)\b)\w+(?:['\u2019](?:ve|s))?"
    r"\s+(?:(?:has|have)\s+)?(?:also\s+)?asked\s+(?:me|us)\s+to"
)
# What asks something: that, a need said (`STATED_NEED`, "let me know"), an ask passed on
# (`RELAYED_ASK`), or a turn that can bring an ask in ("no action needed, but …", "nothing to
# do unless …").
_REQUEST = (
    rf"{ASKS_READER}"
    rf"|\b(?:{RELAYED_ASK}|{STATED_NEED}"
    r"|(?:can|could|would|will)\s+we"
    r"|need\s+(?:you|someone)"
    r"|let\s+me\s+know|make\s+sure"
)
_ASK = re.compile(rf"{_REQUEST}|but|except|unless)\b", re.IGNORECASE)
_ASKED = re.compile(rf"{_REQUEST})\b", re.IGNORECASE)


def asks_something(text: str) -> bool:
    """Whether `text` has a question mark or a request word ("please", "can you", "I need" …)."""
    return _ASK.search(text) is not None


def requests_something(text: str) -> bool:
    """Whether `text` has a question mark or a request word, a turn ("but", "unless") aside: in
    a paragraph of background ("Most of it has turned up since, but not everything.") a "but"
    brings in no ask."""
    return _ASKED.search(text) is not None


_QUOTED = re.compile(r"^\s*>")


def own_text(text: str) -> str:
    """The writer's own lines of `text`: not quoted, and above any forwarded message."""
    own = []
    for line in text.splitlines():
        if FORWARD_SEPARATOR.match(line):
            break
        if not _QUOTED.match(line):
            own.append(line)
    return "\n".join(own).strip()


def asks_nothing(text: str) -> bool:
    """True when the writer says nothing is to be done and asks for nothing in their own words."""
    own = own_text(text)
    return bool(_NO_ACTION.search(own)) and not _ASK.search(own)


# A part that passes something on: "FYI the auth rollout is done.", "cc @ops fyi it might be
# DEP-1049", "Heads up: the customer below is furious."
_NOTE = re.compile(
    r"^\W*(?:(?:cc\s+)?@\w+\s+)*(?:fyi|heads[\s-]?up|for\s+context|for\s+your\s+info(?:rmation)?)\b"
    r"|\bcc\s+@\w+\s+fyi\b",
    re.IGNORECASE,
)


def is_note(part: str) -> bool:
    """True for a part that passes information on and asks nothing ("FYI the customer below is
    furious."): context for the ask next to it, never a subtask of its own."""
    own = own_text(part)
    note = _NOTE.search(own)
    # "FYI below." / "FYI, see below" passes on nothing of its own: the cutter judges it as
    # any short part (it tells which quote or forward the ask is about).
    rest = own[: note.start()] + own[note.end() :] if note else ""
    return note is not None and len(rest.split()) >= 3 and not _ASK.search(own)


REASON = "the message says no action is needed and asks for nothing: a person reads it"

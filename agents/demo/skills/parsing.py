"""Reading a subtask's words: ids, periods, services, customers, and scrubbing secrets
(amounts of money: amounts.py)."""

from __future__ import annotations

import re
from typing import Any

from ringmaster.stop_words import ENGLISH_STOP_WORDS
from ringmaster.tools import redaction
from ringmaster.tools.base import ToolBox
from ringmaster.tools.demo.records import CUSTOMER_ID as CUSTOMER_ID
from ringmaster.tools.demo.records import INVOICE_ID as INVOICE_ID
from ringmaster.tools.demo.records import TICKET_ID as TICKET_ID
from ringmaster.tools.errors import ToolError

EMAIL_ADDRESS = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
EMAIL = re.compile(rf"\b{EMAIL_ADDRESS}\b")
# Whom a request names to write to: a customer's id or an email address.
ADDRESS = rf"(?:CUS-\d+|{EMAIL_ADDRESS})"
# The words a request may open with before its verb: "please", "and then", "can you" …
OPENING = r"^(?:(?:please|pls|and|then|now|can (?:you|u)|could (?:you|someone))\s+)*"
VERSION = re.compile(r"\b\d+\.\d+\.\d+(?:-[\w.]+)?\b")
SERVICE_WORDS = {
    "billing-service": r"\bbilling[- ]service\b|\bbilling\b",
    "auth": r"\bauth\b|\blogins?\b|\bsign[- ]?in\b|\btokens?\b",
    "web": r"\bweb\b|\bfrontend\b|\bweb app\b|\bdashboard\b",
    "api": r"\bapi\b",
}
# Of SERVICE_WORDS, a service's own name; the rest only suggest one ("the login page": auth,
# "the dashboard": web).
SERVICE_NAMES = {
    "billing-service": r"\bbilling\b",
    "auth": r"\bauth\b",
    "web": r"\bweb\b|\bfrontend\b",
    "api": r"\bapi\b",
}
PLANS = ("free", "starter", "pro", "business", "enterprise")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip

# The team file's card-shaped forbidden_patterns, Luhn or not: an output holding one would fail
# validation, so a skill never copies one.
_CARD_SHAPES = [
    re.compile(p)
    for p in (r"\b(?:\d{4}[ -]){3}\d{4}\b", r"\b\d{13,19}\b", r"\b\d{4}[ -]\d{6}[ -]\d{5}\b")
]


def redact(text: str) -> str:
    """The text with anything that looks like a card number or a secret replaced
    (tools/redaction.py, and the team file's card shapes): what a skill copies from a request
    into an output or a proposal is scrubbed first."""
    text = redaction.redact(text)
    for pattern in _CARD_SHAPES:
        text = pattern.sub(redaction.REDACTED, text)
    return text


def summary(notes: list[str], feedback: str | None, *, nothing: str = ".") -> str:
    """A skill's notes as its redacted summary, saying so when it was revised after review."""
    if feedback:
        notes.append(f"revised after review: {short(redact(feedback), 120)}")
    if not notes:
        return nothing
    text = "; ".join(notes)
    return redact(text if text.endswith(("?", ".", "!")) else text + ".")


def ask(out: dict[str, Any], notes: list[str], question: str) -> None:
    """Ask the requester instead of doing a guess: the subtask ends as `needs_input` with
    `question` (graph/nodes/act.py), and the question is its summary's last note."""
    out["question"] = question
    notes.append(question)


def several_asked(
    out: dict[str, Any],
    notes: list[str],
    named: list[str],
    action: str,
    several: bool | None = None,
) -> bool:
    """Whether a request asks for several of an `action` a skill proposes one at a time
    ("refund INV-1 and INV-2", "erase CUS-1 and CUS-2": `several`, by default more than one
    record `named`); if so it is asked, and nothing proposed: doing the first and dropping the
    rest would answer for work not done."""
    if not (len(named) > 1 if several is None else several):
        return False
    ask(out, notes, f"this asks for more than one {action} ({', '.join(named)}); nothing was "
        f"proposed. Ask for each {action} on its own")  # fmt: skip
    return True


def ids(pattern: re.Pattern[str], text: str) -> list[str]:
    return list(dict.fromkeys(m.upper() for m in pattern.findall(text)))


def emails(text: str) -> list[str]:
    return list(dict.fromkeys(e.lower() for e in EMAIL.findall(text)))


def has(text: str, pattern: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def services(text: str) -> list[str]:
    low = text.lower()
    found = []
    for name, pattern in SERVICE_WORDS.items():
        if re.search(pattern, low):
            found.append(name)
    if "billing-service" in found and not re.search(r"billing[- ]service", low):
        # "billing" alone names the service only in an ops sentence, not "billing team"
        if not re.search(r"\b(deploy|release|health|incident|error|down|roll|revert)", low):
            found.remove("billing-service")
    return found


def named_services(text: str, services: list[str]) -> list[str]:
    """Of `services` (read in `text`), those `text` calls by their own name, in the same order:
    "open a sev2 incident for web: login page slow" names web, and only suggests auth."""
    low = text.lower()
    return [s for s in services if re.search(SERVICE_NAMES[s], low)]


def each_service(services: list[str]) -> list[str | None]:
    """The named services, or one None meaning every service (a tool's `service=None`)."""
    return list(services) or [None]


def environment(text: str) -> str | None:
    low = text.lower()
    staging = re.search(r"\bstag(e|ing)\b", low) is not None
    production = re.search(r"\b(prod|production|live)\b", low) is not None
    if staging and production:
        return None  # a comparison of the two, not a choice of one
    if staging:
        return "staging"
    return "production" if production else None


# The words a request gives a message to say ("saying …", "that …", "tell them …", "let them
# know …"), as against only its subject ("about …").
MESSAGE = (
    r"\b(?:saying|to say|that|telling (?:them|him|her)|tell (?:them|him|her|CUS-\d+)|"
    r"(?:let|letting) (?:them|him|her) know)\s+(?:that\s+)?(.+)$"
)
_RECIPIENT = rf"(?:{ADDRESS}|them|him|her|the customer)"
# A request that a message go out to someone: "email CUS-1002 saying …", "send CUS-1001 an
# email …", "tell them that …", "let CUS-1003 know by email …" ("tell me", "let us know" are
# not: they ask for an answer; "send them a password reset link", "let CUS-1001 back in" are
# no message either).
_NOTE = r"(?:an?\s+)?(?:quick\s+|short\s+)?(?:e-?mail|note|line|message|reminder|notice)"
_MESSAGE_TO_SEND = re.compile(
    rf"{OPENING}(?:"
    rf"(?:e-?mail|message|notify|tell|write to|drop)\s+{_RECIPIENT}\b"
    rf"|let\s+{_RECIPIENT}\s+know\b"
    rf"|(?:send|write|drop)\s+{_RECIPIENT}\s+{_NOTE}\b"
    rf"|(?:send|write|drop)\s+{_NOTE}\s+to\s+{_RECIPIENT}\b)",
    re.IGNORECASE,
)


def message_to_send(text: str) -> bool:
    """Whether the request asks for a message to go out to someone (the content agent's
    work); its words after "saying" are what to tell them, not instructions to act on."""
    return _MESSAGE_TO_SEND.search(text.strip()) is not None


def message_words(text: str, *more: str) -> str | None:
    """The words the request gives its message to say, or None: the first group of `MESSAGE`,
    else of the first of `more` (patterns of the caller's) that matches."""
    found = (re.search(pattern, text, flags=re.IGNORECASE) for pattern in (MESSAGE, *more))
    m = next((m for m in found if m), None)
    said = m.group(1).strip().strip("'\"“”‘’ .") if m else ""
    return said or None


def after_colon(text: str) -> str | None:
    """The words after the first colon, which is where people put the detail."""
    # ": " and not ":", so a time of day such as 02:00 is not taken for a colon.
    parts = re.split(r":\s", text, maxsplit=1)
    if len(parts) < 2:
        return None
    rest = parts[1].strip().strip("'\"")
    return rest or None


def quoted(text: str) -> str | None:
    m = re.search(r"['\"“‘](.+?)['\"”’]", text)
    return m.group(1) if m else None


def month_in(text: str) -> int | None:
    low = text.lower()
    for i, name in enumerate(MONTHS):
        if re.search(rf"\b{name}\b", low):
            return i + 1
    return None


# A day of the month as written: "the 14th", "on the 2nd", "june 14", "14 june"; not an
# ordinal that counts records ("the 2nd one", "the 3rd deploy").
_DAY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:ones?|deploy\w*|release\w*)\b)", re.I)
# A month by its name or its first three letters ("jun", "sept"); "may" only after a word
# that puts it in a time ("in may", "for may") or beside a day ("may 14"): else it is the verb.
_MONTH_WORDS = [
    name[:3] + (f"(?:{name[3:]}{'|t' if name == 'september' else ''})?" if name[3:] else "")
    for name in MONTHS
]
_MONTH_WORD = "|".join(_MONTH_WORDS)
# "in may", "for may", "june and may", "may 14", "may and june", "Diego's May invoices", and
# "14 may" with no word after it ("on 14 May 2025", "deploys on 14 may?"; "by 14 may be late"
# is the verb).
_MAY = (
    r"\b(?:in|on|of|from|during|for|and)\s+may\b|\bmay\s+\d|'s\s+may\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+may\b(?!\s+[a-z])"
    rf"|\bmay\s*(?:,|&|and|to|through)\s*(?:{_MONTH_WORD})\b"
)
_MONTH = [_MAY if word == "may" else rf"\b{word}\b" for word in _MONTH_WORDS]
_DAY_BESIDE_MONTH = re.compile(
    rf"\b(?P<m1>{_MONTH_WORD})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.:/\d])"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH_WORD})\b",
    re.I,
)
# A date as ISO 8601 writes it: "2025-06-11", and its day in a timestamp "2025-06-11T09:00".
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")


def days_named(text: str) -> list[tuple[int | None, int, int]]:
    """The calendar days a request names with their month, in the order it names them, as
    (year or None when not written, month, day): "june 3", "3rd of june", "2025-06-03"."""
    found: list[tuple[int, tuple[int | None, int, int]]] = []
    for m in _ISO_DATE.finditer(text):
        year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.append((m.start(), (year, month, day)))
    for m in _DAY_BESIDE_MONTH.finditer(text):
        word, day = (m["m1"], int(m["d1"])) if m["m1"] else (m["m2"], int(m["d2"]))
        if word.lower() == "may" and not m["m1"] and not re.search(_MAY, text, re.I):
            continue  # "by 14 may be late": the verb
        month = next(i + 1 for i, name in enumerate(MONTHS) if word.lower()[:3] == name[:3])
        if 1 <= day <= 31:
            found.append((m.start(), (None, month, day)))
    return [day for _, day in sorted(found)]


def dates_in(text: str) -> tuple[set[int], set[int]]:
    """The months and days of the month a request names ("in june", "from the 14th and
    15th", "june 11", "2025-06-11"): what a listing is narrowed to. Empty sets when it names
    none."""
    months = {i + 1 for i, pattern in enumerate(_MONTH) if re.search(pattern, text, re.I)}
    days = {int(d) for d in _DAY.findall(text)}
    days |= {int(m["d1"] or m["d2"]) for m in _DAY_BESIDE_MONTH.finditer(text)}
    for year, month, day in days_named(text):
        if year is not None:  # an ISO date: its month, as the written ones' are read above
            months.add(month)
            days.add(day)
    return months, {d for d in days if 1 <= d <= 31}


_SPAN = r"\b(?:since|until|till|before|after|between|through)\b"


def on_dates(rows: list[dict[str, Any]], key: str, text: str) -> list[dict[str, Any]]:
    """Of `rows` (each with an ISO timestamp at `key`), those on the months and days the
    request names; a day named without its month is the latest month that has one. All of
    them when it names no date."""
    months, days = dates_in(text)
    if (not months and not days) or re.search(_SPAN, text, re.I):
        return rows  # "since may", "before the 14th": a span, not the dates themselves

    def month(row: dict[str, Any]) -> int:
        return int(str(row[key])[5:7])

    def day(row: dict[str, Any]) -> int:
        return int(str(row[key])[8:10])

    kept = [r for r in rows if (not months or month(r) in months) and (not days or day(r) in days)]
    if days and not months and kept:
        latest = max(str(r[key])[:7] for r in kept)
        kept = [r for r in kept if str(r[key])[:7] == latest]
    return kept


# The relative periods a request names, each with one meaning for every skill, as the tools
# take them (`tools/demo/periods.py`): a calendar day, week (Monday to Sunday), month, quarter
# or year, named ("last week", "this quarter", "last year"), by the tools' name; the time since
# one's start ("since last month"); or the last N days, ending now ("the last 7 days", "the
# past week", "in the last month", "the past year"). First match at a place wins.
_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "six": 6}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "quarter": 90, "year": 365}
_PERIOD_WORDS = (
    (r"\btoday\b", "today"),
    (r"\byesterday\b", "yesterday"),
    (r"\bthis\s+week\b", "this_week"),
    (r"(?<!\bthe\s)\blast\s+week\b|\bprevious\s+week\b", "last_week"),
    (r"\bthis\s+month\b", "this_month"),
    (r"(?<!\bthe\s)\blast\s+month\b|\bprevious\s+month\b", "last_month"),
    (r"\bthis\s+quarter\b", "this_quarter"),
    (r"(?<!\bthe\s)\blast\s+quarter\b|\bprevious\s+quarter\b", "last_quarter"),
    (r"\bthis\s+year\b", "this_year"),
    (r"(?<!\bthe\s)\blast\s+year\b|\bprevious\s+year\b", "last_year"),
)
_DAYS_WORDS = (
    # "the last 7 days", "past 2 weeks", "last three months"
    r"\b(?:last|past|previous)\s+(?P<n>\d+|two|three|four|six)\s+(?P<unit>day|week|month)s?\b",
    r"\b(?:last|past)\s+(?P<n>24)\s+hours\b",
    # "the past week", "in the last month", "the past year": the last 7, 30 or 365 days
    r"\b(?:past|the\s+last)\s+(?P<unit>week|month|quarter|year)\b",
)
# "since last month", "since the start of this year": from that period's start to now.
_SINCE = r"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?$"


def period_in(text: str) -> dict[str, Any]:
    """The relative period a request names, as the tools' arguments: {"period": "last_week"}
    for a calendar one ("what went out last week"), {"since": "last_month"} for the time since
    one's start ("since last month"), {"days": 7} for the last days ("in the past week"), the
    first it names; {} when it names none, or a calendar one only as another span's end ("until
    last month", "before noon today", "since 10:05 yesterday"), as `on_dates` leaves a span's
    dates alone."""
    found: list[tuple[int, dict[str, Any]]] = []
    for pattern, name in _PERIOD_WORDS:
        for m in re.finditer(pattern, text, re.I):
            before = text[: m.start()]
            if re.search(_SINCE, before, re.I):
                found.append((m.start(), {"since": name}))
            # The span word right before, or a time of day between: "since 10:05 yesterday".
            elif not re.search(rf"{_SPAN}(?:\s+[^\s.,;!?]+)?\s+$", before, re.I):
                found.append((m.start(), {"period": name}))
    for pattern in _DAYS_WORDS:
        for m in re.finditer(pattern, text, re.I):
            parts = {k: v.lower() for k, v in m.groupdict().items() if v}
            if parts.get("n") == "24":
                days = 1
            else:
                n = parts.get("n", "1")
                days = (_WORD_NUMBERS.get(n) or int(n)) * _UNIT_DAYS[parts["unit"]]
            found.append((m.start(), {"days": days}))
    return min(found, key=lambda f: f[0])[1] if found else {}


def plans_in(text: str) -> list[str]:
    low = text.lower()
    return [p for p in PLANS if re.search(rf"\b{p}\b", low)]


# Two words in a row tried as a name typed in lower case, at most this many per request.
_LOWER_PAIRS = 12


def _name_candidates(text: str) -> list[str]:
    # Two capitalised words in a row ("Maria Lopez", "Sofia Rossi's") are the likely name.
    pairs = re.findall(r"\b([A-Z][a-z]+)\s+([A-Z][a-z]+)(?:'s)?\b", text)
    capitalised = [f"{a} {b}" for a, b in pairs]
    # Then any two words in a row, for a name typed in lower case ("tariq castillo open
    # tix?"): the catalog matches a name or company only, so other pairs find no one.
    lower = re.findall(r"(?=\b([A-Za-z]{2,})\s+([A-Za-z]{2,})\b)", text)
    typed = [f"{a} {b}" for a, b in lower if f"{a} {b}" not in capitalised]
    return capitalised + typed[:_LOWER_PAIRS]


def find_customer(tools: ToolBox, text: str) -> dict[str, Any] | None:
    """The customer a request names by id, email or full name, or by a first name alone that
    is one customer's ("Priya's account"); None otherwise."""
    return customer_or_several(tools, text)[0]


def customer_or_several(
    tools: ToolBox, text: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """`find_customer`, and when it finds none, the customers a first name alone is several
    of ("Olivia's invoice" is both Olivias: for the caller to ask which); each looked up once."""
    queries = ids(CUSTOMER_ID, text) + emails(text) + _name_candidates(text)
    for query in queries:
        try:
            found = tools.call("find_customer", query=query, limit=2)
        except ToolError:
            continue
        if found:
            customer: dict[str, Any] = found[0]
            return customer, []
    named = first_named(tools, text)
    return (named[0], []) if len(named) == 1 else (None, named)


# A capitalised word, or any word a possessive follows ("priya's"), may be a first name; not
# one a capitalised word follows: "Maria Garcia" is someone else than Maria Lopez.
_FIRST_NAME = re.compile(r"\b([A-Z][a-z]{2,})\b(?!\s+[A-Z][a-z])|\b([a-z]{3,})(?=['’]s\b)")
# A first name that owns people describes whom something is for ("Rafael's team is blocked",
# "Priya's manager asked"): it is no customer the request is about.
_OWNS_PEOPLE = re.compile(
    r"['’]s\s+(?:whole\s+|own\s+|entire\s+)?(?:team|teammates?|colleagues?|co-?workers?|"
    r"managers?|boss|folks|people|staff|crew|group|department|dept|org|squad|users)\b",
    re.IGNORECASE,
)
# Records that name their customer: a request naming one is about that record's customer, so a
# first name in it is none to look up ("bump TCK-1078 to high, Rafael's team is blocked").
_NAMES_ITS_PERSON = (CUSTOMER_ID, TICKET_ID, INVOICE_ID)


def first_named(tools: ToolBox, text: str) -> list[dict[str, Any]]:
    """The customers whose first name is the first word of `text` that is someone's first
    name ("Priya's account"; "Olivia's invoice" is both Olivias): each, for a caller to take
    the one or ask which of several. None when a record the request names (its ticket, its
    invoice) already names its customer, and no name that owns people ("Priya's team")."""
    if emails(text) or any(pattern.search(text) for pattern in _NAMES_ITS_PERSON):
        return []
    for m in _FIRST_NAME.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        if word in ENGLISH_STOP_WORDS or _OWNS_PEOPLE.match(text, m.end()):
            continue
        try:
            found = tools.call("find_customer", query=word, limit=10)
        except ToolError:
            continue
        named = [c for c in found if c["name"].split()[0].lower() == word]
        if named:
            return named
    return []


def find_customers(
    tools: ToolBox, text: str, first: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every customer a request names ("maria lopez and aisha khan - june invs paid?" is two),
    `first` (`find_customer`'s, looked up when not given) first. Past the first, a customer
    counts only when named by their id, their email or their whole name: two words that are
    only part of a name or a company's name add no one."""
    first = first or find_customer(tools, text)
    if first is None:
        return []
    found = {first["id"]: first}
    for query in ids(CUSTOMER_ID, text) + emails(text) + _name_candidates(text):
        try:
            matches = tools.call("find_customer", query=query, limit=2)
        except ToolError:
            continue
        asked = query.lower()
        for customer in matches:
            named = asked in (customer["id"].lower(), customer["email"].lower())
            if named or customer["name"].lower() == asked:
                found.setdefault(customer["id"], customer)
    return list(found.values())


def who(customers: list[dict[str, Any]]) -> list[str]:
    """Customers as a question names them: "Maria Lopez (CUS-1001)"."""
    return [f"{c['name']} ({c['id']})" for c in customers]


def named_customer(text: str) -> str | None:
    """The customer id or email a request names, found or not (to say when it was not)."""
    named = ids(CUSTOMER_ID, text) + emails(text)
    return named[0] if named else None


def short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Asked as a noun ("the api needs a restart", "please do a reboot of the worker", "a restart
# of web please") or a participle ("get the api restarted", "it needs to be redeployed"): the
# words that ask for it, and those that make a sentence a question about it ("does the api
# need a restart?", "tell me if it needs a restart") or refuse it ("I don't need a restart").
_ASKS_FOR = (
    r"(?:do|perform|trigger|run|schedule|kick\s+off|get|issue|give\s+(?:it|them|\w+)(?:\s+\w+)?)"
)
_NEEDS = r"(?:needs?|requires?|wants?|(?:would|'d)\s+like)"
_ARTICLE = r"(?:a|an|another)\s+(?:(?:quick|full|hard|soft|rolling|clean|fresh|new)\s+)?"
_QUESTION = re.compile(
    r"^(?:does|did|should|shall|is|was|are|were|has|had|why|when|how|what|who|which|whether|"
    r"if|do\s+(?:we|i|you|they|it)|have\s+(?:we|i|you|they)|will\s+(?:it|that|this|the|we)|"
    r"would\s+(?:it|that|this|the|we))\b",
    re.IGNORECASE,
)
_REFUSED = re.compile(
    r"\b(?:no|not|never|without|don'?t|doesn'?t|won'?t|shouldn'?t)\s+(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
# What may follow "a restart" for the words to be all a request: what it is of, and please.
_ONLY_OBJECT = (
    r"(?:\s+(?:of|on|for)\s+[\w.-]+(?:\s+(?!(?:went|was|were|is|are|has|had|broke|fixed|"
    r"caused|failed|happened|did|got|took)\b)[\w.-]+){0,3})?"
    r"\s*(?:,?\s*(?:please|pls|now|asap|thanks|thx)\b)?\s*[.!]?\s*$"
)
# What stands between "get"/"want" and a participle: a thing's name, not a list's words.
_OBJECT_WORD = (
    r"(?!(?:of|list|all|every\w*|which|what|that|was|were|been|got|you|we|they|i|it)\b)[\w.-]+"
)


# Where a clause that asks for work starts, before its verb: "restart …", "…, then merge …",
# "can you delete …", "have someone restart …" (as against "did you restart …", a question).
CLAUSE_OPENING = (
    r"(?:^|[.;!?]\s+|,\s*|\b(?:and|then|please|pls|now|kindly)\s+|"
    r"\b(?:can|could|would|will)\s+(?:you|u|someone)\s+|\b(?:need|want)\s+(?:you|u)\s+to\s+|"
    r"\b(?:have|get|ask)\s+(?:someone|somebody|a\s+person|an?\s+engineer|ops)\s+(?:to\s+)?)"
    r"(?:(?:please|pls|then|now|just|also|go\s+ahead\s+and)\s+)*"
)


class NoTool:
    """Work a skill has no tool for, asked for as a clause's verb ("restart the api", "can you
    delete TCK-1001", "…, then merge it into TCK-1002", "have someone restart it"): `done` maps
    each verb to its word for it done; `nouns` are the words after which it is a noun, not a
    verb ("deploy status", "reset link"). `asked_as` maps the nouns and -ing forms that ask for
    a verb's work to it ("restart", "deployment", "restarting"): with them, "the api needs a
    restart", "a reboot of the worker please", "get the api restarted" and "it needs to be
    redeployed" ask too, unless the sentence is a question ("does it need a restart?") or
    refuses it ("I don't need a restart"). A look-up in its place ended `done`, as if the work had
    been done; the skill says nothing was done and asks (`ask`). A question about that work
    ("did you restart it?", "how do I delete my account?") starts no clause with the verb, so
    it is still answered."""

    def __init__(
        self, done: dict[str, str], nouns: str, asked_as: dict[str, str] | None = None
    ) -> None:
        self.done = done
        self.asked_as = {" ".join(k.lower().split()): v for k, v in (asked_as or {}).items()}
        verbs = "|".join(v.replace(" ", r"\s+") for v in done)
        opening = CLAUSE_OPENING
        self.pattern = re.compile(
            rf"{opening}(?P<verb>{verbs})\b(?!-)(?!\s+(?:{nouns})\b)", re.IGNORECASE
        )
        self.noun_pattern: re.Pattern[str] | None = None
        if self.asked_as:
            words = "|".join(
                w.replace(" ", r"\s+") for w in sorted(self.asked_as, key=len, reverse=True)
            )
            parts = "|".join(
                self.done[v].replace(" ", r"\s+") for v in sorted(set(self.asked_as.values()))
            )
            # "a restart of the api" is the noun's work, as "restart of" is not the verb's.
            kinds = "|".join(n for n in nouns.split("|") if n != "of")
            after = rf"\b(?!-)(?!\s+(?:{kinds})\b)"
            self.noun_pattern = re.compile(
                rf"{opening}{_ASKS_FOR}\s+{_ARTICLE}(?P<n1>{words}){after}"
                # "a restart of web in staging please", all there is: not "a deploy of api
                # went out yesterday".
                rf"|{opening}{_ARTICLE}(?P<n2>{words})(?={_ONLY_OBJECT})"
                rf"|\b{_NEEDS}\s+(?:{_ARTICLE})?(?P<n3>{words}){after}"
                rf"|\b(?:needs?|requires?)\s+(?:to\s+be\s+)?(?P<p1>{parts})\b"
                rf"|\b(?:get|have|want|need|like)\s+(?:{_OBJECT_WORD}\s+){{1,3}}?(?P<p2>{parts})\b",
                re.IGNORECASE,
            )

    def verb(self, text: str) -> str | None:
        """The first such verb the text asks for, as `done` spells it; None if none."""
        m = self.pattern.search(text)
        if m:
            return " ".join(m.group("verb").lower().split())
        return self._asked_as_noun(text)

    def _asked_as_noun(self, text: str) -> str | None:
        if self.noun_pattern is None:
            return None
        done_as = {w: v for v, w in self.done.items() if v in self.asked_as.values()}
        for m in self.noun_pattern.finditer(text):
            sentence = re.split(r"[.;!?\n]\s*", text[: m.start()])[-1].lstrip()
            asks_if = re.search(r"\b(?:if|whether)\b", sentence, re.IGNORECASE)
            if _QUESTION.match(sentence) or asks_if or _REFUSED.search(text[: m.start()] + " "):
                continue
            word = " ".join(next(g for g in m.groups() if g).lower().split())
            return self.asked_as.get(word) or done_as[word]
        return None

    def ask(self, out: dict[str, Any], notes: list[str], agent: str, verb: str, can: str,
            instead: str) -> None:  # fmt: skip
        """Say nothing was done and ask: `can` is what the agent's tools do, `instead` what it
        could do in its place ("look up")."""
        ask(out, notes, f"nothing was {self.done[verb]}: {agent} cannot {verb} anything (its "
            f"tools {can}). Should a person do it, or is there something to {instead} "
            "instead?")  # fmt: skip

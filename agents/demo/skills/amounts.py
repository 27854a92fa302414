"""Reading the amount of money a request states, only when the words leave one reading.

A careful billing person refunds or credits an amount they are sure of: "29.00", "$1,250.50",
"15 USD", "USD 15", "20 dollars", "30 bucks", or a plain number right after the verb ("credit
10 to …"). Anything else that looks like an amount is *unclear*, and the skill asks the
requester rather than act on a guess:

- a decimal comma, or separators that read two ways: "0,50", "1.500", "1.234,56", "1'000"
- a part that needs working out: "50 cents", "half", "a third", "20%", "1/2", "minus the fee"
- a number in words or with a multiplier: "five dollars", "1.5k", "2 grand"
- an approximation, a cap or a range: "about $5", "up to 50.00", "10-20 dollars"
- a bare number where neither a verb nor a count places it: "refund INV-1001 for 20"
- several different amounts, a negative one, zero, or one too large to be money here

What it reads is a `Reading`: the value when it is certain, its currency when the words name
one (the caller compares it with the account's), or what could not be read, quoted from the
request, so the question can name it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
# Far above any invoice, far below where Decimal's 28-digit context stops quantizing: a number
# this long is a slip or a probe, and it is asked about rather than read.
MAX_DIGITS = 12

_SYMBOLS = {"us$": "USD", "$": "USD", "c$": "CAD", "a$": "AUD", "€": "EUR", "£": "GBP",
            "¥": "JPY", "₹": "INR"}  # fmt: skip
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "INR", "CNY", "SEK", "NOK", "DKK",
          "NZD", "MXN", "BRL")  # fmt: skip
_WORDS = {"dollar": "USD", "buck": "USD", "euro": "EUR", "pound": "GBP", "quid": "GBP",
          "yen": "JPY", "franc": "CHF", "rupee": "INR"}  # fmt: skip
_SYMBOL = r"US\$|C\$|A\$|[$€£¥₹]"
_CODE = r"\b(?:" + "|".join(_CODES) + r")\b"
_WORD = r"\b(?:US\s)?(?:dollars?|bucks?|euros?|pounds?|quid|yen|francs?|rupees?)\b"
_CURRENCY = rf"(?:{_SYMBOL}|{_CODE}|{_WORD})"
_SUBUNIT = r"(?:cents?\b|¢|pence\b|p\b)"
_MULTIPLIER = r"[kKmM]\b|mn\b|bn\b|\s?(?:grand|thousand|million|billion|hundred)\b"
_NUMBER_WORDS = (
    r"\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|few|"
    r"couple(?:\s+of)?|several|some)[\s-]+"
)

# Tokens with digits that are not amounts: record ids, emails, versions, dates, times, card
# numbers, ordinals. They are blanked out before any number is read.
_NOT_AMOUNTS = re.compile(
    r"\b[A-Za-z]{2,}-\d+\b"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\bv?\d+\.\d+\.\d+(?:-[\w.]+)?"
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"|\b(?:\d{4}[ -]){3}\d{4}\b"
    r"|\b\d+(?:st|nd|rd|th)\b"
    r"|(?:\b(?:on|from|since|dated|until|till|by|before|after)\s+)\d{1,2}/\d{1,2}\b",
    re.IGNORECASE,
)
# A number as written: digits with separators between groups, or a leading point (".50").
_NUMBER = re.compile(r"(?<![\d.,'])(?:(?:(?<=[\s$€£¥₹(])|^)[.,])?\d+(?:[.,']\d+)*(?!\d)")
# A plain number right after a money verb is an amount ("credit 10 to …", "refund 5 on INV-1",
# "a credit of 50"), unless a count follows it ("refund 2 invoices", "charged 3 times").
_VERB_BEFORE = re.compile(
    r"\b(?:refund(?:ing)?|credit(?:ing)?|reimburse|give|amount|sum|total|worth|of)\s+"
    r"(?:(?:them|him|her|it|us|me|back|the\s+customer|§+)\s+)?$",
    re.IGNORECASE,
)
_COUNT_AFTER = re.compile(
    r"\s*(?:times|x|charges?|payments?|invoices?|months?|days?|weeks?|years?|hours?|"
    r"minutes?|seats?|users?|licen[cs]es?|accounts?|customers?|items?|people|members?|"
    r"tickets?|refunds?|credits?|more|others?|of\s+(?:them|those|these|the|our|their))\b",
    re.IGNORECASE,
)
_APPROX_BEFORE = re.compile(
    r"(?:\b(?:about|around|roughly|approximately|approx\.?|circa|nearly|almost|over|under|"
    r"up\s+to|at\s+most|at\s+least|(?:no|not)\s+more\s+than|more\s+than|less\s+than|"
    r"max(?:imum)?|min(?:imum)?)|~|±)\s*$",
    re.IGNORECASE,
)
_APPROX_AFTER = re.compile(
    r"(?:\s*(?:or\s+so|odd|or\s+more|or\s+less)\b|-?ish\b|\+)", re.IGNORECASE
)
# "10-20", "$10 to $20", "10 or 20", "between 10 and 20": two amounts, not one.
_RANGE_AFTER = re.compile(rf"\s*(?:-|–|—|to\b|or\b)\s*(?:{_SYMBOL}|{_CODE})?\s*\d", re.IGNORECASE)
_RANGE_BEFORE = re.compile(
    rf"(?:\d\s*(?:{_SYMBOL}|{_CODE}|{_WORD})?\s*(?:-|–|—|\bto|\bor)|\bbetween"
    rf"|\bbetween\s+\S+\s+(?:{_WORD}\s+)?and)\s*$",
    re.IGNORECASE,
)
# "-5.00", "-$5", "$-5": a sign glued to the number; "INV-1 - 29.00" is a dash, not a sign.
_NEGATIVE_BEFORE = re.compile(rf"(?:(?:^|[\s(])-(?:{_SYMBOL})?|(?:{_SYMBOL})\s?-)$")

# Words that make an amount something to work out, whatever numbers stand next to them.
_PARTS = re.compile(
    r"\b(?:half|halves|halve|(?:a|one|two)[\s-]thirds?|(?:a|one|three)[\s-]quarters?|"
    r"fifths?|tenths?|percent|per\s?cent|fraction)\b",
    re.IGNORECASE,
)
_MONEY_NOUN = (
    rf"(?:\bfees?\b|\bcharges?\b|\btax(?:es)?\b|\bvat\b|\bcosts?\b|\bamount\b|\bportion\b|"
    rf"\brest\b|\bdifference\b|\bshipping\b|\d+[.,]\d|(?:{_SYMBOL})\s?\d)"
)
_ARITHMETIC = re.compile(
    rf"\b(?:minus|less(?!\s+than)|deduct\w*|subtract\w*|net\s+of|excluding|exclude|except)\b"
    rf"[^.;!?]{{0,40}}?{_MONEY_NOUN}"
    rf"|\b(?:without|but\s+not|keep(?:ing)?|plus|after)\s+(?:\S+\s+){{0,2}}?{_MONEY_NOUN}",
    re.IGNORECASE,
)
_IN_WORDS = re.compile(rf"{_NUMBER_WORDS}(?:{_WORD}|{_SUBUNIT})", re.IGNORECASE)
# Words that say only part of an invoice is meant: they need an amount stated beside them.
_PART_OF_INVOICE = re.compile(
    r"\b(?:partial(?:ly)?|part\s+of|some\s+of|pro[\s-]?rat\w*|the\s+difference|fees?|"
    r"overcharge[sd]?|seats?)\b",
    re.IGNORECASE,
)

# A currency named where no number stands: "abc dollars", "$X", "USD ???".
_NAMED_MONEY = re.compile(_CURRENCY, re.IGNORECASE)
_IN_CURRENCY = re.compile(r"\b(?:in|into)\s+(?:US\s)?$", re.IGNORECASE)  # "paid in USD"


@dataclass(frozen=True)
class Reading:
    """What a request says about an amount: one certain value, or what could not be read."""

    value: Decimal | None = None
    currency: str | None = None  # the currency the words name, e.g. "EUR" for "10 euros"
    unclear: str | None = None  # what could not be read with certainty, quoting the request
    part: str | None = None  # words naming part of an invoice with no amount ("the late fee")


@dataclass(frozen=True)
class _Mention:
    raw: str
    value: Decimal | None
    currency: str | None
    why: str | None  # why it is unclear, or None when it is certain


def read_amount(text: str) -> Reading:
    """The amount `text` states, when its words leave one reading; see the module docstring."""
    masked = _NOT_AMOUNTS.sub(lambda m: "§" * len(m.group(0)), text)
    mentions = [x for m in _NUMBER.finditer(masked) if (x := _mention(text, masked, m))]
    unclear = next((m for m in mentions if m.why), None)
    if unclear is not None:
        return Reading(unclear=f"'{unclear.raw}' ({unclear.why})")
    for pattern, why in (
        (_PARTS, "a part of an amount, to be worked out"),
        (_ARITHMETIC, "an amount to be worked out"),
        (_IN_WORDS, "an amount in words"),
    ):
        found = pattern.search(masked)
        if found:
            return Reading(unclear=f"'{_phrase(text, found)}' ({why})")
    values = list(dict.fromkeys(m.value for m in mentions if m.value is not None))
    currencies = list(dict.fromkeys(m.currency for m in mentions if m.currency))
    if len(values) > 1 or len(currencies) > 1:
        said = " and ".join(f"'{m.raw}'" for m in mentions)
        return Reading(unclear=f"{said} (more than one amount)")
    found = _PART_OF_INVOICE.search(masked)
    part = _phrase(text, found) if found and not values else None
    if not values:
        named = (
            m for m in _NAMED_MONEY.finditer(masked) if not _IN_CURRENCY.search(masked[: m.start()])
        )
        money = next(named, None)
        if money:  # "refund abc dollars", "$X": money is named, but no amount can be read
            return Reading(unclear=f"'{_words_around(text, money)}' (money named, no amount)")
        return Reading(part=part)
    return Reading(value=values[0], currency=currencies[0] if currencies else None)


def _mention(text: str, masked: str, m: re.Match[str]) -> _Mention | None:
    """The amount a number in the text is, or None when the number is not an amount."""
    digits = m.group(0)
    before, after = masked[: m.start()], masked[m.end() :]
    if re.search(r"[A-Za-z_§]$", before) and not re.search(_CODE + "$", before, re.I):
        return None  # glued after letters or an id: "sev1", "Q4"
    cur = re.search(rf"(?:{_SYMBOL}|{_CODE})\s?-?$", before, re.IGNORECASE)  # "$5", "$-5"
    post = re.match(rf"\s?(?:{_SYMBOL}|(?:{'|'.join(_CODES)})\b|{_WORD})", after, re.I)
    suffix = re.match(_MULTIPLIER, after)
    if re.match(r"[A-Za-z]", after) and not post and not suffix:
        written = re.match(rf"\w+\s?(?:{_SYMBOL}|{_CODE}|{_WORD})", after, re.IGNORECASE)
        if written is None:
            return None  # glued to letters: "2FA", "24h", "5x"
        raw = " ".join((digits + written.group(0)).split())
        return _Mention(raw, None, None, "not a number that reads one way")
    currency = _currency(cur.group(0)) if cur else _currency(post.group(0)) if post else None
    lead = before[: len(before) - len(cur.group(0))] if cur else before
    sign = _NEGATIVE_BEFORE.search(before) or _NEGATIVE_BEFORE.search(lead)
    start = m.start() - len(cur.group(0) if cur else "")
    if sign and not (cur and cur.group(0).endswith("-")):
        start -= 1  # the sign before the currency mark, "-$5"
    end = m.end() + len(post.group(0) if post else "")
    rest = masked[end:]

    def said(extra: str = "") -> str:
        return " ".join((text[start:end] + extra).split())

    if re.match(r"\s?(?:%|percent\b|per\s?cent\b|pct\b)", after, re.IGNORECASE):
        return _Mention(said("%"), None, None, "a percentage")
    fraction = re.match(r"\s?/\s?\d+", after)
    if fraction or re.search(r"\d\s?/\s?$", before):
        return _Mention(said(fraction.group(0) if fraction else ""), None, None, "a fraction")
    cents = re.match(rf"\s?{_SUBUNIT}", after, re.IGNORECASE)
    if cents:
        return _Mention(said(cents.group(0)), None, None, "an amount in cents")
    if suffix:
        return _Mention(said(suffix.group(0)), None, None, "a shorthand for a larger amount")
    ranged = bool(_RANGE_AFTER.match(rest) or _RANGE_BEFORE.search(lead))
    money = currency is not None or ranged or bool(re.search(r"[.,']", digits))
    # "refund -5": the verb stands before the sign, and a signed number after it is an amount
    verb = _VERB_BEFORE.search(before.removesuffix("-"))
    if not money and _COUNT_AFTER.match(after):
        return None  # a count, a day, a quantity: not an amount
    if not money and not verb:
        # "refund INV-1001 for 20", "refund INV-1001: 20": a bare number nothing marks as a
        # count may be the amount meant; read as none, it would refund the whole invoice.
        return _Mention(said(), None, None, "a number that may be the amount")
    value, why = _number(digits)
    if why is None:
        if _APPROX_BEFORE.search(lead) or _APPROX_AFTER.match(rest):
            why = "an approximation or a limit, not an amount"
        elif ranged:
            why = "a range, not one amount"
        elif sign:
            why = "a negative amount"
    return _Mention(said(), None if why else value, currency, why)


def _number(digits: str) -> tuple[Decimal | None, str | None]:
    """The value of a number as written, or why it cannot be read as one amount."""
    if not digits.isascii():  # "５０", "٥٠", "5০.00": Decimal reads them, a person may not
        # (`_NUMBER`'s \d takes any script's digits; separators are ASCII)
        return None, "digits other than 0-9, which may not read as they look"
    if "'" in digits:
        return None, "an apostrophe between digits, which reads more than one way"
    plain = re.fullmatch(r"\d+(?:\.\d{1,2})?", digits)
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", digits)
    if plain or grouped:
        whole = digits.replace(",", "").split(".")[0].lstrip("0")
        if len(whole) > MAX_DIGITS:
            return None, "too large to be an amount here"
        value = Decimal(digits.replace(",", "")).quantize(CENT)
        if value == 0:  # "refund 0": nothing to move, and not "no amount" (a full refund)
            return None, "zero, which is no amount to move"
        return value, None
    if re.fullmatch(r"\d*,\d{1,2}", digits):
        return None, "a decimal comma"
    if re.fullmatch(r"\d+\.\d{3}", digits):
        return None, "a point that may separate thousands or decimals"
    if re.fullmatch(r"\.\d+", digits):
        return None, "no digit before the point"
    if re.fullmatch(r"\d+\.\d{4,}", digits):
        return None, "more than two decimals"
    return None, "separators that read more than one way"


def _currency(word: str) -> str:
    """The ISO code of a currency as written: "$" → USD, "euros" → EUR, "C$" → CAD."""
    low = " ".join(word.strip(" -").lower().split())
    if low in _SYMBOLS:
        return _SYMBOLS[low]
    if low.upper() in _CODES:
        return low.upper()
    stem = re.sub(r"^us\s", "", low).rstrip("s")
    return _WORDS.get(stem, stem.upper())


def _words_around(text: str, m: re.Match[str]) -> str:
    """The match with the word before and after it, as written: "abc dollars", "$X on"."""
    before = re.search(r"\S+\s*$", text[: m.start()])
    after = re.match(r"\s*[^\s.,;!?]+", text[m.end() :]) if not m.group(0).isalpha() else None
    start = before.start() if before and m.group(0).isalpha() else m.start()
    return " ".join(text[start : m.end() + (len(after.group(0)) if after else 0)].split())


def _phrase(text: str, m: re.Match[str]) -> str:
    """The words of a match as the requester wrote them, from its determiner ("the late fee")
    to the end of its last word ("minus the 10.00 fee")."""
    start, end = m.start(), m.end()
    det = re.search(r"\b(?:the|a|an|that|this|their|his|her|our|my)\s+(?:[\w-]+\s+){0,2}$",
                    text[:start], re.IGNORECASE)  # fmt: skip
    if det:
        start = det.start()
    tail = re.match(rf"[^\s;!?]*?(?=[.,]?(?:\s|$))(?:\s+{_MONEY_NOUN})?", text[end:], re.I)
    if tail:
        end += len(tail.group(0))
    return " ".join(text[start:end].split()).rstrip(".,")


def read_amounts_each(text: str, starts: list[int]) -> list[Reading] | None:
    """The amount said after each of several parties named at `starts` ("credit CUS-1 20
    dollars and CUS-2 35 dollars": 20 for the first, 35 for the second), one certain reading
    each; None when the words do not pair them so (an amount before the first party, a party
    with none or several of its own)."""
    if read_amount(text[: starts[0]]) != Reading():
        return None
    bounds = [*starts, len(text)]
    readings = [read_amount(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return readings if all(r.value is not None for r in readings) else None

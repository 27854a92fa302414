"""The follow-up families of `benchmarks.ambiguity_mutations`: an act said by ellipsis, by
"the other", by a correction or by a plural, after turns that leave it two or more candidates.

The earlier families end at a reference that is the turn's own ("close it", "email her");
these end at one that leans on the turn before, which is where a resolver is most tempted to
carry a record over. A source turn (see `ambiguity_mutations.sources`) gives the record R and
its kind; R2, R3 are the demo database's records most like it (`Records.like`, in turn), X
a record of the kind apart from them, acted on by id in the turn before the one scored.

People (R a customer, or the customer of a ticket or invoice; those referred to as "they"
are left out, as "them" may be both):

- `act-same`: R and a customer referred to alike in play ("pull up CUS-1002 and CUS-1009"),
  a credit to X, a customer referred to otherwise, then "do the same for her" / "same for
  her" / "and her too"; `act-other-customer`: the same, then "do that for the other
  customer too" (X is the one, R and R2 the others).
- `control-same`, `control-other-customer`: R alone beside X, so "her" / "the other
  customer" is R; `control-same-id`: R and R2, then "do the same for CUS-1002".

Records (R a ticket or invoice not closed or refunded; R, R2 and X of one status):

- `act-other-record`: R, R2 and X in play, X closed or refunded by id, then "same for the
  other ticket" / "do that for the other one too"; `act-correction`: the same, then "no
  wait, the other one" / "sorry, I meant the other invoice"; `act-that-one`: X closed, then R
  and R2 looked up, then "and that one too"; `act-narrowed`: R, R2 and R3 looked up, a turn
  about one of them ("what's the status of TCK-1019?"), then "close them" / "refund both";
  `act-kind-correction`: R and R2 looked up, a record of another kind asked about, "sorry, I
  meant the invoice", then "refund that invoice".
- `control-other-record`, `control-correction`, `control-that-one`, `control-kind-correction`:
  the same with R alone (beside X, or the record of another kind), so the words leave one
  candidate; `control-both`: R and R2 looked up, a turn about R, then "close both of them"
  (both resolved).

Each ambiguous mutant must ask and act on nothing; each control must resolve as said, by
the act's agent, and ask nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ringmaster.evals.conversations import Turn

if TYPE_CHECKING:
    from benchmarks.ambiguity_mutations import Records

# The write by id on a record of the kind, its agent, and its verb said alone.
WRITE = {
    "ticket": ("close {x}", "support", "close"),
    "invoice": ("refund {x}", "billing", "refund"),
}
CREDIT = "give {x} a 10 dollar credit"
SAME = ("do the same for {o}", "same for {o}", "and {o} too")
OTHER_CUSTOMER = ("do that for the other customer too", "and the other customer too")
OTHER_RECORD = ("same for the other {k}", "do that for the other one too")
CORRECTION = ("no wait, the other one", "sorry, I meant the other {k}")
THAT_ONE = ("and that one too", "do the same for that {k}")
NARROWED = ("{v} them", "{v} both")
LOOKUP = ("pull up {a} and {b}", "can you look up {a} and {b} for me?")
LOOKUP3 = ("pull up {a}, {b} and {c}", "what's the status of {a}, {b} and {c}?")


def _say(text: str) -> Turn:
    return Turn(text, frozenset(), frozenset(), False)


def _ambiguous(text: str) -> Turn:
    return Turn(text, frozenset(), frozenset(), True)


def _clear(text: str, agent: str, resolved: frozenset[str]) -> Turn:
    return Turn(text, frozenset({agent}), resolved, False)


def followups(
    n: int, kind: str, record: str, records: Records, head: list[Turn]
) -> Iterator[tuple[str, list[Turn]]]:
    """The `n`th source turn's follow-up mutants: (family, the turns up to the one scored)."""
    owner = records.by_id[record]["owner"]
    person = record if kind == "customer" else owner
    if person:
        yield from _people(n, str(person), records, head)
    if kind in WRITE and records.by_id[record]["a"] not in ("closed", "refunded"):
        yield from _records(n, kind, record, records, head)


def _alike(records: Records, kind: str, record: str, k: int) -> list[str]:
    """`record` and up to `k - 1` more like it, each `Records.like` the one before."""
    out = [record]
    while len(out) < k:
        nxt = records.like(out[-1])
        if nxt is None or nxt in out:
            nxt = next((r for r in _same(records, kind, record) if r not in out), None)
        if nxt is None:
            break
        out.append(nxt)
    return out


def _same(records: Records, kind: str, record: str) -> list[str]:
    """The records of `record`'s kind with its facts, owned by someone referred to alike."""
    me = records.by_id[record]
    said = records.said(me["owner"]) if me["owner"] else ""
    return [
        str(r["id"])
        for r in records.rows[kind]
        if (r["a"], r["b"]) == (me["a"], me["b"])
        and (not said or (r["owner"] and records.said(r["owner"]) == said))
    ]


def _apart(record: str, *others: str | None) -> bool:
    """Whether `record`'s id is no slip from any of `others` (one character changed, or two
    swapped): "CUS-1013" or "CUS-1032" beside "CUS-1023" in play is read as a slip for it
    (and asked before a side effect), not as another record."""
    return all(o is None or not _slip(record, o) for o in others)


def _slip(a: str, b: str) -> bool:
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    swapped = len(diff) == 2 and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
    return len(a) == len(b) and (len(diff) <= 1 or swapped)


def _people(
    n: int, person: str, records: Records, head: list[Turn]
) -> Iterator[tuple[str, list[Turn]]]:
    said = records.said(person)
    if said not in ("she", "he"):
        return
    _, obj = records.pronouns(person)
    rival = records.like(person)
    others = [
        str(r["id"])
        for r in records.rows["customer"]
        if records.said(str(r["id"])) not in ("", said) and _apart(str(r["id"]), person, rival)
    ]
    if rival is None or not others or records.said(rival) != said:
        return
    other = others[(n * 7) % len(others)]  # a customer "her" / "him" cannot mean
    a, b = (person, rival) if n % 2 == 0 else (rival, person)
    lookup = _say(LOOKUP[n % len(LOOKUP)].format(a=a, b=b))
    alone = _say(f"pull up {person}")
    credit = _say(CREDIT.format(x=other))
    same = SAME[n % len(SAME)].format(o=obj)
    yield "act-same", [*head, lookup, credit, _ambiguous(same)]
    yield "control-same", [*head, alone, credit, _clear(same, "billing", frozenset({person}))]
    by_id = _clear(f"do the same for {person}", "billing", frozenset())
    yield "control-same-id", [*head, lookup, credit, by_id]
    text = OTHER_CUSTOMER[n % len(OTHER_CUSTOMER)]
    yield "act-other-customer", [*head, lookup, credit, _ambiguous(text)]
    one = _clear(text, "billing", frozenset({person}))
    yield "control-other-customer", [*head, alone, credit, one]


def _records(
    n: int, kind: str, record: str, records: Records, head: list[Turn]
) -> Iterator[tuple[str, list[Turn]]]:
    write, agent, verb = WRITE[kind]
    alike = _alike(records, kind, record, 4)
    if len(alike) < 4 or not _apart(alike[2], *alike[:2]) or not _apart(alike[3], *alike[:2]):
        return
    _, rival, x, third = alike
    a, b = (record, rival) if n % 2 == 0 else (rival, record)
    lookup2 = LOOKUP[n % len(LOOKUP)]
    lookup3 = LOOKUP3[n % len(LOOKUP3)]
    wrote = _say(write.format(x=x))
    r = frozenset({record})

    three = _say(lookup3.format(a=a, b=b, c=x))
    beside = _say(lookup2.format(a=record, b=x) if n % 2 == 0 else lookup2.format(a=x, b=record))
    other = OTHER_RECORD[n % len(OTHER_RECORD)].format(k=kind)
    yield "act-other-record", [*head, three, wrote, _ambiguous(other)]
    yield "control-other-record", [*head, beside, wrote, _clear(other, agent, r)]
    fix = CORRECTION[n % len(CORRECTION)].format(k=kind)
    yield "act-correction", [*head, three, wrote, _ambiguous(fix)]
    yield "control-correction", [*head, beside, wrote, _clear(fix, agent, r)]

    that = THAT_ONE[n % len(THAT_ONE)].format(k=kind)
    two = _say(lookup2.format(a=a, b=b))
    yield "act-that-one", [*head, wrote, two, _ambiguous(that)]
    yield "control-that-one", [*head, wrote, _say(f"pull up {record}"), _clear(that, agent, r)]

    narrow = _say(f"what's the status of {record}?")
    plural = NARROWED[n % len(NARROWED)].format(v=verb)
    three_alike = _say(lookup3.format(a=a, b=b, c=third))
    yield "act-narrowed", [*head, three_alike, narrow, _ambiguous(plural)]
    both = _clear(f"{verb} both of them", agent, frozenset({record, rival}))
    yield "control-both", [*head, two, narrow, both]

    elsewhere = records.other_kind(record, n) if kind == "invoice" else _an_invoice(records, n)
    check = _say(f"check on {elsewhere}")
    meant = _say(f"sorry, I meant the {kind}")
    demonstrative = f"{verb} that {kind}"
    yield "act-kind-correction", [*head, two, check, meant, _ambiguous(demonstrative)]
    alone = _say(f"pull up {record}")
    clear = _clear(demonstrative, agent, r)
    yield "control-kind-correction", [*head, alone, check, meant, clear]


def _an_invoice(records: Records, n: int) -> str:
    rows = records.rows["invoice"]
    return str(rows[(n * 7) % len(rows)]["id"])

"""Mutated tuning conversations: a clear reference made ambiguous, and controls kept clear.

    .venv/bin/python -m benchmarks.ambiguity_mutations                # the figures
    .venv/bin/python -m benchmarks.ambiguity_mutations --json         # and half A's outcomes
    .venv/bin/python -m benchmarks.ambiguity_mutations --list         # the mutants, not run
    .venv/bin/python -m benchmarks.ambiguity_mutations --splits dev dev4 --limit 40

Hand-written probes find the ambiguous references their author thought of; this makes them
from the tuning splits (`evals/datasets/conversations-dev*.jsonl`, the ones
`benchmarks.conversation_splits` runs; never the held-out `conversations.jsonl`). A *source
turn* is a clear turn whose one reference resolves one record R (a ticket, invoice, customer,
deployment, incident or alert) by a pronoun or a noun ("close it", "that invoice", "what plan
are they on"), with no id, no description and no "too/also" of its own. Every mutant keeps
the turns before the source turn, changes the thread, and ends at the source turn:

- `ambiguous-insert`: a turn naming R and a second real record R2 of the same kind ("pull up
  TCK-1005 and TCK-1017") goes just before it; `ambiguous-adjacent`: the two in two turns side
  by side ("pull up TCK-1005", "and TCK-1017?"); `ambiguous-widen`: the turn just before it,
  which named R, names R2 beside it; `ambiguous-listing`: for a ticket or invoice whose
  customer has two or more, a listing of them ("list CUS-1007's tickets"); `ambiguous-owners`:
  for a customer, a record of theirs and one of R2's ("pull up TCK-1003 and TCK-1020"), two
  customers in play through their records. Each leaves the reference two or more candidates,
  the dataset convention's `ambiguous` (evals/datasets/README.md): the turn must ask, and act
  on nothing. R2 is the demo database's record most like R (the same customer's, the same
  status, the same environment, the same pronouns), so no word of the turn tells them apart;
  a source turn that says a customer's name is left out for the same reason.
- `control-kind`: the same insertion with a record of another kind beside R (a deployment
  beside "that invoice"), where the turn's words say the kind; `control-ordinal`: the
  insertion of R2, with the reference said as "the first one" / "the second ticket" by the
  order the inserted turn gave; `control-id`: the insertion of R2, with the reference said as
  R's id. Each must resolve as the source turn did (its agents, R; an id the turn spells is
  not a resolution, as in the eval), and ask nothing.

The `act-` families end instead at a write on R said by reference (`ACTS`: close, note,
refund, credit, email, roll back), whatever the source turn itself did, so every mutant
reaches a side effect if the reference is guessed:

- `act-possessive`: a ticket or invoice whose customer has two or more unfinished, two of
  them named ("pull up TCK-1003 and TCK-1019"), then "close her ticket";
  `act-listing`: the same, the second entering only through an answer ("list CUS-1007's
  tickets"); `act-it`: R and R2 named, then "close it" / "refund it" / "roll it back";
  `act-owners`: for a customer, two customers in play through their records, then "give
  them a 10 dollar credit" / "email her that we're on it" (the customers' own pronoun, or
  "them" over the two); `act-answer`: for a customer, the customer named beside a record of
  the second ("pull up CUS-1007 and TCK-1020"), so the second enters only through the
  lookup's answer, then the act. Each must ask and act on nothing.
- `control-act`: R beside a record of another kind, then the same act: it must resolve R
  (the act's agent) and ask nothing.

`benchmarks.ambiguity_followups` adds the follow-up families from the same source turns: an
act said by ellipsis ("do the same for her"), by "the other" ("same for the other ticket"),
by a correction ("no wait, the other one"), by a plural after a turn about one ("refund
both") or by a demonstrative after a correction ("sorry, I meant the invoice", "refund that
invoice"), each with two or more candidates, and controls whose words leave one.

Every source turn falls in half A or half B by the SHA-256 of (split, conversation id, turn
index); the figures are printed per half as well (A is read to tune; B only for totals).

Mutants are made in a fixed order, so a run is reproducible: each family takes its source
turns in split order, at most `--limit` of them spread evenly over the candidates. Each runs
through `ringmaster.evals.conversations.run_on_team` (the code `ringmaster eval conversations`
runs, on a fresh demo database per mutant), and only the last turn is scored, by the eval's
own `TurnResult` (`asked`: the turn became a question; `acted`: a side effect ran).

Printed per family: ambiguous mutants asked / acted on / neither (answered without asking),
controls resolved as before / asked / otherwise wrong. `--json` adds each mutant's texts and
outcome.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from benchmarks.ambiguity_followups import followups
from benchmarks.conversation_splits import DATASETS, ROOT, dev_splits, split_file
from benchmarks.halves import half_of
from ringmaster.evals.conversations import (
    Conversation,
    Turn,
    TurnResult,
    load_conversations,
    run_on_team,
)
from ringmaster.evals.runner import commit_label, git_state
from ringmaster.settings import Settings
from ringmaster.stop_words import ENGLISH_STOP_WORDS

PREFIX = {
    "ticket": "TCK",
    "invoice": "INV",
    "customer": "CUS",
    "deployment": "DEP",
    "incident": "INC",
    "alert": "ALT",
}
KIND = {p: k for k, p in PREFIX.items()}
NOUNS = {
    "ticket": ("ticket", "case", "tix", "tkt"),
    "invoice": ("invoice", "bill", "inv"),
    "customer": ("customer", "client", "account", "cust", "acct"),
    "deployment": ("deployment", "deploy"),
    "incident": ("incident", "outage"),
    "alert": ("alert",),
}
# An id however typed ("TCK-1005", "tck1005", "INV-102", "ticket 1037", "invoice #1149"):
# a source turn names none, so its reference alone says which record.
ID = re.compile(
    r"\b(tck|inv|cus|dep|inc|alt|doc)[- #]?\d{3,4}\b"
    r"|\b(ticket|invoice|customer|deployment|incident|alert)\s*#?\s*\d{3,4}\b",
    re.I,
)
# What a source turn refers with: a pronoun, or a determiner before its kind's noun.
THING = re.compile(r"\b(it|its|this|that)\b", re.I)
PERSON = re.compile(r"\b(they|them|their|she|her|he|him|his)\b", re.I)
# Words that single a record out, or tie the turn to the one before ("do that for her too"):
# a source turn has none, so a second record of its kind leaves the reference with two.
SINGLES_OUT = re.compile(
    r"\b(one|ones|first|second|third|last|latest|newest|oldest|earlier|previous|other|another"
    r"|both|all|each|every|either|neither|too|also|again|same|instead|meant|actually|sorry"
    r"|rather|ditto|likewise|repeat|correction|wait|nope|"
    r"jan(uary)?|feb(ruary)?|march|april|june|july|aug(ust)?|sept?(ember)?|oct(ober)?"
    r"|nov(ember)?|dec(ember)?|staging|production|prod|api|web|auth|billing-service|sso|saml"
    r"|which|these|those)\b|\bmay\s+(invoice|bill|inv|one)\b",
    re.I,
)
# A write on a record said by reference, by kind: (text, the agent that does it). "{p}" is
# the owner's possessive ("her"), "{o}" the person's object pronoun ("her", "them").
ACTS: dict[str, tuple[tuple[str, str], ...]] = {
    "ticket": (
        ("close {p} ticket", "support"),
        ("add a note to {p} ticket saying we called back", "support"),
    ),
    "invoice": (("refund {p} invoice", "billing"),),
    "customer": (
        ("give {o} a 10 dollar credit", "billing"),
        ("email {o} that we're on it", "content"),
    ),
}
ACT_IT = {
    "ticket": ("close it", "support"),
    "invoice": ("refund it", "billing"),
    "deployment": ("roll it back", "ops"),
}
# A head that may already have written (closed, refunded) could leave one candidate unfinished:
# the `act-` families take only source turns whose earlier turns say no write verb.
WROTE = re.compile(
    r"\b(close|closed|refund|credit|email|send|note|comment|roll|rollback|restart|resolve"
    r"|reopen|re-open|mark|cancel|update|set|change|bump|escalate|erase|delete|apply|open|log"
    r"|raise|create|do|same|too|also)\b",
    re.I,
)
PRONOUNS = {"she": ("her", "her"), "he": ("his", "him")}  # else they: ("their", "them")
INSERTS = (
    "pull up {a} and {b}",
    "can you look up {a} and {b} for me?",
    "compare {a} and {b}",
    "what's the status of {a} and {b}?",
)


@dataclass(frozen=True)
class Source:
    """A clear turn whose one reference resolves one record."""

    split: str
    conversation: Conversation
    index: int  # the turn's place in the conversation, from 0
    record: str

    @property
    def turn(self) -> Turn:
        return self.conversation.turns[self.index]

    @property
    def kind(self) -> str:
        return KIND[self.record[:3]]

    @property
    def where(self) -> str:
        return f"{self.split}:{self.conversation.id}:{self.index + 1}"

    @property
    def half(self) -> str:
        """ "A" or "B", fixed by the SHA-256 of (split, conversation id, turn index)."""
        return half_of(f"{self.split}\0{self.conversation.id}\0{self.index}")


@dataclass(frozen=True)
class Mutant:
    id: str
    family: str
    source: str
    conversation: Conversation
    half: str = "A"

    @property
    def ambiguous(self) -> bool:
        return not self.family.startswith("control")


class Records:
    """The demo database's records, to pick a real second record like a given one."""

    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path)
        conn.row_factory = sqlite3.Row
        self.rows: dict[str, list[sqlite3.Row]] = {}
        queries = {
            "ticket": "SELECT id, customer_id AS owner, status AS a, '' AS b, subject AS words"
            " FROM tickets",
            "invoice": "SELECT id, customer_id AS owner, status AS a, '' AS b FROM invoices",
            "customer": "SELECT id, '' AS owner, pronouns AS a, status AS b, name FROM customers",
            "deployment": "SELECT id, '' AS owner, environment AS a, status AS b FROM deployments",
            "incident": "SELECT id, '' AS owner, status AS a, '' AS b, title AS words"
            " FROM incidents",
            "alert": "SELECT id, '' AS owner, status AS a, '' AS b, name AS words FROM alerts",
        }
        for kind, sql in queries.items():
            self.rows[kind] = list(conn.execute(sql + " ORDER BY id"))
        # Customers' names: a turn that says one ("email Maria") singles her out.
        names = {w for r in self.rows["customer"] for w in str(r["name"]).split()}
        self.names = re.compile(rf"\b({'|'.join(sorted(names))})\b", re.I)
        conn.close()
        self.by_id = {r["id"]: r for rows in self.rows.values() for r in rows}

    def described(self, record: str, text: str) -> bool:
        """Whether the text says a word of the record's subject or title ("her app crash
        ticket"), which may single it out."""
        row = self.by_id.get(record)
        if row is None or "words" not in row.keys():
            return False
        words = set(re.findall(r"[a-z0-9]+", str(row["words"]).lower())) - ENGLISH_STOP_WORDS
        return bool(words & set(re.findall(r"[a-z0-9]+", text.lower())))

    def like(self, record: str) -> str | None:
        """The record most like `record` of its kind: the same owner and facts, else the same
        facts and a customer referred to alike; the next in id order (wrapping), so the
        choice is fixed."""
        me = self.by_id.get(record)
        if me is None:
            return None
        rows = self.rows[KIND[record[:3]]]
        after = [r for r in rows if r["id"] > record] + [r for r in rows if r["id"] < record]
        same = [r for r in after if (r["a"], r["b"]) == (me["a"], me["b"])]
        if me["owner"]:
            # "close his ticket": a rival whose customer is "she" is not his.
            said = self.said(me["owner"])
            same = [r for r in same if r["owner"] and self.said(r["owner"]) == said]
        owned = [r for r in same if me["owner"] and r["owner"] == me["owner"]]
        return str((owned or same)[0]["id"]) if same else None

    def owned(self, owner: str, kind: str) -> list[str]:
        """The ids of `kind` (tickets, invoices) whose customer is `owner`."""
        return [str(r["id"]) for r in self.rows[kind] if r["owner"] == owner]

    def unfinished(self, owner: str, kind: str) -> list[str]:
        """`owned`, less those done with (a closed ticket, a refunded invoice)."""
        done = {r["id"] for r in self.rows[kind] if r["a"] in ("closed", "refunded")}
        return [e for e in self.owned(owner, kind) if e not in done]

    def a_record_of(self, owner: str) -> str | None:
        """One ticket (else invoice) of the customer `owner`: the first by id."""
        return next(iter(self.owned(owner, "ticket") + self.owned(owner, "invoice")), None)

    def said(self, customer: str) -> str:
        """How the customer is referred to ("she", "he", "they"; "" when unknown)."""
        row = self.by_id.get(customer)
        return str(row["a"] or "").split("/")[0].strip().lower() if row is not None else ""

    def pronouns(self, customer: str) -> tuple[str, str]:
        """The customer's (possessive, object) pronouns: ("her", "her"), ("their", "them")."""
        return PRONOUNS.get(self.said(customer), ("their", "them"))

    def other_kind(self, record: str, n: int) -> str:
        """A record no reference to `record`'s kind can mean: an ops record beside a
        customer, ticket or invoice (none has a customer), a ticket beside an ops record."""
        kind = KIND[record[:3]]
        pool = (
            ("ticket",)
            if kind in ("deployment", "incident", "alert")
            else ("deployment", "incident")
        )
        rows = self.rows[pool[n % len(pool)]]
        return str(rows[(n * 7) % len(rows)]["id"])


def refers(text: str, kind: str) -> bool:
    """Whether the text refers to a record of `kind` by a pronoun or its noun."""
    nouns = "|".join(NOUNS[kind])
    if re.search(rf"\b(the|that|this|its|their|her|his)\s+({nouns})s?\b", text, re.I):
        return True
    return bool((PERSON if kind == "customer" else THING).search(text))


def names_kind(text: str, kind: str) -> bool:
    """Whether the turn's words say the kind ("that invoice", or a person's pronoun)."""
    nouns = "|".join(NOUNS[kind])
    if re.search(rf"\b(the|that|this|its|their|her|his)\s+({nouns})\b", text, re.I):
        return True
    return kind == "customer" and bool(PERSON.search(text))


def sources(split: str, conversations: Sequence[Conversation]) -> Iterator[Source]:
    for conv in conversations:
        for i, turn in enumerate(conv.turns):
            if i == 0 or turn.ambiguous or conv.turns[i - 1].ambiguous:
                continue  # a first turn refers to nothing; a reply answers a question
            if len(turn.resolved) != 1 or ID.search(turn.text) or SINGLES_OUT.search(turn.text):
                continue
            [record] = turn.resolved
            if record[:3] not in KIND or not refers(turn.text, KIND[record[:3]]):
                continue
            yield Source(split, conv, i, record)


def said_as(text: str, kind: str, words: str) -> str | None:
    """The text with its reference said as `words` ("the second one", "TCK-1005"), or None
    when the reference is not one this can say otherwise (a subject "it", "she")."""
    nouns = "|".join(NOUNS[kind])
    noun = re.search(rf"\b(?:the|that|this)\s+({nouns})\b", text, re.I)
    if noun:
        said = words.replace("one", noun.group(1)) if words.startswith("the ") else words
        return text[: noun.start()] + said + text[noun.end() :]
    if kind == "customer":
        obj = re.search(r"\b(them|him)\b", text, re.I)
        poss = re.search(r"\b(their|his)\b", text, re.I)
        person = words.replace("one", "customer") if words.startswith("the ") else words
        if obj:
            return text[: obj.start()] + person + text[obj.end() :]
        if poss:
            return text[: poss.start()] + person + "'s" + text[poss.end() :]
        return None
    # "close it", "roll it back", "add a note to it": an object "it", not a subject one.
    obj = re.search(r"\b(?<!^)(?<!\bis )(?<!\bwas )it\b(?!'s| is| was| has)", text, re.I)
    if obj and not re.match(r"\s*(it|is it|was it)\b", text[: obj.end()], re.I):
        return text[: obj.start()] + words + text[obj.end() :]
    return None


def _ask(text: str) -> Turn:
    return Turn(text, frozenset(), frozenset(), False)


def mutants(srcs: Sequence[Source], records: Records, limit: int) -> list[Mutant]:
    """Every family's mutants, at most `limit` source turns each, spread over them."""
    out: dict[str, list[tuple[Source, list[Turn]]]] = {}
    for n, src in enumerate(srcs):
        for family, turns in _mutations(n, src, records):
            out.setdefault(family, []).append((src, turns))
    made: list[Mutant] = []
    for family, rows in out.items():
        step = max(1, -(-len(rows) // limit))  # every step-th, so the pick spans the splits
        for src, turns in rows[::step][:limit]:
            mid = f"{family}:{src.where}"
            conv = Conversation(mid, turns)
            made.append(Mutant(mid, family, src.where, conv, src.half))
    return made


def _mutations(n: int, src: Source, records: Records) -> Iterator[tuple[str, list[Turn]]]:
    """The `n`th source turn's mutants: (family, the turns up to the one scored)."""
    head = list(src.conversation.turns[: src.index])
    turn = src.turn
    second = records.like(src.record)
    if second is None or records.names.search(turn.text):
        return  # "email Maria about it": her name says which
    if records.described(src.record, turn.text):
        return  # "what's her app crash ticket at?": a description that may say which
    asked = Turn(turn.text, frozenset(), frozenset(), True)
    template = INSERTS[n % len(INSERTS)]
    a, b = (src.record, second) if n % 2 == 0 else (second, src.record)
    insert = _ask(template.format(a=a, b=b))
    yield "ambiguous-insert", [*head, insert, asked]
    # The two in turns side by side: "pull up TCK-1005", "and TCK-1019?".
    yield "ambiguous-adjacent", [*head, _ask(f"pull up {a}"), _ask(f"and {b}?"), asked]
    prev = head[-1] if head else None
    if prev is not None and len(re.findall(re.escape(src.record), prev.text)) == 1:
        widened = prev.text.replace(src.record, f"{src.record} and {second}")
        wide = Turn(widened, prev.agents, prev.resolved, prev.ambiguous)
        yield "ambiguous-widen", [*head[:-1], wide, asked]
    owner = records.by_id[src.record]["owner"]
    if owner and len(records.unfinished(owner, src.kind)) > 1:
        # A listing's records: "list CUS-1007's tickets" when two or more are unfinished (a
        # customer's only open ticket is "her ticket" still).
        yield "ambiguous-listing", [*head, _ask(f"list {owner}'s {src.kind}s"), asked]
    if src.kind == "customer":
        # Two customers in play through their records: "pull up TCK-1003 and TCK-1020".
        mine, theirs = records.a_record_of(src.record), records.a_record_of(second)
        if mine and theirs:
            x, y = (mine, theirs) if n % 2 == 0 else (theirs, mine)
            yield "ambiguous-owners", [*head, _ask(template.format(a=x, b=y)), asked]
    yield from _acts(n, src, records, head, template)
    if names_kind(turn.text, src.kind):
        beside = _ask(template.format(a=src.record, b=records.other_kind(src.record, n)))
        yield "control-kind", [*head, beside, turn]
    ordinal = "the first one" if a == src.record else "the second one"
    if (text := said_as(turn.text, src.kind, ordinal)) is not None:
        yield "control-ordinal", [*head, insert, Turn(text, turn.agents, turn.resolved, False)]
    if (text := said_as(turn.text, src.kind, src.record)) is not None:
        yield "control-id", [*head, insert, Turn(text, turn.agents, frozenset(), False)]


def _acts(
    n: int, src: Source, records: Records, head: list[Turn], template: str
) -> Iterator[tuple[str, list[Turn]]]:
    """The `act-` families: a write on R said by reference, after R alone or R and a rival."""
    if any(WROTE.search(t.text) for t in head):
        return
    kind, record = src.kind, src.record
    owner = records.by_id[record]["owner"]
    person = record if kind == "customer" else owner
    poss, obj = records.pronouns(person) if person else ("their", "them")
    if kind == "customer" and n % 2:
        poss, obj = "their", "them"  # a plural over the two: "email them"
    if kind in ACTS:
        text, agent = ACTS[kind][n % len(ACTS[kind])]
        act = text.format(p=poss, o=obj)
    elif kind in ACT_IT:
        act, agent = ACT_IT[kind]
    else:
        return
    ambiguous = Turn(act, frozenset(), frozenset(), True)
    clear = Turn(act, frozenset({agent}), frozenset({record}), False)

    def ordered(x: str, y: str) -> tuple[str, str]:
        return (x, y) if n % 2 == 0 else (y, x)

    if kind in ("ticket", "invoice") and owner:
        rivals = [r for r in records.unfinished(owner, kind) if r != record]
        if rivals and record in records.unfinished(owner, kind):
            a, b = ordered(record, rivals[0])
            yield "act-possessive", [*head, _ask(template.format(a=a, b=b)), ambiguous]
            yield "act-listing", [*head, _ask(f"list {owner}'s {kind}s"), ambiguous]
    if kind in ACT_IT and (second := records.like(record)) is not None:
        it = Turn(ACT_IT[kind][0], frozenset(), frozenset(), True)
        a, b = ordered(record, second)
        yield "act-it", [*head, _ask(template.format(a=a, b=b)), it]
    if kind == "customer" and (second := records.like(record)) is not None:
        mine, theirs = records.a_record_of(record), records.a_record_of(second)
        if mine and theirs:
            x, y = ordered(mine, theirs)
            yield "act-owners", [*head, _ask(template.format(a=x, b=y)), ambiguous]
            a, b = ordered(record, theirs)
            answer = _ask(template.format(a=a, b=b))
            yield "act-answer", [*head, answer, ambiguous]
    if kind in ACTS or kind in ACT_IT:
        beside = _ask(template.format(a=record, b=records.other_kind(record, n)))
        yield "control-act", [*head, beside, clear]
    yield from followups(n, kind, record, records, head)


def outcome(m: Mutant, t: TurnResult) -> str:
    if m.ambiguous:
        return "acted" if t.acted else "asked" if t.asked else "neither"
    if t.asked:
        return "asked"
    right = t.agents_ok and set(t.resolved) == set(t.expected_resolved)
    return "resolved" if right else "wrong"


OUTCOMES = {"ambiguous": ("asked", "acted", "neither"), "control": ("resolved", "asked", "wrong")}


def arguments(
    doc: str,
    argv: Sequence[str] | None,
    limit: str | None,
    json_help: str,
    families: bool = False,
) -> tuple[argparse.Namespace, list[str]]:
    """A mutation benchmark's command line (--splits, --limit when it takes one, --list, --json,
    and --families when it has families to choose from), and the tuning splits it chose (every
    dev split by default; never the held-out set)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--splits", nargs="+", metavar="SPLIT", help="default: every dev split")
    if limit is not None:
        parser.add_argument("--limit", type=int, default=40, help=limit)
    if families:
        parser.add_argument(
            "--families", nargs="+", metavar="FAMILY", help="only these families (default: all)"
        )
    parser.add_argument("--list", action="store_true", help="print the mutants, do not run")
    parser.add_argument("--json", action="store_true", help=json_help)
    args = parser.parse_args(argv)
    available = dev_splits(DATASETS)
    unknown = [s for s in args.splits or () if s not in available]
    if unknown:
        parser.error(f"no split {', '.join(unknown)}; from {', '.join(available)}")
    return args, args.splits or available


def demo_records() -> Records:
    """The records of a fresh demo database, as every mutant's run starts from."""
    from ringmaster.tools.demo.db import ensure_demo_db

    with tempfile.TemporaryDirectory(prefix="ringmaster-mut-") as tmp:
        return Records(ensure_demo_db(Path(tmp) / "demo.db"))


def listing(made: Sequence[tuple[str, Conversation]]) -> None:
    """Print each mutant's name and its turns, for --list."""
    for name, conv in made:
        print(name)
        for turn in conv.turns:
            print(f"    {turn.text}")


def last_turns(conversations: list[Conversation]) -> dict[str, TurnResult]:
    """Run the mutants as `ringmaster eval conversations` does (a fresh demo database each);
    each one's last turn, the one scored, by its id."""
    report = run_on_team(conversations, Settings())
    return {t.conversation: t for t in report.turns}


def tally_families(outcomes: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, int]]:
    """(family, half, outcome) of each mutant counted by family and by "family half": each
    cell its mutants and how many had each outcome, as `print_families` reads them."""
    families: dict[str, dict[str, int]] = {}
    for family, half, got in outcomes:
        for key in (family, f"{family} {half}"):
            cell = families.setdefault(key, {"mutants": 0})
            cell["mutants"] += 1
            cell[got] = cell.get(got, 0) + 1
    return dict(sorted(families.items()))


def print_families(families: dict[str, dict[str, Any]]) -> None:
    """A line a family, and a line for all ambiguous and all control mutants: each cell
    "mutants: asked / acted / neither" (controls: resolved / asked / wrong), over both halves,
    then half A, then half B."""
    totals: dict[str, dict[str, Any]] = {}
    for key, fam in families.items():
        name, _, half = key.partition(" ")
        group = "controls, all" if name.startswith("control") else "ambiguous, all"
        for k, v in fam.items():
            total = totals.setdefault(f"{group} {half}".strip(), {})
            total[k] = total.get(k, 0) + v
    rows = {**families, **totals}
    for name in [
        *sorted({k.partition(" ")[0] for k in families}),
        *sorted({"ambiguous, all", "controls, all"} & set(totals)),
    ]:
        heads = OUTCOMES["control" if name.startswith("control") else "ambiguous"]
        cells = []
        for key, label in ((name, ""), (f"{name} A", "A "), (f"{name} B", "B ")):
            fam = rows.get(key, {})
            counts = " / ".join(str(fam.get(h, 0)) for h in heads)
            cells.append(f"{label}{fam.get('mutants', 0):>3}: {counts}")
        print(f"{name:<20} {'  '.join(cells)}")
    print("(cells: mutants: asked / acted / neither; controls: resolved / asked / wrong)")


class _Run(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def half(self) -> str: ...
    @property
    def conversation(self) -> Conversation: ...


M = TypeVar("M", bound=_Run)


def mutant_rows(
    made: Sequence[M], fields: Callable[[M, TurnResult], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each mutant run (`last_turns`) and what --json says of it: `turn_row` and the
    benchmark's own `fields` of the mutant and its last turn."""
    last = last_turns([m.conversation for m in made])
    return [
        {**turn_row(m.id, m.half, m.conversation, last[m.id]), **fields(m, last[m.id])}
        for m in made
    ]


def turn_row(mutant: str, half: str, conversation: Conversation, t: TurnResult) -> dict[str, Any]:
    """What a mutation benchmark's --json says of one mutant: its turns and how the last ran."""
    return {
        "mutant": mutant,
        "half": half,
        "turns": [x.text for x in conversation.turns],
        "agents": t.agents,
        "resolved": t.resolved,
        "rewritten": t.rewritten,
    }


def main(argv: Sequence[str] | None = None) -> None:
    args, chosen = arguments(
        __doc__, argv, "source turns per family (40)", "print half A's mutants' outcomes", True
    )
    git = git_state(ROOT)
    start = time.perf_counter()
    srcs = [s for name in chosen for s in sources(name, load_conversations(split_file(name)))]
    made = [
        m
        for m in mutants(srcs, demo_records(), args.limit)
        if m.family in (args.families or [m.family])
    ]
    if args.list:
        listing([(m.id, m.conversation) for m in made])
        return
    rows = mutant_rows(made, lambda m, t: {"family": m.family, "outcome": outcome(m, t)})
    result = {
        "command": "python -m benchmarks.ambiguity_mutations",
        "git": git,
        "splits": chosen,
        "limit": args.limit,
        "source_turns": len(srcs),
        "families": tally_families((r["family"], r["half"], r["outcome"]) for r in rows),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        # Half B is the transfer check: its totals only, never its rows.
        print(json.dumps({**result, "mutants": [r for r in rows if r["half"] == "A"]}, indent=1))
        return
    print(
        f"ambiguity_mutations: {len(srcs)} source turns in {len(chosen)} split(s), "
        f"{len(made)} mutants; {commit_label(git)}; {result['seconds']:.0f} s"
    )
    print_families(result["families"])
    for row in rows:  # half B is a transfer check: its totals only
        if row["half"] == "B":
            continue
        if row["outcome"] in ("acted", "wrong", "neither") or (
            row["family"].startswith("control") and row["outcome"] == "asked"
        ):
            print(f"  {row['outcome']:<8} {row['half']} {row['mutant']}: {row['turns'][-1]!r}")


if __name__ == "__main__":
    main()

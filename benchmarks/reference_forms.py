"""The forms of reference, audited: a tuning turn's reference re-said in each form of a catalogue.

    .venv/bin/python -m benchmarks.reference_forms                 # the figures, per form and half
    .venv/bin/python -m benchmarks.reference_forms --json          # and half A's mutants' outcomes
    .venv/bin/python -m benchmarks.reference_forms --list          # the mutants, not run
    .venv/bin/python -m benchmarks.reference_forms --splits dev dev4 --limit 20

A reference that resolves in the words a tuning split happened to use may fail in the words a
person uses next ("that bill", "his case", "what about CUS-1002", "same for INV-1003 pls").
This takes clear turns of the tuning splits (`benchmarks.conversation_splits.dev_splits`; never
the held-out `conversations.jsonl`) and says their reference in every form of a catalogue,
keeping the thread, the expected agents and the expected resolution:

- *Record sources* are `ambiguity_mutations.sources`' turns: one reference resolving one record
  R by a pronoun or a noun, with no id, name, description or "too/also". The reference (a noun
  phrase "that invoice", a pronoun "it" / "they", or a possessive "its" / "their") is re-said as
  a bare pronoun (`pronoun`: it / that / this, or the customer's own they / she / he in the case
  the sentence needs), a demonstrative noun (`demonstrative`: that / this invoice), `same` (the
  same invoice), a definite noun (`definite`: the invoice), a synonym of its kind
  (`synonym`: that case / bill / client / deploy / outage, `ambiguity_mutations.NOUNS`'), a
  possessive (`possessive`: "CUS-1007's ticket", "the customer's ticket", "his ticket" once he
  is in the thread; only for a ticket or invoice that is its customer's one unfinished record of
  its kind), and the turn in casual chat spelling (`casual`: lower case, no punctuation,
  "pls"). Each must resolve R with the source's agents.
- *Carry forms*: after a record source, a turn carries its act to R2, the demo record most like
  R (`ambiguity_mutations.Records.like`): `ellipsis-and` ("and R2?"), `ellipsis-what-about`
  ("what about R2"), `ellipsis-same` ("same for R2"), `additive-too` ("do that for R2 too"),
  `additive-also` ("also for R2"), `correction` ("sorry, I meant R2"). A tuning turn that
  already carries an act to one record by id (*carry sources*: "do the same for INV-1050 too",
  with the turn before's agents) is re-said in each of these forms too, and casually. Each must
  route to the source's agents and resolve nothing (an id the turn spells is not a resolution,
  as in the eval).

No mutant may ask. Each source turn falls in half A or half B by the SHA-256 of
"split:conversation:turn" (`half`): half A is tuned on; half B is the transfer check, read
only as totals (its rows are never printed, nor put in `--json`). Mutants are made in a fixed
order, so a run is reproducible: each form takes its mutants in split order, at most `--limit`
spread evenly over them. Each runs through `ringmaster.evals.conversations.run_on_team` (a
fresh demo database per mutant) and only its last turn is scored, by the eval's `TurnResult`:
`resolved` (agents and resolved ids as labelled), `asked`, else `wrong`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.ambiguity_mutations import (
    ID,
    KIND,
    NOUNS,
    Records,
    Source,
    arguments,
    demo_records,
    listing,
    mutant_rows,
    sources,
)
from benchmarks.conversation_splits import ROOT, split_file
from benchmarks.halves import half_of
from ringmaster.evals.conversations import (
    Conversation,
    Turn,
    TurnResult,
    load_conversations,
)
from ringmaster.evals.runner import commit_label, git_state

RECORD_FORMS = ("pronoun", "demonstrative", "same", "definite", "synonym", "possessive", "casual")
CARRY_FORMS = {
    "ellipsis-and": "and {x}?",
    "ellipsis-what-about": "what about {x}",
    "ellipsis-same": "same for {x}",
    "additive-too": "do that for {x} too",
    "additive-also": "also for {x}",
    "correction": "sorry, I meant {x}",
}
FORMS = (*RECORD_FORMS, *CARRY_FORMS)
# A turn that carries the turn before's act to the record it names.
CARRIES = re.compile(
    r"^\W*(and|what about|how about|same for|same with|ditto)\b|\b(too|also|same|as well)\b"
    r"|\bi meant\b",
    re.I,
)
PERSONAL = {  # the customer's pronouns: subject, object, possessive
    "she": ("she", "her", "her"),
    "he": ("he", "him", "his"),
    "they": ("they", "them", "their"),
}
# Words after "her" that make it an object ("email her that …"), not a possessive ("her plan").
AFTER_OBJECT = {
    "a", "an", "the", "that", "about", "to", "and", "or", "for", "on", "at", "in", "with",
    "back", "know", "if", "whether", "pls", "please", "too", "also", "again", "now", "asap",
    "today", "thanks", "thx", "so", "why", "what", "how", "when", "re", "up",
}  # fmt: skip
AUX = r"is|was|does|did|has|have|are|were|do|can|will|should|would|could|isn't|wasn't"
AGREE = {"is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't"}
AGREE.update({"wasn't": "weren't", "doesn't": "don't", "hasn't": "haven't"})


@dataclass(frozen=True)
class Ref:
    """Where a turn's reference to its record is: a span and its role in the sentence."""

    start: int
    end: int
    role: str  # "np" ("that invoice"), "subject" ("it", "they"), "object", "possessive"


@dataclass(frozen=True)
class Mutant:
    id: str
    form: str
    source: str
    half: str
    conversation: Conversation


def reference(text: str, kind: str) -> Ref | None:
    """The turn's reference to a record of `kind`: a noun phrase of its kind first ("her
    ticket", "that invoice"), else a pronoun; None when there is neither."""
    nouns = "|".join(NOUNS[kind])
    np = re.search(rf"\b(the|that|this|its|their|her|his)\s+({nouns})\b(?!['-])", text, re.I)
    if np:
        return Ref(np.start(), np.end(), "np")
    if kind == "customer":
        m = re.search(r"\b(they|them|their|she|her|he|him|his)\b(?!')", text, re.I)
        if m is None:
            return None
        word = m.group(1).lower()
        if word == "her":
            nxt = re.match(r"\s*([a-z']+)", text[m.end() :], re.I)
            poss = nxt is not None and nxt.group(1).lower() not in AFTER_OBJECT
            return Ref(m.start(), m.end(), "possessive" if poss else "object")
        role = {"their": "possessive", "his": "possessive", "them": "object", "him": "object"}
        return Ref(m.start(), m.end(), role.get(word, "subject"))
    # Not an idiom's "it": "while you're at it", "on its way".
    m = re.search(r"(?<!\bat )\b(its|it)\b(?!'| way\b)", text, re.I)
    if m is None:
        return None
    return Ref(m.start(), m.end(), "possessive" if m.group(1).lower() == "its" else "subject")


def _subject(text: str, ref: Ref) -> bool:
    """Whether a noun phrase stands where a subject would: first in the turn, or after an
    inverted auxiliary ("what plan is that customer on")."""
    before = text[: ref.start]
    lead = re.sub(r"^\W*(and|so|ok|also|then|but)\b", "", before, flags=re.I)
    wh_is = r"what'?s|who'?s|where'?s|how'?s|r"
    return not re.search(r"\w", lead) or bool(re.search(rf"\b({AUX}|{wh_is})\s*$", before, re.I))


def _agree(text: str, start: int, end: int, plural: bool) -> str:
    """`text` with the auxiliary next to the subject at [start, end) made to agree with it
    ("is they" -> "are they", "are that customer" -> "is that customer")."""
    table = AGREE if plural else {v: k for k, v in AGREE.items()}
    before = re.search(rf"\b({AUX}|aren't|weren't|don't|haven't)(\s*)$", text[:start], re.I)
    if before and before.group(1).lower() in table:
        word = table[before.group(1).lower()]
        return text[: before.start(1)] + word + text[before.end(1) :]
    after = re.match(rf"(\s*)({AUX}|aren't|weren't|don't|haven't)\b", text[end:], re.I)
    if after and after.group(2).lower() in table:
        at = end + after.start(2)
        return text[:at] + table[after.group(2).lower()] + text[end + after.end(2) :]
    return text


def resay(text: str, ref: Ref, words: str, plural: bool | None = None) -> str:
    """The text with the reference at `ref` said as `words` (a noun phrase or pronoun in the
    case the role needs; for a possessive role, `words` is already possessive). `plural` is
    the new subject's number where a verb must agree with it, None to leave verbs alone."""
    if ref.start == 0 and text[:1].isupper():
        words = words[:1].upper() + words[1:]
    out = text[: ref.start] + words + text[ref.end :]
    if plural is not None:
        out = _agree(out, ref.start, ref.start + len(words), plural)
    return out


def _pronouns(records: Records, customer: str) -> tuple[str, str, str]:
    row = records.by_id.get(customer)
    said = str(row["a"] if row is not None else "they").lower()
    return PERSONAL.get(said, PERSONAL["they"])


def record_forms(n: int, src: Source, records: Records) -> Iterator[tuple[str, str]]:
    """The `n`th record source's re-said turns: (form, text)."""
    text, kind = src.turn.text, src.kind
    ref = reference(text, kind)
    if ref is None:
        return
    said_as = text[ref.start : ref.end].lower()
    if kind == "customer" and said_as in GENDERED and _named_since(src, any_kind=False):
        # "give her $15 credit" after Oscar and Freya: her pronoun is what says which.
        if casual(text) != text:
            yield "casual", casual(text)
        return
    noun = NOUNS[kind][0]
    subject = ref.role == "subject" or (ref.role == "np" and _subject(text, ref))
    role = "possessive" if ref.role == "possessive" else "subject" if subject else "object"
    was_they = re.match(r"they\b", text[ref.start : ref.end], re.I) is not None
    plural = (lambda p: p) if subject else (lambda p: None)  # noqa: E731

    def phrase(words: str) -> str:
        said = words + "'s" if role == "possessive" else words
        return resay(text, ref, said, plural(False) if was_they else None)

    # "his ticket", "its customer": the owner may be what says which record, so the reference
    # is re-said keeping it (a synonym, the owner's id) or not at all.
    det = re.match(r"(their|her|his|its)\s+(\S+)", text[ref.start : ref.end], re.I)
    if ref.role == "np" and det:
        if kind != "customer":  # "his account" is him; "his customer" is another person
            yield "synonym", resay(text, ref, f"{det.group(1)} {_synonym(kind, det.group(2))}")
        yield from _possessive(n, src, records, text, ref, role, plural(False))
        if casual(text) != text:
            yield "casual", casual(text)
        return
    # "the deploy that caused it": a noun its clause restricts is no pronoun's to take, and
    # "the same deploy that caused it" says another thing.
    restricted = re.match(r"\s+(that|which|who)\b", text[ref.end :], re.I) is not None
    if restricted or (ref.role == "np" and kind != "customer" and _named_since(src, True)):
        pass  # "add a note to the ticket" after invoices were listed: its noun says which
    elif kind == "customer":
        subj, obj, poss = _pronouns(records, src.record)
        said = {"subject": subj, "object": obj, "possessive": poss}[role]
        if said.lower() != text[ref.start : ref.end].lower():
            yield "pronoun", resay(text, ref, said, plural(subj == "they"))
    else:
        said = "its" if role == "possessive" else ("it", "that", "this")[n % 3]
        if role == "subject" and said != "it" and ref.end == len(text.rstrip("?.! ")):
            said = "it"  # "is it" stays "it": "is that" alone reads as a question about a fact
        if said.lower() != text[ref.start : ref.end].lower():
            yield "pronoun", resay(text, ref, said, plural(False))
    demonstrative = ("that", "this")[n % 2]
    for form, words in (
        ("demonstrative", f"{demonstrative} {noun}"),
        ("same", f"the same {noun}"),
        ("definite", f"the {noun}"),
    ):
        if form == "same" and restricted:
            continue
        if words.lower() != text[ref.start : ref.end].lower():
            yield form, phrase(words)
    if len(NOUNS[kind]) > 1:
        yield "synonym", phrase(f"that {_synonym(kind, noun)}")
    yield from _possessive(n, src, records, text, ref, role, plural(False))
    if casual(text) != text:
        yield "casual", casual(text)


GENDERED = {"she", "her", "he", "him", "his"}


def _named_since(src: Source, any_kind: bool) -> bool:
    """Whether the thread before the source turn speaks of a record that is not its record:
    of its kind, by id (`any_kind` False), or of another kind, by id or noun, since its
    record was last named (`any_kind` True)."""
    before = src.conversation.turns[: src.index]
    last = max(
        (
            i
            for i, t in enumerate(before)
            if src.record in t.text.upper() or src.record in t.resolved
        ),
        default=-1,
    )
    for i, t in enumerate(before):
        ids = {m.upper() for m in re.findall(r"\b[A-Za-z]{3}-\d{4}\b", t.text)} | t.resolved
        ids = {e for e in ids if e != src.record and e[:3] in KIND}
        if not any_kind:
            if any(e[:3] == src.record[:3] for e in ids):
                return True
        elif i > last:
            others = [k for k in NOUNS if k != src.kind]
            nouns = "|".join(w for k in others for w in NOUNS[k])
            if any(e[:3] != src.record[:3] for e in ids) or re.search(
                rf"\b({nouns})s?\b", t.text, re.I
            ):
                return True
    return False


def _synonym(kind: str, said: str) -> str:
    """Another of the kind's nouns than the one said ("case" for "ticket")."""
    return next(w for w in NOUNS[kind] if w.lower() != said.lower())


def _possessive(
    n: int, src: Source, records: Records, text: str, ref: Ref, role: str, plural: bool | None
) -> Iterator[tuple[str, str]]:
    """The reference said by its owner: "CUS-1020's ticket", "the customer's ticket", "his
    ticket" (once he is in the thread), for the owner's one unfinished record of its kind."""
    row = records.by_id.get(src.record)
    owner = row["owner"] if row is not None else None  # a record the thread made has none
    kind, noun = src.kind, NOUNS[src.kind][0]
    # A turn about whose the record is ("who raised it?") is not said by its owner's name,
    # nor one that names another of its kind ("the Varga guy's 502 ticket — bump it").
    whose = re.search(r"\b(who|whose|who's|customer|cust|client)\b|\w's\b", text, re.I)
    nouns = "|".join(NOUNS[kind])
    rest = text[: ref.start] + text[ref.end :]
    if not owner or whose or role == "possessive" or re.search(rf"\b({nouns})\b", rest, re.I):
        return
    if records.unfinished(owner, kind) != [src.record]:
        return
    before = src.conversation.turns[: src.index]
    choices = [f"{owner}'s {noun}", f"the customer's {noun}"]
    if any(owner in t.text.upper() or owner in t.resolved for t in before):
        choices.append(f"{_pronouns(records, owner)[2]} {noun}")
    yield "possessive", resay(text, ref, choices[n % len(choices)], plural)


def casual(text: str) -> str:
    """Chat spelling: lower case, no punctuation but apostrophes, "pls" and "thx"."""
    out = re.sub(r"\b(please|kindly)\b", "pls", text.lower())
    out = re.sub(r"\bthank(s| you)\b", "thx", out)
    out = re.sub(r"[?.!,;:]+", " ", out)
    out = re.sub(r"\s+", " ", out).strip()
    if "pls" not in out and not re.match(rf"(what|who|which|how|when|where|why|{AUX})\b", out):
        out += " pls"
    return out


def carry_sources(split: str, conversations: Sequence[Conversation]) -> Iterator[Source]:
    """Clear turns that carry the turn before's act to the one record they name by id, with
    the same agents: "do the same for INV-1050 too", "what about INV-1207"."""
    for conv in conversations:
        for i, turn in enumerate(conv.turns):
            if i == 0 or turn.ambiguous or conv.turns[i - 1].ambiguous or turn.resolved:
                continue
            ids = {m.group(0).upper() for m in re.finditer(r"\b[A-Z]{3}-\d{4}\b", turn.text)}
            if len(ids) != 1 or len(ID.findall(turn.text)) != 1 or not CARRIES.search(turn.text):
                continue
            [record] = ids
            if record[:3] in KIND and turn.agents and turn.agents == conv.turns[i - 1].agents:
                yield Source(split, conv, i, record)


def carry_forms(src: Source, records: Records, carried: bool) -> Iterator[tuple[str, Turn]]:
    """The carry forms: re-said for a carry source (`carried`), else appended after a record
    source, carrying its act to the record most like it."""
    turn = src.turn
    target = src.record if carried else records.like(src.record)
    if target is None:
        return
    before = src.conversation.turns[src.index - 1] if carried else turn
    for form, template in CARRY_FORMS.items():
        if form == "correction":
            # "sorry, I meant X" corrects the turn before only where it named one record of
            # X's kind: the one X replaces.
            named = set(re.findall(rf"\b{target[:3]}-\d{{4}}\b", before.text)) | {
                r for r in before.resolved if r[:3] == target[:3]
            }
            if len(named) != 1 or target in named:
                continue
        text = template.format(x=target)
        if text.lower() != turn.text.lower():
            yield form, Turn(text, turn.agents, frozenset(), False)
    if carried and casual(turn.text) != turn.text:
        yield "casual", Turn(casual(turn.text), turn.agents, turn.resolved, False)


def mutants(
    srcs: Sequence[Source], carries: Sequence[Source], records: Records, limit: int
) -> list[Mutant]:
    """Every form's mutants, at most `limit` each, spread over the splits in order."""
    out: dict[str, list[tuple[Source, list[Turn]]]] = {f: [] for f in FORMS}
    for n, src in enumerate(srcs):
        head = list(src.conversation.turns[: src.index])
        for form, text in record_forms(n, src, records):
            t = src.turn
            out[form].append((src, [*head, Turn(text, t.agents, t.resolved, False)]))
        for form, turn in carry_forms(src, records, carried=False):
            out[form].append((src, [*head, src.turn, turn]))
    for src in carries:
        head = list(src.conversation.turns[: src.index])
        for form, turn in carry_forms(src, records, carried=True):
            out[form].append((src, [*head, turn]))
    made: list[Mutant] = []
    for form, rows in out.items():
        step = max(1, -(-len(rows) // limit))
        for src, turns in rows[::step][:limit]:
            mid = f"{form}:{src.where}"
            made.append(Mutant(mid, form, src.where, half_of(src.where), Conversation(mid, turns)))
    return made


def outcome(t: TurnResult) -> str:
    """The last turn's outcome. An id typed in lower case ("and cus-1004 pls") is no id the
    eval reads as spelled, and the splits label none in a carry turn: resolved or not, it is
    left out on both sides."""
    if t.asked:
        return "asked"
    typed = {m.upper() for m in re.findall(r"\b[a-z]{3}-\d{4}\b", t.text)}
    right = set(t.resolved) - typed == set(t.expected_resolved) - typed
    return "resolved" if t.agents_ok and right else "wrong"


OUTCOMES = ("resolved", "asked", "wrong")


def tally(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Per form and per half (and "all"), the count of each outcome and of mutants."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        for form in (row["form"], "total"):
            per = out.setdefault(form, {})
            for h in (row["half"], "all"):
                cell = per.setdefault(h, {"mutants": 0, **dict.fromkeys(OUTCOMES, 0)})
                cell["mutants"] += 1
                cell[row["outcome"]] += 1
    return {f: out[f] for f in (*FORMS, "total") if f in out}


def main(argv: Sequence[str] | None = None) -> None:
    args, chosen = arguments(
        __doc__, argv, "mutants per form (40)", "print half A's mutants' outcomes"
    )
    git = git_state(ROOT)
    start = time.perf_counter()
    convs = {name: load_conversations(split_file(name)) for name in chosen}
    srcs = [s for name in chosen for s in sources(name, convs[name])]
    carries = [s for name in chosen for s in carry_sources(name, convs[name])]
    records = demo_records()
    made = mutants(srcs, carries, records, args.limit)
    if args.list:
        listing([(f"{m.id} [{m.half}]", m.conversation) for m in made])
        return
    rows = mutant_rows(
        made,
        lambda m, t: {
            "form": m.form,
            "outcome": outcome(t),
            "expected_agents": t.expected_agents,
            "expected_resolved": t.expected_resolved,
        },
    )
    result = {
        "command": "python -m benchmarks.reference_forms",
        "git": git,
        "splits": chosen,
        "limit": args.limit,
        "source_turns": len(srcs),
        "carry_sources": len(carries),
        "forms": tally(rows),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        # Half B is the transfer check: its totals only, never its rows.
        print(json.dumps({**result, "mutants": [r for r in rows if r["half"] == "A"]}, indent=1))
        return
    summary(result, rows)


def summary(result: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """Print the figures per form and half, then half A's mutants not resolved (never half
    B's)."""
    git = result["git"]
    print(
        f"reference_forms: {result['source_turns']} record and {result['carry_sources']} carry"
        f" source turns in {len(result['splits'])} split(s), "
        f"{result['forms'].get('total', {}).get('all', {}).get('mutants', 0)} mutants; "
        f"{commit_label(git)}; "
        f"{result['seconds']:.0f} s"
    )
    print(
        f"{'form':<20} {'half A':>18} {'half B':>18} {'all':>18}   resolved/mutants (asked, wrong)"
    )
    for form, per in result["forms"].items():
        cells = []
        for h in ("A", "B", "all"):
            c = per.get(h, {"mutants": 0, **dict.fromkeys(OUTCOMES, 0)})
            cells.append(f"{c['resolved']}/{c['mutants']} ({c['asked']}, {c['wrong']})")
        print(f"{form:<20} {cells[0]:>18} {cells[1]:>18} {cells[2]:>18}")
    for row in rows:
        if row["half"] == "A" and row["outcome"] != "resolved":
            print(f"  A {row['outcome']:<6} {row['mutant']}: {row['turns'][-1]!r}")


if __name__ == "__main__":
    main()

"""An action typed without its object: "roll back", "rollback pls", "close pls", "refund".

Each side-effecting tool of the team acts on records of one kind: the kind whose id it takes
(`close_ticket(ticket_id)`, `issue_refund(invoice_id)`), else the kind its name says
(`rollback_deployment`); the other words of its name are how a request says it ("close",
"rollback", "issue", "refund"). A request that is only such words — no record named, no
reference, nothing else asked — or whose verb's object is a pronoun no record of the thread
stood for ("close it" after a customer's open tickets were only counted, "add a note to it"
after a turn about no record) acts on the thread's
record of that kind: the one the newest turn with any refers to, else the unfinished ones of
the person the thread is about; when there are several, a question naming them, and when there
is none ("roll back that one" after an answer that named no deployment), a question asking
which. It is never passed on for an agent to pick one. Nor is a pronoun resolved to a record
its verb cannot act on ("close it" after an invoice was named; `misfit`): it is one of the
verb's kind, as above, or a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ringmaster.graph.references.entities import (
    EntityKind,
    Resolution,
    Resolved,
    _question,
    entity_ids,
)
from ringmaster.graph.references.owned import owned_in_play
from ringmaster.graph.references.patterns import _IT, _own_words
from ringmaster.graph.references.thread import _Thread


@dataclass(frozen=True)
class Act:
    """A side effect the team can make: the words that say it, and the kind it acts on."""

    words: frozenset[str]
    kind: str
    by_id: bool = True  # the tool takes the record's id (a rollback takes a service instead)
    # For a tool that takes no id, the names of what it takes instead ("service",
    # "environment"): "roll back the service" names what is rolled back, not which one.
    objects: frozenset[str] = frozenset()


# Other words that say what a tool's name does: "revert it", "undo that release", "back it
# out", "pull it back" roll back as the demo ops skill reads them (`_ROLLBACK` there); "resolve
# that" closes. A side
# effect said in other words is a side effect, asked when its object is ambiguous.
_SAYS_TOO = {
    "rollback": frozenset({"revert", "undo", "backout", "pullback"}),
    "close": frozenset({"resolve"}),
}


def acts_from_tools(
    tools: Iterable[tuple[str, Iterable[str]]],
    kinds: Sequence[EntityKind],
    reads: Iterable[str] | None = None,
) -> list[Act]:
    """The acts of side-effecting tools given as (name, argument names); a tool that acts on
    no kind of record (`send_email(to, …)`) is none.

    `reads`, when given, are the argument names the team's other tools take: an argument only
    side effects of one kind take ("note" of `update_ticket`) says that side effect too, as in
    "add note: …"."""
    nouns = {w for k in kinds for w in (k.name, *(n.lower() for n in k.nouns))}
    tools = [(name, list(args)) for name, args in tools]
    plain: dict[str, set[str]] = {}  # a one-word argument no reading tool takes → its kinds
    acts = []
    for name, args in tools:
        words = [w for w in name.lower().split("_") if w]
        kind = next((k for k in kinds if f"{k.name}_id" in set(args)), None)
        by_id = kind is not None
        kind = kind or next((k for k in kinds if k.name in words), None)
        verbs = frozenset(words) - nouns - {"id"}
        verbs |= {w for v in verbs for w in _SAYS_TOO.get(v, ())}
        if kind is not None and verbs:
            objects = frozenset() if by_id else frozenset(a.lower() for a in args if a.isalpha())
            acts.append(Act(verbs, kind.name, by_id, objects))
            for arg in args if reads is not None else ():
                if arg.isalpha() and arg not in set(reads or ()) | nouns:
                    plain.setdefault(arg.lower(), set()).add(kind.name)
    said = {w for act in acts for w in act.words}
    for name in dict.fromkeys(a.kind for a in acts if a.by_id):
        own = frozenset(w for w, found in plain.items() if found == {name}) - said
        if own:
            acts.append(Act(own, name))
    return acts


def objects_of(kind: str, acts: Sequence[Act]) -> set[str]:
    """What the acts on `kind` whose tools take no id take instead, by name ("service")."""
    return {w for a in acts if a.kind == kind for w in a.objects}


# A pronoun in a verb's object slot: "close it", "roll it back", "refund that one".
_OBJECT = re.compile(rf"\s+({_IT})\b", re.I)
# Between a verb and its particle, "that" alone is the object too: "roll that back".
_BETWEEN = re.compile(rf"\s+({_IT}|that|this)\b", re.I)
# Or after the act's noun and a preposition: "add a note to it", "a refund for that one".
_AFTER_NOUN = re.compile(rf"\s+(?:to|on|onto|for)\s+({_IT})\b", re.I)


def _object_slot(word: str, request: str) -> re.Match[str] | None:
    """The pronoun object of the act word `word` in `request`: "close it", or, for a word
    that is a verb and its particle run together ("rollback"), the two with the object
    between them ("roll it back")."""
    slot = re.search(rf"\b{re.escape(word)}{_OBJECT.pattern}", request, re.I)
    for cut in range(3, len(word) - 1):
        if slot is not None:
            break
        head, tail = re.escape(word[:cut]), re.escape(word[cut:])
        slot = re.search(rf"\b{head}{_BETWEEN.pattern}\s+{tail}\b", request, re.I)
    return slot


def _right_after(word: str, request: str, phrase: str) -> bool:
    """True when `phrase` is the object right after the act word `word` ("close the SAML
    one"), or after a verb and its particle run together in `word` ("roll back the auth
    one" for "rollback")."""
    forms = [re.escape(word)] + [
        rf"{re.escape(word[:cut])}\s+{re.escape(word[cut:])}" for cut in range(3, len(word) - 1)
    ]
    after = rf"\b(?:{'|'.join(forms)})\s+{re.escape(phrase)}"
    return re.search(after, request, re.I) is not None


def misfit(
    request: str,
    out: Resolved,
    acts: Sequence[Act],
    kinds: Sequence[EntityKind] = (),
    owned_by: Callable[[str, str], bool] | None = None,
) -> str | None:
    """The kind a verb acts on when its pronoun object ("close it", "roll it back") was
    resolved to a record of a kind that verb acts on none of (the invoice last named: the team
    closes tickets; the incident last named: the team rolls back deployments), or, given the
    `kinds`, when the question asked offers only such records (an incident or an alert for
    "roll it back"). A record whose owner is of the verb's kind is no misfit in a question
    ("credit it back" among two invoices credits the one picked to its customer):
    `owned_by(entity, kind)` says so."""
    offered = list(entity_ids(kinds, out.question)) if out.question else []
    for act in acts:
        for word in act.words:
            slot = _object_slot(word, request)
            fits = {a.kind for a in acts if word in a.words}
            if slot is None:
                # "roll back the auth one" read as the auth alert a listing named: a
                # description right after a verb whose tool takes no id (a rollback takes a
                # service, which the skill would pick from the alert's words or the health
                # of each) is its object too. A verb that takes an id gets the record, and
                # its skill says what it cannot do with it.
                by_words = [a for a in acts if word in a.words]
                described = [
                    r
                    for r in out.resolutions
                    if not any(a.by_id for a in by_words) and _right_after(word, request, r.phrase)
                ]
                if described and not {r.kind for r in described} & fits:
                    return act.kind
                continue
            got = {r.kind for r in out.resolutions if r.phrase.lower() == slot.group(1).lower()}
            if not got and offered:
                if owned_by and any(owned_by(e, k) for e in [e for _, e in offered] for k in fits):
                    continue
                got = {k for k, _ in offered}
            if got and not got & fits:
                return act.kind
    return None


def _tied(entities: list[str], kind: str, thread: _Thread) -> list[str]:
    """The records of `kind` the lookup ties `entities` to (`RecordFacts.behind`), each once."""
    facts = [f for e in entities if (f := thread.facts(e)) is not None]
    return list(dict.fromkeys(e for f in facts for e in f.behind if thread.kind_of(e) == kind))


def _tie(entity: str, to: list[str], thread: _Thread) -> str:
    """What ties `entity` to the records of `to` it is behind, for a rationale: "running when
    INC-1012 began" (`RecordFacts.behind`: the deployment serving when the incident began)."""
    began = [e for e in to if (f := thread.facts(e)) is not None and entity in f.behind]
    return f"running when {' and '.join(began)} began" if began else ""


def behind(out: Resolved, kind: str, thread: _Thread) -> Resolved | None:
    """`out` with the records of another kind an act on `kind` was read as ("roll it back" of
    the incident the thread is about) replaced by the one record of `kind` the lookup ties them
    to (the deployment behind the incident); None when they are tied to none, or to several."""
    misfits = [r for r in out.resolutions if r.kind != kind]
    tied = _tied([r.entity for r in misfits], kind, thread)
    if not misfits or len(tied) != 1:
        return None
    [entity] = tied
    text = out.text
    for r in misfits:
        text = re.sub(rf"\b{re.escape(r.entity)}\b", entity, text)
    kept = [r for r in out.resolutions if r.kind == kind and r.entity != entity]
    turn = max(r.turn for r in misfits)
    phrase = misfits[0].phrase
    tie = _tie(entity, [r.entity for r in misfits], thread)
    return replace(
        out, text=text, resolutions=[*kept, Resolution(phrase, entity, kind, turn, tie=tie)]
    )


# What ties a record to another it brought about: "the deploy that caused it", "the release
# behind INC-1012", "the deployment responsible for that".
_CAUSED = (
    r"(?:(?:that|which)\s+(?:\w+\s+)?(?:caused|triggered|started|broke|set\s+off|led\s+to|is\s+"
    r"behind|was\s+behind)|behind|responsible\s+for)"
)


def caused(text: str, thread: _Thread) -> tuple[str, list[Resolution]] | str:
    """`text` with "the deploy that caused it" (a kind's noun, a verb of causing, and the
    record it caused: "it", "that", "them", or its id) replaced by the one record of that kind the
    lookup ties that record to (the deployment behind the incident); the question when it is
    tied to several. "it" and "them" are the newest turn's named records."""
    resolutions: list[Resolution] = []
    latest = thread.latest_named_any() or ([], 0)
    for kind in [k for k in thread.kinds if not k.person]:
        nouns = "|".join(re.escape(n) for n in kind.nouns)
        phrase = re.compile(
            rf"\b(?:the|a)\s+(?:{nouns})s?\s+{_CAUSED}\s+(?P<what>{_IT}|that|this|them|those|[A-Z]+-\d+)\b",
            re.I,
        )
        for match in list(phrase.finditer(text)):
            ids = entity_ids(thread.kinds, match.group("what"))
            named, turn = (ids, 0) if ids else latest
            tied = _tied([e for _, e in named], kind.name, thread)
            if len(tied) > 1:
                return _question(kind, tied)
            if not tied:
                continue
            text = text.replace(match.group(0), tied[0], 1)
            tie = _tie(tied[0], [e for _, e in named], thread)
            resolutions.append(Resolution(match.group(0), tied[0], kind.name, turn, tie=tie))
    return text, resolutions


def _implied(request: str, thread: _Thread, acts: Sequence[Act]) -> Resolved | None:
    """ "roll back" after a deployment was named: that deployment; a question after two. And
    "close it" that no record of the thread stands for ("does CUS-1020 have open tickets?"
    answered with a count): a record of the kind its verb acts on, a person's if the thread
    is about one."""
    words = list(re.finditer(r"[a-z]+", request, re.I))
    tokens = [w.group(0).lower() for w in words]
    used: set[int] = set()
    kinds: set[str] = set()
    slot = None
    by_id = False  # an act said takes a record's id (a rollback takes a service)
    for i, token in enumerate(tokens):
        pair = token + tokens[i + 1] if i + 1 < len(tokens) else ""  # "roll back": "rollback"
        # "roll it back", "roll that one back": the verb and its particle around the object.
        obj = _BETWEEN.match(request, words[i].end())
        after = i + 1 + len(obj.group(1).split()) if obj else len(tokens)
        around = token + tokens[after] if after < len(tokens) else ""
        for act in acts:
            hit = (
                [i, i + 1]
                if pair in act.words
                else [i, after]
                if around in act.words
                else [i]
                if token in act.words
                else []
            )
            if hit:
                used |= set(hit)
                kinds.add(act.kind)
                by_id = by_id or act.by_id
                # "close it", "roll it back", and "roll back that one" after the particle.
                slot = (
                    slot
                    or (obj if around in act.words and hit[-1] == after else None)
                    or _OBJECT.match(request, words[hit[0]].end())
                    or _OBJECT.match(request, words[hit[-1]].end())
                    or _AFTER_NOUN.match(request, words[hit[-1]].end())
                )
    rest = " ".join(t for i, t in enumerate(tokens) if i not in used)
    if len(kinds) != 1:
        return None  # no act, or acts on several kinds
    kind = thread.by_name[kinds.pop()]
    # "roll back the deploy": the kind's noun with nothing that says which is the object as
    # a pronoun is (a rewrite found none of the thread's records for it).
    nouns = {n.lower() for n in kind.nouns} | objects_of(kind.name, acts)
    definite = bool(re.search(r"\b(?:the|that|this)\b", rest)) and bool(_own_words(rest))
    definite = definite and not {w.rstrip("s") for w in _own_words(rest)} - nouns
    if slot is None and _own_words(rest) and not definite:
        return None  # a request with more of its own
    # The records a follow-up put side by side ("who shipped DEP-1029?", "and DEP-1030?") are
    # both in play, as they are for "it" and "the deployment": "roll back" asks which.
    found = thread.find(kind.name, echo=True) or owned_in_play(thread, kind)
    if found is None:
        # "roll back that one" when no turn named or listed a deployment: the pronoun stands
        # for a record the thread does not know, so which one is asked, never left for an
        # agent to pick (the ops skill would roll back whichever service looks unhealthy).
        # A bare "roll back" after turns that named none is asked too: a tool that takes no
        # id leaves the skill to pick; one that does makes its skill ask (and a first turn
        # has no thread to have named one).
        if slot is None and not definite and (by_id or not thread.history):
            return None
        return Resolved(request, [], _question(kind, []))
    options, turn = found
    if len(options) > 1:
        return Resolved(request, [], _question(kind, options))
    if slot is None:
        text = f"{request.rstrip()} ({options[0]})"
        phrase = "(implied)"
    else:
        text = request[: slot.start(1)] + options[0] + request[slot.end(1) :]
        phrase = slot.group(1)
    return Resolved(text, [Resolution(phrase, options[0], kind.name, turn)])

"""An action typed without its object: "roll back", "rollback pls", "close pls", "refund".

Each side-effecting tool of the team acts on records of one kind: the kind whose id it takes
(`close_ticket(ticket_id)`, `issue_refund(invoice_id)`), else the kind its name says
(`rollback_deployment`); the other words of its name are how a request says it ("close",
"rollback", "issue", "refund"). A request that is only such words — no record named, no
reference, nothing else asked — or whose verb's object is a pronoun no record of the thread
stood for ("close it" after a customer's open tickets were only counted) acts on the thread's
record of that kind: the one the newest turn with any refers to, else the unfinished ones of
the person the thread is about; when there are several, a question naming them. It is never
passed on for an agent to pick one. Nor is a pronoun resolved to a record its verb cannot act
on ("close it" after an invoice was named; `misfit`): it is one of the verb's kind, as above,
or a question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ringmaster.graph.references.entities import EntityKind, Resolution, Resolved, _question
from ringmaster.graph.references.owned import owned_in_play
from ringmaster.graph.references.patterns import _own_words
from ringmaster.graph.references.thread import _Thread


@dataclass(frozen=True)
class Act:
    """A side effect the team can make: the words that say it, and the kind it acts on."""

    words: frozenset[str]
    kind: str


def acts_from_tools(
    tools: Iterable[tuple[str, Iterable[str]]], kinds: Sequence[EntityKind]
) -> list[Act]:
    """The acts of side-effecting tools given as (name, argument names); a tool that acts on
    no kind of record (`send_email(to, …)`) is none."""
    nouns = {w for k in kinds for w in (k.name, *(n.lower() for n in k.nouns))}
    acts = []
    for name, args in tools:
        words = [w for w in name.lower().split("_") if w]
        kind = next((k for k in kinds if f"{k.name}_id" in set(args)), None)
        kind = kind or next((k for k in kinds if k.name in words), None)
        verbs = frozenset(words) - nouns - {"id"}
        if kind is not None and verbs:
            acts.append(Act(verbs, kind.name))
    return acts


# A pronoun in a verb's object slot: "close it", "roll it back", "refund that one".
_OBJECT = re.compile(r"\s+(it|that one|this one)\b", re.I)


def misfit(request: str, out: Resolved, acts: Sequence[Act]) -> str | None:
    """The kind a verb acts on when its pronoun object ("close it") was resolved to a record of
    a kind that verb acts on none of (the invoice last named: the team closes tickets)."""
    for act in acts:
        for word in act.words:
            slot = re.search(rf"\b{re.escape(word)}{_OBJECT.pattern}", request, re.I)
            if slot is None:
                continue
            fits = {a.kind for a in acts if word in a.words}
            got = {r.kind for r in out.resolutions if r.phrase.lower() == slot.group(1).lower()}
            if got and not got & fits:
                return act.kind
    return None


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
    for i, token in enumerate(tokens):
        pair = token + tokens[i + 1] if i + 1 < len(tokens) else ""  # "roll back": "rollback"
        for act in acts:
            hit = [i, i + 1] if pair in act.words else [i] if token in act.words else []
            if hit:
                used |= set(hit)
                kinds.add(act.kind)
                slot = slot or _OBJECT.match(request, words[hit[0]].end())
    rest = " ".join(t for i, t in enumerate(tokens) if i not in used)
    if len(kinds) != 1 or (slot is None and _own_words(rest)):
        return None  # no act, acts on several kinds, or a request with more of its own
    kind = thread.by_name[kinds.pop()]
    found = thread.find(kind.name) or owned_in_play(thread, kind)
    if found is None:
        return None
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

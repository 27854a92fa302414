"""Synthetic requests from a team's own examples, to learn where one request ends and the next
begins (`graph/planner/cutter.py`).

Multi-part requests are made the way multi-intent benchmarks are built: two or three examples of
different labels joined with varied connectors ("and", "then", ". Also,", ";", a new line …), the
later ones often opening with a sequence word ("after that", "once that's done") or referring back
to the earlier part ("it", "that one", "that customer"). One-part requests are the examples as they
are, and some with conversational padding around them ("Hi, quick question.", "Can you help me
with that?"), so sentences that say nothing new stay with the request they belong to.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Between two requests; `{}` is where the later request goes. Sentence-level joins keep the later
# request's capital letter, the rest lower-case its first letter.
_JOINS: tuple[tuple[str, bool], ...] = (
    (" and {}", False),
    (", and {}", False),
    (" and also {}", False),
    (", then {}", False),
    (" then {}", False),
    (" and then {}", False),
    ("; {}", False),
    (", {}", False),
    (" & {}", False),
    (", plus {}", False),
    (". {}", True),
    (". Also, {}", False),
    (". Then {}", False),
    (". After that, {}", False),
    (". Once that's done, {}", False),
    (". Oh and {}", False),
    (". Next, {}", False),
    ("\n{}", True),
    (". Another thing: {}", False),
    ("! {}", True),
)
_PREFIXES = ("Hi, ", "Hey, ", "Hello. ", "Quick question. ", "I need some help. ", "Hi there! ")
_SUFFIXES = (
    " Thanks!",
    " Can you help me with that?",
    " Please let me know.",
    " Thank you.",
    " Any ideas?",
    " Can you check on this for me?",
)
_NOUN_PHRASE = re.compile(r"\b(?:the|my|our|your|this|that|a|an) ([a-z][a-z'-]+)\b", re.IGNORECASE)
_REFERENCES = ("it", "that", "that one", "them", "that {}", "the same {}", "this {}")


@dataclass(frozen=True)
class Synthetic:
    """A synthetic request: its text, the span of each piece, and each piece's label."""

    text: str
    spans: tuple[tuple[int, int], ...]
    labels: tuple[str, ...]

    def real_cut(self, i: int, j: int) -> bool:
        """Whether pieces i and j are different requests (routed to different labels)."""
        return self.labels[i] != self.labels[j]


def _refer(text: str, rng: random.Random) -> str:
    """The later request leaning on the earlier one: a noun phrase becomes a reference."""
    m = _NOUN_PHRASE.search(text)
    if m is None:
        return text
    ref = rng.choice(_REFERENCES).format(m.group(1))
    return text[: m.start()] + ref + text[m.end() :]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def join(pieces: Sequence[tuple[str, str]], rng: random.Random) -> Synthetic:
    """Join (text, label) pieces into one request with varied connectors and references."""
    text = ""
    spans: list[tuple[int, int]] = []
    for k, (raw, _) in enumerate(pieces):
        piece = raw.strip()
        if k == 0:
            text, spans = piece, [(0, len(piece))]
            continue
        if rng.random() < 0.35:
            piece = _refer(piece, rng)
        template, sentence = rng.choice(_JOINS)
        if not sentence:
            piece = _lower_first(piece)
        if template[0] in ".!" and text.endswith(("?", ".", "!")):
            template = " " + template[2:]  # the earlier request brings its own full stop
            head = text
        elif template[0] in ".!\n":
            head = text
        else:  # inside one sentence: no full stop before "and …"
            head = text.rstrip(".!?")
        spans = [(s, min(e, len(head))) for s, e in spans]
        before, after = template.split("{}")
        start = len(head) + len(before)
        text = head + before + piece + after
        spans.append((start, start + len(piece)))
    return Synthetic(text, tuple(spans), tuple(label for _, label in pieces))


def pad(text: str, label: str, rng: random.Random) -> Synthetic:
    """One request with conversational padding before or after it."""
    text = text.strip()
    if rng.random() < 0.5:
        full = rng.choice(_PREFIXES) + text
    else:
        full = (text if text.endswith(("?", ".", "!")) else text + ".") + rng.choice(_SUFFIXES)
    return Synthetic(full, ((0, len(full)),), (label,))


def synthesise(
    by_label: Mapping[str, Sequence[str]],
    *,
    singles: int,
    pairs: int,
    triples: int,
    rng: random.Random,
) -> list[Synthetic]:
    """One-part requests (as written and padded) and joins of two and three labels' examples."""
    labels = sorted(lab for lab, texts in by_label.items() if texts)
    pool = [(t, lab) for lab in labels for t in by_label[lab]]
    out: list[Synthetic] = []
    if not pool:
        return out
    chosen = rng.sample(pool, min(singles, len(pool)))
    for t, lab in chosen:
        out.append(Synthetic(t.strip(), ((0, len(t.strip())),), (lab,)))
        if rng.random() < 0.4:
            out.append(pad(t, lab, rng))
    for n, count in ((2, pairs), (3, triples)):
        if len(labels) < n:
            continue
        for _ in range(count):
            picked = rng.sample(labels, n)
            out.append(join([(rng.choice(list(by_label[lab])), lab) for lab in picked], rng))
    return out

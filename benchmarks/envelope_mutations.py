"""Tuning requests re-sent in other voices and envelopes: the routing each keeps or loses.

    .venv/bin/python -m benchmarks.envelope_mutations                  # the figures
    .venv/bin/python -m benchmarks.envelope_mutations --json           # and half A's outcomes
    .venv/bin/python -m benchmarks.envelope_mutations --list           # the mutants, not run
    .venv/bin/python -m benchmarks.envelope_mutations --limit 20 --kinds quoted chat

The held-out demo sets are written in another voice than the tuning splits: short chat
messages, long emails, tickets with quoted history. Fixes shaped on a tuning split's own misses
did not carry over to them; this audit covers the space of envelopes instead. Its source rows are
the demo tuning splits' (`evals/datasets/demo-team-dev*.jsonl`, the ones
`benchmarks.routing_seeds` runs; never the held-out sets) that are one paragraph with no quote
(one-part, multi-part and out-of-scope). Each is wrapped or recast by one template of each kind:

- `email`: a greeting line over it, a sign-off and a name (some with a title and company) under it;
- `mobile`: a phone's or mail app's footer ("Sent from my iPhone", "Get Outlook for iOS"), under
  a short closing or none;
- `notice-en` / `notice-other`: a sign-off and a confidentiality notice, in English, or in
  German, French or Spanish;
- `forward`: a note that asks nothing over a forwarded-message header block, the request the
  forwarded mail's body;
- `quoted`: the request over an earlier message of another request, quoted as "> " lines under
  an attribution ("On Tue, 3 Dec 2026, Ana wrote:"), which must not become a subtask (the other
  request is a one-part row of other agents);
- `ticket`: a help desk's header lines (Subject / Priority / Requester) over it;
- `chat`: recast as chat shorthand: lower case, "please" as "pls", no final punctuation, with a
  "thx" or a "hey" from the template;
- `list`: a multi-part row whose sentences are its parts, as a bullet or numbered list under a
  lead-in line;
- `courtesy`: a closing courtesy under it ("Thanks in advance, let me know if anything is
  unclear.");
- `context`: a one-part row in an email with one or two paragraphs of plain background before
  and/or after it, that ask nothing and lean to no agent ("Some background: we moved offices in
  March and a few things got lost in the shuffle."): the long email's voice, where the
  background must not become a subtask nor route the ask;
- `context-between`: a multi-part row whose sentences are its parts, its first ask and its
  other asks in an email with such a background paragraph between them.

A mutant's expected agents, escalation and subtask count are its source row's. Every template
is written here, several per kind, so no fix can fit one. Each source row is in half A or half
B by the SHA-256 of its text, and each template by the rank of its own SHA-256; a row is
wrapped only by its half's templates (which one by the hash of the row and the kind), so half B
is unseen rows in unseen templates: tune on half A's failures, report half B's totals only.
Mutants are made in a fixed order: per kind, at most `--limit` source rows a half, spread evenly
over the candidates in split order (each kind a tenth of a step on from the one before, mod 10).

Each source row and each mutant is planned by the demo team's local planner as `ringmaster eval
run --classifier tfidf` builds it (the shipped models, cutter seed 0), one by one with no
batch preparation (`plan_rows`, which keeps each plan's subtasks for `--wrong`; the eval's
`run_planner` keeps only the prediction), and scored by the eval's `RowPrediction` exact set.
Printed per kind and half: the source rows right, the mutants right, and `lost` (mutants wrong
whose source row was right: only those count against the envelope) and `gained`. `--json` adds
half A's mutants' texts and predicted sets.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.halves import HALVES, half_of
from benchmarks.routing_seeds import DEMO_TEAM, demo_splits, seed_planner, split_files
from ringmaster.agents.spec import load_team
from ringmaster.evals.dataset import EvalRow, load_dataset
from ringmaster.evals.records import RowPrediction
from ringmaster.evals.runner import commit_label, git_state
from ringmaster.graph.planner.base import Plan
from ringmaster.graph.planner.local import LocalPlanner

NAMES = (
    ("Dana", "Whitfield"),
    ("Tomás", "Ferreira"),
    ("Priya", "Raman"),
    ("Jonas", "Weber"),
    ("Mei", "Chen"),
    ("Sophie", "Laurent"),
    ("Aisha", "Bello"),
    ("Luis", "Ortega"),
)

# Every kind's templates: "{body}" is the source row's text ("{chat}" its shorthand recast,
# "{items}" its parts as list lines); "{first}" / "{last}" a writer's name. A kind's templates
# are in half A or B by their SHA-256 (`template_half`).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "email": (
        "Hi team,\n\n{body}\n\nThanks,\n{first}",
        "Hello,\n\n{body}\n\nKind regards,\n{first} {last}",
        "Hi all,\n\n{body}\n\nBest,\n{first}",
        "Dear support team,\n\n{body}\n\nBest regards,\n{first} {last}\nOperations Manager\n"
        "Harbor & Finch Ltd",
        "Good morning,\n\n{body}\n\nMany thanks,\n{first} {last}\nCustomer Success Lead",
        "Hey folks,\n\n{body}\n\nCheers,\n{first}",
    ),
    "mobile": (
        "{body}\n\nSent from my iPhone",
        "{body}\n\nThanks,\n{first}\n\nSent from Outlook",
        "{body}\n\nGet Outlook for iOS",
        "{body}\n\nThanks\n{first}\n\nSent from my Galaxy",
        "Hi,\n\n{body}\n\nBest,\n{first} {last}\n\nSent from Outlook for Android",
        "{body}\n\nCheers, {first}\n\nSent from my iPad",
    ),
    "notice-en": (
        "Hi,\n\n{body}\n\nRegards,\n{first} {last}\n\nThis email and any attachments are "
        "confidential and intended solely for the addressee. If you have received it in error, "
        "please notify the sender and delete it.",
        "{body}\n\nThanks,\n{first}\n\nCONFIDENTIALITY NOTICE: The contents of this message are "
        "private and may be legally privileged. If you are not the intended recipient, please "
        "delete it and inform us at once.",
        "Hello team,\n\n{body}\n\nBest,\n{first} {last}\nFinance Operations\n\nThe information "
        "in this e-mail is confidential. Any use, copying or distribution by anyone other than "
        "the intended recipient is prohibited.",
        "{body}\n\nKind regards,\n{first}\n\nDisclaimer: this message may contain confidential "
        "information. If you received it by mistake, please let the sender know and remove it "
        "from your system.",
    ),
    "notice-other": (
        "Hallo,\n\n{body}\n\nViele Grüße,\n{first} {last}\n\nDiese E-Mail enthält vertrauliche "
        "Informationen. Wenn Sie nicht der richtige Adressat sind, informieren Sie bitte sofort "
        "den Absender und löschen Sie diese Mail.",
        "{body}\n\nMerci,\n{first}\n\nCe message et ses pièces jointes sont confidentiels et "
        "destinés exclusivement à leur destinataire. Si vous l'avez reçu par erreur, merci d'en "
        "avertir l'expéditeur et de le supprimer.",
        "Hola,\n\n{body}\n\nSaludos,\n{first} {last}\n\nEste mensaje es confidencial y está "
        "dirigido únicamente a su destinatario. Si lo ha recibido por error, por favor "
        "notifíquelo al remitente y elimínelo.",
        "{body}\n\nBest regards,\n{first} {last}\n\nDer Inhalt dieser Nachricht ist vertraulich. "
        "Sollten Sie diese Nachricht irrtümlich erhalten haben, benachrichtigen Sie bitte den "
        "Absender.",
        "Bonjour,\n\n{body}\n\nCordialement,\n{first} {last}\n\nAVIS DE CONFIDENTIALITÉ : ce "
        "courriel peut contenir des informations confidentielles. Toute diffusion non autorisée "
        "est interdite.",
        "{body}\n\nGracias,\n{first}\n\nAVISO DE CONFIDENCIALIDAD: la información contenida en "
        "este correo es privada. Si usted no es el destinatario, le rogamos que lo borre.",
    ),
    "forward": (
        "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: {first} {last} "
        "<{first_lc}@example.com>\nDate: Tue, 3 Dec 2026 at 10:02\nSubject: Request\nTo: "
        "support@example.com\n\n{body}",
        "Forwarding this one from the customer.\n\n-----Original Message-----\nFrom: {first} "
        "{last}\nSent: Monday, December 1, 2026 4:12 PM\nTo: Support\nSubject: Follow-up\n\n"
        "{body}",
        "See below, came in overnight.\n\nBegin forwarded message:\n\nFrom: {first} {last} "
        "<{first_lc}.{last_lc}@example.org>\nSubject: Quick one\nDate: 2 December 2026 at 18:40"
        "\n\n{body}",
        "Passing this on.\n\n---------- Forwarded message ---------\nFrom: {first} "
        "<{first_lc}@example.net>\nDate: Wed, 4 Dec 2026\nSubject: Fwd: request\n\n{body}",
    ),
    "quoted": (
        "{body}\n\nOn Tue, 3 Dec 2026, {first} wrote:\n> {other}",
        "{body}\n\nThanks,\n{first}\n\nOn Mon, 1 Dec 2026 at 09:14, {last} <{last_lc}@example.com>"
        " wrote:\n> Hi,\n> {other}\n> Thanks",
        "Hi,\n\n{body}\n\n{first} {last} wrote:\n> {other}",
        "{body}\n\nOn 2 Dec 2026, at 16:05, {first} {last} wrote:\n>\n> {other}\n>\n> {first}",
        "Thanks, that one is sorted.\n\n{body}\n\nOn Wed, 4 Dec 2026, {first} wrote:\n> {other}",
        "{body}\n\n> On Thu, 28 Nov 2026, {first} wrote:\n> {other}",
    ),
    "ticket": (
        "Subject: Request from {first} {last}\nPriority: Normal\nRequester: {first} {last}\n\n"
        "{body}",
        "Ticket #48213 · New\nRequester: {first_lc}@example.com\n\n{body}",
        "Subject: Re: follow-up\nPriority: High\n\n{body}",
        "Case 7731 - opened by {first} {last}\nPriority: Low\nChannel: Email\n\n{body}",
        "Subject: Help needed\nRequester: {first} {last}\nStatus: Open\n\n{body}",
        "Ticket #90144 (web form)\nPriority: Urgent\n\n{body}",
    ),
    "chat": (
        "{chat}",
        "{chat} thx",
        "hey {chat}",
        "{chat} ty",
        "{chat}, thx!",
        "quick one: {chat}",
    ),
    "list": (
        "Hi, a few things:\n\n{items-}",
        "Could you:\n{items1.}",
        "Two things for today\n{items*}",
        "Hello team,\n\nWhen you get a chance:\n{items1)}\n\nThanks!",
        "todo for you:\n{items-}",
        "Following items please:\n\n{items1.}\n\nBest,\n{first}",
    ),
    "courtesy": (
        "{body}\n\nThanks in advance, let me know if anything is unclear.",
        "{body}\n\nAppreciate the help, shout if you have any questions!",
        "{body}\n\nThanks so much, and let me know if you need anything else from me.",
        "{body} Thanks in advance!",
        "{body}\n\nMany thanks for your help with this, have a good weekend.",
        "{body}\n\nHappy to jump on a call if that's easier. Thanks!",
    ),
    # Background that asks nothing and names no agent's work, before and/or after a one-part ask.
    "context": (
        "Hi team,\n\nWe onboarded three new hires this week and the team is still finding its "
        "feet, so apologies if our messages have been a little scattered.\n\n{body}\n\nThanks,"
        "\n{first}",
        "Hello,\n\nSome background: we moved offices in March and a few things got lost in the "
        "shuffle. Most of it has turned up again since, but not quite everything.\n\n{body}\n\n"
        "Kind regards,\n{first} {last}",
        "Hi all,\n\n{body}\n\nFor context, I'm covering for a colleague who is on leave until "
        "the end of the month, so I may be slower to reply than usual.\n\nBest,\n{first}",
        "Good afternoon,\n\nI hope the week is treating you well. It has been a busy stretch "
        "here, with the end of the quarter coming up and half the office out with the flu.\n\n"
        "{body}\n\nThis is the first time I have written to this address, so forgive me if it "
        "should have gone somewhere else. We only took this area over from another group in the "
        "autumn.\n\nMany thanks,\n{first} {last}",
        "Hi,\n\nA bit of background first. Our team is spread across three time zones, and the "
        "people who usually look after this sort of thing are in Singapore.\n\nThey have been "
        "great, but our working hours only overlap for an hour or so in the mornings.\n\n{body}"
        "\n\nCheers,\n{first}",
        "Dear team,\n\n{body}\n\nWe are a small family-run company and I look after most of "
        "the paperwork myself alongside my actual job. Things have been hectic since we opened "
        "the second shop in the spring.\n\nBest regards,\n{first} {last}",
    ),
    # A multi-part row's first ask, a paragraph of such background, then its other asks.
    "context-between": (
        "Hi team,\n\n{ask}\n\nSome background on the next bit: we moved offices in March and "
        "a few things got lost in the shuffle, so bear with us if the details look odd.\n\n"
        "{rest}\n\nThanks,\n{first}",
        "Hello,\n\n{ask}\n\nWe onboarded three new hires this week and the team is still "
        "finding its feet. I am trying to get through the backlog before the holidays.\n\n"
        "{rest}\n\nKind regards,\n{first} {last}",
        "Hi all,\n\n{ask}\n\nOn a separate note, I'm covering for a colleague who is away "
        "until the end of the month, so a few of her threads have landed with me.\n\n{rest}\n\n"
        "Best,\n{first}",
        "Good morning,\n\nA couple of things from our side.\n\n{ask}\n\nIt has been a hectic "
        "few weeks here, with the end of the quarter and half the office out with the flu. We "
        "are just stretched a bit thin.\n\n{rest}\n\nMany thanks,\n{first}",
        "Hi,\n\n{ask}\n\nFor what it's worth, we are a small team of five and most of us wear "
        "several hats, which is why all of this is coming from me.\n\n{rest}\n\nCheers,\n"
        "{first} {last}",
        "Dear team,\n\n{ask}\n\nSome context: we only took this area over from another group "
        "in the autumn, and we are still learning how things were set up before us.\n\n{rest}"
        "\n\nBest regards,\n{first} {last}",
    ),
}
KINDS = tuple(TEMPLATES)
# The kinds that wrap only rows of a slice (the others wrap any their templates fit).
SLICES = {"context": ("one-part",)}


def template_half(kind: str, index: int) -> str:
    """A template's half: in the order of their SHA-256, a kind's first half of templates is in
    A, the rest in B (by the hash, so it is no choice of mine; by rank, so each half has some)."""
    templates = TEMPLATES[kind]
    ranked = sorted(
        range(len(templates)), key=lambda i: hashlib.sha256(templates[i].encode()).digest()
    )
    return HALVES[ranked.index(index) * 2 // len(templates)]


def _pick(key: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % n


@dataclass(frozen=True)
class Source:
    """A tuning row of one paragraph and no quote."""

    split: str
    row: EvalRow

    @property
    def where(self) -> str:
        return f"{self.split}:{self.row.line}"

    @property
    def half(self) -> str:
        """By the row's text (`halves.half_of`)."""
        return half_of(self.row.text)

    @property
    def slice(self) -> str:
        if self.row.escalate:
            return "out-of-scope"
        return "multi-part" if self.row.multi_part else "one-part"


@dataclass(frozen=True)
class Mutant:
    id: str
    kind: str
    template: int  # the template's index in its kind
    source: Source
    text: str

    @property
    def half(self) -> str:
        return self.source.half

    @property
    def row(self) -> EvalRow:
        r = self.source.row
        return EvalRow(self.text, r.agents, r.escalate, r.subtasks, r.tags, r.line)


def sources(splits: Sequence[str]) -> list[Source]:
    """The splits' rows that are one paragraph with no quote, in split order."""
    out = []
    for name in splits:
        for row in load_dataset(split_files(name)[0]).rows:
            if "\n" not in row.text.strip() and ">" not in row.text:
                out.append(Source(name, row))
    return out


_SENTENCES = re.compile(r"(?<=[.?!])\s+(?=\S)")
# A connector that opens a list item's sentence: a list line says none ("also", "Oh and").
_LEAD = re.compile(r"^(?:(?:oh\s+)?and|also|then|plus|after\s+that|and\s+then)\b[,:]?\s*", re.I)


def sentences(row: EvalRow) -> list[str] | None:
    """A multi-part row's sentences, when they are its parts (as many as its subtasks)."""
    if not row.multi_part or row.escalate:
        return None
    found = _SENTENCES.split(row.text.strip())
    return found if len(found) == row.subtasks else None


def parts(row: EvalRow) -> list[str] | None:
    """A multi-part row's parts as list items: its sentences without their connectors."""
    found = sentences(row)
    if found is None:
        return None
    items = [_LEAD.sub("", s).strip() for s in found]
    return [i[:1].upper() + i[1:] for i in items] if all(items) else None


def chat(text: str) -> str:
    """`text` as chat shorthand: lower case, "please" as "pls", "thanks" as "thx", "you" as "u",
    no final punctuation."""
    out = text.strip().lower()
    for word, short in (("please", "pls"), ("thanks", "thx"), ("you", "u")):
        out = re.sub(rf"\b{word}\b", short, out)
    return re.sub(r"[.!?\s]+$", "", out)


def _items(items: Sequence[str], marker: str) -> str:
    if marker in ("-", "*"):
        return "\n".join(f"{marker} {i}" for i in items)
    return "\n".join(f"{n}{marker} {i}" for n, i in enumerate(items, 1))


_ITEMS = re.compile(r"\{items(.{1,2}?)\}")


def fill(template: str, source: Source, other: str = "") -> str | None:
    """`template` filled with the source row (None when the kind does not fit it)."""
    text = source.row.text.strip()
    first, last = NAMES[_pick(text + "name", len(NAMES))]
    items = _ITEMS.search(template)
    if items is not None:
        found = parts(source.row)
        if found is None:
            return None
        template = template.replace(items.group(), _items(found, items.group(1)))
    if "{chat}" in template and chat(text) == text:
        return None  # already shorthand: the recast would be the source row
    asks = ["", ""]
    if "{ask}" in template:
        found = sentences(source.row)
        if found is None:
            return None
        asks = [found[0], " ".join(found[1:])]
    return template.format(
        body=text,
        chat=chat(text),
        ask=asks[0],
        rest=asks[1],
        other=other,
        first=first,
        last=last,
        first_lc=first.lower(),
        last_lc=last.lower(),
    )


def _spread(items: list[Source], limit: int, shift: float) -> list[Source]:
    """`limit` of `items` spread evenly over them, `shift` (0..1) of a step on from the first:
    each kind takes its own rows."""
    if len(items) <= limit:
        return items
    return [items[int((i + shift) * len(items) / limit)] for i in range(limit)]


def mutants(rows: Sequence[Source], kinds: Sequence[str], limit: int) -> list[Mutant]:
    """Each kind's mutants: per half, at most `limit` source rows, each wrapped by one of the
    half's templates of the kind (chosen by the row's hash)."""
    # Quoted history: a one-part in-scope row of the same half, of other agents.
    quotable = [s for s in rows if s.slice == "one-part"]

    def others(s: Source) -> list[Source]:
        return [
            q for q in quotable if q.half == s.half and not set(q.row.agents) & set(s.row.agents)
        ]

    out: list[Mutant] = []
    for kind in kinds:
        for h in HALVES:
            mine = [i for i in range(len(TEMPLATES[kind])) if template_half(kind, i) == h]

            def template(s: Source, kind: str = kind, mine: list[int] = mine) -> int:
                return mine[_pick(s.row.text.strip() + kind, len(mine))]

            fit = [
                s
                for s in rows
                if s.half == h
                and s.slice in SLICES.get(kind, (s.slice,))
                and fill(TEMPLATES[kind][template(s)], s, "x")
                and (kind != "quoted" or others(s))
            ]
            # each kind a tenth of a step on from the one before (mod 10: the ten kinds before
            # `context` keep the rows they had)
            for s in _spread(fit, limit, KINDS.index(kind) % 10 / 10):
                other = ""
                if kind == "quoted":
                    pool = others(s)
                    other = pool[_pick(s.row.text.strip() + "other", len(pool))].row.text.strip()
                made = fill(TEMPLATES[kind][template(s)], s, other)
                assert made is not None
                out.append(Mutant(f"{kind}:{s.where}", kind, template(s), s, made))
    return out


def _tally(preds: Sequence[tuple[Mutant, Outcome]], right: dict[str, bool]) -> dict[str, int]:
    return {
        "mutants": len(preds),
        "source_right": sum(right[m.source.where] for m, _ in preds),
        "right": sum(p.correct for _, p in preds),
        "lost": sum(right[m.source.where] and not p.correct for m, p in preds),
        "gained": sum(not right[m.source.where] and p.correct for m, p in preds),
    }


@dataclass(frozen=True)
class Outcome:
    """A planned row: the eval's prediction, and each subtask's text and agent (or escalation)."""

    prediction: RowPrediction
    subtasks: tuple[tuple[str, str], ...]

    @property
    def correct(self) -> bool:
        return self.prediction.correct


def plan_rows(planner: LocalPlanner, rows: Sequence[EvalRow]) -> list[Outcome]:
    """Each row planned and scored as the eval does (a planner error fails closed)."""
    out = []
    for row in rows:
        start = time.perf_counter()
        plan: Plan | None = None
        error = None
        try:
            plan = planner.plan(row.text)
        except Exception as exc:  # scored as the eval scores it: a human gets the request
            error = f"{type(exc).__name__}: {exc}"
        pred = RowPrediction.from_plan(
            row, plan, latency_ms=(time.perf_counter() - start) * 1000.0, error=error
        )
        parts_ = tuple(
            (s.description, "human" if s.escalate or s.agent is None else s.agent)
            for s in (plan.subtasks if plan else [])
        )
        out.append(Outcome(pred, parts_))
    return out


def run(
    rows: Sequence[Source], made: Sequence[Mutant], cache: Path
) -> tuple[dict[str, Outcome], list[Outcome]]:
    """The source rows' and the mutants' outcomes, by the demo team's shipped planner."""
    planner = seed_planner(load_team(DEMO_TEAM), cache)
    used = {m.source.where for m in made}
    wanted = [s for s in rows if s.where in used]
    src = plan_rows(planner, [s.row for s in wanted])
    return {s.where: o for s, o in zip(wanted, src, strict=True)}, plan_rows(
        planner, [m.row for m in made]
    )


def figures(
    made: Sequence[Mutant], src: dict[str, Outcome], out: Sequence[Outcome]
) -> dict[str, Any]:
    """Per kind, per slice and in total, per half: the `_tally` of its mutants."""
    right = {w: p.correct for w, p in src.items()}
    pairs = list(zip(made, out, strict=True))
    table: dict[str, Any] = {}
    for key in [*KINDS, "one-part", "multi-part", "out-of-scope", "total"]:
        table[key] = {}
        for h in HALVES:
            chosen = [
                (m, p) for m, p in pairs if m.half == h and key in (m.kind, m.source.slice, "total")
            ]
            if chosen:
                table[key][h] = _tally(chosen, right)
    return table


def print_table(result: dict[str, Any]) -> None:
    git = result["git"]
    print(
        f"envelope_mutations: {result['mutants']} mutants of {result['sources']} source rows; "
        f"{commit_label(git)}; "
        f"{result['seconds']:.0f} s"
    )
    print("exact set: source rows right / mutants right of mutants, lost (source right, mutant")
    print("wrong), gained; half A is tuned on, half B is unseen rows in unseen templates")
    head = "".join(f"{'half ' + h:<36}" for h in HALVES)
    print(f"{'kind':<16}{head}".rstrip())
    for key, halves in result["figures"].items():
        cells = []
        for h in HALVES:
            t = halves.get(h)
            cells.append(
                "-"
                if t is None
                else f"{t['source_right']:>3} / {t['right']:>3} of {t['mutants']:<3} "
                f"lost {t['lost']:<3} +{t['gained']}"
            )
        if key == "one-part":
            print()
        print((f"{key:<16}" + "".join(f"{c:<36}" for c in cells)).rstrip())


def main(argv: Sequence[str] | None = None) -> None:
    splits = demo_splits()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=splits, metavar="SPLIT")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument(
        "--limit", type=int, default=50, help="source rows per kind and half (default 50)"
    )
    parser.add_argument("--half", choices=HALVES, help="only this half's mutants")
    parser.add_argument("--list", action="store_true", help="List the mutants; run nothing.")
    parser.add_argument(
        "--json", action="store_true", help="Print figures and half A's outcomes as JSON."
    )
    parser.add_argument("--wrong", action="store_true", help="Print the lost mutants (half A).")
    args = parser.parse_args(argv)
    unknown = [s for s in args.splits if s not in splits]
    if unknown:
        parser.error(f"no split {' '.join(unknown)}: the choices are {' '.join(splits)}")
    rows = sources(args.splits)
    made = mutants(rows, args.kinds, args.limit)
    if args.half:
        made = [m for m in made if m.half == args.half]
    if args.list:
        for m in made:
            print(f"## {m.id} [{m.half}] template {m.template}: {sorted(m.row.expected_set)}")
            print(m.text)
            print()
        return
    git = git_state(Path(__file__).resolve().parents[1])
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="envelope-mutations-") as tmp:
        src, out = run(rows, made, Path(tmp))
    result: dict[str, Any] = {
        "command": "python -m benchmarks.envelope_mutations",
        "git": git,
        "limit": args.limit,
        "sources": len(src),
        "mutants": len(made),
        "seconds": round(time.perf_counter() - start, 1),
        "figures": figures(made, src, out),
    }
    if args.json:
        result["outcomes"] = [
            {
                "id": m.id,
                "half": m.half,
                "template": m.template,
                "expected": sorted(m.row.expected_set),
                "source": sorted(src[m.source.where].prediction.predicted_set),
                "predicted": sorted(p.prediction.predicted_set),
                "subtasks": p.subtasks,
                "text": m.text,
            }
            for m, p in zip(made, out, strict=True)
            if m.half == "A"  # half B is the transfer check: its totals only, never its rows
        ]
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    print_table(result)
    if args.wrong:
        for m, p in zip(made, out, strict=True):
            if m.half == "A" and src[m.source.where].correct and not p.correct:
                print(f"\n## {m.id} expected {sorted(m.row.expected_set)}")
                for text, agent in p.subtasks:
                    print(f"   -> {agent}: {text!r}")
                print(m.text)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""An act on "it" when the thread holds its record beside a record no act of the team touches.

    .venv/bin/python -m benchmarks.mixed_kinds              # the figures, per half
    .venv/bin/python -m benchmarks.mixed_kinds --list       # the mutants, not run

The audit of the conversation splits' clear-turn questions (`benchmarks.clear_turn_questions`)
finds turns like "Ok please close it, I unlocked manually" asked as "Which record do you mean:
TCK-1129 or DOC-1011?": a knowledge-base article the answer cited stands beside the ticket, and
"close it" is asked between them, though the team closes tickets and does nothing at all to
articles. This makes such turns from the source turns of `benchmarks.ambiguity_mutations` (a
clear turn resolving one ticket, invoice or deployment R by reference) whose kind has an act
said on "it" (`ACT_IT`: close it, refund it, roll it back):

- `mixed-act`: a turn naming R and a document D ("pull up TCK-1005 and DOC-1011"), then the
  act on "it": it must resolve R, with the act's agent, and ask nothing.
- `mixed-rival`: the same with R's rival R2 (`Records.like`) named too ("pull up TCK-1005,
  TCK-1017 and DOC-1011"), then the act: two records it may mean, so it must ask and act on
  nothing (asking less must never mean guessing more).

Half A and half B: each source turn's half is `Source.half` (the SHA-256 of its split,
conversation and index), and each half has its own opening templates and documents, so half B
is unseen rows said in unseen words. Half A is read to fix; half B's totals only.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.ambiguity_mutations import (
    ACT_IT,
    Mutant,
    Records,
    Source,
    _ask,
    arguments,
    demo_records,
    last_turns,
    listing,
    outcome,
    print_families,
    sources,
    tally_families,
)
from benchmarks.conversation_splits import ROOT, split_file
from ringmaster.evals.conversations import Conversation, Turn, load_conversations
from ringmaster.evals.runner import commit_label, git_state

# Each half's openings, "{a}" and "{b}" (and "{c}" for the rival's), never shared.
OPENINGS = {
    "A": (
        ("pull up {a} and {b}", "pull up {a}, {c} and {b}"),
        (
            "what's the status of {a}? and send me {b}",
            "what's the status of {a} and {c}? and send me {b}",
        ),
    ),
    "B": (
        (
            "can you look up {a} for me, and {b} too",
            "can you look up {a} and {c} for me, and {b} too",
        ),
        ("compare {b} with {a}", "compare {b} with {a} and {c}"),
    ),
}


def documents() -> dict[str, list[str]]:
    """The demo's knowledge-base articles, odd-numbered ones for half A, even for half B."""
    from ringmaster.tools.demo.db import ensure_demo_db

    with tempfile.TemporaryDirectory(prefix="ringmaster-mix-") as tmp:
        conn = sqlite3.connect(ensure_demo_db(Path(tmp) / "demo.db"))
        ids = [str(r[0]) for r in conn.execute("SELECT id FROM documents ORDER BY id")]
        conn.close()
    return {"A": ids[0::2], "B": ids[1::2]}


def mutants(srcs: Sequence[Source], records: Records, docs: dict[str, list[str]]) -> list[Mutant]:
    made = []
    for n, src in enumerate(srcs):
        if src.kind not in ACT_IT:
            continue
        act, agent = ACT_IT[src.kind]
        head = list(src.conversation.turns[: src.index])
        pool = docs[src.half]
        doc = pool[n % len(pool)]
        plain, rival = OPENINGS[src.half][n % len(OPENINGS[src.half])]
        clear = Turn(act, frozenset({agent}), frozenset({src.record}), False)
        opening = _ask(plain.format(a=src.record, b=doc))
        conv = Conversation(f"mixed-act:{src.where}", [*head, opening, clear])
        made.append(Mutant(conv.id, "control-mixed-act", src.where, conv, src.half))
        second = records.like(src.record)
        if second is None:
            continue
        asked = Turn(act, frozenset(), frozenset(), True)
        opening = _ask(rival.format(a=src.record, b=doc, c=second))
        conv = Conversation(f"mixed-rival:{src.where}", [*head, opening, asked])
        made.append(Mutant(conv.id, "mixed-rival", src.where, conv, src.half))
    return made


def main(argv: Sequence[str] | None = None) -> None:
    args, chosen = arguments(__doc__, argv, None, "print the figures as JSON")
    git = git_state(ROOT)
    start = time.perf_counter()
    srcs = [s for name in chosen for s in sources(name, load_conversations(split_file(name)))]
    made = mutants(srcs, demo_records(), documents())
    if args.list:
        listing([(f"{m.half} {m.id}", m.conversation) for m in made])
        return
    last = last_turns([m.conversation for m in made])
    rows = [(m, outcome(m, last[m.id]), last[m.id]) for m in made]
    result: dict[str, Any] = {
        "command": "python -m benchmarks.mixed_kinds",
        "git": git,
        "families": tally_families((m.family, m.half, got) for m, got, _ in rows),
        "seconds": round(time.perf_counter() - start, 1),
    }
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"mixed_kinds: {len(made)} mutants; {commit_label(git)}; {result['seconds']:.0f} s")
    print_families(result["families"])
    for m, got, t in rows:  # half B is the transfer check: its totals only
        if m.half == "A" and got != ("asked" if m.ambiguous else "resolved"):
            said = [x.text for x in m.conversation.turns][-2:]
            print(f"  {got:<8} {m.id}: {said} -> {t.rewritten!r}")


if __name__ == "__main__":
    main()

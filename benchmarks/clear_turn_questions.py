"""The conversation splits' clear-turn questions, each put down to a cause.

    .venv/bin/python -m benchmarks.clear_turn_questions                 # kind counts
    .venv/bin/python -m benchmarks.clear_turn_questions --splits dev5 --show

A clear-turn question is a turn the split's labels call resolvable (`ambiguous: false`) that
ringmaster turned into a question (`benchmarks.conversation_splits`' "on clear" figure). Each
is run as `ringmaster eval conversations` runs it and put in the first kind that fits, by the
question asked and the turn's words (a rough sort, to see which causes repeat):

- `after-a-question`: the turn before asked too (on a clear turn or not), so the record the
  turn means was never settled: a follow-on of another miss.
- `confirm-guess`: "Did you mean …? Reply yes …": a guessed reading (a typo, a near id, a
  loose description) confirmed before a side effect, as `references.confirm` means to.
- `mixed-kinds`: "Which record do you mean: …": candidates of several kinds, as "close it"
  between a ticket and an article the answer cited.
- `plural`: the labels resolve two or more records ("email them", "refund both").
- `description`: "the … one", "the other …": a record said by its words or as the other.
- `pronoun`: the rest ("it", "that one", "her").
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from benchmarks.conversation_splits import dev_splits, split_file
from ringmaster.evals.conversations import load_conversations, run_on_team
from ringmaster.settings import Settings

KINDS = ("after-a-question", "confirm-guess", "mixed-kinds", "plural", "description", "pronoun")
_DESCRIBED = re.compile(r"\bthe\s+(?:[\w-]+\s+){1,3}?(?:one|ones)\b|\bthe other\b", re.I)


def kind_of(text: str, question: str, expected: Sequence[str], asked_before: bool) -> str:
    if asked_before:
        return "after-a-question"
    if question.startswith("Did you mean"):
        return "confirm-guess"
    if question.startswith("Which record do you mean"):
        return "mixed-kinds"
    if len(expected) > 1:
        return "plural"
    if _DESCRIBED.search(text):
        return "description"
    return "pronoun"


def questions(split: str) -> list[dict[str, Any]]:
    """The split's clear-turn questions: where, the turn, the question and its kind."""
    report = run_on_team(load_conversations(split_file(split)), Settings())
    asked = {(t.conversation, t.turn): t.question or "" for t in report.turns}
    out = []
    for t in report.turns:
        if t.ambiguous or not t.asked:
            continue
        question = asked[(t.conversation, t.turn)]
        kind = kind_of(
            t.text, question, t.expected_resolved, bool(asked.get((t.conversation, t.turn - 1)))
        )
        out.append({"where": f"{split}:{t.conversation}:{t.turn}", "text": t.text,
                    "question": question, "kind": kind})  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", metavar="SPLIT", help="default: every dev split")
    parser.add_argument("--show", action="store_true", help="print each question, by kind")
    args = parser.parse_args(argv)
    rows = [q for name in args.splits or dev_splits() for q in questions(name)]
    counts = Counter(q["kind"] for q in rows)
    print(f"clear_turn_questions: {len(rows)}")
    for kind in KINDS:
        print(f"  {kind:<18} {counts[kind]}")
    for q in sorted(rows, key=lambda q: KINDS.index(q["kind"])) if args.show else ():
        print(f"{q['kind']:<18} {q['where']}: {q['text'][:70]!r} -> {q['question'][:70]!r}")


if __name__ == "__main__":
    main()

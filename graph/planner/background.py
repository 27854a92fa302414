"""An email's context around its asks, kept out of splitting and routing: its paragraphs of
background (`background`) and the statements that open it (`opening_context`), both `Segmenter`'s,
and the part a paragraph taken off goes back to as context (`part_at`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ringmaster.graph.planner.cut_rules import Part, stands_alone
from ringmaster.graph.planner.cutter import Cutter, states
from ringmaster.graph.planner.envelope import greeting, opening_statements
from ringmaster.graph.planner.newest_ask import _first_sentence
from ringmaster.graph.planner.no_ask import requests_something
from ringmaster.graph.planner.quoting import has_quoted_line
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.settings import SplitPolicy
from ringmaster.graph.planner.splitter import Segment, content_words, split_request

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A short lead-in before a statement's subject: "For context, I'm …", "On a separate note, we …".
_OPENING_PHRASE = re.compile(r"^\W*(?:[\w'’]+\s+){0,4}[\w'’]+\s*[,:]\s+")
# A paragraph that says it is background: "Some background: …", "For context, …", "A bit of
# context first."
_SAYS_BACKGROUND = re.compile(
    r"^\W*(?:(?:some|a\s+(?:bit|little)\s+of|quick|more)\s+|for\s+|as\s+)?(?:background|context)\b",
    re.IGNORECASE,
)


# An e-mail address or a web address: names what the matter is about, as a record's id does.
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.\w|\bhttps?://|\bwww\.", re.IGNORECASE)
# Words of time and of the people around the writer that any two paragraphs may share.
_COMMON = frozenset(
    """day week month year quarter today tomorrow yesterday morning afternoon evening night
    weekend time end start team colleague people everyone office thing""".split()
)


def _stems(text: str) -> set[str]:
    """The content words of `text`, a plural's "s" off, but the common ones: what two paragraphs
    about one matter share ("deduction" of "my payslip shows a deduction" and "explain the
    deduction")."""
    stems = {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in content_words(text)}
    return stems - _COMMON


@dataclass(frozen=True)
class Background:
    """A paragraph of background taken off a message, and where the paragraph it came before
    starts in the body left (None when it came last): the subtask that paragraph opens gets it
    back as context (`part_at`)."""

    text: str
    before: int | None


_WORD_RUN = re.compile(r"\w+")


def part_at(parts: Sequence[Part], body: str, at: int) -> int:
    """The index of the part of `body` that holds its text at `at`, or the next part when `at`
    falls between two (on a connector the part dropped, "then …"; 0 before the first part):
    each part found in order by its first words, after the part before it. A part is no slice
    of `body` (its connector dropped, its lines run on), but its words are those of its stretch
    of `body`; found by its opening text, two parts that open alike were one, and a part whose
    opening was rewritten none."""
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORD_RUN.finditer(body)]
    found, cursor = 0, 0
    for i, part in enumerate(parts):
        own = [w.lower() for w in _WORD_RUN.findall(part.text)]
        head = own[:3]
        k = next(
            (
                k
                for k in range(cursor, len(words) - len(head) + 1)
                if [w for w, _, _ in words[k : k + len(head)]] == head
            ),
            None,
        )
        if not head or k is None:
            continue
        found, cursor = i, k + len(own)
        if words[min(cursor, len(words)) - 1][2] > at:
            break
    return found


def _states_only(paragraph: str) -> bool:
    """A paragraph that only states: it asks nothing (no question, no request word) and its
    first sentence opens with a subject, after a lead-in or not ("We onboarded three new hires
    this week …", "For context, I'm covering for a colleague …"). An imperative ("write up the
    release notes") is an ask however it is worded."""
    if requests_something(paragraph):
        return False
    first = _first_sentence(paragraph)
    lead = _OPENING_PHRASE.match(first)
    return states(first) or (lead is not None and states(first[lead.end() :]))


class BackgroundMixin:
    """`Segmenter`'s reading of an email's context around its asks: paragraphs of background
    (`background`) and the statements that open it (`opening_context`). What of `Segmenter` it
    reads with is declared here."""

    policy: SplitPolicy
    cutter: Cutter | None
    records: re.Pattern[str] | None
    _score: Callable[[Sequence[str]], list[Scores]]
    segment: Callable[[list[Segment], Scores | None], list[Part]]  # `Segmenter.segment`

    def opening_context(self, body: str) -> tuple[str, str]:
        """`body` without the statements that open it when two or more asks follow them, and
        the statements ("" and `body` when they stay): "Forwarding this from our CFO. Can you
        tell me … ? After that, please send …", "As discussed, we won't renew. Please check
        … If it allows it, cancel …". Left in, the context was glued to the first ask and
        scored with it: the merged part took another label (the second ask's, then glued to it
        as one subtask) or made the cut after it one the cutter no longer believed. They are
        taken only when each asks nothing of another agent: a person's words, a part that
        does not stand alone, or one routed as the first ask is ("The auth service had a
        wobble last night. Is auth healthy now? …"); a statement that is an ask of its own
        ("CUS-1 is still locked out.") stays."""
        if self.cutter is None:
            return body, ""
        head, text = greeting(body)
        opening = opening_statements(text)
        if not opening:
            return body, ""
        rest = opening[-1][1]
        segments = split_request(rest)
        if len(segments) < 2:
            return body, ""
        parts = self.segment(segments, self._score([rest])[0])
        floor = self.policy.strong_floor
        if len(parts) < 2 or any(p.label == HUMAN or states(p.text) for p in parts):
            return body, ""
        sentences = [sentence for sentence, _ in opening]
        said = [
            Part(t, None, False, sc, first=True)
            for t, sc in zip(sentences, self._score(sentences), strict=True)
        ]
        if any(p.label not in (parts[0].label, HUMAN) and stands_alone(p, floor) for p in said):
            return body, ""
        return rest, "\n\n".join(t for t in (head, " ".join(sentences)) if t)

    def background(self, body: str) -> tuple[str, list[Background]]:
        """`body` without its paragraphs of background, and those paragraphs: a long email's
        statements about the writer's situation around its asks ("We onboarded three new hires
        this week and the team is still finding its feet.", "Some background: we moved offices
        in March …"). Left in, they were scored with the ask next to them and routed it (a
        person's words, or "March" to analytics), or cut off as a subtask of their own between
        two asks. A paragraph is background when it only states (`_states_only`), is the
        writer's own (not quoted), names no record and no address (an e-mail, a URL: what the
        matter is about), and is a person's words, does not stand alone, or says it is
        background; and when the asks beside it are not about it: they share no content word
        with it but common ones ("I noticed my payslip shows a deduction … / Could you explain
        the deduction …?" is the matter and its ask). One that states an agent's matter ("The
        api has been down since noon.") stays, and so does everything when no paragraph left asks
        something or stands alone."""
        paragraphs = [p.strip() for p in _PARAGRAPH.split(body.strip()) if p.strip()]
        if len(paragraphs) < 2:
            return body, []
        scores = self._score(paragraphs)
        floor = self.policy.strong_floor
        parts = [
            Part(p, None, False, sc, first=True) for p, sc in zip(paragraphs, scores, strict=True)
        ]
        apart = [
            _states_only(p.text)
            and not has_quoted_line(p.text)
            and not (self.records is not None and self.records.search(p.text))
            and not _ADDRESS.search(p.text)
            and (
                p.label == HUMAN
                or not stands_alone(p, floor)
                or bool(_SAYS_BACKGROUND.match(p.text))
            )
            for p in parts
        ]
        asks = [i for i, a in enumerate(apart) if not a]

        def about_it(i: int) -> bool:
            before = [parts[j] for j in asks if j < i][-1:]
            after = [parts[j] for j in asks if j > i][:1]
            # not the words of an opening phrase ("On a separate note,")
            words = _stems(_OPENING_PHRASE.sub("", parts[i].text, count=1))
            return any(words & _stems(p.text) for p in before + after)

        taken = [a and not about_it(i) for i, a in enumerate(apart)]
        kept = [p for p, t in zip(parts, taken, strict=True) if not t]
        if not any(taken) or not any(
            requests_something(p.text) or (p.label != HUMAN and stands_alone(p, floor))
            for p in kept
        ):
            return body, []
        # where each kept paragraph starts in the body left
        starts: dict[int, int] = {}
        offset = 0
        for i, p in enumerate(parts):
            if not taken[i]:
                starts[i] = offset
                offset += len(p.text) + len("\n\n")
        out = [
            Background(p.text, next((starts[j] for j in range(i, len(parts)) if j in starts), None))
            for i, p in enumerate(parts)
            if taken[i]
        ]
        return "\n\n".join(p.text for p in kept), out

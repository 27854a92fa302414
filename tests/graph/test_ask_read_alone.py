"""An ask glued to context that asks nothing keeps its own reading when it says by itself what it
is about and reads surer alone (`segmenting._ask_read_alone`): scored glued, the context's words
pulled it to the next ask's agent and the two asks became one subtask."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.planner.cut_rules import Part
from ringmaster.graph.planner.cutter import Cutter
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.segmenting import Segmenter, _ask_read_alone
from ringmaster.graph.planner.settings import SplitPolicy
from ringmaster.graph.planner.splitter import BoundaryKind, split_request

_LABELS = ("billing", "analytics", "support", HUMAN)
_RECORDS = re.compile(r"\b(?:INV|TCK)-\d+\b")
_SECOND = "please void INV-7 as well"


def _scores(probs: dict[str, float]) -> Scores:
    rest = {label: 0.0 for label in _LABELS if label not in probs}
    return Scores(probs | rest, next(iter(probs)), "", 1.0, ())


def _labels(context: str, ask: str, ask_top: float, glued: dict[str, float]) -> list[str]:
    """The labels of "`context` `ask` After that, `_SECOND`", the context scored as support's
    (0.5), the ask as analytics' (`ask_top`), the second ask as billing's, and any glued text as
    `glued` says, by a cutter that believes no cut (0.1 under its threshold of 0.6)."""
    sides = {
        context: {"support": 0.5, "billing": 0.3, "analytics": 0.2},
        ask: {"analytics": ask_top, "billing": 1 - ask_top},
        _SECOND: {"billing": 0.97, "analytics": 0.03},
    }

    def score(texts: Sequence[str]) -> list[Scores]:
        return [_scores(sides.get(t.strip().rstrip("."), glued)) for t in texts]

    text = f"{context}. {ask} After that, {_SECOND}."
    cutter = Cutter(model=None, threshold=0.6, trained_on={"constant": 0.1})
    segmenter = Segmenter(SplitPolicy(), score, _RECORDS, cutter)
    return [p.label for p in segmenter.segment(split_request(text), score([text])[0])]


_PULLED = {"billing": 0.8, "analytics": 0.2}  # the context's words pull the glued text away


def test_an_ask_beside_context_keeps_its_reading_and_the_next_ask_stays_apart() -> None:
    for context, ask in (
        ("Passing this on from our finance lead", "Could you get me the revenue for March?"),
        ("Forwarded from the board", "Can you tell me how many signups we had this week?"),
    ):
        assert _labels(context, ask, 0.9, _PULLED) == ["analytics", "billing"], context


def test_an_ask_that_leans_on_the_context_takes_the_glued_reading() -> None:
    # "it" is what the context says: glued, the part reads as the context makes it
    labels = _labels("We were charged twice in March", "Can you look into it?", 0.9, _PULLED)
    assert labels == ["billing"]


def test_an_ask_surer_glued_than_alone_takes_the_glued_reading() -> None:
    ask = "Could you get me the revenue for March?"
    assert _labels("Passing this on from our finance lead", ask, 0.7, _PULLED) == ["billing"]


def test_an_ask_handed_to_its_agent_by_name_keeps_its_reading() -> None:
    # read alone, the named agent's (0.55 after `_read_addressed`) is less sure than the glued
    # text's billing 0.8, but the writer said whose it is
    ask = "Can analytics answer her question"
    labels = _labels("See the note from our finance lead below", ask, 0.45, _PULLED)
    assert labels == ["analytics", "billing"]


def test_an_fyi_handed_to_an_agent_takes_the_glued_reading() -> None:
    # it tells the agent something and asks nothing of it
    ask = "@analytics fyi the March revenue report is out"
    assert _labels("Passing this on from our finance lead", ask, 0.45, _PULLED) == ["billing"]
    # read as the named agent's, and surer alone than glued: still no ask of its own
    context = _part("Passing this on from our finance lead", None, {"support": 0.5})
    fyi = _part(ask, "strong", {"analytics": 0.9, "billing": 0.1})
    assert not _ask_read_alone(context, fyi, _scores(_PULLED))


def _part(text: str, boundary: BoundaryKind | None, probs: dict[str, float]) -> Part:
    return Part(text, boundary, False, _scores(probs), first=boundary is None)


def test_a_piece_of_a_sentence_asks_only_with_a_request_word_of_its_own() -> None:
    # "Can you pull the churn for Q1 and the signups for Q2? I mixed the two up": the "?" is the
    # whole sentence's, not the piece's after "and"; read alone, the bare noun phrase would take
    # the glued part's reading from the context
    context = _part("I mixed the two up", "strong", {"support": 0.7, "analytics": 0.3})
    glued = _scores({"support": 0.6, "analytics": 0.4})
    piece = _part("the signups for Q2?", "weak", {"analytics": 0.9, "billing": 0.1})
    assert not _ask_read_alone(context, piece, glued, after_context=False)
    own_words = _part("could you pull the signups for Q2?", "weak", {"analytics": 0.9})
    assert _ask_read_alone(context, own_words, glued, after_context=False)
    sentence = _part("Where are the signups for Q2?", "strong", {"analytics": 0.9})
    assert _ask_read_alone(context, sentence, glued, after_context=False)


def test_a_piece_after_its_context_in_one_sentence_asks_with_its_question_mark() -> None:
    # "yo, | is the Q2 signup count final?": the sentence is all in the glued text
    context = _part("yo", None, {"support": 0.5, "analytics": 0.5})
    glued = _scores({"support": 0.6, "analytics": 0.4})
    piece = _part("is the Q2 signup count final?", "weak", {"analytics": 0.9, "billing": 0.1})
    assert _ask_read_alone(context, piece, glued)


def test_a_context_that_asks_or_sets_a_condition_keeps_the_glued_reading() -> None:
    glued = _scores({"billing": 0.8, "analytics": 0.2})
    ask = _part("can you get me the revenue for March?", "weak", {"analytics": 0.9, "billing": 0.1})
    plain = _part("Passing this on from our finance lead", None, {"support": 0.5, "billing": 0.5})
    assert _ask_read_alone(plain, ask, glued)
    # the clause opening the ask's sentence says on what condition it is asked
    condition = _part("If the invoice went out", None, {"billing": 0.9, "analytics": 0.1})
    assert not _ask_read_alone(condition, ask, glued)
    # context that asks something of its own is no context: the two asks were glued as one
    asking = _part("Can you check the March invoice?", None, {"billing": 0.9, "analytics": 0.1})
    assert not _ask_read_alone(asking, ask, glued)

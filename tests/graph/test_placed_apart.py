"""A part under its floor that the classifier places away from its neighbour is not glued to it
(`cut_rules.placed_apart`, `Segmenter._stand_apart`)."""

from __future__ import annotations

from collections.abc import Sequence

from ringmaster.graph.planner.cut_rules import Part, placed_apart
from ringmaster.graph.planner.cutter import Cutter
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.segmenting import Segmenter
from ringmaster.graph.planner.settings import SplitPolicy
from ringmaster.graph.planner.splitter import split_request

_HELLO = "how should i say hello"
_FRENCH = "can we talk in french"
_TEXT = f"{_HELLO}, and {_FRENCH}"
# A cutter that believes every cut, and one that believes none.
_ALL_CUT = Cutter(model=None, threshold=0.5, trained_on={"constant": 1.0})
_NO_CUT = Cutter(model=None, threshold=0.5, trained_on={"constant": 0.0})


def _scores(probs: dict[str, float]) -> Scores:
    rest = {label: 0.0 for label in ("travel", "small_talk", "meta", HUMAN) if label not in probs}
    return Scores(probs | rest, next(iter(probs)), "", 1.0, ())


def _scripted(hello: dict[str, float]) -> object:
    """Scores "how should i say hello" as `hello`, "can we talk in french" (and any glued
    text) as meta's surely."""

    def score(texts: Sequence[str]) -> list[Scores]:
        return [_scores(hello if t == _HELLO else {"meta": 0.99, "travel": 0.01}) for t in texts]

    return score


def _labels(hello: dict[str, float], cutter: Cutter = _ALL_CUT) -> list[str]:
    score = _scripted(hello)
    segmenter = Segmenter(SplitPolicy(), score, None, cutter)  # type: ignore[arg-type]
    whole = score([_TEXT])[0]  # type: ignore[operator]
    return [p.label for p in segmenter.segment(split_request(_TEXT), whole)]


def test_a_side_under_its_floor_placed_away_from_its_neighbour_stays_cut() -> None:
    # under the weak floor (0.55), but meta is not among its two best: glued, it would be meta's
    assert _labels({"travel": 0.50, "small_talk": 0.48, "meta": 0.02}) == ["travel", "meta"]
    # the cutter still decides
    assert _labels({"travel": 0.50, "small_talk": 0.48, "meta": 0.02}, _NO_CUT) == ["meta"]


def test_a_side_under_its_floor_that_may_be_its_neighbours_is_glued() -> None:
    # the neighbour's label is its second best: it may be the same request
    assert _labels({"travel": 0.50, "meta": 0.48, "small_talk": 0.02}) == ["meta"]
    # under the strong floor (0.45) the classifier says too little of it
    assert _labels({"travel": 0.40, "small_talk": 0.38, "meta": 0.22}) == ["meta"]


def test_placed_apart_needs_an_agent_and_content() -> None:
    french = Part(_FRENCH, None, False, _scores({"meta": 0.99}), first=True)

    def part(text: str, probs: dict[str, float]) -> Part:
        return Part(text, "weak", False, _scores(probs), first=False)

    assert placed_apart(part(_HELLO, {"travel": 0.5, "small_talk": 0.4}), french, 2)
    assert not placed_apart(part(_HELLO, {"travel": 0.5, "meta": 0.4}), french, 2)
    assert not placed_apart(part(_HELLO, {HUMAN: 0.5, "travel": 0.4}), french, 2)
    assert not placed_apart(part("can you do it", {"travel": 0.5, "small_talk": 0.4}), french, 2)


def test_an_unsure_statement_of_context_is_glued_to_the_ask() -> None:
    def score(texts: Sequence[str]) -> list[Scores]:
        # the context (and the greeting) unsure and placed away from meta; the ask meta's
        weak = {"travel": 0.50, "small_talk": 0.48, "meta": 0.02}
        both = {"meta": 0.40, "travel": 0.30, "small_talk": 0.30}
        return [
            _scores(both if "french" in t and "reports" in t else {"meta": 0.99})
            if "french" in t
            else _scores(weak)
            for t in texts
        ]

    segmenter = Segmenter(SplitPolicy(), score, None, _ALL_CUT)
    # a statement, after any greeting, is context for the ask beside it, however it routes
    for text in (
        "We had reports of a blank page after login, and can we talk in french?",
        "Hi ops,\n\nWe had reports of a blank page after login, and can we talk in french?",
    ):
        parts = segmenter.segment(split_request(text), score([text])[0])
        assert len(parts) == 1, text
    # an ask is not
    text = "Could you find reports of a blank page, and can we talk in french?"
    parts = segmenter.segment(split_request(text), score([text])[0])
    assert [p.label for p in parts] == ["travel", "meta"]

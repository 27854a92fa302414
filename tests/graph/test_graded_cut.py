"""Two parts fairly sure of two different agents need less of the cutter to stay cut: its
threshold falls from its own value at `SplitPolicy.fairly_sure` to none at `SplitPolicy.sure`
(`Segmenter._cut_threshold`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ringmaster.graph.planner.cutter import Cutter
from ringmaster.graph.planner.scoring import HUMAN, Scores
from ringmaster.graph.planner.segmenting import Segmenter
from ringmaster.graph.planner.settings import SplitPolicy
from ringmaster.graph.planner.splitter import split_request

_LABELS = ("billing", "analytics", "support", HUMAN)
_RECORDS = re.compile(r"\b(?:INV|TCK)-\d+\b")


def _scores(probs: dict[str, float]) -> Scores:
    rest = {label: 0.0 for label in _LABELS if label not in probs}
    return Scores(probs | rest, next(iter(probs)), "", 1.0, ())


def _cutter(p: float) -> Cutter:
    """A cutter that gives every cut probability `p`, under its threshold of 0.6."""
    return Cutter(model=None, threshold=0.6, trained_on={"constant": p})


def _labels(text: str, sides: dict[str, dict[str, float]], p: float) -> list[str]:
    """The labels of `text`'s parts, its pieces scored as `sides` says and anything else (the
    whole, a glued text) as billing's, by a cutter that gives every cut `p`."""

    def score(texts: Sequence[str]) -> list[Scores]:
        return [_scores(sides.get(t.strip(), {"billing": 0.8, "analytics": 0.2})) for t in texts]

    segmenter = Segmenter(SplitPolicy(), score, _RECORDS, _cutter(p))
    return [p.label for p in segmenter.segment(split_request(text), score([text])[0])]


_ASK = "how many signups did we get this week"


def _two(first: str, sure: float, joiner: str = ". ") -> tuple[str, dict[str, dict[str, float]]]:
    left = {"billing": sure, "analytics": 1 - sure}
    right = {"analytics": sure, "billing": 1 - sure}
    return f"{first}{joiner}{_ASK}", {first: left, f"{first}.": left, _ASK: right}


def test_two_fairly_sure_sides_of_two_agents_stay_cut_under_the_cutters_threshold() -> None:
    text, sides = _two("please void INV-7", 0.95)
    # 0.6 at 0.9 down to 0 at 0.99: at 0.95 a cut needs 0.27
    assert _labels(text, sides, 0.5) == ["billing", "analytics"]
    assert _labels(text, sides, 0.3) == ["billing", "analytics"]
    assert _labels(text, sides, 0.2) == ["billing"]
    # the surer both sides, the less the cutter must believe it
    text, sides = _two("please void INV-7", 0.98)
    assert _labels(text, sides, 0.1) == ["billing", "analytics"]


def test_sides_under_fairly_sure_leave_the_cut_to_the_cutter() -> None:
    text, sides = _two("please void INV-7", 0.88)
    assert _labels(text, sides, 0.5) == ["billing"]
    assert _labels(text, sides, 0.7) == ["billing", "analytics"]


def test_a_weak_cut_is_left_to_the_cutter() -> None:
    # "and" goes on about the same request as often as it turns to another
    text, sides = _two("please void INV-7", 0.95, joiner=" and ")
    assert _labels(text, sides, 0.5) == ["billing"]


def test_context_beside_an_ask_is_left_to_the_cutter() -> None:
    for first in (
        "The invoice for March went out twice",  # a statement
        "INV-7 voided at 10:40",  # news of a record, asking nothing
        "Thanks, the invoice came through",  # a courtesy
    ):
        text, sides = _two(first, 0.95)
        assert _labels(text, sides, 0.5) == ["billing"], first
    # a record's id first that asks is a request
    text, sides = _two("INV-7 needs voiding pls", 0.95)
    assert _labels(text, sides, 0.5) == ["billing", "analytics"]

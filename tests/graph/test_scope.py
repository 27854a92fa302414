"""The scope check says why a text is out of scope: the team's human examples won, or the text
is unlike every agent's examples. Only the first is a reading of the words that context may
overrule (`carry`); the second says nothing of where a fragment belongs."""

from ringmaster.graph.planner.scope import HumanClassScope
from ringmaster.graph.planner.scoring import HUMAN, Scores


def _scores(probs: dict[str, float], similarity: float) -> Scores:
    return Scores(
        probs=probs,
        nearest_label="billing",
        nearest_example="refund INV-1",
        nearest_similarity=similarity,
        top_terms=(),
    )


def test_the_human_label_winning_is_out_of_scope() -> None:
    found = HumanClassScope().out_of_scope(_scores({HUMAN: 0.6, "billing": 0.4}, 0.5))
    assert found is not None
    kind, why = found
    assert kind == "out_of_scope" and why.startswith("looks out of scope: P(human) 0.60")


def test_a_text_far_from_every_example_is_unfamiliar() -> None:
    found = HumanClassScope().out_of_scope(_scores({HUMAN: 0.1, "billing": 0.9}, 0.05))
    assert found == ("unfamiliar", "unlike any agent's examples: nearest similarity 0.05 < 0.15")


def test_in_scope_is_none() -> None:
    assert HumanClassScope().out_of_scope(_scores({HUMAN: 0.1, "billing": 0.9}, 0.5)) is None

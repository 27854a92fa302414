"""A description after a reply that picked one of a question's options ("Which deployment do you
mean: …?", "the billing one", "and the api one?") picks among the same options, not among
every record the reply's answer listed."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import KINDS, asked_turn, entities, facts, turn

FACTS = facts(
    RecordFacts("DEP-1040", None, "billing-service production 3.1.0 succeeded release June"),
    RecordFacts("DEP-1041", None, "api production 2.14.0 succeeded release June"),
    RecordFacts("DEP-1042", None, "web production 1.9.0 succeeded release June"),
    RecordFacts("DEP-1036", None, "api staging 2.13.0 succeeded release June"),
    RecordFacts("DEP-1037", None, "api production 2.13.9 succeeded release June"),
)
OPTIONS = [("deployment", e) for e in ("DEP-1040", "DEP-1041", "DEP-1042")]


def test_the_next_description_picks_among_the_options_the_reply_picked_from() -> None:
    history = [
        turn(1, "what went out on the 11th?", listed="DEP-1040 DEP-1041 DEP-1042"),
        asked_turn(2, "who shipped it?", OPTIONS),
        # The reply, resolved; its answer listed the service's other deployments too.
        turn(3, "who shipped DEP-1040?", listed="DEP-1036 DEP-1041 DEP-1037"),
    ]
    out = resolve("and the api one?", history, KINDS, FACTS.get)
    assert out.question is None and entities(out) == ["DEP-1041"]


def test_options_that_fit_the_words_as_well_are_still_asked() -> None:
    options = [("deployment", e) for e in ("DEP-1040", "DEP-1041", "DEP-1037")]
    history = [
        turn(1, "what went out on the 11th?", listed="DEP-1040 DEP-1041 DEP-1037"),
        asked_turn(2, "who shipped it?", options),
        turn(3, "who shipped DEP-1040?", listed="DEP-1036 DEP-1041 DEP-1037"),
    ]
    out = resolve("and the api one?", history, KINDS, FACTS.get)
    assert out.question is not None and not entities(out)
    # With no question before it, the answer's records are the candidates, as before.
    history = [turn(1, "who shipped DEP-1040?", listed="DEP-1036 DEP-1041 DEP-1037")]
    assert resolve("and the api one?", history, KINDS, FACTS.get).question is not None

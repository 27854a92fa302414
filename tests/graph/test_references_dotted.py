""" "roll it back" after "what went out to staging on June 10?" listed three deployments:
asked among them; the day "10" is no word of billing-service 1.10.0."""

from __future__ import annotations

from ringmaster.graph.references import RecordFacts, resolve
from tests.graph.references_kit import ACTS, KINDS, catalogue, turn

FACTS = {
    "DEP-1025": RecordFacts("DEP-1025", None, "web staging 3.8.1 succeeded release June Jun 2025"),
    "DEP-1026": RecordFacts(
        "DEP-1026", None, "billing-service staging 1.10.0 succeeded release June Jun 2025"
    ),
    "DEP-1027": RecordFacts("DEP-1027", None, "auth staging 4.3.0 succeeded release June Jun 2025"),
}
LOOKUP, RECORDS = catalogue(FACTS)


def test_a_day_is_no_part_of_a_version() -> None:
    history = [turn(1, "what went out to staging on June 10?", "DEP-1027 DEP-1026 DEP-1025")]
    out = resolve("roll it back", history, KINDS, LOOKUP, ACTS, RECORDS)
    assert out.question is not None and out.resolutions == []
    assert all(d in out.question for d in ("DEP-1025", "DEP-1026", "DEP-1027"))
